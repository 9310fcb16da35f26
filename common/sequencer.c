// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "evmpkg/evmdigest.h"
#include "evmpkg/filehash.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/sequencer.h"
#include "evmpkg/signer.h"
#include "evmpkg/sigformat.h"
#include "evmpkg/xattrs.h"

static const char *const step_names[EVMPKG_NSTEPS] = {
	"owner", "mode", "security.selinux", "security.capability",
	"security.ima", "security.evm",
};

const char *evmpkg_step_name(int step)
{
	return step >= 0 && step < EVMPKG_NSTEPS ? step_names[step] : "?";
}

const char *evmpkg_verdict_name(int v)
{
	switch (v) {
	case EVMPKG_V_VERIFIED:
		return "verified";
	case EVMPKG_V_FORM_ONLY:
		return "not verified (no trusted certificate configured; form checked)";
	case EVMPKG_V_BAD:
		return "BAD";
	case EVMPKG_V_NOKEY:
		return "no trusted certificate for its key id";
	}
	return "not checked";
}

static int good_verdict(int v)
{
	return v == EVMPKG_V_VERIFIED || v == EVMPKG_V_FORM_ONLY;
}

static int same_val(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	if (!a || !b)
		return !a && !b;
	return al == bl && !memcmp(a, b, al);
}

int evmpkg_sig_verdict(const struct evmpkg_trust *t, const struct evmpkg_sig *s,
		       const uint8_t *digest, size_t dlen, struct evmpkg_err *err)
{
	int rc;

	if (s->type == EVMPKG_IMA_DIGEST_NG) {
		if (same_val(s->digest, s->digest_len, digest, dlen))
			return EVMPKG_V_VERIFIED;
		evmpkg_fail(err, EVMPKG_EVERIFY, "digest does not match the content");
		return EVMPKG_V_BAD;
	}
	if (!evmpkg_trust_count(t))
		return EVMPKG_V_FORM_ONLY;
	rc = evmpkg_trust_verify(t, s, digest, dlen, err);
	if (rc == EVMPKG_OK)
		return EVMPKG_V_VERIFIED;
	return rc == EVMPKG_ENOKEY ? EVMPKG_V_NOKEY : EVMPKG_V_BAD;
}

int evmpkg_seq_verify_entry(const struct evmpkg_mentry *e,
			    const struct evmpkg_trust *trust, int content_algo,
			    const uint8_t *content_digest, size_t content_len,
			    int *ima_verdict, int *evm_verdict,
			    struct evmpkg_err *err)
{
	struct evmpkg_evm_input in;
	struct evmpkg_sig ima, evm;
	uint8_t dig[EVMPKG_MAX_DIGEST];
	size_t dlen;
	struct evmpkg_err verr = { 0 };
	int rc;

	*ima_verdict = *evm_verdict = EVMPKG_V_NOTRUN;
	if ((rc = evmpkg_sig_parse(e->ima, e->ima_len, 0, &ima, err)) ||
	    (rc = evmpkg_sig_parse(e->evm, e->evm_len, 1, &evm, err)))
		return rc;

	if (content_digest && content_algo == ima.hash_algo) {
		*ima_verdict = evmpkg_sig_verdict(trust, &ima, content_digest,
						  content_len, &verr);
	} else {
		*ima_verdict = EVMPKG_V_FORM_ONLY;
	}
	if (*ima_verdict == EVMPKG_V_BAD || *ima_verdict == EVMPKG_V_NOKEY)
		return evmpkg_fail(err, *ima_verdict == EVMPKG_V_BAD ?
				   EVMPKG_EVERIFY : EVMPKG_ENOKEY,
				   "security.ima: %s", verr.msg);

	evmpkg_entry_evm_input(e, &in);
	if ((rc = evmpkg_evm_digest(evm.hash_algo, &in, dig, &dlen, err)))
		return rc;
	*evm_verdict = evmpkg_sig_verdict(trust, &evm, dig, dlen, &verr);
	if (*evm_verdict == EVMPKG_V_BAD || *evm_verdict == EVMPKG_V_NOKEY)
		return evmpkg_fail(err, *evm_verdict == EVMPKG_V_BAD ?
				   EVMPKG_EVERIFY : EVMPKG_ENOKEY,
				   "security.evm: %s (signed for uid %u, gid %u, mode %o)",
				   verr.msg, e->uid, e->gid, e->mode);
	return EVMPKG_OK;
}

/*
 * Compares what the kernel will hash once the planned writes are done with
 * what was signed; names the first difference in msg.
 */
