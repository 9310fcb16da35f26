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

/* After signing with k: says when a token fell back to one signature at
 * a time (cli/passsrc.c, beside cli_key_load). */
void cli_key_done(const struct evmpkg_key *k);

/* The signing-host flow (cli/sigreq.c); each says what went wrong. */
/* A request for --cert's key with --hash and --ima, no package yet. */
int sigreq_begin(struct evmpkg_sigreq *r, const struct cli_signopts *so);
int sigreq_read(const char *path, int want, struct evmpkg_sigreq *r);
int sigreq_write(const struct evmpkg_sigreq *r, const char *path);
/* Whether r names key id and type (ec); if not, says so ("PATH: VERB key..."). */
int sigreq_check_key(const char *path, const struct evmpkg_sigreq *r,
		     const char *verb, const char *keyname, uint32_t id, int ec);
void sigreq_summary(const struct evmpkg_sigreq *r, const char *path, const char *what);
/* --sign-request IN -o OUT: signs every file of the request with key. */
int sigreq_sign(const char *in_path, const char *out_path,
		const struct evmpkg_key *key, int jobs);

#endif
