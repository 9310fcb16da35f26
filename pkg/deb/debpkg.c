// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .deb reading: see debpkg.h. open reads the ar member table, keeps
 * control.tar whole in memory (it is small, and write rebuilds it), and
 * streams data.tar once for its entry list; content_digests streams it
 * again. The decompressed data.tar is never held in memory.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "evmpkg/hashalgo.h"
#include "evmpkg/reader.h"
#include "debimpl.h"

/* control.tar contents kept in memory, and its entries. */
#define CTL_MAX_BYTES (64u * 1024 * 1024)
#define CTL_MAX_ENTRIES 1024

/* ---- the ar members ---- */

/* A member's compression from the text after "control.tar" or "data.tar". */
static int comp_of(const char *ext, int data, enum debcomp *c)
{
	static const struct {
		const char *ext;
		enum debcomp comp;
		int data_only;	/* dpkg 1.21 reads bzip2 in data.tar only */
	} t[] = {
		{ "", DEBCOMP_NONE, 0 }, { ".gz", DEBCOMP_GZIP, 0 },
		{ ".xz", DEBCOMP_XZ, 0 }, { ".zst", DEBCOMP_ZSTD, 0 },
		{ ".bz2", DEBCOMP_BZIP2, 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(ext, t[i].ext) && (data || !t[i].data_only)) {
			*c = t[i].comp;
			return 0;
		}
	return -1;
}

/* The member order dpkg-deb (src/deb/extract.c) accepts. */
static int classify(struct evmpkg_debpkg *p, struct evmpkg_err *err)
{
	const char *want;
	uint8_t ver[4];
	int have_ctl = 0, have_data = 0;

	if (!p->nar || strcmp(p->ar[0].name, "debian-binary"))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: not a Debian package: first ar member is '%s', not 'debian-binary'",
				   p->path, p->nar ? p->ar[0].name : "(none)");
	if (p->ar[0].size != 4 || debar_pread(p->fd, ver, 4, p->ar[0].off) ||
	    memcmp(ver, "2.0\n", 4))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: debian-binary: format version is not \"2.0\" (%lld bytes)",
				   p->path, (long long)p->ar[0].size);
	for (size_t i = 1; i < p->nar; i++) {
		const char *n = p->ar[i].name;

		/* dpkg skips '_' members wherever they are; debsigs appends them. */
		if (n[0] == '_') {
			if (!strncmp(n, "_gpg", 4))
				p->has_debsigs = 1;
			continue;
		}
		if (have_data)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: unexpected ar member '%s' after the data member (only '_' members may follow it)",
					   p->path, n);
		/* Next comes control.tar, then data.tar. */
		want = have_ctl ? "data.tar" : "control.tar";
		if (strncmp(n, want, strlen(want)))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: has premature member '%s' before '%s' (dpkg refuses it)",
					   p->path, n, want);
		if (comp_of(n + strlen(want), have_ctl, have_ctl ? &p->data_comp : &p->ctl_comp))
			return evmpkg_fail(err, EVMPKG_EUNSUPP,
					   "%s: uses unknown compression for member '%s' (readable: %s, %s.gz, .xz, .zst%s)",
					   p->path, n, want, want, have_ctl ? ", .bz2" : "");
		*(have_ctl ? &p->data_ix : &p->ctl_ix) = i;
		*(have_ctl ? &have_data : &have_ctl) = 1;
	}
	if (!have_data)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: no %s member", p->path,
				   have_ctl ? "data.tar" : "control.tar");
	return 0;
}

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

/* ---- control.tar ---- */

static void ctl_free(struct debctl *c)
{
	free(c->tarname);
	free(c->name);
	free(c->linkname);
	free(c->data);
}

struct membuf {
	uint8_t *d;
	size_t len, cap;
};

