/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The protected xattrs actually on a file, read through its fd. */
#ifndef EVMPKG_XATTRS_H
#define EVMPKG_XATTRS_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"
#include "evmpkg/evmdigest.h"

struct evmpkg_xattrs {
	uint8_t *val[EVMPKG_NXATTRS];	/* owned; NULL when absent */
	size_t len[EVMPKG_NXATTRS];
	int present[EVMPKG_NXATTRS];
	int nosupport;			/* the filesystem has no xattrs */
};

/* Reads every protected xattr and security.evm on fd: one list call, then
 * one read per name present. ENODATA is absence, not an error. */
int evmpkg_xattrs_read(int fd, struct evmpkg_xattrs *x, struct evmpkg_err *err);
void evmpkg_xattrs_free(struct evmpkg_xattrs *x);

#endif
