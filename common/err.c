// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "evmpkg/err.h"

static void vset(struct evmpkg_err *err, int rc, int errnum, const char *fmt,
		 va_list ap)
{
	err->rc = rc;
	err->errnum = errnum;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int evmpkg_fail(struct evmpkg_err *err, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vset(err, rc, 0, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int evmpkg_fail_errno(struct evmpkg_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	char ebuf[128];

	if (err) {
		va_start(ap, fmt);
		vset(err, EVMPKG_EIO, errnum, fmt, ap);
		va_end(ap);
		n = strlen(err->msg);
		/* GNU strerror_r returns the message pointer; thread-safe, unlike strerror. */
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
			 strerror_r(errnum, ebuf, sizeof(ebuf)));
	}
	return EVMPKG_EIO;
}

void evmpkg_err_prefix(struct evmpkg_err *err, const char *fmt, ...)
{
	char pre[256];
	size_t np, nm;
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	/* Shift the message right and put the prefix in front; truncate. */
	np = strlen(pre);
	nm = strnlen(err->msg, sizeof(err->msg) - 1);
	if (np > sizeof(err->msg) - 1)
		np = sizeof(err->msg) - 1;
	if (nm > sizeof(err->msg) - 1 - np)
		nm = sizeof(err->msg) - 1 - np;
	memmove(err->msg + np, err->msg, nm);
	memcpy(err->msg, pre, np);
	err->msg[np + nm] = '\0';
}

void evmpkg_err_clear(struct evmpkg_err *err)
{
	if (err) {
		err->rc = EVMPKG_OK;
		err->errnum = 0;
		err->msg[0] = '\0';
	}
}
