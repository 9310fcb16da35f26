// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "unit.h"

static uint8_t ima[34] = { 4, 4 };
static const uint8_t evm[12] = { 5, 2, 4, 0, 0, 0, 1, 0, 3, 0xaa, 0xbb, 0xcc };
static const uint8_t label[] = "system_u:object_r:bin_t:s0";

static struct evmpkg_mentry entry(const char *path)
{
	struct evmpkg_mentry e = {
		.path = (char *)path, .uid = 0, .gid = 0, .mode = 0100755,
		.ima = ima, .ima_len = sizeof(ima),
		.evm = (uint8_t *)evm, .evm_len = sizeof(evm),
	};
	return e;
}

/* Encodes a manifest of the given paths; caller frees buf. */
static void encode(const char *const *paths, size_t n, struct evmpkg_buf *b)
{
	struct evmpkg_manifest m;

	evmpkg_manifest_init(&m);
	evmpkg_buf_init(b);
	for (size_t i = 0; i < n; i++) {
		struct evmpkg_mentry e = entry(paths[i]);

		if (i == 1) {
			e.label = (uint8_t *)label;
			e.label_len = sizeof(label);
			e.caps = (uint8_t *)"\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";
			e.caps_len = 20;
			e.uid = 1000;
			e.mode = 0104755;
		}
		CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, NULL), 0);
	}
	CU_ASSERT_EQUAL(evmpkg_manifest_encode(&m, b, NULL), 0);
	evmpkg_manifest_free(&m);
}

static void test_roundtrip_sorted(void)
{
	const char *paths[] = { "/usr/bin/b", "/usr/bin/a", "/etc/x y\xc3\xa9" };
	struct evmpkg_manifest m;
	struct evmpkg_buf b, b2;
	const struct evmpkg_mentry *e;

	encode(paths, 3, &b);
	CU_ASSERT_EQUAL(memcmp(b.data, "EVMPKGM\x01\x00\x00\x00\x03", 12), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_manifest_decode(b.data, b.len, &m, NULL), 0);
	CU_ASSERT_EQUAL(m.n, 3);
	CU_ASSERT_STRING_EQUAL(m.e[0].path, "/etc/x y\xc3\xa9");
	CU_ASSERT_STRING_EQUAL(m.e[2].path, "/usr/bin/b");
	e = evmpkg_manifest_find(&m, "/usr/bin/a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->uid, 1000);
	CU_ASSERT_EQUAL(e->mode, 0104755);
	CU_ASSERT_EQUAL(e->label_len, sizeof(label));
	CU_ASSERT_EQUAL(e->caps_len, 20);
	CU_ASSERT_PTR_NULL(evmpkg_manifest_find(&m, "/usr/bin/c"));
	/* Canonical: decode then encode gives the same bytes. */
	evmpkg_buf_init(&b2);
	CU_ASSERT_EQUAL(evmpkg_manifest_encode(&m, &b2, NULL), 0);
	CU_ASSERT_EQUAL(b2.len, b.len);
	CU_ASSERT_EQUAL(memcmp(b2.data, b.data, b.len), 0);
	evmpkg_buf_free(&b2);
	evmpkg_manifest_free(&m);
	evmpkg_buf_free(&b);
}

static void test_add_rejects(void)
{
	struct evmpkg_manifest m;
	struct evmpkg_mentry e;
	struct evmpkg_err err = { 0 };
	struct evmpkg_buf b;
	const char *bad_paths[] = { "relative", "/", "/a//b", "/a/./b", "/a/../b", "/a/", "" };

	evmpkg_manifest_init(&m);
	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(*bad_paths); i++) {
		e = entry(bad_paths[i]);
		CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, &err), EVMPKG_EINVAL);
	}
	e = entry("/a");
	e.mode = 040755;	/* a directory is never signed */
	CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "mode"));
	e = entry("/a");
	e.label = (uint8_t *)"abc";	/* no NUL */
	e.label_len = 3;
	CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "label"));
	e = entry("/a");
	e.evm_len = 11;
	CU_ASSERT_NOT_EQUAL(evmpkg_manifest_add(&m, &e, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "security.evm"));
	/* Oversized values: a path over 4095 bytes, a label over 4096. */
	{
		static char longpath[5001];
		static uint8_t longlabel[5001];

		longpath[0] = '/';
		memset(longpath + 1, 'a', 4999);
		e = entry(longpath);
		CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, &err), EVMPKG_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "path"));
		memset(longlabel, 'l', 4999);
		e = entry("/a");
		e.label = longlabel;
		e.label_len = 5000;	/* ends in its NUL, but too long */
		CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, &err), EVMPKG_EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "label"));
	}
	CU_ASSERT_EQUAL(m.n, 0);
	/* Duplicates are refused when encoding. */
	e = entry("/a");
	CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, NULL), 0);
	evmpkg_buf_init(&b);
	CU_ASSERT_EQUAL(evmpkg_manifest_encode(&m, &b, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "twice"));
	evmpkg_buf_free(&b);
	evmpkg_manifest_free(&m);
}