static int membuf_sink(void *arg, const uint8_t *b, size_t n, struct evmpkg_err *err)
{
	struct membuf *m = arg;

	if (n > m->cap - m->len)
		return evmpkg_fail(err, EVMPKG_EINVAL, "more content than its size");
	memcpy(m->d + m->len, b, n);
	m->len += n;
	return 0;
}

/* The current control.tar entry (t->e) into c. */
static int ctl_entry(struct evmpkg_debpkg *p, struct debtar *t, struct debctl *c,
		     const char *member, size_t *total, struct evmpkg_err *err)
{
	const struct debtar_entry *e = &t->e;
	char path[DEBTAR_NAME_MAX + 2];
	struct membuf mb = { 0 };
	const char *why;
	int rc;

	if (debtar_path(e->name, path, sizeof(path), &why))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: %s", p->path, member,
				   e->name, why);
	if (e->type != DEBTAR_REG && e->type != DEBTAR_DIR && e->type != DEBTAR_SYMLINK)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: %s: only files, directories and symlinks belong in control.tar",
				   p->path, member, e->name);
	for (size_t i = 0; i < p->nctl; i++)
		if (!strcmp(p->ctl[i].name, path + 1))
			return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: appears twice",
					   p->path, member, e->name);
	if (e->size > CTL_MAX_BYTES - *total)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: more than %u bytes of content",
				   p->path, member, CTL_MAX_BYTES);
	*total += (size_t)e->size;
	c->type = e->type;
	c->mode = e->mode;
	c->uid = e->uid;
	c->gid = e->gid;
	c->mtime = e->mtime;
	memcpy(c->uname, e->uname, sizeof(c->uname));
	memcpy(c->gname, e->gname, sizeof(c->gname));
	c->tarname = strdup(e->name);
	c->name = strdup(path + 1);
	c->linkname = strdup(e->linkname);
	mb.cap = (size_t)e->size;
	mb.d = c->data = malloc(mb.cap ? mb.cap : 1);
	if (!c->tarname || !c->name || !c->linkname || !c->data)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	if ((rc = debtar_content(t, membuf_sink, &mb, err)))
		return rc;
	c->len = mb.len;
	return 0;
}

static int read_control(struct evmpkg_debpkg *p, struct evmpkg_err *err)
{
	const struct debar_member *m = &p->ar[p->ctl_ix];
	struct debstream s;
	struct debtar *t = malloc(sizeof(*t));
	size_t total = 0;
	int rc, end = 0;

	if (!t)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	rc = debstream_open(&s, p->fd, m->off, m->size, p->ctl_comp, p->path, m->name, err);
	if (rc) {
		free(t);
		return rc;
	}
	debtar_init(t, &s);
	while (!(rc = debtar_next(t, &end, err)) && !end) {
		struct debctl *c;

		if (p->nctl == CTL_MAX_ENTRIES) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: more than %d entries",
					 p->path, m->name, CTL_MAX_ENTRIES);
			break;
		}
		if (!p->ctl && !(p->ctl = calloc(CTL_MAX_ENTRIES, sizeof(*p->ctl)))) {
			rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
			break;
		}
		c = &p->ctl[p->nctl];
		rc = ctl_entry(p, t, c, m->name, &total, err);
		p->nctl++;	/* counted even when partly filled: close frees it */
		if (rc)
			break;
	}
	if (!rc)
		rc = debstream_drain(&s, err);
	debstream_close(&s);
	free(t);
	return rc;
}

/* The next line without its '\n' (*nl: it had one); -1 at the end. */
static int next_line(struct evmpkg_rd *r, const uint8_t **line, size_t *n, int *nl)
{
	struct evmpkg_rd all = *r;
	size_t left = evmpkg_rd_left(r);
	const uint8_t *rest, *end;

	if (!left || evmpkg_rd_bytes(&all, left, &rest))
		return -1;
	end = memchr(rest, '\n', left);
	*n = end ? (size_t)(end - rest) : left;
	*nl = end != NULL;
	evmpkg_rd_bytes(r, *n, line);
	if (*nl)
		evmpkg_rd_skip(r, 1);
	return 0;
}

