// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg sign: IMA signatures and the EVM manifest into rpm packages. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "rpmtag.h"
#include "fcontexts.h"
#include "rpmpkg.h"

#define RPMFILE_CONFIG_BIT 1

struct opts {
	struct evmpkg_key *key;
	struct evmpkg_accounts *acct;
	struct fcontexts *fc;
	int algo, ima_kind, sign_config, strict, jobs;
	const char *out;
};

/* One file's work and result. */
struct job {
	const struct evmpkg_rpmfile *f;
	const uint8_t *cdig;		/* content digest with opts.algo */
	int evm;			/* 1: make an EVM signature too */
	struct evmpkg_mentry e;
	uint8_t *label;
	struct evmpkg_sigpair sp;
	char *ima_hex;
	char err[512];
};

struct pkgrun {
	const struct opts *o;
	struct job *jobs;
	size_t n;
};

static void usage(FILE *f)
{
	fputs("usage: evmpkg sign --key KEY.pem [options] PKG.rpm...\n"
	      "Adds IMA signatures (RPMTAG_FILESIGNATURES) and EVM portable\n"
	      "signatures (manifest tag 1000917) for every regular file. The\n"
	      "payload is unchanged; header digests are recomputed; an OpenPGP\n"
	      "signature is dropped: run `rpmsign --addsign` afterwards.\n\n"
	      "  --key FILE, --cert FILE, --pass PASS   signing key (see sign-file)\n"
	      "  --hash ALGO          sha256 (default), sha384, sha512\n"
	      "  --ima sig|hash       IMA signature (default) or IMA digest\n"
	      "  --passwd FILE        the target's passwd: owner names to uids\n"
	      "  --group FILE         the target's group: group names to gids\n"
	      "                       (default: only root maps, to 0)\n"
	      "  --file-contexts FILE SELinux labels from the target policy\n"
	      "  --sign-config        give %config files an IMA signature (no EVM)\n"
	      "  --strict             fail when a file cannot get an EVM signature\n"
	      "  -o FILE              output (one package only); default: in place\n"
	      "  -j, --jobs N         signing threads (default: all cores)\n", f);
}

static int sign_job(size_t i, void *arg)
{
	struct pkgrun *r = arg;
	const struct opts *o = r->o;
	struct job *j = &r->jobs[i];
	struct evmpkg_err err = { 0 };

	if (!j->cdig)
		return 0;
	if (!j->evm) {
		/* IMA only: no metadata to sign for. */
		if (o->ima_kind == EVMPKG_IMA_HASH) {
			long n = evmpkg_ima_digest_build((uint8_t)o->algo, j->cdig,
							 evmpkg_hash_size(o->algo),
							 j->sp.ima, sizeof(j->sp.ima));
			j->sp.ima_len = n > 0 ? (size_t)n : 0;
		} else if (evmpkg_key_sign(o->key, EVMPKG_IMA_DIGSIG, o->algo,
					   j->cdig, evmpkg_hash_size(o->algo),
					   j->sp.ima, sizeof(j->sp.ima),
					   &j->sp.ima_len, &err)) {
			snprintf(j->err, sizeof(j->err), "%s", err.msg);
			return -1;
		}
	} else if (evmpkg_sign_entry(o->key, o->algo, o->ima_kind, j->cdig,
				     evmpkg_hash_size(o->algo), &j->e, &j->sp,
				     &err)) {
		snprintf(j->err, sizeof(j->err), "%s", err.msg);
		return -1;
	}
	j->ima_hex = malloc(2 * j->sp.ima_len + 1);
	if (!j->ima_hex)
		return -1;
	cli_hex(j->sp.ima, j->sp.ima_len, j->ima_hex);
	return 0;
}

