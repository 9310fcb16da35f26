/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The installed packages of a root, from whichever package databases it
 * has (rpm's, dpkg's, or both), for verify, apply and export.
 */
#ifndef EVMPKG_CLI_INSTALLED_H
#define EVMPKG_CLI_INSTALLED_H

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
/* 1: c was one of CLI_INST_LONGOPTS and is taken; 0: not one; -1: bad. */
int cli_inst_opt(struct cli_inst *in, int c, const char *arg, int *all);
/*
 * Loads the trust (--cert, else the default locations under the root,
 * else this system's) and walks every database of the root; the names
 * given must each be installed in one of them. 0, or -1 said why.
 */
int cli_inst_each(struct cli_inst *in, evmpkg_inst_fn fn, void *arg);
void cli_inst_free(struct cli_inst *in);

#endif
