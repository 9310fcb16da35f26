// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg: IMA and EVM signatures for packages and files. */
#include <string.h>

#include "cli.h"

#ifndef EVMPKG_VERSION
#define EVMPKG_VERSION "0.1"
#endif

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} verbs[] = {
	{ "sign-file", cmd_sign_file, "sign loose files and apply the xattrs" },
	{ "verify-file", cmd_verify_file, "verify installed files" },
	{ "sign", cmd_sign, "add IMA and EVM signatures to rpm and .deb packages" },
	{ "dpkg-install", cmd_dpkg_install, "dpkg -i with the signatures installed before any script runs" },
	{ "inspect", cmd_inspect, "show and check the signatures of a package" },
	{ "verify", cmd_verify, "check installed packages' files against their signatures" },
	{ "apply", cmd_apply, "(re)apply installed packages' signatures to their files" },
	{ "export", cmd_export, "a root's signatures for rootless image tools (pax tar, debugfs)" },
	{ "status", cmd_status, "report the kernel's EVM and IMA state and the installers' setup" },
};

static void usage(FILE *f)
{
	fputs("usage: evmpkg VERB [options] ...\n\n", f);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].what);
	fputs("\n`evmpkg VERB --help` describes each verb.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("evmpkg " EVMPKG_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	cli_err("unknown verb '%s'", argv[1]);
	usage(stderr);
	return 2;
}