static int final_matches(const struct evmpkg_mentry *e, const struct stat *st,
			 const struct evmpkg_xattrs *x, int set_meta,
			 char *msg, size_t n)
{
	if (!set_meta && (st->st_uid != e->uid || st->st_gid != e->gid)) {
		snprintf(msg, n, "owner %u:%u on disk, %u:%u signed",
			 (unsigned)st->st_uid, (unsigned)st->st_gid, e->uid,
			 e->gid);
		return 0;
	}
	if (!set_meta && (st->st_mode & 0xffff) != e->mode) {
		snprintf(msg, n, "mode %o on disk, %o signed",
			 (unsigned)st->st_mode & 0xffff, e->mode);
		return 0;
	}
	for (int i = 0; i < EVMPKG_NXSLOTS; i++) {
		const char *name = evmpkg_xslot_name(i);

		if (i == EVMPKG_X_IMA)
			continue;	/* always written from the entry */
		if (i == EVMPKG_X_SELINUX && e->label_len) {
			if (!set_meta && !same_val(x->val[i], x->len[i],
						   e->label, e->label_len)) {
				snprintf(msg, n, "%s on disk differs from the signed label", name);
				return 0;
			}
			continue;
		}
		if (i == EVMPKG_X_CAPS) {
			if (!set_meta && !same_val(x->present[i] ? x->val[i] : NULL,
						   x->len[i], e->caps, e->caps_len)) {
				snprintf(msg, n, "%s on disk differs from the signed capabilities", name);
				return 0;
			}
			continue;
		}
		/* Present but not signed: the kernel would hash it too. */
		if (x->present[i]) {
			snprintf(msg, n, "file carries %s, which the signature does not cover", name);
			return 0;
		}
	}
	return 1;
}

static int do_step(int fd, int step, const struct evmpkg_mentry *e,
		   struct evmpkg_seq_report *rep)
{
	int r = 0;

	switch (step) {
	case EVMPKG_STEP_CHOWN:
		r = fchown(fd, e->uid, e->gid);
		break;
	case EVMPKG_STEP_CHMOD:
		r = fchmod(fd, e->mode & 07777);
		break;
	case EVMPKG_STEP_LABEL:
		r = fsetxattr(fd, "security.selinux", e->label, e->label_len, 0);
		break;
	case EVMPKG_STEP_CAPS:
		/* The chown before may already have dropped them (killpriv). */
		r = e->caps_len ?
			fsetxattr(fd, "security.capability", e->caps, e->caps_len, 0) :
			(fremovexattr(fd, "security.capability") && errno != ENODATA);
		break;
	case EVMPKG_STEP_IMA:
		r = fsetxattr(fd, "security.ima", e->ima, e->ima_len, 0);
		break;
	case EVMPKG_STEP_EVM:
		r = fsetxattr(fd, "security.evm", e->evm, e->evm_len, 0);
		break;
	}
	if (r) {
		rep->step[step] = EVMPKG_ST_FAILED;
		rep->errnum[step] = errno;
		return -1;
	}
	rep->step[step] = EVMPKG_ST_WRITTEN;
	return 0;
}

static int evm_in_place(int fd, const struct evmpkg_mentry *e)
{
	uint8_t buf[EVMPKG_SIG_MAX];
	ssize_t n = fgetxattr(fd, "security.evm", buf, sizeof(buf));

	return n > 0 && same_val(buf, (size_t)n, e->evm, e->evm_len);
}

/* Re-reads the file after the earlier steps: the state the EVM hash sees. */
static int recheck(int fd, const struct evmpkg_mentry *e, char *msg, size_t n,
		   struct evmpkg_err *err)
{
	struct evmpkg_xattrs x;
	struct stat st;
	int ok;

	if (fstat(fd, &st))
		return evmpkg_fail_errno(err, errno, "fstat");
	if (evmpkg_xattrs_read(fd, &x, err))
		return err->rc;
	ok = final_matches(e, &st, &x, 0, msg, n);
	if (ok && !same_val(x.val[EVMPKG_X_IMA], x.len[EVMPKG_X_IMA], e->ima,
			    e->ima_len)) {
		snprintf(msg, n, "security.ima on disk differs from the signed value");
		ok = 0;
	}
	evmpkg_xattrs_free(&x);
	return ok ? EVMPKG_OK : EVMPKG_EMISMATCH;
}

/* Puts back one xattr as it was before (absent: removed). */
static int restore_xattr(int fd, const char *name, const struct evmpkg_xattrs *x,
			 int slot)
{
	if (x->present[slot])
		return fsetxattr(fd, name, x->val[slot], x->len[slot], 0);
	return fremovexattr(fd, name) && errno != ENODATA ? -1 : 0;
}

