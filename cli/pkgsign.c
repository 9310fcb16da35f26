// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "pkgsign.h"

struct job {
	const struct pkgsign_file *f;
	struct pkgsign_result *r;
	char err[512];
};

struct run {
	const struct pkgsign_opts *o;
	struct job *jobs;
	const struct evmpkg_sigreq_pkg *sigs;	/* attach: this package's values */
};

/* Attach: the values returned for file i, which must be of its kind. */
static int given(const struct run *run, size_t i, struct evmpkg_sigsrc *src,
		 struct evmpkg_err *err)
{
	const struct job *j = &run->jobs[i];
	const struct evmpkg_sigreq_file *f =
		evmpkg_sigreq_find_file(run->sigs, j->f->path, i);

	if (!f)
		return evmpkg_fail(err, EVMPKG_EINVAL, "no signature returned for it");
	if (f->evm != (j->r->kind == 2))
		return evmpkg_fail(err, EVMPKG_EINVAL, "signatures returned for %s, "
				   "but it gets %s", f->evm ? "IMA and EVM" : "IMA only",
				   j->r->kind == 2 ? "both" : "IMA only");
	src->ima = f->ima;
	src->ima_len = f->ima_len;
	src->evm = f->evm_val;
	src->evm_len = f->evm_len;
	return EVMPKG_OK;
}

static int sign_job(size_t i, void *arg)
{
	struct run *run = arg;
	const struct pkgsign_opts *o = run->o;
	struct job *j = &run->jobs[i];
	struct pkgsign_result *r = j->r;
	struct evmpkg_sigsrc src = { .key = o->key, .trust = o->trust };
	struct evmpkg_err err = { 0 };

	/* IMA only (kind 1): no metadata to sign for. */
	if (!r->kind)
		return 0;
	if ((o->mode != PKGSIGN_ATTACH || !given(run, i, &src, &err)) &&
	    !evmpkg_sign_values(&src, o->algo, o->ima_kind, r->kind == 2, j->f->digest,
				evmpkg_hash_size(o->algo), &r->e, &r->sp, &err))
		return 0;
	snprintf(j->err, sizeof(j->err), "%s", err.msg);
	return -1;
}

/* Request: the files that get values, and what those values cover. */
static int request(const struct pkgsign_opts *o, const char *pkgname,
		   const struct pkgsign_file *files, const struct pkgsign_result *res,
		   size_t n)
{
	struct evmpkg_sigreq_pkg *p;
	struct evmpkg_err err = { 0 };

	if (evmpkg_sigreq_add_pkg(o->req, o->pkgid, &p, &err))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_mentry *e = &res[i].e;
		struct evmpkg_sigreq_file f = {
			.path = e->path, .evm = res[i].kind == 2,
			.digest = (uint8_t *)files[i].digest, .uid = e->uid,
			.gid = e->gid, .mode = e->mode, .label = e->label,
			.label_len = e->label_len, .caps = e->caps,
			.caps_len = e->caps_len,
		};

		if (res[i].kind && evmpkg_sigreq_add_file(o->req, p, &f, &err))
			goto fail;
	}
	return 1;
fail:
	cli_err("%s: %s", pkgname, err.msg);
	return -1;
}

/* Capabilities text to security.capability bytes, owned by the entry. */
static int set_caps(struct evmpkg_mentry *e, const char *text, struct evmpkg_err *err)
{
	uint8_t caps[EVMPKG_CAPS_MAX];
	size_t cl;
	int rc = evmpkg_caps_from_text(text, caps, &cl, err);

	if (rc || !cl)
		return rc;
	if (!(e->caps = malloc(cl)))
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	memcpy(e->caps, caps, cl);
	e->caps_len = cl;
	return EVMPKG_OK;
}

/* What file f gets; why (into whybuf) when it gets no EVM signature. */
static int decide(const struct pkgsign_opts *o, const struct pkgsign_file *f,
		  struct job *j, const char **why, char *whybuf, size_t wn,
		  struct evmpkg_err *err)
{
	struct pkgsign_result *r = j->r;

