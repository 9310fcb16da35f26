/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hex text of binary values (digests, signatures in rpm headers and JSON). */
#ifndef EVMPKG_HEX_H
#define EVMPKG_HEX_H

#include <stddef.h>

#include "evmpkg/err.h"

/* Lowercase hex of the n bytes at p into out (2n + 1 bytes, NUL-terminated). */
void evmpkg_hex_encode(const void *p, size_t n, char *out);

#define EVMPKG_HEX_LOWER 1u	/* refuse 'A' to 'F': the canonical form only */

/*
 * Strict decoder: s must be exactly 2n hex digits and nothing else (either
 * case, unless flags has EVMPKG_HEX_LOWER). Writes the n bytes to out, or
 * only checks s when out is NULL; out is untouched on failure.
 * EVMPKG_EINVAL, with err (may be NULL) saying what is wrong.
 */
int evmpkg_hex_decode(const char *s, void *out, size_t n, unsigned int flags,
		      struct evmpkg_err *err);

#endif
