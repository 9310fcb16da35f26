// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "evmpkg/evmdigest.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/signer.h"

/*
 * A value given for a digest: parsed, of the kind and algorithm asked
 * for, and verified with the trusted certificates (a type 4 value must
 * be the digest itself). Copied into out.
 */
static int take_given(const struct evmpkg_sigsrc *src, uint8_t type, int algo,
		      const uint8_t *val, size_t len, const uint8_t *digest,
		      size_t dlen, uint8_t *out, size_t *outlen,
		      struct evmpkg_err *err)
{
	struct evmpkg_sig sig;
	int rc;

	if (!val || !len)
		return evmpkg_fail(err, EVMPKG_EINVAL, "no value given");
	if ((rc = evmpkg_sig_parse(val, len, type == EVMPKG_EVM_PORTABLE, &sig, err)))
		return rc;
	if (sig.type != type || sig.hash_algo != algo)
		return evmpkg_fail(err, EVMPKG_EINVAL, "type %u with %s given, %u with "
				   "%s expected", sig.type, evmpkg_hash_name(sig.hash_algo) ?
				   evmpkg_hash_name(sig.hash_algo) : "an unknown hash", type,
				   evmpkg_hash_name(algo));
	if (type == EVMPKG_IMA_DIGEST_NG) {
		if (sig.digest_len != dlen || memcmp(sig.digest, digest, dlen))
			return evmpkg_fail(err, EVMPKG_EVERIFY, "the digest given is "
					   "not the file's");
	} else if ((rc = evmpkg_trust_verify(src->trust, &sig, digest, dlen, err))) {
		return rc;
	}
	memcpy(out, val, len);
	*outlen = len;
	return EVMPKG_OK;
}

/* The value for one digest: signed with the key, built, or given. */
static int make_value(const struct evmpkg_sigsrc *src, uint8_t type, int algo,
		      const uint8_t *digest, size_t dlen, uint8_t *out,
		      size_t cap, size_t *outlen, struct evmpkg_err *err)
{
	long n;

	if (!src->key) {
		int evm = type == EVMPKG_EVM_PORTABLE;

		return take_given(src, type, algo, evm ? src->evm : src->ima,
				  evm ? src->evm_len : src->ima_len, digest, dlen,
				  out, outlen, err);
	}
	if (type != EVMPKG_IMA_DIGEST_NG)
		return evmpkg_key_sign(src->key, type, algo, digest, dlen, out, cap,
				       outlen, err);
	n = evmpkg_ima_digest_build((uint8_t)algo, digest, dlen, out, cap);
	if (n < 0)
		return evmpkg_fail(err, EVMPKG_EINVAL, "digest");
	*outlen = (size_t)n;
	return EVMPKG_OK;
}

int evmpkg_sign_values(const struct evmpkg_sigsrc *src, int algo, int ima_kind,
		       int evm, const uint8_t *content_digest, size_t content_len,
		       struct evmpkg_mentry *e, struct evmpkg_sigpair *out,
		       struct evmpkg_err *err)
{
	struct evmpkg_evm_input in;
	uint8_t dig[EVMPKG_MAX_DIGEST];
	size_t dlen;
	int rc;

	if (evmpkg_hash_size(algo) != content_len)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "content digest of %zu bytes for %s",
				   content_len, evmpkg_hash_name(algo) ?
				   evmpkg_hash_name(algo) : "unknown hash");
	rc = make_value(src, ima_kind == EVMPKG_IMA_HASH ? EVMPKG_IMA_DIGEST_NG :
			EVMPKG_IMA_DIGSIG, algo, content_digest, content_len,
			out->ima, sizeof(out->ima), &out->ima_len, err);
	if (rc) {
		evmpkg_err_prefix(err, "security.ima: ");
		return rc;
	}
	e->ima = out->ima;
	e->ima_len = out->ima_len;
	e->evm = NULL;
	e->evm_len = out->evm_len = 0;
	if (!evm)
		return EVMPKG_OK;
	evmpkg_entry_evm_input(e, &in);
	if ((rc = evmpkg_evm_digest(algo, &in, dig, &dlen, err)))
		return rc;
	rc = make_value(src, EVMPKG_EVM_PORTABLE, algo, dig, dlen, out->evm,
			sizeof(out->evm), &out->evm_len, err);
	if (rc) {
		evmpkg_err_prefix(err, "security.evm: ");
		return rc;
	}
	e->evm = out->evm;
	e->evm_len = out->evm_len;
	return EVMPKG_OK;
}

int evmpkg_sign_entry(const struct evmpkg_key *k, int algo, int ima_kind,
		      const uint8_t *content_digest, size_t content_len,
		      struct evmpkg_mentry *e, struct evmpkg_sigpair *out,
		      struct evmpkg_err *err)
{
	struct evmpkg_sigsrc src = { .key = k };

	return evmpkg_sign_values(&src, algo, ima_kind, 1, content_digest,
				  content_len, e, out, err);
}
