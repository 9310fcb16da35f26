// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evmpkg/trustpaths.h"

int evmpkg_trust_add_list(struct evmpkg_trust *t, const char *list, int usage,
			  size_t *added, struct evmpkg_err *err)
{
	char *copy = strdup(list ? list : ""), *save = NULL, *tok;
	struct stat st;
	int rc = EVMPKG_OK;

	if (added)
		*added = 0;
	if (!copy)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "certificate list");
	for (tok = strtok_r(copy, " \t\n", &save); tok && !rc;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (stat(tok, &st)) {
			if (errno != ENOENT)
				rc = evmpkg_fail_errno(err, errno, "certificate %s", tok);
			continue;
		}
		rc = S_ISDIR(st.st_mode) ? evmpkg_trust_add_dir(t, tok, usage, err) :
					   evmpkg_trust_add_file(t, tok, usage, err);
		if (!rc && added)
			(*added)++;
	}
	free(copy);
	return rc;
}

int evmpkg_trust_add_defaults(struct evmpkg_trust *t, struct evmpkg_err *err)
{
	int rc = evmpkg_trust_add_list(t, EVMPKG_DEFAULT_IMA_CERTS, EVMPKG_TRUST_IMA,
				       NULL, err);

	return rc ? rc : evmpkg_trust_add_list(t, EVMPKG_DEFAULT_EVM_CERTS,
					       EVMPKG_TRUST_EVM, NULL, err);
}

int evmpkg_trust_add_lists(struct evmpkg_trust *t, const struct evmpkg_trustlists *l,
			   struct evmpkg_err *err)
{
	const struct { const char *val, *def; int usage; } lists[3] = {
		{ l->certs, NULL, EVMPKG_TRUST_BOTH },
		{ l->ima_certs, EVMPKG_DEFAULT_IMA_CERTS, EVMPKG_TRUST_IMA },
		{ l->evm_certs, EVMPKG_DEFAULT_EVM_CERTS, EVMPKG_TRUST_EVM },
	};
	int first = EVMPKG_OK;

	/* Every list is loaded even after one fails: under a warn policy the
	 * others still verify what they can; the first failure is reported. */
	for (size_t i = 0; i < 3; i++) {
		const char *v = lists[i].val ? lists[i].val : lists[i].def;
		struct evmpkg_err e = { 0 };
		size_t found = 0;
		int rc;

		if (!v)
			continue;
		if ((rc = evmpkg_trust_add_list(t, v, lists[i].usage, &found, &e)))
			evmpkg_err_prefix(&e, "%s: ", l->names[i]);
		else if (lists[i].val && *v && !found)
			rc = evmpkg_fail(&e, EVMPKG_EINVAL, "%s names no certificate that exists (%s)",
					 l->names[i], v);
		if (rc && !first) {
			first = rc;
			if (err)
				*err = e;
		}
	}
	return first;
}
