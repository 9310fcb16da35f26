// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * data.tar of a .deb, streamed: the entry list (paths normalised, owners,
 * modes with type bits, links), hard link groups and conffile marks at
 * open, and the content digests on a second pass. The decompressed tar is
 * never held in memory.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "evmpkg/hashalgo.h"
#include "debimpl.h"

/* ---- strings that live as long as the package ---- */

struct poolblk {
	struct poolblk *next;
	size_t used, cap;
	char mem[];
};

#define POOL_BLOCK (64 * 1024)

static const char *pool_dup(struct poolblk **pool, const char *s)
{
	size_t n = strlen(s) + 1;
	struct poolblk *b = *pool;
	char *r;

	if (!b || n > b->cap - b->used) {
		size_t cap = n > POOL_BLOCK ? n : POOL_BLOCK;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = *pool;
		*pool = b;
	}
	r = b->mem + b->used;
	memcpy(r, s, n);
	b->used += n;
	return r;
}

/* Called for every data.tar entry i, with its normalised path. */
typedef int (*entry_fn)(struct evmpkg_debpkg *p, void *arg, size_t i,
			struct debtar *t, const char *path, struct evmpkg_err *err);

static int walk_data(struct evmpkg_debpkg *p, entry_fn fn, void *arg, size_t *count,
		     struct evmpkg_err *err)
{
	const struct debar_member *m = &p->ar[p->data_ix];
	struct debtar *t = malloc(sizeof(*t));
	char *path = malloc(DEBTAR_NAME_MAX + 2);
	struct debstream s = { .a = NULL };
	const char *why;
	size_t i = 0;
	int rc, end = 0;

	if (!t || !path) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		goto out;
	}
	if ((rc = evmpkg_debstream_open(&s, p->fd, m->off, m->size, p->data_comp, p->path,
					m->name, err)))
		goto out;
	evmpkg_debtar_init(t, &s);
	while (!(rc = evmpkg_debtar_next(t, &end, err)) && !end) {
		if (evmpkg_debtar_path(t->e.name, path, DEBTAR_NAME_MAX + 2, &why)) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: %s", p->path, m->name,
					 t->e.name, why);
			break;
		}
		if ((rc = fn(p, arg, i, t, path, err)))
			break;
		i++;
	}
	if (!rc)
		rc = evmpkg_debstream_drain(&s, err);
	*count = i;
out:
	evmpkg_debstream_close(&s);
	free(path);
	free(t);
	return rc;
}

/* ---- content digests ---- */

struct digest {
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
	uint8_t *res;		/* per file, dsz bytes; zeros if not hashed */
	size_t dsz;
};

/* Sets d up for algo with room for n files. */
static int digest_init(struct evmpkg_debpkg *p, struct digest *d, int algo, size_t n,
		       struct evmpkg_err *err)
{
	d->md = evmpkg_hash_md(algo);
	d->dsz = evmpkg_hash_size(algo);
	if (!d->md || !d->dsz)
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "%s: content digests: hash algorithm %d not supported",
				   p->path, algo);
	d->res = calloc(n ? n : 1, d->dsz);
	d->ctx = EVP_MD_CTX_new();
	if (!d->res || !d->ctx)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	return 0;
}

static int digest_sink(void *arg, const uint8_t *b, size_t n, struct evmpkg_err *err)
{
	return EVP_DigestUpdate(arg, b, n) ? 0 :
		evmpkg_fail(err, EVMPKG_ECRYPTO, "digest failed");
}

/* The content of entry i, a regular file, as it streams by. */
static int hash_entry(struct evmpkg_debpkg *p, struct digest *d, size_t i,
		      struct debtar *t, const char *path, struct evmpkg_err *err)
{
	unsigned int dl = 0;
	int rc;

	if (!EVP_DigestInit_ex(d->ctx, d->md, NULL))
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s: digest failed", p->path, path);
	if ((rc = evmpkg_debtar_content(t, digest_sink, d->ctx, err)))
		return rc;
	if (!EVP_DigestFinal_ex(d->ctx, d->res + i * d->dsz, &dl) || dl != d->dsz)
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s: digest failed", p->path, path);
	return 0;
}

/* The members of a hardlink group get the digest of the content it carries. */
static void digest_links(const struct evmpkg_debpkg *p, struct digest *d)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		int g = p->f[i].hardlink_group;

		if (g >= 0 && (size_t)g != i)
			memcpy(d->res + i * d->dsz, d->res + (size_t)g * d->dsz, d->dsz);
	}
}

static void digest_free(struct digest *d)
{
	EVP_MD_CTX_free(d->ctx);
	free(d->res);
}

