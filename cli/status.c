// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evmpkg status: what the running kernel will enforce, which keys it
 * holds, and how rpm and dpkg are set up to install signatures: whether
 * each installer's trusted certificates are loaded in the kernel (a
 * mismatch is the usual reason for a machine that will not boot).
 */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "keyrings.h"
#include "rpmconf.h"
#include "rpmdb.h"
#ifdef EVMPKG_HAVE_DPKGDB
#include "dpkgconf.h"
#endif

#ifndef EVMPKG_SBINDIR
#define EVMPKG_SBINDIR "/usr/sbin"
#endif

static const char *const mode_keys[] = {
	[EVMPKG_MODE_NO_SECURITYFS] = "unknown",
	[EVMPKG_MODE_NO_EVM] = "absent",
	[EVMPKG_MODE_OFF] = "off",
	[EVMPKG_MODE_X509] = "x509",
	[EVMPKG_MODE_HMAC] = "hmac",
};

/* One installer's setup, as status reports it. */
struct installer {
	const char *name;		/* "rpm", "dpkg" */
	int installed, active;
	char where[300];		/* what was found, in words */
	const char *policy;
	int sign_config;
	struct evmpkg_trustlists tl;	/* as the installer's settings give them */
	int nmissing;			/* trusted keys not in the kernel */
};

struct st {
	struct cli_keyring rings[4];
	int json, first_cert;
	FILE *out;
};

static const char *usage_words(int u)
{
	return u == EVMPKG_TRUST_BOTH ? "IMA+EVM" : u == EVMPKG_TRUST_IMA ? "IMA" : "EVM";
}

/* Every certificate of the installer's lists, with its key id and whether
 * the kernel's keyrings for its usage hold that key. */
static void certs(struct st *s, struct installer *in)
{
	static const int usage[3] = { EVMPKG_TRUST_BOTH, EVMPKG_TRUST_IMA, EVMPKG_TRUST_EVM };

	/* Each list as the installer loads it (evmpkg_trust_add_lists). */
	const char *lists[3] = {
		in->tl.certs,
		in->tl.ima_certs ? in->tl.ima_certs : EVMPKG_DEFAULT_IMA_CERTS,
		in->tl.evm_certs ? in->tl.evm_certs : EVMPKG_DEFAULT_EVM_CERTS,
	};

	for (int l = 0; l < 3; l++) {
		char *list = lists[l] ? strdup(lists[l]) : NULL, *save = NULL;

		for (char *p = list ? strtok_r(list, " \t", &save) : NULL; p;
		     p = strtok_r(NULL, " \t", &save)) {
			struct evmpkg_trust *t = NULL;
			struct evmpkg_err err = { 0 };
			size_t found = 0;

			if (evmpkg_trust_new(&t, &err))
				break;
			if (evmpkg_trust_add_list(t, p, usage[l], &found, &err)) {
				if (s->json) {
					fprintf(s->out, "%s{\"installer\":\"%s\",\"path\":",
						s->first_cert++ ? "," : "", in->name);
					cli_json_str(s->out, p);
					fputs(",\"error\":", s->out);
					cli_json_str(s->out, err.msg);
					fputc('}', s->out);
				} else {
					fprintf(s->out, "  certificate %s: does not load: %s\n", p, err.msg);
				}
			}
			for (size_t i = 0; i < evmpkg_trust_count(t); i++) {
				uint32_t id;
				int u, ima = 1, evm = 1;

				evmpkg_trust_cert(t, i, &id, &u);
				if (u & EVMPKG_TRUST_IMA)
					ima = cli_keyrings_have(s->rings, 1, id);
				if (u & EVMPKG_TRUST_EVM)
					evm = cli_keyrings_have(s->rings, 2, id);
				in->nmissing += !ima || !evm;
				if (s->json) {
					fprintf(s->out, "%s{\"installer\":\"%s\",\"path\":",
						s->first_cert++ ? "," : "", in->name);
					cli_json_str(s->out, p);
					fprintf(s->out, ",\"keyid\":\"%08x\",\"usage\":\"%s\","
						"\"in_kernel\":%s}", id, usage_words(u),
						ima && evm ? "true" : "false");
				} else {
					fprintf(s->out, "  certificate %s: key %08x for %s: %s\n", p, id,
						usage_words(u), ima && evm ? "loaded in the kernel" :
						!ima && !evm ? "NOT in the kernel's _ima or _evm keyring" :
						!ima ? "NOT in the kernel's _ima keyring" :
						       "NOT in the kernel's _evm keyring");
				}
			}
			evmpkg_trust_free(t);
		}
		free(list);
	}
}

