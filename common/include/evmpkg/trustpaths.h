/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Trusted certificates from lists of paths, and the kernel's usual
 * locations for them (what dracut and systemd load into the _ima and _evm
 * keyrings at boot), stated here once for the command and the adapters.
 */
#ifndef EVMPKG_TRUSTPATHS_H
#define EVMPKG_TRUSTPATHS_H

#include "evmpkg/err.h"
#include "evmpkg/keys.h"

#define EVMPKG_DEFAULT_IMA_CERTS "/etc/keys/ima /etc/keys/x509_ima.der"
#define EVMPKG_DEFAULT_EVM_CERTS "/etc/keys/evm /etc/keys/x509_evm.der"

/*
 * Adds every certificate named in list (files or directories, separated
 * by blanks) for usage. A path that does not exist is skipped (the
 * defaults are optional locations); one that exists and does not load is
 * an error naming it, so a broken trust store is never taken for an empty
 * one. *added (may be NULL) counts the paths that existed.
 */
int evmpkg_trust_add_list(struct evmpkg_trust *t, const char *list, int usage,
			  size_t *added, struct evmpkg_err *err);
/* Both default lists, each for its usage. */
int evmpkg_trust_add_defaults(struct evmpkg_trust *t, struct evmpkg_err *err);

/* An installer's three lists, as its settings give them. */
struct evmpkg_trustlists {
	const char *certs;	/* both kinds; NULL or "": none */
	const char *ima_certs;	/* NULL (not set): EVMPKG_DEFAULT_IMA_CERTS */
	const char *evm_certs;	/* NULL (not set): EVMPKG_DEFAULT_EVM_CERTS */
	const char *names[3];	/* the settings' names, for messages */
};
/*
 * Adds the three lists as the rpm plugin, the dpkg hooks and the command
 * (inspect --rpm-trust) all load them. A list that was set, is not empty
 * and names no path that exists is an error: a typo must not leave the
 * trust empty (signatures would then be checked for form only).
 */
int evmpkg_trust_add_lists(struct evmpkg_trust *t, const struct evmpkg_trustlists *l,
			   struct evmpkg_err *err);

#endif
