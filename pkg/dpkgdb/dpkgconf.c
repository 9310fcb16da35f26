// SPDX-License-Identifier: GPL-2.0-or-later
/* /etc/evmpkg/dpkg.conf: "key = value" lines, '#' comments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evmpkg/evmpkg.h"
#include "dpkgconf.h"

#define LINE_MAX_LEN 4096	/* a longer line is an error, not cut short */
#define CONF_MAX_LINES 1000

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	return (*dst = strdup(v)) ? 0 : -1;
}

static int set(struct evmpkg_dpkgconf *c, const char *k, const char *v)
{
	int *flag = !strcmp(k, "sign-config") ? &c->sign_config :
		    !strcmp(k, "require-signatures") ? &c->require_signatures :
		    !strcmp(k, "split-unpack") ? &c->split_unpack : NULL;

	if (!strcmp(k, "policy"))
		return (c->policy = evmpkg_policy_parse(v)) < 0 ? -1 : 0;
	if (flag == &c->split_unpack && !strcmp(v, "auto")) {
		c->split_unpack = EVMPKG_SPLIT_AUTO;
		return 0;
	}
	if (flag) {
		if (strcmp(v, "0") && strcmp(v, "1"))
			return -1;
		*flag = v[0] == '1';
		return 0;
	}
	if (!strcmp(k, "certs"))
		return set_str(&c->certs, v);
	if (!strcmp(k, "ima-certs"))
		return set_str(&c->ima_certs, v);
	if (!strcmp(k, "evm-certs"))
		return set_str(&c->evm_certs, v);
	return -1;
}

const char *evmpkg_dpkgconf_path(void)
{
	const char *p = getenv(EVMPKG_DPKGCONF_ENV);

	return p && *p ? p : EVMPKG_DPKGCONF;
}

int evmpkg_dpkgconf_read(const char *path, struct evmpkg_dpkgconf *c, char *msg, size_t msglen)
{
	char line[LINE_MAX_LEN + 2];
	FILE *f;
	int n = 0, rc = 0;

	memset(c, 0, sizeof(*c));
	c->policy = EVMPKG_POLICY_ENFORCE;
	c->split_unpack = EVMPKG_SPLIT_AUTO;
	if (!(f = fopen(path, "re"))) {
		if (errno == ENOENT)
			return 0;
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq;

		n++;
		if (strlen(line) > LINE_MAX_LEN || n > CONF_MAX_LINES) {
			snprintf(msg, msglen, "%s:%d: line too long or too many lines", path, n);
			rc = -1;
			break;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (!(eq = strchr(s, '='))) {
			snprintf(msg, msglen, "%s:%d: not \"key = value\"", path, n);
			rc = -1;
			break;
		}
		*eq = '\0';
		if (set(c, trim(s), trim(eq + 1))) {
			snprintf(msg, msglen, "%s:%d: bad key or value for '%s' (keys: policy "
				 "enforce|warn|off, certs, ima-certs, evm-certs, sign-config 0|1, "
				 "require-signatures 0|1, split-unpack auto|1|0)",
				 path, n, trim(s));
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f)) {
		snprintf(msg, msglen, "%s: read error", path);
		rc = -1;
	}
	fclose(f);
	if (rc)
		evmpkg_dpkgconf_free(c);
	return rc;
}

struct evmpkg_trustlists evmpkg_dpkgconf_lists(const struct evmpkg_dpkgconf *c)
{
	return (struct evmpkg_trustlists){
		c->certs, c->ima_certs, c->evm_certs, { "certs", "ima-certs", "evm-certs" },
	};
}

void evmpkg_dpkgconf_free(struct evmpkg_dpkgconf *c)
{
	free(c->certs);
	free(c->ima_certs);
	free(c->evm_certs);
	c->certs = c->ima_certs = c->evm_certs = NULL;
}