/* Decoding must fail, and the message must contain want. */
static void refuse(const uint8_t *p, size_t n, const char *want)
{
	struct evmpkg_manifest m;
	struct evmpkg_err err = { 0 };

	CU_ASSERT_NOT_EQUAL(evmpkg_manifest_decode(p, n, &m, &err), 0);
	CU_ASSERT_EQUAL(m.n, 0);
	if (want && !strstr(err.msg, want)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, want);
		CU_FAIL("message does not name the field");
	}
}

static void test_decode_malformed(void)
{
	const char *paths[] = { "/a", "/b" };
	struct evmpkg_buf b;
	uint8_t c[4096];
	size_t n;

	encode(paths, 2, &b);
	n = b.len;
	memcpy(c, b.data, n);
	/* Every truncation is refused. */
	for (size_t i = 0; i < n; i++)
		refuse(c, i, NULL);
	refuse(c, 5, "magic");
	/* Trailing garbage. */
	c[n] = 0;
	refuse(c, n + 1, "after the last entry");
	/* Wrong version; version 2 without an IMA-only entry is not canonical. */
	c[7] = 3;
	refuse(c, n, "version");
	c[7] = 2;
	refuse(c, n, "version 2 without an IMA-only entry");
	c[7] = 1;
	/* Count larger than the bytes can hold. */
	c[8] = 0x7f;
	refuse(c, n, "count");
	c[8] = 0;
	/* Entries out of order: swap the two path bytes "/a" and "/b". */
	c[15] = 'c';
	refuse(c, n, "sorted");
	c[15] = 'a';
	/* Path length overrun. */
	c[12] = 0xff;
	refuse(c, n, "truncated");
	c[12] = 0;
	/* Unknown security.ima type in entry 0 (after path 4 + 12 + 2 + 2 + 2). */
	c[12 + 4 + 12 + 4 + 2] = 9;
	refuse(c, n, "entry 0");
	c[12 + 4 + 12 + 4 + 2] = 4;
	/* A mode without S_IFREG. */
	c[12 + 4 + 8 + 2] = 0x41;
	refuse(c, n, "mode");
	c[12 + 4 + 8 + 2] = 0x81;
	/* Original still decodes. */
	{
		struct evmpkg_manifest m;

		CU_ASSERT_EQUAL(evmpkg_manifest_decode(c, n, &m, NULL), 0);
		CU_ASSERT_EQUAL(m.n, 2);
		evmpkg_manifest_free(&m);
	}
	evmpkg_buf_free(&b);
}

/*
 * Regression: with fewer than 4 count bytes the decoder read the count
 * uninitialised (valgrind) and printed a random number. The message must
 * be the same on every run and name the field.
 */
static void test_truncated_count(void)
{
	static const uint8_t in[] = "EVMPKGM\x01\0\0\0";

	for (size_t n = 8; n < 12; n++) {
		struct evmpkg_manifest m;
		struct evmpkg_err err = { 0 };
		char want[80];

		snprintf(want, sizeof(want),
			 "entry count: truncated (%zu of 4 bytes)", n - 8);
		CU_ASSERT_EQUAL(evmpkg_manifest_decode(in, n, &m, &err), EVMPKG_EINVAL);
		CU_ASSERT_STRING_EQUAL(err.msg, want);
		CU_ASSERT_EQUAL(m.n, 0);
	}
}

