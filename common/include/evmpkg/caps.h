/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File capabilities: the text rpm's %caps and setcap use <-> vfs_cap_data. */
#ifndef EVMPKG_CAPS_H
#define EVMPKG_CAPS_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"

#define EVMPKG_CAPS_V2_LEN 20	/* VFS_CAP_REVISION_2 */
#define EVMPKG_CAPS_V3_LEN 24	/* VFS_CAP_REVISION_3, with rootid */
#define EVMPKG_CAPS_MAX EVMPKG_CAPS_V3_LEN

/*
 * Parses text with libcap's cap_from_text and returns the exact
 * security.capability bytes the kernel stores (revision 2) in out; *len is
 * 0 when the text grants nothing (no xattr, as setcap and rpm do).
 */
int evmpkg_caps_from_text(const char *text, uint8_t out[EVMPKG_CAPS_MAX],
			  size_t *len, struct evmpkg_err *err);
/* Checks a stored value's form (revision, length, flag bits). */
int evmpkg_caps_check(const uint8_t *val, size_t len, struct evmpkg_err *err);
/* Text form of a stored value, malloc'd ("cap_net_raw=ep"). */
int evmpkg_caps_to_text(const uint8_t *val, size_t len, char **text,
			struct evmpkg_err *err);

#endif
