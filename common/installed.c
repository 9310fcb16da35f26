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
	char **dirs;		/* the files' directories, each run of one once */
	size_t *dir_of;		/* per file: its index in dirs */
	unsigned char *dirout;	/* per directory: it leads out of the root */
};

/*
 * Under a root, the directories are resolved once each: the root's own
 * directories may be symlinks planted to send a write outside it (/etc).
 * The file itself is opened O_NOFOLLOW later, so its directory decides.
 */
static int resolve_dir(size_t i, void *arg)
{
	struct statjob *sj = arg;
	char *real = realpath(sj->dirs[i], NULL);

	sj->dirout[i] = !real || strncmp(real, sj->root, sj->rootlen) ||
			(real[sj->rootlen] != '/' && real[sj->rootlen] != '\0');
	free(real);
	return 0;
}

/* A system call per file, worth every core on a cold cache. */
static int stat_one(size_t i, void *arg)
{
	struct statjob *sj = arg;
	struct evmpkg_instfile *f = &sj->f[i];
	struct stat st;

	f->dev = 0;
	f->ino = 0;
	f->missing = 0;
	if (sj->root && sj->dirout[sj->dir_of[i]])
		return 0;
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

/* The directories of the files, consecutive repeats once; *ndirs of them. */
static int split_dirs(struct statjob *sj, size_t n, size_t *ndirs)
{
	size_t nd = 0;

	if (!(sj->dirs = calloc(n + 1, sizeof(*sj->dirs))) ||
	    !(sj->dir_of = calloc(n + 1, sizeof(*sj->dir_of))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *p = sj->f[i].path, *slash = strrchr(p, '/');
		size_t len = slash && slash != p ? (size_t)(slash - p) : 1;

		if (!nd || strlen(sj->dirs[nd - 1]) != len || strncmp(sj->dirs[nd - 1], p, len)) {
			if (!(sj->dirs[nd] = strndup(slash ? p : "/", slash ? len : 1)))
				return -1;
			nd++;
		}
		sj->dir_of[i] = nd - 1;
	}
	*ndirs = nd;
	return (sj->dirout = calloc(nd + 1, 1)) ? 0 : -1;
}

int evmpkg_instpkg_stat(struct evmpkg_instpkg *ip, const char *root, int nthreads)
{
	struct statjob sj = { .f = ip->f };
	char *real = NULL;
	size_t k = 0, nd = 0;
	int rc = -1;

	if (root && *root && strcmp(root, "/")) {
		if (!(real = realpath(root, NULL)) ||
		    !(ip->outside = calloc(ip->n + 1, sizeof(*ip->outside))) ||
		    split_dirs(&sj, ip->n, &nd))
			goto out;
		/* The root itself may be "/" once resolved: nothing is outside. */
		sj.rootlen = strcmp(real, "/") ? strlen(real) : 0;
		sj.root = sj.rootlen ? real : NULL;
		if (sj.root)
			evmpkg_pool_run(nd, nthreads, resolve_dir, &sj);
	}
	evmpkg_pool_run(ip->n, nthreads, stat_one, &sj);
	for (size_t i = 0; i < ip->n; i++) {
		if (sj.root && sj.dirout[sj.dir_of[i]])
			ip->outside[ip->noutside++] = ip->f[i];
		else
			ip->f[k++] = ip->f[i];
	}
	ip->n = k;
	rc = 0;
out:
	for (size_t i = 0; sj.dirs && sj.dirs[i]; i++)
		free(sj.dirs[i]);
	free(sj.dirs);
	free(sj.dir_of);
	free(sj.dirout);
	free(real);
	return rc;
}
