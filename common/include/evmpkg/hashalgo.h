/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel's hash-algorithm ids (include/uapi/linux/hash_info.h). */
#ifndef EVMPKG_HASHALGO_H
#define EVMPKG_HASHALGO_H

#include <stddef.h>

#include <openssl/types.h>

enum evmpkg_hash {
	EVMPKG_HASH_MD5 = 1,
	EVMPKG_HASH_SHA1 = 2,
	EVMPKG_HASH_RMD160 = 3,
	EVMPKG_HASH_SHA256 = 4,
	EVMPKG_HASH_SHA384 = 5,
	EVMPKG_HASH_SHA512 = 6,
	EVMPKG_HASH_SHA224 = 7,
};

#define EVMPKG_MAX_DIGEST 64

/* Name ("sha256") of a kernel id we can compute, or NULL. */
const char *evmpkg_hash_name(int algo);
/* Kernel id for a name, or -1. */
int evmpkg_hash_by_name(const char *name);
/* Digest size in bytes, or 0 for an id we do not support. */
size_t evmpkg_hash_size(int algo);
/* OpenSSL's digest for a kernel id we can compute, or NULL. */
const EVP_MD *evmpkg_hash_md(int algo);

#endif
