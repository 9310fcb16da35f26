// SPDX-License-Identifier: GPL-2.0-or-later
/* Installed packages as the database readers hand them over. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "evmpkg/installed.h"
#include "evmpkg/pool.h"

void evmpkg_instpkg_free(struct evmpkg_instpkg *ip)
{
	for (size_t i = 0; ip->f && i < ip->n; i++)
		free(ip->f[i].path);
	free(ip->f);
	free(ip->name);
	evmpkg_pkg_free(ip->pkg);
	ip->f = NULL;
	ip->name = NULL;
	ip->pkg = NULL;
	ip->n = 0;
}

/* A system call per file: worth every core on a cold cache. */
static int stat_one(size_t i, void *arg)
{
	struct evmpkg_instfile *f = (struct evmpkg_instfile *)arg + i;
	struct stat st;

	f->dev = 0;
	f->ino = 0;
	f->missing = 0;
	if (lstat(f->path, &st)) {
		f->missing = errno == ENOENT || errno == ENOTDIR;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

void evmpkg_instpkg_stat(struct evmpkg_instpkg *ip, int nthreads)
{
	evmpkg_pool_run(ip->n, nthreads, stat_one, ip->f);
}
