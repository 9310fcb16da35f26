// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "evmpkg/evmdigest.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/signer.h"

int evmpkg_sign_entry(const struct evmpkg_key *k, int algo, int ima_kind,
		      const uint8_t *content_digest, size_t content_len,
		      struct evmpkg_mentry *e, struct evmpkg_sigpair *out,
		      struct evmpkg_err *err)
{
	struct evmpkg_evm_input in;
	uint8_t dig[EVMPKG_MAX_DIGEST];
	size_t dlen;
	long n;
	int rc;

	if (evmpkg_hash_size(algo) != content_len)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "content digest of %zu bytes for %s",
				   content_len, evmpkg_hash_name(algo) ?
				   evmpkg_hash_name(algo) : "unknown hash");
	if (ima_kind == EVMPKG_IMA_HASH) {
		n = evmpkg_ima_digest_build((uint8_t)algo, content_digest,
					    content_len, out->ima,
					    sizeof(out->ima));
		if (n < 0)
			return evmpkg_fail(err, EVMPKG_EINVAL, "security.ima: digest");
		out->ima_len = (size_t)n;
	} else {
		rc = evmpkg_key_sign(k, EVMPKG_IMA_DIGSIG, algo, content_digest,
				     content_len, out->ima, sizeof(out->ima),
				     &out->ima_len, err);
		if (rc) {
			evmpkg_err_prefix(err, "security.ima: ");
			return rc;
		}
	}
	e->ima = out->ima;
	e->ima_len = out->ima_len;
	evmpkg_entry_evm_input(e, &in);
	if ((rc = evmpkg_evm_digest(algo, &in, dig, &dlen, err)))
		return rc;
	rc = evmpkg_key_sign(k, EVMPKG_EVM_PORTABLE, algo, dig, dlen, out->evm,
			     sizeof(out->evm), &out->evm_len, err);
	if (rc) {
		evmpkg_err_prefix(err, "security.evm: ");
		return rc;
	}
	e->evm = out->evm;
	e->evm_len = out->evm_len;
	return EVMPKG_OK;
}