struct collect {
	size_t cap;
	struct poolblk **pool;
	struct digest *d;	/* hash contents as they stream by, or NULL */
};

static const uint32_t type_bits[] = {
	[EVMPKG_DEB_REG] = S_IFREG, [EVMPKG_DEB_HARDLINK] = S_IFREG,
	[EVMPKG_DEB_SYMLINK] = S_IFLNK, [EVMPKG_DEB_DIR] = S_IFDIR,
	[EVMPKG_DEB_CHR] = S_IFCHR, [EVMPKG_DEB_BLK] = S_IFBLK,
	[EVMPKG_DEB_FIFO] = S_IFIFO,
};

static enum evmpkg_debtype type_of(char tartype)
{
	switch (tartype) {
	case DEBTAR_HARDLINK: return EVMPKG_DEB_HARDLINK;
	case DEBTAR_SYMLINK: return EVMPKG_DEB_SYMLINK;
	case DEBTAR_DIR: return EVMPKG_DEB_DIR;
	case DEBTAR_CHR: return EVMPKG_DEB_CHR;
	case DEBTAR_BLK: return EVMPKG_DEB_BLK;
	case DEBTAR_FIFO: return EVMPKG_DEB_FIFO;
	default: return EVMPKG_DEB_REG;
	}
}

/* A user or group name: the previous file's string when equal (most are). */
static const char *owner_name(struct poolblk **pool, const char *prev, const char *s)
{
	return prev && !strcmp(prev, s) ? prev : pool_dup(pool, s);
}

static int collect_entry(struct evmpkg_debpkg *p, void *arg, size_t i,
			 struct debtar *t, const char *path, struct evmpkg_err *err)
{
	struct collect *c = arg;
	const struct debtar_entry *e = &t->e;
	const struct evmpkg_debfile *prev;
	struct evmpkg_debfile *f;
	char target[DEBTAR_NAME_MAX + 2];
	const char *why;

	/* hardlink_group is an int. */
	if (i == INT_MAX)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: more than %d entries",
				   p->path, p->ar[p->data_ix].name, INT_MAX);
	if (i == c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 256;
		struct evmpkg_debfile *nf = reallocarray(p->f, ncap, sizeof(*nf));

		if (!nf)
			return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		p->f = nf;
		if (c->d) {
			uint8_t *nr = reallocarray(c->d->res, ncap, c->d->dsz);

			if (!nr)
				return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
			memset(nr + c->cap * c->d->dsz, 0, (ncap - c->cap) * c->d->dsz);
			c->d->res = nr;
		}
		c->cap = ncap;
	}
	prev = i ? &p->f[i - 1] : NULL;
	f = &p->f[i];
	memset(f, 0, sizeof(*f));
	p->nfiles = i + 1;
	f->type = type_of(e->type);
	f->mode = type_bits[f->type] | e->mode;
	f->uid = e->uid;
	f->gid = e->gid;
	f->hardlink_group = -1;
	f->is_reg = f->type == EVMPKG_DEB_REG;
	f->size = f->is_reg ? e->size : 0;
	if (!strcmp(path, "/") && f->type != EVMPKG_DEB_DIR)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: the top directory is not a directory",
				   p->path, p->ar[p->data_ix].name, e->name);
	if (f->type == EVMPKG_DEB_HARDLINK) {
		if (evmpkg_debtar_path(e->linkname, target, sizeof(target), &why))
			return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: hard link target '%s': %s",
					   p->path, p->ar[p->data_ix].name, e->name, e->linkname,
					   why);
		f->linkto = pool_dup(c->pool, target);
	} else if (f->type == EVMPKG_DEB_SYMLINK) {
		f->linkto = pool_dup(c->pool, e->linkname);
	}
	f->path = pool_dup(c->pool, path);
	f->user = owner_name(c->pool, prev ? prev->user : NULL, e->uname);
	f->group = owner_name(c->pool, prev ? prev->group : NULL, e->gname);
	if (!f->path || !f->user || !f->group ||
	    ((f->type == EVMPKG_DEB_HARDLINK || f->type == EVMPKG_DEB_SYMLINK) && !f->linkto))
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	return c->d && f->type == EVMPKG_DEB_REG ? hash_entry(p, c->d, i, t, f->path, err) : 0;
}

/* Paths to indexes: open addressing, FNV-1a. */
struct pathindex {
	size_t *slot;		/* index + 1; 0: empty */
	size_t mask;
};

static size_t path_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return (size_t)h;
}

/* The slot of path: where it is, or the empty one where it would go. */
static size_t *pidx_slot(const struct evmpkg_debpkg *p, const struct pathindex *ix,
			 const char *path)
{
	size_t h = path_hash(path) & ix->mask;

	while (ix->slot[h] && strcmp(p->f[ix->slot[h] - 1].path, path))
		h = (h + 1) & ix->mask;
	return &ix->slot[h];
}

