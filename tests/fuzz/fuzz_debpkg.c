// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: .deb packages from outside (evmpkg sign and inspect
 * will read them): the ar member table, control.tar and its fields, the
 * data.tar tar parser and path rules, hard link groups, conffiles and the
 * content digests, through evmpkg_deb_open on an in-memory file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evmpkg/evmpkg.h"
#include "fuzzpkg.h"
#include "debpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned int touch_str(const char *s)
{
	return fuzz_touch(s, strlen(s) + 1);
}

static void exercise(struct evmpkg_debpkg *p)
{
	static const char *const members[] = {
		"control", "conffiles", "md5sums", "postinst", "evmsig", "",
	};
	struct evmpkg_err err;
	const uint8_t *blob;
	uint8_t *dig = NULL;
	size_t n = evmpkg_deb_nfiles(p), len;
	volatile unsigned int sink = 0;

	sink += touch_str(evmpkg_deb_package(p)) + touch_str(evmpkg_deb_version(p)) +
		touch_str(evmpkg_deb_arch(p)) + touch_str(evmpkg_deb_name(p));
	sink += (unsigned int)evmpkg_deb_has_debsigs(p);
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (evmpkg_deb_control_member(p, members[i], &blob, &len) == 0)
			sink += fuzz_touch(blob, len);
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_debfile *f = evmpkg_deb_file(p, i);

		sink += touch_str(f->path) + touch_str(f->user) + touch_str(f->group) +
			f->mode + f->uid + f->gid + (unsigned int)f->size;
		if (f->linkto)
			sink += touch_str(f->linkto);
		/* What the header promises: a group names an earlier-or-same
		 * regular member, and its members are regular. */
		if (f->hardlink_group >= 0 &&
		    ((size_t)f->hardlink_group > i || !f->is_reg ||
		     evmpkg_deb_file(p, (size_t)f->hardlink_group)->type != EVMPKG_DEB_REG))
			__builtin_trap();
		if (f->path[0] != '/' || strstr(f->path, "/../") || strstr(f->path, "//"))
			__builtin_trap();
	}
	if (evmpkg_deb_file(p, n))
		__builtin_trap();
	if (evmpkg_deb_content_digests(p, EVMPKG_HASH_SHA256, &dig, &err) == EVMPKG_OK) {
		sink += fuzz_touch(dig, n * evmpkg_hash_size(EVMPKG_HASH_SHA256));
		free(dig);
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evmpkg_debpkg *p = NULL;
	struct evmpkg_err err;
	char path[64];
	int fd = fuzz_memfile(data, size, path);

	if (evmpkg_deb_open(path, &p, &err) == EVMPKG_OK) {
		exercise(p);
		evmpkg_deb_close(p);
	}
	close(fd);
	return 0;
}
