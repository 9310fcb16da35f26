/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OpenSSL pkcs11 engine (libp11), for systems without pkcs11-provider
 * (Debian 12). ENGINE calls are deprecated in OpenSSL 3, so they are kept
 * in keyengine.c, the one file built with that warning silenced; the
 * engine handle is opaque here. Not part of the library's interface.
 */
#ifndef EVMPKG_KEYENGINE_H
#define EVMPKG_KEYENGINE_H

#include <openssl/pem.h>
#include <openssl/types.h>

#include "evmpkg/err.h"

struct keyengine;

/* NULL when OpenSSL has no pkcs11 engine (or no engine support). */
struct keyengine *keyengine_open(void);
void keyengine_free(struct keyengine *ke);
int keyengine_key(struct keyengine *ke, const char *uri, const char *shown,
		  const char *pin, pem_password_cb *cb, void *cbarg,
		  EVP_PKEY **out, struct evmpkg_err *err);
int keyengine_cert(struct keyengine *ke, const char *uri, const char *shown,
		   X509 **out, struct evmpkg_err *err);

#endif
