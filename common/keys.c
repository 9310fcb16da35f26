// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "evmpkg/hashalgo.h"
#include "evmpkg/keys.h"
#include "evmpkg/keystore.h"

struct evmpkg_key {
	EVP_PKEY *pkey;
	uint32_t keyid;
	/* A key in a token: the store it lives in, and its public key set up
	 * for verifying every signature the token returns, so a module that
	 * mixes up sessions under threads fails loudly instead of handing
	 * out a wrong signature. */
	struct evmpkg_keystore *ks;
	EVP_PKEY_CTX *check;
	/* Set once the token failed a signature it then made alone: from
	 * then on one thread at a time signs, under one. */
	atomic_int serial;
	pthread_mutex_t one;
};

struct tcert {
	EVP_PKEY *pkey;
	EVP_PKEY_CTX *vctx;	/* set up for verifying, copied per use; or NULL */
	uint32_t keyid;
	int usage;		/* enum evmpkg_trust_usage */
	int has_skid;
};

struct evmpkg_trust {
	struct tcert *c;
	size_t n, cap;
};

/* The last OpenSSL error of this thread, for messages. */
static const char *ossl_reason(char *buf, size_t n)
{
	unsigned long e = ERR_get_error();

	if (!e)
		return "unknown error";
	ERR_error_string_n(e, buf, n);
	ERR_clear_error();
	return buf;
}

static uint32_t be32tail(const unsigned char *p, size_t n)
{
	p += n - 4;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* SHA-1 over the subjectPublicKey BIT STRING contents: RFC 5280 method 1. */
static int pubkey_keyid(EVP_PKEY *pkey, uint32_t *id)
{
	X509_PUBKEY *xpk = NULL;
	const unsigned char *pk;
	unsigned char md[20];
	int pklen, ok = 0;

	if (X509_PUBKEY_set(&xpk, pkey) &&
	    X509_PUBKEY_get0_param(NULL, &pk, &pklen, NULL, xpk) &&
	    EVP_Digest(pk, (size_t)pklen, md, NULL, EVP_sha1(), NULL)) {
		*id = be32tail(md, sizeof(md));
		ok = 1;
	}
	X509_PUBKEY_free(xpk);
	return ok;
}

static int cert_keyid(X509 *x, uint32_t *id)
{
	const ASN1_OCTET_STRING *skid = X509_get0_subject_key_id(x);

	if (skid && ASN1_STRING_length(skid) >= 4) {
		*id = be32tail(ASN1_STRING_get0_data(skid),
			       (size_t)ASN1_STRING_length(skid));
		return 1;
	}
	return pubkey_keyid(X509_get0_pubkey(x), id);
}

/* Reads every certificate of a file: PEM (several) or one DER. */
static int read_certs(const char *path, STACK_OF(X509) **out,
		      struct evmpkg_err *err)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *bio = BIO_new_file(path, "rb");
	char eb[256];
	X509 *x;

	if (!sk || !bio) {
		int e = errno;

		BIO_free(bio);
		sk_X509_free(sk);
		ERR_clear_error();
		return evmpkg_fail_errno(err, e ? e : ENOMEM,
					 "certificate %s: open", path);
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		sk_X509_push(sk, x);
	ERR_clear_error();
	if (sk_X509_num(sk) == 0) {
		(void)BIO_reset(bio);
		x = d2i_X509_bio(bio, NULL);
		if (x)
			sk_X509_push(sk, x);
	}
	BIO_free(bio);
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "certificate %s: no PEM or DER X.509 certificate (%s)",
				   path, ossl_reason(eb, sizeof(eb)));
	}
	*out = sk;
	return EVMPKG_OK;
}

struct passarg {
	const char *pass;
	int asked;
};

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct passarg *pa = u;
	size_t n;

	pa->asked = 1;
	if (!pa->pass)
		return -1;
	n = strlen(pa->pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pa->pass, n);
	return (int)n;
}

/* x re-encoded into the default library context, so it outlives the
 * store it came from. */
