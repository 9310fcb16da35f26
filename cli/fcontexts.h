/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SELinux labels a target's policy gives paths, from its file_contexts. */
#ifndef EVMPKG_FCONTEXTS_H
#define EVMPKG_FCONTEXTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fcontexts;

/* Opens a file_contexts file with libselinux's labeling backend. */
struct fcontexts *fcontexts_open(const char *path);
void fcontexts_close(struct fcontexts *fc);
/*
 * The label for path and mode as raw security.selinux bytes (with NUL) in
 * a malloc'd buffer; NULL with *len 0 when the policy gives none.
 */
uint8_t *fcontexts_lookup(struct fcontexts *fc, const char *path, mode_t mode,
			  size_t *len);

#endif
