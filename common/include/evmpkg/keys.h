/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signing keys and trusted certificates on OpenSSL 3 EVP. A key is loaded
 * once and signs many digests; both objects are read-only after loading and
 * may be shared between threads.
 */
#ifndef EVMPKG_KEYS_H
#define EVMPKG_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"
#include "evmpkg/sigformat.h"

struct evmpkg_key;
struct evmpkg_trust;

/*
 * Loads a PEM private key (RSA or EC), decrypting it with pass if given,
 * or a key in a PKCS#11 token named by a "pkcs11:" URI (keystore.h), with
 * pass as the token's PIN. The key id is the last 4 bytes of cert's
 * subjectKeyIdentifier when cert (a PEM or DER file, or a pkcs11: URI of
 * the certificate object) is given, else of a certificate in the key file
 * (for a token: the same URI with type=cert), else of SHA-1 over the
 * public key bit string: what evmctl and the kernel use. A token key signs
 * once while loading, so a wrong PIN, key or certificate is found here.
 * EVMPKG_ENEEDPASS: the key is encrypted, or the token asked for its PIN,
 * and pass is NULL.
 */
int evmpkg_key_load(const char *keypath, const char *pass,
		    const char *certpath, struct evmpkg_key **out,
		    struct evmpkg_err *err);
void evmpkg_key_free(struct evmpkg_key *k);
/* The key id (as above) and key type of the certificate at path (a file
 * or a pkcs11: URI), without its key: what a signing request expects. */
int evmpkg_cert_keyid(const char *path, uint32_t *keyid, int *is_ec,
		      struct evmpkg_err *err);
uint32_t evmpkg_key_id(const struct evmpkg_key *k);
/* 1 for an ECDSA key: kernels without CONFIG_CRYPTO_ECDSA (Debian 12's)
 * cannot verify its signatures. */
int evmpkg_key_is_ec(const struct evmpkg_key *k);
/* Largest signature this key makes, in bytes. */
size_t evmpkg_key_sig_max(const struct evmpkg_key *k);
/* For a key in a token: how OpenSSL reaches it ("pkcs11-provider",
 * "pkcs11 engine"); NULL for a key file. */
const char *evmpkg_key_via(const struct evmpkg_key *k);
/* 1 once a token key signs one signature at a time, after a signature
 * made beside others failed and succeeded alone. */
int evmpkg_key_serialised(const struct evmpkg_key *k);

/*
 * Signs a digest made with hash algo and returns the whole xattr value
 * (type, header, signature) in out; RSA PKCS#1 v1.5, ECDSA DER. Any number
 * of threads may sign with one key; a token's signatures are verified with
 * its public key before they are returned.
 */
int evmpkg_key_sign(const struct evmpkg_key *k, uint8_t type, int algo,
		    const uint8_t *digest, size_t dlen, uint8_t *out,
		    size_t cap, size_t *outlen, struct evmpkg_err *err);

/*
 * What a trusted certificate may verify: the kernel checks IMA signatures
 * (type 3) with the _ima keyring and portable EVM signatures (type 5) with
 * the _evm keyring, so a key trusted for one is not trusted for the other.
 */
enum evmpkg_trust_usage {
	EVMPKG_TRUST_IMA = 1,
	EVMPKG_TRUST_EVM = 2,
	EVMPKG_TRUST_BOTH = 3,
};

int evmpkg_trust_new(struct evmpkg_trust **out, struct evmpkg_err *err);
void evmpkg_trust_free(struct evmpkg_trust *t);
/* Adds every certificate of a PEM file, or the one of a DER file, or the
 * one a pkcs11: URI names, for usage. */
int evmpkg_trust_add_file(struct evmpkg_trust *t, const char *path, int usage,
			  struct evmpkg_err *err);
/* Adds every certificate file of a directory (not recursive), for usage. */
int evmpkg_trust_add_dir(struct evmpkg_trust *t, const char *dir, int usage,
			 struct evmpkg_err *err);
size_t evmpkg_trust_count(const struct evmpkg_trust *t);
/* Certificate i's key id (the tail of its subjectKeyIdentifier) and
 * usage (enum evmpkg_trust_usage); i < evmpkg_trust_count. */
void evmpkg_trust_cert(const struct evmpkg_trust *t, size_t i, uint32_t *keyid, int *usage);
/*
 * Certificates without a subjectKeyIdentifier: signatures carry the key id
 * evmctl derives from the public key, but the kernel looks keys up by
 * their SKID, so it will not find these.
 */
size_t evmpkg_trust_count_without_skid(const struct evmpkg_trust *t);

/*
 * Verifies a parsed type 3 or 5 signature over digest with the trusted
 * certificates for its usage (IMA for type 3, EVM for type 5) whose key id
 * matches. EVMPKG_ENOKEY: none matches;
 * EVMPKG_EVERIFY: one matches and the signature is wrong.
 */
int evmpkg_trust_verify(const struct evmpkg_trust *t,
			const struct evmpkg_sig *sig, const uint8_t *digest,
			size_t dlen, struct evmpkg_err *err);

#endif
