/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Verdicts: whether a security.ima or security.evm value verifies, for a
 * signed entry before its file exists and for a file as the kernel sees
 * it. Every consumer (install engine, sequencer, inspect, verify) judges
 * through these functions, so they agree.
 */
#ifndef EVMPKG_VERDICT_H
#define EVMPKG_VERDICT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "evmpkg/err.h"
#include "evmpkg/keys.h"
#include "evmpkg/manifest.h"
#include "evmpkg/sigformat.h"
#include "evmpkg/xattrs.h"

enum evmpkg_verdict {
	EVMPKG_V_VERIFIED,	/* signature verified with a trusted cert */
	EVMPKG_V_FORM_ONLY,	/* no trusted cert configured: form checked */
	EVMPKG_V_BAD,		/* wrong signature, digest or metadata */
	EVMPKG_V_NOKEY,		/* no trusted cert has the key id */
	EVMPKG_V_NOTRUN,
};

const char *evmpkg_verdict_name(int v);
/* verified or form-only: nothing against it */
int evmpkg_verdict_good(int v);

/*
 * The verdict on one parsed value against a digest: a type 4 digest is
 * compared with it, a signature verified with the certificates trusted for
 * its kind (no certificate: form only). err says why when BAD or NOKEY.
 */
int evmpkg_sig_verdict(const struct evmpkg_trust *t, const struct evmpkg_sig *s,
		       const uint8_t *digest, size_t dlen, struct evmpkg_err *err);

/*
 * One signed file's values, parsed once, and their verdicts. ima points at
 * the manifest entry's value or, for a file signed for IMA only (e NULL: an
 * entry without security.evm, or a value the format keeps elsewhere such
 * as rpm's RPMTAG_FILESIGNATURES), at that value. Pointers are the
 * caller's and must outlive c.
 */
struct evmpkg_checked {
	const struct evmpkg_mentry *e;	/* NULL: IMA-only */
	const uint8_t *ima;
	size_t ima_len;
	struct evmpkg_sig ima_sig, evm_sig;
	int parsed;			/* both values parsed */
	int ima_v, evm_v;		/* enum evmpkg_verdict */
	int ima_content;		/* IMA judged against a content digest */
};

/* Parses the values (and checks the entry's fields); verdicts NOTRUN.
 * An entry without security.evm gives an IMA-only c (c->e NULL). */
int evmpkg_check_parse(struct evmpkg_checked *c, const struct evmpkg_mentry *e,
		       const uint8_t *ima, size_t ima_len, struct evmpkg_err *err);
/*
 * Judges security.ima against a content digest of algorithm algo (kernel
 * id). A digest of another algorithm, or none, leaves it form-only and
 * ima_content 0: the content must then be hashed before the verdict holds.
 */
int evmpkg_check_ima(struct evmpkg_checked *c, const struct evmpkg_trust *t,
		     int algo, const uint8_t *digest, size_t dlen,
		     struct evmpkg_err *err);
/* Judges security.evm over the metadata the entry signed. */
int evmpkg_check_evm(struct evmpkg_checked *c, const struct evmpkg_trust *t,
		     struct evmpkg_err *err);

/* What the installer leaves to the sequencer to write. */
enum evmpkg_set {
	EVMPKG_SET_META = 1 << 0,	/* owner, mode, label and caps */
	EVMPKG_SET_CAPS = 1 << 1,	/* caps alone (dpkg writes none) */
	EVMPKG_SET_LABEL = 1 << 2,	/* the signed label alone (installed roots
					   labelled by no one, e.g. built on a host
					   without SELinux) */
};

/*
 * Whether owner and mode (with its S_IFMT bits) are the entry's; else msg
 * names the difference, "owner U:G <where>, U:G signed".
 */
int evmpkg_owner_mode_matches(const struct evmpkg_mentry *e, uint32_t uid, uint32_t gid,
			      uint32_t mode, const char *where, char *msg, size_t n);

/*
 * Whether the file as it is (st, x) is what the entry signed, once the
 * writes in set (enum evmpkg_set) are done: what will be written does not
 * count, foreign protected xattrs always do. Names the first difference
 * in msg.
 */
int evmpkg_state_matches(const struct evmpkg_mentry *e, const struct stat *st,
			 const struct evmpkg_xattrs *x, unsigned set,
			 char *msg, size_t n);

/*
 * security.ima on a file as the kernel judges it: the value in x against
 * the file's content, read through fd. *sig gets the parsed value (type 0
 * when absent or unparsable). Absent: NOTRUN. err says why when not
 * verified; *rc is set (else EVMPKG_OK) when the content cannot be read.
 */
int evmpkg_file_ima_verdict(const struct evmpkg_trust *t, int fd,
			    const struct evmpkg_xattrs *x, struct evmpkg_sig *sig,
			    int *rc, struct evmpkg_err *err);

/*
 * security.evm on a file as the kernel judges it: the value in x over the
 * file's owner, mode and protected xattrs. *keyid gets the value's key id.
 */
int evmpkg_file_evm_verdict(const struct evmpkg_trust *t, const struct stat *st,
			    const struct evmpkg_xattrs *x, uint32_t *keyid,
			    struct evmpkg_err *err);

#endif
