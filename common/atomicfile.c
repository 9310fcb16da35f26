// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evmpkg/atomicfile.h"

static void release(struct evmpkg_atomicfile *a)
{
	if (a->fd >= 0)
		close(a->fd);
	free(a->priv_tmp);
	free(a->priv_dir);
	free(a->priv_target);
	a->fd = -1;
	a->priv_tmp = a->priv_dir = a->priv_target = NULL;
}

int evmpkg_atomic_open(struct evmpkg_atomicfile *a, const char *target,
		       struct evmpkg_err *err)
{
	const char *slash = strrchr(target, '/');
	const char *base = slash ? slash + 1 : target;
	int rc;

	a->fd = -1;
	a->priv_tmp = a->priv_dir = a->priv_target = NULL;
	if (!*base)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: is a directory name",
				   target);
	/* "/x" lives in "/", "x" in ".". */
	a->priv_dir = slash ? strndup(target, slash > target ? (size_t)(slash - target) : 1) :
			      strdup(".");
	a->priv_target = strdup(target);
	/* A hidden name; the base is cut so the name fits NAME_MAX. */
	if (!a->priv_dir || !a->priv_target ||
	    asprintf(&a->priv_tmp, "%s/.%.200s.evmpkg-XXXXXX", a->priv_dir, base) < 0) {
		a->priv_tmp = NULL;
		release(a);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", target);
	}
	a->fd = mkostemp(a->priv_tmp, O_CLOEXEC);
	if (a->fd < 0) {
		rc = evmpkg_fail_errno(err, errno, "%s: cannot create a temporary file in %s",
				       target, a->priv_dir);
		release(a);
		return rc;
	}
	return EVMPKG_OK;
}

void evmpkg_atomic_abort(struct evmpkg_atomicfile *a)
{
	if (a->priv_tmp)
		unlink(a->priv_tmp);
	release(a);
}

int evmpkg_atomic_commit(struct evmpkg_atomicfile *a, mode_t mode,
			 struct evmpkg_err *err)
{
	int dfd, rc = EVMPKG_OK;

	if (fchmod(a->fd, mode) || fsync(a->fd)) {
		rc = evmpkg_fail_errno(err, errno, "%s: sync", a->priv_target);
		goto fail;
	}
	/* close reports late write errors (NFS): the file is not whole then. */
	if (close(a->fd)) {
		a->fd = -1;
		rc = evmpkg_fail_errno(err, errno, "%s: close", a->priv_target);
		goto fail;
	}
	a->fd = -1;
	/* rename replaces a symlink at the target instead of following it. */
	if (rename(a->priv_tmp, a->priv_target)) {
		rc = evmpkg_fail_errno(err, errno, "%s: cannot replace", a->priv_target);
		goto fail;
	}
	/* The rename itself survives a crash once the directory is synced. */
	dfd = open(a->priv_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	release(a);
	return EVMPKG_OK;
fail:
	evmpkg_atomic_abort(a);
	return rc;
}

int evmpkg_atomic_put(struct evmpkg_atomicfile *a, const void *p, size_t n,
		      struct evmpkg_err *err)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(a->fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return evmpkg_fail_errno(err, w < 0 ? errno : EIO, "%s: write",
						 a->priv_target);
		b += w;
		n -= (size_t)w;
	}
	return EVMPKG_OK;
}

int evmpkg_atomic_write(const char *target, const void *data, size_t len,
			mode_t mode, struct evmpkg_err *err)
{
	struct evmpkg_atomicfile a;
	int rc = evmpkg_atomic_open(&a, target, err);

	if (rc)
		return rc;
	if ((rc = evmpkg_atomic_put(&a, data, len, err))) {
		evmpkg_atomic_abort(&a);
		return rc;
	}
	return evmpkg_atomic_commit(&a, mode, err);
}