static X509 *x509_plain(X509 *x)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	int n = i2d_X509(x, &der);
	X509 *y = NULL;

	if (n > 0) {
		p = der;
		y = d2i_X509(NULL, &p, n);
	}
	OPENSSL_free(der);
	return y;
}

/*
 * The certificates of a file, or the one a pkcs11: URI names: through ks
 * when a token key is open (a store of its own would initialise the same
 * PKCS#11 module a second time, and finalise it under the key's sessions
 * when freed), else through a store opened for this.
 */
static int load_certs(const char *path, struct evmpkg_keystore *ks,
		      STACK_OF(X509) **out, struct evmpkg_err *err)
{
	struct evmpkg_keystore *own = NULL;
	X509 *x = NULL, *y;
	int rc;

	if (!evmpkg_keystore_is_uri(path))
		return read_certs(path, out, err);
	if (!ks && (rc = evmpkg_keystore_open(&own, err)))
		return rc;
	rc = evmpkg_keystore_cert(ks ? ks : own, path, &x, err);
	y = rc ? NULL : x509_plain(x);
	X509_free(x);
	evmpkg_keystore_free(own);
	if (rc)
		return rc;
	if (!y || !(*out = sk_X509_new_null()) || !sk_X509_push(*out, y)) {
		X509_free(y);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	}
	return EVMPKG_OK;
}

static int load_cert(const char *path, struct evmpkg_keystore *ks, X509 **out,
		     struct evmpkg_err *err)
{
	STACK_OF(X509) *sk;
	int rc = load_certs(path, ks, &sk, err);

	if (rc)
		return rc;
	*out = X509_dup(sk_X509_value(sk, 0));
	sk_X509_pop_free(sk, X509_free);
	return *out ? EVMPKG_OK : evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
}

int evmpkg_cert_keyid(const char *path, uint32_t *keyid, int *is_ec,
		      struct evmpkg_err *err)
{
	X509 *x;
	int rc = load_cert(path, NULL, &x, err);

	if (rc)
		return rc;
	*is_ec = EVP_PKEY_get_base_id(X509_get0_pubkey(x)) == EVP_PKEY_EC;
	rc = cert_keyid(x, keyid) ? EVMPKG_OK :
	     evmpkg_fail(err, EVMPKG_ECRYPTO, "certificate %s: no key id", path);
	X509_free(x);
	ERR_clear_error();
	return rc;
}

/* A PEM private key, and a certificate in the same file if there is one. */
static int pem_key(struct evmpkg_key *k, const char *keypath,
		   struct passarg *pa, X509 **x, struct evmpkg_err *err)
{
	BIO *bio = BIO_new_file(keypath, "rb");
	char eb[256];

	if (!bio) {
		ERR_clear_error();
		return evmpkg_fail_errno(err, errno ? errno : ENOENT,
					 "key %s: open", keypath);
	}
	k->pkey = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, pa);
	if (k->pkey) {
		(void)BIO_reset(bio);
		*x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	if (k->pkey) {
		ERR_clear_error();
		return EVMPKG_OK;
	}
	return evmpkg_fail(err, EVMPKG_EINVAL,
			   "key %s: not a readable PEM private key%s (%s)",
			   keypath, pa->asked ? " or wrong password" : "",
			   ossl_reason(eb, sizeof(eb)));
}

/* The certificate beside a token key: the same URI with type=cert. */
static X509 *token_cert(const struct evmpkg_key *k, const char *uri)
{
	size_t plen = strcspn(uri, "?"), n = 0;
	char *c = malloc(strlen(uri) + 16);
	X509 *x = NULL, *y = NULL;

	if (!c)
		return NULL;
	for (const char *a = uri + 7; a < uri + plen;) {
		size_t al = strcspn(a, ";?");

		if (al > (size_t)(uri + plen - a))
			al = (size_t)(uri + plen - a);
		if (al && strncmp(a, "type=", 5))
			n += (size_t)sprintf(c + n, "%s%.*s", n ? ";" : "pkcs11:", (int)al, a);
		a += al + 1;
	}
	sprintf(c + n, "%stype=cert%s", n ? ";" : "pkcs11:", uri + plen);
	if (!evmpkg_keystore_cert(k->ks, c, &x, NULL))
		y = x509_plain(x);
	X509_free(x);
	free(c);
	ERR_clear_error();
	return y;
}

