// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a trusted-certificate file as the core loads it (PEM
 * or DER, one or many certificates), then a signature checked against
 * whatever loaded, so a certificate that loads is also used.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "evmpkg/evmpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A type 3 signature v2 header, key id 0x38ad8eea, 4 bytes of "signature". */
	static const uint8_t sig[] = { 3, 2, 4, 0x38, 0xad, 0x8e, 0xea, 0, 4, 1, 2, 3, 4 };
	static const uint8_t digest[32];
	struct evmpkg_trust *t = NULL;
	struct evmpkg_err err = { 0 };
	char path[64];
	int fd = memfd_create("cert", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size || evmpkg_trust_new(&t, &err)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!evmpkg_trust_add_file(t, path, EVMPKG_TRUST_BOTH, &err)) {
		struct evmpkg_sig s;

		if (!evmpkg_sig_parse(sig, sizeof(sig), 0, &s, &err))
			(void)evmpkg_trust_verify(t, &s, digest, sizeof(digest), &err);
		(void)evmpkg_trust_count_without_skid(t);
	}
	evmpkg_trust_free(t);
	close(fd);
	return 0;
}
