// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: rpm packages from outside (evmpkg sign and inspect read
 * them): the lead and header parser, the file list, the manifest tag and the
 * payload digests, through evmpkg_rpm_open on an in-memory file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rpm/rpmlog.h>

#include "evmpkg/evmpkg.h"
#include "fuzzpkg.h"
#include "rpmpkg.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* librpm reports malformed tags through rpmlog: keep the log readable. */
	rpmlogSetMask(RPMLOG_UPTO(RPMLOG_EMERG));
	return 0;
}

static void exercise(struct evmpkg_rpmpkg *p)
{
	struct evmpkg_manifest m;
	struct evmpkg_err err;
	const uint8_t *blob;
	uint8_t *dig = NULL;
	size_t n = evmpkg_rpm_nfiles(p), len;
	volatile unsigned int sink = 0;

	sink += fuzz_touch(evmpkg_rpm_nevra(p), strlen(evmpkg_rpm_nevra(p)));
	sink += (unsigned int)evmpkg_rpm_has_pgp_sig(p);
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);

		sink += fuzz_touch(f->path, strlen(f->path)) +
			fuzz_touch(f->user, strlen(f->user)) +
			fuzz_touch(f->group, strlen(f->group)) +
			fuzz_touch(f->caps, strlen(f->caps)) +
			fuzz_touch(f->digest, f->digest_len) + f->mode + f->flags;
		if (f->existing_sig)
			sink += fuzz_touch(f->existing_sig, strlen(f->existing_sig));
		if (f->hardlink_group >= 0 && (size_t)f->hardlink_group >= n)
			__builtin_trap();
	}
	if (evmpkg_rpm_file(p, n))
		__builtin_trap();
	if (evmpkg_rpm_get_bin(p, EVMPKG_RPMTAG_MANIFEST, &blob, &len) == 0) {
		sink += fuzz_touch(blob, len);
		if (evmpkg_manifest_decode(blob, len, &m, &err) == EVMPKG_OK)
			evmpkg_manifest_free(&m);
	}
	if (evmpkg_rpm_payload_digests(p, EVMPKG_HASH_SHA256, &dig, &err) == EVMPKG_OK) {
		sink += fuzz_touch(dig, n * evmpkg_hash_size(EVMPKG_HASH_SHA256));
		free(dig);
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evmpkg_rpmpkg *p = NULL;
	struct evmpkg_err err;
	char path[64];
	int fd = fuzz_memfile(data, size, path);

	if (evmpkg_rpm_open(path, &p, &err) == EVMPKG_OK) {
		exercise(p);
		evmpkg_rpm_close(p);
	}
	close(fd);
	return 0;
}