static EVP_PKEY_CTX *verify_ctx(EVP_PKEY *pkey);
static int token_sign(const struct evmpkg_key *k, const EVP_MD *md,
		      const uint8_t *digest, size_t dlen, uint8_t *sig,
		      size_t *siglen);

/* A private key in a token; its certificate there if it has one. */
static int token_key(struct evmpkg_key *k, const char *uri, const char *pass,
		     const char *certpath, struct passarg *pa, X509 **x,
		     struct evmpkg_err *err)
{
	int uricert = certpath && evmpkg_keystore_is_uri(certpath);
	int first, rc = evmpkg_keystore_open(&k->ks, err);

	if (rc)
		return rc;
	/* Where the token wants it, its certificate is read before the key. */
	first = evmpkg_keystore_cert_first(k->ks);
	if (first && uricert)
		rc = load_cert(certpath, k->ks, x, err);
	else if (first && !certpath)
		*x = token_cert(k, uri);
	if (rc || (rc = evmpkg_keystore_key(k->ks, uri, pass, pass_cb, pa, &k->pkey,
					    err)))
		return rc;
	if (!first && uricert)
		rc = load_cert(certpath, k->ks, x, err);
	else if (!first && !certpath)
		*x = token_cert(k, uri);
	return rc;
}

/* The public key a token key's signatures are checked with: its
 * certificate's, else the token's public half copied out. */
static int token_check(struct evmpkg_key *k, X509 *x, const char *shown,
		       const char *certpath, struct evmpkg_err *err)
{
	static const uint8_t probe[32] = "evmpkg: does the key match?";
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	uint8_t sig[EVMPKG_SIG_MAX];
	size_t siglen = sizeof(sig);
	int n;

	if (x) {
		pub = X509_get_pubkey(x);
	} else if ((n = i2d_PUBKEY(k->pkey, &der)) > 0) {
		p = der;
		pub = d2i_PUBKEY(NULL, &p, n);
	}
	OPENSSL_free(der);
	k->check = pub ? verify_ctx(pub) : NULL;
	EVP_PKEY_free(pub);
	ERR_clear_error();
	if (!k->check)
		return evmpkg_fail(err, EVMPKG_EINVAL, "key %s: no public key to check "
				   "its signatures with; give its certificate (--cert)",
				   shown);
	/* One signature now: the PIN, the key and the certificate are checked
	 * before any file is, and a mismatch is named as such. */
	if ((size_t)EVP_PKEY_get_size(k->pkey) > sizeof(sig) ||
	    !token_sign(k, EVP_sha256(), probe, sizeof(probe), sig, &siglen)) {
		ERR_clear_error();
		if (certpath)
			return evmpkg_fail(err, EVMPKG_EINVAL, "certificate %s does not "
					   "match key %s (or the token cannot sign with it)",
					   certpath, shown);
		return evmpkg_fail(err, EVMPKG_EINVAL, "key %s: the token cannot sign "
				   "with it, or its signature does not verify with its "
				   "public key", shown);
	}
	return EVMPKG_OK;
}

int evmpkg_key_load(const char *keypath, const char *pass,
		    const char *certpath, struct evmpkg_key **out,
		    struct evmpkg_err *err)
{
	struct passarg pa = { pass, 0 };
	int token = evmpkg_keystore_is_uri(keypath);
	struct evmpkg_key *k;
	X509 *x = NULL;
	char eb[256], shown[1024];
	int rc;

