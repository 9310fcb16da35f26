// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Verifying installed files against their package's manifest: what
 * differs from what was signed, and whether the kernel would accept the
 * file as it is now. Nothing is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evmpkg/filehash.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/pkgverify.h"
#include "pkgint.h"

static int same(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return al == bl && (!al || memcmp(a, b, al) == 0);
}

/* Keeps the first problem's words. */
static void say(const struct evmpkg_pkg *p, struct evmpkg_verifyjob *j, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(const struct evmpkg_pkg *p, struct evmpkg_verifyjob *j, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	if (j->msg)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (asprintf(&j->msg, "%s: %s: %s", p->name, p->paths[p->unit_of[j->fx]], why) < 0)
		j->msg = NULL;
}

/* Is the content the signed one? 1 yes, 0 no, -1 unknown (form only). */
static int content_matches(const struct evmpkg_pkg *p, const struct unit *u, int fd,
			   const struct stat *st, struct evmpkg_err *err)
{
	uint8_t dig[EVMPKG_MAX_DIGEST];
	size_t dlen;
	int algo = u->c.ima_sig.hash_algo, v;

	if (evmpkg_file_digest_sized(fd, algo, st->st_size, dig, &dlen, err))
		return -2;
	if (u->dlen && u->algo == algo)
		return u->dlen == dlen && !memcmp(u->digest, dig, dlen);
	v = evmpkg_sig_verdict(p->o.trust, &u->c.ima_sig, dig, dlen, err);
	return v == EVMPKG_V_BAD ? 0 : v == EVMPKG_V_VERIFIED ? 1 : -1;
}

/* The entry's signed metadata against the file's. */
static void metadata(const struct evmpkg_pkg *p, const struct evmpkg_mentry *e,
		     const struct stat *st, const struct evmpkg_xattrs *x,
		     struct evmpkg_verifyjob *j)
{
	char msg[256];

	if (st->st_uid != e->uid)
		j->problems |= EVMPKG_VP_OWNER;
	if (st->st_gid != e->gid)
		j->problems |= EVMPKG_VP_GROUP;
	if ((st->st_mode & 07777) != (e->mode & 07777))
		j->problems |= EVMPKG_VP_MODE;
	if (!evmpkg_owner_mode_matches(e, st->st_uid, st->st_gid, st->st_mode, "on disk",
				       msg, sizeof(msg)))
		say(p, j, "%s", msg);
	if (!same(x->val[EVMPKG_X_CAPS], x->len[EVMPKG_X_CAPS], e->caps, e->caps_len)) {
		j->problems |= EVMPKG_VP_CAPS;
		say(p, j, "security.capability is not the signed value");
	}
	if (e->label_len &&
	    !same(x->val[EVMPKG_X_SELINUX], x->len[EVMPKG_X_SELINUX], e->label, e->label_len)) {
		j->problems |= EVMPKG_VP_LABEL;
		say(p, j, "security.selinux is not the signed label");
	}
}

/* Would the kernel accept the file's own values as they are? */
static int kernel_accepts(const struct evmpkg_pkg *p, const struct unit *u, int fd,
			  const struct stat *st, const struct evmpkg_xattrs *x, int ima_same,
			  int content, struct evmpkg_verifyjob *j)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_sig sig;
	uint32_t keyid;
	int rc = EVMPKG_OK, v;

	if (ima_same)
		v = content == 0 || u->rc ? EVMPKG_V_BAD : EVMPKG_V_VERIFIED;
	else
		v = evmpkg_file_ima_verdict(p->o.trust, fd, x, &sig, &rc, &err);
	if (!evmpkg_verdict_good(v)) {
		say(p, j, "the kernel would refuse it: security.ima %s",
		    err.msg[0] ? err.msg : v == EVMPKG_V_NOTRUN ? "is absent" : "does not verify");
		return 0;
	}
	if (!u->c.e && !x->present[EVMPKG_X_EVM])
		return 1;
	if (u->c.e && !(j->problems & ~(unsigned)EVMPKG_VP_CONTENT) && !u->rc)
		return 1;	/* the package's values, verified, on signed metadata */
	v = evmpkg_file_evm_verdict(p->o.trust, st, x, &keyid, &err);
	if (!evmpkg_verdict_good(v)) {
		say(p, j, "the kernel would refuse it: security.evm %s",
		    err.msg[0] ? err.msg : "does not verify");
		return 0;
	}
	return 1;
}

