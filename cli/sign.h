/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `evmpkg sign`: the verb's options and its package format drivers. */
#ifndef EVMPKG_CLI_SIGN_H
#define EVMPKG_CLI_SIGN_H

#include "pkgsign.h"

struct sign_opts {
	struct pkgsign_opts s;
	const char *out;		/* -o: one package only */
	/* --caps PATH=TEXT, for .deb files whose postinst runs setcap. */
	char **caps;			/* "PATH=TEXT" */
	size_t ncaps;
};

/* The capabilities --caps gives path, or NULL. */
const char *sign_caps_for(const struct sign_opts *o, const char *path);

int sign_rpm(const struct sign_opts *o, const char *path);
int sign_deb(const struct sign_opts *o, const char *path);

#endif
