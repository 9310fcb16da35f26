// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dpkg's post-invoke hook: after `dpkg --unpack` files are at their final
 * names with dpkg's owner, mode and mtime, and no postinst has run yet.
 * dpkg tells hooks nothing about the packages, so every package left
 * unpacked (or half-configured, or awaiting triggers) with an info file
 * PKG.evmsig is applied again; the sequencer leaves files that already
 * carry their values, so this is idempotent.
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
#include <dpkg/fsys.h>

#include "debdesc.h"
#include "dpkgcompat.h"
#include "hook.h"

#define MANIFEST_FILE_MAX (256u << 20)

/* One manifest entry as dpkg left it on disk. */
struct ondisk {
	char *path;		/* DPKG_ROOT + diverted name [+ ".dpkg-new"] */
	const char *root;	/* DPKG_ROOT resolved, or NULL for / */
	int conffile, override, gone;
	int outside;		/* a symlinked directory leads out of root */
	int reg;		/* its lstat: a regular file, and which */
	dev_t dev;
	ino_t ino;
};

/* lstat of entry i, on the pool: a system call per file, on every core. */
static int stat_one(size_t i, void *arg)
{
	struct ondisk *d = (struct ondisk *)arg + i;
	struct stat st;

	if (lstat(d->path, &st) || !S_ISREG(st.st_mode))
		return 0;
	/* The root's own directories may be symlinks planted to lead out. */
	if (d->root) {
		char *real = realpath(d->path, NULL);
		size_t rl = strlen(d->root);

		d->outside = !real || strncmp(real, d->root, rl) || real[rl] != '/';
		free(real);
		if (d->outside)
			return 0;
	}
	d->reg = 1;
	d->dev = st.st_dev;
	d->ino = st.st_ino;
	return 0;
}

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

/* Where dpkg put the entry's file: diversions, pending conffiles. */
static int locate(struct pkginfo *pkg, const char *root, const char *path, struct ondisk *d)
{
	const char *name = hook_db_truename(path, pkg->set->name, &d->override);
	struct stat st;

	d->conffile = is_conffile(pkg, path);
	if (asprintf(&d->path, "%s%s.dpkg-new", root, name) < 0)
		return d->path = NULL, -1;
	if (d->conffile && lstat(d->path, &st) == 0)
		return 0;
	d->path[strlen(d->path) - strlen(".dpkg-new")] = '\0';
	/* A conffile dpkg already moved into place was configured earlier. */
	d->gone = d->conffile;
	return 0;
}

/*
 * Every file dpkg left in place, on all cores; outcomes reported in
 * manifest order, up to the first refusal in enforce mode.
 */
static int apply_files(struct hook *h, const char *name, struct evmpkg_pkg *pkg_e,
		       const struct evmpkg_pkgfile *pf, const struct ondisk *d, size_t n)
{
	struct evmpkg_applyjob *jobs = calloc(n + 1, sizeof(*jobs));
	size_t nj = 0;
	int bad = 0;

	if (!jobs)
		return hook_report(h, "%s: out of memory", name);
	for (size_t i = 0; i < n; i++)
		if (!d[i].gone && (pf[i].flags & EVMPKG_PF_REG))
			jobs[nj++] = (struct evmpkg_applyjob){ .fx = i, .path = d[i].path,
							       .dev = d[i].dev, .ino = d[i].ino };
	evmpkg_pkg_apply_all(pkg_e, jobs, nj);
	for (size_t j = 0; j < nj; j++) {
		struct evmpkg_applied res = { .outcome = jobs[j].outcome };

		if (!bad && jobs[j].rc) {
			bad = hook_report(h, "%s", jobs[j].msg ? jobs[j].msg : "out of memory");
		} else if (!bad) {
			if (jobs[j].msg)
				snprintf(res.msg, sizeof(res.msg), "%s", jobs[j].msg);
			hook_outcome(h, &res);
		}
		free(jobs[j].msg);
	}
	free(jobs);
	return bad;
}

