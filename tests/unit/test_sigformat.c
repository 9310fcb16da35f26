// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include <openssl/evp.h>

#include "unit.h"

static void test_hash_ids(void)
{
	/* include/uapi/linux/hash_info.h */
	CU_ASSERT_EQUAL(evmpkg_hash_by_name("sha1"), 2);
	CU_ASSERT_EQUAL(evmpkg_hash_by_name("sha256"), 4);
	CU_ASSERT_EQUAL(evmpkg_hash_by_name("sha384"), 5);
	CU_ASSERT_EQUAL(evmpkg_hash_by_name("sha512"), 6);
	CU_ASSERT_EQUAL(evmpkg_hash_by_name("sha224"), 7);
	CU_ASSERT_EQUAL(evmpkg_hash_by_name("md4"), -1);
	CU_ASSERT_EQUAL(evmpkg_hash_size(4), 32);
	CU_ASSERT_EQUAL(evmpkg_hash_size(6), 64);
	CU_ASSERT_EQUAL(evmpkg_hash_size(1), 0);	/* md5: never used */
	CU_ASSERT_EQUAL(evmpkg_hash_size(0x14), 0);
	/* The one EVP_MD lookup: the same digests, none for md5 or unknown ids. */
	CU_ASSERT_PTR_EQUAL(evmpkg_hash_md(EVMPKG_HASH_SHA256), EVP_sha256());
	CU_ASSERT_PTR_EQUAL(evmpkg_hash_md(EVMPKG_HASH_SHA1), EVP_sha1());
	CU_ASSERT_EQUAL(EVP_MD_get_size(evmpkg_hash_md(EVMPKG_HASH_SHA512)), 64);
	CU_ASSERT_PTR_NULL(evmpkg_hash_md(EVMPKG_HASH_MD5));
	CU_ASSERT_PTR_NULL(evmpkg_hash_md(0));
}

static void test_build_parse_roundtrip(void)
{
	uint8_t sig[256], out[300];
	struct evmpkg_sig s;
	long n;

	memset(sig, 0xab, sizeof(sig));
	n = evmpkg_sig_build(EVMPKG_EVM_PORTABLE, 4, 0x9ae965cd, sig, 256, out,
			     sizeof(out));
	CU_ASSERT_EQUAL(n, 265);
	/* Layout seen on evmctl output: 05 02 04 9ae965cd 0100 ... */
	CU_ASSERT_EQUAL(memcmp(out, "\x05\x02\x04\x9a\xe9\x65\xcd\x01\x00", 9), 0);
	CU_ASSERT_EQUAL(evmpkg_sig_parse(out, (size_t)n, 1, &s, NULL), 0);
	CU_ASSERT_EQUAL(s.keyid, 0x9ae965cd);
	CU_ASSERT_EQUAL(s.sig_len, 256);
	CU_ASSERT_EQUAL(s.hash_algo, 4);
	/* A portable signature is not a valid security.ima value. */
	CU_ASSERT_EQUAL(evmpkg_sig_parse(out, (size_t)n, 0, &s, NULL), EVMPKG_EUNSUPP);
	CU_ASSERT_EQUAL(evmpkg_sig_build(3, 4, 1, sig, 256, out, 264), -1);
	CU_ASSERT_EQUAL(evmpkg_sig_build(3, 4, 1, sig, 0, out, 300), -1);
	CU_ASSERT_EQUAL(evmpkg_sig_build(3, 4, 1, sig, 1, out, 5), -1);
}

