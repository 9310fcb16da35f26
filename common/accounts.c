// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evmpkg/accounts.h"

struct acct {
	char *name;
	uint32_t id;
};

struct table {
	struct acct *v;
	size_t n, cap;
};

struct evmpkg_accounts {
	struct table users, groups;
};

static int add(struct table *t, const char *name, size_t nlen, uint32_t id)
{
	if (t->n == t->cap) {
		size_t ncap = t->cap ? 2 * t->cap : 32;
		struct acct *nv = realloc(t->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		t->v = nv;
		t->cap = ncap;
	}
	t->v[t->n].name = strndup(name, nlen);
	if (!t->v[t->n].name)
		return -1;
	t->v[t->n++].id = id;
	return 0;
}

/* passwd and group share "name:x:id:..." in their first three fields. */
static int load(struct table *t, const char *path, struct evmpkg_err *err)
{
	FILE *f = fopen(path, "re");
	char line[4096];
	unsigned int lineno = 0;

	if (!f)
		return evmpkg_fail_errno(err, errno, "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *c1, *c2, *c3, *end;
		unsigned long id;

		lineno++;
		if (line[0] == '#' || line[0] == '\n' || line[0] == '+' ||
		    line[0] == '-')
			continue;	/* comments, blank, NIS compat entries */
		c1 = strchr(line, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		c3 = c2 ? strchr(c2 + 1, ':') : NULL;
		if (!c3 || c1 == line) {
			fclose(f);
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s:%u: not name:password:id:...", path,
					   lineno);
		}
		errno = 0;
		id = strtoul(c2 + 1, &end, 10);
		if (errno || end != c3 || end == c2 + 1 || id > 0xfffffffeUL) {
			fclose(f);
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s:%u: id field is not a number", path,
					   lineno);
		}
		if (add(t, line, (size_t)(c1 - line), (uint32_t)id)) {
			fclose(f);
			return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
		}
	}
	fclose(f);
	return EVMPKG_OK;
}

int evmpkg_accounts_load(const char *passwd, const char *group,
			 struct evmpkg_accounts **out, struct evmpkg_err *err)
{
	struct evmpkg_accounts *a = calloc(1, sizeof(*a));
	int rc = EVMPKG_OK;

	if (!a)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	if (passwd)
		rc = load(&a->users, passwd, err);
	if (!rc && group)
		rc = load(&a->groups, group, err);
	if (rc) {
		evmpkg_accounts_free(a);
		return rc;
	}
	*out = a;
	return EVMPKG_OK;
}

static void free_table(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
}

void evmpkg_accounts_free(struct evmpkg_accounts *a)
{
	if (!a)
		return;
	free_table(&a->users);
	free_table(&a->groups);
	free(a);
}

static int find(const struct table *t, const char *name, uint32_t *id)
{
	/* First entry wins, as with getpwnam on a files database. */
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name)) {
			*id = t->v[i].id;
			return 0;
		}
	if (!strcmp(name, "root")) {
		*id = 0;
		return 0;
	}
	return -1;
}

int evmpkg_accounts_uid(const struct evmpkg_accounts *a, const char *name,
			uint32_t *id)
{
	return find(&a->users, name, id);
}

int evmpkg_accounts_gid(const struct evmpkg_accounts *a, const char *name,
			uint32_t *id)
{
	return find(&a->groups, name, id);
}
