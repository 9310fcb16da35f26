// SPDX-License-Identifier: GPL-2.0-or-later
/* Installed packages as the database readers hand them over. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evmpkg/installed.h"
#include "evmpkg/pool.h"

void evmpkg_instpkg_free(struct evmpkg_instpkg *ip)
{
	for (size_t i = 0; ip->f && i < ip->n; i++)
		free(ip->f[i].path);
	free(ip->f);
	for (size_t i = 0; i < ip->noutside; i++)
		free(ip->outside[i].path);
	free(ip->outside);
	free(ip->name);
	evmpkg_pkg_free(ip->pkg);
	ip->f = NULL;
	ip->outside = NULL;
	ip->name = NULL;
	ip->pkg = NULL;
	ip->n = ip->noutside = 0;
}

struct statjob {
	struct evmpkg_instfile *f;
	const char *root;	/* resolved; NULL: no check */
	size_t rootlen;
	unsigned char *out;	/* per file: leads out of the root */
};

/*
 * A system call per file, worth every core on a cold cache; under a root,
 * the directories resolved too: the root's own files (a planted symlink
 * to /etc) must not send a write outside it.
 */
static int stat_one(size_t i, void *arg)
{
	struct statjob *sj = arg;
	struct evmpkg_instfile *f = &sj->f[i];
	struct stat st;

	f->dev = 0;
	f->ino = 0;
	f->missing = 0;
	if (lstat(f->path, &st)) {
		f->missing = errno == ENOENT || errno == ENOTDIR;
		return 0;
	}
	if (sj->root) {
		char *real = realpath(f->path, NULL);

		sj->out[i] = !real || strncmp(real, sj->root, sj->rootlen) ||
			     real[sj->rootlen] != '/';
		free(real);
		if (sj->out[i])
			return 0;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return 0;
}

int evmpkg_instpkg_stat(struct evmpkg_instpkg *ip, const char *root, int nthreads)
{
	struct statjob sj = { .f = ip->f };
	char *real = NULL;
	size_t k = 0;
	int rc = 0;

	if (root && *root && strcmp(root, "/")) {
		if (!(real = realpath(root, NULL)) || !(sj.out = calloc(ip->n + 1, 1)) ||
		    !(ip->outside = calloc(ip->n + 1, sizeof(*ip->outside)))) {
			free(real);
			return -1;
		}
		sj.root = real;
		/* The root itself may be "/" after resolving: nothing is outside. */
		sj.rootlen = strcmp(real, "/") ? strlen(real) : 0;
		if (!sj.rootlen)
			sj.root = NULL;
	}
	evmpkg_pool_run(ip->n, nthreads, stat_one, &sj);
	for (size_t i = 0; i < ip->n; i++) {
		if (sj.out && sj.out[i])
			ip->outside[ip->noutside++] = ip->f[i];
		else
			ip->f[k++] = ip->f[i];
	}
	ip->n = k;
	free(sj.out);
	free(real);
	return rc;
}
