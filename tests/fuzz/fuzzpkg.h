/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the package-file fuzz targets share: the input as a file (the
 * parsers take a path, as evmpkg sign and inspect do) and a way to read
 * every byte a parser hands back, so that ASan sees any overrun.
 */
#ifndef EVMPKG_TESTS_FUZZPKG_H
#define EVMPKG_TESTS_FUZZPKG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Touches every byte of p[0..n). */
static inline unsigned int fuzz_touch(const void *p, size_t n)
{
	const uint8_t *b = p;
	unsigned int x = 0;

	for (size_t i = 0; i < n; i++)
		x += b[i];
	return x;
}

/*
 * The input in an in-memory file; path gets its /proc/self/fd name. The
 * descriptor, for close(); traps when the file cannot be made.
 */
static inline int fuzz_memfile(const uint8_t *data, size_t size, char path[64])
{
	size_t done = 0;
	int fd = memfd_create("fuzz.pkg", MFD_CLOEXEC);

	if (fd < 0)
		__builtin_trap();
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);

		if (w <= 0)
			__builtin_trap();
		done += (size_t)w;
	}
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
