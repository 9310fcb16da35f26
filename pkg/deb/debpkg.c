// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .deb reading: see debpkg.h. Here the ar members and their order, open,
 * the accessors and close; control.tar in debctl.c, data.tar in debdata.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debimpl.h"

/* ---- the ar members ---- */

/* A member's compression from the text after "control.tar" or "data.tar". */
static int comp_of(const char *ext, int data, enum debcomp *c)
{
	static const struct {
		const char *ext;
		enum debcomp comp;
		int data_only;	/* dpkg 1.21 reads bzip2 in data.tar only */
	} t[] = {
		{ "", DEBCOMP_NONE, 0 }, { ".gz", DEBCOMP_GZIP, 0 },
		{ ".xz", DEBCOMP_XZ, 0 }, { ".zst", DEBCOMP_ZSTD, 0 },
		{ ".bz2", DEBCOMP_BZIP2, 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(ext, t[i].ext) && (data || !t[i].data_only)) {
			*c = t[i].comp;
			return 0;
		}
	return -1;
}

/* The member order dpkg-deb (src/deb/extract.c) accepts. */
static int classify(struct evmpkg_debpkg *p, struct evmpkg_err *err)
{
	const char *want;
	uint8_t ver[4];
	int have_ctl = 0, have_data = 0;

	if (!p->nar || strcmp(p->ar[0].name, "debian-binary"))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: not a Debian package: first ar member is '%s', not 'debian-binary'",
				   p->path, p->nar ? p->ar[0].name : "(none)");
	if (p->ar[0].size != 4 || evmpkg_debar_pread(p->fd, ver, 4, p->ar[0].off) ||
	    memcmp(ver, "2.0\n", 4))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: debian-binary: format version is not \"2.0\" (%lld bytes)",
				   p->path, (long long)p->ar[0].size);
	for (size_t i = 1; i < p->nar; i++) {
		const char *n = p->ar[i].name;

		/* dpkg skips '_' members wherever they are; debsigs appends them. */
		if (n[0] == '_') {
			if (!strncmp(n, "_gpg", 4))
				p->has_debsigs = 1;
			continue;
		}
		if (have_data)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: unexpected ar member '%s' after the data member (only '_' members may follow it)",
					   p->path, n);
		/* Next comes control.tar, then data.tar. */
		want = have_ctl ? "data.tar" : "control.tar";
		if (strncmp(n, want, strlen(want)))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: has premature member '%s' before '%s' (dpkg refuses it)",
					   p->path, n, want);
		if (comp_of(n + strlen(want), have_ctl, have_ctl ? &p->data_comp : &p->ctl_comp))
			return evmpkg_fail(err, EVMPKG_EUNSUPP,
					   "%s: uses unknown compression for member '%s' (readable: %s, %s.gz, .xz, .zst%s)",
					   p->path, n, want, want, have_ctl ? ", .bz2" : "");
		*(have_ctl ? &p->data_ix : &p->ctl_ix) = i;
		*(have_ctl ? &have_data : &have_ctl) = 1;
	}
	if (!have_data)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: no %s member", p->path,
				   have_ctl ? "data.tar" : "control.tar");
	return 0;
}

/* ---- open, accessors, close ---- */

/* with_data: read data.tar's entry list, hashing contents with algo (0: not). */
static int deb_open(const char *path, int with_data, int algo, struct evmpkg_debpkg **out,
		    struct evmpkg_err *err)
{
	struct evmpkg_debpkg *p = calloc(1, sizeof(*p));
	struct stat st;
	int rc;

	*out = NULL;
	if (!p || !(p->path = strdup(path))) {
		free(p);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", path);
	}
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0 || fstat(p->fd, &st)) {
		rc = evmpkg_fail_errno(err, errno, "%s: cannot open", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: not a regular file", path);
		goto fail;
	}
	p->file_size = st.st_size;
	if ((rc = evmpkg_debar_read(p->fd, p->file_size, path, &p->ar, &p->nar, err)) ||
	    (rc = classify(p, err)) || (rc = evmpkg_debctl_read(p, err)) ||
	    (rc = evmpkg_debctl_fields(p, err)) ||
	    (with_data && (rc = evmpkg_deb_read_data(p, algo, err))))
		goto fail;
	*out = p;
	return 0;
fail:
	evmpkg_deb_close(p);
	return rc;
}

int evmpkg_deb_open(const char *path, struct evmpkg_debpkg **out,
		    struct evmpkg_err *err)
{
	return deb_open(path, 1, 0, out, err);
}

int evmpkg_deb_open_hashed(const char *path, int algo, struct evmpkg_debpkg **out,
			   struct evmpkg_err *err)
{
	return deb_open(path, 1, algo, out, err);
}

int evmpkg_deb_open_control(const char *path, struct evmpkg_debpkg **out,
			    struct evmpkg_err *err)
{
	return deb_open(path, 0, 0, out, err);
}

int evmpkg_deb_read_data(struct evmpkg_debpkg *p, int algo, struct evmpkg_err *err)
{
	int rc;

	if (p->data_read)
		return EVMPKG_OK;
	if (!(rc = evmpkg_debdata_read(p, algo, err)))
		p->data_read = 1;
	return rc;
}

void evmpkg_deb_close(struct evmpkg_debpkg *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	evmpkg_debctl_free(p);
	evmpkg_debdata_free(p);
	free(p->ar);
	free(p->package);
	free(p->version);
	free(p->arch);
	free(p->name);
	free(p->path);
	free(p);
}

const char *evmpkg_deb_package(const struct evmpkg_debpkg *p)
{
	return p->package;
}

const char *evmpkg_deb_version(const struct evmpkg_debpkg *p)
{
	return p->version;
}

const char *evmpkg_deb_arch(const struct evmpkg_debpkg *p)
{
	return p->arch;
}

const char *evmpkg_deb_name(const struct evmpkg_debpkg *p)
{
	return p->name;
}

size_t evmpkg_deb_nfiles(const struct evmpkg_debpkg *p)
{
	return p->nfiles;
}

const struct evmpkg_debfile *evmpkg_deb_file(const struct evmpkg_debpkg *p, size_t i)
{
	return i < p->nfiles ? &p->f[i] : NULL;
}

int evmpkg_deb_control_member(const struct evmpkg_debpkg *p, const char *name,
			      const uint8_t **data, size_t *len)
{
	for (size_t i = 0; i < p->nctl; i++)
		if (p->ctl[i].type == DEBTAR_REG && !strcmp(p->ctl[i].name, name)) {
			*data = p->ctl[i].data;
			*len = p->ctl[i].len;
			return 0;
		}
	return -1;
}

int evmpkg_deb_has_debsigs(const struct evmpkg_debpkg *p)
{
	return p->has_debsigs;
}
