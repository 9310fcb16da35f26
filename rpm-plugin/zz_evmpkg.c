// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rpm transaction plugin: verifies a package's IMA and EVM signatures
 * before any file of it is written, then writes security.ima and
 * security.evm on each file through libevmpkg's sequencer. Its file name
 * sorts after selinux.so and ima.so, so the label and the stock plugin's
 * security.ima are in place first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rpm/header.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmte.h>
#include <rpm/rpmtd.h>
#include <rpm/rpmts.h>

#include "evmpkg/evmpkg.h"
#include "rpmtag.h"
#include "rpmplugin-abi.h"

#define PFX "evmpkg: "

/* One package's pre-install check. */
struct pkgcheck {
	rpmte te;
	struct evmpkg_manifest m;
	struct evmpkg_vjob *jobs;	/* one per manifest entry */
	unsigned char *seen;		/* entry names a file of the package */
	uint8_t *digests;		/* copies of the header digests */
	char bad[512];			/* the manifest itself is bad */
};

struct state {
	int policy;			/* enum evmpkg_policy */
	int sign_config;		/* apply to %config files too */
	struct evmpkg_trust *trust;
	struct evmpkg_kstate ks;
	int told_kernel, told_nosupport, told_nonroot, told_userns;
	int userns;			/* read before rpm's chroot */
	/* The package being installed (psm_pre to psm_post). */
	rpmte te;
	rpmRC verdict;			/* psm_pre's answer for te */
	char *nevra;
	struct evmpkg_manifest m;
	int have_manifest;
	/* psm_pre's verdicts per manifest entry, reused at prepare. */
	unsigned char *ima_v, *evm_v;
};

static int parse_policy(const char *s)
{
	if (!strcmp(s, "off"))
		return EVMPKG_POLICY_OFF;
	if (!strcmp(s, "warn"))
		return EVMPKG_POLICY_WARN;
	if (!strcmp(s, "enforce"))
		return EVMPKG_POLICY_ENFORCE;
	return -1;
}

/* Hook layout is known for 4.18 (fd in prepare) up to 6.x. */
static int abi_known(void)
{
	int maj = 0, min = 0;

	if (sscanf(RPMVERSION, "%d.%d", &maj, &min) != 2)
		return 0;
	return (maj == 4 && min >= 18) || maj == 5 || maj == 6;
}

/*
 * Loads a space-separated list of certificate files and directories for
 * usage. A path that does not exist is skipped (the defaults are the
 * kernel's optional locations); one that exists and does not load is an
 * error, so enforce mode never falls back to form-only checks unnoticed.
 */