/*
 * A write failed part-way (e.g. the kernel refused security.ima with EPERM
 * in an EVM mode that does not accept it): undo the earlier steps, last
 * first, so no file is left with a new owner, mode or capabilities and no
 * signature. Best effort; what could not be undone is added to the message.
 */
static void rollback(int fd, const struct stat *st, const struct evmpkg_xattrs *x,
		     struct evmpkg_seq_report *rep, struct evmpkg_err *err)
{
	static const int slot_of[EVMPKG_NSTEPS] = {
		[EVMPKG_STEP_LABEL] = EVMPKG_X_SELINUX,
		[EVMPKG_STEP_CAPS] = EVMPKG_X_CAPS,
		[EVMPKG_STEP_IMA] = EVMPKG_X_IMA,
	};
	int undone = 0, stuck = 0;

	for (int i = EVMPKG_STEP_IMA; i >= EVMPKG_STEP_LABEL; i--)
		if (rep->step[i] == EVMPKG_ST_WRITTEN) {
			if (restore_xattr(fd, evmpkg_step_name(i), x, slot_of[i]))
				stuck = 1;
			else
				undone = 1;
		}
	if (rep->step[EVMPKG_STEP_CHOWN] == EVMPKG_ST_WRITTEN) {
		if (fchown(fd, st->st_uid, st->st_gid))
			stuck = 1;
		else
			undone = 1;
		/* chown cleared setuid/setgid and dropped caps: restore both. */
		if (x->present[EVMPKG_X_CAPS] &&
		    restore_xattr(fd, "security.capability", x, EVMPKG_X_CAPS))
			stuck = 1;
	}
	if (rep->step[EVMPKG_STEP_CHMOD] == EVMPKG_ST_WRITTEN ||
	    rep->step[EVMPKG_STEP_CHOWN] == EVMPKG_ST_WRITTEN) {
		if (fchmod(fd, st->st_mode & 07777))
			stuck = 1;
		else
			undone = 1;
	}
	if (undone || stuck) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, "%s",
			 stuck ? "; the earlier steps could not all be undone" :
				 "; earlier steps undone, the file is as it was");
	}
	for (int i = 0; i < EVMPKG_NSTEPS; i++)
		if (rep->step[i] == EVMPKG_ST_WRITTEN)
			rep->step[i] = stuck ? EVMPKG_ST_WRITTEN : EVMPKG_ST_SKIPPED;
}

int evmpkg_seq_apply(int fd, const struct evmpkg_mentry *e,
		     const struct evmpkg_seq_opts *o,
		     struct evmpkg_seq_report *rep, struct evmpkg_err *err)
{
	int need[EVMPKG_NSTEPS] = { 0 };
	uint8_t cdig[EVMPKG_MAX_DIGEST];
	const uint8_t *cd = o->content_digest;
	size_t cdlen = o->content_len;
	int calgo = o->content_algo;
	struct evmpkg_xattrs x;
	struct evmpkg_sig ima;
	struct stat st;
	int rc, problem, preok, wrote = 0, setm = o->set_owner_mode;
	char why[256] = "";

	memset(rep, 0, sizeof(*rep));
	rep->ima = rep->evm = EVMPKG_V_NOTRUN;
	if (o->policy == EVMPKG_POLICY_OFF) {
		for (int i = 0; i < EVMPKG_NSTEPS; i++)
			rep->step[i] = EVMPKG_ST_SKIPPED;
		return EVMPKG_OK;
	}
	if ((rc = evmpkg_mentry_check_values(e, err)))
		return rc;
	if (fstat(fd, &st))
		return evmpkg_fail_errno(err, errno, "fstat");
	if (!S_ISREG(st.st_mode))
		return evmpkg_fail(err, EVMPKG_EINVAL, "not a regular file");
	if ((rc = evmpkg_xattrs_read(fd, &x, err)))
		return rc;
	if (x.nosupport) {
		rc = evmpkg_fail_errno(err, EOPNOTSUPP, "security.ima");
		goto out;
	}

