/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The installed packages of a root, from whichever package databases it
 * has (rpm's, dpkg's, or both), for verify, apply and export.
 */
#ifndef EVMPKG_CLI_INSTALLED_H
#define EVMPKG_CLI_INSTALLED_H

#include <getopt.h>

#include "cli.h"

struct cli_inst {
	const char *root;		/* NULL: this system */
	const char *dbpath;		/* rpm's, under root; NULL: found */
	char **names;			/* packages named; none: every one */
	size_t nnames;
	char **certs;			/* --cert */
	size_t ncerts;
	struct evmpkg_trust *trust;
	struct evmpkg_pkgopts o;
	int verbose;
	int lock;			/* writing: the databases' own locks */
};

/* Options verify, apply and export share. */
enum { CLI_I_ROOT = 300, CLI_I_DBPATH, CLI_I_CERT, CLI_I_ALL, CLI_I_SIGN_CONFIG, CLI_I_FIRST_FREE };
#define CLI_INST_LONGOPTS                                                  \
	{ "root", required_argument, NULL, CLI_I_ROOT },                   \
	{ "dbpath", required_argument, NULL, CLI_I_DBPATH },               \
	{ "cert", required_argument, NULL, CLI_I_CERT },                   \
	{ "all", no_argument, NULL, CLI_I_ALL },                           \
	{ "sign-config", no_argument, NULL, CLI_I_SIGN_CONFIG },           \
	{ "jobs", required_argument, NULL, 'j' },                          \
	{ "verbose", no_argument, NULL, 'v' }

void cli_inst_init(struct cli_inst *in, int argc);

/* A verb's own options: own() takes c (1), says it is not one (0) or that
 * its value is bad (-1, having said why). */
struct cli_inst_verb {
	const char *name;		/* "verify" */
	const struct option *opts;	/* its long options, NULL-terminated */
	int (*own)(int c, const char *arg, void *ctx);
	void *ctx;
	void (*usage)(FILE *f);
	int need_target;		/* --all or package names required */
};
/*
 * cli_inst_init, then argv: the shared options (CLI_INST_LONGOPTS), the
 * verb's, --help, and the package names. Returns -1 to go on, else the
 * exit status (0 after --help, 2 for bad usage, which it has reported).
 */
int cli_inst_args(struct cli_inst *in, int argc, char **argv, const struct cli_inst_verb *v);

/*
 * Reports ip's package-wide problems (adding them to *nbad) and verifies
 * every signed file of it on the package's threads; the jobs are the
 * caller's to free with cli_inst_jobs_free. NULL when out of memory (said).
 */
struct evmpkg_verifyjob *cli_inst_verify(const struct evmpkg_instpkg *ip, size_t *nbad);
/* Reports ip's files that lead out of the root (never opened); their number. */
size_t cli_inst_outside(const struct evmpkg_instpkg *ip);
/* A package that cannot be checked at all (ip->unusable): said; 1, else 0. */
size_t cli_inst_unusable(const struct evmpkg_instpkg *ip);
void cli_inst_jobs_free(struct evmpkg_verifyjob *jobs, size_t n);
/*
 * Loads the trust (--cert, else the default locations under the root,
 * else this system's) and walks every database of the root; the names
 * given must each be installed in one of them. 0, or -1 said why.
 */
int cli_inst_each(struct cli_inst *in, evmpkg_inst_fn fn, void *arg);
void cli_inst_free(struct cli_inst *in);

#endif
