// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plugin's macros as rpm expands them: rpm loads a plugin whose
 * %__transaction_NAME macro is set (rpmtsSetupTransactionPlugins), and
 * reads the host's macros even for --root, so this holds for any root.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rpm/rpmlib.h>
#include <rpm/rpmmacro.h>

#include "rpmconf.h"

/* A macro's value, or NULL when it is not defined at all (an empty value
 * is a setting: "trust none of this kind"). */
static char *defined(const char *name, int *oom)
{
	char q[64];
	char *isdef, *v = NULL;

	snprintf(q, sizeof(q), "%%{?%s:1}", name);
	if (!(isdef = rpmExpand(q, NULL))) {
		*oom = 1;
		return NULL;
	}
	if (*isdef) {
		snprintf(q, sizeof(q), "%%{%s}", name);
		*oom |= !(v = rpmExpand(q, NULL));
	}
	free(isdef);
	return v;
}

int evmpkg_rpmconf_get(struct evmpkg_rpmconf *c)
{
	int oom = 0;

	memset(c, 0, sizeof(*c));
	c->plugin = rpmExpand("%{?__transaction_zz_evmpkg}", NULL);
	c->plugin_exists = c->plugin && *c->plugin && access(c->plugin, R_OK) == 0;
	c->policy = rpmExpand("%{?_evmpkg_policy}", NULL);
	c->certs = rpmExpand("%{?_evmpkg_certs}", NULL);
	c->ima_certs = defined("_evmpkg_ima_certs", &oom);
	c->evm_certs = defined("_evmpkg_evm_certs", &oom);
	c->sign_config = rpmExpandNumeric("%{?_evmpkg_sign_config}") != 0;
	c->require_signatures = rpmExpandNumeric("%{?_evmpkg_require_signatures}") != 0;
	if (oom || !c->plugin || !c->policy || !c->certs) {
		evmpkg_rpmconf_free(c);
		return -1;
	}
	return 0;
}

int evmpkg_rpmconf_read(struct evmpkg_rpmconf *c)
{
	memset(c, 0, sizeof(*c));
	if (rpmReadConfigFiles(NULL, NULL))
		return -1;
	return evmpkg_rpmconf_get(c);
}

struct evmpkg_trustlists evmpkg_rpmconf_lists(const struct evmpkg_rpmconf *c)
{
	return (struct evmpkg_trustlists){
		c->certs, c->ima_certs, c->evm_certs,
		{ "%_evmpkg_certs", "%_evmpkg_ima_certs", "%_evmpkg_evm_certs" },
	};
}

void evmpkg_rpmconf_free(struct evmpkg_rpmconf *c)
{
	free(c->plugin);
	free(c->policy);
	free(c->certs);
	free(c->ima_certs);
	free(c->evm_certs);
	memset(c, 0, sizeof(*c));
}
