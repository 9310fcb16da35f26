/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Applies a manifest entry to an open file in the order Linux accepts with
 * EVM metadata verification on: chown, chmod, label, security.capability,
 * security.ima, security.evm. It verifies first and never writes a
 * security.evm that would not verify for the file as it will be.
 */
#ifndef EVMPKG_SEQUENCER_H
#define EVMPKG_SEQUENCER_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"
#include "evmpkg/keys.h"
#include "evmpkg/manifest.h"
#include "evmpkg/sigformat.h"
#include "evmpkg/verdict.h"

enum evmpkg_policy {
	EVMPKG_POLICY_OFF,	/* write nothing */
	EVMPKG_POLICY_WARN,	/* write what verifies, report the rest */
	EVMPKG_POLICY_ENFORCE,	/* any failure: write nothing, return error */
};

/* "off", "warn", "enforce" as enum evmpkg_policy; -1 for anything else. */
int evmpkg_policy_parse(const char *s);

enum evmpkg_step {
	EVMPKG_STEP_CHOWN,
	EVMPKG_STEP_CHMOD,
	EVMPKG_STEP_LABEL,
	EVMPKG_STEP_CAPS,
	EVMPKG_STEP_IMA,
	EVMPKG_STEP_EVM,
	EVMPKG_NSTEPS
};

enum evmpkg_step_state {
	EVMPKG_ST_NONE,		/* nothing to do: already as signed */
	EVMPKG_ST_PLANNED,	/* would write (dry run) */
	EVMPKG_ST_WRITTEN,
	EVMPKG_ST_SKIPPED,	/* not written: verification or policy */
	EVMPKG_ST_FAILED,	/* the write failed; errnum says why */
};

struct evmpkg_seq_opts {
	int policy;				/* enum evmpkg_policy */
	const struct evmpkg_trust *trust;	/* NULL or empty: form only */
	/* Content digest from a trusted source (rpm header); else computed. */
	int content_algo;
	const uint8_t *content_digest;
	size_t content_len;
	int set_owner_mode;	/* 1: chown/chmod to the signed values;
				   0: they must already be as signed */
	int set_caps;		/* write the signed capabilities (also when
				   owner and mode are the installer's) */
	int set_label;		/* write the signed SELinux label (also
				   when owner and mode are the installer's) */
	int dry_run;
	/*
	 * The installer kept the file as it was (rpm's FA_TOUCH): if its own
	 * security.ima and security.evm verify as they are (other bytes than
	 * the entry's, e.g. re-signed), leave it, as an immutable file
	 * refuses the entry's values.
	 */
	int keep_verified;
	/*
	 * The file is already installed (evmpkg apply): another EVM portable
	 * signature on it is reported, never replaced. The kernel makes a
	 * portable-signed file's metadata immutable, so only the package
	 * that put it there may be trusted to know better.
	 */
	int keep_portable;
	const struct stat *st;	/* the caller's fstat of fd; NULL: done here */
};

struct evmpkg_seq_report {
	int step[EVMPKG_NSTEPS];	/* enum evmpkg_step_state */
	int errnum[EVMPKG_NSTEPS];
	int ima;			/* enum evmpkg_verdict */
	int evm;			/* enum evmpkg_verdict */
	int metadata_ok;		/* owner, mode, xattrs as signed */
	int kept;			/* keep_verified: left as it was */
	char msg[512];			/* first problem, in words */
};

const char *evmpkg_step_name(int step);

/*
 * Parses and judges e (evmpkg/verdict.h), then applies it with
 * evmpkg_seq_apply_checked: for loose files and tests.
 */
int evmpkg_seq_apply(int fd, const struct evmpkg_mentry *e,
		     const struct evmpkg_seq_opts *o,
		     struct evmpkg_seq_report *rep, struct evmpkg_err *err);

/*
 * Applies an entry whose values were parsed and judged (the install
 * engine does that for a whole package before its files exist). Reads the
 * file's state once; hashes the content only when c's IMA verdict was not
 * made on a content digest of its algorithm. An IMA-only c (no entry with
 * security.evm) gets security.ima alone. Returns EVMPKG_OK when
 * everything the policy asks for was written (or already in place); in
 * warn mode problems are only in rep. In enforce mode a problem returns
 * before any write. why (may be NULL) is the judge's message for bad
 * verdicts in c.
 */
int evmpkg_seq_apply_checked(int fd, struct evmpkg_checked *c, const char *why,
			     const struct evmpkg_seq_opts *o,
			     struct evmpkg_seq_report *rep, struct evmpkg_err *err);

#endif
