// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evmpkg/caps.h"
#include "evmpkg/manifest.h"
#include "evmpkg/sigformat.h"

/* A lower bound on an encoded entry (path "/x", ids, mode, four lengths,
 * a 9-byte header with one signature byte, no security.evm); bounds the
 * count. */
#define MIN_ENTRY 34

void evmpkg_manifest_init(struct evmpkg_manifest *m)
{
	memset(m, 0, sizeof(*m));
}

void evmpkg_manifest_free(struct evmpkg_manifest *m)
{
	/* Each entry's fields live in one block that starts at path. */
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].path);
	free(m->e);
	evmpkg_manifest_init(m);
}

static int check_path(const char *p, size_t n, struct evmpkg_err *err)
{
	const char *c, *end = p + n;

	if (n < 2 || n >= EVMPKG_PATH_MAX || p[0] != '/')
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "path: must be absolute, 2 to %d bytes",
				   EVMPKG_PATH_MAX - 1);
	if (memchr(p, '\0', n))
		return evmpkg_fail(err, EVMPKG_EINVAL, "path: contains NUL");
	/* Every component non-empty and not "." or "..": one spelling each. */
	for (c = p + 1; c <= end;) {
		const char *s = memchr(c, '/', (size_t)(end - c));
		size_t cl = (size_t)((s ? s : end) - c);

		if (cl == 0 || (cl == 1 && c[0] == '.') ||
		    (cl == 2 && c[0] == '.' && c[1] == '.'))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "path: empty, '.' or '..' component");
		if (!s)
			break;
		c = s + 1;
	}
	return EVMPKG_OK;
}

int evmpkg_mentry_check(const struct evmpkg_mentry *e, struct evmpkg_err *err)
{
	int rc = check_path(e->path, strlen(e->path), err);

	return rc ? rc : evmpkg_mentry_check_values(e, err);
}

int evmpkg_mentry_check_values(const struct evmpkg_mentry *e,
			       struct evmpkg_err *err)
{
	struct evmpkg_sig sig;
	int rc;

	if (e->mode > 0xffff || !S_ISREG(e->mode))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "mode: %o is not a regular file's 16-bit mode",
				   e->mode);
	if (e->label_len) {
		if (e->label_len > EVMPKG_LABEL_MAX ||
		    e->label[e->label_len - 1] != '\0' ||
		    memchr(e->label, '\0', e->label_len - 1))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "label: must be 2 to %d bytes ending in its only NUL",
					   EVMPKG_LABEL_MAX);
		if (e->label_len == 1)
			return evmpkg_fail(err, EVMPKG_EINVAL, "label: empty");
	}
	if (e->caps_len && (rc = evmpkg_caps_check(e->caps, e->caps_len, err)))
		return rc;
	if ((rc = evmpkg_sig_parse(e->ima, e->ima_len, 0, &sig, err)))
		return rc;
	if (!e->evm_len) {
		/* IMA only: no metadata is signed, so none is recorded but ids and mode. */
		if (e->label_len || e->caps_len)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "security.evm: empty, but a label or capabilities given");
		return EVMPKG_OK;
	}
	return evmpkg_sig_parse(e->evm, e->evm_len, 1, &sig, err);
}

/* Copies e's variable fields into one block owned by dst->path. */
static int copy_entry(struct evmpkg_mentry *dst, const struct evmpkg_mentry *e,
		      struct evmpkg_err *err)
{
	size_t pl = strlen(e->path) + 1;
	uint8_t *b = malloc(pl + e->label_len + e->caps_len + e->ima_len +
			    e->evm_len);

