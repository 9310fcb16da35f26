// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evmpkg/filehash.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/pkgcheck.h"
#include "evmpkg/pool.h"
#include "pkgint.h"

static char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msgf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static int add_problem(struct evmpkg_pkg *p, const char *path, const char *what)
{
	char **np = realloc(p->problems, (p->nproblems + 1) * sizeof(*np));
	char *s = msgf("%s: %s: %s", p->name, path, what);

	if (!np || !s) {
		if (np)
			p->problems = np;
		free(s);
		return -1;
	}
	p->problems = np;
	p->problems[p->nproblems++] = s;
	return 0;
}

int evmpkg_unit_fail(const struct evmpkg_pkg *p, const struct unit *u,
		     struct evmpkg_err *err)
{
	return evmpkg_fail(err, u->rc, "%s: %s: %s", p->name, p->paths[u - p->u],
			   u->why ? u->why : "out of memory");
}

void evmpkg_unit_refuse(struct evmpkg_pkg *p, struct unit *u, int rc, const char *what)
{
	u->rc = rc ? rc : EVMPKG_EVERIFY;
	free(u->why);
	u->why = strdup(what);
	atomic_fetch_add(&p->refused, 1);
}

/* The verification of one unit: runs on a worker, touches only u. */
static int verify_unit(size_t i, void *arg)
{
	struct evmpkg_pkg *p = arg;
	struct unit *u = &p->u[i];
	struct evmpkg_err err = { 0 };
	int rc;

	if (u->rc)
		return 1;	/* refused at open: form or pairing */
	rc = evmpkg_check_ima(&u->c, p->o.trust, u->algo, u->dlen ? u->digest : NULL,
			      u->dlen, &err);
	if (!rc)
		rc = evmpkg_check_evm(&u->c, p->o.trust, &err);
	if (rc)
		evmpkg_unit_refuse(p, u, rc, err.msg);
	return rc != EVMPKG_OK;
}

/* Pairs file fx with its entry (or its format IMA value) as a unit. */
static int add_unit(struct evmpkg_pkg *p, size_t fx, const struct evmpkg_pkgfile *f,
		    const struct evmpkg_mentry *e)
{
	struct unit *u = &p->u[p->nu];
	struct evmpkg_err err = { 0 };

	memset(u, 0, sizeof(*u));
	u->fx = fx;
	u->config = !!(f->flags & EVMPKG_PF_CONFIG);
	p->unit_of[fx] = (ssize_t)p->nu;
	if (!(p->paths[p->nu] = strdup(f->path)))
		return -1;
	p->nu++;
	u->algo = f->digest_algo;
	if (f->digest && f->digest_algo > 0 && f->digest_len &&
	    f->digest_len <= sizeof(u->digest)) {
		memcpy(u->digest, f->digest, f->digest_len);
		u->dlen = f->digest_len;
	}
	if (f->ima && !(u->ima = malloc(f->ima_len ? f->ima_len : 1)))
		return -1;
	if (f->ima)
		memcpy(u->ima, f->ima, f->ima_len);
	if (evmpkg_check_parse(&u->c, e, u->ima, f->ima_len, &err)) {
		evmpkg_unit_refuse(p, u, err.rc, err.msg);
		return 0;
	}
	/* Its metadata will not be what was signed: the content still is. */
	if (f->flags & EVMPKG_PF_NO_EVM)
		u->c.e = NULL;
	if (e && f->ima && (f->ima_len != e->ima_len || memcmp(f->ima, e->ima, e->ima_len))) {
		char what[200];

		snprintf(what, sizeof(what), "security.ima in the manifest differs from %s",
			 p->o.ima_field);
		evmpkg_unit_refuse(p, u, EVMPKG_EMISMATCH, what);
	}
	return 0;
}

static int pair(struct evmpkg_pkg *p, const struct evmpkg_pkgfile *files, size_t n)
{
	unsigned char *seen = calloc(p->m.n + 1, 1);
	int rc = -1;

	if (!seen)
		return -1;
	for (size_t fx = 0; fx < n; fx++) {
		const struct evmpkg_pkgfile *f = &files[fx];
		const struct evmpkg_mentry *e = evmpkg_manifest_find(&p->m, f->path);

		p->unit_of[fx] = -1;
		p->next_link[fx] = -1;
		p->link_head[fx] = f->hardlink_group >= 0 &&
				   (size_t)f->hardlink_group < n ? f->hardlink_group : -1;
		if (e && seen[e - p->m.e]) {
			if (add_problem(p, f->path, "named twice in the file list"))
				goto out;
			continue;
		}
		if (e)
			seen[e - p->m.e] = 1;
		if (!(f->flags & EVMPKG_PF_REG)) {
			if (e && add_problem(p, f->path, "signed in the manifest but "
					     "not a regular file of the package"))
				goto out;
			continue;
		}
		if ((e || f->ima) && add_unit(p, fx, f, e))
			goto out;
	}
	/* Hardlink sets: each member points to the next (files are in order). */
	for (size_t fx = n; fx-- > 0;) {
		int g = files[fx].hardlink_group;

		if (g >= 0 && (size_t)g < fx) {
			p->next_link[fx] = p->next_link[g];
			p->next_link[g] = (ssize_t)fx;
		}
	}
	for (size_t i = 0; i < p->m.n; i++)
		if (!seen[i] && add_problem(p, p->m.e[i].path, "signed in the manifest "
					    "but not a file of the package"))
			goto out;
	rc = 0;
out:
	free(seen);
	return rc;
}

