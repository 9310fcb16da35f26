// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evmpkg sign's signing-host flow (docs/signing.md): --request writes what
 * the packages need signed, --sign-request signs such a request where the
 * key is, --attach takes the values back into the packages. Packages are
 * read and written by the format drivers as for plain signing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sign.h"

#define SIGREQ_FILE_MAX (1024UL * 1024 * 1024)

static int read_all(const char *path, struct evmpkg_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t chunk[65536];
	ssize_t got;

	if (fd < 0) {
		cli_err("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || b->len + (size_t)got > SIGREQ_FILE_MAX) {
			cli_err("%s: %s", path, got < 0 ? strerror(errno) : "larger than 1 GiB");
			close(fd);
			return -1;
		}
		evmpkg_buf_put(b, chunk, (size_t)got);
	}
	close(fd);
	if (b->oom)
		cli_err("out of memory");
	return b->oom ? -1 : 0;
}

int sigreq_read(const char *path, int want, struct evmpkg_sigreq *r)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_buf b;
	int rc;

	evmpkg_buf_init(&b);
	rc = read_all(path, &b);
	if (!rc && evmpkg_sigreq_decode(b.data, b.len, want, r, &err)) {
		cli_err("%s: %s", path, err.msg);
		rc = -1;
	}
	evmpkg_buf_free(&b);
	return rc;
}

int sigreq_write(const struct evmpkg_sigreq *r, const char *path)
{
	struct evmpkg_atomicfile a = EVMPKG_ATOMICFILE_INIT;
	struct evmpkg_err err = { 0 };
	struct evmpkg_buf b;
	int rc;

	evmpkg_buf_init(&b);
	if (evmpkg_sigreq_encode(r, &b, &err)) {
		/* Nothing is written: say what it would have been. */
		cli_err("%s: %s", path, err.msg);
		evmpkg_buf_free(&b);
		return -1;
	}
	rc = evmpkg_atomic_open(&a, path, &err) ||
	     evmpkg_atomic_put(&a, b.data, b.len, &err) ||
	     evmpkg_atomic_commit(&a, 0644, &err);
	evmpkg_atomic_abort(&a);
	evmpkg_buf_free(&b);
	if (rc)
		cli_err("%s", err.msg);
	return rc ? -1 : 0;
}

int sigreq_begin(struct evmpkg_sigreq *r, const struct cli_signopts *so)
{
	struct evmpkg_err err = { 0 };

	evmpkg_sigreq_init(r, EVMPKG_SIGREQ_REQUEST);
	r->algo = so->algo;
	r->ima_kind = so->ima_kind;
	if (evmpkg_cert_keyid(so->cert, &r->keyid, &r->key_ec, &err)) {
		cli_err("%s", err.msg);
		return -1;
	}
	return 0;
}

int sigreq_check_key(const char *path, const struct evmpkg_sigreq *r,
		     const char *verb, const char *keyname, uint32_t id, int ec)
{
	static const char *const type[] = { "RSA", "ECDSA" };

	if (r->keyid == id && r->key_ec == ec)
		return 0;
	cli_err("%s: %s key %08x (key id), %s (key type); %s is key %08x, %s", path,
		verb, r->keyid, type[r->key_ec], keyname, id, type[ec]);
	return -1;
}

/* Says how many files of how many packages; the same for all three. */
static size_t nfiles(const struct evmpkg_sigreq *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->p[i].n;
	return n;
}

void sigreq_summary(const struct evmpkg_sigreq *r, const char *path, const char *what)
{
	printf("%s: %s: %zu packages, %zu files, key %08x, %s, IMA %s\n", path, what,
	       r->n, nfiles(r), r->keyid, evmpkg_hash_name(r->algo),
	       r->ima_kind == EVMPKG_IMA_HASH ? "digest" : "signature");
}

struct host {
	const struct evmpkg_sigreq *in;
	const struct evmpkg_key *key;
	const struct evmpkg_sigreq_file **f;	/* flat: every file */
	const char **pkg;
	struct evmpkg_sigpair *sp;
	char (*err)[512];
};

