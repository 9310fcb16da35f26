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

enum evmpkg_policy {
	EVMPKG_POLICY_OFF,	/* write nothing */
	EVMPKG_POLICY_WARN,	/* write what verifies, report the rest */
	EVMPKG_POLICY_ENFORCE,	/* any failure: write nothing, return error */
};

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

enum evmpkg_verdict {
	EVMPKG_V_VERIFIED,	/* signature verified with a trusted cert */
	EVMPKG_V_FORM_ONLY,	/* no trusted cert configured: form checked */
	EVMPKG_V_BAD,		/* wrong signature, digest or metadata */
	EVMPKG_V_NOKEY,		/* no trusted cert has the key id */
	EVMPKG_V_NOTRUN,
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
	int dry_run;
	/*
	 * The caller already ran evmpkg_seq_verify_entry on this entry with
	 * the same trust and content digest, with these results (both good):
	 * the signatures are not checked again, the file state still is.
	 */
	int preverified;
	int pre_ima, pre_evm;		/* enum evmpkg_verdict */
};

struct evmpkg_seq_report {
	int step[EVMPKG_NSTEPS];	/* enum evmpkg_step_state */
	int errnum[EVMPKG_NSTEPS];
	int ima;			/* enum evmpkg_verdict */
	int evm;			/* enum evmpkg_verdict */
	int metadata_ok;		/* owner, mode, xattrs as signed */
	char msg[512];			/* first problem, in words */
};

const char *evmpkg_step_name(int step);
const char *evmpkg_verdict_name(int v);

/*
 * Returns EVMPKG_OK when everything the policy asks for was written (or
 * already in place); in warn mode problems are only in rep. In enforce
 * mode a verification failure returns before any write.
 */
int evmpkg_seq_apply(int fd, const struct evmpkg_mentry *e,
		     const struct evmpkg_seq_opts *o,
		     struct evmpkg_seq_report *rep, struct evmpkg_err *err);

/*
 * The verdict on one parsed security.ima or security.evm value against a
 * digest: a type 4 digest is compared with it, a signature verified with
 * the certificates trusted for its kind (no certificate: form only). err
 * says why when the verdict is BAD or NOKEY.
 */
int evmpkg_sig_verdict(const struct evmpkg_trust *t, const struct evmpkg_sig *s,
		       const uint8_t *digest, size_t dlen, struct evmpkg_err *err);

/*
 * Checks an entry without a file: forms, IMA signature over content digest
 * (if given) and the EVM signature over the signed metadata. Used before
 * any file of a package is written.
 */
int evmpkg_seq_verify_entry(const struct evmpkg_mentry *e,
			    const struct evmpkg_trust *trust, int content_algo,
			    const uint8_t *content_digest, size_t content_len,
			    int *ima_verdict, int *evm_verdict,
			    struct evmpkg_err *err);

#endif
