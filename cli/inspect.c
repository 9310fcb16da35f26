// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg inspect: what a package's IMA and EVM signatures say. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <rpm/rpmfiles.h>
#include <rpm/rpmtag.h>

#include "debdesc.h"
#include "rpmconf.h"
#include "rpmdesc.h"
#include "rpmpkg.h"
#include "rpmtag.h"

static void usage(FILE *f)
{
	fputs("usage: evmpkg inspect [--cert CERT... | --rpm-trust] [--json] PKG.rpm|PKG.deb...\n"
	      "Per file: what is signed, with which key id, the metadata the EVM\n"
	      "signature assumed, and whether each signature verifies (with the\n"
	      "given certificates; without any, only the form is checked).\n"
	      "  --cert CERT   trust CERT (file or directory) for both kinds\n"
	      "  --rpm-trust   trust what the rpm plugin trusts, kind by kind\n"
	      "                (%_evmpkg_certs, %_evmpkg_ima_certs, %_evmpkg_evm_certs)\n"
	      "  --json        one JSON object a line, each naming its package\n"
	      "Exit status: 0 all verifies, 1 something does not, 2 usage or trust.\n", f);
}

static const char *short_verdict(int v)
{
	switch (v) {
	case EVMPKG_V_VERIFIED: return "verified";
	case EVMPKG_V_FORM_ONLY: return "unverified";
	case EVMPKG_V_BAD: return "bad";
	case EVMPKG_V_NOKEY: return "unknown-key";
	}
	return "none";
}

struct row {
	const char *pkg;	/* the package file, as given */
	const char *path;
	const char *what;	/* "ima+evm", "ima", "none" */
	uint32_t ima_keyid, evm_keyid;
	int ima_v, evm_v;
	const struct evmpkg_mentry *e;
	const uint8_t *ima;	/* the security.ima value, when parsed */
	size_t ima_len;
	char why[600];
};

/* "key":"hex" for --json: the exact bytes an installer writes. */
static void json_hex(const char *key, const uint8_t *p, size_t n)
{
	char hex[2 * EVMPKG_SIG_MAX + 1];

	if (!p || !n || n > EVMPKG_SIG_MAX)
		return;
	cli_hex(p, n, hex);
	printf(",\"%s\":\"%s\"", key, hex);
}

static void print_row(const struct row *r, int json)
{
	const struct evmpkg_mentry *e = r->e;
	char *caps = NULL;

	if (e && e->caps_len)
		evmpkg_caps_to_text(e->caps, e->caps_len, &caps, NULL);
	if (json) {
		fputs("{\"package\":", stdout);
		cli_json_str(stdout, r->pkg);
		fputs(",\"path\":", stdout);
		cli_json_str(stdout, r->path);
		printf(",\"signed\":\"%s\"", r->what);
		if (strcmp(r->what, "none"))
			printf(",\"ima_keyid\":\"%08x\",\"ima\":\"%s\"", r->ima_keyid,
			       short_verdict(r->ima_v));
		json_hex("ima_value", r->ima, r->ima_len);
		if (e)
			json_hex("evm_value", e->evm, e->evm_len);
		if (e) {
			printf(",\"evm_keyid\":\"%08x\",\"evm\":\"%s\",\"uid\":%u,\"gid\":%u,\"mode\":\"%o\"",
			       r->evm_keyid, short_verdict(r->evm_v), e->uid, e->gid, e->mode);
			if (e->label_len) {
				fputs(",\"label\":", stdout);
				cli_json_str(stdout, (const char *)e->label);
			}
			if (caps) {
				fputs(",\"caps\":", stdout);
				cli_json_str(stdout, caps);
			}
		}
		if (r->why[0]) {
			fputs(",\"problem\":", stdout);
			cli_json_str(stdout, r->why);
		}
		puts("}");
	} else {
		printf("%s\n  signed: %s", r->path, r->what);
		if (strcmp(r->what, "none"))
			printf("; security.ima key %08x: %s", r->ima_keyid,
			       short_verdict(r->ima_v));
		if (e)
			printf("; security.evm key %08x: %s\n  assumes: uid %u gid %u mode %o%s%s%s%s",
			       r->evm_keyid, short_verdict(r->evm_v), e->uid, e->gid,
			       e->mode, e->label_len ? " label " : "",
			       e->label_len ? (const char *)e->label : "",
			       caps ? " caps " : "", caps ? caps : "");
		putchar('\n');
		if (r->why[0])
			printf("  problem: %s\n", r->why);
	}
	free(caps);
}

