/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replacing a whole file so that nobody sees it half-written, and a crash
 * leaves the old or the new file: a temporary file in the target's
 * directory, written, synced, given its mode, renamed over the target, the
 * directory synced. A symlink at the target is replaced, not followed. On
 * any error the temporary file is removed and the target is untouched.
 */
#ifndef EVMPKG_ATOMICFILE_H
#define EVMPKG_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "evmpkg/err.h"

/* The caller writes through fd; only atomicfile.c touches the priv_ members. */
struct evmpkg_atomicfile {
	int fd;			/* the temporary file, open for writing; -1 when released */
	char *priv_tmp;		/* its path */
	char *priv_dir;		/* the directory of it and of the target */
	char *priv_target;
};

/* Initialiser for a struct not opened yet: abort is then a no-op. */
#define EVMPKG_ATOMICFILE_INIT { .fd = -1 }

/*
 * Creates the temporary file (mode 0600 until commit) next to target.
 * Messages start with target.
 */
int evmpkg_atomic_open(struct evmpkg_atomicfile *a, const char *target,
		       struct evmpkg_err *err);
/* Writes all n bytes at fd's position (a is kept on failure: abort it). */
int evmpkg_atomic_put(struct evmpkg_atomicfile *a, const void *p, size_t n,
		      struct evmpkg_err *err);
/*
 * Gives the temporary file mode (exactly: no umask), syncs and closes it,
 * renames it over the target and syncs the directory. Releases a whether it
 * succeeds or not; on failure the temporary file is gone.
 */
int evmpkg_atomic_commit(struct evmpkg_atomicfile *a, mode_t mode,
			 struct evmpkg_err *err);
/* Removes the temporary file and releases a; nothing after commit. */
void evmpkg_atomic_abort(struct evmpkg_atomicfile *a);
/* The whole of a file in one call: open, write len bytes, commit. */
int evmpkg_atomic_write(const char *target, const void *data, size_t len,
			mode_t mode, struct evmpkg_err *err);

#endif
