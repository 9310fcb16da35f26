// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "evmpkg/evmdigest.h"
#include "evmpkg/filehash.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/verdict.h"

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

int evmpkg_verdict_good(int v)
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

/* BAD or NOKEY as an error code. */
static int verdict_rc(int v)
{
	return v == EVMPKG_V_NOKEY ? EVMPKG_ENOKEY : EVMPKG_EVERIFY;
}

int evmpkg_check_parse(struct evmpkg_checked *c, const struct evmpkg_mentry *e,
		       const uint8_t *ima, size_t ima_len, struct evmpkg_err *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if (e && (rc = evmpkg_mentry_check_values(e, err)))
		return rc;
	/* An entry without security.evm signs the content only. */
	c->e = e && e->evm_len ? e : NULL;
	c->ima = e ? e->ima : ima;
	c->ima_len = e ? e->ima_len : ima_len;
	c->ima_v = c->evm_v = EVMPKG_V_NOTRUN;
	if ((rc = evmpkg_sig_parse(c->ima, c->ima_len, 0, &c->ima_sig, err)))
		return rc;
	if (c->e && (rc = evmpkg_sig_parse(e->evm, e->evm_len, 1, &c->evm_sig, err)))
		return rc;
	c->parsed = 1;
	return EVMPKG_OK;
}

int evmpkg_check_ima(struct evmpkg_checked *c, const struct evmpkg_trust *t,
		     int algo, const uint8_t *digest, size_t dlen,
		     struct evmpkg_err *err)
{
	struct evmpkg_err verr = { 0 };

	c->ima_content = 0;
	if (!digest || algo != c->ima_sig.hash_algo) {
		c->ima_v = EVMPKG_V_FORM_ONLY;
		return EVMPKG_OK;
	}
	c->ima_content = 1;
	c->ima_v = evmpkg_sig_verdict(t, &c->ima_sig, digest, dlen, &verr);
	if (evmpkg_verdict_good(c->ima_v))
		return EVMPKG_OK;
	return evmpkg_fail(err, verdict_rc(c->ima_v), "security.ima: %s", verr.msg);
}

int evmpkg_check_evm(struct evmpkg_checked *c, const struct evmpkg_trust *t,
		     struct evmpkg_err *err)
{
	struct evmpkg_evm_input in;
	struct evmpkg_err verr = { 0 };
	uint8_t dig[EVMPKG_MAX_DIGEST];
	size_t dlen;
	int rc;

	if (!c->e)
		return EVMPKG_OK;
	evmpkg_entry_evm_input(c->e, &in);
	if ((rc = evmpkg_evm_digest(c->evm_sig.hash_algo, &in, dig, &dlen, err)))
		return rc;
	c->evm_v = evmpkg_sig_verdict(t, &c->evm_sig, dig, dlen, &verr);
	if (evmpkg_verdict_good(c->evm_v))
		return EVMPKG_OK;
	return evmpkg_fail(err, verdict_rc(c->evm_v),
			   "security.evm: %s (signed for uid %u, gid %u, mode %o)",
			   verr.msg, c->e->uid, c->e->gid, c->e->mode);
}

int evmpkg_owner_mode_matches(const struct evmpkg_mentry *e, uint32_t uid, uint32_t gid,
			      uint32_t mode, const char *where, char *msg, size_t n)
{
	if (uid != e->uid || gid != e->gid) {
		snprintf(msg, n, "owner %u:%u %s, %u:%u signed", uid, gid, where, e->uid, e->gid);
		return 0;
	}
	if ((mode & 0xffff) != e->mode) {
		snprintf(msg, n, "mode %o %s, %o signed", mode & 0xffff, where, e->mode);
		return 0;
	}
	return 1;
}