static int pidx_build(struct evmpkg_debpkg *p, struct pathindex *ix,
		      struct evmpkg_err *err)
{
	size_t n = 16;

	while (n < 2 * p->nfiles)
		n *= 2;
	ix->mask = n - 1;
	if (!(ix->slot = calloc(n, sizeof(*ix->slot))))
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	for (size_t i = 0; i < p->nfiles; i++) {
		size_t *s = pidx_slot(p, ix, p->f[i].path);

		if (!*s)
			*s = i + 1;
		else if (p->f[*s - 1].type != EVMPKG_DEB_DIR || p->f[i].type != EVMPKG_DEB_DIR)
			return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: appears twice",
					   p->path, p->ar[p->data_ix].name, p->f[i].path);
	}
	return 0;
}

/* Every hard link joins the group of the earlier regular file it names. */
static int link_groups(struct evmpkg_debpkg *p, const struct pathindex *ix,
		       struct evmpkg_err *err)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		struct evmpkg_debfile *f = &p->f[i];
		size_t j, *s;

		if (f->type != EVMPKG_DEB_HARDLINK)
			continue;
		s = pidx_slot(p, ix, f->linkto);
		j = *s ? *s - 1 : p->nfiles;
		if (j >= i || !p->f[j].is_reg)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: %s: hard link to '%s', which is not an earlier regular file",
					   p->path, p->ar[p->data_ix].name, f->path, f->linkto);
		if (p->f[j].hardlink_group < 0)
			p->f[j].hardlink_group = (int)j;
		f->hardlink_group = p->f[j].hardlink_group;
		f->is_reg = 1;
		f->size = p->f[f->hardlink_group].size;
	}
	return 0;
}

static void mark_conffile(struct evmpkg_debpkg *p, const char *path, void *arg)
{
	size_t *s = pidx_slot(p, arg, path);

	if (*s)
		p->f[*s - 1].is_conffile = 1;
}

int evmpkg_debdata_read(struct evmpkg_debpkg *p, int algo, struct evmpkg_err *err)
{
	struct pathindex ix = { 0 };
	struct digest d = { 0 };
	struct collect c = { .pool = &p->pool, .d = algo > 0 ? &d : NULL };
	size_t n;
	int rc = c.d ? digest_init(p, &d, algo, 0, err) : 0;

	if (!rc && !(rc = walk_data(p, collect_entry, &c, &n, err)) &&
	    !(rc = pidx_build(p, &ix, err)) && !(rc = link_groups(p, &ix, err)))
		rc = evmpkg_debctl_conffiles(p, mark_conffile, &ix, err);
	if (!rc && c.d) {
		digest_links(p, &d);
		p->dig = d.res;
		p->dig_algo = algo;
		d.res = NULL;
	}
	digest_free(&d);
	free(ix.slot);
	return rc;
}

void evmpkg_debdata_free(struct evmpkg_debpkg *p)
{
	struct poolblk *b;

	while ((b = p->pool)) {
		p->pool = b->next;
		free(b);
	}
	free(p->f);
	p->f = NULL;
	p->nfiles = 0;
	free(p->dig);
	p->dig = NULL;
}

/* ---- content digests on a second pass ---- */

static int digest_entry(struct evmpkg_debpkg *p, void *arg, size_t i,
			struct debtar *t, const char *path, struct evmpkg_err *err)
{
	if (i >= p->nfiles || strcmp(path, p->f[i].path))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: %s: data.tar changed since the package was opened",
				   p->path, p->ar[p->data_ix].name, t->e.name);
	return p->f[i].type == EVMPKG_DEB_REG ? hash_entry(p, arg, i, t, path, err) : 0;
}

int evmpkg_deb_content_digests(struct evmpkg_debpkg *p, int algo, uint8_t **out,
			       struct evmpkg_err *err)
{
	struct digest d = { 0 };
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = digest_init(p, &d, algo, p->nfiles, err)))
		goto out;
	/* Made at open, as data.tar streamed by. */
	if (p->dig && p->dig_algo == algo) {
		memcpy(d.res, p->dig, p->nfiles * d.dsz);
		goto out;
	}
	if ((rc = walk_data(p, digest_entry, &d, &n, err)))
		goto out;
	if (n != p->nfiles) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL,
				 "%s: %s: data.tar changed since the package was opened",
				 p->path, p->ar[p->data_ix].name);
		goto out;
	}
	digest_links(p, &d);
out:
	if (!rc) {
		*out = d.res;
		d.res = NULL;
	}
	digest_free(&d);
	return rc;
}
