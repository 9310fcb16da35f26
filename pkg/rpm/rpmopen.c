// SPDX-License-Identifier: GPL-2.0-or-later
/* rpm package reading: evmpkg_rpm_open and close, the file list and digests, accessors. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rpm/header.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>

#include "evmpkg/hashalgo.h"
#include "evmpkg/hex.h"
#include "rpmimpl.h"

/* ---- the file list ---- */

/* Per-file tags: one entry per file, of the type rpm expects. */
static int check_file_tags(struct evmpkg_rpmpkg *p, uint32_t fc,
			   struct evmpkg_err *err)
{
	static const struct {
		uint32_t tag;
		int type;
		int required;
		const char *name;
	} t[] = {
		{ TAG_DIRINDEXES, T_INT32, 1, "DIRINDEXES" },
		{ TAG_FILEMODES, T_INT16, 1, "FILEMODES" },
		{ TAG_FILEFLAGS, T_INT32, 1, "FILEFLAGS" },
		{ TAG_FILEUSERNAME, T_STRING_ARRAY, 1, "FILEUSERNAME" },
		{ TAG_FILEGROUPNAME, T_STRING_ARRAY, 1, "FILEGROUPNAME" },
		{ TAG_FILEDIGESTS, T_STRING_ARRAY, 1, "FILEDIGESTS" },
		{ TAG_FILESIZES, T_INT32, 0, "FILESIZES" },
		{ TAG_LONGFILESIZES, T_INT64, 0, "LONGFILESIZES" },
		{ TAG_FILEINODES, T_INT32, 0, "FILEINODES" },
		{ TAG_FILEDEVICES, T_INT32, 0, "FILEDEVICES" },
		{ TAG_FILELINKTOS, T_STRING_ARRAY, 0, "FILELINKTOS" },
		{ TAG_FILECAPS, T_STRING_ARRAY, 0, "FILECAPS" },
		{ TAG_FILESIGNATURES, T_STRING_ARRAY, 0, "FILESIGNATURES" },
		{ TAG_ORIGBASENAMES, T_STRING_ARRAY, 0, "ORIGBASENAMES" },
		{ TAG_ORIGDIRINDEXES, T_INT32, 0, "ORIGDIRINDEXES" },
	};
	struct rpmtd_s td;
	uint32_t n, ndirs = 0;
	int ty;

	ty = evmpkg_rpmi_tag_type(p->h, TAG_DIRNAMES, &ndirs);
	if (ty != T_STRING_ARRAY || ndirs < 1)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: DIRNAMES is missing or malformed",
				   p->path);
	for (size_t i = 0; i < NELEM(t); i++) {
		ty = evmpkg_rpmi_tag_type(p->h, t[i].tag, &n);
		if (!ty && !t[i].required)
			continue;
		if (!ty)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: main header: %s is missing", p->path,
					   t[i].name);
		if (ty != t[i].type || n != fc)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: main header: %s has %u entries of type %d for %u files",
					   p->path, t[i].name, n, ty, fc);
	}
	if (!evmpkg_rpmi_tag_type(p->h, TAG_FILESIZES, &n) &&
	    !evmpkg_rpmi_tag_type(p->h, TAG_LONGFILESIZES, &n))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: main header: FILESIZES is missing",
				   p->path);
	if (evmpkg_rpmi_get_typed(p->h, TAG_DIRINDEXES, RPM_INT32_TYPE, fc, &td) == 1) {
		const uint32_t *dx = td.data;

		for (uint32_t i = 0; i < fc; i++)
			if (dx[i] >= ndirs) {
				rpmtdFreeData(&td);
				return evmpkg_fail(err, EVMPKG_EINVAL,
						   "%s: main header: DIRINDEXES entry %u is %u, beyond %u DIRNAMES",
						   p->path, i, dx[i], ndirs);
			}
		rpmtdFreeData(&td);
	}
	return 0;
}

