// SPDX-License-Identifier: GPL-2.0-or-later
/* The bounds-checked reader: every getter fails at the end of its input
 * and leaves the reader where it was. */
#include <string.h>

#include "unit.h"

static const uint8_t b8[] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void test_integers_both_orders(void)
{
	struct evmpkg_rd r;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	evmpkg_rd_init(&r, b8, 8);
	CU_ASSERT_EQUAL(evmpkg_rd_u64be(&r, &v64), 0);
	CU_ASSERT_EQUAL(v64, 0x0102030405060708ull);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 0);
	evmpkg_rd_init(&r, b8, 8);
	CU_ASSERT_EQUAL(evmpkg_rd_u64le(&r, &v64), 0);
	CU_ASSERT_EQUAL(v64, 0x0807060504030201ull);
	evmpkg_rd_init(&r, b8, 8);
	CU_ASSERT_EQUAL(evmpkg_rd_u32le(&r, &v32), 0);
	CU_ASSERT_EQUAL(v32, 0x04030201);
	CU_ASSERT_EQUAL(evmpkg_rd_u32be(&r, &v32), 0);
	CU_ASSERT_EQUAL(v32, 0x05060708);
	evmpkg_rd_init(&r, b8, 8);
	CU_ASSERT_EQUAL(evmpkg_rd_u16le(&r, &v16), 0);
	CU_ASSERT_EQUAL(v16, 0x0201);
	CU_ASSERT_EQUAL(evmpkg_rd_u16be(&r, &v16), 0);
	CU_ASSERT_EQUAL(v16, 0x0304);
	CU_ASSERT_EQUAL(evmpkg_rd_u8(&r, &v8), 0);
	CU_ASSERT_EQUAL(v8, 5);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 3);
}

/* Each getter of width w, on every input shorter than w: fails, value and
 * reader untouched; on exactly w bytes: succeeds and empties the reader. */
static void test_integer_bounds(void)
{
	static const size_t width[] = { 1, 2, 4, 8, 2, 4, 8 };

	for (size_t g = 0; g < sizeof(width) / sizeof(width[0]); g++) {
		for (size_t n = 0; n <= width[g]; n++) {
			struct evmpkg_rd r;
			uint64_t v64 = 0xdead;
			uint32_t v32 = 0xdead;
			uint16_t v16 = 0xdead;
			uint8_t v8 = 0xad;
			int rc = -2, changed;

			evmpkg_rd_init(&r, b8, n);
			switch (g) {
			case 0: rc = evmpkg_rd_u8(&r, &v8); break;
			case 1: rc = evmpkg_rd_u16be(&r, &v16); break;
			case 2: rc = evmpkg_rd_u32be(&r, &v32); break;
			case 3: rc = evmpkg_rd_u64be(&r, &v64); break;
			case 4: rc = evmpkg_rd_u16le(&r, &v16); break;
			case 5: rc = evmpkg_rd_u32le(&r, &v32); break;
			case 6: rc = evmpkg_rd_u64le(&r, &v64); break;
			}
			changed = v8 != 0xad || v16 != 0xdead || v32 != 0xdead ||
				  v64 != 0xdead;
			if (n < width[g]) {
				CU_ASSERT_EQUAL(rc, -1);
				CU_ASSERT_FALSE(changed);
				CU_ASSERT_EQUAL(evmpkg_rd_left(&r), n);
			} else {
				CU_ASSERT_EQUAL(rc, 0);
				CU_ASSERT_TRUE(changed);
				CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 0);
			}
		}
	}
}

static void test_bytes_skip_copy_expect(void)
{
	struct evmpkg_rd r;
	const uint8_t *p = NULL;
	uint8_t out[8] = { 0 };

	evmpkg_rd_init(&r, b8, 5);
	CU_ASSERT_EQUAL(evmpkg_rd_bytes(&r, 6, &p), -1);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(evmpkg_rd_bytes(&r, (size_t)-1, &p), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_skip(&r, 6), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_skip(&r, SIZE_MAX), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_copy(&r, out, 6), -1);
	CU_ASSERT_EQUAL(out[0], 0);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 5);
	CU_ASSERT_EQUAL(evmpkg_rd_expect(&r, "\x01\x02\x09", 3), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_expect(&r, b8, 6), -1);	/* too short */
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 5);
	CU_ASSERT_EQUAL(evmpkg_rd_expect(&r, "\x01\x02", 2), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_skip(&r, 1), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_copy(&r, out, 2), 0);
	CU_ASSERT_EQUAL(out[0], 4);
	CU_ASSERT_EQUAL(out[1], 5);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 0);
	/* Zero bytes always fit, even at the end or of an empty input. */
	CU_ASSERT_EQUAL(evmpkg_rd_bytes(&r, 0, &p), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_skip(&r, 0), 0);
	evmpkg_rd_init(&r, NULL, 0);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_copy(&r, out, 0), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_u8(&r, out), -1);
}