static int load_certs(struct state *s, const char *list, int usage)
{
	char *copy = strdup(list), *save = NULL, *tok;
	struct evmpkg_err err = { 0 };
	struct stat st;
	int rc = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (stat(tok, &st)) {
			if (errno == ENOENT)
				continue;
			rpmlog(RPMLOG_ERR, PFX "certificate %s: %s\n", tok, strerror(errno));
			rc = -1;
			continue;
		}
		if ((S_ISDIR(st.st_mode) ? evmpkg_trust_add_dir(s->trust, tok, usage, &err) :
					   evmpkg_trust_add_file(s->trust, tok, usage, &err))) {
			rpmlog(RPMLOG_ERR, PFX "%s\n", err.msg);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

/* rpm in a container (user namespace): the kernel refuses security.*. */
static int in_user_namespace(void)
{
	char buf[128] = "";
	FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long a, b, c;

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !(sscanf(buf, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 &&
		 b == 0 && c == 4294967295UL);
}

static void free_pkg(struct state *s)
{
	if (s->have_manifest)
		evmpkg_manifest_free(&s->m);
	free(s->ima_v);
	free(s->evm_v);
	s->ima_v = s->evm_v = NULL;
	s->have_manifest = 0;
	free(s->nevra);
	s->nevra = NULL;
	s->te = NULL;
}

static rpmRC evm_init(rpmPlugin plugin, rpmts ts)
{
	struct state *s = calloc(1, sizeof(*s));
	struct evmpkg_err err = { 0 };
	char *pol = rpmExpand("%{?_evmpkg_policy}", NULL);
	char *certs = rpmExpand("%{?_evmpkg_certs}", NULL);
	char *ima_certs = rpmExpand("%{?_evmpkg_ima_certs}", NULL);
	char *evm_certs = rpmExpand("%{?_evmpkg_evm_certs}", NULL);
	char *cfg = rpmExpand("%{?_evmpkg_sign_config}", NULL);
	rpmRC rc = RPMRC_OK;

	if (!s || evmpkg_trust_new(&s->trust, &err)) {
		rc = RPMRC_FAIL;
		goto out;
	}
	s->policy = *pol ? parse_policy(pol) : EVMPKG_POLICY_ENFORCE;
	if (s->policy < 0) {
		rpmlog(RPMLOG_ERR, PFX "%%_evmpkg_policy '%s': use enforce, warn or off\n", pol);
		rc = RPMRC_FAIL;
		goto out;
	}
	if (!abi_known()) {
		/* Calling hooks through an unknown table could crash rpm. */
		rpmlog(s->policy == EVMPKG_POLICY_ENFORCE ? RPMLOG_ERR : RPMLOG_WARNING,
		       PFX "rpm %s has a plugin interface this evmpkg does not know; "
		       "not loading (IMA/EVM signatures will not be installed)%s\n",
		       RPMVERSION, s->policy == EVMPKG_POLICY_ENFORCE ?
		       "; set %_evmpkg_policy warn to install without them" : "");
		rc = s->policy == EVMPKG_POLICY_ENFORCE ? RPMRC_FAIL : RPMRC_NOTFOUND;
		goto out;
	}
	if (s->policy == EVMPKG_POLICY_OFF) {
		rc = RPMRC_NOTFOUND;	/* drop the plugin quietly */
		goto out;
	}
	s->sign_config = *cfg && atoi(cfg) != 0;
	/* Read before rpm enters --root: the host's trust, kernel, namespace. */
	if ((load_certs(s, certs, EVMPKG_TRUST_BOTH) |
	     load_certs(s, ima_certs, EVMPKG_TRUST_IMA) |
	     load_certs(s, evm_certs, EVMPKG_TRUST_EVM)) &&
	    s->policy == EVMPKG_POLICY_ENFORCE) {
		rc = RPMRC_FAIL;
		goto out;
	}
	if (*certs && !evmpkg_trust_count(s->trust) &&
	    s->policy == EVMPKG_POLICY_ENFORCE) {
		rpmlog(RPMLOG_ERR, PFX "%%_evmpkg_certs names no certificate that exists (%s)\n",
		       certs);
		rc = RPMRC_FAIL;
		goto out;
	}
	if (evmpkg_trust_count_without_skid(s->trust))
		rpmlog(RPMLOG_WARNING, PFX "%zu trusted certificate(s) without a "
		       "subjectKeyIdentifier: the kernel cannot find such keys by the "
		       "key id in signatures; issue certificates with "
		       "subjectKeyIdentifier=hash\n",
		       evmpkg_trust_count_without_skid(s->trust));
	s->userns = in_user_namespace();
	if (evmpkg_kstate_probe(NULL, &s->ks, &err))
		rpmlog(RPMLOG_WARNING, PFX "%s\n", err.msg);
	evmpkg_manifest_init(&s->m);
	rpmPluginSetData(plugin, s);
out:
	if (rc != RPMRC_OK && s) {
		evmpkg_trust_free(s->trust);
		free(s);
	}
	free(pol);
	free(certs);
	free(ima_certs);
	free(evm_certs);
	free(cfg);
	return rc;
}

static void pkgcheck_free(struct pkgcheck *pc);

static void evm_cleanup(rpmPlugin plugin)
{
	struct state *s = rpmPluginGetData(plugin);

	if (!s)
		return;
	free_pkg(s);
	evmpkg_trust_free(s->trust);
	free(s);
}

/* The header's digest of file fx, if the algorithm has a kernel id. */
static const uint8_t *header_digest(rpmfiles files, int fx, int *algo, size_t *len)
{
	int pgp = 0;
	const unsigned char *d = rpmfilesFDigest(files, fx, &pgp, len);

	*algo = evmpkg_hash_from_rpm(pgp);
	return d && *algo > 0 && *len <= EVMPKG_MAX_DIGEST ? d : NULL;
}

/* Logs "evmpkg: NEVRA: FILE: WHY" at the policy's level. */
static rpmRC fail_or_warn(struct state *s, const char *file, const char *why)
{
	int enforce = s->policy == EVMPKG_POLICY_ENFORCE;

	rpmlog(enforce ? RPMLOG_ERR : RPMLOG_WARNING, PFX "%s: %s: %s\n",
	       s->nevra, file, why);
	return enforce ? RPMRC_FAIL : RPMRC_OK;
}

static void pkgcheck_free(struct pkgcheck *pc)
{
	evmpkg_manifest_free(&pc->m);
	free(pc->jobs);
	free(pc->seen);
	free(pc->digests);
	memset(pc, 0, sizeof(*pc));
}

/*
 * Decodes te's manifest, pairs each entry with its file's header digest
 * (by original path: relocation does not change what was signed) and
 * verifies every entry. Returns 0 when there is nothing to check (no file
 * info or header, no manifest).
 */
static int pkgcheck_start(struct state *s, rpmte te, struct pkgcheck *pc)
{
	struct evmpkg_err err = { 0 };
	struct rpmtd_s td;
	rpmfiles files = rpmteFiles(te);
	Header h = NULL;
	int ok = 0;

	memset(pc, 0, sizeof(*pc));
	pc->te = te;
	evmpkg_manifest_init(&pc->m);
	/* rpm also calls psm_pre around trigger scripts, without file info. */
	if (!files || rpmfilesFC(files) == 0 || !(h = rpmteHeader(te)))
		goto out;
	if (!headerGet(h, EVMPKG_RPMTAG_MANIFEST, &td, HEADERGET_MINMEM))
		goto out;
	ok = 1;
	if (td.type != RPM_BIN_TYPE ||
	    evmpkg_manifest_decode(td.data, td.count, &pc->m, &err)) {
		snprintf(pc->bad, sizeof(pc->bad), "%s",
			 td.type != RPM_BIN_TYPE ? "not binary data" : err.msg);
		rpmtdFreeData(&td);
		goto out;
	}
	rpmtdFreeData(&td);
	pc->seen = calloc(pc->m.n + 1, 1);
	pc->jobs = calloc(pc->m.n + 1, sizeof(*pc->jobs));
	pc->digests = calloc(pc->m.n + 1, EVMPKG_MAX_DIGEST);
	if (!pc->seen || !pc->jobs || !pc->digests) {
		snprintf(pc->bad, sizeof(pc->bad), "out of memory");
		goto out;
	}
	for (int fx = 0; fx < (int)rpmfilesFC(files); fx++) {
		char *fn = rpmfilesOFN(files, fx);
		const struct evmpkg_mentry *e = fn ? evmpkg_manifest_find(&pc->m, fn) : NULL;
		struct evmpkg_vjob *j;
		const uint8_t *d;
		size_t i;

		free(fn);
		if (!e)
			continue;
		i = (size_t)(e - pc->m.e);
		j = &pc->jobs[i];
		pc->seen[i] = 1;
		d = header_digest(files, fx, &j->content_algo, &j->content_len);
		if (d) {
			/* A copy: the verification threads never touch rpm's objects. */
			memcpy(pc->digests + i * EVMPKG_MAX_DIGEST, d, j->content_len);
			j->content_digest = pc->digests + i * EVMPKG_MAX_DIGEST;
		}
	}
	for (size_t i = 0; i < pc->m.n; i++)
		pc->jobs[i].e = &pc->m.e[i];
	/* RSA verification dominates: all cores, before any file is written. */
	evmpkg_verify_batch(pc->jobs, pc->m.n, s->trust, 0);
out:
	headerFree(h);
	rpmfilesFree(files);
	return ok;
}

static rpmRC evm_tsm_pre(rpmPlugin plugin, rpmts ts)
{
	struct state *s = rpmPluginGetData(plugin);

	/* Once per transaction: what this kernel will make of our writes. */
	if (!s->told_kernel && s->ks.outlook != EVMPKG_WRITES_OK) {
		rpmlog(s->ks.outlook == EVMPKG_WRITES_REFUSED ? RPMLOG_WARNING : RPMLOG_NOTICE,
		       PFX "%s; %s\n", evmpkg_kstate_mode_words(&s->ks),
		       evmpkg_kstate_outlook_words(&s->ks));
		s->told_kernel = 1;
	}
	if (!evmpkg_trust_count(s->trust))
		rpmlog(RPMLOG_DEBUG, PFX "no trusted certificate configured "
		       "(%%_evmpkg_ima_certs, %%_evmpkg_evm_certs): signatures are "
		       "checked for form only\n");
	return RPMRC_OK;
}

/*
 * Before any file is written: every entry of the package verified. rpm
 * calls psm_pre for each stage of an element (%pretrans, install, file
 * triggers): the result for an element is kept until the next element, so
 * it is computed and reported once.
 */
static rpmRC evm_psm_pre(rpmPlugin plugin, rpmte te)
{
	struct state *s = rpmPluginGetData(plugin);
	struct pkgcheck pc;
	rpmRC rc = RPMRC_OK;

	if (rpmteType(te) != TR_ADDED || s->te == te)
		return s->te == te ? s->verdict : RPMRC_OK;
	free_pkg(s);
	if (!pkgcheck_start(s, te, &pc)) {
		pkgcheck_free(&pc);
		return RPMRC_OK;
	}
	s->te = te;
	s->nevra = strdup(rpmteNEVRA(te) ? rpmteNEVRA(te) : "?");
	if (pc.bad[0]) {
		rc = fail_or_warn(s, "signature manifest (tag 1000917)", pc.bad);
		goto out;
	}
	for (size_t i = 0; i < pc.m.n && rc == RPMRC_OK; i++)
		if (pc.jobs[i].rc)
			rc = fail_or_warn(s, pc.jobs[i].e->path, pc.jobs[i].err.msg);
	for (size_t i = 0; i < pc.m.n && rc == RPMRC_OK; i++)
		if (!pc.seen[i])
			rc = fail_or_warn(s, pc.m.e[i].path,
					  "signed in the manifest but not a file of the package");
	/* The package's state for prepare: manifest and verdicts. */
	s->ima_v = calloc(pc.m.n + 1, 1);
	s->evm_v = calloc(pc.m.n + 1, 1);
	if (!s->ima_v || !s->evm_v) {
		rc = RPMRC_FAIL;
		goto out;
	}
	for (size_t i = 0; i < pc.m.n; i++) {
		s->ima_v[i] = (unsigned char)pc.jobs[i].ima;
		s->evm_v[i] = (unsigned char)pc.jobs[i].evm;
	}
	s->m = pc.m;
	evmpkg_manifest_init(&pc.m);
	s->have_manifest = 1;
out:
	pkgcheck_free(&pc);
	s->verdict = rc;
	return rc;
}

/* Element pointers may be reused by a later transaction: forget them. */
static rpmRC evm_tsm_post(rpmPlugin plugin, rpmts ts, int res)
{
	free_pkg(rpmPluginGetData(plugin));
	return RPMRC_OK;
}

static int ima_algo(const struct evmpkg_mentry *e)
{
	struct evmpkg_sig sig;

	return evmpkg_sig_parse(e->ima, e->ima_len, 0, &sig, NULL) ? -1 : sig.hash_algo;
}

/* A failure the package can do nothing about: say so once, carry on. */
static int environment_refusal(struct state *s, int errnum)
{
	if (errnum == EOPNOTSUPP) {
		if (!s->told_nosupport++)
			rpmlog(RPMLOG_WARNING, PFX "the target filesystem does not "
			       "store security xattrs: IMA/EVM signatures not installed\n");
		return 1;
	}
	if (errnum == EPERM && s->userns) {
		if (!s->told_userns++)
			rpmlog(RPMLOG_WARNING, PFX "running in a user namespace "
			       "(container): the kernel refuses security xattrs; "
			       "IMA/EVM signatures not installed\n");
		return 1;
	}
	return 0;
}

static rpmRC evm_fsm_file_prepare(rpmPlugin plugin, rpmfi fi, int fd,
				  const char *path, const char *dest,
				  mode_t file_mode, rpmFsmOp op)
{
	struct state *s = rpmPluginGetData(plugin);
	struct evmpkg_seq_opts o = { .policy = s->policy, .trust = s->trust };
	struct evmpkg_seq_report rep;
	struct evmpkg_err err = { 0 };
	const struct evmpkg_mentry *e;
	rpmFileAction action = XFO_ACTION(op);
	const char *fn;
	int pgp = 0, ownfd = -1, rc;

	if (!fi || (op & FAF_UNOWNED) || XFA_SKIPPING(action) ||
	    !S_ISREG(file_mode) || !s->have_manifest)
		return RPMRC_OK;	/* dirs, symlinks, skipped, unsigned */
	fn = rpmfiOFN(fi);	/* as signed, before any relocation */
	e = evmpkg_manifest_find(&s->m, fn);
	if (!e) {
		rpmlog(RPMLOG_DEBUG, PFX "%s: %s: not signed\n", s->nevra, fn);
		return RPMRC_OK;
	}
	if ((rpmfiFFlags(fi) & RPMFILE_CONFIG) && !s->sign_config) {
		rpmlog(RPMLOG_DEBUG, PFX "%s: %s: %%config file left unsigned "
		       "(%%_evmpkg_sign_config 0)\n", s->nevra, fn);
		return RPMRC_OK;
	}
	if (getuid() != 0) {
		/* rpm neither chowns nor sets caps then; nor can we write security.* */
		if (!s->told_nonroot++)
			rpmlog(RPMLOG_WARNING, PFX "not running as root: IMA/EVM "
			       "signatures not installed\n");
		return RPMRC_OK;
	}
	o.content_digest = rpmfiFDigest(fi, &pgp, &o.content_len);
	o.content_algo = evmpkg_hash_from_rpm(pgp);
	/*
	 * No fd (unchanged file, FA_TOUCH, on rpm 4.18.0), or the content must
	 * be hashed with another algorithm than the header's through rpm's
	 * write-only fd: open the file to read (/proc may be absent in --root).
	 */
	if (fd < 0 || ima_algo(e) != o.content_algo) {
		ownfd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (ownfd < 0)
			return fail_or_warn(s, fn, strerror(errno));
		fd = ownfd;
	}
	/* psm_pre verified this entry against the same header digest. */
	o.preverified = 1;
	o.pre_ima = s->ima_v[e - s->m.e];
	o.pre_evm = s->evm_v[e - s->m.e];
	if (action == FA_TOUCH && evmpkg_trust_count(s->trust)) {
		struct evmpkg_fileverdict v;

		/*
		 * rpm keeps the existing file. If it already verifies as the
		 * kernel would check it, leave it: its signatures may be other
		 * bytes (re-signed, ECDSA) that an immutable file refuses.
		 */
		if (!evmpkg_verify_fd(fd, s->trust, &v, &err) &&
		    v.ima == EVMPKG_V_VERIFIED && v.evm == EVMPKG_V_VERIFIED) {
			if (ownfd >= 0)
				close(ownfd);
			rpmlog(RPMLOG_DEBUG, PFX "%s: %s: unchanged and verified\n",
			       s->nevra, fn);
			return RPMRC_OK;
		}
		evmpkg_err_clear(&err);
	}
	rc = evmpkg_seq_apply(fd, e, &o, &rep, &err);
	if (ownfd >= 0)
		close(ownfd);
	if (rc == EVMPKG_EIO && environment_refusal(s, err.errnum))
		return RPMRC_OK;
	if (rc)
		return fail_or_warn(s, fn, err.msg);
	if (rep.msg[0])	/* warn mode: applied what verifies */
		rpmlog(RPMLOG_WARNING, PFX "%s: %s: %s; security.evm not written\n",
		       s->nevra, fn, rep.msg);
	else
		rpmlog(RPMLOG_DEBUG, PFX "%s: %s: security.ima %s, security.evm %s\n",
		       s->nevra, fn, evmpkg_verdict_name(rep.ima),
		       evmpkg_verdict_name(rep.evm));
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
