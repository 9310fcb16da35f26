// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Applying a verified package's files: one as the installer writes it
 * (evmpkg_pkg_apply), or all of them once they are in place, on every
 * core (evmpkg_pkg_apply_all).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evmpkg/filehash.h"
#include "evmpkg/hashalgo.h"
#include "pkgint.h"

/* What the caller of apply_file knows already. */
struct known {
	int whole_pkg;		/* enforce: fail on any other file's refusal */
	int fd_reads;		/* fd was opened for reading */
	int root;		/* geteuid() == 0 */
	const struct stat *st;	/* fstat of fd, or NULL */
};

/* rpm hands over a write-only fd: hashing needs one that reads. */
static int readable_fd(int fd, const char *path, const struct known *k, int *own,
		       struct evmpkg_err *err)
{
	int fl = k->fd_reads ? O_RDONLY : fd >= 0 ? fcntl(fd, F_GETFL) : -1;

	*own = -1;
	if (fl >= 0 && (fl & O_ACCMODE) != O_WRONLY)
		return fd;
	*own = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (*own < 0)
		return evmpkg_fail_errno(err, errno, "open %s", path), -1;
	return *own;
}

static int environment(struct evmpkg_pkg *p, const struct evmpkg_err *e)
{
	if (e->rc != EVMPKG_EIO)
		return -1;
	if (e->errnum == EOPNOTSUPP)
		return EVMPKG_A_NOSUPPORT;
	if (e->errnum == EPERM && p->o.userns)
		return EVMPKG_A_USERNS;
	return -1;
}

/*
 * evmpkg_pkg_apply. Without k->whole_pkg, enforce mode looks at this
 * file's hardlink set only: apply_all judged the package before its
 * workers ran, and they must not read each other's units.
 */
static int apply_file(struct evmpkg_pkg *p, size_t fx, int fd, const char *path,
		      unsigned flags, const struct known *k, struct evmpkg_applied *res,
		      struct evmpkg_err *err)
{
	ssize_t ui = fx < p->nfiles ? p->unit_of[fx] : -1;
	int enforce = p->o.policy == EVMPKG_POLICY_ENFORCE;
	struct evmpkg_seq_opts so = { .policy = p->o.policy, .trust = p->o.trust,
				      .keep_verified = !!(flags & (EVMPKG_AF_KEPT |
								   EVMPKG_AF_INSTALLED)),
				      .keep_portable = !!(flags & EVMPKG_AF_INSTALLED),
				      .st = k->st };
	struct evmpkg_err serr = { 0 };
	struct unit *u, *bad;
	int rc, own = -1, env;