	if (!b)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	*dst = *e;
	dst->path = (char *)b;
	memcpy(b, e->path, pl);
	b += pl;
#define TAKE(f)                                          \
	do {                                             \
		dst->f = e->f##_len ? b : NULL;          \
		if (e->f##_len)                          \
			memcpy(b, e->f, e->f##_len);     \
		b += e->f##_len;                         \
	} while (0)
	TAKE(label);
	TAKE(caps);
	TAKE(ima);
	TAKE(evm);
#undef TAKE
	return EVMPKG_OK;
}

static int grow(struct evmpkg_manifest *m, struct evmpkg_err *err)
{
	size_t ncap;
	struct evmpkg_mentry *ne;

	if (m->n < m->cap)
		return EVMPKG_OK;
	ncap = m->cap ? m->cap * 2 : 16;
	ne = realloc(m->e, ncap * sizeof(*ne));
	if (!ne)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	m->e = ne;
	m->cap = ncap;
	return EVMPKG_OK;
}

int evmpkg_manifest_add(struct evmpkg_manifest *m,
			const struct evmpkg_mentry *e, struct evmpkg_err *err)
{
	int rc = evmpkg_mentry_check(e, err);

	if (rc) {
		evmpkg_err_prefix(err, "%s: ", e->path ? e->path : "(null)");
		return rc;
	}
	if ((rc = grow(m, err)))
		return rc;
	if ((rc = copy_entry(&m->e[m->n], e, err)))
		return rc;
	m->n++;
	return EVMPKG_OK;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct evmpkg_mentry *)a)->path,
		      ((const struct evmpkg_mentry *)b)->path);
}

static void put_field(struct evmpkg_buf *b, const uint8_t *p, size_t n)
{
	evmpkg_buf_u16be(b, (uint16_t)n);
	evmpkg_buf_put(b, p, n);
}

int evmpkg_manifest_encode(struct evmpkg_manifest *m, struct evmpkg_buf *out,
			   struct evmpkg_err *err)
{
	if (m->n > EVMPKG_MANIFEST_MAX_ENTRIES)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "manifest: %zu entries exceed %d", m->n,
				   EVMPKG_MANIFEST_MAX_ENTRIES);
	qsort(m->e, m->n, sizeof(*m->e), cmp_entry);
	for (size_t i = 1; i < m->n; i++)
		if (!strcmp(m->e[i - 1].path, m->e[i].path))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "manifest: %s listed twice",
					   m->e[i].path);
	evmpkg_buf_put(out, EVMPKG_MANIFEST_MAGIC, 7);
	/* Version 1 while every entry has both values: readable by older decoders. */
	{
		uint8_t v = 1;

		for (size_t i = 0; i < m->n; i++)
			if (!m->e[i].evm_len)
				v = 2;
		evmpkg_buf_u8(out, v);
	}
	evmpkg_buf_u32be(out, (uint32_t)m->n);
	for (size_t i = 0; i < m->n; i++) {
		const struct evmpkg_mentry *e = &m->e[i];

		put_field(out, (const uint8_t *)e->path, strlen(e->path));
		evmpkg_buf_u32be(out, e->uid);
		evmpkg_buf_u32be(out, e->gid);
		evmpkg_buf_u32be(out, e->mode);
		put_field(out, e->label, e->label_len);
		put_field(out, e->caps, e->caps_len);
		put_field(out, e->ima, e->ima_len);
		put_field(out, e->evm, e->evm_len);
	}
	return out->oom ? evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory") :
			  EVMPKG_OK;
}

/* Decodes entry idx from r into e (pointers into the input). */
static int decode_entry(struct evmpkg_rd *r, size_t idx,
			struct evmpkg_mentry *e, char *pathbuf,
			struct evmpkg_err *err)
{
	const uint8_t *label, *caps, *ima, *evm;
	size_t pl = 0;

	memset(e, 0, sizeof(*e));
	switch (evmpkg_rd_string16be(r, pathbuf, EVMPKG_PATH_MAX, &pl)) {
	case 0:
		break;
	case EVMPKG_RD_LONG:
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "manifest entry %zu: path: %zu bytes is too long",
				   idx, pl);
	case EVMPKG_RD_NUL:
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "manifest entry %zu: path: contains NUL", idx);
	default:
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "manifest entry %zu: path: truncated", idx);
	}
	e->path = pathbuf;
#define FIELD(name, expr)                                                     \
	do {                                                                  \
		if (expr)                                                     \
			return evmpkg_fail(err, EVMPKG_EINVAL,                \
					   "manifest entry %zu: %s: truncated", \
					   idx, name);                        \
	} while (0)
	FIELD("uid", evmpkg_rd_u32be(r, &e->uid));
	FIELD("gid", evmpkg_rd_u32be(r, &e->gid));
	FIELD("mode", evmpkg_rd_u32be(r, &e->mode));
	FIELD("label", evmpkg_rd_bytes16be(r, &label, &e->label_len));
	FIELD("capabilities", evmpkg_rd_bytes16be(r, &caps, &e->caps_len));
	FIELD("security.ima", evmpkg_rd_bytes16be(r, &ima, &e->ima_len));
	FIELD("security.evm", evmpkg_rd_bytes16be(r, &evm, &e->evm_len));
