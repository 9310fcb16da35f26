// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "evmpkg/evmdigest.h"
#include "evmpkg/filehash.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/verdict.h"
#include "evmpkg/sigformat.h"
#include "evmpkg/verify.h"
#include "evmpkg/xattrs.h"

/* The shared verdict, with the reason kept for the report. */
static int judge(const struct evmpkg_trust *t, const struct evmpkg_sig *s,
		 const uint8_t *dig, size_t dlen, char *why, size_t n)
{
	struct evmpkg_err e = { 0 };
	int v = evmpkg_sig_verdict(t, s, dig, dlen, &e);

	if (v == EVMPKG_V_FORM_ONLY)
		snprintf(why, n, "no trusted certificate given");
	else if (v != EVMPKG_V_VERIFIED)
		snprintf(why, n, "%s", e.msg);
	return v;
}

int evmpkg_verify_fd(int fd, const struct evmpkg_trust *trust,
		     struct evmpkg_fileverdict *v, struct evmpkg_err *err)
{
	uint8_t cdig[EVMPKG_MAX_DIGEST];
	struct evmpkg_xattrs x;
	struct evmpkg_sig ima;
	struct evmpkg_err pe = { 0 };
	struct stat st;
	size_t cdlen;
	int rc;

	memset(v, 0, sizeof(*v));
	v->ima = v->evm = EVMPKG_V_NOTRUN;
	if (fstat(fd, &st))
		return evmpkg_fail_errno(err, errno, "fstat");
	v->uid = st.st_uid;
	v->gid = st.st_gid;
	v->mode = st.st_mode & 0xffff;
	if (!S_ISREG(st.st_mode))
		return evmpkg_fail(err, EVMPKG_EINVAL, "not a regular file");
	if ((rc = evmpkg_xattrs_read(fd, &x, err)))
		return rc;

	if (!x.present[EVMPKG_X_IMA]) {
		snprintf(v->ima_why, sizeof(v->ima_why), "security.ima is absent");
	} else if (evmpkg_sig_parse(x.val[EVMPKG_X_IMA], x.len[EVMPKG_X_IMA], 0,
				    &ima, &pe)) {
		v->ima = EVMPKG_V_BAD;
		snprintf(v->ima_why, sizeof(v->ima_why), "%s", pe.msg);
	} else {
		v->ima_type = ima.type;
		v->ima_keyid = ima.keyid;
		rc = evmpkg_file_digest(fd, ima.hash_algo, cdig, &cdlen, err);
		if (rc)
			goto out;
		v->ima = judge(trust, &ima, cdig, cdlen, v->ima_why,
			       sizeof(v->ima_why));
		if (v->ima == EVMPKG_V_BAD && ima.type == EVMPKG_IMA_DIGSIG)
			snprintf(v->ima_why, sizeof(v->ima_why),
				 "signature does not match the content (or the key)");
	}

	memset(&pe, 0, sizeof(pe));
	v->evm = evmpkg_file_evm_verdict(trust, &st, &x, &v->evm_keyid, &pe);
	if (v->evm != EVMPKG_V_VERIFIED)
		snprintf(v->evm_why, sizeof(v->evm_why), "%s",
			 v->evm == EVMPKG_V_FORM_ONLY ? "no trusted certificate given" : pe.msg);
out:
	evmpkg_xattrs_free(&x);
	return rc;
}