static const struct evmpkg_pkgopts inspect_opts = { .policy = EVMPKG_POLICY_ENFORCE };

/* rpm: the header's digests, or the payload's content where they do not serve. */
static int open_rpm_engine(struct evmpkg_rpmpkg *p, const struct evmpkg_trust *t,
			   struct evmpkg_pkg **pkg, struct evmpkg_err *err)
{
	struct evmpkg_pkgopts o = inspect_opts;
	rpmfiles files = rpmfilesNew(NULL, evmpkg_rpm_header(p), RPMTAG_BASENAMES,
				     RPMFI_KEEPHEADER);
	uint8_t *content = NULL;
	int algo, rc;

	o.trust = t;
	if (!files)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: cannot read the file list",
				   evmpkg_rpm_nevra(p));
	rc = evmpkg_rpm_pkg_open(evmpkg_rpm_header(p), files, evmpkg_rpm_nevra(p),
				 NULL, 0, &o, pkg, err);
	if (!rc && (algo = evmpkg_pkg_content_algo(*pkg)) > 0) {
		evmpkg_pkg_free(*pkg);
		*pkg = NULL;
		rc = evmpkg_rpm_payload_digests(p, algo, &content, err);
		if (!rc)
			rc = evmpkg_rpm_pkg_open(evmpkg_rpm_header(p), files,
						 evmpkg_rpm_nevra(p), content, algo,
						 &o, pkg, err);
	}
	free(content);
	rpmfilesFree(files);
	return rc;
}

/* One file of either format, for the rows. */
struct ifile {
	const char *path;
	int is_reg;
};

/* A JSON row of a problem with the package as a whole. */
static void json_pkg_problem(const char *path, const char *msg)
{
	fputs("{\"package\":", stdout);
	cli_json_str(stdout, path);
	fputs(",\"problem\":", stdout);
	cli_json_str(stdout, msg);
	puts("}");
}

/* A package that cannot be read: said on stderr and, for --json readers
 * (the dnf check), as the package's one row. */
static void unreadable(const char *path, const char *msg, int json)
{
	cli_err("%s", msg);
	if (json)
		json_pkg_problem(path, msg);
}

