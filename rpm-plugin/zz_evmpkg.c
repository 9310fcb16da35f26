// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rpm transaction plugin: a thin adapter over libevmpkg's install engine.
 * psm_pre hands the package to the engine, which verifies its signatures
 * in the background while rpm writes; each fsm_file_prepare waits for its
 * own file's verdict and applies it. rpm commits (renames) a package's
 * files only after every prepare returned, and removes them all when one
 * fails, so a bad signature still keeps the whole package off the disk.
 * The file name sorts after selinux.so and ima.so: the label and the stock
 * plugin's security.ima are in place before security.evm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmte.h>
#include <rpm/rpmts.h>

#include "evmpkg/evmpkg.h"
#include "rpmconf.h"
#include "rpmdesc.h"
#include "rpmplugin-abi.h"

#define PFX "evmpkg: "

struct state {
	struct evmpkg_pkgopts o;
	struct evmpkg_trust *trust;
	struct evmpkg_kstate ks;
	int told[EVMPKG_A_NONROOT + 1];	/* environment notices, once each */
	rpmte te;			/* the element psm_pre opened */
	struct evmpkg_pkg *pkg;		/* its engine; NULL: nothing signed */
	rpmRC verdict;			/* psm_pre's answer for te */
};

/* Hook layout is known for 4.18 (fd in prepare) up to 6.x. */
static int abi_known(void)
{
	int maj = 0, min = 0;

	if (sscanf(RPMVERSION, "%d.%d", &maj, &min) != 2)
		return 0;
	return (maj == 4 && min >= 18) || maj == 5 || maj == 6;
}

static int load_trust(struct state *s, const struct evmpkg_rpmconf *c)
{
	struct evmpkg_trustlists tl = evmpkg_rpmconf_lists(c);
	struct evmpkg_err err = { 0 };
	int rc = 0;

	if (evmpkg_trust_add_lists(s->trust, &tl, &err)) {
		rpmlog(s->o.policy == EVMPKG_POLICY_ENFORCE ? RPMLOG_ERR : RPMLOG_WARNING,
		       PFX "%s\n", err.msg);
		rc = -1;
	}
	if (evmpkg_trust_count_without_skid(s->trust))
		rpmlog(RPMLOG_WARNING, PFX "%zu trusted certificate(s) without a "
		       "subjectKeyIdentifier: the kernel cannot find such keys by the "
		       "key id in signatures; issue certificates with "
		       "subjectKeyIdentifier=hash\n",
		       evmpkg_trust_count_without_skid(s->trust));
	return rc;
}

/* rpm's own ima plugin writes security.ima of files signed for IMA only;
 * where it is not there (Debian 13's rpm has none), this plugin does. */
static int stock_ima_plugin(void)
{
	char *p = rpmExpand("%{?__transaction_ima}", NULL), *so = p ? strtok(p, " \t") : NULL;
	int there = so && access(so, R_OK) == 0;

	free(p);
	return there;
}

static rpmRC evm_init(rpmPlugin plugin, rpmts ts)
{
	struct state *s = calloc(1, sizeof(*s));
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmconf c;
	rpmRC rc = RPMRC_FAIL;
	int enforce, got = 0;

	if (!s || !(got = !evmpkg_rpmconf_get(&c)) || evmpkg_trust_new(&s->trust, &err))
		goto out;
	s->o.policy = *c.policy ? evmpkg_policy_parse(c.policy) : EVMPKG_POLICY_ENFORCE;
	enforce = s->o.policy == EVMPKG_POLICY_ENFORCE;
	if (s->o.policy < 0) {
		rpmlog(RPMLOG_ERR, PFX "%%_evmpkg_policy '%s': use enforce, warn or off\n", c.policy);
	} else if (!abi_known()) {
		/* Calling hooks through an unknown table could crash rpm. */
		rpmlog(enforce ? RPMLOG_ERR : RPMLOG_WARNING,
		       PFX "rpm %s has a plugin interface this evmpkg does not know; "
		       "not loading (IMA/EVM signatures will not be installed)%s\n",
		       RPMVERSION, enforce ? "; set %_evmpkg_policy warn to install "
		       "without them" : "");
		rc = enforce ? RPMRC_FAIL : RPMRC_NOTFOUND;
	} else if (s->o.policy == EVMPKG_POLICY_OFF) {
		rc = RPMRC_NOTFOUND;	/* drop the plugin quietly */
	} else if (!(load_trust(s, &c) && enforce)) {
		/* Read before rpm enters --root: the host's trust, kernel, namespace. */
		s->o.trust = s->trust;
		s->o.sign_config = c.sign_config;
		s->o.require_signatures = c.require_signatures;
		s->o.background = 1;
		s->o.write_ima_only = !stock_ima_plugin();
		s->o.userns = evmpkg_in_user_namespace();
		if (evmpkg_kstate_probe(NULL, &s->ks, &err))
			rpmlog(RPMLOG_WARNING, PFX "%s\n", err.msg);
		rpmPluginSetData(plugin, s);
		rc = RPMRC_OK;
	}
out:
	if (rc != RPMRC_OK && s) {
		evmpkg_trust_free(s->trust);
		free(s);
	}
	if (got)
		evmpkg_rpmconf_free(&c);
	return rc;
}

