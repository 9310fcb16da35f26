/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ar container of a .deb (internal to pkg/deb): the member table, read
 * with the bounds-checked reader from 60-byte headers, and the header
 * dpkg-deb writes (lib/dpkg/ar.c), written here rather than through
 * libdpkg so that this library links no libdpkg (static, not PIC).
 */
#ifndef EVMPKG_PKG_DEBAR_H
#define EVMPKG_PKG_DEBAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "evmpkg/err.h"

#define DEBAR_MAGIC "!<arch>\n"
#define DEBAR_MAGIC_LEN 8
#define DEBAR_HDR_LEN 60
/* More members than this is not a package (a .deb has three, debsigs adds a few). */
#define DEBAR_MAX_MEMBERS 64

struct debar_member {
	char name[17];		/* trailing spaces and GNU ar's '/' removed */
	int64_t mtime;		/* as in the header; 0 when not a number */
	off_t off;		/* content */
	off_t size;
};

/*
 * The members of the ar archive in fd, whose size is fsize; *out is
 * malloc'd. Errors name the package pkg and the member.
 */
int evmpkg_debar_read(int fd, off_t fsize, const char *pkg, struct debar_member **out,
		      size_t *n, struct evmpkg_err *err);

/* pread of exactly n bytes at off; -1 with errno set (0: end of file). */
int evmpkg_debar_pread(int fd, void *buf, size_t n, off_t off);

/*
 * The header dpkg-deb writes for a member (owner 0/0, mode 100644), into
 * out (DEBAR_HDR_LEN + 1 bytes, NUL-terminated). -1 if name is longer than
 * 16 bytes or size or mtime do not fit their fields.
 */
int evmpkg_debar_header(char *out, const char *name, int64_t mtime, uint64_t size);

#endif
