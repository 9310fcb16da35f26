// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg inspect: what a package's IMA and EVM signatures say. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rpmtag.h"
#include "rpmpkg.h"

static void usage(FILE *f)
{
	fputs("usage: evmpkg inspect [--cert CERT]... [--json] PKG.rpm\n"
	      "Per file: what is signed, with which key id, the metadata the EVM\n"
	      "signature assumed, and whether each signature verifies (with the\n"
	      "given certificates; without any, only the form is checked).\n", f);
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

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (h[0] && h[1] && n < cap) {
		unsigned int b;

		if (sscanf(h, "%2x", &b) != 1)
			return 0;
		out[n++] = (uint8_t)b;
		h += 2;
	}
	return h[0] ? 0 : n;
}

struct row {
	const char *path;
	const char *what;	/* "ima+evm", "ima", "none" */
	uint32_t ima_keyid, evm_keyid;
	int ima_v, evm_v;
	const struct evmpkg_mentry *e;
	char why[600];
};

static void print_row(const struct row *r, int json)
{
	const struct evmpkg_mentry *e = r->e;
	char *caps = NULL;

	if (e && e->caps_len)
		evmpkg_caps_to_text(e->caps, e->caps_len, &caps, NULL);
	if (json) {
		fputs("{\"path\":", stdout);
		cli_json_str(stdout, r->path);
		printf(",\"signed\":\"%s\"", r->what);
		if (strcmp(r->what, "none"))
			printf(",\"ima_keyid\":\"%08x\",\"ima\":\"%s\"", r->ima_keyid,
			       short_verdict(r->ima_v));
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

int cmd_inspect(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char **certs = calloc((size_t)argc + 1, sizeof(*certs));
	struct evmpkg_trust *t = NULL;
	struct evmpkg_rpmpkg *p = NULL;
	struct evmpkg_manifest m;
	struct evmpkg_err err = { 0 };
	const uint8_t *blob;
	size_t ncerts = 0, blen, bad = 0;
	int json = 0, c, rc = 2, have_m = 0;

	evmpkg_manifest_init(&m);
	if (!certs)
		return 2;
	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': certs[ncerts++] = optarg; break;
		case 'J': json = 1; break;
		case 'h': usage(stdout); free(certs); return 0;
		default: usage(stderr); free(certs); return 2;
		}
	}
	if (optind != argc - 1) {
		cli_err("inspect: give one package");
		usage(stderr);
		goto out;
	}
	if (cli_load_trust(certs, ncerts, 0, &t))
		goto out;
	if (evmpkg_rpm_open(argv[optind], &p, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	if (evmpkg_rpm_get_bin(p, EVMPKG_RPMTAG_MANIFEST, &blob, &blen) == 0) {
		if (evmpkg_manifest_decode(blob, blen, &m, &err)) {
			cli_err("%s: manifest: %s", argv[optind], err.msg);
			rc = 1;
			goto out;
		}
		have_m = 1;
	}
	if (!json)
		printf("%s (%s): %zu files, manifest: %s\n", argv[optind],
		       evmpkg_rpm_nevra(p), evmpkg_rpm_nfiles(p),
		       have_m ? "present" : "absent");
	for (size_t i = 0; i < evmpkg_rpm_nfiles(p); i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);
		struct row r = { .path = f->path, .what = "none",
				 .ima_v = EVMPKG_V_NOTRUN, .evm_v = EVMPKG_V_NOTRUN };
		uint8_t ima[EVMPKG_SIG_MAX];
		struct evmpkg_sig s;
		size_t ilen = 0;

		if (!f->is_reg)
			continue;
		r.e = have_m ? evmpkg_manifest_find(&m, f->path) : NULL;
		if (f->existing_sig && *f->existing_sig)
			ilen = unhex(f->existing_sig, ima, sizeof(ima));
		if (ilen && !evmpkg_sig_parse(ima, ilen, 0, &s, &err)) {
			r.what = "ima";
			r.ima_keyid = s.type == EVMPKG_IMA_DIGSIG ? s.keyid : 0;
			r.ima_v = EVMPKG_V_FORM_ONLY;
			/* With a manifest entry, seq_verify_entry checks it below. */
			if (!r.e && f->digest_algo == s.hash_algo)
				r.ima_v = evmpkg_sig_verdict(t, &s, f->digest,
							     f->digest_len, &err);
		} else if (ilen || (f->existing_sig && *f->existing_sig)) {
			r.what = "ima";
			r.ima_v = EVMPKG_V_BAD;
			snprintf(r.why, sizeof(r.why), "RPMTAG_FILESIGNATURES: %s", err.msg);
		}
		if (r.e) {
			struct evmpkg_sig es;
			int iv, ev;

			r.what = "ima+evm";
			evmpkg_sig_parse(r.e->evm, r.e->evm_len, 1, &es, NULL);
			r.evm_keyid = es.keyid;
			if (ilen && (ilen != r.e->ima_len || memcmp(ima, r.e->ima, ilen)))
				snprintf(r.why, sizeof(r.why),
					 "security.ima in the manifest differs from RPMTAG_FILESIGNATURES");
			if (evmpkg_seq_verify_entry(r.e, t, f->digest_algo, f->digest,
						    f->digest_len, &iv, &ev, &err) && !r.why[0])
				snprintf(r.why, sizeof(r.why), "%s", err.msg);
			r.ima_v = iv;
			r.evm_v = ev;
		}
		if (r.ima_v == EVMPKG_V_BAD || r.ima_v == EVMPKG_V_NOKEY ||
		    r.evm_v == EVMPKG_V_BAD || r.evm_v == EVMPKG_V_NOKEY || r.why[0])
			bad++;
		print_row(&r, json);
	}
	rc = bad ? 1 : 0;
out:
	evmpkg_manifest_free(&m);
	evmpkg_rpm_close(p);
	evmpkg_trust_free(t);
	free(certs);
	return rc;
}
