/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evmpkg-dpkg-hook: dpkg and apt hooks over libevmpkg's install engine.
 * They translate packages into engine calls and report what comes back in
 * dpkg's stderr style; the engine makes every decision.
 */
#ifndef EVMPKG_DPKG_HOOK_H
#define EVMPKG_DPKG_HOOK_H

#include "evmpkg/evmpkg.h"
#include "dpkgconf.h"

#define PFX "evmpkg: "
/* The dpkg that evmpkg-dpkg (apt's Dir::Bin::dpkg) runs. */
#define HOOK_DPKG "/usr/bin/dpkg"
#define HOOK_DPKG_ENV "EVMPKG_REAL_DPKG"
/* Set by evmpkg-dpkg for each of its runs ("name:arch name:arch..."):
 * post-invoke applies those packages only, not every one still unpacked. */
#define HOOK_ONLY_ENV "EVMPKG_DPKG_PACKAGE"
/* Set for evmpkg-dpkg's runs after the first: notices given once. */
#define HOOK_LATER_ENV "EVMPKG_DPKG_LATER_RUN"

/* Where evmpkg-dpkg reads the kernel's state (default /sys/kernel/security). */
#define HOOK_SECURITYFS_ENV "EVMPKG_SECURITYFS"

/* The state every subcommand shares. */
struct hook {
	struct evmpkg_dpkgconf conf;
	struct evmpkg_trust *trust;
	struct evmpkg_pkgopts o;	/* engine options from conf */
	int told[EVMPKG_A_NONROOT + 1];	/* environment notices, once each */
	int again;			/* pre-invoke's pass before --configure:
					   notices were given at unpack */
	int db;				/* evmpkg_dpkgdb_open done: verification also
					   checks the owner and mode dpkg gives */
};

/* Prints "evmpkg: MSG" and returns the policy's answer: 1 enforce, 0 warn. */
int hook_report(const struct hook *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Reports one apply outcome that is not a failure (warnings, notices). */
void hook_outcome(struct hook *h, const struct evmpkg_applied *res);

/* The admin directory dpkg options argv[0..n-1] name (--root, --admindir),
 * else DPKG_ADMINDIR or /var/lib/dpkg; *own is the caller's to free. */
const char *hook_admindir(char **argv, int n, char **own);

int hook_apt_verify(struct hook *h);
/* 1 when the policy refuses the .deb at path (unsigned ones pass). With
 * the database open (evmpkg_dpkgdb_open), the owner and mode dpkg will give each
 * file are checked against what was signed too. */
int hook_verify_deb(struct hook *h, const char *path);
/* verify, dpkg --unpack, dpkg --configure: argv is [DPKG-OPTION...] PKG.deb... */
int hook_install(struct hook *h, int argc, char **argv);
int hook_post_unpack(struct hook *h);
/* evmpkg-dpkg [DPKG-ARG...]: returns only when dpkg could not be run or
 * after one-package runs (their first failure's status, else 0). */
int hook_dpkg_wrapper(int argc, char **argv);
/* The dpkg to run: EVMPKG_REAL_DPKG, else /usr/bin/dpkg. */
const char *hook_dpkg_path(void);
/* dpkg argv[1..nprefix-1] DEB... (argv[0] is replaced) in runs that each
 * end before a package whose unpack runs a script, so every script finds
 * the packages before it applied; stops at the first failure. */
int hook_unpack_each(char **argv, int nprefix, char **debs, int ndebs);
/* dpkg argv[1..nprefix-1] ARGS... (argv[0] is replaced): one run; its exit
 * status, or 2 when dpkg cannot run. */
int hook_run_dpkg(char **argv, int nprefix, char **args, int n);

#endif
