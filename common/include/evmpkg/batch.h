/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Verifies every entry of a package before any file is written, on
 * several threads: the installers' pre-install check.
 */
#ifndef EVMPKG_BATCH_H
#define EVMPKG_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"
#include "evmpkg/keys.h"
#include "evmpkg/manifest.h"

struct evmpkg_vjob {
	const struct evmpkg_mentry *e;
	int content_algo;		/* kernel id of digest, or -1 */
	const uint8_t *content_digest;	/* NULL: IMA checked for form only */
	size_t content_len;
	/* Results. */
	int rc;				/* EVMPKG_OK or the failure */
	int ima, evm;			/* enum evmpkg_verdict */
	struct evmpkg_err err;
};

/*
 * Runs evmpkg_seq_verify_entry for every job on up to nthreads threads
 * (0: the number of online CPUs). Returns how many jobs failed.
 */
size_t evmpkg_verify_batch(struct evmpkg_vjob *jobs, size_t n,
			   const struct evmpkg_trust *trust, int nthreads);

#endif
