// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pax tar of a whole root for rootless image tools (tar2sqfs, mke2fs
 * -d TARBALL, tar --xattrs): read with libarchive's disk reader, written
 * with its pax writer, so every xattr is a SCHILY.xattr record. Signed
 * files get the signed owner, mode and security.* values; everything else
 * is as the tree has it. Owners are written as numbers only: names would
 * be this system's, not the root's.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "evmpkg/atomicfile.h"
#include "export.h"

struct tarw {
	struct archive *d, *w;
	struct archive_entry_linkresolver *links;
	const struct export_set *s;
	size_t rootlen;
	dev_t outdev;		/* the output file, if it is under the root */
	ino_t outino;
	int reported;
};

/* The entry's name in the archive: "." for the root, else relative. */
static int rename_entry(struct tarw *t, struct archive_entry *e, char **rel)
{
	const char *p = archive_entry_pathname(e);

	if (!p || strlen(p) < t->rootlen)
		return -1;
	p += t->rootlen;
	while (*p == '/')
		p++;
	if (asprintf(rel, "/%s", p) < 0)
		return -1;
	archive_entry_copy_pathname(e, *p ? p : ".");
	return 0;
}

struct kept {
	char *name;
	void *val;
	size_t len;
};

/* A signed file: the signed values replace the tree's security.* ones. */
static int sign_entry(struct archive_entry *e, const struct export_rec *r)
{
	struct kept *keep = NULL, *nk;
	size_t nkeep = 0;
	const char *name;
	const void *val;
	size_t len;
	int rc = 0;

	archive_entry_xattr_reset(e);
	while (!rc && archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
		if (!strncmp(name, "security.", 9))
			continue;
		if (!(nk = realloc(keep, (nkeep + 1) * sizeof(*keep))) ||
		    !((keep = nk)[nkeep].name = strdup(name)) ||
		    !(keep[nkeep].val = malloc(len ? len : 1))) {
			if (nk)
				free(keep[nkeep].name);
			rc = -1;
			break;
		}
		memcpy(keep[nkeep].val, val, len);
		keep[nkeep++].len = len;
	}
	/* libarchive lists xattrs last added first: add in reverse to write
	 * them in the kernel's order, security.evm last (tar -x on a system
	 * enforcing EVM sets them in that order). */
	archive_entry_xattr_clear(e);
	for (int i = XV_N - 1; i >= 0; i--)
		if (r->val[i])
			archive_entry_xattr_add_entry(e, export_xattr_names[i], r->val[i], r->len[i]);
	for (size_t i = nkeep; i-- > 0;) {
		archive_entry_xattr_add_entry(e, keep[i].name, keep[i].val, keep[i].len);
		free(keep[i].name);
		free(keep[i].val);
	}
	free(keep);
	if (r->meta) {
		archive_entry_set_uid(e, r->uid);
		archive_entry_set_gid(e, r->gid);
		archive_entry_set_perm(e, r->mode & 07777);
	}
	return rc;
}

