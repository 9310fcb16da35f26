/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The evmpkg rpm plugin's setup as this system's rpm will load it. */
#ifndef EVMPKG_RPMCONF_H
#define EVMPKG_RPMCONF_H

struct evmpkg_rpmconf {
	char *plugin;		/* %__transaction_zz_evmpkg, expanded; "" unset */
	int plugin_exists;	/* that file exists */
	char *policy;		/* %_evmpkg_policy */
	char *certs, *ima_certs, *evm_certs;	/* the trust lists, expanded */
	int sign_config;
};

/* Reads rpm's configuration (macros); -1 when rpm cannot. */
int evmpkg_rpmconf_read(struct evmpkg_rpmconf *c);
void evmpkg_rpmconf_free(struct evmpkg_rpmconf *c);

#endif
