/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tar members of a .deb (internal to pkg/deb).
 *
 * debstream: a member's decompressed bytes, read in order straight from the
 * package file. Decompression is libarchive's read filters with its "raw"
 * format, so libarchive only undoes the compression and never interprets
 * the tar; only the filter the member's name announces is enabled, and the
 * stream is refused when it is not in that compression. Streams are read
 * to their end so that the decompressor checks its trailer; libarchive 3.6
 * checks xz, zstd and bzip2 ones but skips gzip's CRC-32. libarchive rather
 * than libdpkg's decompress_filter: libdpkg is static and not PIC (this
 * library must stay linkable into shared objects), its API is volatile, and
 * its decompressor exits the process on corrupt input.
 *
 * debtar: a strict tar reader in dpkg's dialect (lib/dpkg/tarfn.c): ustar
 * and GNU headers, GNU long names and link names ('L', 'K'), base-256
 * numbers; PAX headers ('x', 'g') are refused, as dpkg refuses them. Every
 * header is parsed through the bounds-checked reader.
 */
#ifndef EVMPKG_PKG_DEBTAR_H
#define EVMPKG_PKG_DEBTAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "evmpkg/err.h"
#include "evmpkg/reader.h"

/* A member's compression, from its name's extension. */
enum debcomp {
	DEBCOMP_NONE,
	DEBCOMP_GZIP,
	DEBCOMP_XZ,
	DEBCOMP_ZSTD,
	DEBCOMP_BZIP2,
};

struct archive;

struct debstream {
	struct archive *a;
	int fd;
	off_t off, end;		/* the compressed bytes not yet handed over */
	uint8_t *inbuf;
	struct evmpkg_rd blk;	/* the decompressed block being consumed */
	uint64_t pos;		/* decompressed bytes consumed */
	int eof;
	const char *pkg;	/* for messages: package path, member name */
	const char *member;
};

/*
 * Starts decompressing the len bytes at off in fd (a member of the package
 * pkg, called member in messages) as comp. Both strings must outlive s.
 */
int evmpkg_debstream_open(struct debstream *s, int fd, off_t off, off_t len,
			  enum debcomp comp, const char *pkg, const char *member,
			  struct evmpkg_err *err);
void evmpkg_debstream_close(struct debstream *s);
/* Consumes up to n bytes into dst; *got < n only at the end of the stream. */
int evmpkg_debstream_read(struct debstream *s, void *dst, size_t n, size_t *got,
			  struct evmpkg_err *err);
/*
 * Reads what is left, so that the decompressor reaches the end of its
 * stream and checks the trailer (xz's and gzip's checksums, which come
 * after the tar's end-of-archive block).
 */
int evmpkg_debstream_drain(struct debstream *s, struct evmpkg_err *err);

/* Receives content in chunks; a non-zero return stops the stream with it. */
typedef int (*debtar_sink)(void *arg, const uint8_t *p, size_t n,
			   struct evmpkg_err *err);

/* Longest name or link name accepted (PATH_MAX without its NUL). */
#define DEBTAR_NAME_MAX 4095

/* Entry types: the tar typeflag, with the old NUL of regular files as '0'. */
enum {
	DEBTAR_REG = '0',
	DEBTAR_HARDLINK = '1',
	DEBTAR_SYMLINK = '2',
	DEBTAR_CHR = '3',
	DEBTAR_BLK = '4',
	DEBTAR_DIR = '5',
	DEBTAR_FIFO = '6',
};

struct debtar_entry {
	char name[DEBTAR_NAME_MAX + 1];		/* as in the archive: "./usr/bin/x" */
	char linkname[DEBTAR_NAME_MAX + 1];	/* hardlink target or symlink text */
	char type;				/* DEBTAR_* */
	uint32_t mode;				/* permission bits (07777) */
	uint32_t uid, gid;
	uint64_t size;				/* content bytes (regular files) */
	int64_t mtime;
	char uname[33], gname[33];
};

struct debtar {
	struct debstream *s;
	uint64_t content;	/* unread content of the current entry */
	uint64_t pad;		/* then padding to the next block */
	struct debtar_entry e;	/* the current entry */
	char longname[DEBTAR_NAME_MAX + 1];
	char longlink[DEBTAR_NAME_MAX + 1];
	int has_longname, has_longlink;
};

void evmpkg_debtar_init(struct debtar *t, struct debstream *s);
/*
 * Moves to the next entry (t->e), skipping what is left of the current one.
 * *end is 1 at the end of the archive (a block whose name is empty, or the
 * end of the stream on a block boundary, as dpkg accepts). Errors name the
 * package, the member and the entry.
 */
int evmpkg_debtar_next(struct debtar *t, int *end, struct evmpkg_err *err);
/* Feeds the current entry's content to fn (NULL: skips it). */
int evmpkg_debtar_content(struct debtar *t, debtar_sink fn, void *arg,
			  struct evmpkg_err *err);

/*
 * A tar name to a package path: "./usr/bin/x" or "usr//bin/./x/" to
 * "/usr/bin/x", "./" to "/". Refuses absolute names, "..", newlines (dpkg
 * does) and names that are empty. out has cap bytes. 0, or -1 with *why.
 */
int evmpkg_debtar_path(const char *name, char *out, size_t cap, const char **why);

#endif