/* s is alphanumerics and characters of also, and starts with an alphanumeric. */
static int word_ok(const char *s, const char *also)
{
	if (!isalnum((unsigned char)s[0]))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(also, *s))
			return 0;
	return 1;
}

/* Package, Version and Architecture from the control file's one stanza. */
static int control_fields(struct evmpkg_debpkg *p, struct evmpkg_err *err)
{
	static const struct {
		const char *field;
		size_t off;		/* of the char * in the package */
		const char *also;	/* allowed besides alphanumerics (dpkg's rules) */
	} want[] = {
		{ "Package", offsetof(struct evmpkg_debpkg, package), "-+._" },
		{ "Version", offsetof(struct evmpkg_debpkg, version), ".+~:-" },
		{ "Architecture", offsetof(struct evmpkg_debpkg, arch), "-" },
	};
	const uint8_t *data, *line;
	struct evmpkg_rd r;
	size_t len, n;
	int nl, seen = 0;

	if (evmpkg_deb_control_member(p, "control", &data, &len))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: control.tar has no control file",
				   p->path);
	evmpkg_rd_init(&r, data, len);
	while (next_line(&r, &line, &n, &nl) == 0) {
		const uint8_t *colon;
		size_t k, v;

		if (n && memchr(line, 0, n))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: control: a line contains a NUL byte", p->path);
		if (!n && seen)
			break;		/* the stanza ends */
		/* Blank lines before it, continuation lines, comments. */
		if (!n || line[0] == ' ' || line[0] == '\t' || line[0] == '#')
			continue;
		seen = 1;
		if (!(colon = memchr(line, ':', n)))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: control: line '%.*s' has no ':'", p->path,
					   (int)(n > 60 ? 60 : n), line);
		k = (size_t)(colon - line);
		for (v = k + 1; v < n && (line[v] == ' ' || line[v] == '\t'); v++)
			;
		while (n > v && isspace(line[n - 1]))
			n--;
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			char **dst = (char **)((char *)p + want[i].off);

			if (k != strlen(want[i].field) || strncasecmp((const char *)line, want[i].field, k))
				continue;
			if (*dst)
				return evmpkg_fail(err, EVMPKG_EINVAL, "%s: control: %s given twice",
						   p->path, want[i].field);
			if (!(*dst = strndup((const char *)line + v, n - v)))
				return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		}
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *val = *(char **)((char *)p + want[i].off);

		if (!val || !*val)
			return evmpkg_fail(err, EVMPKG_EINVAL, "%s: control: no %s field", p->path,
					   want[i].field);
		if (!word_ok(val, want[i].also))
			return evmpkg_fail(err, EVMPKG_EINVAL, "%s: control: %s '%.100s' is not valid",
					   p->path, want[i].field, val);
	}
	if (asprintf(&p->name, "%s_%s_%s", p->package,
		     strchr(p->version, ':') ? strchr(p->version, ':') + 1 : p->version,
		     p->arch) < 0) {
		p->name = NULL;
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	}
	return 0;
}

/* ---- data.tar ---- */

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
	if ((rc = debstream_open(&s, p->fd, m->off, m->size, p->data_comp, p->path,
				 m->name, err)))
		goto out;
	debtar_init(t, &s);
	while (!(rc = debtar_next(t, &end, err)) && !end) {
		if (debtar_path(t->e.name, path, DEBTAR_NAME_MAX + 2, &why)) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: %s", p->path, m->name,
					 t->e.name, why);
			break;
		}
		if ((rc = fn(p, arg, i, t, path, err)))
			break;
		i++;
	}
	if (!rc)
		rc = debstream_drain(&s, err);
	*count = i;
out:
	debstream_close(&s);
	free(path);
	free(t);
	return rc;
}