/* Decides per file what it gets; reasons for files without EVM. */
static int plan(const struct opts *o, struct evmpkg_rpmpkg *p,
		const char *pkgname, struct job *jobs, uint8_t *payload_dig,
		size_t *n_noevm)
{
	size_t n = evmpkg_rpm_nfiles(p), dsz = evmpkg_hash_size(o->algo);
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);
		struct job *j = &jobs[i];
		const char *why = NULL;
		char whybuf[256];

		j->f = f;
		if (!f->is_reg)
			continue;	/* dirs, symlinks, %ghost: nothing to sign */
		j->cdig = (f->digest_algo == o->algo && f->digest_len == dsz) ?
				  f->digest : payload_dig + i * dsz;
		j->e.path = (char *)f->path;
		j->e.mode = f->mode;
		j->evm = 1;
		if (f->flags & RPMFILE_CONFIG_BIT) {
			if (!o->sign_config) {
				j->cdig = NULL;
				why = "%config file: content expected to change (IMA only with --sign-config)";
			} else {
				why = "%config file: IMA signature only";
			}
			j->evm = 0;
		} else if (evmpkg_accounts_uid(o->acct, f->user, &j->e.uid)) {
			snprintf(whybuf, sizeof(whybuf),
				 "owner '%s' does not map to a fixed uid (give the target's --passwd)",
				 f->user);
			why = whybuf;
			j->evm = 0;
		} else if (evmpkg_accounts_gid(o->acct, f->group, &j->e.gid)) {
			snprintf(whybuf, sizeof(whybuf),
				 "group '%s' does not map to a fixed gid (give the target's --group)",
				 f->group);
			why = whybuf;
			j->evm = 0;
		}
		if (j->evm && f->caps && *f->caps) {
			struct evmpkg_err err = { 0 };
			uint8_t caps[EVMPKG_CAPS_MAX];
			size_t cl;

			if (evmpkg_caps_from_text(f->caps, caps, &cl, &err)) {
				fprintf(stderr, PROG ": %s: %s: %s\n", pkgname, f->path, err.msg);
				bad = 1;
				continue;
			}
			j->e.caps = cl ? malloc(cl) : NULL;
			if (cl && !j->e.caps) {
				fprintf(stderr, PROG ": out of memory\n");
				bad = 1;
				continue;
			}
			if (cl)
				memcpy(j->e.caps, caps, cl);
			j->e.caps_len = cl;
		}
		if (j->evm && o->fc) {
			j->label = fcontexts_lookup(o->fc, f->path, f->mode, &j->e.label_len);
			j->e.label = j->label;
		}
		if (why) {
			(*n_noevm)++;
			fprintf(stderr, PROG ": %s: %s: no EVM signature: %s\n",
				pkgname, f->path, why);
			if (o->strict)
				bad = 1;
		}
	}
	return bad ? -1 : 0;
}

