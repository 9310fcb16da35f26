// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "evmpkg/hashalgo.h"

/*
 * Only algorithms the Debian kernel and OpenSSL 3's default provider both
 * have; md5 and rmd160 are parsed as ids but never used to sign or verify.
 */
static const struct {
	int id;
	const char *name;
	size_t size;
} algos[] = {
	{ EVMPKG_HASH_SHA1, "sha1", 20 },
	{ EVMPKG_HASH_SHA256, "sha256", 32 },
	{ EVMPKG_HASH_SHA384, "sha384", 48 },
	{ EVMPKG_HASH_SHA512, "sha512", 64 },
	{ EVMPKG_HASH_SHA224, "sha224", 28 },
};

#define NALGOS (sizeof(algos) / sizeof(algos[0]))

const char *evmpkg_hash_name(int algo)
{
	for (size_t i = 0; i < NALGOS; i++)
		if (algos[i].id == algo)
			return algos[i].name;
	return NULL;
}

int evmpkg_hash_by_name(const char *name)
{
	for (size_t i = 0; i < NALGOS; i++)
		if (!strcmp(algos[i].name, name))
			return algos[i].id;
	return -1;
}

size_t evmpkg_hash_size(int algo)
{
	for (size_t i = 0; i < NALGOS; i++)
		if (algos[i].id == algo)
			return algos[i].size;
	return 0;
}
