/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-package signature manifest: for every signed file the metadata
 * its EVM signature assumed and its security.ima and security.evm values.
 * Encoding: docs/manifest.md. The same bytes go into an rpm header tag and
 * a .deb control member.
 */
#ifndef EVMPKG_MANIFEST_H
#define EVMPKG_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"
#include "evmpkg/reader.h"

#define EVMPKG_MANIFEST_MAGIC "EVMPKGM"	/* 7 bytes, then version */
/* Version 1: every entry has both values. Version 2 adds IMA-only entries
 * (an empty security.evm): written only when a manifest has one. */
#define EVMPKG_MANIFEST_VERSION 2
#define EVMPKG_PATH_MAX 4096
#define EVMPKG_LABEL_MAX 4096
#define EVMPKG_MANIFEST_MAX_ENTRIES 1000000

struct evmpkg_mentry {
	char *path;		/* absolute, NUL-terminated, no NUL inside */
	uint32_t uid, gid;
	uint32_t mode;		/* with S_IFREG */
	uint8_t *label;		/* raw security.selinux bytes; NULL if none */
	size_t label_len;
	uint8_t *caps;		/* raw security.capability; NULL if none */
	size_t caps_len;
	uint8_t *ima;		/* security.ima value */
	size_t ima_len;
	uint8_t *evm;		/* security.evm value; NULL and 0: IMA only */
	size_t evm_len;
};

struct evmpkg_manifest {
	struct evmpkg_mentry *e;
	size_t n, cap;
};

void evmpkg_manifest_init(struct evmpkg_manifest *m);
void evmpkg_manifest_free(struct evmpkg_manifest *m);
/* Deep-copies e (after checking its fields) into m. */
int evmpkg_manifest_add(struct evmpkg_manifest *m,
			const struct evmpkg_mentry *e, struct evmpkg_err *err);
/* Sorts by path, refuses duplicates, and appends the canonical bytes. */
int evmpkg_manifest_encode(struct evmpkg_manifest *m, struct evmpkg_buf *out,
			   struct evmpkg_err *err);
/* Strict decoder: anything non-canonical is refused, naming entry and
 * field; the caller names where the manifest came from. */
int evmpkg_manifest_decode(const void *p, size_t n, struct evmpkg_manifest *m,
			   struct evmpkg_err *err);
/* Binary search by path (m must be sorted: decoded or encoded). */
const struct evmpkg_mentry *evmpkg_manifest_find(const struct evmpkg_manifest *m,
						 const char *path);
/* Checks one entry's fields; used by add and decode. */
int evmpkg_mentry_check(const struct evmpkg_mentry *e, struct evmpkg_err *err);
/* The same without the path (loose files may have relative paths). */
int evmpkg_mentry_check_values(const struct evmpkg_mentry *e,
			       struct evmpkg_err *err);

#endif
