// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .deb writing: see evmpkg_deb_write in debpkg.h. Only control.tar is
 * rebuilt (with libarchive's tar writer and compression filters, in the
 * GNU format dpkg-deb uses); every other member's bytes are copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "evmpkg/atomicfile.h"
#include "evmpkg/reader.h"
#include "debimpl.h"

/* A name dpkg installs as /var/lib/dpkg/info/<pkg>.<name> (src/main/unpack.c). */
static const char *member_problem(const char *m)
{
	if (!m || !*m)
		return "is empty";
	if (strlen(m) > EVMPKG_DEB_MEMBER_MAX)
		return "is longer than 100 bytes (dpkg's limit)";
	if (strchr(m, '.'))
		return "contains a dot (dpkg would not install it)";
	for (const char *c = m; *c; c++)
		if (*c <= ' ' || *c == '/' || *c == 0x7f)
			return "contains a '/', a blank or a control character";
	if (!strcmp(m, "control") || !strcmp(m, "list"))
		return "is reserved by dpkg";
	return NULL;
}

static la_ssize_t to_buf(struct archive *a, void *arg, const void *p, size_t n)
{
	struct evmpkg_buf *b = arg;

	evmpkg_buf_put(b, p, n);
	if (b->oom) {
		archive_set_error(a, ENOMEM, "out of memory");
		return -1;
	}
	return (la_ssize_t)n;
}

/* The compression the member had: dpkg-deb's gzip level and no gzip
 * timestamp (the same input gives the same bytes), a fast xz level. */
static int add_filter(struct archive *a, enum debcomp c)
{
	switch (c) {
	case DEBCOMP_NONE:
		return archive_write_add_filter_none(a);
	case DEBCOMP_GZIP:
		if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
		    archive_write_set_filter_option(a, "gzip", "compression-level", "9") != ARCHIVE_OK)
			return ARCHIVE_FATAL;
		return archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	case DEBCOMP_XZ:
		/*
		 * Level 0, not xz's 6: the manifest is mostly signatures, which
		 * do not compress. For 5,000 files level 6 took two seconds,
		 * level 1 about one, level 0 a quarter of that, for output 0.3%
		 * larger.
		 */
		if (archive_write_add_filter_xz(a) != ARCHIVE_OK)
			return ARCHIVE_FATAL;
		return archive_write_set_filter_option(a, "xz", "compression-level", "0");
	case DEBCOMP_ZSTD:
		return archive_write_add_filter_zstd(a);
	default:
		return ARCHIVE_FATAL;
	}
}

static int put_entry(struct archive *a, const struct debctl *c)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (!e)
		return ARCHIVE_FATAL;
	archive_entry_set_pathname(e, c->tarname);
	archive_entry_set_filetype(e, c->type == DEBTAR_DIR ? AE_IFDIR :
				   c->type == DEBTAR_SYMLINK ? AE_IFLNK : AE_IFREG);
	archive_entry_set_perm(e, c->mode);
	archive_entry_set_uid(e, c->uid);
	archive_entry_set_gid(e, c->gid);
	archive_entry_set_uname(e, c->uname);
	archive_entry_set_gname(e, c->gname);
	archive_entry_set_mtime(e, c->mtime, 0);
	if (c->type == DEBTAR_SYMLINK)
		archive_entry_set_symlink(e, c->linkname);
	archive_entry_set_size(e, c->type == DEBTAR_REG ? (la_int64_t)c->len : 0);
	r = archive_write_header(a, e);
	if (r == ARCHIVE_OK && c->type == DEBTAR_REG && c->len &&
	    archive_write_data(a, c->data, c->len) != (la_ssize_t)c->len)
		r = ARCHIVE_FATAL;
	archive_entry_free(e);
	return r;
}

/* The new control.tar, compressed, into out. */
static int build_control(struct evmpkg_debpkg *p, const char *member,
			 const void *blob, size_t len, struct evmpkg_buf *out,
			 struct evmpkg_err *err)
{
	const char *mname = p->ar[p->ctl_ix].name;
	struct archive *a = archive_write_new();
	struct debctl add = { .type = DEBTAR_REG, .mode = 0644, .uname = "root",
			      .gname = "root", .data = (uint8_t *)blob, .len = len };
	char tarname[EVMPKG_DEB_MEMBER_MAX + 3];
	int r = a ? ARCHIVE_OK : ARCHIVE_FATAL, rc, dotslash = 0;

