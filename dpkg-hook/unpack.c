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

#include "dpkgdb.h"
#include "hook.h"

/*
 * Every file dpkg left in place, on all cores; outcomes reported in
 * manifest order, up to the first refusal in enforce mode.
 */
static int apply_files(struct hook *h, const struct evmpkg_instpkg *ip)
{
	struct evmpkg_applyjob *jobs = calloc(ip->n + 1, sizeof(*jobs));
	int bad = 0;

	if (!jobs)
		return hook_report(h, "%s: out of memory", ip->name);
	for (size_t j = 0; j < ip->n; j++)
		jobs[j] = (struct evmpkg_applyjob){ .fx = ip->f[j].fx, .path = ip->f[j].path,
						    .dev = ip->f[j].dev, .ino = ip->f[j].ino };
	evmpkg_pkg_apply_all(ip->pkg, jobs, ip->n);
	for (size_t j = 0; j < ip->n; j++) {
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
static int apply_pkg(struct hook *h, const struct evmpkg_instpkg *ip, size_t rootlen)
{
	int bad = 0;

	for (size_t j = 0; j < ip->noutside; j++)
		bad |= hook_report(h, "%s: %s: %s leads out of the root %.*s (a symlinked "
				   "directory): not signed", ip->name, ip->outside[j].path + rootlen,
				   ip->outside[j].path, (int)rootlen, ip->outside[j].path);
	for (size_t j = 0; j < ip->n && !h->again; j++)
		if (ip->f[j].override)
			fprintf(stderr, PFX "%s: %s: has a dpkg-statoverride: IMA signature "
				"only (its owner or mode differs from what was signed)\n",
				ip->name, ip->f[j].path + rootlen);
	for (size_t i = 0; i < evmpkg_pkg_nproblems(ip->pkg); i++)
		bad |= hook_report(h, "%s", evmpkg_pkg_problem(ip->pkg, i));
	if (!bad)
		bad = apply_files(h, ip);
	if (bad)
		fprintf(stderr, PFX "%s: not to be configured: remove it (dpkg --remove %s) "
			"or install a correctly signed version\n", ip->name, ip->name);
	return bad;
}

/*
 * No manifest, and signatures required: the engine names each regular
 * file dpkg's list of the package has on disk (none: nothing to sign).
 */
static int refuse_unsigned(struct hook *h, struct pkginfo *pkg, const char *root)
{
	struct evmpkg_instpkg ip;
	struct evmpkg_err err = { 0 };
	const char *name = pkg_name(pkg, pnaw_nonambig);
	int bad = 0;

	if (evmpkg_dpkgdb_inst_unsigned(pkg, root, &h->o, &ip, &err))
		bad = hook_report(h, "%s", err.msg);
	for (size_t i = 0; !err.msg[0] && i < evmpkg_pkg_nproblems(ip.pkg); i++)
		bad |= hook_report(h, "%s", evmpkg_pkg_problem(ip.pkg, i));
	if (bad)
		fprintf(stderr, PFX "%s: not to be configured: remove it (dpkg --remove %s) "
			"or install a correctly signed version\n", name, name);
	if (!err.msg[0])
		evmpkg_instpkg_free(&ip);
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
	evmpkg_dpkgdb_open("evmpkg-dpkg-hook", root, admin, 1);
	it = pkg_hash_iter_new();
	while ((pkg = pkg_hash_iter_next_pkg(it))) {
		struct evmpkg_instpkg ip;
		int r;

		if (!pending(pkg) || (only && *only && !is_named(pkg, only)))
			continue;
		if ((r = evmpkg_dpkgdb_inst_open(pkg, root, &h->o, &ip, &err)) > 0) {
			/* Unsigned: refused when signatures are required. */
			if (h->o.require_signatures)
				bad |= refuse_unsigned(h, pkg, root);
			continue;
		}
		if (r < 0) {
			bad |= hook_report(h, "%s", err.msg);
			continue;
		}
		/* Once per run: what this kernel will make of our writes. */
		if (!said++ && !h->again && !getenv(HOOK_LATER_ENV) &&
		    !evmpkg_kstate_probe(NULL, &ks, &err) &&
		    ks.outlook != EVMPKG_WRITES_OK)
			fprintf(stderr, PFX "%s; %s\n", evmpkg_kstate_mode_words(&ks),
				evmpkg_kstate_outlook_words(&ks));
		bad |= apply_pkg(h, &ip, strlen(root));
		evmpkg_instpkg_free(&ip);
	}
	pkg_hash_iter_free(it);
	evmpkg_dpkgdb_close(1);
	free(defadmin);
	return bad ? 1 : 0;
}