	if (token)
		evmpkg_keystore_uri_shown(keypath, shown, sizeof(shown));
	else
		snprintf(shown, sizeof(shown), "%s", keypath);
	if (!(k = calloc(1, sizeof(*k))))
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	pthread_mutex_init(&k->one, NULL);
	rc = token ? token_key(k, keypath, pass, certpath, &pa, &x, err) :
		     pem_key(k, keypath, &pa, &x, err);
	if (rc) {
		X509_free(x);
		evmpkg_key_free(k);
		if (pa.asked && !pass)
			return evmpkg_fail(err, EVMPKG_ENEEDPASS, token ?
					   "key %s: the token needs its PIN (--pass "
					   "env:VAR|file:PATH|fd:N|stdin, EVMPKG_KEY_PASSWORD, or "
					   "pin-source in the URI)" :
					   "key %s: encrypted; give its passphrase (--pass "
					   "env:VAR|file:PATH|fd:N|stdin, or EVMPKG_KEY_PASSWORD)",
					   shown);
		return rc;
	}
	if (EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_RSA &&
	    EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_EC) {
		X509_free(x);
		evmpkg_key_free(k);
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "key %s: only RSA and ECDSA keys are supported",
				   shown);
	}
	if (certpath && !(token && evmpkg_keystore_is_uri(certpath))) {
		X509_free(x);
		x = NULL;
		if ((rc = load_cert(certpath, k->ks, &x, err))) {
			evmpkg_key_free(k);
			return rc;
		}
		if (!token && EVP_PKEY_eq(X509_get0_pubkey(x), k->pkey) != 1) {
			X509_free(x);
			evmpkg_key_free(k);
			ERR_clear_error();
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "certificate %s does not match key %s",
					   certpath, shown);
		}
	} else if (x && !token && EVP_PKEY_eq(X509_get0_pubkey(x), k->pkey) != 1) {
		/* A certificate of another key: its id would name the wrong key. */
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	if (token && (rc = token_check(k, x, shown, certpath, err))) {
		X509_free(x);
		evmpkg_key_free(k);
		return rc;
	}
	if (x) {
		rc = cert_keyid(x, &k->keyid);
		X509_free(x);
	} else {
		rc = pubkey_keyid(k->pkey, &k->keyid);
	}
	if (!rc) {
		evmpkg_key_free(k);
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "key %s: key id: %s",
				   shown, ossl_reason(eb, sizeof(eb)));
	}
	*out = k;
	return EVMPKG_OK;
}

void evmpkg_key_free(struct evmpkg_key *k)
{
	if (k) {
		EVP_PKEY_CTX_free(k->check);
		EVP_PKEY_free(k->pkey);
		/* After the key: the store holds what it was made with. */
		evmpkg_keystore_free(k->ks);
		pthread_mutex_destroy(&k->one);
		free(k);
	}
}

uint32_t evmpkg_key_id(const struct evmpkg_key *k)
{
	return k->keyid;
}

int evmpkg_key_is_ec(const struct evmpkg_key *k)
{
	return EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_EC;
}

size_t evmpkg_key_sig_max(const struct evmpkg_key *k)
{
	return (size_t)EVP_PKEY_get_size(k->pkey);
}

const char *evmpkg_key_via(const struct evmpkg_key *k)
{
	return k->ks ? evmpkg_keystore_via(k->ks) : NULL;
}

int evmpkg_key_serialised(const struct evmpkg_key *k)
{
	return atomic_load(&((struct evmpkg_key *)k)->serial);
}

