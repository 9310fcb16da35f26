// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test tool: rewrites a signed package with one defect, so the tests can
 * show the plugin and `evmpkg inspect` refusing it alike.
 * Usage: rpm-tamper IN OUT WHAT PATH [PATH2]
 *   evm PATH          flip the last byte of PATH's security.evm (manifest)
 *   ima-flip PATH     flip the last byte of PATH's RPMTAG_FILESIGNATURES
 *   ima-short PATH    drop its last byte
 *   ima-nonhex PATH   make it non-hexadecimal
 *   ima-type5 PATH    give it type 5 (an EVM portable signature's)
 *   ima-swap PATH P2  swap the values of PATH and P2
 *   extra PATH        add a manifest entry for PATH, copied from another
 *   short-manifest -  keep only the manifest's first 10 bytes
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evmpkg/evmpkg.h"
#include "rpmpkg.h"
#include "rpmtag.h"

static ssize_t index_of(struct evmpkg_rpmpkg *p, const char *path)
{
	for (size_t i = 0; i < evmpkg_rpm_nfiles(p); i++)
		if (!strcmp(evmpkg_rpm_file(p, i)->path, path))
			return (ssize_t)i;
	return -1;
}

int main(int argc, char **argv)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmpkg *p = NULL;
	struct evmpkg_manifest m;
	struct evmpkg_buf b;
	const char **sigs;
	const char *what, *path;
	const uint8_t *blob;
	size_t blen, n;
	ssize_t fx;
	int dropped;

	if (argc < 5) {
		fprintf(stderr, "usage: rpm-tamper IN OUT WHAT PATH [PATH2]\n");
		return 2;
	}
	what = argv[3];
	path = argv[4];
	if (evmpkg_rpm_open(argv[1], &p, &err) ||
	    evmpkg_rpm_get_bin(p, EVMPKG_RPMTAG_MANIFEST, &blob, &blen) ||
	    evmpkg_manifest_decode(blob, blen, &m, &err)) {
		fprintf(stderr, "rpm-tamper: %s\n", err.msg[0] ? err.msg : "no manifest");
		return 1;
	}
	n = evmpkg_rpm_nfiles(p);
	sigs = calloc(n, sizeof(*sigs));
	for (size_t i = 0; i < n; i++) {
		const char *s = evmpkg_rpm_file(p, i)->existing_sig;

		sigs[i] = strdup(s ? s : "");
	}
	fx = index_of(p, path);
	if (!strcmp(what, "evm")) {
		const struct evmpkg_mentry *e = evmpkg_manifest_find(&m, path);

		if (!e) {
			fprintf(stderr, "rpm-tamper: %s not in the manifest\n", path);
			return 1;
		}
		e->evm[e->evm_len - 1] ^= 0x01;
	} else if (!strncmp(what, "ima-", 4)) {
		char *s;

		if (fx < 0 || !*sigs[fx]) {
			fprintf(stderr, "rpm-tamper: %s has no file signature\n", path);
			return 1;
		}
		s = (char *)sigs[fx];
		if (!strcmp(what, "ima-flip"))
			s[strlen(s) - 1] = s[strlen(s) - 1] == '0' ? '1' : '0';
		else if (!strcmp(what, "ima-short"))
			s[strlen(s) - 2] = '\0';
		else if (!strcmp(what, "ima-nonhex"))
			s[4] = 'z';
		else if (!strcmp(what, "ima-type5"))
			s[1] = '5';
		else if (!strcmp(what, "ima-swap") && argc > 5 && index_of(p, argv[5]) >= 0) {
			ssize_t o = index_of(p, argv[5]);

			sigs[fx] = sigs[o];
			sigs[o] = s;
		} else {
			fprintf(stderr, "rpm-tamper: %s?\n", what);
			return 2;
		}
	} else if (!strcmp(what, "extra")) {
		struct evmpkg_mentry e = m.e[0];

		e.path = (char *)path;
		if (evmpkg_manifest_add(&m, &e, &err)) {
			fprintf(stderr, "rpm-tamper: %s\n", err.msg);
			return 1;
		}
	} else if (strcmp(what, "short-manifest")) {
		fprintf(stderr, "rpm-tamper: %s?\n", what);
		return 2;
	}
	evmpkg_buf_init(&b);
	if (!strcmp(what, "short-manifest"))
		evmpkg_buf_put(&b, blob, 10);
	else if (evmpkg_manifest_encode(&m, &b, &err))
		goto fail;
	if (evmpkg_rpm_write(p, sigs, EVMPKG_RPMTAG_MANIFEST, b.data, b.len,
			     argv[2], &dropped, &err))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "rpm-tamper: %s\n", err.msg);
	return 1;
}