static void test_sub_and_take(void)
{
	struct evmpkg_rd r, s, t;
	uint8_t v8;
	uint32_t v32;

	evmpkg_rd_init(&r, b8, 8);
	CU_ASSERT_EQUAL(evmpkg_rd_skip(&r, 6), 0);
	/* Offsets are of the whole input, not of what is left. */
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, 1, 4, &s), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 2);
	CU_ASSERT_EQUAL(evmpkg_rd_u32be(&s, &v32), 0);
	CU_ASSERT_EQUAL(v32, 0x02030405);
	CU_ASSERT_EQUAL(evmpkg_rd_u8(&s, &v8), -1);	/* the sub ends at 4 */
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, 0, 8, &s), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, 8, 0, &s), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&s), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, 0, 9, &s), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, 9, 0, &s), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, 4, 5, &s), -1);
	/* off + len wraps around: must fail, not pass a naive sum check. */
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, 2, SIZE_MAX, &s), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, SIZE_MAX, 2, &s), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, SIZE_MAX, SIZE_MAX, &s), -1);
	/* A sub of a sub addresses the inner input. */
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&r, 2, 4, &s), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&s, 3, 1, &t), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_u8(&t, &v8), 0);
	CU_ASSERT_EQUAL(v8, 6);
	CU_ASSERT_EQUAL(evmpkg_rd_sub(&s, 3, 2, &t), -1);
	/* take: consumes and bounds. */
	CU_ASSERT_EQUAL(evmpkg_rd_take(&r, 3, &s), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 2);
	CU_ASSERT_EQUAL(evmpkg_rd_take(&r, 1, &s), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 1);
	CU_ASSERT_EQUAL(evmpkg_rd_u8(&s, &v8), 0);
	CU_ASSERT_EQUAL(v8, 7);
	CU_ASSERT_EQUAL(evmpkg_rd_u8(&s, &v8), -1);
}

static void test_length_prefixed(void)
{
	static const uint8_t in[] = { 0, 3, 'a', 'b', 'c', 0, 0, 0, 2, 'x', 'y' };
	struct evmpkg_rd r;
	const uint8_t *p;
	size_t n = 99;

	evmpkg_rd_init(&r, in, sizeof(in));
	CU_ASSERT_EQUAL(evmpkg_rd_bytes16be(&r, &p, &n), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(memcmp(p, "abc", 3), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_bytes32be(&r, &p, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(memcmp(p, "xy", 2), 0);
	/* Every truncation, in the length or in the bytes, fails whole. */
	for (size_t len = 0; len < 5; len++) {
		n = 99;
		evmpkg_rd_init(&r, in, len);
		CU_ASSERT_EQUAL(evmpkg_rd_bytes16be(&r, &p, &n), -1);
		CU_ASSERT_EQUAL(n, 99);
		CU_ASSERT_EQUAL(evmpkg_rd_left(&r), len);
	}
	for (size_t len = 0; len < 6; len++) {
		evmpkg_rd_init(&r, in + 5, len);
		CU_ASSERT_EQUAL(evmpkg_rd_bytes32be(&r, &p, &n), -1);
		CU_ASSERT_EQUAL(evmpkg_rd_left(&r), len);
	}
	/* A 32-bit length near SIZE_MAX on 32-bit hosts, 4 GiB here: fails. */
	evmpkg_rd_init(&r, "\xff\xff\xff\xff" "abc", 7);
	CU_ASSERT_EQUAL(evmpkg_rd_bytes32be(&r, &p, &n), -1);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 7);
}

static void test_string(void)
{
	struct evmpkg_rd r;
	char buf[4] = "zzz";
	size_t n = 99;

	evmpkg_rd_init(&r, "\x00\x03" "abc", 5);
	CU_ASSERT_EQUAL(evmpkg_rd_string16be(&r, buf, 3, &n), EVMPKG_RD_LONG);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_STRING_EQUAL(buf, "zzz");
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 5);
	CU_ASSERT_EQUAL(evmpkg_rd_string16be(&r, buf, 4, &n), 0);
	CU_ASSERT_STRING_EQUAL(buf, "abc");
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 0);

	evmpkg_rd_init(&r, "\x00\x03" "a\0c", 5);
	CU_ASSERT_EQUAL(evmpkg_rd_string16be(&r, buf, 4, &n), EVMPKG_RD_NUL);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 5);
	/* Truncated: in the length, then in the string (even if too long). */
	evmpkg_rd_init(&r, "\x00", 1);
	CU_ASSERT_EQUAL(evmpkg_rd_string16be(&r, buf, 4, &n), EVMPKG_RD_SHORT);
	evmpkg_rd_init(&r, "\x00\x09" "abc", 5);
	CU_ASSERT_EQUAL(evmpkg_rd_string16be(&r, buf, 4, &n), EVMPKG_RD_SHORT);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 5);
	/* The empty string. */
	evmpkg_rd_init(&r, "\x00\x00", 2);
	CU_ASSERT_EQUAL(evmpkg_rd_string16be(&r, buf, 1, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
}

/* A reader copied by value looks ahead without moving the original. */
static void test_copy_by_value(void)
{
	struct evmpkg_rd r, ahead;
	uint16_t v;

	evmpkg_rd_init(&r, b8, 4);
	ahead = r;
	CU_ASSERT_EQUAL(evmpkg_rd_u16be(&ahead, &v), 0);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&ahead), 2);
	CU_ASSERT_EQUAL(evmpkg_rd_left(&r), 4);
}

static void test_buf(void)
{
	struct evmpkg_buf b;

	evmpkg_buf_init(&b);
	for (int i = 0; i < 1000; i++)
		evmpkg_buf_u32be(&b, (uint32_t)i);
	CU_ASSERT_EQUAL(b.len, 4000);
	CU_ASSERT_EQUAL(b.data[3999], 999 & 0xff);
	CU_ASSERT_EQUAL(b.data[3998], 999 >> 8);
	CU_ASSERT_FALSE(b.oom);
	evmpkg_buf_free(&b);
}

void suite_reader(void)
{
	CU_pSuite s = CU_add_suite("reader", NULL, NULL);

	ADD(s, test_integers_both_orders);
	ADD(s, test_integer_bounds);
	ADD(s, test_bytes_skip_copy_expect);
	ADD(s, test_sub_and_take);
	ADD(s, test_length_prefixed);
	ADD(s, test_string);
	ADD(s, test_copy_by_value);
	ADD(s, test_buf);
}
