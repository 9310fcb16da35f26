// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: security.ima / security.evm values from outside. */
#include <stddef.h>
#include <stdint.h>

#include "evmpkg/evmpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evmpkg_sig s;
	struct evmpkg_err err;
	uint8_t out[EVMPKG_SIG_MAX + 16];

	for (int want_evm = 0; want_evm < 2; want_evm++) {
		if (evmpkg_sig_parse(data, size, want_evm, &s, &err) != EVMPKG_OK)
			continue;
		/* A parsed value rebuilds to the same bytes. */
		if (s.type == EVMPKG_IMA_DIGEST_NG) {
			if (evmpkg_ima_digest_build(s.hash_algo, s.digest, s.digest_len,
						    out, sizeof(out)) != (long)size)
				__builtin_trap();
		} else if (evmpkg_sig_build(s.type, s.hash_algo, s.keyid, s.sig,
					    s.sig_len, out, sizeof(out)) != (long)size) {
			__builtin_trap();
		}
		for (size_t i = 0; i < size; i++)
			if (out[i] != data[i])
				__builtin_trap();
	}
	/* Capabilities values arrive from packages too. */
	evmpkg_caps_check(data, size, &err);
	return 0;
}
