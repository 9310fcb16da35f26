/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signing requests and their answers (docs/signing.md): what a build host
 * needs signed for each file of each package, so that a signing host
 * signs without ever seeing a package; and the values the signing host
 * returns. One versioned binary encoding each, read through reader.h.
 */
#ifndef EVMPKG_SIGREQ_H
#define EVMPKG_SIGREQ_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"
#include "evmpkg/reader.h"

enum evmpkg_sigreq_kind {
	EVMPKG_SIGREQ_REQUEST = 1,	/* "EVMPKGR": digests and metadata */
	EVMPKG_SIGREQ_SIGNATURES = 2,	/* "EVMPKGS": the values made */
};

#define EVMPKG_SIGREQ_VERSION 1

/* Limits a decoder enforces before it allocates. */
#define EVMPKG_SIGREQ_MAX_PKGS 100000
#define EVMPKG_SIGREQ_MAX_FILES 1000000

/*
 * One file. A request carries the content digest (what security.ima
 * signs, or is, with --ima hash) and, for an EVM signature, the metadata
 * it covers: the EVM digest itself depends on the security.ima value, so
 * the signing host computes it after making that value. Answers carry
 * the values.
 */
struct evmpkg_sigreq_file {
	char *path;
	int evm;			/* 0: IMA only; 1: IMA and EVM */
	/* request */
	uint8_t *digest;		/* hash size of the request's algo */
	uint32_t uid, gid, mode;
	uint8_t *label, *caps;		/* raw xattr values; NULL if none */
	size_t label_len, caps_len;
	/* answer */
	uint8_t *ima, *evm_val;		/* evm_val NULL for IMA only */
	size_t ima_len, evm_len;
};

struct evmpkg_sigreq_pkg {
	char *id;			/* rpm NEVRA, or the .deb's name_version_arch */
	struct evmpkg_sigreq_file *f;
	size_t n, cap;
};

struct evmpkg_sigreq {
	int kind;			/* enum evmpkg_sigreq_kind */
	int algo;			/* kernel hash id of every digest */
	int ima_kind;			/* enum evmpkg_ima_kind */
	uint32_t keyid;			/* the key expected to sign */
	int key_ec;			/* 0: RSA, 1: ECDSA */
	struct evmpkg_sigreq_pkg *p;
	size_t n, cap;
};

void evmpkg_sigreq_init(struct evmpkg_sigreq *r, int kind);
void evmpkg_sigreq_free(struct evmpkg_sigreq *r);
/* Appends a package (id copied); *out points at it until the next add. */
int evmpkg_sigreq_add_pkg(struct evmpkg_sigreq *r, const char *id,
			  struct evmpkg_sigreq_pkg **out, struct evmpkg_err *err);
/* Deep-copies f into p after checking it as the decoder would. */
int evmpkg_sigreq_add_file(const struct evmpkg_sigreq *r,
			   struct evmpkg_sigreq_pkg *p,
			   const struct evmpkg_sigreq_file *f,
			   struct evmpkg_err *err);
int evmpkg_sigreq_encode(const struct evmpkg_sigreq *r, struct evmpkg_buf *out,
			 struct evmpkg_err *err);
/*
 * Strict decoder of either kind (*r is initialised here): anything
 * malformed is refused naming package, file and field; the caller names
 * where the bytes came from. want: the kind expected, or 0 for either.
 */
int evmpkg_sigreq_decode(const void *p, size_t n, int want,
			 struct evmpkg_sigreq *r, struct evmpkg_err *err);
const struct evmpkg_sigreq_pkg *evmpkg_sigreq_find_pkg(const struct evmpkg_sigreq *r,
						       const char *id);
/* The file of p with path; hint: the index to try first. */
const struct evmpkg_sigreq_file *evmpkg_sigreq_find_file(const struct evmpkg_sigreq_pkg *p,
							 const char *path, size_t hint);

#endif
