/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dpkg's installed database through libdpkg, for the dpkg hooks and the
 * evmpkg command: where dpkg put each file of a package (diversions,
 * pending conffiles), which files a statoverride gives their own owner
 * and mode, and each package's stored manifest (info file evmsig).
 * libdpkg is static and PIE, so this goes into executables only; it
 * keeps its database in process-wide state: one root at a time, from one
 * thread.
 */
#ifndef EVMPKG_DPKGDB_H
#define EVMPKG_DPKGDB_H

#include <stddef.h>

#include "evmpkg/err.h"
#include "evmpkg/installed.h"
#include "evmpkg/pkgcheck.h"

/* The database at admin for root ("" or NULL: /), with the package status
 * when with_status. prog names the program in libdpkg's own messages. */
void evmpkg_dpkgdb_open(const char *prog, const char *root, const char *admin,
			int with_status);
void evmpkg_dpkgdb_close(int with_status);
/* Where dpkg puts path for package pkgname (diversions followed); whether
 * a statoverride gives it an owner and mode of its own. */
const char *evmpkg_dpkgdb_truename(const char *path, const char *pkgname, int *override);

struct pkginfo;
/*
 * The engine for package pkg of the open database (with status): its
 * manifest, its files where dpkg left them under root. 1: the package
 * has no manifest; 0: ip filled; -1: err names the package and what.
 * What is wrong with the manifest itself is an engine problem, not an
 * error here.
 */
int evmpkg_dpkgdb_inst_open(struct pkginfo *pkg, const char *root,
			    const struct evmpkg_pkgopts *o, struct evmpkg_instpkg *ip,
			    struct evmpkg_err *err);

/*
 * The same for a package without a manifest, for a policy that requires
 * signatures: the engine over dpkg's list of its files (so that it names
 * each regular file left unsigned). 0, or -1 with err.
 */
int evmpkg_dpkgdb_inst_unsigned(struct pkginfo *pkg, const char *root,
				const struct evmpkg_pkgopts *o, struct evmpkg_instpkg *ip,
				struct evmpkg_err *err);

/*
 * fn for each package of root's database that is installed or unpacked
 * and has a manifest; names (package or package:arch) limits it to those,
 * seen[i] set when names[i] is installed, signed or not. admin NULL: the
 * root's /var/lib/dpkg. lock: hold dpkg's database lock meanwhile (the
 * process exits with libdpkg's message naming the holder when another
 * dpkg or apt has it). Returns fn's first non-zero value, -1 with err,
 * or 0.
 */
int evmpkg_dpkgdb_each(const char *root, const char *admin, char *const *names,
		       size_t nnames, unsigned char *seen, int lock,
		       const struct evmpkg_pkgopts *o, evmpkg_inst_fn fn, void *arg,
		       struct evmpkg_err *err);

#endif
