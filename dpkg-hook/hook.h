/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evmpkg-dpkg-hook: dpkg and apt hooks over libevmpkg's install engine.
 * They translate packages into engine calls and report what comes back in
 * dpkg's stderr style; the engine makes every decision.
 */
#ifndef EVMPKG_DPKG_HOOK_H
#define EVMPKG_DPKG_HOOK_H

#include "evmpkg/evmpkg.h"

#define PFX "evmpkg: "
/* The host's configuration: dpkg reads its own from the host even with
 * --root, and the trust and the policy belong to the host too. */
#define HOOK_CONF "/etc/evmpkg/dpkg.conf"
#define HOOK_CONF_ENV "EVMPKG_DPKG_CONF"

struct hook_conf {
	int policy;		/* enum evmpkg_policy */
	int sign_config;
	char *certs, *ima_certs, *evm_certs;	/* NULL: not given */
};

/* The state every subcommand shares. */
struct hook {
	struct hook_conf conf;
	struct evmpkg_trust *trust;
	struct evmpkg_pkgopts o;	/* engine options from conf */
	int told[EVMPKG_A_NONROOT + 1];	/* environment notices, once each */
	int again;			/* pre-invoke's pass before --configure:
					   notices were given at unpack */
};

/* Reads path (absent: the defaults); 0, or -1 with msg filled. */
int hook_conf_read(const char *path, struct hook_conf *c, char *msg, size_t msglen);
void hook_conf_free(struct hook_conf *c);

/* Prints "evmpkg: MSG" and returns the policy's answer: 1 enforce, 0 warn. */
int hook_report(const struct hook *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Reports one apply outcome that is not a failure (warnings, notices). */
void hook_outcome(struct hook *h, const struct evmpkg_applied *res);

int hook_apt_verify(struct hook *h);
/* 1 when the policy refuses the .deb at path (unsigned ones pass). */
int hook_verify_deb(struct hook *h, const char *path);
/* verify, dpkg --unpack, dpkg --configure: argv is [DPKG-OPTION...] PKG.deb... */
int hook_install(struct hook *h, int argc, char **argv);
int hook_post_unpack(struct hook *h);

#endif
