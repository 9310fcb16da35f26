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

#include "evmpkg/trustpaths.h"
#include "rpmconf.h"

int evmpkg_rpmconf_read(struct evmpkg_rpmconf *c)
{
	memset(c, 0, sizeof(*c));
	if (rpmReadConfigFiles(NULL, NULL))
		return -1;
	c->plugin = rpmExpand("%{?__transaction_zz_evmpkg}", NULL);
	c->plugin_exists = c->plugin && *c->plugin && access(c->plugin, R_OK) == 0;
	c->policy = rpmExpand("%{?_evmpkg_policy}", NULL);
	c->certs = rpmExpand("%{?_evmpkg_certs}", NULL);
	/* The plugin's defaults when these are left undefined. */
	c->ima_certs = rpmExpand("%{?_evmpkg_ima_certs:%{_evmpkg_ima_certs}}"
				 "%{!?_evmpkg_ima_certs:" EVMPKG_DEFAULT_IMA_CERTS "}", NULL);
	c->evm_certs = rpmExpand("%{?_evmpkg_evm_certs:%{_evmpkg_evm_certs}}"
				 "%{!?_evmpkg_evm_certs:" EVMPKG_DEFAULT_EVM_CERTS "}", NULL);
	c->sign_config = rpmExpandNumeric("%{?_evmpkg_sign_config}%{!?_evmpkg_sign_config:0}");
	return c->plugin && c->policy && c->certs && c->ima_certs && c->evm_certs ? 0 : -1;
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
