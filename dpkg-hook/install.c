// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * install [DPKG-OPTION...] PKG.deb...: what `dpkg -i` would do, in the
 * order that installs signatures before any maintainer script runs them:
 * verify every package, `dpkg --unpack` in runs as evmpkg-dpkg splits them
 * (each run's post-invoke applies its signatures before the next preinst),
 * then `dpkg --configure` of those packages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debdesc.h"
#include "dpkgdb.h"
#include "hook.h"

int hook_install(struct hook *h, int argc, char **argv)
{
	int nopts = 0, ndebs, bad = 0, rc;
	char **names, **av, *own = NULL;

	/* dpkg's options come first (--root=R, --force-..., --admindir=D). */
	while (nopts < argc && argv[nopts][0] == '-')
		nopts++;
	ndebs = argc - nopts;
	if (ndebs <= 0) {
		fprintf(stderr, PFX "install: no package given\n");
		return 2;
	}
	if (!(names = calloc((size_t)ndebs + 1, sizeof(*names))))
		return 2;
	evmpkg_dpkgdb_open("evmpkg-dpkg-hook", NULL, hook_admindir(argv, nopts, &own), 0);
	h->db = 1;
	for (int i = 0; i < ndebs; i++) {
		struct evmpkg_debpkg *d = NULL;
		struct evmpkg_err err = { 0 };

		/* dpkg could not install what cannot be read: refused in any policy. */
		if (evmpkg_deb_open(argv[nopts + i], &d, &err) ||
		    !(names[i] = strdup(evmpkg_deb_package(d)))) {
			fprintf(stderr, PFX "%s\n", err.msg[0] ? err.msg : "out of memory");
			bad = 1;
		} else {
			bad |= hook_verify_deb(h, argv[nopts + i]);
		}
		evmpkg_deb_close(d);
	}
	evmpkg_dpkgdb_close(0);
	free(own);
	if (bad) {
		fprintf(stderr, PFX "install: nothing installed\n");
		rc = 1;
	} else if (!(av = calloc((size_t)nopts + 2, sizeof(*av)))) {
		rc = 2;
	} else {
		memcpy(av + 1, argv, (size_t)nopts * sizeof(*av));
		av[nopts + 1] = "--unpack";
		if ((rc = hook_unpack_each(av, nopts + 2, argv + nopts, ndebs)) == 0) {
			av[nopts + 1] = "--configure";
			rc = hook_run_dpkg(av, nopts + 2, names, ndebs);
		}
		free(av);
	}
	for (int i = 0; i < ndebs; i++)
		free(names[i]);
	free(names);
	return rc;
}