/* The path's own refusals: too long for the buffer, NUL inside. */
static void test_decode_bad_path(void)
{
	static uint8_t in[12 + 2 + EVMPKG_PATH_MAX];
	struct evmpkg_manifest m;
	struct evmpkg_err err = { 0 };

	memcpy(in, "EVMPKGM\x01\0\0\0\0", 12);
	in[12] = EVMPKG_PATH_MAX >> 8;
	in[13] = EVMPKG_PATH_MAX & 0xff;
	in[14] = '/';
	memset(in + 15, 'a', EVMPKG_PATH_MAX - 1);
	/* Count 0 would stop before the entry: say one, with room for it. */
	in[11] = 1;
	CU_ASSERT_EQUAL(evmpkg_manifest_decode(in, sizeof(in), &m, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "entry 0: path: 4096 bytes is too long"));
	in[12] = 0;
	in[13] = 40;
	in[16] = '\0';
	CU_ASSERT_EQUAL(evmpkg_manifest_decode(in, sizeof(in), &m, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "entry 0: path: contains NUL"));
}

/* Version 2: IMA-only entries (no security.evm), as .deb conffiles get. */
static void test_ima_only_entries(void)
{
	struct evmpkg_manifest m;
	struct evmpkg_mentry e = entry("/etc/conf");
	struct evmpkg_mentry full = entry("/usr/bin/a");
	struct evmpkg_buf b;
	struct evmpkg_err err = { 0 };

	evmpkg_manifest_init(&m);
	e.evm = NULL;
	e.evm_len = 0;
	CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &full, NULL), 0);
	evmpkg_buf_init(&b);
	CU_ASSERT_EQUAL_FATAL(evmpkg_manifest_encode(&m, &b, NULL), 0);
	evmpkg_manifest_free(&m);
	CU_ASSERT_EQUAL(b.data[7], 2);
	CU_ASSERT_EQUAL_FATAL(evmpkg_manifest_decode(b.data, b.len, &m, NULL), 0);
	CU_ASSERT_EQUAL(m.e[0].evm_len, 0);
	CU_ASSERT_PTR_NULL(m.e[0].evm);
	CU_ASSERT_EQUAL(m.e[1].evm_len, sizeof(evm));
	evmpkg_manifest_free(&m);
	/* The same bytes as version 1 are refused: v1 has no IMA-only entry. */
	b.data[7] = 1;
	CU_ASSERT_EQUAL(evmpkg_manifest_decode(b.data, b.len, &m, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "manifest entry 0 (/etc/conf): security.evm: empty"));
	evmpkg_buf_free(&b);
	/* A label or caps without an EVM signature means nothing: refused. */
	e.label = (uint8_t *)label;
	e.label_len = sizeof(label);
	evmpkg_manifest_init(&m);
	CU_ASSERT_EQUAL(evmpkg_manifest_add(&m, &e, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "security.evm: empty, but a label"));
	evmpkg_manifest_free(&m);
}

static void test_empty(void)
{
	struct evmpkg_manifest m;

	CU_ASSERT_EQUAL(evmpkg_manifest_decode("EVMPKGM\x01\0\0\0\0", 12, &m, NULL), 0);
	CU_ASSERT_EQUAL(m.n, 0);
	CU_ASSERT_PTR_NULL(evmpkg_manifest_find(&m, "/a"));
	evmpkg_manifest_free(&m);
}

void suite_manifest(void)
{
	CU_pSuite s = CU_add_suite("manifest", NULL, NULL);

	ADD(s, test_roundtrip_sorted);
	ADD(s, test_add_rejects);
	ADD(s, test_decode_malformed);
	ADD(s, test_truncated_count);
	ADD(s, test_decode_bad_path);
	ADD(s, test_empty);
	ADD(s, test_ima_only_entries);
}