/*
 * Signatures required: a manifest stripped from the package, or entries
 * removed from it, leave files the kernel will not run under an appraisal
 * policy; refuse them by name instead of installing them unsigned.
 */
static int require_signed(struct evmpkg_pkg *p, int have_manifest,
			  const struct evmpkg_pkgfile *files, size_t n)
{
	const char *req = "and the policy requires signatures";
	size_t bad = 0;
	char what[200];

	for (size_t fx = 0; fx < n; fx++) {
		const struct evmpkg_pkgfile *f = &files[fx];
		const struct evmpkg_mentry *e;
		int evm_needed = !(f->flags & EVMPKG_PF_NO_EVM);

		if (!(f->flags & EVMPKG_PF_REG) || (f->flags & EVMPKG_PF_CONFIG))
			continue;
		e = evmpkg_manifest_find(&p->m, f->path);
		if (e ? (!evm_needed || e->evm_len) : (!evm_needed && f->ima))
			continue;
		if (bad++ == 0 && !have_manifest) {
			snprintf(what, sizeof(what), "absent, %s", req);
			if (add_problem(p, p->o.manifest_field, what))
				return -1;
		}
		if (bad > EVMPKG_REQUIRE_LISTED)
			continue;
		snprintf(what, sizeof(what), "%s, %s", e || f->ima ?
			 "signed for IMA only (no security.evm)" : "not signed", req);
		if (add_problem(p, f->path, what))
			return -1;
	}
	if (bad > EVMPKG_REQUIRE_LISTED) {
		snprintf(what, sizeof(what), "%zu more regular files not signed, %s",
			 bad - EVMPKG_REQUIRE_LISTED, req);
		if (add_problem(p, "(list cut)", what))
			return -1;
	}
	return 0;
}

/* evmpkg_pkg_open; with decoded, the manifest taken over from the caller. */
static int open_pkg(struct evmpkg_pkg **out, const char *name, int mstate,
		    const void *manifest, size_t mlen, struct evmpkg_manifest *decoded,
		    const struct evmpkg_pkgfile *files, size_t n,
		    const struct evmpkg_pkgopts *o, struct evmpkg_err *err)
{
	struct evmpkg_pkg *p = calloc(1, sizeof(*p));
	struct evmpkg_err merr = { 0 };
	char what[700];

	*out = NULL;
	if (!p) {
		if (decoded)
			evmpkg_manifest_free(decoded);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", name);
	}
	evmpkg_manifest_init(&p->m);
	if (decoded) {
		p->m = *decoded;
		evmpkg_manifest_init(decoded);
	}
	atomic_init(&p->refused, 0);
	p->o = *o;
	if (!p->o.manifest_field)
		p->o.manifest_field = "signature manifest";
	if (!p->o.ima_field)
		p->o.ima_field = "IMA signatures";
	p->nfiles = n;
	p->name = strdup(name);
	p->unit_of = calloc(n + 1, sizeof(*p->unit_of));
	p->next_link = calloc(n + 1, sizeof(*p->next_link));
	p->link_head = calloc(n + 1, sizeof(*p->link_head));
	p->u = calloc(n + 1, sizeof(*p->u));
	p->paths = calloc(n + 1, sizeof(*p->paths));
	if (!p->name || !p->unit_of || !p->next_link || !p->link_head || !p->u || !p->paths)
		goto nomem;
	if (mstate == EVMPKG_MF_WRONG_TYPE) {
		snprintf(what, sizeof(what), "stored, but not as binary data");
		if (add_problem(p, p->o.manifest_field, what))
			goto nomem;
	} else if (mstate == EVMPKG_MF_PRESENT && !decoded &&
		   evmpkg_manifest_decode(manifest, mlen, &p->m, &merr)) {
		evmpkg_manifest_free(&p->m);
		evmpkg_manifest_init(&p->m);
		if (add_problem(p, p->o.manifest_field, merr.msg))
			goto nomem;
	}
	if (pair(p, files, n))
		goto nomem;
	if (o->require_signatures &&
	    require_signed(p, mstate == EVMPKG_MF_PRESENT || decoded, files, n))
		goto nomem;
	/*
	 * In the background, leave the installer its core: it writes the
	 * files on one thread, and each apply takes over its own file's
	 * verification if no worker has reached it yet.
	 */
	if (o->background && p->nu &&
	    !evmpkg_pool_start(&p->pool, p->nu, o->nthreads ? o->nthreads :
			       evmpkg_ncpus() > 1 ? evmpkg_ncpus() - 1 : 1,
			       verify_unit, p, NULL)) {
		*out = p;
		return EVMPKG_OK;
	}
	/* In the foreground: asked for, or no thread could be started. */
	evmpkg_pool_run(p->nu, o->nthreads, verify_unit, p);
	*out = p;
	return EVMPKG_OK;
nomem:
	evmpkg_pkg_free(p);
	return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", name);
}