	for (size_t i = 0; i < p->nctl; i++) {
		if (!strcmp(p->ctl[i].name, "control"))
			add.mtime = p->ctl[i].mtime;
		dotslash |= !strncmp(p->ctl[i].tarname, "./", 2);
	}
	/* The new member named like the others: "./evmsig" as dpkg-deb does. */
	snprintf(tarname, sizeof(tarname), "%s%s", dotslash ? "./" : "", member);
	add.tarname = tarname;
	if (r == ARCHIVE_OK)
		r = archive_write_set_format_gnutar(a);
	if (r == ARCHIVE_OK)
		r = add_filter(a, p->ctl_comp);
	/* libarchive pads what the last filter writes to 10240 bytes: right
	 * for a plain tar (GNU tar does so too), but after compression it
	 * would append zeros that dpkg-deb never writes. */
	if (r == ARCHIVE_OK && p->ctl_comp != DEBCOMP_NONE)
		r = archive_write_set_bytes_in_last_block(a, 1);
	if (r == ARCHIVE_OK)
		r = archive_write_open(a, out, NULL, to_buf, NULL);
	for (size_t i = 0; r == ARCHIVE_OK && i < p->nctl; i++)
		if (strcmp(p->ctl[i].name, member))
			r = put_entry(a, &p->ctl[i]);
	if (r == ARCHIVE_OK && len)
		r = put_entry(a, &add);
	if (r == ARCHIVE_OK)
		r = archive_write_close(a);
	if (r == ARCHIVE_OK)
		rc = 0;
	else
		rc = evmpkg_fail(err, out->oom || !a ? EVMPKG_ENOMEM : EVMPKG_EIO,
				 "%s: %s: cannot rebuild: %s", p->path, mname,
				 a && archive_error_string(a) ? archive_error_string(a) :
								 "out of memory");
	if (a)
		archive_write_free(a);
	return rc;
}

/* A member's bytes, copied from the package file. */
static int copy_member(struct evmpkg_debpkg *p, const struct debar_member *m,
		       struct evmpkg_atomicfile *af, uint8_t *buf, struct evmpkg_err *err)
{
	for (off_t done = 0; done < m->size;) {
		size_t n = m->size - done > DEB_COPY_CHUNK ? DEB_COPY_CHUNK :
							      (size_t)(m->size - done);
		int rc;

		if (evmpkg_debar_pread(p->fd, buf, n, m->off + done))
			return errno ? evmpkg_fail_errno(err, errno, "%s: %s: read", p->path, m->name) :
				       evmpkg_fail(err, EVMPKG_EIO, "%s: %s: the file shrank while being read",
						   p->path, m->name);
		if ((rc = evmpkg_atomic_put(af, buf, n, err)))
			return rc;
		done += (off_t)n;
	}
	return 0;
}

/* The output's mode: the one of the file it replaces, else the input's. */
static mode_t out_mode(const struct evmpkg_debpkg *p, const char *outpath)
{
	struct stat st;

	if (stat(outpath, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	return fstat(p->fd, &st) == 0 ? st.st_mode & 0777 : 0644;
}

int evmpkg_deb_write(struct evmpkg_debpkg *p, const char *member,
		     const void *blob, size_t len, const char *outpath,
		     int *dropped_debsigs, struct evmpkg_err *err)
{
	struct evmpkg_atomicfile af = EVMPKG_ATOMICFILE_INIT;
	struct evmpkg_buf ctl;
	const char *why = member_problem(member);
	char hdr[DEBAR_HDR_LEN + 1];
	uint8_t *buf = NULL;
	mode_t mode;
	int rc;

	if (dropped_debsigs)
		*dropped_debsigs = 0;
	evmpkg_buf_init(&ctl);
	if (why)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: control member '%s' %s",
				   p->path, member ? member : "", why);
	if (len && !blob)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: control member '%s': no data",
				   p->path, member);
	if ((rc = build_control(p, member, blob, len, &ctl, err)))
		goto out;
	if (!(buf = malloc(DEB_COPY_CHUNK))) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		goto out;
	}
	mode = out_mode(p, outpath);
	if ((rc = evmpkg_atomic_open(&af, outpath, err)) ||
	    (rc = evmpkg_atomic_put(&af, DEBAR_MAGIC, DEBAR_MAGIC_LEN, err)))
		goto out;
	for (size_t i = 0; i < p->nar; i++) {
		const struct debar_member *m = &p->ar[i];
		uint64_t size = i == p->ctl_ix ? ctl.len : (uint64_t)m->size;

		/* A debsigs signature covers the old control.tar: it would not verify. */
		if (!strncmp(m->name, "_gpg", 4))
			continue;
		if (evmpkg_debar_header(hdr, m->name, m->mtime, size)) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: too large for an ar header",
					 outpath, m->name);
			goto out;
		}
		if ((rc = evmpkg_atomic_put(&af, hdr, DEBAR_HDR_LEN, err)) ||
		    (rc = i == p->ctl_ix ? evmpkg_atomic_put(&af, ctl.data, ctl.len, err) :
					   copy_member(p, m, &af, buf, err)) ||
		    (rc = evmpkg_atomic_put(&af, "\n", size & 1, err)))
			goto out;
	}
	if ((rc = evmpkg_atomic_commit(&af, mode, err)))
		goto out;
	if (dropped_debsigs)
		*dropped_debsigs = p->has_debsigs;
out:
	evmpkg_atomic_abort(&af);	/* nothing left to do after commit */
	evmpkg_buf_free(&ctl);
	free(buf);
	return rc;
}
