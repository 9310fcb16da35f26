// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evmpkg verify: installed packages' signed files against their stored
 * manifests, one line per problem file in the manner of `rpm -V`.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "installed.h"

struct vstate {
	struct cli_inst in;
	int json, tty;
	size_t npkgs, nfiles, nbad, nshown;
};

static void usage(FILE *f)
{
	fputs("usage: evmpkg verify [--root DIR] [--dbpath DIR] [--cert CERT]... [--json]\n"
	      "                     [--sign-config] [-j N] [-v] [--all | PKG...]\n"
	      "Compares every signed file of the installed packages (all, or those\n"
	      "named) with its package's manifest, from the rpm and dpkg databases\n"
	      "of DIR (default /). A line per file with a problem:\n"
	      "  5  content differs from what was signed    M  mode\n"
	      "  U  owner     G  group     P  capabilities  L  SELinux label\n"
	      "  I  security.ima absent or not the package's value\n"
	      "  E  security.evm absent or not the package's value\n"
	      "  V  the kernel would refuse the file as it is\n"
	      "  `missing` / `notreg` / `unread`: no file, not a regular file, unreadable\n"
	      "then 'c' for a configuration file and the path. -v adds why.\n"
	      "Certificates: --cert (trusted for both), else /etc/keys under DIR, else\n"
	      "this system's. Exit status 0 when all is well, 1 with problems.\n", f);
}

static void json_problem(struct vstate *s, const struct evmpkg_instpkg *ip,
			 const struct evmpkg_verifyjob *j, const char *codes, size_t rootlen)
{
	fputs(s->nshown++ ? ",\n {\"package\":" : "\n {\"package\":", stdout);
	cli_json_str(stdout, ip->name);
	printf(",\"db\":\"%s\",\"path\":", ip->db);
	cli_json_str(stdout, j->path + rootlen);
	fputs(",\"codes\":", stdout);
	cli_json_str(stdout, codes);
	printf(",\"config\":%s,\"message\":", j->config ? "true" : "false");
	cli_json_str(stdout, j->msg ? j->msg : "");
	fputc('}', stdout);
}

static int one_pkg(struct evmpkg_instpkg *ip, void *arg)
{
	struct vstate *s = arg;
	struct evmpkg_verifyjob *jobs;
	size_t rootlen = s->in.root && strcmp(s->in.root, "/") ? strlen(s->in.root) : 0;

	if (cli_inst_unusable(ip)) {
		struct evmpkg_verifyjob j = { .path = "", .msg = (char *)ip->unusable };

		s->nbad++;
		if (s->json)
			json_problem(s, ip, &j, "", 0);
		return 0;
	}
	if (!(jobs = cli_inst_verify(ip, &s->nbad)))
		return -1;
	for (size_t i = 0; i < ip->n; i++) {
		char codes[EVMPKG_VERIFY_NCODES + 1];

		s->nfiles += !jobs[i].skipped;
		if (!jobs[i].problems)
			continue;
		s->nbad++;
		evmpkg_verify_codes(jobs[i].problems, codes);
		if (s->tty)
			fputs("\r\033[K", stderr);
		if (s->json)
			json_problem(s, ip, &jobs[i], codes, rootlen);
		else if (printf("%s  %c %s\n", codes, jobs[i].config ? 'c' : ' ',
				jobs[i].path + rootlen) > 0 && s->in.verbose && jobs[i].msg)
			printf("         %s\n", jobs[i].msg);
	}
	cli_inst_jobs_free(jobs, ip->n);
	s->npkgs++;
	if (s->tty) {
		fprintf(stderr, "\r\033[Kverified %zu packages, %zu files", s->npkgs, s->nfiles);
		fflush(stderr);
	}
	return 0;
}

static int own_opt(int c, const char *arg, void *ctx)
{
	struct vstate *s = ctx;

	if (c != 'J')
		return 0;
	s->json = 1;
	return 1;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 },
	};
	struct vstate s = { .tty = isatty(STDERR_FILENO) };
	const struct cli_inst_verb v = { "verify", lo, own_opt, &s, usage, 0 };
	int rc;

	if ((rc = cli_inst_args(&s.in, argc, argv, &v)) >= 0) {
		cli_inst_free(&s.in);
		return rc;
	}
	if (s.json)
		fputs("{\"problems\":[", stdout);
	rc = cli_inst_each(&s.in, one_pkg, &s);
	if (s.tty)
		fputs("\r\033[K", stderr);
	if (s.json)
		printf("%s],\"packages\":%zu,\"files\":%zu,\"bad\":%zu}\n", s.nshown ? "\n" : "",
		       s.npkgs, s.nfiles, s.nbad);
	else if (s.in.verbose || s.tty)
		fprintf(stderr, "evmpkg: verify: %zu signed packages, %zu files, %zu with problems\n",
			s.npkgs, s.nfiles, s.nbad);
	cli_inst_free(&s.in);
	return rc ? 2 : s.nbad ? 1 : 0;
}
