// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dpkg's installed database: where dpkg puts a package's path
 * (diversions) and whether a statoverride replaces the owner and mode it
 * was signed with. libdpkg keeps this in its own process-wide state; its
 * users are single-threaded executables.
 */
#include <stdlib.h>
#include <string.h>

#include <dpkg/dpkg.h>
#include <dpkg/dpkg-db.h>
#include <dpkg/db-fsys.h>
#include <dpkg/fsys.h>
#include <dpkg/program.h>

#include "dpkgdb.h"

void evmpkg_dpkgdb_open(const char *prog, const char *root, const char *admin,
			int with_status)
{
	/* libdpkg reports a broken database itself and exits 2. */
	dpkg_program_init(prog);
	dpkg_fsys_set_dir(root ? root : "");
	dpkg_db_set_dir(admin);
	fsys_hash_init();
	if (with_status)
		modstatdb_open(msdbrw_readonly);
	ensure_diversions();
	ensure_statoverrides(STATDB_PARSE_LAX);
}

void evmpkg_dpkgdb_close(int with_status)
{
	if (with_status)
		modstatdb_shutdown();
	dpkg_program_done();
}

const char *evmpkg_dpkgdb_truename(const char *path, const char *pkgname, int *override)
{
	struct fsys_namenode *nn = fsys_hash_find_node(path, FHFF_NONE);
	const char *name = path;

	/* A package's own diversion does not apply to it. */
	if (nn && nn->divert && nn->divert->useinstead &&
	    nn->divert->pkgset != pkg_hash_find_set(pkgname))
		name = nn->divert->useinstead->name;
	*override = nn && nn->statoverride;
	if (!*override && name != path) {
		nn = fsys_hash_find_node(name, FHFF_NONE);
		*override = nn && nn->statoverride;
	}
	return name;
}
