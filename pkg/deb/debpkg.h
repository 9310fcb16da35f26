/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * .deb package I/O: read a binary package's control fields, control
 * members and data.tar file list, compute the content digests of its
 * files, and write a copy whose control.tar carries one more member (the
 * evmpkg signatures) with data.tar byte-identical.
 *
 * A .deb is an ar archive: "debian-binary" ("2.0\n"), "control.tar[.gz|
 * .xz|.zst]", "data.tar[.gz|.xz|.zst|.bz2]", in that order, with members
 * whose name starts with '_' allowed anywhere after debian-binary (dpkg
 * skips them; debsigs adds "_gpg*" ones). Anything else is refused with
 * dpkg's reason. The ar headers are read here through the bounds-checked
 * reader; the tar members are decompressed with libarchive's read filters
 * (raw format: libarchive never parses the tar) and parsed here in dpkg's
 * tar dialect (ustar, GNU, GNU long names; PAX refused as dpkg refuses it).
 * No libdpkg: this library may be linked into shared objects.
 *
 * Nothing here prints, exits or keeps state outside the objects it
 * returns. Threads: an evmpkg_debpkg is not locked; the accessors only
 * read what evmpkg_deb_open filled in and may run concurrently with each
 * other; content_digests and write read the package file through the
 * object's descriptor and must not run concurrently with anything on the
 * same object.
 */
#ifndef EVMPKG_PKG_DEBPKG_H
#define EVMPKG_PKG_DEBPKG_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"

/* What a data.tar entry is. */
enum evmpkg_debtype {
	EVMPKG_DEB_REG,		/* regular file with its content */
	EVMPKG_DEB_HARDLINK,	/* a hard link to an earlier regular file */
	EVMPKG_DEB_SYMLINK,
	EVMPKG_DEB_DIR,
	EVMPKG_DEB_CHR,
	EVMPKG_DEB_BLK,
	EVMPKG_DEB_FIFO,
};

/*
 * One data.tar entry, in archive order (the index used everywhere below).
 * Every pointer stays valid until evmpkg_deb_close.
 */
struct evmpkg_debfile {
	const char *path;	/* "/usr/bin/x": the tar name without "./", normalised; "/" for "./" */
	const char *user;	/* tar uname, "" when the header has none */
	const char *group;	/* tar gname, "" when the header has none */
	uint32_t uid, gid;	/* the numeric ids of the tar header */
	uint32_t mode;		/* permissions and S_IFMT type bits (S_IFREG for hard links) */
	enum evmpkg_debtype type;
	/* Hard link: the normalised path of its target; symlink: the link
	 * text as stored; NULL otherwise. */
	const char *linkto;
	int is_reg;		/* has content: regular files and every hard link to one */
	/*
	 * For a member of a hardlink group (a regular file and the hard links
	 * to it): the index of the group's first member (the regular file,
	 * which carries the content in data.tar); -1 for a file nobody links.
	 */
	int hardlink_group;
	int is_conffile;	/* listed in control.tar's conffiles (not remove-on-upgrade) */
	/* Content size: of the file, or for a hard link of its group's
	 * content; 0 for everything else. */
	uint64_t size;
};

struct evmpkg_debpkg;

/*
 * Opens the package at path and reads its ar members, its control.tar
 * (every member kept in memory; the control file's Package, Version and
 * Architecture fields, the conffiles list) and its data.tar entry list
 * (streamed: contents are skipped). *out is the caller's; free it with
 * evmpkg_deb_close. Errors: EVMPKG_EIO (open or read failed), EVMPKG_EINVAL
 * (not a .deb, truncated, malformed member, tar header or field, a path
 * with "..", an absolute path), EVMPKG_EUNSUPP (PAX headers, a compression
 * dpkg 1.21 does not read for that member), EVMPKG_ENOMEM. Messages start
 * with the package path, then the member and the entry at fault.
 */
int evmpkg_deb_open(const char *path, struct evmpkg_debpkg **out,
		    struct evmpkg_err *err);
/* The same without data.tar: the control fields and members only (no
 * file list: nfiles is 0), for callers that need just the package's name. */
int evmpkg_deb_open_control(const char *path, struct evmpkg_debpkg **out,
			    struct evmpkg_err *err);
