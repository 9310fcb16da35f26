// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the manifest decoder (rpm tag, .deb member). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "evmpkg/evmpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evmpkg_manifest m;
	struct evmpkg_err err;
	struct evmpkg_buf b;

	if (evmpkg_manifest_decode(data, size, &m, &err) != EVMPKG_OK)
		return 0;
	/* Whatever decodes is canonical: it re-encodes to the same bytes. */
	evmpkg_buf_init(&b);
	if (evmpkg_manifest_encode(&m, &b, &err) != EVMPKG_OK ||
	    b.len != size || memcmp(b.data, data, size))
		__builtin_trap();
	for (size_t i = 0; i < m.n; i++)
		if (evmpkg_manifest_find(&m, m.e[i].path) != &m.e[i])
			__builtin_trap();
	evmpkg_buf_free(&b);
	evmpkg_manifest_free(&m);
	return 0;
}
