/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Errors as values: a code and a human message naming package, file, field. */
#ifndef EVMPKG_ERR_H
#define EVMPKG_ERR_H

#include <stddef.h>

enum evmpkg_rc {
	EVMPKG_OK = 0,
	EVMPKG_EINVAL,		/* malformed input or bad argument */
	EVMPKG_ENOMEM,
	EVMPKG_EIO,		/* a system call failed; errnum says which errno */
	EVMPKG_ECRYPTO,		/* OpenSSL failed */
	EVMPKG_EVERIFY,		/* a signature or digest does not verify */
	EVMPKG_ENOKEY,		/* no trusted certificate for the key id */
	EVMPKG_EMISMATCH,	/* file state differs from what was signed */
	EVMPKG_EUNSUPP,		/* valid but not supported (algorithm, type) */
	EVMPKG_ENEEDPASS,	/* an encrypted key, and no passphrase given */
};

struct evmpkg_err {
	int rc;			/* enum evmpkg_rc */
	int errnum;		/* errno for EVMPKG_EIO, else 0 */
	char msg[512];
};

/* Sets err (if non-NULL) and returns rc, so callers can `return evmpkg_fail(...)`. */
int evmpkg_fail(struct evmpkg_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like evmpkg_fail with rc EVMPKG_EIO, appending strerror(errnum). */
int evmpkg_fail_errno(struct evmpkg_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes an existing message with context ("pkg: file: "). */
void evmpkg_err_prefix(struct evmpkg_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void evmpkg_err_clear(struct evmpkg_err *err);

#endif
