/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one bounds-checked reader every parser of outside data goes through
 * (in the manner of OpenSSH's sshbuf), and a growable byte buffer for
 * encoders. Every get returns 0, or -1 (the string getter: a negative
 * EVMPKG_RD_* code) and leaves the reader unchanged: callers never do
 * pointer arithmetic on lengths they read.
 */
#ifndef EVMPKG_READER_H
#define EVMPKG_READER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Opaque: callers may declare one (on the stack, or copy one by value to
 * look ahead) but only reader.c touches the priv_ members. A reader views
 * the whole input it was made over and a position in it; evmpkg_rd_sub
 * addresses that whole input.
 */
struct evmpkg_rd {
	const uint8_t *priv_base;	/* start of the whole input */
	size_t priv_size;		/* its length */
	size_t priv_pos;		/* next byte to read, <= priv_size */
};

/* A reader over the n bytes at p (p may be NULL when n is 0). */
void evmpkg_rd_init(struct evmpkg_rd *r, const void *p, size_t n);
/* Bytes not yet read. */
size_t evmpkg_rd_left(const struct evmpkg_rd *r);

int evmpkg_rd_u8(struct evmpkg_rd *r, uint8_t *v);
int evmpkg_rd_u16be(struct evmpkg_rd *r, uint16_t *v);
int evmpkg_rd_u32be(struct evmpkg_rd *r, uint32_t *v);
int evmpkg_rd_u64be(struct evmpkg_rd *r, uint64_t *v);
int evmpkg_rd_u16le(struct evmpkg_rd *r, uint16_t *v);
int evmpkg_rd_u32le(struct evmpkg_rd *r, uint32_t *v);
int evmpkg_rd_u64le(struct evmpkg_rd *r, uint64_t *v);
/* Consumes n bytes. */
int evmpkg_rd_skip(struct evmpkg_rd *r, size_t n);
/* Consumes the next n bytes and points *out at them inside the input. */
int evmpkg_rd_bytes(struct evmpkg_rd *r, size_t n, const uint8_t **out);
/* Consumes the next n bytes, copying them to dst. */
int evmpkg_rd_copy(struct evmpkg_rd *r, void *dst, size_t n);
/* Consumes n bytes if they equal want (a magic number); else fails. */
int evmpkg_rd_expect(struct evmpkg_rd *r, const void *want, size_t n);
/* Consumes the next n bytes and makes *sub a reader over just them. */
int evmpkg_rd_take(struct evmpkg_rd *r, size_t n, struct evmpkg_rd *sub);
/*
 * *sub: a reader over len bytes at off of r's whole input (not of what is
 * left), whatever r's position; r is not changed. Fails when off + len
 * overflows or passes the end.
 */
int evmpkg_rd_sub(const struct evmpkg_rd *r, size_t off, size_t len,
		  struct evmpkg_rd *sub);

/* Length-prefixed byte strings: a big-endian length, then that many bytes
 * (*out points into the input). */
int evmpkg_rd_bytes16be(struct evmpkg_rd *r, const uint8_t **out, size_t *n);
int evmpkg_rd_bytes32be(struct evmpkg_rd *r, const uint8_t **out, size_t *n);

/* Why evmpkg_rd_string16be failed. */
enum {
	EVMPKG_RD_SHORT = -1,	/* input ends inside the length or the string */
	EVMPKG_RD_LONG = -2,	/* the string and a NUL do not fit cap bytes */
	EVMPKG_RD_NUL = -3,	/* the string contains a NUL byte */
};

/*
 * A u16be-length-prefixed string without NUL bytes, copied NUL-terminated
 * into buf (cap bytes). *len is the string's length on success and with
 * EVMPKG_RD_LONG or EVMPKG_RD_NUL.
 */
int evmpkg_rd_string16be(struct evmpkg_rd *r, char *buf, size_t cap,
			 size_t *len);

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
