// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "evmpkg/xattrs.h"

/* XATTR_SIZE_MAX: the kernel never stores a larger value. */
#define XVAL_MAX 65536

/* 0: read; 1: absent; -errno: failed. */
static int read_one(int fd, const char *name, uint8_t **val, size_t *len)
{
	uint8_t small[1024];
	ssize_t got = fgetxattr(fd, name, small, sizeof(small));

	/* Most values (signatures, caps, labels) fit: one call. */
	if (got >= 0) {
		*val = malloc(got ? (size_t)got : 1);
		if (!*val)
			return -ENOMEM;
		memcpy(*val, small, (size_t)got);
		*len = (size_t)got;
		return 0;
	}
	if (errno != ERANGE)
		return errno == ENODATA ? 1 : -errno;
	/* Values change between the size query and the read only on a race
	 * with another writer; retry a few times on ERANGE. */
	for (int tries = 0; tries < 4; tries++) {
		ssize_t n = fgetxattr(fd, name, NULL, 0);
		uint8_t *b;

		if (n < 0)
			return errno == ENODATA ? 1 : -errno;
		if (n > XVAL_MAX)
			return -E2BIG;
		if (n == 0) {
			/* A size-0 read would be another size query. */
			*val = malloc(1);
			*len = 0;
			return *val ? 0 : -ENOMEM;
		}
		b = malloc((size_t)n);
		if (!b)
			return -ENOMEM;
		n = fgetxattr(fd, name, b, (size_t)n);
		if (n >= 0) {
			*val = b;
			*len = (size_t)n;
			return 0;
		}
		free(b);
		if (errno != ERANGE)
			return errno == ENODATA ? 1 : -errno;
	}
	return -ERANGE;
}

static int in_list(const char *list, size_t n, const char *name)
{
	for (size_t off = 0; off < n;) {
		size_t l = strnlen(list + off, n - off);

		if (l == strlen(name) && !memcmp(list + off, name, l))
			return 1;
		off += l + 1;
	}
	return 0;
}

/*
 * One flistxattr, then a read of each protected name present: a new file
 * has none or two, so this is 2-4 system calls rather than one per name.
 */
int evmpkg_xattrs_read(int fd, struct evmpkg_xattrs *x, struct evmpkg_err *err)
{
	char list[4096];
	ssize_t n;

	memset(x, 0, sizeof(*x));
	n = flistxattr(fd, list, sizeof(list));
	if (n < 0 && errno == EOPNOTSUPP) {
		x->nosupport = 1;
		return EVMPKG_OK;
	}
	if (n < 0 && errno != ERANGE)
		return evmpkg_fail_errno(err, errno, "listing xattrs");
	if (n < 0)
		n = -1;	/* a huge list: fall back to asking for each name */
	for (int i = 0; i < EVMPKG_NXATTRS; i++) {
		const char *name = evmpkg_xslot_name(i);
		int rc;

		if (n >= 0 && !in_list(list, (size_t)n, name))
			continue;
		rc = read_one(fd, name, &x->val[i], &x->len[i]);
		if (rc == 0) {
			x->present[i] = 1;
		} else if (rc < 0) {
			evmpkg_xattrs_free(x);
			return evmpkg_fail_errno(err, -rc, "%s: read", name);
		}
	}
	return EVMPKG_OK;
}

void evmpkg_xattrs_free(struct evmpkg_xattrs *x)
{
	for (int i = 0; i < EVMPKG_NXATTRS; i++)
		free(x->val[i]);
	memset(x, 0, sizeof(*x));
}