/* RSA PKCS#1 v1.5 or ECDSA (DER) over a digest made with md. */
static int raw_sign(EVP_PKEY *pkey, const EVP_MD *md, const uint8_t *digest,
		    size_t dlen, uint8_t *sig, size_t *siglen)
{
	/* One context per call: the key itself is shared read-only. */
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
	int ok = ctx && EVP_PKEY_sign_init(ctx) > 0 &&
		 (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA ||
		  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0) &&
		 EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
		 EVP_PKEY_sign(ctx, sig, siglen, digest, dlen) > 0;

	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static int check_sig(const struct evmpkg_key *k, const EVP_MD *md,
		     const uint8_t *digest, size_t dlen, const uint8_t *sig,
		     size_t siglen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_dup(k->check);
	int ok = ctx && EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
		 EVP_PKEY_verify(ctx, sig, siglen, digest, dlen) == 1;

	EVP_PKEY_CTX_free(ctx);
	return ok;
}

/*
 * Threads sign on sessions of their own where the module allows it (the
 * provider and libp11 keep a pool of sessions per token). Where a
 * signature fails or does not verify, it is made again with every other
 * thread held off, and so are all after it: one serialised session.
 */
static int token_sign(const struct evmpkg_key *k, const EVP_MD *md,
		      const uint8_t *digest, size_t dlen, uint8_t *sig,
		      size_t *siglen)
{
	struct evmpkg_key *mk = (struct evmpkg_key *)k;
	size_t cap = *siglen;
	int ok;

	if (!atomic_load(&mk->serial)) {
		if (raw_sign(k->pkey, md, digest, dlen, sig, siglen) &&
		    check_sig(k, md, digest, dlen, sig, *siglen))
			return 1;
		ERR_clear_error();
		*siglen = cap;
	}
	pthread_mutex_lock(&mk->one);
	atomic_store(&mk->serial, 1);
	ok = raw_sign(k->pkey, md, digest, dlen, sig, siglen) &&
	     check_sig(k, md, digest, dlen, sig, *siglen);
	pthread_mutex_unlock(&mk->one);
	return ok;
}

int evmpkg_key_sign(const struct evmpkg_key *k, uint8_t type, int algo,
		    const uint8_t *digest, size_t dlen, uint8_t *out,
		    size_t cap, size_t *outlen, struct evmpkg_err *err)
{
	const EVP_MD *md = evmpkg_hash_md(algo);
	uint8_t sig[EVMPKG_SIG_MAX];
	size_t siglen = sizeof(sig);
	char eb[256];
	long n;
	int ok;

	if (!md || evmpkg_hash_size(algo) != dlen)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "sign: digest of %zu bytes for hash algorithm %d",
				   dlen, algo);
	if ((size_t)EVP_PKEY_get_size(k->pkey) > sizeof(sig))
		return evmpkg_fail(err, EVMPKG_EUNSUPP, "sign: key too large");
	ok = k->ks ? token_sign(k, md, digest, dlen, sig, &siglen) :
		     raw_sign(k->pkey, md, digest, dlen, sig, &siglen);
	if (!ok)
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "sign: %s%s",
				   k->ks ? "the token: " : "",
				   ossl_reason(eb, sizeof(eb)));
	n = evmpkg_sig_build(type, (uint8_t)algo, k->keyid, sig, siglen, out,
			     cap);
	if (n < 0)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "sign: output buffer too small");
	*outlen = (size_t)n;
	return EVMPKG_OK;
}

int evmpkg_trust_new(struct evmpkg_trust **out, struct evmpkg_err *err)
{
	*out = calloc(1, sizeof(**out));
	return *out ? EVMPKG_OK :
		      evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
}

void evmpkg_trust_free(struct evmpkg_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		EVP_PKEY_CTX_free(t->c[i].vctx);
		EVP_PKEY_free(t->c[i].pkey);
	}
	free(t->c);
	free(t);
}

/*
 * A context initialised for verifying with pkey. Made once per certificate
 * and copied for each signature: a new one and its initialisation cost a
 * fifth of an RSA-2048 verification. Copies only read it, so threads may
 * share it. NULL on failure.
 */
static EVP_PKEY_CTX *verify_ctx(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);

	if (ctx && EVP_PKEY_verify_init(ctx) > 0 &&
	    (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA ||
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0))
		return ctx;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

int evmpkg_trust_add_file(struct evmpkg_trust *t, const char *path, int usage,
			  struct evmpkg_err *err)
{
	STACK_OF(X509) *sk;
	int rc = load_certs(path, NULL, &sk, err);