/* One package; 0 all verifies, 1 something does not, with rows printed. */
static int inspect_one(const char *path, const struct evmpkg_trust *t, int json)
{
	struct evmpkg_rpmpkg *p = NULL;
	struct evmpkg_debpkg *d = NULL;
	struct evmpkg_pkg *pkg = NULL;
	struct evmpkg_err err = { 0 };
	struct ifile *files = NULL;
	const char *name = NULL, *mstate;
	const uint8_t *blob;
	size_t blen, bad = 0, n = 0;
	int rc = 1, fmt;

	if ((fmt = cli_pkg_format(path, &err)) < 0) {
		unreadable(path, err.msg, json);
		goto out;
	}
	if (fmt == CLI_PKG_DEB) {
		struct evmpkg_pkgopts o = inspect_opts;

		o.trust = t;
		if (evmpkg_deb_open(path, &d, &err) ||
		    evmpkg_deb_pkg_open_hashed(d, &o, &pkg, &err)) {
			unreadable(path, err.msg, json);
			goto out;
		}
		name = evmpkg_deb_name(d);
		n = evmpkg_deb_nfiles(d);
		mstate = evmpkg_deb_control_member(d, EVMPKG_DEB_MANIFEST_MEMBER, &blob, &blen) ?
			 "absent" : "present";
	} else {
		/* Nothing is good in a package whose payload is not what it says. */
		if (evmpkg_rpm_open(path, &p, &err) || evmpkg_rpm_check_payload(p, &err) ||
		    open_rpm_engine(p, t, &pkg, &err)) {
			unreadable(path, err.msg, json);
			goto out;
		}
		name = evmpkg_rpm_nevra(p);
		n = evmpkg_rpm_nfiles(p);
		mstate = evmpkg_rpm_get_bin(p, EVMPKG_RPMTAG_MANIFEST, &blob, &blen) == 0 ?
			 "present" : "absent";
	}
	if (!(files = calloc(n + 1, sizeof(*files)))) {
		unreadable(path, "out of memory", json);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (d)
			files[i] = (struct ifile){ evmpkg_deb_file(d, i)->path,
						   evmpkg_deb_file(d, i)->is_reg };
		else
			files[i] = (struct ifile){ evmpkg_rpm_file(p, i)->path,
						   evmpkg_rpm_file(p, i)->is_reg };
	}
	if (!json)
		printf("%s (%s): %zu files, manifest: %s\n", path, name, n, mstate);
	/* What is wrong with the package as a whole: the manifest, pairing. */
	for (size_t i = 0; i < evmpkg_pkg_nproblems(pkg); i++, bad++) {
		if (json)
			json_pkg_problem(path, evmpkg_pkg_problem(pkg, i));
		else
			printf("problem: %s\n", evmpkg_pkg_problem(pkg, i));
	}
	for (size_t i = 0; i < n; i++) {
		const struct ifile *f = &files[i];
		struct row r = { .pkg = path, .path = f->path, .what = "none",
				 .ima_v = EVMPKG_V_NOTRUN, .evm_v = EVMPKG_V_NOTRUN };
		struct evmpkg_fileresult fr;

		if (!f->is_reg)
			continue;
		evmpkg_pkg_file(pkg, i, &fr);
		if (fr.c) {
			r.what = fr.signed_evm ? "ima+evm" : "ima";
			r.e = fr.c->parsed ? fr.e : NULL;
			r.ima_v = fr.c->ima_v;
			r.evm_v = fr.c->evm_v;
			if (fr.c->parsed && fr.c->ima_sig.type == EVMPKG_IMA_DIGSIG)
				r.ima_keyid = fr.c->ima_sig.keyid;
			r.evm_keyid = fr.c->parsed ? fr.c->evm_sig.keyid : 0;
			if (fr.c->parsed) {
				r.ima = fr.c->ima;
				r.ima_len = fr.c->ima_len;
			}
			if (fr.rc) {
				snprintf(r.why, sizeof(r.why), "%s", fr.why ? fr.why : "refused");
				if (evmpkg_verdict_good(r.ima_v) || r.ima_v == EVMPKG_V_NOTRUN)
					r.ima_v = fr.c->parsed ? r.ima_v : EVMPKG_V_BAD;
				bad++;
			}
		}
		print_row(&r, json);
	}
	rc = bad ? 1 : 0;
out:
	evmpkg_pkg_free(pkg);
	evmpkg_rpm_close(p);
	evmpkg_deb_close(d);
	free(files);
	return rc;
}

/* The rpm plugin's trust, kind by kind, from rpm's macros (a dnf check
 * sees what rpm's transaction will). */
static int rpm_trust(struct evmpkg_trust **out)
{
	struct evmpkg_rpmconf c;
	struct evmpkg_trustlists tl;
	struct evmpkg_err err = { 0 };
	int rc = -1;

	if (evmpkg_rpmconf_read(&c)) {
		cli_err("inspect: rpm's configuration cannot be read");
		return -1;
	}
	tl = evmpkg_rpmconf_lists(&c);
	if (evmpkg_trust_new(out, &err) || evmpkg_trust_add_lists(*out, &tl, &err))
		cli_err("%s", err.msg);
	else
		rc = 0;
	evmpkg_rpmconf_free(&c);
	return rc;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "rpm-trust", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **certs = calloc((size_t)argc + 1, sizeof(*certs));
	struct evmpkg_trust *t = NULL;
	size_t ncerts = 0;
	int json = 0, rpmtrust = 0, c, rc = 2;

	if (!certs)
		return 2;
	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': certs[ncerts++] = optarg; break;
		case 'R': rpmtrust = 1; break;
		case 'J': json = 1; break;
		case 'h': usage(stdout); free(certs); return 0;
		default: usage(stderr); free(certs); return 2;
		}
	}
	if (optind >= argc || (rpmtrust && ncerts)) {
		cli_err(optind >= argc ? "inspect: give a package" :
			"inspect: --rpm-trust and --cert do not go together");
		usage(stderr);
		goto out;
	}
	if (rpmtrust ? rpm_trust(&t) : cli_load_trust(certs, ncerts, 0, &t))
		goto out;
	rc = 0;
	for (int i = optind; i < argc; i++) {
		int r = inspect_one(argv[i], t, json);

		rc = r > rc ? r : rc;
	}
out:
	evmpkg_trust_free(t);
	free(certs);
	return rc;
}
