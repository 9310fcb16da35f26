/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/evmpkg/dpkg.conf, the dpkg hooks' settings: read by the hooks and
 * reported by `evmpkg status`, one reader for both.
 */
#ifndef EVMPKG_DPKGCONF_H
#define EVMPKG_DPKGCONF_H

#include <stddef.h>

#include "evmpkg/trustpaths.h"

/* The host's file: dpkg reads its own configuration from the host even
 * with --root, and the trust and the policy belong to the host too. */
#define EVMPKG_DPKGCONF "/etc/evmpkg/dpkg.conf"
#define EVMPKG_DPKGCONF_ENV "EVMPKG_DPKG_CONF"

/* split-unpack = auto: split when the kernel may refuse to run a file. */
#define EVMPKG_SPLIT_AUTO (-1)

struct evmpkg_dpkgconf {
	int policy;		/* enum evmpkg_policy */
	int sign_config;
	int require_signatures;
	int split_unpack;	/* evmpkg-dpkg splits apt's unpack runs: 1, 0
				   or EVMPKG_SPLIT_AUTO */
	char *certs, *ima_certs, *evm_certs;	/* NULL: not given */
};

/* EVMPKG_DPKG_CONF when set and not empty, else EVMPKG_DPKGCONF. */
const char *evmpkg_dpkgconf_path(void);
/* Reads path (absent: the defaults); 0, or -1 with msg filled. */
int evmpkg_dpkgconf_read(const char *path, struct evmpkg_dpkgconf *c, char *msg, size_t msglen);
/* The trust lists for evmpkg_trust_add_lists; they point into c. */
struct evmpkg_trustlists evmpkg_dpkgconf_lists(const struct evmpkg_dpkgconf *c);
void evmpkg_dpkgconf_free(struct evmpkg_dpkgconf *c);

#endif
