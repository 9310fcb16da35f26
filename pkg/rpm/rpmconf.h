/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The evmpkg rpm plugin's settings (its macros), read once, in one place. */
#ifndef EVMPKG_RPMCONF_H
#define EVMPKG_RPMCONF_H

#include "evmpkg/trustpaths.h"

struct evmpkg_rpmconf {
	char *plugin;		/* %__transaction_zz_evmpkg, expanded; "" unset */
	int plugin_exists;	/* that file exists */
	char *policy;		/* %_evmpkg_policy; "" unset */
	char *certs;		/* %_evmpkg_certs; "" unset */
	char *ima_certs, *evm_certs;	/* NULL unset (the defaults apply) */
	int sign_config, require_signatures;
};

/* The macros rpm has now (the plugin: rpm's own configuration, read);
 * -1 when out of memory. */
int evmpkg_rpmconf_get(struct evmpkg_rpmconf *c);
/* Reads rpm's configuration files first (the command); -1 when rpm cannot. */
int evmpkg_rpmconf_read(struct evmpkg_rpmconf *c);
/* The trust lists for evmpkg_trust_add_lists, named as macros; they
 * point into c. */
struct evmpkg_trustlists evmpkg_rpmconf_lists(const struct evmpkg_rpmconf *c);
void evmpkg_rpmconf_free(struct evmpkg_rpmconf *c);

#endif