int evmpkg_pkg_open(struct evmpkg_pkg **out, const char *name, int mstate,
		    const void *manifest, size_t mlen,
		    const struct evmpkg_pkgfile *files, size_t n,
		    const struct evmpkg_pkgopts *o, struct evmpkg_err *err)
{
	return open_pkg(out, name, mstate, manifest, mlen, NULL, files, n, o, err);
}

int evmpkg_pkg_open_decoded(struct evmpkg_pkg **out, const char *name,
			    struct evmpkg_manifest *m,
			    const struct evmpkg_pkgfile *files, size_t n,
			    const struct evmpkg_pkgopts *o, struct evmpkg_err *err)
{
	return open_pkg(out, name, EVMPKG_MF_PRESENT, NULL, 0, m, files, n, o, err);
}

void evmpkg_pkg_free(struct evmpkg_pkg *p)
{
	if (!p)
		return;
	if (p->pool) {
		evmpkg_pool_cancel(p->pool);
		evmpkg_pool_finish(p->pool);
	}
	for (size_t i = 0; i < p->nu; i++) {
		free(p->u[i].why);
		free(p->u[i].ima);
		free(p->paths[i]);
	}
	for (size_t i = 0; i < p->nproblems; i++)
		free(p->problems[i]);
	free(p->problems);
	evmpkg_manifest_free(&p->m);
	free(p->u);
	free(p->paths);
	free(p->unit_of);
	free(p->next_link);
	free(p->link_head);
	free(p->name);
	free(p);
}

size_t evmpkg_pkg_nproblems(const struct evmpkg_pkg *p)
{
	return p->nproblems;
}

const char *evmpkg_pkg_problem(const struct evmpkg_pkg *p, size_t i)
{
	return i < p->nproblems ? p->problems[i] : NULL;
}

void evmpkg_unit_wait(struct evmpkg_pkg *p, ssize_t ui)
{
	if (ui >= 0 && p->pool)
		evmpkg_pool_wait_item(p->pool, (size_t)ui);
}

void evmpkg_pkg_file(struct evmpkg_pkg *p, size_t fx, struct evmpkg_fileresult *r)
{
	ssize_t ui = fx < p->nfiles ? p->unit_of[fx] : -1;
	struct unit *u;

	memset(r, 0, sizeof(*r));
	if (ui < 0)
		return;
	evmpkg_unit_wait(p, ui);
	u = &p->u[ui];
	r->c = &u->c;
	r->e = u->c.e;
	r->signed_ima = 1;
	r->signed_evm = u->c.e != NULL;
	r->rc = u->rc;
	r->why = u->why;
}

int evmpkg_pkg_content_algo(struct evmpkg_pkg *p)
{
	for (size_t i = 0; i < p->nu; i++) {
		evmpkg_unit_wait(p, (ssize_t)i);
		if (p->u[i].c.parsed && !p->u[i].c.ima_content)
			return p->u[i].c.ima_sig.hash_algo;
	}
	return -1;
}

size_t evmpkg_pkg_wait_all(struct evmpkg_pkg *p)
{
	for (size_t i = 0; i < p->nu; i++)
		evmpkg_unit_wait(p, (ssize_t)i);
	return atomic_load(&p->refused);
}

struct unit *evmpkg_first_refused(struct evmpkg_pkg *p)
{
	for (size_t i = 0; i < p->nu; i++) {
		evmpkg_unit_wait(p, (ssize_t)i);
		if (p->u[i].rc)
			return &p->u[i];
	}
	return NULL;
}
