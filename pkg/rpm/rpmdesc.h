/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An rpm package as the install engine sees it: librpm's header and file
 * set translated into evmpkg_pkgfile records and the manifest tag, for
 * the plugin (from the transaction element) and the command (from a
 * package file) alike, so both get the same verdicts.
 */
#ifndef EVMPKG_RPMDESC_H
#define EVMPKG_RPMDESC_H

#include <rpm/header.h>
#include <rpm/rpmfiles.h>

#include "evmpkg/pkgcheck.h"

/*
 * Opens the engine for the package of header h and its file set (original
 * paths: what was signed). name names it in messages (its NEVRA). The
 * fields named in messages are rpm's tags. content (may be NULL): digests
 * of every file's content made with content_algo (kernel id), n times its
 * size, used instead of the header's (the command hashes the payload when
 * the header's digests are of another algorithm than the signatures).
 */
int evmpkg_rpm_pkg_open(Header h, rpmfiles files, const char *name,
			const uint8_t *content, int content_algo,
			const struct evmpkg_pkgopts *o, struct evmpkg_pkg **out,
			struct evmpkg_err *err);

#endif
