/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the evmpkg signer and the rpm plugin agree on about rpm packages,
 * kept free of librpm so the core does not link it.
 */
#ifndef EVMPKG_RPMTAG_H
#define EVMPKG_RPMTAG_H

#include <stddef.h>

#include "evmpkg/hashalgo.h"

/* Main-header tag (type BIN) holding the manifest; rpm has no vendor
 * range, so a number above RPMTAG_EXTERNAL_TAG (1000000). */
#define EVMPKG_RPMTAG_MANIFEST 1000917

/* rpm's digest algorithm ids (PGPHASHALGO_*; RPM_HASH_* in rpm 6). */
enum {
	EVMPKG_RPMHASH_MD5 = 1,
	EVMPKG_RPMHASH_SHA1 = 2,
	EVMPKG_RPMHASH_SHA256 = 8,
	EVMPKG_RPMHASH_SHA384 = 9,
	EVMPKG_RPMHASH_SHA512 = 10,
	EVMPKG_RPMHASH_SHA224 = 11,
	EVMPKG_RPMHASH_SHA3_256 = 12,
	EVMPKG_RPMHASH_SHA3_512 = 14,
};

/* One rpm digest algorithm: the one map of rpm's ids (pkg/rpm/rpmtag.c). */
struct evmpkg_rpmhash {
	int rpm;		/* EVMPKG_RPMHASH_* */
	int kernel;		/* EVMPKG_HASH_*, or -1 when the kernel has none */
	const char *md;		/* OpenSSL's name */
	size_t size;		/* digest bytes */
};

/* The algorithm of an rpm id, or NULL for one we cannot compute. */
const struct evmpkg_rpmhash *evmpkg_rpmhash(int pgpalgo);

/* rpm's id to the kernel's; -1: none. */
static inline int evmpkg_hash_from_rpm(int pgpalgo)
{
	const struct evmpkg_rpmhash *h = evmpkg_rpmhash(pgpalgo);

	return h ? h->kernel : -1;
}

#endif
