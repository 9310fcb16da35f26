// SPDX-License-Identifier: GPL-2.0-or-later
/* The hex codec: lowercase out, strict in. */
#include <string.h>

#include "unit.h"

static void test_encode(void)
{
	static const uint8_t b[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(b) + 1];

	memset(out, 'x', sizeof(out));
	evmpkg_hex_encode(b, sizeof(b), out);
	CU_ASSERT_STRING_EQUAL(out, "00017f80abff");
	evmpkg_hex_encode(b, 0, out);
	CU_ASSERT_STRING_EQUAL(out, "");
}

static void test_decode_roundtrip(void)
{
	uint8_t all[256], back[256];
	char hex[513];

	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	evmpkg_hex_encode(all, sizeof(all), hex);
	CU_ASSERT_EQUAL(evmpkg_hex_decode(hex, back, sizeof(back), EVMPKG_HEX_LOWER, NULL), 0);
	CU_ASSERT_EQUAL(memcmp(all, back, sizeof(all)), 0);
	/* Either case by default. */
	CU_ASSERT_EQUAL(evmpkg_hex_decode("ABcd", back, 2, 0, NULL), 0);
	CU_ASSERT_EQUAL(back[0], 0xab);
	CU_ASSERT_EQUAL(back[1], 0xcd);
	CU_ASSERT_EQUAL(evmpkg_hex_decode("", back, 0, 0, NULL), 0);
	/* NULL out: a check only. */
	CU_ASSERT_EQUAL(evmpkg_hex_decode("0a0b", NULL, 2, EVMPKG_HEX_LOWER, NULL), 0);
}

static void test_decode_strict(void)
{
	static const char *const bad[] = {
		"0", "000", "00000", "0g", "g0", " 00", "00 ", "0x00", "-1", "+1",
	};
	struct evmpkg_err err = { 0 };
	uint8_t out[3] = { 0x55, 0x55, 0x55 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = (strlen(bad[i]) + 1) / 2;

		CU_ASSERT_EQUAL(evmpkg_hex_decode(bad[i], out, n, 0, &err), EVMPKG_EINVAL);
		CU_ASSERT_EQUAL(out[0], 0x55);	/* nothing written */
	}
	/* Length: exactly two digits a byte, shorter or longer is refused. */
	CU_ASSERT_EQUAL(evmpkg_hex_decode("0102", out, 1, 0, &err), EVMPKG_EINVAL);
	CU_ASSERT_EQUAL(evmpkg_hex_decode("0102", out, 3, 0, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "3 bytes"));
	/* A bad digit late in the string leaves out untouched too. */
	CU_ASSERT_EQUAL(evmpkg_hex_decode("01020z", out, 3, 0, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "character 5"));
	CU_ASSERT_EQUAL(out[0], 0x55);
	/* Uppercase refused in canonical mode. */
	CU_ASSERT_EQUAL(evmpkg_hex_decode("aB", out, 1, EVMPKG_HEX_LOWER, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "lowercase"));
	/* A byte count whose digit count overflows size_t. */
	CU_ASSERT_EQUAL(evmpkg_hex_decode("00", NULL, SIZE_MAX / 2 + 1, 0, NULL), EVMPKG_EINVAL);
	CU_ASSERT_EQUAL(evmpkg_hex_decode("00", NULL, SIZE_MAX, 0, NULL), EVMPKG_EINVAL);
}

void suite_hex(void)
{
	CU_pSuite s = CU_add_suite("hex", NULL, NULL);

	ADD(s, test_encode);
	ADD(s, test_decode_roundtrip);
	ADD(s, test_decode_strict);
}
