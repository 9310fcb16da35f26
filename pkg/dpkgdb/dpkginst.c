// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An installed (or unpacked) package of dpkg's database as the engine
 * sees it: its manifest from the info file dpkg kept from the control
 * member, its files where dpkg put them (diversions, pending conffiles
 * under .dpkg-new), statoverrides as IMA-only files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dpkg/dpkg.h>
#include <dpkg/dpkg-db.h>
#include <dpkg/db-ctrl.h>
#include <dpkg/db-fsys.h>

#include "debdesc.h"
#include "dpkgcompat.h"
#include "dpkgdb.h"

#define MANIFEST_FILE_MAX (256u << 20)

/* 1: absent; -1: errno says why. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = -1, r_errno;
	size_t got = 0;

	*out = NULL;
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	if (fstat(fd, &st))
		goto out;
	errno = !S_ISREG(st.st_mode) ? EINVAL : (uint64_t)st.st_size > MANIFEST_FILE_MAX ? EFBIG : 0;
	if (errno || !(*out = malloc((size_t)st.st_size + 1)))
		goto out;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *out + got, (size_t)st.st_size - got);

		if (r <= 0) {
			errno = r ? errno : EIO;	/* shorter than fstat said */
			goto out;
		}
		got += (size_t)r;
	}
	*len = got;
	rc = 0;
out:
	r_errno = errno;	/* for the caller's message */
	if (rc) {
		free(*out);
		*out = NULL;
	}
	close(fd);
	errno = r_errno;
	return rc;
}

static int is_conffile(struct pkginfo *pkg, const char *path)
{
	for (struct conffile *c = pkg->installed.conffiles; c; c = c->next)
		if (!conffile_is_obsolete(c) && !strcmp(c->name, path))
			return 1;
	return 0;
}

/*
 * Where dpkg put the entry's file: its diverted name, or a conffile's
 * .dpkg-new while the package is not configured. *gone: a new conffile
 * dpkg has not put in place, nothing to do before --configure.
 */
static char *locate(struct pkginfo *pkg, const char *root, const char *path, int *conffile,
		    int *override, int *gone)
{
	const char *name = evmpkg_dpkgdb_truename(path, pkg->set->name, override);
	char *p = NULL;
	struct stat st;

	*conffile = is_conffile(pkg, path);
	*gone = 0;
	if (asprintf(&p, "%s%s.dpkg-new", root, name) < 0)
		return NULL;
	if (*conffile && lstat(p, &st) == 0)
		return p;
	p[strlen(p) - strlen(".dpkg-new")] = '\0';
	/* Not configured: a conffile in place is the one configured earlier. */
	*gone = *conffile && pkg->status != PKG_STAT_INSTALLED;
	return p;
}

int evmpkg_dpkgdb_inst_open(struct pkginfo *pkg, const char *root,
			    const struct evmpkg_pkgopts *o, struct evmpkg_instpkg *ip,
			    struct evmpkg_err *err)
{
	const char *mf = pkg_infodb_get_file(pkg, &pkg->installed, EVMPKG_DEB_MANIFEST_MEMBER);
	struct evmpkg_pkgopts po = *o;
	struct evmpkg_manifest m;
	struct evmpkg_err merr = { 0 };
	struct evmpkg_pkgfile *pf = NULL;
	uint8_t *blob = NULL;
	size_t blen = 0, n = 0;
	int r, rc = -1;

	memset(ip, 0, sizeof(*ip));
	ip->db = "dpkg";
	if ((r = read_file(mf, &blob, &blen)) > 0)
		return 1;
	if (!(ip->name = strdup(pkg_name(pkg, pnaw_nonambig))))
		goto oom;
	if (r < 0) {
		evmpkg_fail_errno(err, errno, "%s: %s: cannot read", ip->name, mf);
		goto out;
	}
	po.manifest_field = "info file " EVMPKG_DEB_MANIFEST_MEMBER;
	po.ima_field = po.manifest_field;
	evmpkg_manifest_init(&m);
	/* Undecodable: the engine names what is wrong with it. */
	if (!evmpkg_manifest_decode(blob, blen, &m, &merr))
		n = m.n;
	if (!(pf = calloc(n + 1, sizeof(*pf))) || !(ip->f = calloc(n + 1, sizeof(*ip->f))))
		goto oom_m;
	for (size_t i = 0; i < n; i++) {
		int conffile, gone, override;
		char *path = locate(pkg, root, m.e[i].path, &conffile, &override, &gone);

		if (!path)
			goto oom_m;
		ip->f[ip->n].override = override && m.e[i].evm_len;
		pf[i] = (struct evmpkg_pkgfile){ .path = m.e[i].path, .hardlink_group = -1,
						 .digest_algo = -1 };
		if (conffile)
			pf[i].flags |= EVMPKG_PF_CONFIG;
		if (override)
			pf[i].flags |= EVMPKG_PF_NO_EVM;
		if (gone) {
			pf[i].flags |= EVMPKG_PF_REG;	/* dpkg's, not in place yet */
			free(path);
			continue;
		}
		ip->f[ip->n].fx = i;
		ip->f[ip->n++].path = path;
	}
	/*
	 * What the disk holds decides which entries name a regular file: a
	 * symlink or directory there is not what was signed. A missing file
	 * is still the package's, for the caller to report.
	 */
	if (evmpkg_instpkg_stat(ip, root, o->nthreads))
		goto oom_m;
	for (size_t j = 0; j < ip->n; j++)
		if (ip->f[j].ino || ip->f[j].missing)
			pf[ip->f[j].fx].flags |= EVMPKG_PF_REG;
	/* Reported by the caller, once, and never opened. */
	for (size_t j = 0; j < ip->noutside; j++)
		pf[ip->outside[j].fx].flags |= EVMPKG_PF_REG;
	/* Decoded above to find the files: the engine takes it over. */
	rc = n ? evmpkg_pkg_open_decoded(&ip->pkg, ip->name, &m, pf, n, &po, err) :
		 evmpkg_pkg_open(&ip->pkg, ip->name, EVMPKG_MF_PRESENT, blob, blen, pf, n, &po, err);
	evmpkg_manifest_free(&m);
	goto out;
oom_m:
	evmpkg_manifest_free(&m);
oom:
	evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", pkg_name(pkg, pnaw_nonambig));
out:
	if (rc)
		evmpkg_instpkg_free(ip);
	free(pf);
	free(blob);
	return rc;
}