static int sign_package(const struct opts *o, const char *path)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmpkg *p = NULL;
	struct evmpkg_manifest m;
	struct evmpkg_buf blob;
	struct pkgrun run = { .o = o };
	uint8_t *payload_dig = NULL;
	const char **sigs = NULL;
	size_t n, n_evm = 0, n_ima = 0, n_noevm = 0, failed;
	int rc = -1, dropped = 0, need_payload = 0;

	evmpkg_manifest_init(&m);
	evmpkg_buf_init(&blob);
	if (evmpkg_rpm_open(path, &p, &err)) {
		cli_err("%s", err.msg);
		return -1;
	}
	n = evmpkg_rpm_nfiles(p);
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);

		/* Another algorithm, or no usable digest in the header. */
		if (f->is_reg && (f->digest_algo != o->algo ||
				  f->digest_len != evmpkg_hash_size(o->algo)))
			need_payload = 1;
	}
	/* The header digest is over another algorithm: hash the payload. */
	if (need_payload && evmpkg_rpm_payload_digests(p, o->algo, &payload_dig, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	run.jobs = calloc(n ? n : 1, sizeof(*run.jobs));
	sigs = calloc(n ? n : 1, sizeof(*sigs));
	if (!run.jobs || !sigs) {
		cli_err("out of memory");
		goto out;
	}
	run.n = n;
	if (plan(o, p, path, run.jobs, payload_dig, &n_noevm))
		goto out;
	failed = cli_parallel(n, o->jobs, sign_job, &run);
	if (failed) {
		for (size_t i = 0; i < n; i++)
			if (run.jobs[i].err[0])
				cli_err("%s: %s: %s", path, run.jobs[i].f->path,
					run.jobs[i].err);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct job *j = &run.jobs[i];

		sigs[i] = j->ima_hex ? j->ima_hex : "";
		if (!j->ima_hex)
			continue;
		n_ima++;
		if (!j->evm)
			continue;
		if (evmpkg_manifest_add(&m, &j->e, &err)) {
			cli_err("%s: %s", path, err.msg);
			goto out;
		}
		n_evm++;
	}
	if (evmpkg_manifest_encode(&m, &blob, &err) ||
	    evmpkg_rpm_write(p, sigs, EVMPKG_RPMTAG_MANIFEST, blob.data, blob.len,
			     o->out ? o->out : path, &dropped, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	if (dropped)
		fprintf(stderr, PROG ": %s: warning: its OpenPGP signature was dropped "
			"(the header changed); sign again with `rpmsign --addsign`\n",
			o->out ? o->out : path);
	printf("%s: %s: %zu files with IMA and EVM signatures, %zu IMA only, %zu regular files without EVM\n",
	       o->out ? o->out : path, evmpkg_rpm_nevra(p), n_evm, n_ima - n_evm,
	       n_noevm);
	rc = 0;
out:
	for (size_t i = 0; run.jobs && i < n; i++) {
		free(run.jobs[i].ima_hex);
		free(run.jobs[i].label);
		free(run.jobs[i].e.caps);
	}
	free(run.jobs);
	free(sigs);
	free(payload_dig);
	evmpkg_manifest_free(&m);
	evmpkg_buf_free(&blob);
	evmpkg_rpm_close(p);
	return rc;
}

int cmd_sign(int argc, char **argv)
{
	enum { O_PASSWD = CLI_O_FIRST_FREE, O_GROUP, O_FC, O_SIGNCFG, O_STRICT };
	static const struct option lo[] = {
		CLI_SIGN_LONGOPTS,
		{ "passwd", required_argument, NULL, O_PASSWD },
		{ "group", required_argument, NULL, O_GROUP },
		{ "file-contexts", required_argument, NULL, O_FC },
		{ "sign-config", no_argument, NULL, O_SIGNCFG },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	struct cli_signopts so;
	const char *passwd = NULL, *group = NULL, *fcpath = NULL;
	struct evmpkg_err err = { 0 };
	int c, rc = 2, bad = 0, taken;

	cli_signopts_init(&so);
	while ((c = getopt_long(argc, argv, "o:j:h", lo, NULL)) != -1) {
		if ((taken = cli_signopt(&so, c, optarg)) < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case O_PASSWD: passwd = optarg; break;
		case O_GROUP: group = optarg; break;
		case O_FC: fcpath = optarg; break;
		case O_SIGNCFG: o.sign_config = 1; break;
		case O_STRICT: o.strict = 1; break;
		case 'o': o.out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	o.algo = so.algo;
	o.ima_kind = so.ima_kind;
	o.jobs = so.jobs;
	if (!so.key || optind >= argc) {
		cli_err(!so.key ? "sign: --key is required" : "sign: no package given");
		usage(stderr);
		return 2;
	}
	if (o.out && argc - optind > 1) {
		cli_err("sign: -o takes one package");
		return 2;
	}
	if (evmpkg_key_load(so.key, so.pass, so.cert, &o.key, &err) ||
	    evmpkg_accounts_load(passwd, group, &o.acct, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	cli_warn_key(o.key);
	if (fcpath && !(o.fc = fcontexts_open(fcpath))) {
		cli_err("--file-contexts %s: cannot load: %s", fcpath, strerror(errno));
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (sign_package(&o, argv[i]))
			bad++;
	rc = bad ? 1 : 0;
out:
	evmpkg_key_free(o.key);
	evmpkg_accounts_free(o.acct);
	fcontexts_close(o.fc);
	return rc;
}