	/* Content digest: trusted from the caller when the algorithm fits. */
	evmpkg_sig_parse(e->ima, e->ima_len, 0, &ima, NULL);
	preok = o->preverified && good_verdict(o->pre_ima) &&
		good_verdict(o->pre_evm) && cd && calgo == ima.hash_algo;
	if (!preok && (!cd || calgo != ima.hash_algo)) {
		if ((rc = evmpkg_file_digest(fd, ima.hash_algo, cdig, &cdlen, err)))
			goto out;
		cd = cdig;
		calgo = ima.hash_algo;
	}
	if (preok) {
		rep->ima = o->pre_ima;
		rep->evm = o->pre_evm;
		rc = EVMPKG_OK;
	} else {
		rc = evmpkg_seq_verify_entry(e, o->trust, calgo, cd, cdlen,
					     &rep->ima, &rep->evm, err);
	}
	rep->metadata_ok = final_matches(e, &st, &x, setm, why, sizeof(why));
	problem = rc != EVMPKG_OK || !rep->metadata_ok;
	if (rc)
		snprintf(rep->msg, sizeof(rep->msg), "%s", err->msg);
	else if (!rep->metadata_ok)
		snprintf(rep->msg, sizeof(rep->msg), "%s", why);

	if (problem && o->policy == EVMPKG_POLICY_ENFORCE) {
		for (int i = 0; i < EVMPKG_NSTEPS; i++)
			rep->step[i] = EVMPKG_ST_SKIPPED;
		if (!rc)
			rc = evmpkg_fail(err, EVMPKG_EMISMATCH, "%s", why);
		goto out;
	}
	rc = EVMPKG_OK;

	if (setm) {
		need[EVMPKG_STEP_CHOWN] = st.st_uid != e->uid || st.st_gid != e->gid;
		/* chown clears setuid/setgid, so the mode is set again after it. */
		need[EVMPKG_STEP_CHMOD] = need[EVMPKG_STEP_CHOWN] ||
					  (st.st_mode & 07777) != (e->mode & 07777);
		need[EVMPKG_STEP_LABEL] = e->label_len &&
			!same_val(x.val[EVMPKG_X_SELINUX], x.len[EVMPKG_X_SELINUX],
				  e->label, e->label_len);
		/* chown also drops security.capability (killpriv). */
		need[EVMPKG_STEP_CAPS] =
			(need[EVMPKG_STEP_CHOWN] && e->caps_len) ||
			!same_val(x.present[EVMPKG_X_CAPS] ? x.val[EVMPKG_X_CAPS] : NULL,
				  x.len[EVMPKG_X_CAPS], e->caps, e->caps_len);
	}
	need[EVMPKG_STEP_IMA] = !same_val(x.val[EVMPKG_X_IMA], x.len[EVMPKG_X_IMA],
					  e->ima, e->ima_len);
	need[EVMPKG_STEP_EVM] = !evm_in_place(fd, e);
	/*
	 * Warn mode writes no security.evm for a file with any problem, no
	 * security.ima that did not verify, and, where it sets metadata, none
	 * from an entry whose EVM signature did not verify.
	 */
	if (problem) {
		int ima_bad = !good_verdict(rep->ima) && rep->ima != EVMPKG_V_NOTRUN;
		int evm_bad = !good_verdict(rep->evm);

		for (int i = 0; i < EVMPKG_NSTEPS; i++) {
			int skip = i == EVMPKG_STEP_EVM ||
				   (i == EVMPKG_STEP_IMA && ima_bad) ||
				   (i < EVMPKG_STEP_IMA && evm_bad);

			if (skip && need[i]) {
				need[i] = 0;
				rep->step[i] = EVMPKG_ST_SKIPPED;
			}
		}
	}

	for (int i = 0; i < EVMPKG_NSTEPS; i++) {
		if (!need[i])
			continue;
		if (o->dry_run) {
			rep->step[i] = EVMPKG_ST_PLANNED;
			continue;
		}
		/*
		 * Re-read the file only when this call changed it: our own
		 * writes are what can have side effects (killpriv, a label
		 * rewritten); otherwise the state checked above is current.
		 */
		if (i == EVMPKG_STEP_EVM && wrote &&
		    (rc = recheck(fd, e, why, sizeof(why), err))) {
			rep->step[i] = EVMPKG_ST_SKIPPED;
			if (rc == EVMPKG_EMISMATCH)
				rc = evmpkg_fail(err, rc,
						 "security.evm: not written: after the earlier steps %s",
						 why);
			rollback(fd, &st, &x, rep, err);
			break;
		}
		if (do_step(fd, i, e, rep)) {
			rc = evmpkg_fail_errno(err, rep->errnum[i], "%s",
					       evmpkg_step_name(i));
			rollback(fd, &st, &x, rep, err);
			break;
		}
		wrote = 1;
	}
out:
	evmpkg_xattrs_free(&x);
	return rc;
}
