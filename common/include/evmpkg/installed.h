/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An installed package as a package database describes it: the engine
 * opened on its stored manifest and where each signed file is on disk.
 * The rpm and dpkg database readers fill it; verify, apply and export
 * take it, whatever the format.
 */
#ifndef EVMPKG_INSTALLED_H
#define EVMPKG_INSTALLED_H

#include <stddef.h>
#include <sys/types.h>

#include "evmpkg/pkgcheck.h"

struct evmpkg_instfile {
	size_t fx;		/* index in the engine's package */
	char *path;		/* on disk, under the root */
	dev_t dev;		/* its lstat; ino 0: not there */
	ino_t ino;
	int missing;		/* lstat: no such file */
	int override;		/* a dpkg-statoverride replaces the owner and
				   mode an EVM signature covers: IMA only */
};

struct evmpkg_instpkg {
	char *name;			/* NEVRA, or name:arch */
	const char *db;			/* "rpm" or "dpkg" */
	struct evmpkg_pkg *pkg;		/* NULL: the database names no signature */
	struct evmpkg_instfile *f;	/* its signed files, in package order */
	size_t n;
	struct evmpkg_instfile *outside; /* signed files whose path leads out of
					   the root (a symlinked directory planted
					   in it): taken out of f, never written */
	size_t noutside;
	const char *unusable;		/* set: the package cannot be checked at
					   all (why, and what to do); no files */
};

/* Called once per package; non-zero stops the walk and is returned. */
typedef int (*evmpkg_inst_fn)(struct evmpkg_instpkg *ip, void *arg);

/* Frees what ip holds (not ip itself). */
void evmpkg_instpkg_free(struct evmpkg_instpkg *ip);

/*
 * lstat of every file, on the package's threads (fills dev, ino and
 * missing). Under a root other than / (NULL or ""), a file whose
 * directories lead out of the root is moved from f to outside. 0, or -1
 * when out of memory.
 */
int evmpkg_instpkg_stat(struct evmpkg_instpkg *ip, const char *root, int nthreads);

#endif
