// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "unit.h"

/* sha256("abc") signed with data/rsa.pem by `openssl pkeyutl -sign`. */
static const char rsa_abc_sig[] =
	"4ffe102e267044eea341a4b5e59937a42293a4e5bb11235abaae2a67bb95dd27e74b793ac9301ab1c4d9a9dd4a34434f40b6ee4f023ac4d32622de40ed508c44076b16bd378444c1fadb34209f434bd372e9a61598b2e31d2f82c6a62de12c57beb088a9505d9246f8b5bd487a5170785fc1dd63e9588c92563f3cc9dbcc2af4b6cbf4762fc75dbbce813b354c02f35348acd45880536b3d22ff4e2a4f5d5ed4c8034457d38627135748128c709dc32c0fe89767c4f8cd0e16ee45c88d81a88cf451ea602c8ece3738366aa44da90758b615f010a617845588602a8638dd862541eaa4bbb095d529dfb15dd0d08622c9995d30bf92fb62fe306c412c0e95d4a8";
static const char abc_sha256[] =
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
/* Tail of rsa.crt's subjectKeyIdentifier 01a2...9ef7018b. */
#define RSA_KEYID 0x9ef7018bu

static void test_keyid_sources(void)
{
	struct evmpkg_key *k = NULL;
	struct evmpkg_err err = { 0 };

	/* No certificate: SHA-1 of the public key equals SKID=hash. */
	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data("rsa.pem"), NULL, NULL, &k, &err), 0);
	CU_ASSERT_EQUAL(evmpkg_key_id(k), RSA_KEYID);
	CU_ASSERT_EQUAL(evmpkg_key_sig_max(k), 256);
	evmpkg_key_free(k);
	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data("rsa.pem"), NULL, unit_data("rsa.der"), &k, &err), 0);
	CU_ASSERT_EQUAL(evmpkg_key_id(k), RSA_KEYID);
	evmpkg_key_free(k);
	/* A certificate without SKID: the public key hash again. */
	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data("rsa.pem"), NULL, unit_data("noskid.crt"), &k, &err), 0);
	CU_ASSERT_EQUAL(evmpkg_key_id(k), RSA_KEYID);
	evmpkg_key_free(k);
}

static void test_key_errors(void)
{
	struct evmpkg_key *k = NULL;
	struct evmpkg_err err = { 0 };

	CU_ASSERT_NOT_EQUAL(evmpkg_key_load("/nonexistent/k.pem", NULL, NULL, &k, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/k.pem"));
	CU_ASSERT_EQUAL(evmpkg_key_load(unit_data("rsa.crt"), NULL, NULL, &k, &err), EVMPKG_EINVAL);
	/* Its own code, so that a front end can ask for the passphrase. */
	CU_ASSERT_EQUAL(evmpkg_key_load(unit_data("rsa-enc.pem"), NULL, NULL, &k, &err), EVMPKG_ENEEDPASS);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "passphrase"));
	CU_ASSERT_EQUAL(evmpkg_key_load(unit_data("rsa-enc.pem"), "wrong", NULL, &k, &err), EVMPKG_EINVAL);
	CU_ASSERT_EQUAL(evmpkg_key_load(unit_data("rsa.pem"), NULL, unit_data("other.crt"), &k, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "does not match"));
	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data("rsa-enc.pem"), "secret", NULL, &k, &err), 0);
	CU_ASSERT_EQUAL(evmpkg_key_id(k), RSA_KEYID);
	evmpkg_key_free(k);
}

static void test_rsa_sign_golden(void)
{
	struct evmpkg_key *k = NULL;
	uint8_t d[32], out[300], want[256];
	size_t n;

	unit_unhex(abc_sha256, d, 32);
	unit_unhex(rsa_abc_sig, want, 256);
	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data("rsa.pem"), NULL, NULL, &k, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_key_sign(k, 3, 4, d, 32, out, sizeof(out), &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 265);
	CU_ASSERT_EQUAL(memcmp(out, "\x03\x02\x04\x9e\xf7\x01\x8b\x01\x00", 9), 0);
	CU_ASSERT_EQUAL(memcmp(out + 9, want, 256), 0);
	/* Wrong digest size for the algorithm, and a short buffer. */
	CU_ASSERT_NOT_EQUAL(evmpkg_key_sign(k, 3, 6, d, 32, out, sizeof(out), &n, NULL), 0);
	CU_ASSERT_NOT_EQUAL(evmpkg_key_sign(k, 3, 4, d, 32, out, 100, &n, NULL), 0);
	evmpkg_key_free(k);
}

