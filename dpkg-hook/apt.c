// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apt's DPkg::Pre-Install-Pkgs hook: every .deb apt is about to unpack is
 * judged before dpkg touches anything, so a refused package leaves the
 * system as it was. Protocol versions 2 and 3 (apt.conf(5)): "VERSION N",
 * the configuration, a blank line, then one action per line whose last
 * field is a .deb path or **CONFIGURE** / **REMOVE**; version 1: paths.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debdesc.h"
#include "dpkgdb.h"
#include "hook.h"

#define APT_LINE_MAX (64 * 1024)

/* The last name looked up and the id it gave (NSS reads the whole file
 * for every call; a package's files mostly share one owner). */
struct idcache {
	char *name;
	uint32_t id;
	int found;
};

/*
 * The id dpkg gives a file: the tar header's name as this system knows it
 * (dpkg's tar_entry_update_from_system, in the same root as dpkg, which
 * apt's Chroot-Directory enters for both), else the header's number.
 */
static uint32_t sys_id(struct idcache *c, int group, const char *name, uint32_t id)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[4096];

	if (!*name)
		return id;
	if (!c->name || strcmp(c->name, name)) {
		c->found = group ? getgrnam_r(name, &gr, buf, sizeof(buf), &grp) == 0 && grp :
				   getpwnam_r(name, &pw, buf, sizeof(buf), &pwp) == 0 && pwp;
		if (c->found)
			c->id = group ? (uint32_t)grp->gr_gid : (uint32_t)pwp->pw_uid;
		free(c->name);
		c->name = strdup(name);	/* NULL: looked up again next time */
	}
	return c->found ? c->id : id;
}

/* 1 when a file signed for EVM will get another owner or mode from dpkg:
 * refused here, before anything is unpacked, rather than after. */
static int check_owners(struct hook *h, const struct evmpkg_debpkg *d, struct evmpkg_pkg *pkg)
{
	struct idcache users = { 0 }, groups = { 0 };
	char msg[256];
	int bad = 0;

	for (size_t fx = 0; fx < evmpkg_deb_nfiles(d); fx++) {
		const struct evmpkg_debfile *f = evmpkg_deb_file(d, fx);
		struct evmpkg_fileresult r;
		int override;

		evmpkg_pkg_file(pkg, fx, &r);
		if (r.rc || !r.signed_evm || !r.e)
			continue;
		/* The hooks write IMA only where a statoverride rules. */
		evmpkg_dpkgdb_truename(f->path, evmpkg_deb_package(d), &override);
		if (override)
			continue;
		if (!evmpkg_owner_mode_matches(r.e, sys_id(&users, 0, f->user, f->uid),
					       sys_id(&groups, 1, f->group, f->gid), f->mode,
					       "on this system", msg, sizeof(msg)))
			bad |= hook_report(h, "%s: %s: %s", evmpkg_deb_name(d), f->path, msg);
	}
	free(users.name);
	free(groups.name);
	return bad;
}

/* 1 when the policy refuses the package at path. */
int hook_verify_deb(struct hook *h, const char *path)
{
	struct evmpkg_pkgopts o = h->o;
	struct evmpkg_debpkg *d = NULL;
	struct evmpkg_pkg *pkg = NULL;
	struct evmpkg_err err = { 0 };
	const uint8_t *blob;
	size_t blen;
	int bad = 0;

	/* Unsigned packages (dpkg installs them as before) need no data.tar. */
	if (evmpkg_deb_open_control(path, &d, &err)) {
		bad = hook_report(h, "%s", err.msg);
		goto out;
	}
	if (evmpkg_deb_control_member(d, EVMPKG_DEB_MANIFEST_MEMBER, &blob, &blen) &&
	    !o.require_signatures)
		goto out;
	if (evmpkg_deb_read_data(d, 0, &err)) {
		bad = hook_report(h, "%s", err.msg);
		goto out;
	}
	o.background = 0;
	if (evmpkg_deb_pkg_open_hashed(d, &o, &pkg, &err)) {
		bad = hook_report(h, "%s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < evmpkg_pkg_nproblems(pkg); i++)
		bad |= hook_report(h, "%s", evmpkg_pkg_problem(pkg, i));
	for (size_t fx = 0; fx < evmpkg_deb_nfiles(d); fx++) {
		struct evmpkg_fileresult r;

		evmpkg_pkg_file(pkg, fx, &r);
		if (r.rc)
			bad |= hook_report(h, "%s: %s: %s", evmpkg_deb_name(d),
					   evmpkg_deb_file(d, fx)->path,
					   r.why ? r.why : "refused");
	}
	if (h->db)
		bad |= check_owners(h, d, pkg);
out:
	evmpkg_pkg_free(pkg);
	evmpkg_deb_close(d);
	return bad;
}

/*
 * The .deb path of an action line: what follows its first nfields fields
 * (4 in version 2, 8 in version 3; the whole line in version 1), so that a
 * path with blanks stays whole. The line end is cut off in place.
 */
static char *path_field(char *line, int nfields)
{
	line[strcspn(line, "\r\n")] = '\0';
	for (int i = 0; i < nfields && *line; i++) {
		line += strcspn(line, " ");
		line += *line == ' ';
	}
	return line;
}

int hook_apt_verify(struct hook *h)
{
	const char *fdenv = getenv("APT_HOOK_INFO_FD");
	FILE *in = stdin;
	char *line = NULL, *end;
	size_t cap = 0;
	ssize_t len;
	int bad = 0, body = 1, first = 1, nfields = 0;
	char *own = NULL;
	long fd;

	if (fdenv && *fdenv) {
		errno = 0;
		fd = strtol(fdenv, &end, 10);
		if (errno || *end || fd < 0 || fd > 65535 || !(in = fdopen((int)fd, "r"))) {
			fprintf(stderr, PFX "APT_HOOK_INFO_FD '%s' is not an open descriptor\n", fdenv);
			return 2;
		}
	}
	/* apt runs its hooks where it runs dpkg (in Chroot-Directory too). */
	evmpkg_dpkgdb_open("evmpkg-dpkg-hook", NULL, hook_admindir(NULL, 0, &own), 0);
	h->db = 1;
	while ((len = getline(&line, &cap, in)) >= 0) {
		char *path;

		if (len > APT_LINE_MAX || memchr(line, '\0', (size_t)len)) {
			fprintf(stderr, PFX "apt hook input: line too long or not text\n");
			bad = 2;
			break;
		}
		if (first && !strncmp(line, "VERSION ", 8)) {
			body = 0;	/* the configuration comes first */
			nfields = atoi(line + 8) >= 3 ? 8 : 4;
		}
		first = 0;
		if (!body) {
			body = line[0] == '\n' || (line[0] == '\r' && line[1] == '\n');
			continue;
		}
		path = path_field(line, nfields);
		if (!*path || !strncmp(path, "**", 2))
			continue;	/* **CONFIGURE**, **REMOVE** */
		if (hook_verify_deb(h, path))
			bad = 1;
	}
	if (ferror(in) && !bad) {
		fprintf(stderr, PFX "apt hook input: %s\n", strerror(errno));
		bad = 2;
	}
	evmpkg_dpkgdb_close(0);
	free(own);
	free(line);
	if (in != stdin)
		fclose(in);
	if (bad == 1)
		fprintf(stderr, PFX "refusing the packages above: their IMA/EVM "
			"signatures do not verify\n");
	return bad;
}