static void forget(struct state *s)
{
	evmpkg_pkg_free(s->pkg);
	s->pkg = NULL;
	s->te = NULL;
	s->verdict = RPMRC_OK;
}

static void evm_cleanup(rpmPlugin plugin)
{
	struct state *s = rpmPluginGetData(plugin);

	if (!s)
		return;
	forget(s);
	evmpkg_trust_free(s->trust);
	free(s);
}

/* Logs at the policy's level; the result is the policy's answer. */
static rpmRC report(const struct state *s, const char *msg)
{
	int enforce = s->o.policy == EVMPKG_POLICY_ENFORCE;

	rpmlog(enforce ? RPMLOG_ERR : RPMLOG_WARNING, PFX "%s\n", msg);
	return enforce ? RPMRC_FAIL : RPMRC_OK;
}

static rpmRC evm_tsm_pre(rpmPlugin plugin, rpmts ts)
{
	struct state *s = rpmPluginGetData(plugin);
	char *say = rpmExpand("%{?_evmpkg_kernel_notice}", NULL);

	/*
	 * Once per real transaction: what this kernel will make of our writes.
	 * Not in a test transaction (dnf runs one first and drops its log),
	 * nor where the caller has said it (%_evmpkg_kernel_notice 0: dnf's
	 * evmpkg plugin).
	 */
	if (s->ks.outlook != EVMPKG_WRITES_OK && !(rpmtsFlags(ts) & RPMTRANS_FLAG_TEST) &&
	    !(say && !strcmp(say, "0")))
		rpmlog(s->ks.outlook == EVMPKG_WRITES_REFUSED ? RPMLOG_WARNING : RPMLOG_NOTICE,
		       PFX "%s; %s\n", evmpkg_kstate_mode_words(&s->ks),
		       evmpkg_kstate_outlook_words(&s->ks));
	free(say);
	return RPMRC_OK;
}

/*
 * rpm calls psm_pre for each stage of an element (%pretrans, install, file
 * triggers): the engine for an element is kept until the next one, so its
 * signatures are verified and reported once.
 */
static rpmRC evm_psm_pre(rpmPlugin plugin, rpmte te)
{
	struct state *s = rpmPluginGetData(plugin);
	struct evmpkg_err err = { 0 };
	rpmfiles files;
	Header h;
	rpmRC rc = RPMRC_OK;

	if (rpmteType(te) != TR_ADDED || s->te == te)
		return s->te == te ? s->verdict : RPMRC_OK;
	forget(s);
	files = rpmteFiles(te);
	h = rpmteHeader(te);
	/* Also called around trigger scripts, without file info. */
	if (files && rpmfilesFC(files) && h) {
		s->te = te;
		if (evmpkg_rpm_pkg_open(h, files, rpmteNEVRA(te), NULL, 0, &s->o, &s->pkg, &err))
			rc = report(s, err.msg);
		for (size_t i = 0; s->pkg && i < evmpkg_pkg_nproblems(s->pkg); i++)
			if (report(s, evmpkg_pkg_problem(s->pkg, i)) != RPMRC_OK)
				rc = RPMRC_FAIL;
		s->verdict = rc;
	}
	headerFree(h);
	rpmfilesFree(files);
	return rc;
}

/* Element pointers may be reused by a later transaction: forget them. */
static rpmRC evm_tsm_post(rpmPlugin plugin, rpmts ts, int res)
{
	forget(rpmPluginGetData(plugin));
	return RPMRC_OK;
}

static rpmRC evm_fsm_file_prepare(rpmPlugin plugin, rpmfi fi, int fd,
				  const char *path, const char *dest,
				  mode_t file_mode, rpmFsmOp op)
{
	struct state *s = rpmPluginGetData(plugin);
	struct evmpkg_applied res;
	struct evmpkg_err err = { 0 };
	rpmFileAction action = XFO_ACTION(op);
	const char *words;

	if (!fi || (op & FAF_UNOWNED) || XFA_SKIPPING(action) ||
	    !S_ISREG(file_mode) || !s->pkg)
		return RPMRC_OK;	/* dirs, symlinks, skipped, unsigned */
	if (evmpkg_pkg_apply(s->pkg, (size_t)rpmfiFX(fi), fd, path,
			     action == FA_TOUCH ? EVMPKG_AF_KEPT : 0, &res, &err))
		return report(s, err.msg);
	if (res.outcome == EVMPKG_A_WARNED)
		rpmlog(RPMLOG_WARNING, PFX "%s\n", res.msg);
	else if ((words = evmpkg_outcome_words(res.outcome)) && !s->told[res.outcome]++)
		rpmlog(RPMLOG_WARNING, PFX "%s: IMA/EVM signatures not installed\n", words);
	return RPMRC_OK;
}

/* Read-only: rpm only reads the table it finds with dlsym. */
const struct rpmPluginHooks_s zz_evmpkg_hooks = {
	.init = evm_init,
	.cleanup = evm_cleanup,
	.tsm_pre = evm_tsm_pre,
	.tsm_post = evm_tsm_post,
	.psm_pre = evm_psm_pre,
	.fsm_file_prepare = evm_fsm_file_prepare,
};