static void rpm_setup(struct installer *in, struct evmpkg_rpmconf *c)
{
	in->name = "rpm";
	if (evmpkg_rpmconf_read(c)) {
		snprintf(in->where, sizeof(in->where), "rpm's configuration cannot be read");
		return;
	}
	in->installed = c->plugin_exists;
	in->policy = c->policy && *c->policy ? c->policy : "enforce";
	in->active = in->installed && strcmp(in->policy, "off");
	in->sign_config = c->sign_config;
	in->tl = evmpkg_rpmconf_lists(c);
	snprintf(in->where, sizeof(in->where), "%s%s", *c->plugin ? c->plugin :
		 "%__transaction_zz_evmpkg is not set (the plugin's macros file is not installed "
		 "or turns it off)", *c->plugin && !c->plugin_exists ? ": no such file" : "");
}

#ifdef EVMPKG_HAVE_DPKGDB
/* Whether a dpkg configuration file runs the hook (dpkg reads the host's). */
static int dpkg_runs_hook(void)
{
	const char *hook = EVMPKG_SBINDIR "/evmpkg-dpkg-hook post-unpack";
	DIR *d = opendir("/etc/dpkg/dpkg.cfg.d");
	struct dirent *de;
	int found = 0;

	while (d && !found && (de = readdir(d))) {
		char path[512], line[1024];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/etc/dpkg/dpkg.cfg.d/%s", de->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		while (!found && fgets(line, sizeof(line), f))
			found = line[0] != '#' && strstr(line, "post-invoke") && strstr(line, hook);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static void dpkg_setup(struct installer *in, struct evmpkg_dpkgconf *c)
{
	const char *path = evmpkg_dpkgconf_path();
	char msg[300] = "";
	int hook = access(EVMPKG_SBINDIR "/evmpkg-dpkg-hook", X_OK) == 0;
	int runs = dpkg_runs_hook();
	int apt = access("/etc/apt/apt.conf.d/80evmpkg", R_OK) == 0;

	in->name = "dpkg";
	if (evmpkg_dpkgconf_read(path, c, msg, sizeof(msg))) {
		snprintf(in->where, sizeof(in->where), "%s", msg);
		return;
	}
	in->installed = hook && runs;
	in->policy = c->policy == EVMPKG_POLICY_OFF ? "off" :
		     c->policy == EVMPKG_POLICY_WARN ? "warn" : "enforce";
	in->active = in->installed && c->policy != EVMPKG_POLICY_OFF;
	in->sign_config = c->sign_config;
	in->tl = evmpkg_dpkgconf_lists(c);
	snprintf(in->where, sizeof(in->where), "%s %s; dpkg.cfg.d %s; apt hooks %s; "
		 "configuration %s", EVMPKG_SBINDIR "/evmpkg-dpkg-hook",
		 hook ? "present" : "absent", runs ? "runs it" : "does not run it",
		 apt ? "set (/etc/apt/apt.conf.d/80evmpkg)" : "not set", path);
}
#endif

static void kernel_text(const struct evmpkg_kstate *ks, const struct st *s)
{
	puts(evmpkg_kstate_mode_words(ks));
	if (ks->mode >= EVMPKG_MODE_OFF)
		printf("EVM value read from securityfs: %u (bit 31, setup complete, is never shown)\n",
		       ks->evm_value);
	printf("IMA: %s\n", !ks->ima_present ? "not present" :
	       !ks->ima_policy_readable ? "present; policy not readable (CONFIG_IMA_READ_POLICY off)" :
	       ks->ima_appraise_rules ? "present; policy has appraise rules" :
				       "present; policy has no appraise rule");
	for (int i = 0; i < 4; i++) {
		const struct cli_keyring *r = &s->rings[i];

		if (!r->found) {
			if (i % 2 == 0 && !s->rings[i + 1].found)
				printf("keyring %s / %s: not found (no key loaded, or not visible to this user)\n",
				       r->name, s->rings[i + 1].name);
			continue;
		}
		printf("keyring %s: %zu key%s\n", r->name, r->n, r->n == 1 ? "" : "s");
		for (size_t k = 0; k < r->n; k++)
			printf("  %08x  %s\n", r->keyid[k], r->desc[k]);
	}
	puts(evmpkg_kstate_outlook_words(ks));
}

static void kernel_json(const struct evmpkg_kstate *ks, const struct st *s)
{
	printf("{\"evm_mode\":\"%s\",\"evm_value\":%u,"
	       "\"metadata_writes_allowed\":%s,\"ima\":%s,"
	       "\"ima_policy_readable\":%s,\"ima_appraise_rules\":%d,"
	       "\"setup_complete\":\"%s\",\"summary\":",
	       mode_keys[ks->mode], ks->evm_value,
	       ks->metadata_writes_allowed ? "true" : "false",
	       ks->ima_present ? "true" : "false",
	       ks->ima_policy_readable ? "true" : "false",
	       ks->ima_appraise_rules,
	       ks->mode == EVMPKG_MODE_HMAC ? "yes" :
	       ks->mode == EVMPKG_MODE_X509 ? "unknown" : "n/a");
	cli_json_str(stdout, evmpkg_kstate_mode_words(ks));
	fputs(",\"install\":", stdout);
	cli_json_str(stdout, evmpkg_kstate_outlook_words(ks));
	fputs(",\"keyrings\":{", stdout);
	for (int i = 0; i < 4; i++) {
		printf("%s\"%s\":{\"found\":%s,\"keys\":[", i ? "," : "", s->rings[i].name,
		       s->rings[i].found ? "true" : "false");
		for (size_t k = 0; k < s->rings[i].n; k++)
			printf("%s\"%08x\"", k ? "," : "", s->rings[i].keyid[k]);
		fputs("]}", stdout);
	}
	fputc('}', stdout);
}

/* What an install through this installer does now, in words. */
static const char *outlook(const struct installer *in)
{
	if (!in->installed)
		return "signatures in packages are not installed (the files get none)";
	if (!in->active)
		return "installed but policy off: signatures are not installed";
	if (in->nmissing)
		return "signatures are verified and installed, but some trusted keys are not "
		       "in the kernel: files signed with them will be refused by IMA/EVM";
	return !strcmp(in->policy, "warn") ?
		"signatures are verified; what verifies is installed, the rest is reported" :
		"signatures are verified and installed; a package whose signatures do not "
		"verify is refused";
}

static void installer_out(struct st *s, struct installer *in)
{
	if (s->json) {
		printf(",\"%s\":{\"installed\":%s,\"active\":%s,\"policy\":", in->name,
		       in->installed ? "true" : "false", in->active ? "true" : "false");
		cli_json_str(stdout, in->policy ? in->policy : "");
		printf(",\"sign_config\":%s,\"where\":", in->sign_config ? "true" : "false");
		cli_json_str(stdout, in->where);
		fputs(",\"certificates\":[", stdout);
		s->first_cert = 0;
		certs(s, in);
		fputs("],\"next_install\":", stdout);
		cli_json_str(stdout, outlook(in));
		fputc('}', stdout);
		return;
	}
	printf("\n%s: evmpkg %s: %s\n  %s\n", in->name,
	       !strcmp(in->name, "rpm") ? "plugin" : "hooks",
	       in->active ? "active" : in->installed ? "installed, policy off" : "not active",
	       in->where);
	if (in->policy)
		printf("  policy %s; configuration files %s\n", in->policy,
		       in->sign_config ? "signed too" : "left as the installer writes them");
	certs(s, in);
	printf("  next install: %s\n", outlook(in));
}

int cmd_status(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "securityfs", required_argument, NULL, 'S' },
		{ "root", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sfs = NULL, *root = NULL;
	struct evmpkg_err err = { 0 };
	struct evmpkg_kstate ks;
	struct evmpkg_rpmconf rc;
	struct installer rpm = { 0 };
	struct st s = { .out = stdout };
	char *dbpath;
	int c, dpkgdb;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'J': s.json = 1; break;
		case 'S': sfs = optarg; break;
		case 'R': root = optarg; break;
		case 'h':
			puts("usage: evmpkg status [--json] [--root DIR] [--securityfs DIR]\n"
			     "Reports the kernel's EVM and IMA state (securityfs), the keys in its\n"
			     "_ima/.ima and _evm/.evm keyrings, how the rpm plugin and the dpkg\n"
			     "hooks are set up (this system's configuration, which rpm and dpkg\n"
			     "read for --root too), whether each certificate they trust is loaded\n"
			     "in the kernel, and which package databases DIR has.");
			return 0;
		default: return 2;
		}
	}
	if (evmpkg_kstate_probe(sfs, &ks, &err)) {
		cli_err("status: %s", err.msg);
		return 1;
	}
	cli_keyrings_read(s.rings);
	if (s.json)
		kernel_json(&ks, &s);
	else
		kernel_text(&ks, &s);
	rpm_setup(&rpm, &rc);
	installer_out(&s, &rpm);
#ifdef EVMPKG_HAVE_DPKGDB
	{
		struct installer dpkg = { 0 };
		struct evmpkg_dpkgconf hc = { 0 };

		dpkg_setup(&dpkg, &hc);
		installer_out(&s, &dpkg);
		evmpkg_dpkgconf_free(&hc);
	}
#endif
	evmpkg_rpmconf_free(&rc);
	dbpath = evmpkg_rpmdb_find(root);
	{
		char *st = NULL;

		dpkgdb = asprintf(&st, "%s/var/lib/dpkg/status", root ? root : "") > 0 &&
			 access(st, R_OK) == 0;
		free(st);
	}
	if (s.json) {
		fputs(",\"root\":", stdout);
		cli_json_str(stdout, root ? root : "/");
		fputs(",\"rpmdb\":", stdout);
		if (dbpath)
			cli_json_str(stdout, dbpath);
		else
			fputs("null", stdout);
		printf(",\"dpkgdb\":%s}\n", dpkgdb ? "true" : "false");
	} else {
		printf("\npackage databases under %s: rpm %s%s, dpkg %s\n", root ? root : "/",
		       dbpath ? "at " : "none", dbpath ? dbpath : "",
		       dpkgdb ? "at /var/lib/dpkg" : "none");
	}
	free(dbpath);
	return 0;
}
