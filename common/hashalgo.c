// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include <openssl/evp.h>

#include "evmpkg/hashalgo.h"

/*
 * Only algorithms the Debian kernel and OpenSSL 3's default provider both
 * have; md5 and rmd160 are parsed as ids but never used to sign or verify.
 */
static const struct {
	int id;
	const char *name;
	size_t size;
	const EVP_MD *(*md)(void);
} algos[] = {
	{ EVMPKG_HASH_SHA1, "sha1", 20, EVP_sha1 },
	{ EVMPKG_HASH_SHA256, "sha256", 32, EVP_sha256 },
	{ EVMPKG_HASH_SHA384, "sha384", 48, EVP_sha384 },
	{ EVMPKG_HASH_SHA512, "sha512", 64, EVP_sha512 },
	{ EVMPKG_HASH_SHA224, "sha224", 28, EVP_sha224 },
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

const EVP_MD *evmpkg_hash_md(int algo)
{
	for (size_t i = 0; i < NALGOS; i++)
		if (algos[i].id == algo)
			return algos[i].md();
	return NULL;
}
