// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>

#include "debdesc.h"
#include "evmpkg/hashalgo.h"

int evmpkg_deb_pkg_open(const struct evmpkg_debpkg *p, const uint8_t *content,
			int content_algo, const struct evmpkg_pkgopts *o,
			struct evmpkg_pkg **out, struct evmpkg_err *err)
{
	struct evmpkg_pkgopts po = *o;
	size_t n = evmpkg_deb_nfiles(p), dsz = evmpkg_hash_size(content_algo);
	struct evmpkg_pkgfile *pf = calloc(n + 1, sizeof(*pf));
	const uint8_t *man = NULL;
	size_t mlen = 0;
	int mstate, rc;

	if (!pf)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory",
				   evmpkg_deb_name(p));
	po.manifest_field = "control member " EVMPKG_DEB_MANIFEST_MEMBER;
	po.ima_field = "control member " EVMPKG_DEB_MANIFEST_MEMBER;
	mstate = evmpkg_deb_control_member(p, EVMPKG_DEB_MANIFEST_MEMBER, &man, &mlen) ?
		 EVMPKG_MF_ABSENT : EVMPKG_MF_PRESENT;
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_debfile *f = evmpkg_deb_file(p, i);

		pf[i] = (struct evmpkg_pkgfile){
			.path = f->path, .hardlink_group = f->hardlink_group,
			.flags = (f->is_reg ? EVMPKG_PF_REG : 0) |
				 (f->is_conffile ? EVMPKG_PF_CONFIG : 0),
			.digest_algo = -1,
		};
		if (content && f->is_reg && dsz) {
			pf[i].digest = content + i * dsz;
			pf[i].digest_len = dsz;
			pf[i].digest_algo = content_algo;
		}
	}
	rc = evmpkg_pkg_open(out, evmpkg_deb_name(p), mstate, man, mlen, pf, n, &po, err);
	free(pf);
	return rc;
}

int evmpkg_deb_pkg_open_hashed(struct evmpkg_debpkg *p, const struct evmpkg_pkgopts *o,
			       struct evmpkg_pkg **out, struct evmpkg_err *err)
{
	struct evmpkg_pkgopts form = *o;
	uint8_t *content = NULL;
	int algo, rc;

	/* Which algorithm to hash the contents with: a look at the form
	 * only, no signature verified (the second open does that). */
	form.trust = NULL;
	if ((rc = evmpkg_deb_pkg_open(p, NULL, 0, &form, out, err)))
		return rc;
	algo = evmpkg_pkg_content_algo(*out);
	evmpkg_pkg_free(*out);
	*out = NULL;
	rc = evmpkg_deb_content_digests(p, algo > 0 ? algo : EVMPKG_HASH_SHA256,
					&content, err);
	if (!rc)
		rc = evmpkg_deb_pkg_open(p, algo > 0 ? content : NULL, algo, o, out, err);
	free(content);
	return rc;
}
