// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * install [DPKG-OPTION...] PKG.deb...: what `dpkg -i` would do, in the
 * order that installs signatures before any maintainer script runs them:
 * verify every package, `dpkg --unpack` one package at a time (each run's
 * post-invoke applies its signatures before the next preinst), then
 * `dpkg --configure` of those packages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debdesc.h"
#include "hook.h"

/* Runs dpkg OPTS ACTION ARGS; its exit status, or 2 when it cannot run. */
static int run_dpkg(char **opts, int nopts, const char *action, char **args, int nargs)
{
	char **av = calloc((size_t)(nopts + nargs + 3), sizeof(*av));
	int st, n = 0;
	pid_t pid;

	if (!av)
		return 2;
	av[n++] = (char *)hook_dpkg_path();
	for (int i = 0; i < nopts; i++)
		av[n++] = opts[i];
	av[n++] = (char *)action;
	for (int i = 0; i < nargs; i++)
		av[n++] = args[i];
	pid = fork();
	if (pid == 0) {
		execv(av[0], av);
		_exit(127);
	}
	free(av);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return 2;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

/* dpkg OPTS --unpack, one package a run (see wrapper.c). */
static int unpack(char **opts, int nopts, char **debs, int ndebs)
{
	char **av = calloc((size_t)nopts + 2, sizeof(*av));
	int rc;

	if (!av)
		return 2;
	memcpy(av + 1, opts, (size_t)nopts * sizeof(*av));
	av[nopts + 1] = "--unpack";
	rc = hook_unpack_each(av, nopts + 2, debs, ndebs);
	free(av);
	return rc;
}

int hook_install(struct hook *h, int argc, char **argv)
{
	int nopts = 0, ndebs, bad = 0, rc;
	char **names, *own = NULL;

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
	hook_db_open(NULL, hook_admindir(argv, nopts, &own), 0);
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
	hook_db_close(0);
	free(own);
	if (bad) {
		fprintf(stderr, PFX "install: nothing installed\n");
		rc = 1;
	} else if ((rc = unpack(argv, nopts, argv + nopts, ndebs)) == 0) {
		rc = run_dpkg(argv, nopts, "--configure", names, ndebs);
	}
	for (int i = 0; i < ndebs; i++)
		free(names[i]);
	free(names);
	return rc;
}