static void sign_verify(const char *key, const char *cert)
{
	struct evmpkg_key *k = NULL;
	struct evmpkg_trust *t = NULL;
	struct evmpkg_err err = { 0 };
	struct evmpkg_sig s;
	uint8_t d[32], out[300];
	size_t n;

	unit_unhex(abc_sha256, d, 32);
	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data(key), NULL, NULL, &k, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_new(&t, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_add_file(t, unit_data(cert), EVMPKG_TRUST_BOTH, &err), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_count(t), 1);
	CU_ASSERT_EQUAL(evmpkg_trust_count_without_skid(t), 0);
	CU_ASSERT_EQUAL(evmpkg_key_sign(k, 5, 4, d, 32, out, sizeof(out), &n, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_sig_parse(out, n, 1, &s, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_verify(t, &s, d, 32, &err), 0);
	d[0] ^= 1;
	CU_ASSERT_EQUAL(evmpkg_trust_verify(t, &s, d, 32, &err), EVMPKG_EVERIFY);
	d[0] ^= 1;
	s.keyid ^= 1;
	CU_ASSERT_EQUAL(evmpkg_trust_verify(t, &s, d, 32, &err), EVMPKG_ENOKEY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "key id"));
	evmpkg_trust_free(t);
	evmpkg_key_free(k);
}

static void test_rsa_verify(void) { sign_verify("rsa.pem", "rsa.der"); }
static void test_ec_verify(void) { sign_verify("ec.pem", "ec.crt"); }

static void test_trust_untrusted(void)
{
	struct evmpkg_key *k = NULL;
	struct evmpkg_trust *t = NULL;
	struct evmpkg_sig s;
	uint8_t d[32] = { 0 }, out[300];
	size_t n;

	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data("other.pem"), NULL, NULL, &k, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_new(&t, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_add_file(t, unit_data("rsa.crt"), EVMPKG_TRUST_BOTH, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_key_sign(k, 3, 4, d, 32, out, sizeof(out), &n, NULL), 0);
	evmpkg_sig_parse(out, n, 0, &s, NULL);
	CU_ASSERT_EQUAL(evmpkg_trust_verify(t, &s, d, 32, NULL), EVMPKG_ENOKEY);
	CU_ASSERT_NOT_EQUAL(evmpkg_trust_add_file(t, unit_data("rsa.pem.missing"), EVMPKG_TRUST_BOTH, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_add_file(t, unit_data("noskid.crt"), EVMPKG_TRUST_BOTH, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_count_without_skid(t), 1);
	CU_ASSERT_NOT_EQUAL(evmpkg_trust_add_file(t, unit_data("rsa-enc.pem"), EVMPKG_TRUST_BOTH, NULL), 0);
	evmpkg_trust_free(t);
	evmpkg_key_free(k);
}

/* The kernel checks type 3 with _ima and type 5 with _evm: so do we. */
static void test_trust_usage(void)
{
	struct evmpkg_key *k = NULL;
	struct evmpkg_trust *ima_only = NULL, *evm_only = NULL;
	struct evmpkg_sig s3, s5;
	uint8_t d[32] = { 7 }, v3[300], v5[300];
	size_t n3, n5;

	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data("rsa.pem"), NULL, NULL, &k, NULL), 0);
	evmpkg_trust_new(&ima_only, NULL);
	evmpkg_trust_new(&evm_only, NULL);
	CU_ASSERT_EQUAL(evmpkg_trust_add_file(ima_only, unit_data("rsa.der"), EVMPKG_TRUST_IMA, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_add_file(evm_only, unit_data("rsa.der"), EVMPKG_TRUST_EVM, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_key_sign(k, 3, 4, d, 32, v3, sizeof(v3), &n3, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_key_sign(k, 5, 4, d, 32, v5, sizeof(v5), &n5, NULL), 0);
	evmpkg_sig_parse(v3, n3, 0, &s3, NULL);
	evmpkg_sig_parse(v5, n5, 1, &s5, NULL);
	CU_ASSERT_EQUAL(evmpkg_trust_verify(ima_only, &s3, d, 32, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_verify(ima_only, &s5, d, 32, NULL), EVMPKG_ENOKEY);
	CU_ASSERT_EQUAL(evmpkg_trust_verify(evm_only, &s5, d, 32, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_verify(evm_only, &s3, d, 32, NULL), EVMPKG_ENOKEY);
	evmpkg_trust_free(ima_only);
	evmpkg_trust_free(evm_only);
	evmpkg_key_free(k);
}

/* An installer's three lists: each for its kind; a list that was set and
 * names nothing is an error naming the setting, and does not stop the
 * others from loading. */
static void test_trust_lists(void)
{
	struct evmpkg_trust *t = NULL;
	struct evmpkg_err err = { 0 };
	struct evmpkg_trustlists l = { NULL, unit_data("rsa.crt"), "",
				       { "certs", "ima-certs", "evm-certs" } };
	uint32_t id;
	int usage;

	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_new(&t, &err), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_add_lists(t, &l, &err), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_count(t), 1);
	evmpkg_trust_cert(t, 0, &id, &usage);
	CU_ASSERT_EQUAL(id, RSA_KEYID);
	CU_ASSERT_EQUAL(usage, EVMPKG_TRUST_IMA);
	evmpkg_trust_free(t);

	l.certs = "/nonexistent/a.der /nonexistent/b.der";
	l.evm_certs = unit_data("other.crt");
	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_new(&t, &err), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_add_lists(t, &l, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "certs names no certificate that exists"));
	CU_ASSERT_EQUAL(evmpkg_trust_count(t), 2);
	evmpkg_trust_free(t);

	/* A file that exists and is no certificate: its list's name first. */
	l.certs = "";
	l.ima_certs = unit_data("rsa.pem");
	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_new(&t, &err), 0);
	CU_ASSERT_NOT_EQUAL(evmpkg_trust_add_lists(t, &l, &err), 0);
	CU_ASSERT_EQUAL(strncmp(err.msg, "ima-certs: ", 11), 0);
	CU_ASSERT_EQUAL(evmpkg_trust_count(t), 1);
	evmpkg_trust_free(t);
}

void suite_keys(void)
{
	CU_pSuite s = CU_add_suite("keys", NULL, NULL);

	ADD(s, test_keyid_sources);
	ADD(s, test_key_errors);
	ADD(s, test_rsa_sign_golden);
	ADD(s, test_rsa_verify);
	ADD(s, test_ec_verify);
	ADD(s, test_trust_untrusted);
	ADD(s, test_trust_usage);
	ADD(s, test_trust_lists);
}
