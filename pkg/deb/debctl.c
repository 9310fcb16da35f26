// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * control.tar of a .deb: every entry kept whole in memory (it is small, and
 * evmpkg_deb_write rebuilds the member from it), the control file's fields
 * and the conffiles list, parsed as dpkg parses them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evmpkg/reader.h"
#include "debdesc.h"
#include "debimpl.h"

/* control.tar contents kept in memory, and its entries. */
#define CTL_MAX_BYTES (64u * 1024 * 1024)
#define CTL_MAX_ENTRIES 1024

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

	if (evmpkg_debtar_path(e->name, path, sizeof(path), &why))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: %s", p->path, member,
				   e->name, why);
	if (e->type != DEBTAR_REG && e->type != DEBTAR_DIR && e->type != DEBTAR_SYMLINK)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: %s: only files, directories and symlinks belong in control.tar",
				   p->path, member, e->name);
	/* Else a manifest made a directory or symlink reads as no manifest. */
	if (e->type != DEBTAR_REG && !strcmp(path + 1, EVMPKG_DEB_MANIFEST_MEMBER))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: the signature manifest "
				   "is not a regular file", p->path, member, e->name);
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
	if ((rc = evmpkg_debtar_content(t, membuf_sink, &mb, err)))
		return rc;
	c->len = mb.len;
	return 0;
}

int evmpkg_debctl_read(struct evmpkg_debpkg *p, struct evmpkg_err *err)
{
	const struct debar_member *m = &p->ar[p->ctl_ix];
	struct debstream s;
	struct debtar *t = malloc(sizeof(*t));
	size_t total = 0;
	int rc, end = 0;

	if (!t)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	rc = evmpkg_debstream_open(&s, p->fd, m->off, m->size, p->ctl_comp, p->path, m->name, err);
	if (rc) {
		free(t);
		return rc;
	}
	evmpkg_debtar_init(t, &s);
	while (!(rc = evmpkg_debtar_next(t, &end, err)) && !end) {
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
		rc = evmpkg_debstream_drain(&s, err);
	evmpkg_debstream_close(&s);
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
int evmpkg_debctl_fields(struct evmpkg_debpkg *p, struct evmpkg_err *err)
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

			if (k != strlen(want[i].field) ||
			    strncasecmp((const char *)line, want[i].field, k))
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

int evmpkg_debctl_conffiles(struct evmpkg_debpkg *p,
			    void (*fn)(struct evmpkg_debpkg *p, const char *path, void *arg),
			    void *arg, struct evmpkg_err *err)
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
		if (evmpkg_debtar_path(path + 1, norm, sizeof(norm), &why))
			return evmpkg_fail(err, EVMPKG_EINVAL, "%s: conffiles: %s: %s", p->path,
					   path, why);
		fn(p, norm, arg);
	}
	return 0;
}

void evmpkg_debctl_free(struct evmpkg_debpkg *p)
{
	for (size_t i = 0; i < p->nctl; i++)
		ctl_free(&p->ctl[i]);
	free(p->ctl);
	p->ctl = NULL;
	p->nctl = 0;
}