static void test_ima_digest(void)
{
	uint8_t d[32], out[40];
	struct evmpkg_sig s;
	long n;

	memset(d, 7, sizeof(d));
	n = evmpkg_ima_digest_build(4, d, 32, out, sizeof(out));
	CU_ASSERT_EQUAL(n, 34);
	CU_ASSERT_EQUAL(out[0], 4);
	CU_ASSERT_EQUAL(out[1], 4);
	CU_ASSERT_EQUAL(evmpkg_sig_parse(out, 34, 0, &s, NULL), 0);
	CU_ASSERT_EQUAL(s.type, EVMPKG_IMA_DIGEST_NG);
	CU_ASSERT_EQUAL(s.digest_len, 32);
	CU_ASSERT_EQUAL(evmpkg_ima_digest_build(6, d, 32, out, sizeof(out)), -1);
	/* Digest length must match the algorithm exactly. */
	CU_ASSERT_EQUAL(evmpkg_sig_parse(out, 33, 0, &s, NULL), EVMPKG_EINVAL);
	out[1] = 6;
	CU_ASSERT_EQUAL(evmpkg_sig_parse(out, 34, 0, &s, NULL), EVMPKG_EINVAL);
	out[1] = 0x30;
	CU_ASSERT_EQUAL(evmpkg_sig_parse(out, 34, 0, &s, NULL), EVMPKG_EUNSUPP);
	/* A portable security.evm never carries a digest. */
	out[1] = 4;
	CU_ASSERT_EQUAL(evmpkg_sig_parse(out, 34, 1, &s, NULL), EVMPKG_EUNSUPP);
}

static void test_malformed(void)
{
	uint8_t v[32] = { 3, 2, 4, 1, 2, 3, 4, 0, 4, 9, 9, 9, 9 };
	uint8_t big[EVMPKG_SIG_MAX + 1] = { 3 };
	struct evmpkg_err err = { 0 };
	struct evmpkg_sig s;

	CU_ASSERT_EQUAL(evmpkg_sig_parse(v, 13, 0, &s, &err), 0);
	/* truncated header */
	for (size_t n = 0; n < 9; n++)
		CU_ASSERT_NOT_EQUAL(evmpkg_sig_parse(v, n, 0, &s, NULL), 0);
	/* length overrun and underrun */
	CU_ASSERT_EQUAL(evmpkg_sig_parse(v, 12, 0, &s, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "signature size"));
	CU_ASSERT_EQUAL(evmpkg_sig_parse(v, 14, 0, &s, NULL), EVMPKG_EINVAL);
	/* zero-length signature */
	v[8] = 0;
	CU_ASSERT_EQUAL(evmpkg_sig_parse(v, 9, 0, &s, NULL), EVMPKG_EINVAL);
	v[8] = 4;
	/* wrong version */
	v[1] = 1;
	CU_ASSERT_EQUAL(evmpkg_sig_parse(v, 13, 0, &s, &err), EVMPKG_EUNSUPP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "version"));
	v[1] = 3;
	CU_ASSERT_EQUAL(evmpkg_sig_parse(v, 13, 0, &s, NULL), EVMPKG_EUNSUPP);
	v[1] = 2;
	/* unknown hash algorithm */
	v[2] = 0x13;
	CU_ASSERT_EQUAL(evmpkg_sig_parse(v, 13, 0, &s, &err), EVMPKG_EUNSUPP);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "hash algorithm"));
	v[2] = 4;
	/* unknown types: sha1-only digest (1), HMAC (2), verity (6) */
	for (uint8_t t = 0; t < 10; t++) {
		v[0] = t;
		if (t != 3 && t != 4)
			CU_ASSERT_NOT_EQUAL(evmpkg_sig_parse(v, 13, 0, &s, NULL), 0);
		if (t != 5)
			CU_ASSERT_NOT_EQUAL(evmpkg_sig_parse(v, 13, 1, &s, NULL), 0);
	}
	/* oversized value */
	CU_ASSERT_EQUAL(evmpkg_sig_parse(big, sizeof(big), 0, &s, NULL), EVMPKG_EINVAL);
}

void suite_sigformat(void)
{
	CU_pSuite s = CU_add_suite("sigformat", NULL, NULL);

	ADD(s, test_hash_ids);
	ADD(s, test_build_parse_roundtrip);
	ADD(s, test_ima_digest);
	ADD(s, test_malformed);
}
