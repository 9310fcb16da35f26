// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "unit.h"

/* sha256("abc") as a type 4 security.ima value. */
static void abc_ima(uint8_t ima[34])
{
	static const char h[] =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

	ima[0] = 4;
	ima[1] = 4;
	unit_unhex(h, ima + 2, 32);
}

static void test_misc_golden(void)
{
	/* uid 1234, gid 5678, mode 0100640: seen from evmctl and the kernel. */
	uint8_t m[EVMPKG_MISC_LEN], want[EVMPKG_MISC_LEN];

	evmpkg_evm_misc(1234, 5678, 0100640, m);
	unit_unhex("000000000000000000000000d20400002e160000a0810000", want,
		   sizeof(want));
	CU_ASSERT_EQUAL(memcmp(m, want, sizeof(m)), 0);
}

static void test_digest_golden(void)
{
	struct evmpkg_evm_input in = { 0 };
	uint8_t ima[34], d[64], want[64];
	size_t n;

	abc_ima(ima);
	in.x[EVMPKG_X_IMA] = (struct evmpkg_xval){ ima, sizeof(ima) };
	in.uid = 1234;
	in.gid = 5678;
	in.mode = 0100640;
	CU_ASSERT_EQUAL(evmpkg_evm_digest(4, &in, d, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 32);
	unit_unhex("77d6133bf28ab91930fdaa822a983725d761768b090f955735cf64aba506680d",
		   want, 32);
	CU_ASSERT_EQUAL(memcmp(d, want, 32), 0);
}

static void test_digest_order_label_caps(void)
{
	/* selinux (with its NUL), then ima, then capability: kernel order. */
	static const uint8_t lab[] = "system_u:object_r:bin_t:s0";
	struct evmpkg_evm_input in = { 0 };
	uint8_t ima[34], caps[20], d[64], want[64];
	size_t n;

	abc_ima(ima);
	unit_unhex("0100000200200000000000000000000000000000", caps, 20);
	in.x[EVMPKG_X_SELINUX] = (struct evmpkg_xval){ lab, sizeof(lab) };
	in.x[EVMPKG_X_IMA] = (struct evmpkg_xval){ ima, sizeof(ima) };
	in.x[EVMPKG_X_CAPS] = (struct evmpkg_xval){ caps, 20 };
	in.mode = 0104755;
	CU_ASSERT_EQUAL(evmpkg_evm_digest(4, &in, d, &n, NULL), 0);
	unit_unhex("0323315588bed2db453adfab06ec9bd57d2ef33d9f3139b647747d867578b5c2",
		   want, 32);
	CU_ASSERT_EQUAL(memcmp(d, want, 32), 0);
	CU_ASSERT_EQUAL(evmpkg_evm_digest(6, &in, d, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 64);
	unit_unhex("c77cadc3f0c2ac31f48e0f6c7f7996887b4745c907ebaa370945f930ccc56aba"
		   "fe6bfcb2b54ac2a19363988cc4b90fb41f8da5daab35e6123587680f61db0560",
		   want, 64);
	CU_ASSERT_EQUAL(memcmp(d, want, 64), 0);
}

static void test_digest_needs_ima(void)
{
	struct evmpkg_evm_input in = { 0 };
	struct evmpkg_err err = { 0 };
	uint8_t d[64];
	size_t n;

	CU_ASSERT_EQUAL(evmpkg_evm_digest(4, &in, d, &n, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "security.ima"));
	CU_ASSERT_EQUAL(evmpkg_evm_digest(99, &in, d, &n, &err), EVMPKG_EUNSUPP);
}

static void test_slot_names(void)
{
	CU_ASSERT_STRING_EQUAL(evmpkg_xslot_name(EVMPKG_X_SELINUX), "security.selinux");
	CU_ASSERT_STRING_EQUAL(evmpkg_xslot_name(EVMPKG_X_APPARMOR), "security.apparmor");
	CU_ASSERT_STRING_EQUAL(evmpkg_xslot_name(EVMPKG_X_CAPS), "security.capability");
	CU_ASSERT_STRING_EQUAL(evmpkg_xslot_name(EVMPKG_X_EVM), "security.evm");
	CU_ASSERT_PTR_NULL(evmpkg_xslot_name(EVMPKG_NXATTRS));
}

void suite_evmdigest(void)
{
	CU_pSuite s = CU_add_suite("evmdigest", NULL, NULL);

	ADD(s, test_misc_golden);
	ADD(s, test_digest_golden);
	ADD(s, test_digest_order_label_caps);
	ADD(s, test_digest_needs_ima);
	ADD(s, test_slot_names);
}