/* Applies one package's manifest; 1 when the policy refuses it. */
static int apply_pkg(struct hook *h, struct pkginfo *pkg, const char *root,
		     const uint8_t *blob, size_t blen)
{
	const char *name = pkg_name(pkg, pnaw_nonambig);
	struct evmpkg_pkgopts o = h->o;
	struct evmpkg_manifest m;
	struct evmpkg_err err = { 0 };
	struct evmpkg_pkgfile *pf = NULL;
	struct ondisk *d = NULL;
	struct evmpkg_pkg *pkg_e = NULL;
	char *rroot = NULL;
	size_t n = 0;
	int bad = 0;

	evmpkg_manifest_init(&m);
	/* Undecodable: the engine names what is wrong with it. */
	if (!evmpkg_manifest_decode(blob, blen, &m, &err)) {
		n = m.n;
		if (!(d = calloc(n + 1, sizeof(*d))))
			goto oom;
		for (size_t i = 0; i < n; i++)
			if (locate(pkg, root, m.e[i].path, &d[i]))
				goto oom;
	}
	if (!(pf = calloc(n + 1, sizeof(*pf))))
		goto oom;
	if (*root && !(rroot = realpath(root, NULL)))
		goto oom;
	for (size_t i = 0; i < n; i++)
		d[i].root = rroot;
	evmpkg_pool_run(n, h->o.nthreads, stat_one, d);
	for (size_t i = 0; i < n; i++) {
		if (d[i].outside)
			bad |= hook_report(h, "%s: %s: %s leads out of the root %s "
					   "(a symlinked directory): not signed", name,
					   m.e[i].path, d[i].path, root);
		pf[i] = (struct evmpkg_pkgfile){ .path = m.e[i].path, .hardlink_group = -1,
						 .digest_algo = -1 };
		if (d[i].reg)
			pf[i].flags |= EVMPKG_PF_REG;
		if (d[i].conffile)
			pf[i].flags |= EVMPKG_PF_CONFIG;
		if (d[i].override)
			pf[i].flags |= EVMPKG_PF_NO_EVM;
		if (d[i].override && m.e[i].evm && !h->again)
			fprintf(stderr, PFX "%s: %s: has a dpkg-statoverride: IMA signature "
				"only (its owner or mode differs from what was signed)\n",
				name, m.e[i].path);
	}
	o.manifest_field = "info file " EVMPKG_DEB_MANIFEST_MEMBER;
	o.ima_field = o.manifest_field;
	/* Decoded above to find the files: the engine takes it over. */
	if (n ? evmpkg_pkg_open_decoded(&pkg_e, name, &m, pf, n, &o, &err) :
		evmpkg_pkg_open(&pkg_e, name, EVMPKG_MF_PRESENT, blob, blen, pf, n, &o, &err)) {
		bad = hook_report(h, "%s: %s", name, err.msg);
		goto out;
	}
	for (size_t i = 0; i < evmpkg_pkg_nproblems(pkg_e); i++)
		bad |= hook_report(h, "%s", evmpkg_pkg_problem(pkg_e, i));
	if (!bad)
		bad = apply_files(h, name, pkg_e, pf, d, n);
	goto out;
oom:
	bad = hook_report(h, "%s: out of memory", name);
out:
	if (bad)
		fprintf(stderr, PFX "%s: not to be configured: remove it (dpkg --remove %s) "
			"or install a correctly signed version\n", name, name);
	evmpkg_pkg_free(pkg_e);
	for (size_t i = 0; d && i < n; i++)
		free(d[i].path);
	free(d);
	free(pf);
	free(rroot);
	evmpkg_manifest_free(&m);
	return bad;
}

/*
 * No manifest, and signatures required: the engine names each regular
 * file dpkg's list of the package has on disk (none: nothing to sign).
 */