struct collect {
	size_t cap;
	struct poolblk **pool;
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

	if (i == c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 256;
		struct evmpkg_debfile *nf = reallocarray(p->f, ncap, sizeof(*nf));

		if (!nf)
			return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		p->f = nf;
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
		if (debtar_path(e->linkname, target, sizeof(target), &why))
			return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: hard link target '%s': %s",
					   p->path, p->ar[p->data_ix].name, e->name, e->linkname, why);
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
	return 0;
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

/* Marks the files control.tar's conffiles lists (dpkg's syntax and checks). */
static int mark_conffiles(struct evmpkg_debpkg *p, const struct pathindex *ix,
			  struct evmpkg_err *err)
{
	char path[DEBTAR_NAME_MAX + 2], norm[DEBTAR_NAME_MAX + 2];
	const uint8_t *data, *line;
	struct evmpkg_rd r;
	const char *why;
	size_t len, n;
	int nl;

	if (evmpkg_deb_control_member(p, "conffiles", &data, &len))
		return 0;
	evmpkg_rd_init(&r, data, len);
	while (next_line(&r, &line, &n, &nl) == 0) {
		size_t *s;

		if (!nl)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: conffiles: missing final newline", p->path);
		while (n && isspace(line[n - 1]))
			n--;
		if (!n)
			continue;
		if (n > DEBTAR_NAME_MAX || memchr(line, 0, n))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: conffiles: a name is too long or contains a NUL byte",
					   p->path);
		memcpy(path, line, n);
		path[n] = '\0';
		/* "remove-on-upgrade /etc/x": not shipped, nothing to mark. */
		if (path[0] != '/') {
			if (strncmp(path, "remove-on-upgrade ", 18))
				return evmpkg_fail(err, EVMPKG_EINVAL,
						   "%s: conffiles: '%s' is not absolute or has an unknown flag",
						   p->path, path);
			continue;
		}
		if (debtar_path(path + 1, norm, sizeof(norm), &why))
			return evmpkg_fail(err, EVMPKG_EINVAL, "%s: conffiles: %s: %s", p->path,
					   path, why);
		s = pidx_slot(p, ix, norm);
		if (*s)
			p->f[*s - 1].is_conffile = 1;
	}
	return 0;
}

/* ---- open, accessors, close ---- */

int evmpkg_deb_open(const char *path, struct evmpkg_debpkg **out,
		    struct evmpkg_err *err)
{
	struct evmpkg_debpkg *p = calloc(1, sizeof(*p));
	struct pathindex ix = { 0 };
	struct collect c = { 0 };
	struct stat st;
	size_t n;
	int rc;

	*out = NULL;
	if (!p || !(p->path = strdup(path))) {
		free(p);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", path);
	}
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0 || fstat(p->fd, &st)) {
		rc = evmpkg_fail_errno(err, errno, "%s: cannot open", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: not a regular file", path);
		goto fail;
	}
	p->file_size = st.st_size;
	c.pool = &p->pool;
	if ((rc = debar_read(p->fd, p->file_size, path, &p->ar, &p->nar, err)) ||
	    (rc = classify(p, err)) || (rc = read_control(p, err)) ||
	    (rc = control_fields(p, err)) ||
	    (rc = walk_data(p, collect_entry, &c, &n, err)) ||
	    (rc = pidx_build(p, &ix, err)) || (rc = link_groups(p, &ix, err)) ||
	    (rc = mark_conffiles(p, &ix, err)))
		goto fail;
	free(ix.slot);
	*out = p;
	return 0;
fail:
	free(ix.slot);
	evmpkg_deb_close(p);
	return rc;
}

