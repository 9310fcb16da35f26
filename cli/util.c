// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);	/* UTF-8 passes through */
	}
	fputc('"', f);
}

int cli_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int cli_paths_add(struct cli_paths *p, const char *path)
{
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		char **nv = realloc(p->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		p->v = nv;
		p->cap = ncap;
	}
	if (!(p->v[p->n] = strdup(path)))
		return -1;
	p->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_paths_walk(struct cli_paths *p, const char *dir)
{
	struct cli_paths sub = { 0 };
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		cli_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (cli_paths_add(&sub, de->d_name)) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	qsort(sub.v, sub.n, sizeof(*sub.v), by_name);
	for (size_t i = 0; !rc && i < sub.n; i++) {
		char *path;
		struct stat st;

		if (asprintf(&path, "%s/%s", dir, sub.v[i]) < 0) {
			rc = -1;
			break;
		}
		if (lstat(path, &st)) {
			cli_err("%s: %s", path, strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = cli_paths_walk(p, path);
		} else if (S_ISREG(st.st_mode)) {
			rc = cli_paths_add(p, path);
		}
		free(path);
	}
	cli_paths_free(&sub);
	return rc;
}

void cli_paths_free(struct cli_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

struct cli_ordered {
	pthread_mutex_t mu;
	char **text;
	unsigned char *done;
	size_t n, next;
	FILE *out;
};

struct cli_ordered *cli_ordered_new(size_t n, FILE *out)
{
	struct cli_ordered *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->text = calloc(n ? n : 1, sizeof(*o->text));
	o->done = calloc(n ? n : 1, 1);
	if (!o->text || !o->done) {
		free(o->text);
		free(o->done);
		free(o);
		return NULL;
	}
	pthread_mutex_init(&o->mu, NULL);
	o->n = n;
	o->out = out;
	return o;
}

void cli_ordered_put(struct cli_ordered *o, size_t i, char *text)
{
	pthread_mutex_lock(&o->mu);
	o->text[i] = text;
	o->done[i] = 1;
	/* Whoever completes the next item in order flushes the run. */
	while (o->next < o->n && o->done[o->next]) {
		if (o->text[o->next]) {
			fputs(o->text[o->next], o->out);
			free(o->text[o->next]);
			o->text[o->next] = NULL;
		}
		o->next++;
	}
	pthread_mutex_unlock(&o->mu);
}

void cli_ordered_free(struct cli_ordered *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		free(o->text[i]);
	fflush(o->out);
	pthread_mutex_destroy(&o->mu);
	free(o->text);
	free(o->done);
	free(o);
}

int cli_load_trust(char **certs, size_t ncerts, int use_defaults,
		   struct evmpkg_trust **out)
{
	struct evmpkg_err err = { 0 };

	if (evmpkg_trust_new(out, &err)) {
		cli_err("%s", err.msg);
		return -1;
	}
	/* A certificate named on the command line is trusted for both. */
	for (size_t i = 0; i < ncerts; i++)
		if (evmpkg_trust_add_file(*out, certs[i], EVMPKG_TRUST_BOTH, &err)) {
			cli_err("%s", err.msg);
			return -1;
		}
	if (!ncerts && use_defaults && evmpkg_trust_add_defaults(*out, &err)) {
		cli_err("%s", err.msg);
		return -1;
	}
	if (evmpkg_trust_count_without_skid(*out))
		cli_err("warning: %zu certificate(s) without a subjectKeyIdentifier: the "
			"kernel cannot find such keys by the key id in signatures",
			evmpkg_trust_count_without_skid(*out));
	return 0;
}

void cli_warn_key(const struct evmpkg_key *k)
{
	if (evmpkg_key_is_ec(k))
		cli_err("note: ECDSA key: kernels built without CONFIG_CRYPTO_ECDSA "
			"(Debian 12's) cannot verify these signatures; use RSA for them");
}

void cli_signopts_init(struct cli_signopts *o)
{
	memset(o, 0, sizeof(*o));
	o->algo = EVMPKG_HASH_SHA256;
	o->ima_kind = EVMPKG_IMA_SIG;
	o->jobs = cli_ncpus();
}

int cli_signopt(struct cli_signopts *o, int c, const char *arg)
{
	uint32_t v;

	switch (c) {
	case CLI_O_KEY: o->key = arg; return 1;
	case CLI_O_CERT: o->cert = arg; return 1;
	case CLI_O_PASS: o->pass = arg; return 1;
	case CLI_O_HASH:
		o->algo = evmpkg_hash_by_name(arg);
		if (o->algo != EVMPKG_HASH_SHA256 && o->algo != EVMPKG_HASH_SHA384 &&
		    o->algo != EVMPKG_HASH_SHA512) {
			cli_err("--hash: '%s': use sha256, sha384 or sha512", arg);
			return -1;
		}
		return 1;
	case CLI_O_IMA:
		if (!strcmp(arg, "sig")) {
			o->ima_kind = EVMPKG_IMA_SIG;
		} else if (!strcmp(arg, "hash")) {
			o->ima_kind = EVMPKG_IMA_HASH;
		} else {
			cli_err("--ima: '%s': use sig or hash", arg);
			return -1;
		}
		return 1;
	case 'j':
		if (cli_parse_u32(arg, 1024, &v) || !v) {
			cli_err("--jobs: '%s': give 1 to 1024", arg);
			return -1;
		}
		o->jobs = (int)v;
		return 1;
	}
	return 0;
}

int cli_pkg_format(const char *path, struct evmpkg_err *err)
{
	unsigned char magic[8] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, magic, sizeof(magic)) : -1;

	if (fd >= 0)
		close(fd);
	if (got < 0)
		return evmpkg_fail_errno(err, errno, "%s", path), -1;
	if (got == 8 && !memcmp(magic, "!<arch>\n", 8))
		return CLI_PKG_DEB;
	if (got >= 4 && !memcmp(magic, "\xed\xab\xee\xdb", 4))
		return CLI_PKG_RPM;
	evmpkg_fail(err, EVMPKG_EINVAL, "%s: neither an rpm nor a .deb package", path);
	return -1;
}
