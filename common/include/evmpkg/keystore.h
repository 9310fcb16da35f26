/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keys and certificates held in PKCS#11 tokens, named by RFC 7512 URIs
 * ("pkcs11:token=...;object=..."), always through OpenSSL 3 and never by
 * calling a PKCS#11 module: OpenSSL's pkcs11-provider where it is
 * installed (Debian 13, Fedora), else the OpenSSL pkcs11 engine of libp11
 * (Debian 12's libengine-pkcs11-openssl). A key from a store is an
 * ordinary EVP_PKEY: keys.c signs with it as with a PEM key.
 */
#ifndef EVMPKG_KEYSTORE_H
#define EVMPKG_KEYSTORE_H

#include <openssl/pem.h>
#include <openssl/types.h>

#include "evmpkg/err.h"

struct evmpkg_keystore;

/* 1 when s names an object in a token (a "pkcs11:" URI). */
int evmpkg_keystore_is_uri(const char *s);

/*
 * Opens the way to tokens this system has: the provider, in a library
 * context of this store's own (nothing of the process's OpenSSL
 * configuration changes), else the engine. EVMPKG_EUNSUPP, naming the
 * packages that would provide either, when neither is installed.
 */
int evmpkg_keystore_open(struct evmpkg_keystore **out, struct evmpkg_err *err);
void evmpkg_keystore_free(struct evmpkg_keystore *ks);
/* "pkcs11-provider" or "pkcs11 engine": for messages and docs. */
const char *evmpkg_keystore_via(const struct evmpkg_keystore *ks);

/*
 * Loads the private key or the certificate uri names. pin may be NULL
 * (the URI's pin-value or pin-source, or an object that needs no login);
 * else cb is called with cbarg when the token asks for its PIN, as
 * OpenSSL asks for a PEM passphrase. The key stays valid until ks is freed.
 */
int evmpkg_keystore_key(struct evmpkg_keystore *ks, const char *uri,
			const char *pin, pem_password_cb *cb, void *cbarg,
			EVP_PKEY **out, struct evmpkg_err *err);
int evmpkg_keystore_cert(struct evmpkg_keystore *ks, const char *uri,
			 X509 **out, struct evmpkg_err *err);

/*
 * 1 when a certificate in the token must be read before the key:
 * pkcs11-provider 1.0 leaves a key unable to sign once a certificate has
 * been read after it. 0 for the engine, which reads certificates after
 * the key, when it is logged in with the key's PIN; before, libp11 would
 * ask for the PIN on the terminal itself.
 */
int evmpkg_keystore_cert_first(const struct evmpkg_keystore *ks);

/* uri without its query (pin-value, module-path): safe to print. */
void evmpkg_keystore_uri_shown(const char *uri, char *buf, size_t cap);

#endif
