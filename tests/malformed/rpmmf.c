// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test tool: reads or replaces the signature manifest (tag 1000917) of an
 * rpm package through the project's own reader and writer, so the tests
 * can strip, empty or damage it with a script and keep everything else of
 * the package (RPMTAG_FILESIGNATURES included) as `evmpkg sign` left it.
 * Usage: rpm-mf get IN.rpm OUT.bin
 *        rpm-mf set IN.rpm MANIFEST.bin OUT.rpm
 *        rpm-mf set-nosigs IN.rpm MANIFEST.bin OUT.rpm   (file signatures dropped)
 *        rpm-mf sig IN.rpm PATH VALUE OUT.rpm   (PATH's RPMTAG_FILESIGNATURES
 *                                                string, as given: hex or not)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evmpkg/evmpkg.h"
#include "rpmpkg.h"
#include "rpmtag.h"

static int slurp(const char *path, struct evmpkg_buf *b)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		evmpkg_buf_put(b, chunk, n);
	fclose(f);
	return b->oom ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmpkg *p = NULL;
	struct evmpkg_buf b;
	const char **sigs;
	const uint8_t *blob;
	size_t blen, n;
	int dropped, nosigs;

	if (argc < 4 || (strcmp(argv[1], "get") && argc < 5)) {
		fprintf(stderr, "usage: rpm-mf get IN OUT | set[-nosigs] IN MANIFEST OUT\n");
		return 2;
	}
	if (evmpkg_rpm_open(argv[2], &p, &err)) {
		fprintf(stderr, "rpm-mf: %s\n", err.msg);
		return 1;
	}
	if (!strcmp(argv[1], "get")) {
		FILE *f;

		if (evmpkg_rpm_get_bin(p, EVMPKG_RPMTAG_MANIFEST, &blob, &blen)) {
			fprintf(stderr, "rpm-mf: %s: no manifest\n", argv[2]);
			return 1;
		}
		if (!(f = fopen(argv[3], "wb")) || fwrite(blob, 1, blen, f) != blen || fclose(f)) {
			perror(argv[3]);
			return 1;
		}
		return 0;
	}
	nosigs = !strcmp(argv[1], "set-nosigs");
	evmpkg_buf_init(&b);
	if (!strcmp(argv[1], "sig")) {
		if (argc < 6 || evmpkg_rpm_get_bin(p, EVMPKG_RPMTAG_MANIFEST, &blob, &blen)) {
			fprintf(stderr, "rpm-mf: sig IN PATH VALUE OUT, on a signed package\n");
			return 1;
		}
		evmpkg_buf_put(&b, blob, blen);
	} else if (slurp(argv[3], &b)) {
		perror(argv[3]);
		return 1;
	}
	n = evmpkg_rpm_nfiles(p);
	if (!(sigs = calloc(n + 1, sizeof(*sigs))))
		return 1;
	for (size_t i = 0; i < n; i++) {
		const char *s = evmpkg_rpm_file(p, i)->existing_sig;

		sigs[i] = !nosigs && s ? s : "";
		if (!strcmp(argv[1], "sig") && !strcmp(evmpkg_rpm_file(p, i)->path, argv[3]))
			sigs[i] = argv[4];
	}
	if (evmpkg_rpm_write(p, sigs, EVMPKG_RPMTAG_MANIFEST, b.data, b.len,
			     argv[!strcmp(argv[1], "sig") ? 5 : 4], &dropped, &err)) {
		fprintf(stderr, "rpm-mf: %s\n", err.msg);
		return 1;
	}
	return 0;
}
