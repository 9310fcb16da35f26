// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "evmpkg/verdict.h"
#include "evmpkg/sigformat.h"
#include "evmpkg/verify.h"
#include "evmpkg/xattrs.h"

int evmpkg_verify_fd(int fd, const struct evmpkg_trust *trust,
		     struct evmpkg_fileverdict *v, struct evmpkg_err *err)
{
	struct evmpkg_xattrs x;
	struct evmpkg_sig ima;
	struct evmpkg_err pe = { 0 };
	struct stat st;
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

	v->ima = evmpkg_file_ima_verdict(trust, fd, &x, &ima, &rc, &pe);
	if (rc) {
		*err = pe;
		goto out;
	}
	v->ima_type = ima.type;
	v->ima_keyid = ima.keyid;
	if (v->ima != EVMPKG_V_VERIFIED)
		snprintf(v->ima_why, sizeof(v->ima_why), "%s",
			 v->ima == EVMPKG_V_FORM_ONLY ? "no trusted certificate given" :
			 v->ima == EVMPKG_V_BAD && ima.type == EVMPKG_IMA_DIGSIG ?
			 "signature does not match the content (or the key)" : pe.msg);

	memset(&pe, 0, sizeof(pe));
	v->evm = evmpkg_file_evm_verdict(trust, &st, &x, &v->evm_keyid, &pe);
	if (v->evm != EVMPKG_V_VERIFIED)
		snprintf(v->evm_why, sizeof(v->evm_why), "%s",
			 v->evm == EVMPKG_V_FORM_ONLY ? "no trusted certificate given" : pe.msg);
out:
	evmpkg_xattrs_free(&x);
	return rc;
}