	memset(res, 0, sizeof(*res));
	res->outcome = EVMPKG_A_UNSIGNED;
	if (ui < 0 || p->o.policy == EVMPKG_POLICY_OFF)
		return EVMPKG_OK;
	u = &p->u[ui];
	/*
	 * A hardlink set is one inode, prepared once (rpm: on the member that
	 * carries the content): every member's verdict counts.
	 */
	for (ssize_t l = p->link_head[fx]; l >= 0; l = p->next_link[l]) {
		evmpkg_unit_wait(p, p->unit_of[l]);
		if (enforce && p->unit_of[l] >= 0 && p->u[p->unit_of[l]].rc)
			return evmpkg_unit_fail(p, &p->u[p->unit_of[l]], err);
	}
	evmpkg_unit_wait(p, ui);
	if (enforce && (bad = u->rc ? u : k->whole_pkg && atomic_load(&p->refused) ?
			evmpkg_first_refused(p) : NULL))
		return evmpkg_unit_fail(p, bad, err);
	if (!u->c.e && !p->o.write_ima_only) {
		res->outcome = EVMPKG_A_IMA_ONLY;
		if (u->rc || u->c.ima_content)
			goto warned;
		/* No usable content digest in the package: hash what was written. */
		if ((fd = readable_fd(fd, path, k, &own, err)) < 0)
			return err->rc;
		{
			uint8_t dig[EVMPKG_MAX_DIGEST];
			size_t dlen;

			rc = evmpkg_file_digest(fd, u->c.ima_sig.hash_algo, dig, &dlen, &serr);
			if (!rc)
				rc = evmpkg_check_ima(&u->c, p->o.trust, u->c.ima_sig.hash_algo,
						      dig, dlen, &serr);
		}
		if (own >= 0)
			close(own);
		if (rc) {
			evmpkg_unit_refuse(p, u, rc, serr.msg);
			if (enforce)
				return evmpkg_unit_fail(p, u, err);
		}
		goto warned;
	}
	if (u->config && !p->o.sign_config) {
		res->outcome = EVMPKG_A_CONFIG;
		return EVMPKG_OK;
	}
	if (!k->root) {
		res->outcome = EVMPKG_A_NONROOT;
		return EVMPKG_OK;
	}
	so.set_owner_mode = p->o.set_owner_mode;
	so.set_caps = p->o.set_caps;
	so.set_label = p->o.set_label;
	if (!u->c.ima_content || (flags & (EVMPKG_AF_KEPT | EVMPKG_AF_INSTALLED))) {
		if ((fd = readable_fd(fd, path, k, &own, err)) < 0)
			return err->rc;
	}
	rc = evmpkg_seq_apply_checked(fd, &u->c, u->why, &so, &res->rep, &serr);
	if (own >= 0)
		close(own);
	if (rc && (env = environment(p, &serr)) >= 0) {
		res->outcome = env;
		return EVMPKG_OK;
	}
	if (rc)
		return evmpkg_fail(err, rc, "%s: %s: %s", p->name, p->paths[ui], serr.msg);
	res->outcome = res->rep.kept ? EVMPKG_A_KEPT : EVMPKG_A_APPLIED;
	if (!res->rep.msg[0])
		return EVMPKG_OK;
	res->outcome = EVMPKG_A_WARNED;
	snprintf(res->msg, sizeof(res->msg), "%s: %s: %s; security.evm not written",
		 p->name, p->paths[ui], res->rep.msg);
	return EVMPKG_OK;
warned:
	if (u->rc) {
		res->outcome = EVMPKG_A_WARNED;
		snprintf(res->msg, sizeof(res->msg), "%s: %s: %s", p->name,
			 p->paths[ui], u->why ? u->why : "refused");
	}
	return EVMPKG_OK;
}

int evmpkg_pkg_apply(struct evmpkg_pkg *p, size_t fx, int fd, const char *path,
		     unsigned flags, struct evmpkg_applied *res,
		     struct evmpkg_err *err)
{
	struct known k = { .whole_pkg = 1, .root = geteuid() == 0 };

	return apply_file(p, fx, fd, path, flags, &k, res, err);
}

