/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared pieces of the evmpkg command. */
#ifndef EVMPKG_CLI_H
#define EVMPKG_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evmpkg/evmpkg.h"
#include "evmpkg/pool.h"

#define PROG "evmpkg"

int cmd_sign_file(int argc, char **argv);
int cmd_verify_file(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_dpkg_install(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Prints "evmpkg: " + message to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Lowercase hex of n bytes into out (2n+1 bytes); the core's encoder. */
static inline void cli_hex(const uint8_t *p, size_t n, char *out)
{
	evmpkg_hex_encode(p, n, out);
}
/* Writes s as a JSON string literal. */
void cli_json_str(FILE *f, const char *s);
/* Number of online CPUs, at least 1. */
static inline int cli_ncpus(void)
{
	return evmpkg_ncpus();
}
/* Parses a decimal or 0x number within [0, max]; -1 on error. */
int cli_parse_u32(const char *s, uint32_t max, uint32_t *out);

/* A list of paths, grown by cli_paths_add and cli_paths_walk. */
struct cli_paths {
	char **v;
	size_t n, cap;
};
int cli_paths_add(struct cli_paths *p, const char *path);
/* Adds regular files under dir, sorted, not following symlinks. */
int cli_paths_walk(struct cli_paths *p, const char *dir);
void cli_paths_free(struct cli_paths *p);

/*
 * Runs fn(i, arg) for i in [0, n) on `jobs` threads (the core's pool, which
 * caps them at 64); returns the number of calls that returned non-zero.
 */
static inline size_t cli_parallel(size_t n, int jobs,
				  int (*fn)(size_t i, void *arg), void *arg)
{
	return evmpkg_pool_run(n, jobs > 0 ? jobs : 1, fn, arg);
}

/* Output in input order while workers finish out of order. */
struct cli_ordered;
struct cli_ordered *cli_ordered_new(size_t n, FILE *out);
/* Takes ownership of text (may be NULL for nothing). */
void cli_ordered_put(struct cli_ordered *o, size_t i, char *text);
void cli_ordered_free(struct cli_ordered *o);

/* Options sign-file and sign share: the key, the hash, the IMA kind, jobs. */
enum { CLI_O_KEY = 256, CLI_O_CERT, CLI_O_PASS, CLI_O_HASH, CLI_O_IMA,
       CLI_O_FIRST_FREE };
#define CLI_SIGN_LONGOPTS                                              \
	{ "key", required_argument, NULL, CLI_O_KEY },                 \
	{ "cert", required_argument, NULL, CLI_O_CERT },               \
	{ "pass", required_argument, NULL, CLI_O_PASS },               \
	{ "hash", required_argument, NULL, CLI_O_HASH },               \
	{ "ima", required_argument, NULL, CLI_O_IMA },                 \
	{ "jobs", required_argument, NULL, 'j' }

struct cli_signopts {
	const char *key, *cert, *pass;	/* pass: a source, as openssl takes */
	int algo, ima_kind, jobs;
};
/* Says what a kernel may not be able to verify with this key. */
void cli_warn_key(const struct evmpkg_key *k);
/* Defaults: sha256, IMA signature, all cores. */
void cli_signopts_init(struct cli_signopts *o);
/* Loads --key with the passphrase from --pass (an openssl-style source),
 * else $EVMPKG_KEY_PASSWORD, else a prompt on a terminal; -1 said why. */
int cli_key_load(const struct cli_signopts *so, struct evmpkg_key **k);
/* 1: c was a signing option and is taken; 0: not one; -1: bad value. */
int cli_signopt(struct cli_signopts *o, int c, const char *arg);

/* A package file's format, by its magic: an ar archive is a .deb, rpm's
 * lead starts ed ab ee db; -1 (err set) for anything else. */
enum { CLI_PKG_RPM, CLI_PKG_DEB };
int cli_pkg_format(const char *path, struct evmpkg_err *err);

/* Loads trusted certificates; the kernel's default locations if none. */
int cli_load_trust(char **certs, size_t ncerts, int use_defaults,
		   struct evmpkg_trust **out);

#endif
