// SPDX-License-Identifier: GPL-2.0-or-later
#include <stddef.h>

#include "rpmtag.h"

const struct evmpkg_rpmhash *evmpkg_rpmhash(int pgpalgo)
{
	static const struct evmpkg_rpmhash t[] = {
		{ EVMPKG_RPMHASH_MD5, -1, "MD5", 16 },
		{ EVMPKG_RPMHASH_SHA1, EVMPKG_HASH_SHA1, "SHA1", 20 },
		{ EVMPKG_RPMHASH_SHA256, EVMPKG_HASH_SHA256, "SHA256", 32 },
		{ EVMPKG_RPMHASH_SHA384, EVMPKG_HASH_SHA384, "SHA384", 48 },
		{ EVMPKG_RPMHASH_SHA512, EVMPKG_HASH_SHA512, "SHA512", 64 },
		{ EVMPKG_RPMHASH_SHA224, EVMPKG_HASH_SHA224, "SHA224", 28 },
		{ EVMPKG_RPMHASH_SHA3_256, -1, "SHA3-256", 32 },
		{ EVMPKG_RPMHASH_SHA3_512, -1, "SHA3-512", 64 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].rpm == pgpalgo)
			return &t[i];
	return NULL;
}