static int refuse_unsigned(struct hook *h, struct pkginfo *pkg, const char *root)
{
	const char *name = pkg_name(pkg, pnaw_nonambig);
	struct evmpkg_pkgopts o = h->o;
	struct evmpkg_pkgfile *pf = NULL;
	struct ondisk *d = NULL;
	struct evmpkg_pkg *pkg_e = NULL;
	struct evmpkg_err err = { 0 };
	size_t n = 0, cap = 0;
	int bad = 0;

	ensure_packagefiles_available(pkg);
	for (struct fsys_namenode_list *l = pkg->files; l; l = l->next)
		cap++;
	if (!(d = calloc(cap + 1, sizeof(*d))) || !(pf = calloc(cap + 1, sizeof(*pf))))
		goto oom;
	for (struct fsys_namenode_list *l = pkg->files; l; l = l->next) {
		if (locate(pkg, root, l->namenode->name, &d[n]))
			goto oom;
		stat_one(n, d);
		pf[n] = (struct evmpkg_pkgfile){ .path = l->namenode->name,
						 .hardlink_group = -1, .digest_algo = -1 };
		pf[n].flags = (d[n].reg ? EVMPKG_PF_REG : 0) |
			      (d[n].conffile ? EVMPKG_PF_CONFIG : 0);
		n++;
	}
	o.manifest_field = "info file " EVMPKG_DEB_MANIFEST_MEMBER;
	o.background = 0;
	if (evmpkg_pkg_open(&pkg_e, name, EVMPKG_MF_ABSENT, NULL, 0, pf, n, &o, &err))
		bad = hook_report(h, "%s: %s", name, err.msg);
	for (size_t i = 0; pkg_e && i < evmpkg_pkg_nproblems(pkg_e); i++)
		bad |= hook_report(h, "%s", evmpkg_pkg_problem(pkg_e, i));
	goto out;
oom:
	bad = hook_report(h, "%s: out of memory", name);
out:
	if (bad)
		fprintf(stderr, PFX "%s: not to be configured: remove it (dpkg --remove %s) "
			"or install a correctly signed version\n", name, name);
	evmpkg_pkg_free(pkg_e);
	for (size_t i = 0; d && i < n; i++)
		free(d[i].path);
	free(d);
	free(pf);
	return bad;
}

/* In the list "name:arch name:arch..." evmpkg-dpkg gives the run. */
static int is_named(struct pkginfo *pkg, const char *only)
{
	size_t n = strlen(pkg->set->name), a;
	const char *arch = pkg->installed.arch ? pkg->installed.arch->name : "";

	a = strlen(arch);
	for (const char *p = only; *p; p += strcspn(p, " "), p += *p == ' ') {
		if (!strncmp(p, pkg->set->name, n) && p[n] == ':' && !strncmp(p + n + 1, arch, a) &&
		    (p[n + 1 + a] == ' ' || !p[n + 1 + a]))
			return 1;
	}
	return 0;
}

static int pending(const struct pkginfo *pkg)
{
	switch (pkg->status) {
	case PKG_STAT_UNPACKED:
	case PKG_STAT_HALFCONFIGURED:
	case PKG_STAT_TRIGGERSAWAITED:
	case PKG_STAT_TRIGGERSPENDING:
		return 1;
	default:
		return 0;
	}
}

int hook_post_unpack(struct hook *h)
{
	const char *root = getenv("DPKG_ROOT"), *admin = getenv("DPKG_ADMINDIR");
	/* The again pass before --configure looks at every pending package. */
	const char *only = h->again ? NULL : getenv(HOOK_ONLY_ENV);
	char *defadmin = NULL;
	struct pkg_hash_iter *it;
	struct pkginfo *pkg;
	struct evmpkg_kstate ks;
	struct evmpkg_err err = { 0 };
	int bad = 0, said = 0;

	if (!root)
		root = "";
	if (!admin || !*admin) {
		if (asprintf(&defadmin, "%s/var/lib/dpkg", root) < 0)
			return hook_report(h, "out of memory");
		admin = defadmin;
	}
	hook_db_open(root, admin, 1);
	it = pkg_hash_iter_new();
	while ((pkg = pkg_hash_iter_next_pkg(it))) {
		uint8_t *blob;
		size_t blen = 0;
		const char *mf;
		int r;

		if (!pending(pkg) || (only && *only && !is_named(pkg, only)))
			continue;
		mf = pkg_infodb_get_file(pkg, &pkg->installed, EVMPKG_DEB_MANIFEST_MEMBER);
		if ((r = read_file(mf, &blob, &blen)) > 0) {
			if (h->o.require_signatures)
				bad |= refuse_unsigned(h, pkg, root);
			continue;	/* unsigned */
		}
		if (r < 0) {
			bad |= hook_report(h, "%s: %s: cannot read (%s)",
					   pkg_name(pkg, pnaw_nonambig), mf, strerror(errno));
			continue;
		}
		/* Once per run: what this kernel will make of our writes. */
		if (!said++ && !h->again && !getenv(HOOK_LATER_ENV) &&
		    !evmpkg_kstate_probe(NULL, &ks, &err) &&
		    ks.outlook != EVMPKG_WRITES_OK)
			fprintf(stderr, PFX "%s; %s\n", evmpkg_kstate_mode_words(&ks),
				evmpkg_kstate_outlook_words(&ks));
		bad |= apply_pkg(h, pkg, root, blob, blen);
		free(blob);
	}
	pkg_hash_iter_free(it);
	hook_db_close(1);
	free(defadmin);
	return bad ? 1 : 0;
}