/* Union-find over jobs: the root of a set is its first job. */
static size_t root_of(size_t *up, size_t i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

static void join(size_t *up, size_t a, size_t b)
{
	a = root_of(up, a);
	b = root_of(up, b);
	if (a != b)
		up[a > b ? a : b] = a < b ? a : b;
}

struct inokey {
	dev_t dev;
	ino_t ino;
	size_t j;
};

static int cmp_inokey(const void *a, const void *b)
{
	const struct inokey *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->j < y->j ? -1 : x->j > y->j;
}

/* Jobs in groups that must run on one thread, each group in job order. */
struct groups {
	struct evmpkg_pkg *p;
	struct evmpkg_applyjob *jobs;
	size_t n, ng;
	size_t *order;		/* job indices, group after group */
	size_t *start;		/* group g is order[start[g] .. start[g + 1]) */
	struct known k;		/* the same for every job */
};

/*
 * One inode (same st_dev and st_ino) is one group, and so is one hardlink
 * set of the package, whatever the disk says: the sequencer reads, then
 * writes the inode's xattrs, and a set's members judge each other.
 */
static int make_groups(struct groups *g)
{
	size_t n = g->n, nk = 0, *up = malloc((n + 1) * sizeof(*up));
	size_t *first = malloc((g->p->nfiles + 1) * sizeof(*first));
	size_t *gid = malloc((n + 1) * sizeof(*gid));
	struct inokey *keys = malloc((n + 1) * sizeof(*keys));
	int rc = -1;

	g->order = malloc((n + 1) * sizeof(*g->order));
	g->start = calloc(n + 2, sizeof(*g->start));
	if (!up || !first || !gid || !keys || !g->order || !g->start)
		goto out;
	for (size_t i = 0; i < g->p->nfiles; i++)
		first[i] = SIZE_MAX;
	for (size_t j = 0; j < n; j++) {
		size_t fx = g->jobs[j].fx;
		ssize_t h = fx < g->p->nfiles ? g->p->link_head[fx] : -1;

		up[j] = j;
		if (g->jobs[j].ino)
			keys[nk++] = (struct inokey){ g->jobs[j].dev, g->jobs[j].ino, j };
		if (h >= 0 && first[h] == SIZE_MAX)
			first[h] = j;
		else if (h >= 0)
			join(up, j, first[h]);
	}
	qsort(keys, nk, sizeof(*keys), cmp_inokey);
	for (size_t i = 1; i < nk; i++)
		if (keys[i].dev == keys[i - 1].dev && keys[i].ino == keys[i - 1].ino)
			join(up, keys[i].j, keys[i - 1].j);
	/* Groups numbered by their first job; a root comes before its members. */
	g->ng = 0;
	for (size_t j = 0; j < n; j++) {
		size_t r = root_of(up, j);

		gid[j] = r == j ? g->ng++ : gid[r];
		g->start[gid[j] + 1]++;
	}
	for (size_t i = 0; i < g->ng; i++)
		g->start[i + 1] += g->start[i];
	/* The roots are known: up becomes each group's fill position. */
	memcpy(up, g->start, g->ng * sizeof(*up));
	for (size_t j = 0; j < n; j++)
		g->order[up[gid[j]]++] = j;
	rc = 0;
out:
	free(up);
	free(first);
	free(gid);
	free(keys);
	return rc;
}

/* One job on a worker: the file opened here, checked to be the one grouped. */
static void run_job(struct evmpkg_pkg *p, struct evmpkg_applyjob *j, const struct known *base)
{
	ssize_t ui = j->fx < p->nfiles ? p->unit_of[j->fx] : -1;
	struct known k = *base;
	struct evmpkg_applied res;
	struct evmpkg_err err = { 0 };
	struct stat st;
	int fd = -1;

	memset(&res, 0, sizeof(res));
	/* Unopenable (not root): apply_file says why, or opens it itself. */
	if (ui >= 0 && p->o.policy != EVMPKG_POLICY_OFF)
		fd = open(j->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0 && fstat(fd, &st) == 0) {
		k.fd_reads = 1;
		k.st = &st;	/* the sequencer's too: one fstat */
	}
	if (fd >= 0 && j->ino && (!k.st || st.st_dev != j->dev || st.st_ino != j->ino))
		j->rc = evmpkg_fail(&err, EVMPKG_EMISMATCH, "%s: %s: replaced while "
				    "its signatures were applied", p->name, p->paths[ui]);
	else
		j->rc = apply_file(p, j->fx, fd, j->path, j->flags, &k, &res, &err);
	if (fd >= 0)
		close(fd);
	j->outcome = res.outcome;
	j->msg = j->rc ? strdup(err.msg) : res.outcome == EVMPKG_A_WARNED ? strdup(res.msg) : NULL;
	if (j->rc && !j->msg)
		j->rc = EVMPKG_ENOMEM;
}

static int run_group(size_t gi, void *arg)
{
	struct groups *g = arg;

	for (size_t i = g->start[gi]; i < g->start[gi + 1]; i++)
		run_job(g->p, &g->jobs[g->order[i]], &g->k);
	return 0;
}

size_t evmpkg_pkg_apply_all(struct evmpkg_pkg *p, struct evmpkg_applyjob *jobs, size_t n)
{
	struct groups g = { .p = p, .jobs = jobs, .n = n, .k.root = geteuid() == 0 };
	size_t failed = 0;

	for (size_t j = 0; j < n; j++)
		jobs[j].msg = NULL;
	/*
	 * Every verdict first. In enforce mode a package already refused gets
	 * its first refusal for every signed job and no write; otherwise no
	 * worker needs another group's verdicts.
	 */
	if ((evmpkg_pkg_wait_all(p) && p->o.policy == EVMPKG_POLICY_ENFORCE) || make_groups(&g)) {
		/* Or no memory to group them: one after the other, as the installer would. */
		g.k.whole_pkg = 1;
		for (size_t j = 0; j < n; j++)
			run_job(p, &jobs[j], &g.k);
	} else {
		evmpkg_pool_run(g.ng, p->o.nthreads, run_group, &g);
	}
	free(g.order);
	free(g.start);
	for (size_t j = 0; j < n; j++)
		failed += jobs[j].rc != EVMPKG_OK;
	return failed;
}

const char *evmpkg_outcome_words(int outcome)
{
	switch (outcome) {
	case EVMPKG_A_NOSUPPORT:
		return "the target filesystem does not store security xattrs";
	case EVMPKG_A_USERNS:
		return "running in a user namespace (container): the kernel "
		       "refuses security xattrs";
	case EVMPKG_A_NONROOT:
		return "not running as root";
	}
	return NULL;
}
