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
	struct evmpkg_verifyjob *jobs = calloc(ip->n + 1, sizeof(*jobs));
	size_t rootlen = s->in.root && strcmp(s->in.root, "/") ? strlen(s->in.root) : 0;

	if (!jobs) {
		cli_err("out of memory");
		return -1;
	}
	/* A manifest that does not decode or pair: every file of it is in doubt. */
	for (size_t i = 0; i < evmpkg_pkg_nproblems(ip->pkg); i++) {
		cli_err("%s", evmpkg_pkg_problem(ip->pkg, i));
		s->nbad++;
	}
	for (size_t i = 0; i < ip->n; i++)
		jobs[i] = (struct evmpkg_verifyjob){ .fx = ip->f[i].fx, .path = ip->f[i].path };
	evmpkg_pkg_verify_all(ip->pkg, jobs, ip->n);
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
		free(jobs[i].msg);
	}
	free(jobs);
	s->npkgs++;
	if (s->tty) {
		fprintf(stderr, "\r\033[Kverified %zu packages, %zu files", s->npkgs, s->nfiles);
		fflush(stderr);
	}
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option lo[] = {
		CLI_INST_LONGOPTS,
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vstate s = { .tty = isatty(STDERR_FILENO) };
	int c, all = 0, rc;

	cli_inst_init(&s.in, argc);
	if (!s.in.names || !s.in.certs)
		return 2;
	while ((c = getopt_long(argc, argv, "j:vh", lo, NULL)) != -1) {
		if ((rc = cli_inst_opt(&s.in, c, optarg, &all)) < 0)
			goto usage;
		if (rc)
			continue;
		switch (c) {
		case 'J': s.json = 1; break;
		case 'h': usage(stdout); cli_inst_free(&s.in); return 0;
		default: goto usage;
		}
	}
	for (int i = optind; i < argc; i++)
		s.in.names[s.in.nnames++] = argv[i];
	if (all && s.in.nnames) {
		cli_err("verify: --all or package names, not both");
		goto usage;
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
usage:
	usage(stderr);
	cli_inst_free(&s.in);
	return 2;
}
