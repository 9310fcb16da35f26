// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void check_caps(const char *text, const char *hex)
{
	uint8_t out[EVMPKG_CAPS_MAX], want[EVMPKG_CAPS_MAX];
	size_t n = 99;

	CU_ASSERT_EQUAL_FATAL(evmpkg_caps_from_text(text, out, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, unit_unhex(hex, want, sizeof(want)));
	CU_ASSERT_EQUAL(memcmp(out, want, n), 0);
}

static void test_caps_bytes(void)
{
	/* Values as `setcap` stores them (getfattr -e hex security.capability). */
	check_caps("cap_net_raw+ep", "0100000200200000000000000000000000000000");
	check_caps("cap_net_raw+p", "0000000200200000000000000000000000000000");
	check_caps("cap_net_admin,cap_net_raw+eip", "0100000200300000003000000000000000000000");
	/* Capabilities above 31 go into the second word. */
	check_caps("cap_syslog+ep", "0100000200000000000000000400000000000000");
	check_caps("cap_setuid=ep", "0100000280000000000000000000000000000000");
}

static void test_caps_empty_and_bad(void)
{
	uint8_t out[EVMPKG_CAPS_MAX];
	struct evmpkg_err err = { 0 };
	size_t n = 99;

	CU_ASSERT_EQUAL(evmpkg_caps_from_text("=", out, &n, NULL), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(evmpkg_caps_from_text("cap_bogus+ep", out, &n, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cap_bogus"));
	/* A partial effective set has no file form (libcap refuses it too). */
	CU_ASSERT_EQUAL(evmpkg_caps_from_text("cap_net_raw+p cap_chown+ep", out, &n, &err), EVMPKG_EINVAL);
}

static void test_caps_check_and_text(void)
{
	uint8_t v[24];
	char *t = NULL;

	unit_unhex("0100000200200000000000000000000000000000", v, 20);
	CU_ASSERT_EQUAL(evmpkg_caps_check(v, 20, NULL), 0);
	CU_ASSERT_NOT_EQUAL(evmpkg_caps_check(v, 19, NULL), 0);
	CU_ASSERT_NOT_EQUAL(evmpkg_caps_check(v, 24, NULL), 0);
	CU_ASSERT_NOT_EQUAL(evmpkg_caps_check(v, 3, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_caps_to_text(v, 20, &t, NULL), 0);
	CU_ASSERT_STRING_EQUAL(t, "cap_net_raw=ep");
	free(t);
	v[3] = 3;	/* revision 3 needs 24 bytes (rootid) */
	CU_ASSERT_NOT_EQUAL(evmpkg_caps_check(v, 20, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_caps_check(v, 24, NULL), 0);
	v[3] = 1;	/* revision 1: the kernel refuses it */
	CU_ASSERT_NOT_EQUAL(evmpkg_caps_check(v, 20, NULL), 0);
	v[3] = 2;
	v[1] = 1;	/* unknown flag bits */
	CU_ASSERT_NOT_EQUAL(evmpkg_caps_check(v, 20, NULL), 0);
}

void suite_caps(void)
{
	CU_pSuite s = CU_add_suite("caps", NULL, NULL);

	ADD(s, test_caps_bytes);
	ADD(s, test_caps_empty_and_bad);
	ADD(s, test_caps_check_and_text);
}
