// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evmpkg apply: writes installed packages' signatures from their stored
 * manifests (rpm headers, dpkg info files) onto their files: for systems
 * installed before evmpkg, roots unpacked by tools the hooks do not see
 * (mmdebstrap, debootstrap), `rpm --root` runs without the plugin.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "installed.h"

struct astate {
	struct cli_inst in;
	size_t npkgs, nfiles, nbad, env_told;
	size_t count[EVMPKG_A_NONROOT + 1];
};

static void usage(FILE *f)
{
	fputs("usage: evmpkg apply [--root DIR] [--dbpath DIR] [--cert CERT]...\n"
	      "                    [--policy warn|enforce] [--sign-config] [-j N] [-v]\n"
	      "                    --all | PKG...\n"
	      "Writes security.capability, security.ima and security.evm of every\n"
	      "signed file of the installed packages (all, or those named) from\n"
	      "their manifests in the rpm and dpkg databases of DIR (default /),\n"
	      "after verifying them as the rpm plugin and the dpkg hooks do. Owner\n"
	      "and mode must already be as signed (a dpkg-statoverride gives IMA\n"
	      "only). Idempotent: values already in place are left; a file whose own\n"
	      "values verify is kept; another EVM portable signature is reported,\n"
	      "never replaced; a file changed since it was installed is reported and\n"
	      "left unlabelled. warn (default): every file that verifies is written;\n"
	      "enforce: a package with any problem gets nothing. Exit status 0 when\n"
	      "everything was applied, 1 when something was reported.\n", f);
}

static int one_pkg(struct evmpkg_instpkg *ip, void *arg)
{
	struct astate *s = arg;
	struct evmpkg_applyjob *jobs = calloc(ip->n + 1, sizeof(*jobs));
	size_t before = s->nbad;

	if (!jobs) {
		cli_err("out of memory");
		return -1;
	}
	if ((s->nbad += cli_inst_unusable(ip)) > before) {
		free(jobs);
		return 0;
	}
	s->nbad += cli_inst_outside(ip);
	for (size_t i = 0; i < evmpkg_pkg_nproblems(ip->pkg); i++) {
		cli_err("%s", evmpkg_pkg_problem(ip->pkg, i));
		s->nbad++;
	}
	for (size_t i = 0; i < ip->n; i++)
		jobs[i] = (struct evmpkg_applyjob){ .fx = ip->f[i].fx, .path = ip->f[i].path,
						    .dev = ip->f[i].dev, .ino = ip->f[i].ino,
						    .flags = EVMPKG_AF_INSTALLED };
	evmpkg_pkg_apply_all(ip->pkg, jobs, ip->n);
	for (size_t i = 0; i < ip->n; i++) {
		const char *env = evmpkg_outcome_words(jobs[i].outcome);

		s->nfiles++;
		if (jobs[i].rc || jobs[i].outcome == EVMPKG_A_WARNED) {
			cli_err("%s", jobs[i].msg ? jobs[i].msg : "out of memory");
			s->nbad++;
		} else if (env && !s->env_told++) {
			cli_err("%s: nothing written: %s", ip->name, env);
			s->nbad++;
		} else if (jobs[i].outcome <= EVMPKG_A_NONROOT) {
			s->count[jobs[i].outcome]++;
		}
		free(jobs[i].msg);
	}
	free(jobs);
	s->npkgs++;
	if (s->in.verbose)
		printf("%s: %zu signed files, %s\n", ip->name, ip->n,
		       s->nbad == before ? "applied" : "with problems (above)");
	return 0;
}

static int own_opt(int c, const char *arg, void *ctx)
{
	struct astate *s = ctx;

	if (c != 'P')
		return 0;
	s->in.o.policy = evmpkg_policy_parse(arg);
	if (s->in.o.policy != EVMPKG_POLICY_WARN && s->in.o.policy != EVMPKG_POLICY_ENFORCE) {
		cli_err("apply: --policy takes warn or enforce, not '%s'", arg);
		return -1;
	}
	return 1;
}

int cmd_apply(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "policy", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct astate s;
	const struct cli_inst_verb v = { "apply", lo, own_opt, &s, usage, 1 };
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = cli_inst_args(&s.in, argc, argv, &v)) >= 0) {
		cli_inst_free(&s.in);
		return rc;
	}
	s.in.lock = 1;
	rc = cli_inst_each(&s.in, one_pkg, &s);
	if (!rc)
		printf("evmpkg: apply: %zu signed packages, %zu files: %zu applied or in place, "
	       "%zu kept with their own verified values, %zu configuration files left, "
	       "%zu problems\n", s.npkgs, s.nfiles, s.count[EVMPKG_A_APPLIED],
	       s.count[EVMPKG_A_KEPT], s.count[EVMPKG_A_CONFIG], s.nbad);
	cli_inst_free(&s.in);
	return rc ? 2 : s.nbad ? 1 : 0;
}
