/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The install engine's package object, shared by pkgcheck.c (pair and
 * verify) and pkgapply.c (apply); not part of the library's interface.
 */
#ifndef EVMPKG_PKGINT_H
#define EVMPKG_PKGINT_H

#include <stdatomic.h>
#include <sys/types.h>

#include "evmpkg/pkgcheck.h"
#include "evmpkg/pool.h"

/* One signed file: its values parsed once, its verdict. */
struct unit {
	struct evmpkg_checked c;
	size_t fx;
	int rc;			/* EVMPKG_OK or why the file is refused */
	char *why;		/* what is wrong, when rc != EVMPKG_OK */
	int config;		/* a configuration file */
	int algo;		/* the package's content digest */
	uint8_t digest[EVMPKG_MAX_DIGEST];
	size_t dlen;
	uint8_t *ima;		/* the format's IMA value, copied */
};

struct evmpkg_pkg {
	char *name;
	struct evmpkg_pkgopts o;
	struct evmpkg_manifest m;
	struct unit *u;
	size_t nu;
	ssize_t *unit_of;	/* per file: index in u, or -1 */
	ssize_t *next_link;	/* per file: next member of its hardlink set, or -1 */
	ssize_t *link_head;	/* per file: first member of its set, or -1 */
	char **paths;		/* per signed file, for messages */
	size_t nfiles;
	char **problems;
	size_t nproblems;
	struct evmpkg_pool *pool;	/* background verification */
	atomic_size_t refused;
};

/* Marks u refused (rc 0: EVMPKG_EVERIFY) for what; touches only u and the count. */
void evmpkg_unit_refuse(struct evmpkg_pkg *p, struct unit *u, int rc, const char *what);
/* Fails err with u's refusal, named "PKG: PATH: why". */
int evmpkg_unit_fail(const struct evmpkg_pkg *p, const struct unit *u,
		     struct evmpkg_err *err);
/* Returns when unit ui (-1: none) has its verdict. */
void evmpkg_unit_wait(struct evmpkg_pkg *p, ssize_t ui);
/* The first refused unit; with background verification, of those done. */
struct unit *evmpkg_first_refused(struct evmpkg_pkg *p);

#endif