int evmpkg_state_matches(const struct evmpkg_mentry *e, const struct stat *st,
			 const struct evmpkg_xattrs *x, unsigned set,
			 char *msg, size_t n)
{
	int set_meta = !!(set & EVMPKG_SET_META);
	int set_caps = !!(set & (EVMPKG_SET_META | EVMPKG_SET_CAPS));

	if (!set_meta && !evmpkg_owner_mode_matches(e, (uint32_t)st->st_uid, (uint32_t)st->st_gid,
						    (uint32_t)st->st_mode, "on disk", msg, n))
		return 0;
	for (int i = 0; i < EVMPKG_NXSLOTS; i++) {
		const char *name = evmpkg_xslot_name(i);

		if (i == EVMPKG_X_IMA)
			continue;	/* always written from the entry */
		if (i == EVMPKG_X_SELINUX && e->label_len) {
			if (!set_meta && !(set & EVMPKG_SET_LABEL) &&
			    !same_val(x->val[i], x->len[i],
						   e->label, e->label_len)) {
				snprintf(msg, n, "%s on disk differs from the signed label", name);
				return 0;
			}
			continue;
		}
		if (i == EVMPKG_X_CAPS) {
			if (!set_caps && !same_val(x->present[i] ? x->val[i] : NULL,
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

int evmpkg_file_ima_verdict(const struct evmpkg_trust *t, int fd,
			    const struct evmpkg_xattrs *x, struct evmpkg_sig *sig,
			    int *rc, struct evmpkg_err *err)
{
	uint8_t dig[EVMPKG_MAX_DIGEST];
	size_t dlen;

	memset(sig, 0, sizeof(*sig));
	*rc = EVMPKG_OK;
	if (!x->present[EVMPKG_X_IMA]) {
		evmpkg_fail(err, EVMPKG_EMISMATCH, "security.ima is absent");
		return EVMPKG_V_NOTRUN;
	}
	if (evmpkg_sig_parse(x->val[EVMPKG_X_IMA], x->len[EVMPKG_X_IMA], 0, sig, err)) {
		memset(sig, 0, sizeof(*sig));
		return EVMPKG_V_BAD;
	}
	if ((*rc = evmpkg_file_digest(fd, sig->hash_algo, dig, &dlen, err)))
		return EVMPKG_V_NOTRUN;
	return evmpkg_sig_verdict(t, sig, dig, dlen, err);
}

int evmpkg_file_evm_verdict(const struct evmpkg_trust *t, const struct stat *st,
			    const struct evmpkg_xattrs *x, uint32_t *keyid,
			    struct evmpkg_err *err)
{
	struct evmpkg_evm_input in;
	struct evmpkg_sig evm;
	uint8_t dig[EVMPKG_MAX_DIGEST];
	size_t dlen;
	int v;

	*keyid = 0;
	if (!x->present[EVMPKG_X_EVM]) {
		evmpkg_fail(err, EVMPKG_EMISMATCH, "security.evm is absent");
		return EVMPKG_V_NOTRUN;
	}
	if (evmpkg_sig_parse(x->val[EVMPKG_X_EVM], x->len[EVMPKG_X_EVM], 1, &evm, err))
		return EVMPKG_V_BAD;
	*keyid = evm.keyid;
	if (!x->present[EVMPKG_X_IMA]) {
		evmpkg_fail(err, EVMPKG_EVERIFY, "a portable signature needs security.ima");
		return EVMPKG_V_BAD;
	}
	evmpkg_file_evm_input(st->st_uid, st->st_gid, (uint16_t)st->st_mode,
			      x->val, x->len, x->present, &in);
	if (evmpkg_evm_digest(evm.hash_algo, &in, dig, &dlen, err))
		return EVMPKG_V_BAD;
	v = evmpkg_sig_verdict(t, &evm, dig, dlen, err);
	if (v == EVMPKG_V_BAD)
		evmpkg_fail(err, EVMPKG_EVERIFY,
			    "signature does not verify for uid %u, gid %u, mode %o and the protected xattrs present (metadata changed, or wrong key)",
			    (unsigned)st->st_uid, (unsigned)st->st_gid,
			    (unsigned)st->st_mode & 0xffff);
	return v;
}
