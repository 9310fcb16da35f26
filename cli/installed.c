// SPDX-License-Identifier: GPL-2.0-or-later
/* Walking a root's rpm and dpkg databases for verify, apply and export. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "installed.h"
#include "rpmdb.h"
#ifdef EVMPKG_HAVE_DPKGDB
#include "dpkgdb.h"
#endif

void cli_inst_init(struct cli_inst *in, int argc)
{
	memset(in, 0, sizeof(*in));
	in->names = calloc((size_t)argc + 1, sizeof(*in->names));
	in->certs = calloc((size_t)argc + 1, sizeof(*in->certs));
	in->o.policy = EVMPKG_POLICY_WARN;
	in->o.set_caps = 1;	/* dpkg writes none; rpm's are the same values */
	/* A root built on a host without SELinux has no labels: the signed
	 * one is what the EVM signature covers. */
	in->o.set_label = 1;
	/* No stock plugin ran for an installed root: IMA-only values too. */
	in->o.write_ima_only = 1;
}

void cli_inst_free(struct cli_inst *in)
{
	evmpkg_trust_free(in->trust);
	free(in->names);
	free(in->certs);
}

static int inst_opt(struct cli_inst *in, int c, const char *arg, int *all)
{
	uint32_t v;

	switch (c) {
	case CLI_I_ROOT: in->root = arg; return 1;
	case CLI_I_DBPATH: in->dbpath = arg; return 1;
	case CLI_I_CERT: in->certs[in->ncerts++] = (char *)arg; return 1;
	case CLI_I_ALL: *all = 1; return 1;
	case CLI_I_SIGN_CONFIG: in->o.sign_config = 1; return 1;
	case 'v': in->verbose = 1; return 1;
	case 'j':
		if (cli_parse_u32(arg, 1024, &v) || !v) {
			cli_err("--jobs: '%s' is not a number from 1 to 1024", arg);
			return -1;
		}
		in->o.nthreads = (int)v;
		return 1;
	}
	return 0;
}

int cli_inst_args(struct cli_inst *in, int argc, char **argv, const struct cli_inst_verb *v)
{
	static const struct option common[] = { CLI_INST_LONGOPTS,
						{ "help", no_argument, NULL, 'h' } };
	size_t nc = sizeof(common) / sizeof(common[0]), nv = 0;
	struct option *lo;
	int c, all = 0, r, rc = -1;

	cli_inst_init(in, argc);
	while (v->opts && v->opts[nv].name)
		nv++;
	if (!in->names || !in->certs || !(lo = calloc(nc + nv + 1, sizeof(*lo)))) {
		cli_err("out of memory");
		return 2;
	}
	memcpy(lo, common, sizeof(common));
	memcpy(lo + nc, v->opts, nv * sizeof(*lo));
	while (rc < 0 && (c = getopt_long(argc, argv, "j:vh", lo, NULL)) != -1) {
		if (c == 'h') {
			v->usage(stdout);
			rc = 0;
		} else if ((r = inst_opt(in, c, optarg, &all)) == 0) {
			r = v->own ? v->own(c, optarg, v->ctx) : 0;
			if (r <= 0)
				rc = 2;
		} else if (r < 0) {
			rc = 2;
		}
	}
	free(lo);
	for (int i = optind; rc < 0 && i < argc; i++)
		in->names[in->nnames++] = argv[i];
	if (rc < 0 && all && in->nnames) {
		cli_err("%s: --all or package names, not both", v->name);
		rc = 2;
	} else if (rc < 0 && v->need_target && !all && !in->nnames) {
		cli_err("%s: give --all or the packages", v->name);
		rc = 2;
	}
	if (rc == 2)
		v->usage(stderr);
	return rc;
}

struct evmpkg_verifyjob *cli_inst_verify(const struct evmpkg_instpkg *ip, size_t *nbad)
{
	struct evmpkg_verifyjob *jobs = calloc(ip->n + 1, sizeof(*jobs));

	if (!jobs) {
		cli_err("out of memory");
		return NULL;
	}
	*nbad += cli_inst_outside(ip);
	/* A manifest that does not decode or pair: every file of it is in doubt. */
	for (size_t i = 0; i < evmpkg_pkg_nproblems(ip->pkg); i++) {
		cli_err("%s", evmpkg_pkg_problem(ip->pkg, i));
		++*nbad;
	}
	for (size_t i = 0; i < ip->n; i++)
		jobs[i] = (struct evmpkg_verifyjob){ .fx = ip->f[i].fx, .path = ip->f[i].path };
	evmpkg_pkg_verify_all(ip->pkg, jobs, ip->n);
	return jobs;
}