int evmpkg_dpkgdb_inst_unsigned(struct pkginfo *pkg, const char *root,
				const struct evmpkg_pkgopts *o, struct evmpkg_instpkg *ip,
				struct evmpkg_err *err)
{
	struct evmpkg_pkgopts po = *o;
	struct evmpkg_pkgfile *pf = NULL;
	const char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;

	memset(ip, 0, sizeof(*ip));
	ip->db = "dpkg";
	ensure_packagefiles_available(pkg);
	for (struct fsys_namenode_list *l = pkg->files; l; l = l->next)
		cap++;
	if (!(ip->name = strdup(pkg_name(pkg, pnaw_nonambig))) ||
	    !(ip->f = calloc(cap + 1, sizeof(*ip->f))) || !(pf = calloc(cap + 1, sizeof(*pf))) ||
	    !(names = calloc(cap + 1, sizeof(*names))))
		goto oom;
	for (struct fsys_namenode_list *l = pkg->files; l; l = l->next, n++) {
		int conffile, override, gone;

		if (!(ip->f[n].path = locate(pkg, root, l->namenode->name, &conffile,
					     &override, &gone)))
			goto oom;
		ip->f[n].fx = n;
		names[n] = l->namenode->name;
		pf[n] = (struct evmpkg_pkgfile){ .path = names[n], .hardlink_group = -1,
						 .digest_algo = -1,
						 .flags = conffile ? EVMPKG_PF_CONFIG : 0 };
	}
	ip->n = n;
	if (evmpkg_instpkg_stat(ip, root, o->nthreads))
		goto oom;
	for (size_t j = 0; j < ip->n; j++)
		if (ip->f[j].ino)
			pf[ip->f[j].fx].flags |= EVMPKG_PF_REG;
	po.manifest_field = "info file " EVMPKG_DEB_MANIFEST_MEMBER;
	po.background = 0;
	rc = evmpkg_pkg_open(&ip->pkg, ip->name, EVMPKG_MF_ABSENT, NULL, 0, pf, cap, &po, err);
	goto out;
oom:
	evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", pkg_name(pkg, pnaw_nonambig));
out:
	if (rc)
		evmpkg_instpkg_free(ip);
	free((void *)names);
	free(pf);
	return rc;
}

static int wanted(struct pkginfo *pkg, char *const *names, size_t n, unsigned char *seen)
{
	const char *arch = pkg->installed.arch ? pkg->installed.arch->name : "";
	size_t l = strlen(pkg->set->name);

	if (!n)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (!strncmp(names[i], pkg->set->name, l) &&
		    (!names[i][l] || (names[i][l] == ':' && !strcmp(names[i] + l + 1, arch))))
			return seen[i] = 1;
	return 0;
}

int evmpkg_dpkgdb_each(const char *root, const char *admin, char *const *names,
		       size_t nnames, unsigned char *seen, int lock,
		       const struct evmpkg_pkgopts *o, evmpkg_inst_fn fn, void *arg,
		       struct evmpkg_err *err)
{
	char *defadmin = NULL;
	struct pkg_hash_iter *it;
	struct pkginfo *pkg;
	int rc = 0;

	if (!root)
		root = "";
	if (!admin && asprintf(&defadmin, "%s/var/lib/dpkg", root) < 0)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	evmpkg_dpkgdb_open("evmpkg", root, admin ? admin : defadmin, 1);
	/* Writing: dpkg's own lock keeps dpkg and apt out meanwhile (libdpkg
	 * says who holds it and exits when it cannot be had). */
	if (lock)
		modstatdb_lock();
	it = pkg_hash_iter_new();
	while (!rc && (pkg = pkg_hash_iter_next_pkg(it))) {
		struct evmpkg_instpkg ip;
		int r;

		if ((pkg->status < PKG_STAT_UNPACKED && pkg->status != PKG_STAT_HALFINSTALLED) ||
		    !wanted(pkg, names, nnames, seen))
			continue;
		if (pkg->status == PKG_STAT_HALFINSTALLED) {
			/* An interrupted dpkg run: its files on disk are neither
			 * the old nor the new version's, nor listed; saying so
			 * is all that can be done (dpkg --audit says it too). */
			memset(&ip, 0, sizeof(ip));
			ip.db = "dpkg";
			ip.unusable = "half-installed (a dpkg run was interrupted): its files "
				      "cannot be checked; reinstall it (apt-get install --reinstall)";
			if (!(ip.name = strdup(pkg_name(pkg, pnaw_nonambig))))
				rc = evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
			else
				rc = fn(&ip, arg);
			evmpkg_instpkg_free(&ip);
			continue;
		}
		if ((r = evmpkg_dpkgdb_inst_open(pkg, root, o, &ip, err)) < 0)
			rc = -1;
		else if (r == 0) {
			rc = fn(&ip, arg);
			evmpkg_instpkg_free(&ip);
		}
	}
	pkg_hash_iter_free(it);
	if (lock)
		modstatdb_unlock();
	evmpkg_dpkgdb_close(1);
	free(defadmin);
	return rc;
}
