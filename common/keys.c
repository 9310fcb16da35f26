// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
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

struct evmpkg_key {
	EVP_PKEY *pkey;
	uint32_t keyid;
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

int evmpkg_key_load(const char *keypath, const char *pass,
		    const char *certpath, struct evmpkg_key **out,
		    struct evmpkg_err *err)
{
	struct passarg pa = { pass, 0 };
	struct evmpkg_key *k;
	STACK_OF(X509) *sk = NULL;
	X509 *x = NULL;
	BIO *bio;
	char eb[256];
	int rc;

	bio = BIO_new_file(keypath, "rb");
	if (!bio) {
		ERR_clear_error();
		return evmpkg_fail_errno(err, errno ? errno : ENOENT,
					 "key %s: open", keypath);
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		BIO_free(bio);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	}
	k->pkey = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, &pa);
	if (!k->pkey) {
		BIO_free(bio);
		free(k);
		if (pa.asked && !pass)
			return evmpkg_fail(err, EVMPKG_ENEEDPASS,
					   "key %s: encrypted; give its passphrase (--pass "
					   "env:VAR|file:PATH|fd:N|stdin, or EVMPKG_KEY_PASSWORD)",
					   keypath);
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "key %s: not a readable PEM private key%s (%s)",
				   keypath, pa.asked ? " or wrong password" : "",
				   ossl_reason(eb, sizeof(eb)));
	}
	if (EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_RSA &&
	    EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_EC) {
		BIO_free(bio);
		evmpkg_key_free(k);
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "key %s: only RSA and ECDSA keys are supported",
				   keypath);
	}
	/* A certificate in the key file gives the key id, as with evmctl. */
	(void)BIO_reset(bio);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	ERR_clear_error();
	BIO_free(bio);
	if (certpath) {
		X509_free(x);
		x = NULL;
		rc = read_certs(certpath, &sk, err);
		if (rc) {
			evmpkg_key_free(k);
			return rc;
		}
		x = X509_dup(sk_X509_value(sk, 0));
		sk_X509_pop_free(sk, X509_free);
		if (!x || EVP_PKEY_eq(X509_get0_pubkey(x), k->pkey) != 1) {
			X509_free(x);
			evmpkg_key_free(k);
			ERR_clear_error();
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "certificate %s does not match key %s",
					   certpath, keypath);
		}
	}
	if (x && EVP_PKEY_eq(X509_get0_pubkey(x), k->pkey) != 1) {
		/* A certificate of another key: its id would name the wrong key. */
		X509_free(x);
		x = NULL;
		ERR_clear_error();
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
				   keypath, ossl_reason(eb, sizeof(eb)));
	}
	*out = k;
	return EVMPKG_OK;
}

void evmpkg_key_free(struct evmpkg_key *k)
{
	if (k) {
		EVP_PKEY_free(k->pkey);
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

int evmpkg_key_sign(const struct evmpkg_key *k, uint8_t type, int algo,
		    const uint8_t *digest, size_t dlen, uint8_t *out,
		    size_t cap, size_t *outlen, struct evmpkg_err *err)
{
	const EVP_MD *md = evmpkg_hash_md(algo);
	uint8_t sig[EVMPKG_SIG_MAX];
	size_t siglen = sizeof(sig);
	EVP_PKEY_CTX *ctx;
	char eb[256];
	long n;
	int ok;

	if (!md || evmpkg_hash_size(algo) != dlen)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "sign: digest of %zu bytes for hash algorithm %d",
				   dlen, algo);
	if ((size_t)EVP_PKEY_get_size(k->pkey) > sizeof(sig))
		return evmpkg_fail(err, EVMPKG_EUNSUPP, "sign: key too large");
	/* One context per call: the key itself is shared read-only. */
	ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	ok = ctx && EVP_PKEY_sign_init(ctx) > 0 &&
	     (EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_RSA ||
	      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0) &&
	     EVP_PKEY_CTX_set_signature_md(ctx, md) > 0 &&
	     EVP_PKEY_sign(ctx, sig, &siglen, digest, dlen) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "sign: %s",
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
	int rc = read_certs(path, &sk, err);

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