/* Binary file digests from RPMTAG_FILEDIGESTS; NULL/0 for "" entries. */
static int load_digests(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	struct rpmtd_s td;
	size_t dlen = 0;
	uint32_t algo = EVMPKG_RPMHASH_MD5;	/* rpm's default without FILEDIGESTALGO */
	const char *s;
	int got;

	got = evmpkg_rpmi_get_typed(p->h, TAG_FILEDIGESTALGO, RPM_INT32_TYPE, 1, &td);
	if (got < 0)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: FILEDIGESTALGO is malformed", p->path);
	if (got) {
		algo = *rpmtdGetUint32(&td);
		rpmtdFreeData(&td);
	}
	p->rpm_digest_algo = (int)algo;
	if (evmpkg_rpmi_get_typed(p->h, TAG_FILEDIGESTS, RPM_STRING_ARRAY_TYPE,
				  (uint32_t)p->nfiles, &td) != 1)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: FILEDIGESTS is malformed", p->path);
	if (evmpkg_rpmhash((int)algo)) {
		dlen = evmpkg_rpmhash((int)algo)->size;
	} else {
		/* An algorithm we do not know: take the entries' length. */
		while ((s = rpmtdNextString(&td)))
			if (*s) {
				dlen = strlen(s) / 2;
				break;
			}
		rpmtdInit(&td);
	}
	if (dlen && !(p->digests = calloc(p->nfiles, dlen))) {
		rpmtdFreeData(&td);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	}
	for (size_t i = 0; (s = rpmtdNextString(&td)); i++) {
		if (!*s)
			continue;
		if (!dlen || evmpkg_hex_decode(s, p->digests + i * dlen, dlen, 0, NULL)) {
			rpmtdFreeData(&td);
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: FILEDIGESTS: not a %zu-byte hex digest",
					   p->path, p->paths[i], dlen);
		}
		p->f[i].digest = p->digests + i * dlen;
		p->f[i].digest_len = dlen;
	}
	rpmtdFreeData(&td);
	return 0;
}

static int load_files(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	uint32_t fc = 0;
	int ty, got, kid;

	ty = evmpkg_rpmi_tag_type(p->h, TAG_BASENAMES, &fc);
	if (!ty) {
		if (evmpkg_rpmi_tag_type(p->h, TAG_OLDFILENAMES, &fc))
			return evmpkg_fail(err, EVMPKG_EUNSUPP,
					   "%s: main header: OLDFILENAMES without BASENAMES: package format too old",
					   p->path);
		return 0;	/* no files */
	}
	if (ty != T_STRING_ARRAY || fc < 1)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: BASENAMES is malformed", p->path);
	if (check_file_tags(p, fc, err))
		return err ? err->rc : EVMPKG_EINVAL;

	/*
	 * rpmfiles for names, owners, modes, flags, sizes and hardlink sets;
	 * the tags it would complain about (through rpmlog) are checked
	 * above, and digests, caps and signatures are read here directly.
	 */
	p->files = rpmfilesNew(NULL, p->h, RPMTAG_BASENAMES,
			       RPMFI_NOFILECLASS | RPMFI_NOFILEDEPS |
			       RPMFI_NOFILELANGS | RPMFI_NOFILECOLORS |
			       RPMFI_NOFILEVERIFYFLAGS | RPMFI_NOFILESTATES |
			       RPMFI_NOFILECAPS | RPMFI_NOFILEDIGESTS |
			       RPMFI_NOFILEMTIMES | RPMFI_NOFILERDEVS |
			       RPMFI_NOFILESIGNATURES | RPMFI_NOVERITYSIGNATURES);
	if (!p->files || (uint32_t)rpmfilesFC(p->files) != fc)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: the file list is malformed", p->path);
	p->nfiles = fc;
	p->f = calloc(fc, sizeof(*p->f));
	p->paths = calloc(fc, sizeof(*p->paths));
	if (!p->f || !p->paths)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);

	got = evmpkg_rpmi_get_typed(p->h, TAG_FILECAPS, RPM_STRING_ARRAY_TYPE, fc, &p->caps_td);
	/* The quirk rpm allows: FILESIGNATURES in the signature header. */
	ty = evmpkg_rpmi_get_typed(p->h, TAG_FILESIGNATURES, RPM_STRING_ARRAY_TYPE, fc,
				   &p->sigs_td);
	if (!ty) {
		ty = evmpkg_rpmi_get_typed(p->sigh, SIG_FILESIGNATURES, RPM_STRING_ARRAY_TYPE,
					   fc, &p->sigs_td);
		if (ty < 0)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: signature header: FILESIGNATURES (274) does not have one string per file",
					   p->path);
		/*
		 * Into the main header, as rpm merges them when it reads a
		 * package (always so in v6 packages), so a file set made from
		 * it (inspect) has them; the writer takes them out again.
		 */
		if (ty > 0) {
			if (evmpkg_rpmi_put_tag(p->h, TAG_FILESIGNATURES, RPM_STRING_ARRAY_TYPE,
						p->sigs_td.data, fc))
				return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
			p->sigs_merged = 1;
		}
	}
	if (got < 0 || ty < 0)	/* checked in check_file_tags */
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: main header: malformed", p->path);

	for (uint32_t i = 0; i < fc; i++) {
		struct evmpkg_rpmfile *f = &p->f[i];
		const int *links = NULL;
		uint32_t nl;

		p->paths[i] = rpmfilesFN(p->files, (int)i);
		if (!p->paths[i])
			return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		f->path = p->paths[i];
		f->user = rpmfilesFUser(p->files, (int)i);
		f->group = rpmfilesFGroup(p->files, (int)i);
		if (!f->user || !f->group)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: FILEUSERNAME/FILEGROUPNAME: missing",
					   p->path, f->path);
		f->mode = (uint16_t)rpmfilesFMode(p->files, (int)i);
		f->flags = rpmfilesFFlags(p->files, (int)i);
		/* rpm's archive reader allocates a symlink's FILESIZES bytes. */
		if (S_ISLNK(f->mode) && rpmfilesFSize(p->files, (int)i) >= PATH_MAX)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: FILESIZES: %llu bytes for a symlink target (at most %d)",
					   p->path, f->path,
					   (unsigned long long)rpmfilesFSize(p->files, (int)i),
					   PATH_MAX - 1);
		f->caps = "";
		if (got > 0) {
			const char *c = ((const char **)p->caps_td.data)[i];

			f->caps = c ? c : "";
		}
		f->existing_sig = ty > 0 ? ((const char **)p->sigs_td.data)[i] : NULL;
		f->is_reg = S_ISREG(f->mode) && !(f->flags & EVMPKG_RPMFILE_GHOST);
		f->hardlink_group = -1;
		nl = rpmfilesFLinks(p->files, (int)i, &links);
		if (nl > 1 && links) {
			int first = links[0];

			for (uint32_t j = 1; j < nl; j++)
				if (links[j] < first)
					first = links[j];
			f->hardlink_group = first;
		}
	}
	if (load_digests(p, err))
		return err ? err->rc : EVMPKG_EINVAL;
	kid = evmpkg_hash_from_rpm(p->rpm_digest_algo);
	for (uint32_t i = 0; i < fc; i++)
		p->f[i].digest_algo = kid;
	return 0;
}

