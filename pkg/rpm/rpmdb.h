/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rpm's installed database through librpm: each installed package with
 * signatures (an evmpkg manifest or rpm's own RPMTAG_FILESIGNATURES),
 * opened in the install engine on its stored header, with its files where
 * rpm put them (relocations followed; files rpm did not install, such as
 * --excludedocs or another package's shared file, left out).
 */
#ifndef EVMPKG_RPMDB_H
#define EVMPKG_RPMDB_H

#include <stddef.h>

#include "evmpkg/err.h"
#include "evmpkg/installed.h"
#include "evmpkg/pkgcheck.h"

/* Where root's rpm database is (rpm's %_dbpath, else /var/lib/rpm or
 * /usr/lib/sysimage/rpm), relative to root; NULL: none there. Free it. */
char *evmpkg_rpmdb_find(const char *root);

/*
 * fn for each such package of root's rpm database at dbpath (root NULL or
 * "/": this system); names limits it to those (rpm's name, name-version,
 * name-version-release, as `rpm -q` takes them); seen[i] is set when
 * names[i] is installed, signed or not. lock: hold rpm's transaction
 * lock meanwhile (refused while another rpm holds it). Reads rpm's
 * configuration (macros). Returns fn's first non-zero value, -1 with
 * err, or 0.
 */
int evmpkg_rpmdb_each(const char *root, const char *dbpath, char *const *names,
		      size_t nnames, unsigned char *seen, int lock,
		      const struct evmpkg_pkgopts *o, evmpkg_inst_fn fn, void *arg,
		      struct evmpkg_err *err);

#endif
