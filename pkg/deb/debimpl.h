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
	uint8_t *dig;		/* content digests made at open, or NULL */
	int dig_algo;
	int data_read;		/* data.tar's entry list is in f */
};

#define DEB_COPY_CHUNK (256 * 1024)

/* debctl.c: control.tar's entries into p->ctl (freed by evmpkg_debctl_free). */
int evmpkg_debctl_read(struct evmpkg_debpkg *p, struct evmpkg_err *err);
/* The control file's Package, Version, Architecture; p->name. */
int evmpkg_debctl_fields(struct evmpkg_debpkg *p, struct evmpkg_err *err);
/* fn for every conffile data.tar ships (normalised path, "/etc/x"). */
int evmpkg_debctl_conffiles(struct evmpkg_debpkg *p,
			    void (*fn)(struct evmpkg_debpkg *p, const char *path, void *arg),
			    void *arg, struct evmpkg_err *err);
void evmpkg_debctl_free(struct evmpkg_debpkg *p);

/* debdata.c: the data.tar entry list into p->f, groups and conffile marks;
 * with algo > 0 also the content digests, into p->dig (the same pass). */
int evmpkg_debdata_read(struct evmpkg_debpkg *p, int algo, struct evmpkg_err *err);
void evmpkg_debdata_free(struct evmpkg_debpkg *p);

#endif