	*why = NULL;
	if (!f->is_reg)
		return EVMPKG_OK;	/* dirs, symlinks, ghosts: never verified */
	r->e.path = (char *)f->path;
	r->e.mode = f->mode;
	r->kind = 2;
	if (f->is_config) {
		snprintf(whybuf, wn, o->sign_config ? "%s: IMA signature only" :
			 "%s: content expected to change (IMA only with --sign-config)",
			 o->config_word);
		r->kind = o->sign_config ? 1 : 0;
	} else if (f->has_ids && !*f->user && !*f->group) {
		r->e.uid = f->uid;
		r->e.gid = f->gid;
	} else if (evmpkg_accounts_uid(o->acct, f->user, &r->e.uid)) {
		snprintf(whybuf, wn, "owner '%s' does not map to a fixed uid "
			 "(give the target's --passwd)", f->user);
		r->kind = 1;
	} else if (evmpkg_accounts_gid(o->acct, f->group, &r->e.gid)) {
		snprintf(whybuf, wn, "group '%s' does not map to a fixed gid "
			 "(give the target's --group)", f->group);
		r->kind = 1;
	}
	if (r->kind != 2) {
		/* Nothing signs an IMA-only file's ids: recorded as 0. */
		r->e.uid = r->e.gid = 0;
		*why = whybuf;
		return EVMPKG_OK;
	}
	if (f->caps && *f->caps && set_caps(&r->e, f->caps, err))
		return err->rc;
	if (o->fc)
		r->e.label = fcontexts_lookup(o->fc, f->path, f->mode, &r->e.label_len);
	return EVMPKG_OK;
}

int pkgsign_run(const struct pkgsign_opts *o, const char *pkgname,
		const struct pkgsign_file *files, size_t n,
		int ima_only_in_manifest, struct evmpkg_manifest *m,
		struct pkgsign_result **res, size_t counts[3])
{
	struct run run = { .o = o };
	struct evmpkg_err err = { 0 };
	int bad = 0;

	counts[0] = counts[1] = counts[2] = 0;
	*res = calloc(n ? n : 1, sizeof(**res));
	run.jobs = calloc(n ? n : 1, sizeof(*run.jobs));
	if (!*res || !run.jobs) {
		cli_err("out of memory");
		free(run.jobs);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const char *why;
		char whybuf[256];

		run.jobs[i].f = &files[i];
		run.jobs[i].r = &(*res)[i];
		if (decide(o, &files[i], &run.jobs[i], &why, whybuf, sizeof(whybuf), &err)) {
			cli_err("%s: %s: %s", pkgname, files[i].path, err.msg);
			bad = 1;
		} else if (why) {
			counts[0] += files[i].is_reg;
			fprintf(stderr, PROG ": %s: %s: no EVM signature: %s\n", pkgname,
				files[i].path, why);
			bad |= o->strict;
		}
	}
	if (!bad && o->mode == PKGSIGN_REQUEST) {
		for (size_t i = 0; i < n; i++)
			counts[(*res)[i].kind] += (*res)[i].kind != 0;
		free(run.jobs);
		return request(o, pkgname, files, *res, n);
	}
	if (!bad && o->mode == PKGSIGN_ATTACH &&
	    !(run.sigs = evmpkg_sigreq_find_pkg(o->sigs, o->pkgid))) {
		cli_err("%s: the signatures returned have none for %s", pkgname, o->pkgid);
		bad = 1;
	}
	if (!bad && cli_parallel(n, o->jobs, sign_job, &run)) {
		for (size_t i = 0; i < n; i++)
			if (run.jobs[i].err[0])
				cli_err("%s: %s: %s", pkgname, files[i].path, run.jobs[i].err);
		bad = 1;
	}
	for (size_t i = 0; !bad && i < n; i++) {
		struct pkgsign_result *r = &(*res)[i];

		if (r->kind)
			counts[r->kind]++;
		if ((r->kind == 2 || (r->kind == 1 && ima_only_in_manifest)) &&
		    evmpkg_manifest_add(m, &r->e, &err)) {
			cli_err("%s: %s", pkgname, err.msg);
			bad = 1;
		}
	}
	if (!bad && run.sigs && run.sigs->n != counts[1] + counts[2]) {
		/* Every file signed found its value: one returned is not of them. */
		const char *extra = NULL;

		for (size_t k = 0; !extra && k < run.sigs->n; k++) {
			size_t i = 0;

			while (i < n && (!(*res)[i].kind || strcmp(files[i].path, run.sigs->f[k].path)))
				i++;
			if (i == n)
				extra = run.sigs->f[k].path;
		}
		cli_err("%s: the signatures returned are for %zu files, the package signs %zu "
			"(%s is not one of them): not this package's request", pkgname,
			run.sigs->n, counts[1] + counts[2], extra ? extra : "?");
		bad = 1;
	}
	free(run.jobs);
	return bad ? -1 : 0;
}

void pkgsign_free(struct pkgsign_result *res, size_t n)
{
	for (size_t i = 0; res && i < n; i++) {
		free(res[i].e.caps);
		free(res[i].e.label);
	}
	free(res);
}

void pkgsign_done(const char *out, const char *name, const size_t counts[3],
		  const char *dropped)
{
	if (dropped)
		fprintf(stderr, PROG ": %s: warning: %s\n", out, dropped);
	printf("%s: %s: %zu files with IMA and EVM signatures, %zu IMA only, "
	       "%zu regular files without EVM\n", out, name, counts[2], counts[1],
	       counts[0]);
}