	if (rc)
		return rc;
	for (int i = 0; i < sk_X509_num(sk); i++) {
		X509 *x = sk_X509_value(sk, i);
		struct tcert c;

		if (!cert_keyid(x, &c.keyid)) {
			rc = evmpkg_fail(err, EVMPKG_ECRYPTO,
					 "certificate %s: no key id", path);
			break;
		}
		if (t->n == t->cap) {
			size_t ncap = t->cap ? t->cap * 2 : 4;
			struct tcert *nc = realloc(t->c, ncap * sizeof(*nc));

			if (!nc) {
				rc = evmpkg_fail(err, EVMPKG_ENOMEM,
						 "out of memory");
				break;
			}
			t->c = nc;
			t->cap = ncap;
		}
		c.usage = usage;
		c.has_skid = X509_get0_subject_key_id(x) != NULL;
		c.pkey = X509_get_pubkey(x);
		if (!c.pkey) {
			rc = evmpkg_fail(err, EVMPKG_ECRYPTO,
					 "certificate %s: unreadable public key",
					 path);
			break;
		}
		/* Any other key could never verify an IMA or EVM signature. */
		if (EVP_PKEY_get_base_id(c.pkey) != EVP_PKEY_RSA &&
		    EVP_PKEY_get_base_id(c.pkey) != EVP_PKEY_EC) {
			rc = evmpkg_fail(err, EVMPKG_ECRYPTO, "certificate %s: %s key: only "
					 "RSA and ECDSA keys verify IMA and EVM signatures",
					 path, OBJ_nid2sn(EVP_PKEY_get_base_id(c.pkey)));
			EVP_PKEY_free(c.pkey);
			break;
		}
		c.vctx = verify_ctx(c.pkey);
		t->c[t->n++] = c;
	}
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int evmpkg_trust_add_dir(struct evmpkg_trust *t, const char *dir, int usage,
			 struct evmpkg_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = EVMPKG_OK;

	if (!d)
		return evmpkg_fail_errno(err, errno, "certificate directory %s",
					 dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? 2 * cap : 16) *
							   sizeof(*nn));
			if (!nn) {
				rc = evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
				break;
			}
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	closedir(d);
	/* Sorted, so that messages and ties are the same on every run. */
	if (!rc)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; !rc && i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = evmpkg_trust_add_file(t, path, usage, err);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

size_t evmpkg_trust_count(const struct evmpkg_trust *t)
{
	return t ? t->n : 0;
}

void evmpkg_trust_cert(const struct evmpkg_trust *t, size_t i, uint32_t *keyid, int *usage)
{
	*keyid = t->c[i].keyid;
	*usage = t->c[i].usage;
}

size_t evmpkg_trust_count_without_skid(const struct evmpkg_trust *t)
{
	size_t n = 0;

	for (size_t i = 0; t && i < t->n; i++)
		n += !t->c[i].has_skid;
	return n;
}

int evmpkg_trust_verify(const struct evmpkg_trust *t,
			const struct evmpkg_sig *sig, const uint8_t *digest,
			size_t dlen, struct evmpkg_err *err)
{
	const EVP_MD *md = evmpkg_hash_md(sig->hash_algo);
	int want = sig->type == EVMPKG_EVM_PORTABLE ? EVMPKG_TRUST_EVM :
						      EVMPKG_TRUST_IMA;
	int tried = 0;

	if (!md)
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "unsupported hash algorithm %u", sig->hash_algo);
	for (size_t i = 0; t && i < t->n; i++) {
		EVP_PKEY_CTX *ctx;
		int ok;

		if (t->c[i].keyid != sig->keyid || !(t->c[i].usage & want))
			continue;
		tried = 1;
		ctx = t->c[i].vctx ? EVP_PKEY_CTX_dup(t->c[i].vctx) : verify_ctx(t->c[i].pkey);
		ok = ctx && EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
		     EVP_PKEY_verify(ctx, sig->sig, sig->sig_len, digest, dlen) == 1;
		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		if (ok)
			return EVMPKG_OK;
	}
	if (!tried)
		return evmpkg_fail(err, EVMPKG_ENOKEY,
				   "no trusted certificate has key id %08x (for %s)",
				   sig->keyid, want == EVMPKG_TRUST_EVM ?
				   "EVM signatures" : "IMA signatures");
	return evmpkg_fail(err, EVMPKG_EVERIFY,
			   "signature does not verify with the trusted certificate of key id %08x",
			   sig->keyid);
}