/* The tar writer takes data in order: holes of a sparse file become zeros. */
static int put_data(struct tarw *t, const void *p, size_t n)
{
	while (n) {
		la_ssize_t w = archive_write_data(t->w, p, n);

		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

static int copy_data(struct tarw *t)
{
	static const char zeros[16384];
	const void *buf;
	size_t size;
	la_int64_t off, pos = 0;
	int r;

	while ((r = archive_read_data_block(t->d, &buf, &size, &off)) == ARCHIVE_OK) {
		for (; pos < off; ) {
			size_t z = off - pos < (la_int64_t)sizeof(zeros) ? (size_t)(off - pos) : sizeof(zeros);

			if (put_data(t, zeros, z))
				return -1;
			pos += (la_int64_t)z;
		}
		if (put_data(t, buf, size))
			return -1;
		pos += (la_int64_t)size;
	}
	return r == ARCHIVE_EOF ? 0 : -1;
}

static int write_one(struct tarw *t, struct archive_entry *e, int with_data)
{
	int r = archive_write_header(t->w, e);

	if (r < ARCHIVE_WARN) {
		cli_err("export: %s: %s", archive_entry_pathname(e), archive_error_string(t->w));
		return -1;
	}
	if (r == ARCHIVE_WARN) {
		cli_err("export: %s: %s", archive_entry_pathname(e), archive_error_string(t->w));
		t->reported = 1;
	}
	if (with_data && archive_entry_size(e) > 0 && copy_data(t)) {
		cli_err("export: %s: %s", archive_entry_pathname(e),
			archive_error_string(t->d) ? archive_error_string(t->d) :
			archive_error_string(t->w));
		return -1;
	}
	return 0;
}

/* One entry of the walk; 1 when it is not archived. */
static int one_entry(struct tarw *t, struct archive_entry *e)
{
	struct archive_entry *out = e, *sparse = NULL;
	const struct export_rec *r;
	char *rel = NULL;
	int rc;

	if (archive_entry_filetype(e) == AE_IFREG && archive_entry_dev(e) == t->outdev &&
	    (ino_t)archive_entry_ino(e) == t->outino)
		return 1;
	if (rename_entry(t, e, &rel)) {
		cli_err("export: %s: out of memory", archive_entry_pathname(e));
		return -1;
	}
	if (archive_entry_filetype(e) == AE_IFSOCK) {
		cli_err("export: %s: a socket, left out (tar cannot hold one)", rel);
		t->reported = 1;
		free(rel);
		return 1;
	}
	r = archive_entry_filetype(e) == AE_IFREG ?
		export_set_find(t->s, rel, archive_entry_dev(e), archive_entry_ino(e),
				(int)archive_entry_nlink(e)) : NULL;
	free(rel);
	if (r && sign_entry(e, r)) {
		cli_err("export: %s: out of memory", archive_entry_pathname(e));
		return -1;
	}
	archive_entry_set_uname(e, NULL);
	archive_entry_set_gname(e, NULL);
	/* The first path of a hard link set carries the data, later ones link to it. */
	archive_entry_linkify(t->links, &out, &sparse);
	rc = out ? write_one(t, out, out == e) : 0;
	if (!rc && sparse)
		rc = write_one(t, sparse, 0);
	return rc;
}

static int walk(struct tarw *t, const char *root)
{
	struct archive_entry *e = archive_entry_new();
	int r, rc = 0;

	if (!e)
		return -1;
	if (archive_read_disk_open(t->d, root) != ARCHIVE_OK) {
		cli_err("export: %s: %s", root, archive_error_string(t->d));
		archive_entry_free(e);
		return -1;
	}
	for (;;) {
		archive_entry_clear(e);
		r = archive_read_next_header2(t->d, e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			cli_err("export: %s", archive_error_string(t->d));
			rc = -1;
			break;
		}
		if (r == ARCHIVE_WARN) {
			cli_err("export: %s: %s", archive_entry_pathname(e),
				archive_error_string(t->d));
			t->reported = 1;
		}
		archive_read_disk_descend(t->d);
		if (one_entry(t, e) < 0) {
			rc = -1;
			break;
		}
	}
	archive_entry_free(e);
	return rc;
}

int export_tar(const char *root, const struct export_set *s, const char *out)
{
	struct evmpkg_atomicfile af = EVMPKG_ATOMICFILE_INIT;
	struct evmpkg_err err = { 0 };
	struct tarw t = { .s = s, .rootlen = strlen(root) };
	struct stat st;
	int fd = STDOUT_FILENO, rc = -1;

	/* pax names are UTF-8: in the C locale libarchive cannot convert a
	 * name with a byte >= 0x80 and writes it raw with hdrcharset=BINARY,
	 * which GNU tar and others warn about. File names are bytes; a
	 * UTF-8 locale passes valid UTF-8 through and still falls back for
	 * the rest. */
	if (!setlocale(LC_CTYPE, "") || strcmp(nl_langinfo(CODESET), "UTF-8"))
		setlocale(LC_CTYPE, "C.UTF-8");
	while (t.rootlen > 1 && root[t.rootlen - 1] == '/')
		t.rootlen--;
	if (strcmp(out, "-")) {
		if (evmpkg_atomic_open(&af, out, &err)) {
			cli_err("export: %s", err.msg);
			return -1;
		}
		fd = af.fd;
		if (!fstat(fd, &st)) {
			t.outdev = st.st_dev;
			t.outino = st.st_ino;
		}
	}
	t.d = archive_read_disk_new();
	t.w = archive_write_new();
	t.links = archive_entry_linkresolver_new();
	if (!t.d || !t.w || !t.links) {
		cli_err("export: out of memory");
		goto out;
	}
	archive_read_disk_set_symlink_physical(t.d);
	/* Mounts under the root (proc, sys, dev in a chroot) are not the image;
	 * inode flags (extents, immutable) are the building system's. */
	archive_read_disk_set_behavior(t.d, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS |
				       ARCHIVE_READDISK_NO_FFLAGS);
	archive_entry_linkresolver_set_strategy(t.links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
	/* SCHILY.xattr records only: the form GNU tar, tar2sqfs and e2fsprogs
	 * read; libarchive's own LIBARCHIVE.xattr copies would be ignored. */
	if (archive_write_set_format_pax_restricted(t.w) != ARCHIVE_OK ||
	    archive_write_set_format_option(t.w, "pax", "xattrheader", "SCHILY") != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(t.w, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(t.w, fd) != ARCHIVE_OK) {
		cli_err("export: %s: %s", out, archive_error_string(t.w));
		goto out;
	}
	if (walk(&t, root))
		goto out;
	if (archive_write_close(t.w) != ARCHIVE_OK) {
		cli_err("export: %s: %s", out, archive_error_string(t.w));
		goto out;
	}
	rc = t.reported;
out:
	if (t.links)
		archive_entry_linkresolver_free(t.links);
	if (t.w)
		archive_write_free(t.w);
	if (t.d)
		archive_read_free(t.d);
	if (fd != STDOUT_FILENO) {
		if (rc >= 0 && evmpkg_atomic_commit(&af, 0644, &err)) {
			cli_err("export: %s", err.msg);
			rc = -1;
		} else if (rc < 0) {
			evmpkg_atomic_abort(&af);
		}
	}
	return rc;
}
