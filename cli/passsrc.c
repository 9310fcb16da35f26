// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signing keys' passphrases, from where openssl(1) takes them (its
 * "Pass Phrase Options"): pass:TEXT, env:VAR, file:PATH, fd:N, stdin; a
 * prompt without echo on a terminal when an encrypted key has none. A
 * passphrase on the command line is readable by every user in the process
 * list: it is taken only as pass:TEXT, with a warning.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cli.h"
#include "sign.h"

#define PASS_MAX 1024

/* The first line of fd (the rest is left unread where it can be). */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n + 1 >= cap)
			return -1;
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

/* Resolves an openssl-style source into buf; -1 with a message. */
static int pass_from(const char *spec, char *buf, size_t cap)
{
	const char *v = strchr(spec, ':') ? strchr(spec, ':') + 1 : NULL;
	int rc = -1, fd;
	char *end;
	long n;

	if (!strncmp(spec, "pass:", 5)) {
		cli_err("warning: --pass pass:...: other users can read it in the process "
			"list; use env:, file:, fd: or stdin");
		rc = strlen(v) < cap ? (strcpy(buf, v), 0) : -1;
	} else if (!strncmp(spec, "env:", 4)) {
		const char *e = getenv(v);

		if (!e)
			cli_err("--pass %s: the environment has no %s", spec, v);
		rc = e && strlen(e) < cap ? (strcpy(buf, e), 0) : -1;
	} else if (!strncmp(spec, "file:", 5)) {
		if ((fd = open(v, O_RDONLY | O_CLOEXEC)) < 0)
			cli_err("--pass %s: %s", spec, strerror(errno));
		rc = fd < 0 ? -1 : read_line(fd, buf, cap);
		if (fd >= 0)
			close(fd);
	} else if (!strncmp(spec, "fd:", 3)) {
		errno = 0;
		n = strtol(v, &end, 10);
		rc = errno || end == v || *end || n < 0 || n > 65535 ? -1 :
		     read_line((int)n, buf, cap);
	} else if (!strcmp(spec, "stdin")) {
		rc = read_line(STDIN_FILENO, buf, cap);
	} else {
		cli_err("--pass '%s': give a source: env:VAR, file:PATH, fd:N, stdin "
			"(or pass:TEXT, which other users can read)", spec);
		return -1;
	}
	if (rc)
		cli_err("--pass %s: cannot read a passphrase there", spec);
	return rc;
}

int cli_key_load(const struct cli_signopts *so, struct evmpkg_key **k)
{
	struct evmpkg_err err = { 0 };
	char buf[PASS_MAX], prompt[1100], shown[1024];
	const char *env = getenv("EVMPKG_KEY_PASSWORD");
	int rc;

	if (so->pass && pass_from(so->pass, buf, sizeof(buf)))
		return -1;
	rc = evmpkg_key_load(so->key, so->pass ? buf : env, so->cert, k, &err);
	/* An encrypted key or a token's PIN and nothing given: ask whoever is
	 * at the terminal. */
	if (rc == EVMPKG_ENEEDPASS && isatty(STDIN_FILENO)) {
		if (evmpkg_keystore_is_uri(so->key)) {
			evmpkg_keystore_uri_shown(so->key, shown, sizeof(shown));
			snprintf(prompt, sizeof(prompt), "PIN for %s: ", shown);
		} else {
			snprintf(prompt, sizeof(prompt), "Passphrase for %s: ", so->key);
		}
		if (EVP_read_pw_string(buf, sizeof(buf), prompt, 0) == 0)
			rc = evmpkg_key_load(so->key, buf, so->cert, k, &err);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc)
		cli_err("%s", err.msg);
	else if (evmpkg_key_via(*k))
		cli_err("note: key %08x is in a token, reached through the %s",
			evmpkg_key_id(*k), evmpkg_key_via(*k));
	return rc ? -1 : 0;
}

void cli_key_done(const struct evmpkg_key *k)
{
	if (k && evmpkg_key_serialised(k))
		cli_err("note: the token failed a signature made beside others and "
			"signed one at a time from then on (every value was verified)");
}