static int host_job(size_t i, void *arg)
{
	struct host *h = arg;
	const struct evmpkg_sigreq_file *f = h->f[i];
	struct evmpkg_sigsrc src = { .key = h->key };
	struct evmpkg_mentry e = {
		.path = f->path, .uid = f->uid, .gid = f->gid, .mode = f->mode,
		.label = f->label, .label_len = f->label_len, .caps = f->caps,
		.caps_len = f->caps_len,
	};
	struct evmpkg_err err = { 0 };

	if (!evmpkg_sign_values(&src, h->in->algo, h->in->ima_kind, f->evm, f->digest,
				evmpkg_hash_size(h->in->algo), &e, &h->sp[i], &err))
		return 0;
	snprintf(h->err[i], sizeof(h->err[i]), "%s", err.msg);
	return -1;
}

int sigreq_sign(const char *in_path, const char *out_path, const struct evmpkg_key *key,
		int jobs)
{
	struct evmpkg_sigreq in, out;
	struct evmpkg_err err = { 0 };
	struct host h = { .in = &in, .key = key };
	size_t n, k = 0;
	int rc = -1;

	evmpkg_sigreq_init(&out, EVMPKG_SIGREQ_SIGNATURES);
	if (sigreq_read(in_path, EVMPKG_SIGREQ_REQUEST, &in))
		return -1;
	/* The key a request names is the one the kernel will look up. */
	if (sigreq_check_key(in_path, &in, "asks for", "this key", evmpkg_key_id(key),
			     evmpkg_key_is_ec(key)))
		goto out;
	n = nfiles(&in);
	h.f = calloc(n ? n : 1, sizeof(*h.f));
	h.pkg = calloc(n ? n : 1, sizeof(*h.pkg));
	h.sp = calloc(n ? n : 1, sizeof(*h.sp));
	h.err = calloc(n ? n : 1, sizeof(*h.err));
	if (!h.f || !h.pkg || !h.sp || !h.err) {
		cli_err("out of memory");
		goto out;
	}
	for (size_t i = 0; i < in.n; i++)
		for (size_t j = 0; j < in.p[i].n; j++, k++) {
			h.f[k] = &in.p[i].f[j];
			h.pkg[k] = in.p[i].id;
		}
	if (cli_parallel(n, jobs, host_job, &h)) {
		for (size_t i = 0; i < n; i++)
			if (h.err[i][0])
				cli_err("%s: %s: %s: %s", in_path, h.pkg[i], h.f[i]->path,
					h.err[i]);
		goto out;
	}
	out.algo = in.algo;
	out.ima_kind = in.ima_kind;
	out.keyid = in.keyid;
	out.key_ec = in.key_ec;
	k = 0;
	for (size_t i = 0; i < in.n; i++) {
		struct evmpkg_sigreq_pkg *p;

		if (evmpkg_sigreq_add_pkg(&out, in.p[i].id, &p, &err))
			goto bad;
		for (size_t j = 0; j < in.p[i].n; j++, k++) {
			struct evmpkg_sigreq_file f = {
				.path = h.f[k]->path, .evm = h.f[k]->evm,
				.ima = h.sp[k].ima, .ima_len = h.sp[k].ima_len,
				.evm_val = h.sp[k].evm, .evm_len = h.sp[k].evm_len,
			};

			if (evmpkg_sigreq_add_file(&out, p, &f, &err))
				goto bad;
		}
	}
	if (!sigreq_write(&out, out_path)) {
		sigreq_summary(&out, out_path, "signatures");
		rc = 0;
	}
	goto out;
bad:
	cli_err("%s", err.msg);
out:
	free(h.f);
	free(h.pkg);
	free(h.sp);
	free(h.err);
	evmpkg_sigreq_free(&in);
	evmpkg_sigreq_free(&out);
	return rc;
}