#undef FIELD
	e->label = (uint8_t *)(e->label_len ? label : NULL);
	e->caps = (uint8_t *)(e->caps_len ? caps : NULL);
	e->ima = (uint8_t *)ima;
	e->evm = (uint8_t *)(e->evm_len ? evm : NULL);
	return EVMPKG_OK;
}

int evmpkg_manifest_decode(const void *p, size_t n, struct evmpkg_manifest *m,
			   struct evmpkg_err *err)
{
	char *path = malloc(EVMPKG_PATH_MAX);
	struct evmpkg_rd r;
	uint8_t version = 0;
	uint32_t count = 0;
	int rc = EVMPKG_OK;

	evmpkg_manifest_init(m);
	if (!path)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	evmpkg_rd_init(&r, p, n);
	if (evmpkg_rd_expect(&r, EVMPKG_MANIFEST_MAGIC, 7)) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "bad magic");
		goto out;
	}
	if (evmpkg_rd_u8(&r, &version) || version < 1 || version > EVMPKG_MANIFEST_VERSION) {
		rc = evmpkg_fail(err, EVMPKG_EUNSUPP,
				 "version %u, only 1 to %d are supported",
				 version, EVMPKG_MANIFEST_VERSION);
		goto out;
	}
	if (evmpkg_rd_u32be(&r, &count)) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL,
				 "entry count: truncated (%zu of 4 bytes)",
				 evmpkg_rd_left(&r));
		goto out;
	}
	/* The count must fit the bytes present: no allocation on a lie. */
	if (count > EVMPKG_MANIFEST_MAX_ENTRIES ||
	    (size_t)count > evmpkg_rd_left(&r) / MIN_ENTRY) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL,
				 "entry count %u does not fit %zu bytes",
				 count, evmpkg_rd_left(&r));
		goto out;
	}
	m->e = calloc(count ? count : 1, sizeof(*m->e));
	if (!m->e) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
		goto out;
	}
	m->cap = count;
	for (size_t i = 0; i < count; i++) {
		struct evmpkg_mentry e;

		rc = decode_entry(&r, i, &e, path, err);
		if (!rc) {
			rc = version == 1 && !e.evm_len ?
				evmpkg_fail(err, EVMPKG_EINVAL, "security.evm: empty "
					    "(IMA-only entries need version 2)") :
				evmpkg_mentry_check(&e, err);
			if (rc)
				evmpkg_err_prefix(err, "manifest entry %zu (%s): ", i, path);
		}
		if (!rc && i > 0 && strcmp(m->e[i - 1].path, path) >= 0)
			rc = evmpkg_fail(err, EVMPKG_EINVAL,
					 "manifest entry %zu (%s): path: not after %s (entries must be sorted and unique)",
					 i, path, m->e[i - 1].path);
		if (!rc)
			rc = copy_entry(&m->e[i], &e, err);
		if (rc)
			goto out;
		m->n++;
	}
	if (evmpkg_rd_left(&r))
		rc = evmpkg_fail(err, EVMPKG_EINVAL,
				 "%zu bytes after the last entry", evmpkg_rd_left(&r));
	/* One encoding per set of entries: version 2 only with an IMA-only one. */
	for (size_t i = 0; !rc && version == 2; i++) {
		if (i == m->n) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL, "version 2 without an "
					 "IMA-only entry (the canonical form is version 1)");
			break;
		}
		if (!m->e[i].evm_len)
			break;
	}
out:
	free(path);
	if (rc)
		evmpkg_manifest_free(m);
	return rc;
}

const struct evmpkg_mentry *evmpkg_manifest_find(const struct evmpkg_manifest *m,
						 const char *path)
{
	struct evmpkg_mentry key = { .path = (char *)path };

	if (!m->n)
		return NULL;
	return bsearch(&key, m->e, m->n, sizeof(*m->e), cmp_entry);
}
