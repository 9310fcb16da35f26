// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test tool: rewrites a signed package with one byte of one file's
 * security.evm in the manifest flipped, so the tests can show the plugin
 * refusing a tampered signature. Usage: rpm-tamper IN OUT PATH
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evmpkg/evmpkg.h"
#include "rpmtag.h"
#include "rpmpkg.h"

int main(int argc, char **argv)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmpkg *p = NULL;
	struct evmpkg_manifest m;
	struct evmpkg_buf b;
	const struct evmpkg_mentry *e;
	const char **sigs;
	const uint8_t *blob;
	size_t blen, n;
	int dropped;

	if (argc != 4) {
		fprintf(stderr, "usage: rpm-tamper IN OUT PATH\n");
		return 2;
	}
	if (evmpkg_rpm_open(argv[1], &p, &err) ||
	    evmpkg_rpm_get_bin(p, EVMPKG_RPMTAG_MANIFEST, &blob, &blen) ||
	    evmpkg_manifest_decode(blob, blen, &m, &err)) {
		fprintf(stderr, "rpm-tamper: %s\n", err.msg[0] ? err.msg : "no manifest");
		return 1;
	}
	e = evmpkg_manifest_find(&m, argv[3]);
	if (!e) {
		fprintf(stderr, "rpm-tamper: %s not in the manifest\n", argv[3]);
		return 1;
	}
	e->evm[e->evm_len - 1] ^= 0x01;
	n = evmpkg_rpm_nfiles(p);
	sigs = calloc(n, sizeof(*sigs));
	for (size_t i = 0; i < n; i++) {
		const char *s = evmpkg_rpm_file(p, i)->existing_sig;

		sigs[i] = s ? s : "";
	}
	evmpkg_buf_init(&b);
	if (evmpkg_manifest_encode(&m, &b, &err) ||
	    evmpkg_rpm_write(p, sigs, EVMPKG_RPMTAG_MANIFEST, b.data, b.len,
			     argv[2], &dropped, &err)) {
		fprintf(stderr, "rpm-tamper: %s\n", err.msg);
		return 1;
	}
	return 0;
}
