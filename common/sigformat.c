// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "evmpkg/hashalgo.h"
#include "evmpkg/reader.h"
#include "evmpkg/sigformat.h"

int evmpkg_sig_parse(const void *val, size_t len, int want_evm,
		     struct evmpkg_sig *out, struct evmpkg_err *err)
{
	const char *what = want_evm ? "security.evm" : "security.ima";
	struct evmpkg_rd r;
	uint8_t version;
	uint16_t sig_size;
	size_t dlen;

	memset(out, 0, sizeof(*out));
	if (len > EVMPKG_SIG_MAX)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: value of %zu bytes exceeds %d", what,
				   len, EVMPKG_SIG_MAX);
	evmpkg_rd_init(&r, val, len);
	if (evmpkg_rd_u8(&r, &out->type))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: empty value", what);

	if (!want_evm && out->type == EVMPKG_IMA_DIGEST_NG) {
		if (evmpkg_rd_u8(&r, &out->hash_algo))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: truncated digest header", what);
		dlen = evmpkg_hash_size(out->hash_algo);
		if (!dlen)
			return evmpkg_fail(err, EVMPKG_EUNSUPP,
					   "%s: unknown hash algorithm %u",
					   what, out->hash_algo);
		if (evmpkg_rd_left(&r) != dlen ||
		    evmpkg_rd_bytes(&r, dlen, &out->digest))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: digest length %zu, %s needs %zu",
					   what, evmpkg_rd_left(&r),
					   evmpkg_hash_name(out->hash_algo),
					   dlen);
		out->digest_len = dlen;
		return EVMPKG_OK;
	}
	if (out->type != (want_evm ? EVMPKG_EVM_PORTABLE : EVMPKG_IMA_DIGSIG))
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "%s: unsupported type %u (want %s)", what,
				   out->type,
				   want_evm ? "5, portable signature" :
					      "3, signature, or 4, digest");
	if (evmpkg_rd_u8(&r, &version) || evmpkg_rd_u8(&r, &out->hash_algo) ||
	    evmpkg_rd_u32be(&r, &out->keyid) ||
	    evmpkg_rd_u16be(&r, &sig_size))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: truncated header (%zu of %d bytes)",
				   what, len, EVMPKG_SIG_HDR_LEN);
	if (version != EVMPKG_SIG_VERSION)
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "%s: signature version %u, only 2 is supported",
				   what, version);
	if (!evmpkg_hash_size(out->hash_algo))
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "%s: unknown hash algorithm %u", what,
				   out->hash_algo);
	/* The kernel requires the exact length (else -EBADMSG). */
	if (sig_size == 0 || sig_size != evmpkg_rd_left(&r) ||
	    evmpkg_rd_bytes(&r, sig_size, &out->sig))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: signature size field %u but %zu bytes follow",
				   what, sig_size, evmpkg_rd_left(&r));
	out->sig_len = sig_size;
	return EVMPKG_OK;
}

long evmpkg_sig_build(uint8_t type, uint8_t hash_algo, uint32_t keyid,
		      const uint8_t *sig, size_t sig_len, uint8_t *out,
		      size_t cap)
{
	if (cap < EVMPKG_SIG_HDR_LEN || sig_len == 0 || sig_len > 0xffff ||
	    sig_len > cap - EVMPKG_SIG_HDR_LEN)
		return -1;
	out[0] = type;
	out[1] = EVMPKG_SIG_VERSION;
	out[2] = hash_algo;
	out[3] = (uint8_t)(keyid >> 24);
	out[4] = (uint8_t)(keyid >> 16);
	out[5] = (uint8_t)(keyid >> 8);
	out[6] = (uint8_t)keyid;
	out[7] = (uint8_t)(sig_len >> 8);
	out[8] = (uint8_t)sig_len;
	memcpy(out + EVMPKG_SIG_HDR_LEN, sig, sig_len);
	return (long)(EVMPKG_SIG_HDR_LEN + sig_len);
}

long evmpkg_ima_digest_build(uint8_t hash_algo, const uint8_t *digest,
			     size_t digest_len, uint8_t *out, size_t cap)
{
	if (evmpkg_hash_size(hash_algo) != digest_len || cap < 2 + digest_len)
		return -1;
	out[0] = EVMPKG_IMA_DIGEST_NG;
	out[1] = hash_algo;
	memcpy(out + 2, digest, digest_len);
	return (long)(2 + digest_len);
}
