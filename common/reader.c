// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "evmpkg/reader.h"

/*
 * The one place that checks a length against the input and moves the
 * position: every getter below reads through it.
 */
static int take(struct evmpkg_rd *r, size_t n, const uint8_t **out)
{
	if (n > r->priv_size - r->priv_pos)
		return -1;
	/* No offset on a NULL base (an empty input): that is undefined. */
	*out = r->priv_base ? r->priv_base + r->priv_pos : NULL;
	r->priv_pos += n;
	return 0;
}

void evmpkg_rd_init(struct evmpkg_rd *r, const void *p, size_t n)
{
	r->priv_base = p;
	r->priv_size = p ? n : 0;
	r->priv_pos = 0;
}

size_t evmpkg_rd_left(const struct evmpkg_rd *r)
{
	return r->priv_size - r->priv_pos;
}

int evmpkg_rd_bytes(struct evmpkg_rd *r, size_t n, const uint8_t **out)
{
	return take(r, n, out);
}

int evmpkg_rd_skip(struct evmpkg_rd *r, size_t n)
{
	const uint8_t *p;

	return take(r, n, &p);
}

int evmpkg_rd_copy(struct evmpkg_rd *r, void *dst, size_t n)
{
	const uint8_t *p;

	if (take(r, n, &p))
		return -1;
	if (n)
		memcpy(dst, p, n);
	return 0;
}

int evmpkg_rd_expect(struct evmpkg_rd *r, const void *want, size_t n)
{
	struct evmpkg_rd t = *r;
	const uint8_t *p;

	if (take(&t, n, &p) || (n && memcmp(p, want, n)))
		return -1;
	*r = t;
	return 0;
}

int evmpkg_rd_sub(const struct evmpkg_rd *r, size_t off, size_t len,
		  struct evmpkg_rd *sub)
{
	/* Written so that off + len cannot wrap. */
	if (off > r->priv_size || len > r->priv_size - off)
		return -1;
	evmpkg_rd_init(sub, r->priv_base ? r->priv_base + off : NULL, len);
	return 0;
}

int evmpkg_rd_take(struct evmpkg_rd *r, size_t n, struct evmpkg_rd *sub)
{
	const uint8_t *p;

	if (take(r, n, &p))
		return -1;
	evmpkg_rd_init(sub, p, n);
	return 0;
}

/* Unsigned integers of n bytes (n <= 8), big- or little-endian. */
static int get_uint(struct evmpkg_rd *r, size_t n, int le, uint64_t *v)
{
	const uint8_t *p;
	uint64_t x = 0;

	if (take(r, n, &p))
		return -1;
	for (size_t i = 0; i < n; i++)
		x = x << 8 | p[le ? n - 1 - i : i];
	*v = x;
	return 0;
}

#define GETTER(name, type, n, le)                                \
	int evmpkg_rd_##name(struct evmpkg_rd *r, type *v)       \
	{                                                        \
		uint64_t x;                                      \
								 \
		if (get_uint(r, n, le, &x))                      \
			return -1;                               \
		*v = (type)x;                                    \
		return 0;                                        \
	}
GETTER(u8, uint8_t, 1, 0)
GETTER(u16be, uint16_t, 2, 0)
GETTER(u32be, uint32_t, 4, 0)
GETTER(u64be, uint64_t, 8, 0)
GETTER(u16le, uint16_t, 2, 1)
GETTER(u32le, uint32_t, 4, 1)
GETTER(u64le, uint64_t, 8, 1)
#undef GETTER

/* A length of w bytes (big-endian), then that many bytes. */
static int get_prefixed(struct evmpkg_rd *r, size_t w, const uint8_t **out,
			size_t *n)
{
	struct evmpkg_rd t = *r;
	uint64_t l;

	if (get_uint(&t, w, 0, &l) || l > SIZE_MAX ||
	    evmpkg_rd_bytes(&t, (size_t)l, out))
		return -1;
	*n = (size_t)l;
	*r = t;
	return 0;
}

int evmpkg_rd_bytes16be(struct evmpkg_rd *r, const uint8_t **out, size_t *n)
{
	return get_prefixed(r, 2, out, n);
}

int evmpkg_rd_bytes32be(struct evmpkg_rd *r, const uint8_t **out, size_t *n)
{
	return get_prefixed(r, 4, out, n);
}

int evmpkg_rd_string16be(struct evmpkg_rd *r, char *buf, size_t cap,
			 size_t *len)
{
	struct evmpkg_rd t = *r;
	const uint8_t *p;
	size_t l;

	if (get_prefixed(&t, 2, &p, &l))
		return EVMPKG_RD_SHORT;
	*len = l;
	if (l >= cap)
		return EVMPKG_RD_LONG;
	if (l && memchr(p, '\0', l))
		return EVMPKG_RD_NUL;
	if (l)
		memcpy(buf, p, l);
	buf[l] = '\0';
	*r = t;
	return 0;
}

void evmpkg_buf_init(struct evmpkg_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void evmpkg_buf_free(struct evmpkg_buf *b)
{
	free(b->data);
	evmpkg_buf_init(b);
}

void evmpkg_buf_put(struct evmpkg_buf *b, const void *p, size_t n)
{
	if (b->oom || n == 0)
		return;
	if (n > b->cap - b->len) {
		size_t ncap = b->cap ? b->cap : 256;
		uint8_t *nd;

		while (ncap - b->len < n) {
			if (ncap > SIZE_MAX / 2) {
				b->oom = 1;
				return;
			}
			ncap *= 2;
		}
		nd = realloc(b->data, ncap);
		if (!nd) {
			b->oom = 1;
			return;
		}
		b->data = nd;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void evmpkg_buf_u8(struct evmpkg_buf *b, uint8_t v)
{
	evmpkg_buf_put(b, &v, 1);
}

void evmpkg_buf_u16be(struct evmpkg_buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	evmpkg_buf_put(b, x, 2);
}

void evmpkg_buf_u32be(struct evmpkg_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	evmpkg_buf_put(b, x, 4);
}