/* Then data.tar's entry list (contents hashed with algo as in
 * evmpkg_deb_open_hashed; 0: not), as evmpkg_deb_open reads it; nothing
 * when it was read already. A failure leaves p for evmpkg_deb_close only. */
int evmpkg_deb_read_data(struct evmpkg_debpkg *p, int algo, struct evmpkg_err *err);
/*
 * evmpkg_deb_open that also hashes every regular file's content with algo
 * (kernel id) as data.tar streams by, so that evmpkg_deb_content_digests
 * for algo does not decompress data.tar a second time.
 */
int evmpkg_deb_open_hashed(const char *path, int algo, struct evmpkg_debpkg **out,
			   struct evmpkg_err *err);
/* Frees everything; NULL is fine. */
void evmpkg_deb_close(struct evmpkg_debpkg *p);

/* The control file's fields, as written there. */
const char *evmpkg_deb_package(const struct evmpkg_debpkg *p);
const char *evmpkg_deb_version(const struct evmpkg_debpkg *p);
const char *evmpkg_deb_arch(const struct evmpkg_debpkg *p);
/* "package_version_arch", the version without its epoch (as dpkg-deb
 * names the files it builds). */
const char *evmpkg_deb_name(const struct evmpkg_debpkg *p);

size_t evmpkg_deb_nfiles(const struct evmpkg_debpkg *p);
/* File i (0 <= i < nfiles), or NULL when out of range. */
const struct evmpkg_debfile *evmpkg_deb_file(const struct evmpkg_debpkg *p,
					     size_t i);

/*
 * The control.tar member name ("control", "postinst", "md5sums", "evmsig";
 * no "./"): 0 and *data, *len pointing at its content (valid until close)
 * if it is a regular file there; -1 if not.
 */
int evmpkg_deb_control_member(const struct evmpkg_debpkg *p, const char *name,
			      const uint8_t **data, size_t *len);

/* 1 if the package has debsigs signatures (ar members "_gpg*"), else 0. */
int evmpkg_deb_has_debsigs(const struct evmpkg_debpkg *p);

/*
 * Content digests of every regular file (is_reg), computed from data.tar
 * with hash algo (kernel id; one evmpkg_hash_size knows). On success *out
 * is a malloc'd array of nfiles * evmpkg_hash_size(algo) bytes, the digest
 * of file i at i * size, zeros for files that are not is_reg; the members
 * of a hardlink group all get the digest of the content their group
 * carries. Free it with free(). Unless evmpkg_deb_open_hashed made them,
 * data.tar is streamed again: its entries must still be those open read
 * (else EVMPKG_EINVAL: the file changed).
 */
int evmpkg_deb_content_digests(struct evmpkg_debpkg *p, int algo, uint8_t **out,
			       struct evmpkg_err *err);

/* Longest control member name dpkg accepts (MAXCONTROLFILENAME). */
#define EVMPKG_DEB_MEMBER_MAX 100

/*
 * Writes a new package to outpath: the input's ar members in order, with
 *  - control.tar rebuilt in its original compression, GNU tar format as
 *    dpkg-deb writes it: every member but `member` as it was (content,
 *    owner, mode, mtime; in the original order), then `member` (a name
 *    without a dot, '/' or blanks, at most EVMPKG_DEB_MEMBER_MAX bytes,
 *    not "control" or "list", which dpkg does not install as info files)
 *    set to the len bytes at blob, owner root:root 0/0, mode 0644, the
 *    control file's mtime; or left out when len is 0;
 *  - debian-binary, data.tar and other members byte-identical;
 *  - debsigs members ("_gpg*") dropped, as their signature covers the old
 *    control.tar: *dropped_debsigs (may be NULL) is 1 if there were any,
 *    else 0;
 *  - ar headers as dpkg-deb writes them (owner 0/0, mode 100644), each
 *    member's mtime kept.
 * Atomic: a temporary file in outpath's directory, synced, given the mode
 * of the file it replaces (or of the input when outpath is new) and
 * renamed over outpath; on any error it is removed and outpath is
 * untouched. outpath may be the input's path; p keeps describing the
 * input. Messages start with the package path (outpath for the output).
 */
int evmpkg_deb_write(struct evmpkg_debpkg *p, const char *member,
		     const void *blob, size_t len, const char *outpath,
		     int *dropped_debsigs, struct evmpkg_err *err);

#endif
