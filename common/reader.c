// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "evmpkg/reader.h"

int evmpkg_rd_bytes(struct evmpkg_rd *r, size_t n, const uint8_t **out)
{
	if (n > r->left)
		return -1;
	*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

int evmpkg_rd_u8(struct evmpkg_rd *r, uint8_t *v)
{
	const uint8_t *p;

	if (evmpkg_rd_bytes(r, 1, &p))
		return -1;
	*v = p[0];
	return 0;
}

int evmpkg_rd_u16be(struct evmpkg_rd *r, uint16_t *v)
{
	const uint8_t *p;

	if (evmpkg_rd_bytes(r, 2, &p))
		return -1;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

int evmpkg_rd_u32be(struct evmpkg_rd *r, uint32_t *v)
{
	const uint8_t *p;

	if (evmpkg_rd_bytes(r, 4, &p))
		return -1;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	     (uint32_t)p[2] << 8 | p[3];
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
