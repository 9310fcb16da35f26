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

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes a file's RPMTAG_FILESIGNATURES hex value; *buf is the caller's. */
static int file_ima(const char *hex, struct evmpkg_pkgfile *f, uint8_t **buf)
{
	size_t len = hex ? strlen(hex) : 0;

	if (!len)
		return 0;
	if (len % 2 || len / 2 > EVMPKG_SIG_MAX) {
		f->flags |= EVMPKG_PF_IMA_BAD;
		return 0;
	}
	if (!(*buf = malloc(len / 2)))
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			f->flags |= EVMPKG_PF_IMA_BAD;
			return 0;
		}
		(*buf)[i] = (uint8_t)(hi << 4 | lo);
	}
	f->ima = *buf;
	f->ima_len = len / 2;
	return 0;
}

int evmpkg_rpm_pkg_open(Header h, rpmfiles files, const char *name,
			const uint8_t *content, int content_algo,
			const struct evmpkg_pkgopts *o, struct evmpkg_pkg **out,
			struct evmpkg_err *err)
{
	struct evmpkg_pkgopts po = *o;
	size_t n = files ? rpmfilesFC(files) : 0;
	struct evmpkg_pkgfile *pf = calloc(n + 1, sizeof(*pf));
	char **paths = calloc(n + 1, sizeof(*paths));
	uint8_t **imabuf = calloc(n + 1, sizeof(*imabuf));
	struct rpmtd_s man, sigs;
	int mstate = EVMPKG_MF_ABSENT, have_sigs, rc;

	po.manifest_field = MANIFEST_FIELD;
	po.ima_field = IMA_FIELD;
	rpmtdReset(&man);
	rpmtdReset(&sigs);
	if (!pf || !paths || !imabuf) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (headerGet(h, EVMPKG_RPMTAG_MANIFEST, &man, HEADERGET_MINMEM))
		mstate = man.type == RPM_BIN_TYPE ? EVMPKG_MF_PRESENT : EVMPKG_MF_WRONG_TYPE;
	have_sigs = headerGet(h, RPMTAG_FILESIGNATURES, &sigs, HEADERGET_MINMEM) &&
		    sigs.type == RPM_STRING_ARRAY_TYPE && rpmtdCount(&sigs) == n;
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
		if (have_sigs && file_ima(((const char **)sigs.data)[fx], f, &imabuf[fx])) {
			rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", name);
			goto out;
		}
	}
	rc = evmpkg_pkg_open(out, name, mstate, man.data, man.count, pf, n, &po, err);
out:
	for (size_t fx = 0; fx < n; fx++) {
		if (paths)
			free(paths[fx]);
		if (imabuf)
			free(imabuf[fx]);
	}
	free(paths);
	free(pf);
	free(imabuf);
	rpmtdFreeData(&man);
	rpmtdFreeData(&sigs);
	return rc;
}
