// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Write order and rollback. What to think of the values is verdict.c's;
 * what the EVM signature covers is evmdigest.c's.
 */
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
#include "evmpkg/xattrs.h"

/* The xattr each step writes; -1: owner and mode are not xattrs. */
static const int step_slot[EVMPKG_NSTEPS] = {
	[EVMPKG_STEP_CHOWN] = -1,
	[EVMPKG_STEP_CHMOD] = -1,
	[EVMPKG_STEP_LABEL] = EVMPKG_X_SELINUX,
	[EVMPKG_STEP_CAPS] = EVMPKG_X_CAPS,
	[EVMPKG_STEP_IMA] = EVMPKG_X_IMA,
	[EVMPKG_STEP_EVM] = EVMPKG_X_EVM,
};

const char *evmpkg_step_name(int step)
{
	if (step == EVMPKG_STEP_CHOWN)
		return "owner";
	if (step == EVMPKG_STEP_CHMOD)
		return "mode";
	return step > 0 && step < EVMPKG_NSTEPS ? evmpkg_xslot_name(step_slot[step]) : "?";
}

int evmpkg_policy_parse(const char *s)
{
	static const char *const names[] = {
		[EVMPKG_POLICY_OFF] = "off",
		[EVMPKG_POLICY_WARN] = "warn",
		[EVMPKG_POLICY_ENFORCE] = "enforce",
	};

	for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int same_val(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	if (!a || !b)
		return !a && !b;
	return al == bl && !memcmp(a, b, al);
}

/* The value step i writes from the entry (NULL: remove). */
static const uint8_t *step_value(const struct evmpkg_mentry *e, int i, size_t *len)
{
	switch (i) {
	case EVMPKG_STEP_LABEL: *len = e->label_len; return e->label;
	case EVMPKG_STEP_CAPS: *len = e->caps_len; return e->caps_len ? e->caps : NULL;
	case EVMPKG_STEP_IMA: *len = e->ima_len; return e->ima;
	case EVMPKG_STEP_EVM: *len = e->evm_len; return e->evm;
	}
	*len = 0;
	return NULL;
}

static int do_step(int fd, int i, const struct evmpkg_mentry *e,
		   struct evmpkg_seq_report *rep)
{
	const uint8_t *v;
	size_t len;
	int r;

	if (i == EVMPKG_STEP_CHOWN) {
		r = fchown(fd, e->uid, e->gid);
	} else if (i == EVMPKG_STEP_CHMOD) {
		r = fchmod(fd, e->mode & 07777);
	} else if ((v = step_value(e, i, &len))) {
		r = fsetxattr(fd, evmpkg_step_name(i), v, len, 0);
	} else {
		/* No caps signed; the chown before may already have dropped them. */
		r = fremovexattr(fd, evmpkg_step_name(i)) && errno != ENODATA;
	}
	if (r) {
		rep->step[i] = EVMPKG_ST_FAILED;
		rep->errnum[i] = errno;
		return -1;
	}
	rep->step[i] = EVMPKG_ST_WRITTEN;
	return 0;
}

/*
 * Before security.evm, after this call changed the file: what the EVM hash
 * will see must be what was signed. Our writes' side effects are the
 * kernel's: chown clears setuid/setgid and drops caps (both rewritten
 * after it) and an LSM may store a label in another form. So fstat, and
 * read back the label only when one was written; the other values are the
 * bytes just written.
 */
static int recheck(int fd, const struct evmpkg_mentry *e,
		   const struct evmpkg_seq_report *rep, char *msg, size_t n,
		   struct evmpkg_err *err)
{
	uint8_t buf[EVMPKG_LABEL_MAX];
	struct stat st;
	ssize_t got;

	if (fstat(fd, &st))
		return evmpkg_fail_errno(err, errno, "fstat");
	if (st.st_uid != e->uid || st.st_gid != e->gid) {
		snprintf(msg, n, "owner %u:%u on disk, %u:%u signed",
			 (unsigned)st.st_uid, (unsigned)st.st_gid, e->uid, e->gid);
		return EVMPKG_EMISMATCH;
	}
	if ((st.st_mode & 0xffff) != e->mode) {
		snprintf(msg, n, "mode %o on disk, %o signed",
			 (unsigned)st.st_mode & 0xffff, e->mode);
		return EVMPKG_EMISMATCH;
	}
	if (rep->step[EVMPKG_STEP_LABEL] != EVMPKG_ST_WRITTEN)
		return EVMPKG_OK;
	got = fgetxattr(fd, "security.selinux", buf, sizeof(buf));
	if (got < 0 || !same_val(buf, (size_t)got, e->label, e->label_len)) {
		snprintf(msg, n, "security.selinux on disk differs from the signed label");
		return EVMPKG_EMISMATCH;
	}
	return EVMPKG_OK;
}

/* Puts back one xattr as it was before (absent: removed). */
static int restore_xattr(int fd, const struct evmpkg_xattrs *x, int slot)
{
	const char *name = evmpkg_xslot_name(slot);

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
	int undone = 0, stuck = 0;

	for (int i = EVMPKG_STEP_IMA; i >= EVMPKG_STEP_LABEL; i--)
		if (rep->step[i] == EVMPKG_ST_WRITTEN) {
			if (restore_xattr(fd, x, step_slot[i]))
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
		if (x->present[EVMPKG_X_CAPS] && restore_xattr(fd, x, EVMPKG_X_CAPS))
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

/* Which steps the file needs to become what e signed. */
static void plan(const struct evmpkg_mentry *e, const struct stat *st,
		 const struct evmpkg_xattrs *x, unsigned set, int need[EVMPKG_NSTEPS])
{
	size_t len;

	memset(need, 0, sizeof(int) * EVMPKG_NSTEPS);
	if (set & EVMPKG_SET_CAPS)
		need[EVMPKG_STEP_CAPS] = !same_val(x->val[EVMPKG_X_CAPS], x->len[EVMPKG_X_CAPS],
						   step_value(e, EVMPKG_STEP_CAPS, &len),
						   e->caps_len);
	if (set & EVMPKG_SET_META) {
		need[EVMPKG_STEP_CHOWN] = st->st_uid != e->uid || st->st_gid != e->gid;
		/* chown clears setuid/setgid, so the mode is set again after it. */
		need[EVMPKG_STEP_CHMOD] = need[EVMPKG_STEP_CHOWN] ||
					  (st->st_mode & 07777) != (e->mode & 07777);
		/* chown also drops security.capability (killpriv). */
		need[EVMPKG_STEP_CAPS] = (need[EVMPKG_STEP_CHOWN] && e->caps_len) ||
			!same_val(x->val[EVMPKG_X_CAPS], x->len[EVMPKG_X_CAPS],
				  step_value(e, EVMPKG_STEP_CAPS, &len), e->caps_len);
	}
	if (set & (EVMPKG_SET_META | EVMPKG_SET_LABEL))
		need[EVMPKG_STEP_LABEL] = e->label_len &&
			!same_val(x->val[EVMPKG_X_SELINUX], x->len[EVMPKG_X_SELINUX],
				  e->label, e->label_len);
	for (int i = EVMPKG_STEP_IMA; i <= EVMPKG_STEP_EVM; i++) {
		const uint8_t *v = step_value(e, i, &len);

		need[i] = !same_val(x->val[step_slot[i]], x->len[step_slot[i]], v, len);
	}
}

/*
 * The installer kept the file: do its own values verify as the kernel
 * would judge them now? Then it is left alone.
 */
static int kept_verifies(int fd, const struct evmpkg_checked *c,
			 const struct evmpkg_seq_opts *o, const struct stat *st,
			 const struct evmpkg_xattrs *x)
{
	struct evmpkg_err e = { 0 };
	struct evmpkg_sig ima;
	uint32_t keyid;
	int rc;

	if (!evmpkg_trust_count(o->trust) || !x->present[EVMPKG_X_IMA] ||
	    evmpkg_file_evm_verdict(o->trust, st, x, &keyid, &e) != EVMPKG_V_VERIFIED)
		return 0;
	/* The entry's own value, already judged on the same content. */
	if (c->ima_content && c->ima_v == EVMPKG_V_VERIFIED &&
	    same_val(x->val[EVMPKG_X_IMA], x->len[EVMPKG_X_IMA], c->ima, c->ima_len))
		return 1;
	return evmpkg_file_ima_verdict(o->trust, fd, x, &ima, &rc, &e) == EVMPKG_V_VERIFIED;
}

/* Judges what the caller could not: the content, and the EVM value. */
static int complete_verdicts(int fd, const struct stat *st, struct evmpkg_checked *c,
			     const struct evmpkg_seq_opts *o, struct evmpkg_err *err)
{
	uint8_t dig[EVMPKG_MAX_DIGEST];
	size_t dlen;
	int rc = EVMPKG_OK, r;

	if (!c->ima_content) {
		if ((rc = evmpkg_file_digest_sized(fd, c->ima_sig.hash_algo, st->st_size,
						   dig, &dlen, err)))
			return rc;
		rc = evmpkg_check_ima(c, o->trust, c->ima_sig.hash_algo, dig, dlen, err);
	}
	if (c->evm_v == EVMPKG_V_NOTRUN &&
	    (r = evmpkg_check_evm(c, o->trust, rc ? NULL : err)) && !rc)
		rc = r;
	return rc;
}

static void skip_all(struct evmpkg_seq_report *rep)
{
	for (int i = 0; i < EVMPKG_NSTEPS; i++)
		rep->step[i] = EVMPKG_ST_SKIPPED;
}

/*
 * An IMA-only value (a configuration file, an owner that did not map):
 * security.ima alone, once the content verifies; no metadata is signed.
 */
static int apply_ima_only(int fd, const struct stat *st, struct evmpkg_checked *c,
			  const char *why, const struct evmpkg_seq_opts *o,
			  struct evmpkg_seq_report *rep, const struct evmpkg_xattrs *x,
			  struct evmpkg_err *err)
{
	struct evmpkg_err verr = { 0 };
	int rc = complete_verdicts(fd, st, c, o, &verr);

	if (rc == EVMPKG_EIO || rc == EVMPKG_ENOMEM || rc == EVMPKG_ECRYPTO) {
		*err = verr;
		return rc;
	}
	rep->ima = c->ima_v;
	rep->metadata_ok = 1;
	if (!evmpkg_verdict_good(c->ima_v)) {
		skip_all(rep);
		snprintf(rep->msg, sizeof(rep->msg), "%s",
			 verr.msg[0] ? verr.msg : why && *why ? why : "security.ima does not verify");
		return o->policy == EVMPKG_POLICY_ENFORCE ?
			evmpkg_fail(err, rc ? rc : EVMPKG_EVERIFY, "%s", rep->msg) : EVMPKG_OK;
	}
	if (same_val(x->val[EVMPKG_X_IMA], x->len[EVMPKG_X_IMA], c->ima, c->ima_len))
		return EVMPKG_OK;
	if (o->dry_run) {
		rep->step[EVMPKG_STEP_IMA] = EVMPKG_ST_PLANNED;
		return EVMPKG_OK;
	}
	if (fsetxattr(fd, "security.ima", c->ima, c->ima_len, 0)) {
		rep->step[EVMPKG_STEP_IMA] = EVMPKG_ST_FAILED;
		rep->errnum[EVMPKG_STEP_IMA] = errno;
		return evmpkg_fail_errno(err, errno, "security.ima");
	}
	rep->step[EVMPKG_STEP_IMA] = EVMPKG_ST_WRITTEN;
	return EVMPKG_OK;
}

int evmpkg_seq_apply_checked(int fd, struct evmpkg_checked *c, const char *why,
			     const struct evmpkg_seq_opts *o,
			     struct evmpkg_seq_report *rep, struct evmpkg_err *err)
{
	const struct evmpkg_mentry *e = c->e;
	unsigned set = (o->set_owner_mode ? EVMPKG_SET_META : 0) |
		       (o->set_caps ? EVMPKG_SET_CAPS : 0) |
		       (o->set_label ? EVMPKG_SET_LABEL : 0);
	int need[EVMPKG_NSTEPS];
	struct evmpkg_xattrs x;
	struct stat st;
	int rc, problem, wrote = 0;
	char mwhy[256] = "";

	memset(rep, 0, sizeof(*rep));
	rep->ima = rep->evm = EVMPKG_V_NOTRUN;
	if (o->policy == EVMPKG_POLICY_OFF) {
		skip_all(rep);
		return EVMPKG_OK;
	}
	if (!c->parsed)
		return evmpkg_fail(err, EVMPKG_EINVAL, "no parsed entry to apply");
	if (o->st)
		st = *o->st;
	else if (fstat(fd, &st))
		return evmpkg_fail_errno(err, errno, "fstat");
	if (!S_ISREG(st.st_mode))
		return evmpkg_fail(err, EVMPKG_EINVAL, "not a regular file");
	if ((rc = evmpkg_xattrs_read(fd, &x, err)))
		return rc;
	if (x.nosupport) {
		rc = evmpkg_fail_errno(err, EOPNOTSUPP, "security.ima");
		goto out;
	}
	if (!e) {
		rc = apply_ima_only(fd, &st, c, why, o, rep, &x, err);
		goto out;
	}
	if (o->keep_verified && kept_verifies(fd, c, o, &st, &x)) {
		/* The entry's own values are in place, not kept in their stead. */
		rep->kept = !same_val(x.val[EVMPKG_X_IMA], x.len[EVMPKG_X_IMA], c->ima, c->ima_len) ||
			    !same_val(x.val[EVMPKG_X_EVM], x.len[EVMPKG_X_EVM], e->evm, e->evm_len);
		rep->metadata_ok = 1;
		rep->ima = rep->evm = EVMPKG_V_VERIFIED;
		rc = EVMPKG_OK;
		goto out;
	}
	if (o->keep_portable && x.present[EVMPKG_X_EVM] && x.len[EVMPKG_X_EVM] &&
	    x.val[EVMPKG_X_EVM][0] == EVMPKG_EVM_PORTABLE &&
	    !same_val(x.val[EVMPKG_X_EVM], x.len[EVMPKG_X_EVM], e->evm, e->evm_len)) {
		skip_all(rep);
		snprintf(rep->msg, sizeof(rep->msg), "security.evm: another EVM portable "
			 "signature is on the file and does not verify: not replaced");
		rc = o->policy == EVMPKG_POLICY_ENFORCE ?
			evmpkg_fail(err, EVMPKG_EMISMATCH, "%s", rep->msg) : EVMPKG_OK;
		goto out;
	}
	{
		struct evmpkg_err verr = { 0 };

		rc = complete_verdicts(fd, &st, c, o, &verr);
		if (rc == EVMPKG_EIO || rc == EVMPKG_ENOMEM || rc == EVMPKG_ECRYPTO) {
			*err = verr;
			goto out;
		}
		if (verr.msg[0])
			why = verr.msg;
		rep->ima = c->ima_v;
		rep->evm = c->evm_v;
		rep->metadata_ok = evmpkg_state_matches(e, &st, &x, set, mwhy, sizeof(mwhy));
		problem = !evmpkg_verdict_good(c->ima_v) || !evmpkg_verdict_good(c->evm_v) ||
			  !rep->metadata_ok;
		if (problem)
			snprintf(rep->msg, sizeof(rep->msg), "%s",
				 !rep->metadata_ok && evmpkg_verdict_good(c->ima_v) &&
				 evmpkg_verdict_good(c->evm_v) ? mwhy :
				 why && *why ? why : "signature does not verify");
		if (problem && o->policy == EVMPKG_POLICY_ENFORCE) {
			skip_all(rep);
			rc = evmpkg_fail(err, !evmpkg_verdict_good(c->ima_v) ||
					 !evmpkg_verdict_good(c->evm_v) ?
					 (rc ? rc : EVMPKG_EVERIFY) : EVMPKG_EMISMATCH,
					 "%s", rep->msg);
			goto out;
		}
	}
	rc = EVMPKG_OK;
	plan(e, &st, &x, set, need);
	/*
	 * Warn mode writes no security.evm for a file with any problem, no
	 * security.ima that did not verify, and, where it sets metadata, none
	 * from an entry whose signatures did not both verify.
	 */
	if (problem) {
		int ima_bad = !evmpkg_verdict_good(c->ima_v);
		int evm_bad = !evmpkg_verdict_good(c->evm_v);

		for (int i = 0; i < EVMPKG_NSTEPS; i++) {
			int skip = i == EVMPKG_STEP_EVM ||
				   (i == EVMPKG_STEP_IMA && ima_bad) ||
				   (i < EVMPKG_STEP_IMA && (evm_bad || ima_bad));

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
		if (i == EVMPKG_STEP_EVM && wrote &&
		    (rc = recheck(fd, e, rep, mwhy, sizeof(mwhy), err))) {
			rep->step[i] = EVMPKG_ST_SKIPPED;
			if (rc == EVMPKG_EMISMATCH)
				rc = evmpkg_fail(err, rc,
						 "security.evm: not written: after the earlier steps %s",
						 mwhy);
			rollback(fd, &st, &x, rep, err);
			break;
		}
		if (do_step(fd, i, e, rep)) {
			rc = evmpkg_fail_errno(err, rep->errnum[i], "%s",
					       evmpkg_step_name(i));
			rollback(fd, &st, &x, rep, err);
			break;
		}
		/* security.ima changes nothing else the EVM signature covers. */
		wrote |= i < EVMPKG_STEP_IMA;
	}
out:
	evmpkg_xattrs_free(&x);
	return rc;
}

int evmpkg_seq_apply(int fd, const struct evmpkg_mentry *e,
		     const struct evmpkg_seq_opts *o,
		     struct evmpkg_seq_report *rep, struct evmpkg_err *err)
{
	struct evmpkg_checked c;
	struct evmpkg_err verr = { 0 };
	int rc;

	memset(rep, 0, sizeof(*rep));
	rep->ima = rep->evm = EVMPKG_V_NOTRUN;
	if (o->policy == EVMPKG_POLICY_OFF) {
		skip_all(rep);
		return EVMPKG_OK;
	}
	if ((rc = evmpkg_check_parse(&c, e, NULL, 0, err)))
		return rc;
	rc = evmpkg_check_ima(&c, o->trust, o->content_algo, o->content_digest,
			      o->content_len, &verr);
	if (!rc)
		rc = evmpkg_check_evm(&c, o->trust, &verr);
	return evmpkg_seq_apply_checked(fd, &c, rc ? verr.msg : NULL, o, rep, err);
}