void evmpkg_deb_close(struct evmpkg_debpkg *p)
{
	struct poolblk *b;

	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	for (size_t i = 0; i < p->nctl; i++)
		ctl_free(&p->ctl[i]);
	while ((b = p->pool)) {
		p->pool = b->next;
		free(b);
	}
	free(p->ctl);
	free(p->ar);
	free(p->f);
	free(p->package);
	free(p->version);
	free(p->arch);
	free(p->name);
	free(p->path);
	free(p);
}

const char *evmpkg_deb_package(const struct evmpkg_debpkg *p)
{
	return p->package;
}

const char *evmpkg_deb_version(const struct evmpkg_debpkg *p)
{
	return p->version;
}

const char *evmpkg_deb_arch(const struct evmpkg_debpkg *p)
{
	return p->arch;
}

const char *evmpkg_deb_name(const struct evmpkg_debpkg *p)
{
	return p->name;
}

size_t evmpkg_deb_nfiles(const struct evmpkg_debpkg *p)
{
	return p->nfiles;
}

const struct evmpkg_debfile *evmpkg_deb_file(const struct evmpkg_debpkg *p, size_t i)
{
	return i < p->nfiles ? &p->f[i] : NULL;
}

int evmpkg_deb_control_member(const struct evmpkg_debpkg *p, const char *name,
			      const uint8_t **data, size_t *len)
{
	for (size_t i = 0; i < p->nctl; i++)
		if (p->ctl[i].type == DEBTAR_REG && !strcmp(p->ctl[i].name, name)) {
			*data = p->ctl[i].data;
			*len = p->ctl[i].len;
			return 0;
		}
	return -1;
}

int evmpkg_deb_has_debsigs(const struct evmpkg_debpkg *p)
{
	return p->has_debsigs;
}

/* ---- content digests ---- */

struct digest {
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
	uint8_t *res;
	size_t dsz;
};

static int digest_sink(void *arg, const uint8_t *b, size_t n, struct evmpkg_err *err)
{
	return EVP_DigestUpdate(arg, b, n) ? 0 :
		evmpkg_fail(err, EVMPKG_ECRYPTO, "digest failed");
}

static int digest_entry(struct evmpkg_debpkg *p, void *arg, size_t i,
			struct debtar *t, const char *path, struct evmpkg_err *err)
{
	struct digest *d = arg;
	unsigned int dl = 0;
	int rc;

	if (i >= p->nfiles || strcmp(path, p->f[i].path))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: %s: data.tar changed since the package was opened",
				   p->path, p->ar[p->data_ix].name, t->e.name);
	if (p->f[i].type != EVMPKG_DEB_REG)
		return 0;
	if (!EVP_DigestInit_ex(d->ctx, d->md, NULL))
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s: digest failed", p->path, path);
	if ((rc = debtar_content(t, digest_sink, d->ctx, err)))
		return rc;
	if (!EVP_DigestFinal_ex(d->ctx, d->res + i * d->dsz, &dl) || dl != d->dsz)
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s: digest failed", p->path, path);
	return 0;
}

int evmpkg_deb_content_digests(struct evmpkg_debpkg *p, int algo, uint8_t **out,
			       struct evmpkg_err *err)
{
	struct digest d = { .md = evmpkg_hash_md(algo), .dsz = evmpkg_hash_size(algo) };
	size_t n = 0;
	int rc;

	*out = NULL;
	if (!d.md || !d.dsz)
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "%s: content digests: hash algorithm %d not supported",
				   p->path, algo);
	d.res = calloc(p->nfiles ? p->nfiles : 1, d.dsz);
	d.ctx = EVP_MD_CTX_new();
	if (!d.res || !d.ctx) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
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
	for (size_t i = 0; i < p->nfiles; i++) {
		int g = p->f[i].hardlink_group;

		if (g >= 0 && (size_t)g != i)
			memcpy(d.res + i * d.dsz, d.res + (size_t)g * d.dsz, d.dsz);
	}
out:
	EVP_MD_CTX_free(d.ctx);
	if (rc)
		free(d.res);
	else
		*out = d.res;
	return rc;
}
