/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A .deb package as the install engine sees it: its data.tar file list
 * and its manifest (the control member evmsig) translated into
 * evmpkg_pkgfile records, for `evmpkg inspect` and apt's pre-install
 * check alike.
 */
#ifndef EVMPKG_DEBDESC_H
#define EVMPKG_DEBDESC_H

#include "debpkg.h"
#include "evmpkg/pkgcheck.h"

/* The control.tar member holding the manifest: no dot, so dpkg keeps it
 * as /var/lib/dpkg/info/PKG.evmsig. */
#define EVMPKG_DEB_MANIFEST_MEMBER "evmsig"

/*
 * Opens the engine for package p. content (may be NULL): digests of every
 * file's content with content_algo (kernel id), nfiles times its size, as
 * evmpkg_deb_content_digests makes them; without them IMA signatures are
 * judged when the written files are hashed.
 */
int evmpkg_deb_pkg_open(const struct evmpkg_debpkg *p, const uint8_t *content,
			int content_algo, const struct evmpkg_pkgopts *o,
			struct evmpkg_pkg **out, struct evmpkg_err *err);

/*
 * The same, with the content of data.tar hashed in the algorithm the
 * signatures need (the manifest says which: two steps); data.tar is read
 * to its end even when nothing needs it, so a damaged package is refused.
 */
int evmpkg_deb_pkg_open_hashed(struct evmpkg_debpkg *p, const struct evmpkg_pkgopts *o,
			       struct evmpkg_pkg **out, struct evmpkg_err *err);

#endif
