// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <string.h>

#include "evmpkg/hex.h"

void evmpkg_hex_encode(const void *p, size_t n, char *out)
{
	static const char digit[] = "0123456789abcdef";
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digit[b[i] >> 4];
		out[2 * i + 1] = digit[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int nibble(char c, unsigned int flags)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F' && !(flags & EVMPKG_HEX_LOWER))
		return c - 'A' + 10;
	return -1;
}

int evmpkg_hex_decode(const char *s, void *out, size_t n, unsigned int flags,
		      struct evmpkg_err *err)
{
	uint8_t *b = out;
	size_t len;

	/* strnlen: s is not read further than a right-sized value goes. */
	if (n >= SIZE_MAX / 2 || (len = strnlen(s, 2 * n + 1)) != 2 * n)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "hex: not two digits for each of %zu bytes", n);
	/* Check everything first, so that a bad string writes nothing. */
	for (size_t i = 0; i < len; i++)
		if (nibble(s[i], flags) < 0)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "hex: character %zu is not a %shex digit",
					   i, flags & EVMPKG_HEX_LOWER ? "lowercase " : "");
	for (size_t i = 0; b && i < n; i++)
		b[i] = (uint8_t)(nibble(s[2 * i], flags) << 4 | nibble(s[2 * i + 1], flags));
	return EVMPKG_OK;
}
