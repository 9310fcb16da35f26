// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "evmpkg/filehash.h"
#include "evmpkg/hashalgo.h"

#define CHUNK (256 * 1024)

/* Most package files fit in SMALL: no buffer is allocated for them. */
#define SMALL (16 * 1024)

static int hash_fd(int fd, const EVP_MD *md, int64_t size, uint8_t *out, size_t *outlen,
		   struct evmpkg_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t small[SMALL], *buf = small, *big = NULL;
	size_t cap = sizeof(small);
	unsigned int dlen = 0;
	off_t off = 0;
	int rc = EVMPKG_OK;

	if (!ctx || !EVP_DigestInit_ex(ctx, md, NULL)) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "content digest: setup failed");
		goto out;
	}
	for (;;) {
		ssize_t n = pread(fd, buf, cap, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = evmpkg_fail_errno(err, errno, "content digest: read");
			goto out;
		}
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) {
			rc = evmpkg_fail(err, EVMPKG_ECRYPTO, "content digest failed");
			goto out;
		}
		off += n;
		if ((size_t)n < cap && off == size)
			break;
		/* A large file: larger reads from here on, if memory allows. */
		if (!big && (size_t)n == cap && (big = malloc(CHUNK))) {
			buf = big;
			cap = CHUNK;
		}
	}
	if (!EVP_DigestFinal_ex(ctx, out, &dlen))
		rc = evmpkg_fail(err, EVMPKG_ECRYPTO, "content digest failed");
	*outlen = dlen;
out:
	free(big);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int evmpkg_file_digest(int fd, int algo, uint8_t *out, size_t *outlen,
		       struct evmpkg_err *err)
{
	return evmpkg_file_digest_sized(fd, algo, -1, out, outlen, err);
}

int evmpkg_file_digest_sized(int fd, int algo, int64_t size, uint8_t *out,
			     size_t *outlen, struct evmpkg_err *err)
{
	const EVP_MD *md = evmpkg_hash_md(algo);
	struct evmpkg_err e = { 0 };
	int fl, rfd, rc;
	char proc[64];

	if (!md)
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "content digest: unsupported hash algorithm %d",
				   algo);
	/* Most fds read: the access mode is asked only of one that does not. */
	rc = hash_fd(fd, md, size, out, outlen, &e);
	if (!rc || e.errnum != EBADF || (fl = fcntl(fd, F_GETFL)) < 0 ||
	    (fl & O_ACCMODE) != O_WRONLY) {
		if (rc && err)
			*err = e;
		return rc;
	}
	/* rpm hands plugins a write-only fd: reopen the same inode to read. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	rfd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (rfd < 0)
		return evmpkg_fail_errno(err, errno,
					 "content digest: reopen of a write-only fd");
	rc = hash_fd(rfd, md, size, out, outlen, err);
	close(rfd);
	return rc;
}

int evmpkg_digest(int algo, const void *p, size_t n, uint8_t *out,
		  size_t *outlen, struct evmpkg_err *err)
{
	const EVP_MD *md = evmpkg_hash_md(algo);
	unsigned int dlen = 0;

	if (!md)
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "unsupported hash algorithm %d", algo);
	if (!EVP_Digest(p, n, out, &dlen, md, NULL))
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s digest failed",
				   evmpkg_hash_name(algo));
	*outlen = dlen;
	return EVMPKG_OK;
}
