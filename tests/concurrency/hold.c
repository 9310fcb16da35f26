// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test-only LD_PRELOAD shim of the concurrency tier: holds a process at a
 * known point of its writes, so the tier knows it is mid-way (and holding
 * whatever lock it took) without guessing from time. Never installed.
 *
 *   HOLD_DIR  a directory holding the fifo "go"
 *   HOLD_NTH  the security.evm write to hold before, counted from 1 in
 *             the process, on any thread (default 1)
 *
 * Before that fsetxattr the calling thread creates HOLD_DIR/held and reads
 * HOLD_DIR/go to its end: it waits until the tier writes to the fifo and
 * closes it, then goes on with the write.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

typedef int (*fsetxattr_fn)(int, const char *, const void *, size_t, int);

static atomic_long evm_writes;

static void hold(const char *dir)
{
	char path[4096], buf[64];
	int fd;

	snprintf(path, sizeof(path), "%s/held", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
		snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
		if (write(fd, buf, strlen(buf)) < 0)
			perror(path);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/go", dir);
	/* Blocks in open until the tier opens the fifo for writing. */
	if ((fd = open(path, O_RDONLY)) < 0) {
		perror(path);
		return;
	}
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

int fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)
{
	fsetxattr_fn real = (fsetxattr_fn)dlsym(RTLD_NEXT, "fsetxattr");
	const char *dir = getenv("HOLD_DIR"), *nth = getenv("HOLD_NTH");

	if (dir && name && !strcmp(name, "security.evm") &&
	    atomic_fetch_add(&evm_writes, 1) + 1 == (nth ? atol(nth) : 1))
		hold(dir);
	return real(fd, name, value, size, flags);
}
