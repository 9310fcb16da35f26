/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * security.ima and security.evm values: signature v2 (type 3 in
 * security.ima, type 5 portable in security.evm) and the IMA digest
 * (type 4: algo byte + digest). Layout per the kernel's signature_v2_hdr.
 */
#ifndef EVMPKG_SIGFORMAT_H
#define EVMPKG_SIGFORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"

enum evmpkg_xattr_type {
	EVMPKG_IMA_DIGSIG = 3,		/* IMA signature v2 */
	EVMPKG_IMA_DIGEST_NG = 4,	/* IMA digest with algo byte */
	EVMPKG_EVM_PORTABLE = 5,	/* EVM portable signature */
};

#define EVMPKG_SIG_HDR_LEN 9
#define EVMPKG_SIG_VERSION 2
/* A value larger than this is refused: RSA-8192 needs 1024 bytes + header. */
#define EVMPKG_SIG_MAX 2048

/* A parsed value; sig/digest point into the caller's buffer. */
struct evmpkg_sig {
	uint8_t type;		/* enum evmpkg_xattr_type */
	uint8_t hash_algo;	/* kernel id */
	uint32_t keyid;		/* host order; on disk big-endian */
	const uint8_t *sig;	/* type 3/5: signature bytes */
	size_t sig_len;
	const uint8_t *digest;	/* type 4: digest bytes */
	size_t digest_len;
};

/*
 * Parses a security.ima (want_evm == 0: type 3 or 4) or security.evm
 * (want_evm == 1: type 5) value, checking every length and the algorithm.
 * what names the value in messages ("security.ima").
 */
int evmpkg_sig_parse(const void *val, size_t len, int want_evm,
		     struct evmpkg_sig *out, struct evmpkg_err *err);

/* Writes header+sig into out (cap bytes); returns total length or -1. */
long evmpkg_sig_build(uint8_t type, uint8_t hash_algo, uint32_t keyid,
		      const uint8_t *sig, size_t sig_len, uint8_t *out,
		      size_t cap);
/* Type 4 IMA digest value; returns total length or -1. */
long evmpkg_ima_digest_build(uint8_t hash_algo, const uint8_t *digest,
			     size_t digest_len, uint8_t *out, size_t cap);

#endif
