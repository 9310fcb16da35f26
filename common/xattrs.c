// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "evmpkg/xattrs.h"

/* XATTR_SIZE_MAX: the kernel never stores a larger value. */
#define XVAL_MAX 65536

static int read_one(int fd, const char *name, uint8_t **val, size_t *len,
		    struct evmpkg_err *err)
{
	/* Values change between the size query and the read only on a race
	 * with another writer; retry a few times on ERANGE. */
	for (int tries = 0; tries < 4; tries++) {
		ssize_t n = fgetxattr(fd, name, NULL, 0);
		uint8_t *b;

		if (n < 0)
			return errno == ENODATA ? 1 : -errno;
		if (n > XVAL_MAX)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: value of %zd bytes is too large",
					   name, n);
		b = malloc(n ? (size_t)n : 1);
		if (!b)
			return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
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

int evmpkg_xattrs_read(int fd, struct evmpkg_xattrs *x, struct evmpkg_err *err)
{
	memset(x, 0, sizeof(*x));
	for (int i = 0; i < EVMPKG_NXSLOTS; i++) {
		const char *name = evmpkg_xslot_name(i);
		int rc = read_one(fd, name, &x->val[i], &x->len[i], err);

		if (rc == 0) {
			x->present[i] = 1;
		} else if (rc == -EOPNOTSUPP) {
			x->nosupport = 1;
			return EVMPKG_OK;
		} else if (rc < 0) {
			evmpkg_xattrs_free(x);
			return evmpkg_fail_errno(err, -rc, "%s: read", name);
		} else if (rc != 1) {
			evmpkg_xattrs_free(x);
			return rc;
		}
	}
	return EVMPKG_OK;
}

void evmpkg_xattrs_free(struct evmpkg_xattrs *x)
{
	for (int i = 0; i < EVMPKG_NXSLOTS; i++)
		free(x->val[i]);
	memset(x, 0, sizeof(*x));
}
