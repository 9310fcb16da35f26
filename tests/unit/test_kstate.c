// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

/* Builds a securityfs look-alike; evm == NULL: no evm file. */
static void fake(char *root, size_t n, const char *evm, const char *policy)
{
	char p[4200];
	FILE *f;

	snprintf(root, n, "/var/tmp/evmpkg-ks-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/ima", root);
	mkdir(p, 0755);
	if (evm) {
		snprintf(p, sizeof(p), "%s/evm", root);
		f = fopen(p, "w");
		fputs(evm, f);
		fclose(f);
	}
	if (policy) {
		snprintf(p, sizeof(p), "%s/ima/policy", root);
		f = fopen(p, "w");
		fputs(policy, f);
		fclose(f);
	}
}

static void cleanup(const char *root)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void expect_mode(const char *evm, int mode, int outlook, const char *word)
{
	char root[256];
	struct evmpkg_kstate ks;

	fake(root, sizeof(root), evm, NULL);
	CU_ASSERT_EQUAL(evmpkg_kstate_probe(root, &ks, NULL), 0);
	CU_ASSERT_EQUAL(ks.mode, mode);
	CU_ASSERT_EQUAL(ks.outlook, outlook);
	CU_ASSERT_PTR_NOT_NULL(strstr(evmpkg_kstate_mode_words(&ks), word));
	cleanup(root);
}

static void test_modes(void)
{
	expect_mode("0\n", EVMPKG_MODE_OFF, EVMPKG_WRITES_OK, "off");
	expect_mode("2\n", EVMPKG_MODE_X509, EVMPKG_WRITES_MAYBE_REFUSED, "X.509");
	expect_mode("3\n", EVMPKG_MODE_HMAC, EVMPKG_WRITES_REFUSED, "HMAC");
	expect_mode("1", EVMPKG_MODE_HMAC, EVMPKG_WRITES_REFUSED, "HMAC");
	expect_mode("6\n", EVMPKG_MODE_X509, EVMPKG_WRITES_OK, "metadata writes allowed");
	expect_mode(NULL, EVMPKG_MODE_NO_EVM, EVMPKG_WRITES_OK, "not built");
}

static void test_garbage_and_missing(void)
{
	char root[256];
	struct evmpkg_kstate ks;
	struct evmpkg_err err = { 0 };

	fake(root, sizeof(root), "bogus\n", NULL);
	CU_ASSERT_EQUAL(evmpkg_kstate_probe(root, &ks, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "evm"));
	cleanup(root);
	CU_ASSERT_EQUAL(evmpkg_kstate_probe("/nonexistent/securityfs", &ks, NULL), 0);
	CU_ASSERT_EQUAL(ks.mode, EVMPKG_MODE_NO_SECURITYFS);
	CU_ASSERT_EQUAL(ks.outlook, EVMPKG_WRITES_UNKNOWN);
	CU_ASSERT_PTR_NOT_NULL(strstr(evmpkg_kstate_outlook_words(&ks), "unknown"));
}

static void test_policy(void)
{
	char root[256];
	struct evmpkg_kstate ks;

	fake(root, sizeof(root), "2\n",
	     "measure func=BPRM_CHECK\nappraise func=BPRM_CHECK appraise_type=imasig\n");
	CU_ASSERT_EQUAL(evmpkg_kstate_probe(root, &ks, NULL), 0);
	CU_ASSERT_TRUE(ks.ima_present);
	CU_ASSERT_TRUE(ks.ima_policy_readable);
	CU_ASSERT_EQUAL(ks.ima_appraise_rules, 1);
	cleanup(root);
}

void suite_kstate(void)
{
	CU_pSuite s = CU_add_suite("kstate", NULL, NULL);

	ADD(s, test_modes);
	ADD(s, test_garbage_and_missing);
	ADD(s, test_policy);
}