/* ---- open ---- */

int evmpkg_rpm_open(const char *path, struct evmpkg_rpmpkg **out,
		    struct evmpkg_err *err)
{
	struct evmpkg_rpmpkg *p;
	struct stat st;
	int rc;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(path))) {
		free(p);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", path);
	}
	rpmtdReset(&p->caps_td);
	rpmtdReset(&p->sigs_td);
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0) {
		rc = evmpkg_fail_errno(err, errno, "%s: open", path);
		goto fail;
	}
	if (fstat(p->fd, &st)) {
		rc = evmpkg_fail_errno(err, errno, "%s: stat", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: not a regular file", path);
		goto fail;
	}
	p->file_size = st.st_size;

	if ((rc = evmpkg_rpmi_read_headers(p, err)))
		goto fail;
	if ((rc = evmpkg_rpmi_check_header_digests(p, err)))
		goto fail;
	for (size_t i = 0; i < NELEM(evmpkg_rpmi_pgp_tags); i++)
		if (headerIsEntry(p->sigh, (rpmTagVal)evmpkg_rpmi_pgp_tags[i]))
			p->has_pgp = 1;
	p->nevra = headerGetAsString(p->h, RPMTAG_NEVRA);
	if (!p->nevra) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: main header: no name", path);
		goto fail;
	}
	if ((rc = load_files(p, err)))
		goto fail;
	*out = p;
	return 0;
fail:
	evmpkg_rpm_close(p);
	return rc ? rc : EVMPKG_EINVAL;
}

void evmpkg_rpm_close(struct evmpkg_rpmpkg *p)
{
	if (!p)
		return;
	if (p->paths)
		for (size_t i = 0; i < p->nfiles; i++)
			free(p->paths[i]);
	free(p->paths);
	free(p->f);
	free(p->digests);
	rpmtdFreeData(&p->caps_td);
	rpmtdFreeData(&p->sigs_td);
	rpmfilesFree(p->files);
	headerFree(p->h);
	headerFree(p->sigh);
	free(p->nevra);
	free(p->sigraw);
	free(p->hdrraw);
	if (p->fd >= 0)
		close(p->fd);
	free(p->path);
	free(p);
}

const char *evmpkg_rpm_nevra(const struct evmpkg_rpmpkg *p)
{
	return p->nevra;
}

size_t evmpkg_rpm_nfiles(const struct evmpkg_rpmpkg *p)
{
	return p->nfiles;
}

const struct evmpkg_rpmfile *evmpkg_rpm_file(const struct evmpkg_rpmpkg *p,
					     size_t i)
{
	return i < p->nfiles ? &p->f[i] : NULL;
}

void *evmpkg_rpm_header(const struct evmpkg_rpmpkg *p)
{
	return p->h;
}

int evmpkg_rpm_has_pgp_sig(const struct evmpkg_rpmpkg *p)
{
	return p->has_pgp;
}
