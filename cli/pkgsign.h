/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signing a package's files, whatever its format: what each file gets
 * (IMA and EVM, IMA only, nothing) and why, the metadata its EVM signature
 * assumes on the target (owner names mapped through the target's
 * accounts, mode, capabilities, SELinux label), and the signatures, on all
 * cores. The rpm and .deb drivers translate their package into
 * pkgsign_file records and store what comes back in their own places.
 */
#ifndef EVMPKG_CLI_PKGSIGN_H
#define EVMPKG_CLI_PKGSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "fcontexts.h"

/*
 * What signing a package means: sign with a key; or write down what must
 * be signed (a signing request) and leave the package as it is; or take
 * the values a signing host made for that request, each checked against
 * the certificate before the package is written ("attach").
 */
enum { PKGSIGN_SIGN, PKGSIGN_REQUEST, PKGSIGN_ATTACH };

struct pkgsign_opts {
	struct evmpkg_key *key;
	struct evmpkg_accounts *acct;
	struct fcontexts *fc;
	int algo, ima_kind, sign_config, strict, jobs;
	const char *config_word;	/* "%config file", "conffile" */
	int mode;			/* PKGSIGN_* */
	struct evmpkg_sigreq *req;	/* request: packages are added here */
	const struct evmpkg_sigreq *sigs;	/* attach: the values returned */
	const struct evmpkg_trust *trust;	/* attach: what they must verify with */
	const char *pkgid;		/* "rpm:NEVRA", "deb:name_version_arch" */
};

/* One file of the package, in the format's order. */
struct pkgsign_file {
	const char *path;
	const char *user, *group;	/* owner names in the package */
	/* Used where the package gives no name ("" in a tar header), as dpkg
	 * then does: the numeric ids. */
	int has_ids;
	uint32_t uid, gid;
	uint32_t mode;			/* with S_IFMT */
	int is_reg;			/* regular file with content */
	int is_config;
	const char *caps;		/* capabilities, cap_from_text form; NULL or "" */
	const uint8_t *digest;		/* content digest with opts.algo */
};

/* What a file got. */
struct pkgsign_result {
	int kind;			/* 0: nothing, 1: IMA only, 2: IMA and EVM */
	struct evmpkg_sigpair sp;	/* its values */
	struct evmpkg_mentry e;		/* kind 2 (and 1, ima only): the entry */
};

/*
 * Decides and signs every file; reasons for files without an EVM
 * signature go to stderr ("PKG: PATH: no EVM signature: why"), and with
 * opts.strict make it fail. *res (n records, free with pkgsign_free) says
 * what each file got. Adds every kind-2 result to m, and kind-1 results
 * too when ima_only_in_manifest (formats without another place for them).
 * Returns 1 in request mode, where the package is added to opts.req and
 * is not to be written.
 */
int pkgsign_run(const struct pkgsign_opts *o, const char *pkgname,
		const struct pkgsign_file *files, size_t n,
		int ima_only_in_manifest, struct evmpkg_manifest *m,
		struct pkgsign_result **res, size_t counts[3]);
void pkgsign_free(struct pkgsign_result *res, size_t n);
/* The closing lines for one package written to out: a warning about the
 * signature the rewrite dropped (NULL: none), and the counts. */
void pkgsign_done(const char *out, const char *name, const size_t counts[3],
		  const char *dropped);

#endif