static void verify_job(struct evmpkg_pkg *p, struct evmpkg_verifyjob *j)
{
	ssize_t ui = j->fx < p->nfiles ? p->unit_of[j->fx] : -1;
	struct evmpkg_err err = { 0 };
	struct evmpkg_xattrs x;
	struct unit *u;
	struct stat st;
	int fd, content = -1, ima_same;

	j->problems = 0;
	j->msg = NULL;
	j->skipped = ui < 0;
	if (ui < 0)
		return;
	u = &p->u[ui];
	evmpkg_unit_wait(p, ui);
	j->config = u->config;
	if (u->config && !p->o.sign_config) {
		j->skipped = 1;
		return;
	}
	fd = open(j->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		j->problems |= errno == ENOENT || errno == ENOTDIR ? EVMPKG_VP_MISSING :
			       errno == ELOOP ? EVMPKG_VP_TYPE : EVMPKG_VP_UNREADABLE;
		say(p, j, "%s", errno == ENOENT ? "missing" : errno == ELOOP ?
		    "a symbolic link, not the signed regular file" : strerror(errno));
		return;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		j->problems |= EVMPKG_VP_TYPE;
		say(p, j, "not a regular file");
		goto out;
	}
	if (evmpkg_xattrs_read(fd, &x, &err)) {
		j->problems |= EVMPKG_VP_UNREADABLE;
		say(p, j, "%s", err.msg);
		goto out;
	}
	if (u->rc) {
		j->problems |= EVMPKG_VP_PACKAGE;
		say(p, j, "%s", u->why ? u->why : "the package's signature is refused");
	}
	if (u->c.parsed && (content = content_matches(p, u, fd, &st, &err)) == -2) {
		j->problems |= EVMPKG_VP_UNREADABLE;
		say(p, j, "%s", err.msg);
		goto free;
	}
	if (content == 0) {
		j->problems |= EVMPKG_VP_CONTENT;
		say(p, j, "its content is not what was signed (changed after install)");
	}
	ima_same = same(x.val[EVMPKG_X_IMA], x.len[EVMPKG_X_IMA], u->c.ima, u->c.ima_len);
	if (!ima_same) {
		j->problems |= EVMPKG_VP_IMA;
		say(p, j, "security.ima %s", x.present[EVMPKG_X_IMA] ?
		    "is not the package's value" : "is absent");
	}
	if (u->c.e) {
		metadata(p, u->c.e, &st, &x, j);
		if (!same(x.val[EVMPKG_X_EVM], x.len[EVMPKG_X_EVM], u->c.e->evm, u->c.e->evm_len)) {
			j->problems |= EVMPKG_VP_EVM;
			say(p, j, "security.evm %s", x.present[EVMPKG_X_EVM] ?
			    "is not the package's value" : "is absent");
		}
	}
	if (!kernel_accepts(p, u, fd, &st, &x, ima_same, content, j))
		j->problems |= EVMPKG_VP_KERNEL;
free:
	evmpkg_xattrs_free(&x);
out:
	close(fd);
}

struct vjobs {
	struct evmpkg_pkg *p;
	struct evmpkg_verifyjob *jobs;
};

static int run(size_t i, void *arg)
{
	struct vjobs *v = arg;

	verify_job(v->p, &v->jobs[i]);
	return v->jobs[i].problems != 0;
}

size_t evmpkg_pkg_verify_all(struct evmpkg_pkg *p, struct evmpkg_verifyjob *jobs, size_t n)
{
	struct vjobs v = { p, jobs };

	return evmpkg_pool_run(n, p->o.nthreads, run, &v);
}

void evmpkg_verify_codes(unsigned problems, char *out)
{
	static const char letters[EVMPKG_VERIFY_NCODES + 1] = "5MUGPLIEV";

	if (problems & (EVMPKG_VP_MISSING | EVMPKG_VP_TYPE | EVMPKG_VP_UNREADABLE)) {
		snprintf(out, EVMPKG_VERIFY_NCODES + 1, "%-*s", EVMPKG_VERIFY_NCODES,
			 problems & EVMPKG_VP_MISSING ? "missing" :
			 problems & EVMPKG_VP_TYPE ? "notreg" : "unread");
		return;
	}
	for (int i = 0; i < EVMPKG_VERIFY_NCODES; i++)
		out[i] = problems & (1u << i) ? letters[i] : '.';
	out[EVMPKG_VERIFY_NCODES] = '\0';
}
