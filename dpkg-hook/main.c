// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evmpkg-dpkg-hook SUBCOMMAND: apt-verify (apt's DPkg::Pre-Install-Pkgs),
 * pre-invoke and post-unpack (dpkg's --pre-invoke and --post-invoke).
 * evmpkg-dpkg (a link to this program) is apt's dpkg: see wrapper.c.
 * pre-invoke refuses plain `dpkg -i` in enforce mode and, before
 * --configure, applies what is still unpacked again, so a package whose
 * signatures failed at unpack is never configured.
 * Exit 0: go on; 1: refused by the policy; 2: usage or configuration.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook.h"

int hook_report(const struct hook *h, const char *fmt, ...)
{
	va_list ap;

	fputs(PFX, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return h->o.policy == EVMPKG_POLICY_ENFORCE;
}

void hook_outcome(struct hook *h, const struct evmpkg_applied *res)
{
	const char *words;

	if (res->outcome == EVMPKG_A_WARNED)
		fprintf(stderr, PFX "%s\n", res->msg);
	else if ((words = evmpkg_outcome_words(res->outcome)) && !h->told[res->outcome]++)
		fprintf(stderr, PFX "%s: IMA/EVM signatures not installed\n", words);
}

static int load_trust(struct hook *h)
{
	struct evmpkg_trustlists tl = evmpkg_dpkgconf_lists(&h->conf);
	struct evmpkg_err err = { 0 };

	if (evmpkg_trust_new(&h->trust, &err) || evmpkg_trust_add_lists(h->trust, &tl, &err)) {
		fprintf(stderr, PFX "%s\n", err.msg);
		return -1;
	}
	if (evmpkg_trust_count_without_skid(h->trust))
		fprintf(stderr, PFX "%zu trusted certificate(s) without a subjectKeyIdentifier: "
			"the kernel cannot find such keys by the key id in signatures\n",
			evmpkg_trust_count_without_skid(h->trust));
	return 0;
}

/*
 * Plain `dpkg -i` runs the postinst before post-invoke: too late to sign.
 * 1: refused; 0: go on; -1: apply now (see main).
 */
static int pre_invoke(const struct hook *h)
{
	const char *act = getenv("DPKG_HOOK_ACTION");
	const char *fe = getenv("DPKG_FRONTEND_LOCKED");
	int enforce = h->o.policy == EVMPKG_POLICY_ENFORCE;

	if (!act)
		return 0;
	/* A package whose signatures could not be applied is not configured. */
	if (!strcmp(act, "configure") || !strcmp(act, "triggers-only"))
		return -1;
	if (strcmp(act, "install") || (fe && *fe))
		return 0;
	fprintf(stderr, PFX "dpkg --install runs maintainer scripts before IMA/EVM "
		"signatures can be installed%s; use 'dpkg --unpack PKG.deb && dpkg "
		"--configure -a', 'evmpkg dpkg-install PKG.deb' (or apt)%s\n",
		enforce ? "" : ": they will not be installed by this run",
		enforce ? ", or set policy = warn in " EVMPKG_DPKGCONF : "");
	return enforce;
}

/* post-invoke runs after every action; only these leave unpacked files. */
static int acts_on(const char *act)
{
	static const char *const acts[] = { "unpack", "install", "configure", "triggers-only" };

	if (!act)
		return 1;	/* run by hand */
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(act, acts[i]))
			return 1;
	return 0;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p ? p : "";
}

static void usage(FILE *f)
{
	fputs("usage: evmpkg-dpkg-hook apt-verify|pre-invoke|post-unpack\n"
	      "       evmpkg-dpkg-hook install [DPKG-OPTION...] PKG.deb...\n"
	      "       evmpkg-dpkg-hook dpkg DPKG-ARG... (as evmpkg-dpkg, apt's Dir::Bin::dpkg)\n"
	      "configuration: " EVMPKG_DPKGCONF " (" EVMPKG_DPKGCONF_ENV " overrides the path)\n", f);
}

int main(int argc, char **argv)
{
	struct hook h;
	const char *cmd = argc == 2 || (argc > 2 && !strcmp(argv[1], "install")) ? argv[1] : "";
	char msg[512];
	int rc = 2, pre;

	/* As apt's Dir::Bin::dpkg: no configuration read for calls it passes on. */
	if (!strcmp(base_name(argv[0]), "evmpkg-dpkg"))
		return hook_dpkg_wrapper(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "dpkg"))
		return hook_dpkg_wrapper(argc - 1, argv + 1);
	memset(&h, 0, sizeof(h));
	if (strcmp(cmd, "apt-verify") && strcmp(cmd, "pre-invoke") && strcmp(cmd, "post-unpack") &&
	    strcmp(cmd, "install")) {
		usage(strcmp(cmd, "--help") ? stderr : stdout);
		return strcmp(cmd, "--help") ? 2 : 0;
	}
	if (evmpkg_dpkgconf_read(evmpkg_dpkgconf_path(), &h.conf, msg, sizeof(msg))) {
		fprintf(stderr, PFX "%s\n", msg);
		return 2;
	}
	h.o.policy = h.conf.policy;
	h.o.sign_config = h.conf.sign_config;
	h.o.require_signatures = h.conf.require_signatures;
	h.o.write_ima_only = 1;	/* no stock dpkg plugin writes security.ima */
	h.o.set_caps = 1;	/* dpkg writes no capabilities; a postinst's setcap
				   then rewrites the same value, which EVM allows */
	h.o.userns = evmpkg_in_user_namespace();
	if (h.o.policy == EVMPKG_POLICY_OFF)
		rc = 0;
	else if (!strcmp(cmd, "pre-invoke") && (pre = pre_invoke(&h)) >= 0)
		rc = pre;
	else if (!strcmp(cmd, "post-unpack") && !acts_on(getenv("DPKG_HOOK_ACTION")))
		rc = 0;
	else if (load_trust(&h))
		rc = 2;
	else {
		h.o.trust = h.trust;
		h.again = !strcmp(cmd, "pre-invoke");
		rc = !strcmp(cmd, "apt-verify") ? hook_apt_verify(&h) :
		     !strcmp(cmd, "install") ? hook_install(&h, argc - 2, argv + 2) :
		     hook_post_unpack(&h);
	}
	evmpkg_trust_free(h.trust);
	evmpkg_dpkgconf_free(&h.conf);
	return rc;
}
