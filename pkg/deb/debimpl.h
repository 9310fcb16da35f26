/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What debpkg.c (reading) and debwrite.c (writing) share; internal. */
#ifndef EVMPKG_PKG_DEBIMPL_H
#define EVMPKG_PKG_DEBIMPL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "debar.h"
#include "debpkg.h"
#include "debtar.h"

/* A control.tar entry, kept whole so that write can rebuild the member. */
struct debctl {
	char *tarname;		/* as in the archive: "./postinst" */
	char *name;		/* "postinst"; "" for the top directory */
	char type;		/* DEBTAR_REG, DEBTAR_DIR or DEBTAR_SYMLINK */
	uint32_t mode, uid, gid;
	int64_t mtime;
	char uname[33], gname[33];
	char *linkname;		/* symlinks */
	uint8_t *data;		/* regular files */
	size_t len;
};

struct poolblk;

struct evmpkg_debpkg {
	char *path;
	int fd;
	off_t file_size;
	struct debar_member *ar;
	size_t nar;
	size_t ctl_ix, data_ix;		/* their indexes in ar */
	enum debcomp ctl_comp, data_comp;
	struct debctl *ctl;
	size_t nctl;
	char *package, *version, *arch, *name;
	struct evmpkg_debfile *f;
	size_t nfiles;
	struct poolblk *pool;	/* the files' strings */
	int has_debsigs;
};

#define DEB_COPY_CHUNK (256 * 1024)

#endif
