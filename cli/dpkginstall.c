// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evmpkg dpkg-install: `dpkg -i` with the signatures installed before any
 * maintainer script runs. The dpkg hook executable does it (it links
 * libdpkg and reads the hooks' configuration); this verb runs it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef EVMPKG_SBINDIR
#define EVMPKG_SBINDIR "/usr/sbin"
#endif

int cmd_dpkg_install(int argc, char **argv)
{
	const char *hook = getenv("EVMPKG_DPKG_HOOK");
	char **av;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs("usage: evmpkg dpkg-install [DPKG-OPTION...] PKG.deb...\n"
		      "Verifies every package's IMA/EVM signatures, then runs\n"
		      "`dpkg --unpack` (whose post-invoke hook installs them) and\n"
		      "`dpkg --configure` for those packages: what `dpkg -i` does, with\n"
		      "the signatures in place before any maintainer script runs.\n"
		      "Policy and certificates: /etc/evmpkg/dpkg.conf (docs/dpkg.md).\n",
		      argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!hook || !*hook)
		hook = EVMPKG_SBINDIR "/evmpkg-dpkg-hook";
	if (!(av = calloc((size_t)argc + 2, sizeof(*av))))
		return 2;
	av[0] = (char *)hook;
	av[1] = "install";
	for (int i = 1; i < argc; i++)
		av[i + 1] = argv[i];
	execv(hook, av);
	cli_err("dpkg-install: %s: %s (is evmpkg's dpkg hook installed?)", hook, strerror(errno));
	free(av);
	return 2;
}
