// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>

#include "rpmdesc.h"
#include "rpmtag.h"

#define MANIFEST_FIELD "signature manifest (tag 1000917)"
#define IMA_FIELD "RPMTAG_FILESIGNATURES"

int evmpkg_rpm_pkg_open(Header h, rpmfiles files, const char *name,
			const uint8_t *content, int content_algo,
			const struct evmpkg_pkgopts *o, struct evmpkg_pkg **out,
			struct evmpkg_err *err)
{
	struct evmpkg_pkgopts po = *o;
	size_t n = files ? rpmfilesFC(files) : 0;
	struct evmpkg_pkgfile *pf = calloc(n + 1, sizeof(*pf));
	char **paths = calloc(n + 1, sizeof(*paths));
	struct rpmtd_s man;
	int mstate = EVMPKG_MF_ABSENT, rc;

	po.manifest_field = MANIFEST_FIELD;
	po.ima_field = IMA_FIELD;
	rpmtdReset(&man);
	if (!pf || !paths) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (headerGet(h, EVMPKG_RPMTAG_MANIFEST, &man, HEADERGET_MINMEM))
		mstate = man.type == RPM_BIN_TYPE ? EVMPKG_MF_PRESENT : EVMPKG_MF_WRONG_TYPE;
	for (size_t fx = 0; fx < n; fx++) {
		struct evmpkg_pkgfile *f = &pf[fx];
		const int *links = NULL;
		size_t dlen = 0;
		int algo = 0;
		rpmfileAttrs fl = rpmfilesFFlags(files, (int)fx);

		f->path = paths[fx] = rpmfilesOFN(files, (int)fx);
		if (!f->path) {
			rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", name);
			goto out;
		}
		if (S_ISREG(rpmfilesFMode(files, (int)fx)) && !(fl & RPMFILE_GHOST))
			f->flags |= EVMPKG_PF_REG;
		if (fl & RPMFILE_CONFIG)
			f->flags |= EVMPKG_PF_CONFIG;
		f->hardlink_group = -1;
		if (rpmfilesFLinks(files, (int)fx, &links) > 1 && links)
			f->hardlink_group = links[0];
		if (content && (f->flags & EVMPKG_PF_REG)) {
			f->digest_len = evmpkg_hash_size(content_algo);
			f->digest = content + fx * f->digest_len;
			f->digest_algo = content_algo;
		} else {
			f->digest = rpmfilesFDigest(files, (int)fx, &algo, &dlen);
			f->digest_algo = f->digest ? evmpkg_hash_from_rpm(algo) : -1;
			f->digest_len = dlen;
		}
		/* librpm decoded the hex when it loaded the file set. */
		f->ima = rpmfilesFSignature(files, (int)fx, &f->ima_len);
		if (f->ima && !f->ima_len)
			f->ima = NULL;
	}
	rc = evmpkg_pkg_open(out, name, mstate, man.data, man.count, pf, n, &po, err);
out:
	for (size_t fx = 0; paths && fx < n; fx++)
		free(paths[fx]);
	free(paths);
	free(pf);
	rpmtdFreeData(&man);
	return rc;
}
