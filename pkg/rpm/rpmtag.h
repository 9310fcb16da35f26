/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the evmpkg signer and the rpm plugin agree on about rpm packages,
 * kept free of librpm so the core does not link it.
 */
#ifndef EVMPKG_RPMTAG_H
#define EVMPKG_RPMTAG_H

#include "evmpkg/hashalgo.h"

/* Main-header tag (type BIN) holding the manifest; rpm has no vendor
 * range, so a number above RPMTAG_EXTERNAL_TAG (1000000). */
#define EVMPKG_RPMTAG_MANIFEST 1000917

/* rpm's digest algorithm ids (PGPHASHALGO_*) to the kernel's; -1: none. */
static inline int evmpkg_hash_from_rpm(int pgpalgo)
{
	switch (pgpalgo) {
	case 2: return EVMPKG_HASH_SHA1;
	case 8: return EVMPKG_HASH_SHA256;
	case 9: return EVMPKG_HASH_SHA384;
	case 10: return EVMPKG_HASH_SHA512;
	case 11: return EVMPKG_HASH_SHA224;
	}
	return -1;
}

#endif