size_t cli_inst_unusable(const struct evmpkg_instpkg *ip)
{
	if (!ip->unusable)
		return 0;
	cli_err("%s: %s", ip->name, ip->unusable);
	return 1;
}

size_t cli_inst_outside(const struct evmpkg_instpkg *ip)
{
	for (size_t i = 0; i < ip->noutside; i++)
		cli_err("%s: %s leads out of the root (a symlinked directory planted in "
			"it): not checked, not written", ip->name, ip->outside[i].path);
	return ip->noutside;
}

void cli_inst_jobs_free(struct evmpkg_verifyjob *jobs, size_t n)
{
	for (size_t i = 0; jobs && i < n; i++)
		free(jobs[i].msg);
	free(jobs);
}

static int exists(const char *root, const char *path)
{
	char *p = NULL;
	struct stat st;
	int r;

	if (asprintf(&p, "%s%s", root ? root : "", path) < 0)
		return 0;
	r = stat(p, &st) == 0;
	free(p);
	return r;
}

/* The kernel's default certificate locations, under the root if it has any. */
static int load_trust(struct cli_inst *in)
{
	struct evmpkg_err err = { 0 };
	static const struct { const char *list; int usage; } d[] = {
		{ EVMPKG_DEFAULT_IMA_CERTS, EVMPKG_TRUST_IMA },
		{ EVMPKG_DEFAULT_EVM_CERTS, EVMPKG_TRUST_EVM },
	};
	size_t found = 0;

	if (in->ncerts || !in->root || !strcmp(in->root, "/"))
		return cli_load_trust(in->certs, in->ncerts, 1, &in->trust);
	if (cli_load_trust(NULL, 0, 0, &in->trust))
		return -1;
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		char *list = strdup(d[i].list), *save = NULL, *prefixed = NULL;
		size_t len = 0, n = 0;
		FILE *f = list ? open_memstream(&prefixed, &len) : NULL;

		for (char *t = f ? strtok_r(list, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save))
			fprintf(f, "%s%s%s", n++ ? " " : "", in->root, t);
		if (f)
			fclose(f);
		if (!prefixed || evmpkg_trust_add_list(in->trust, prefixed, d[i].usage, &found, &err)) {
			cli_err("%s", prefixed ? err.msg : "out of memory");
			free(list);
			free(prefixed);
			return -1;
		}
		free(list);
		free(prefixed);
	}
	if (!found && evmpkg_trust_add_defaults(in->trust, &err)) {
		cli_err("%s", err.msg);
		return -1;
	}
	return 0;
}

int cli_inst_each(struct cli_inst *in, evmpkg_inst_fn fn, void *arg)
{
	unsigned char *seen = calloc(in->nnames + 1, 1);
	struct evmpkg_err err = { 0 };
	char *dbpath = NULL;
	int rc = 0, dbs = 0;

	if (!seen || load_trust(in)) {
		free(seen);
		return -1;
	}
	in->o.trust = in->trust;
	if ((dbpath = in->dbpath ? strdup(in->dbpath) : evmpkg_rpmdb_find(in->root))) {
		dbs++;
		rc = evmpkg_rpmdb_each(in->root, dbpath, in->names, in->nnames, seen, in->lock,
				       &in->o, fn, arg, &err);
	}
	if (!rc && exists(in->root, "/var/lib/dpkg/status")) {
		dbs++;
#ifdef EVMPKG_HAVE_DPKGDB
		rc = evmpkg_dpkgdb_each(in->root, NULL, in->names, in->nnames, seen, in->lock,
					&in->o, fn, arg, &err);
#else
		rc = evmpkg_fail(&err, EVMPKG_EINVAL, "%s has a dpkg database and this "
				 "evmpkg was built without libdpkg", in->root ? in->root : "/");
#endif
	}
	if (!rc && !dbs)
		rc = evmpkg_fail(&err, EVMPKG_EINVAL, "%s: no rpm or dpkg database there",
				 in->root ? in->root : "/");
	if (rc && err.msg[0])
		cli_err("%s", err.msg);
	for (size_t i = 0; !rc && i < in->nnames; i++)
		if (!seen[i]) {
			cli_err("%s: not installed", in->names[i]);
			rc = -1;
		}
	free(seen);
	free(dbpath);
	return rc;
}
