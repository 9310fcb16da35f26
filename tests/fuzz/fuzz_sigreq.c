// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the decoder of signing requests and of the signatures
 * a signing host returns (evmpkg sign --sign-request, --attach). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "evmpkg/evmpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evmpkg_sigreq r;
	struct evmpkg_err err;
	struct evmpkg_buf b;

	if (evmpkg_sigreq_decode(data, size, 0, &r, &err) != EVMPKG_OK)
		return 0;
	/* Whatever decodes re-encodes to the same bytes, and every package
	 * and file is found by its name: itself, since names are unique (a
	 * lookup that found another would leave this one unchecked). */
	evmpkg_buf_init(&b);
	if (evmpkg_sigreq_encode(&r, &b, &err) != EVMPKG_OK ||
	    b.len != size || memcmp(b.data, data, size))
		__builtin_trap();
	for (size_t i = 0; i < r.n; i++) {
		const struct evmpkg_sigreq_pkg *p = evmpkg_sigreq_find_pkg(&r, r.p[i].id);

		if (p != &r.p[i])
			__builtin_trap();
		for (size_t j = 0; j < r.p[i].n; j++)
			if (evmpkg_sigreq_find_file(&r.p[i], r.p[i].f[j].path, 0) != &r.p[i].f[j])
				__builtin_trap();
	}
	evmpkg_buf_free(&b);
	evmpkg_sigreq_free(&r);
	return 0;
}
