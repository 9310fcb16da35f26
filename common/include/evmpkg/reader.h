/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one bounds-checked reader every parser of outside data goes through,
 * and a growable byte buffer for encoders. A failed get leaves the reader
 * unchanged and returns -1: no caller does pointer arithmetic on lengths.
 */
#ifndef EVMPKG_READER_H
#define EVMPKG_READER_H

#include <stddef.h>
#include <stdint.h>

struct evmpkg_rd {
	const uint8_t *p;
	size_t left;
};

static inline void evmpkg_rd_init(struct evmpkg_rd *r, const void *p, size_t n)
{
	r->p = p;
	r->left = n;
}

int evmpkg_rd_u8(struct evmpkg_rd *r, uint8_t *v);
int evmpkg_rd_u16be(struct evmpkg_rd *r, uint16_t *v);
int evmpkg_rd_u32be(struct evmpkg_rd *r, uint32_t *v);
/* Returns a pointer to the next n bytes inside the input and consumes them. */
int evmpkg_rd_bytes(struct evmpkg_rd *r, size_t n, const uint8_t **out);

struct evmpkg_buf {
	uint8_t *data;
	size_t len, cap;
	int oom;		/* sticky: set once an allocation failed */
};

void evmpkg_buf_init(struct evmpkg_buf *b);
void evmpkg_buf_free(struct evmpkg_buf *b);
void evmpkg_buf_put(struct evmpkg_buf *b, const void *p, size_t n);
void evmpkg_buf_u8(struct evmpkg_buf *b, uint8_t v);
void evmpkg_buf_u16be(struct evmpkg_buf *b, uint16_t v);
void evmpkg_buf_u32be(struct evmpkg_buf *b, uint32_t v);

#endif
