// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg sign for .deb: the manifest as control member evmsig. */
#include <stdlib.h>
#include <string.h>

#include "debdesc.h"
#include "debpkg.h"
#include "sign.h"

static const char *const scripts[] = { "preinst", "postinst", "prerm", "postrm" };

/* line names path as a whole word (not /usr/bin/tool in /usr/bin/tool-x). */
static int names(const char *line, const char *path)
{
	size_t pl = strlen(path);

	for (const char *m = strstr(line, path); m; m = strstr(m + 1, path)) {
		char next = m[pl];

		if (!next || strchr(" \t\n;&|'\")", next))
			return 1;
	}
	return 0;
}

/*
 * A maintainer script that runs setcap or chmod on a signed file changes
 * what its EVM signature covers, and once the signature is in place the
 * kernel refuses the change. setcap is fine when --caps gives the same
 * capabilities (the hook writes them first; an identical rewrite passes).
 */
static int check_scripts(const struct sign_opts *o, const struct evmpkg_debpkg *p,
			 const struct pkgsign_file *files,
			 const struct pkgsign_result *res, size_t n)
{
	int found = 0;

	for (size_t s = 0; s < sizeof(scripts) / sizeof(scripts[0]); s++) {
		const uint8_t *body;
		size_t len;
		char *text;

		if (evmpkg_deb_control_member(p, scripts[s], &body, &len))
			continue;
		if (!(text = strndup((const char *)body, len)))
			return -1;
		for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			int setcap = strstr(line, "setcap") != NULL;

			if (!setcap && !strstr(line, "chmod") && !strstr(line, "chown"))
				continue;
			for (size_t i = 0; i < n; i++) {
				if (res[i].kind != 2 || !names(line, files[i].path) ||
				    (setcap && sign_caps_for(o, files[i].path)))
					continue;
				fprintf(stderr, PROG ": %s: %s: its %s changes it (%s): the EVM "
					"signature will not verify and the kernel refuses the "
					"change%s\n", evmpkg_deb_name(p), files[i].path,
					scripts[s], setcap ? "setcap" : "chmod/chown",
					setcap ? "; give --caps PATH=CAPABILITIES" : "");
				found = 1;
			}
		}
		free(text);
	}
	return found && o->s.strict ? -1 : 0;
}

/* A --caps path that is no regular file of this package: a typo, or meant
 * for another package of the same run. */
static int check_caps(const struct sign_opts *o, const struct pkgsign_file *files,
		      size_t n, const char *pkgname)
{
	int bad = 0;

	for (size_t c = 0; c < o->ncaps; c++) {
		size_t pl = (size_t)(strchr(o->caps[c], '=') - o->caps[c]), i;

		for (i = 0; i < n; i++)
			if (files[i].is_reg && strlen(files[i].path) == pl &&
			    !strncmp(files[i].path, o->caps[c], pl))
				break;
		if (i == n) {
			cli_err("%s: --caps %s: not a regular file of this package", pkgname,
				o->caps[c]);
			bad = 1;
		}
	}
	return bad && o->s.strict ? -1 : 0;
}

int sign_deb(const struct sign_opts *o, const char *path)
{
	struct pkgsign_opts sopt = o->s;
	size_t n = 0, dsz = evmpkg_hash_size(o->s.algo), counts[3];
	struct evmpkg_err err = { 0 };
	struct evmpkg_debpkg *p = NULL;
	struct evmpkg_manifest m;
	struct evmpkg_buf blob;
	struct pkgsign_file *files = NULL;
	struct pkgsign_result *res = NULL;
	uint8_t *dig = NULL;
	char *id = NULL;
	int rc = -1, dropped = 0;

	sopt.config_word = "conffile";
	evmpkg_manifest_init(&m);
	evmpkg_buf_init(&blob);
	if (evmpkg_deb_open_hashed(path, o->s.algo, &p, &err) ||
	    evmpkg_deb_content_digests(p, o->s.algo, &dig, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	n = evmpkg_deb_nfiles(p);
	if (asprintf(&id, "deb:%s", evmpkg_deb_name(p)) < 0)
		id = NULL;
	sopt.pkgid = id;
	if (!id || !(files = calloc(n ? n : 1, sizeof(*files)))) {
		cli_err("out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_debfile *f = evmpkg_deb_file(p, i);

		files[i] = (struct pkgsign_file){
			.path = f->path, .user = f->user, .group = f->group,
			.has_ids = 1, .uid = f->uid, .gid = f->gid,
			.mode = f->mode, .is_reg = f->is_reg,
			.is_config = f->is_conffile,
			.caps = sign_caps_for(o, f->path),
			.digest = dig + i * dsz,
		};
	}
	/* A .deb has no other place for IMA-only values: they go in the manifest. */
	if (check_caps(o, files, n, path) ||
	    (rc = pkgsign_run(&sopt, path, files, n, 1, &m, &res, counts)) < 0 ||
	    check_scripts(o, p, files, res, n)) {
		rc = -1;
		goto out;
	}
	if (rc > 0) {
		rc = 0;		/* request: nothing to write */
		goto out;
	}
	rc = -1;
	if (evmpkg_manifest_encode(&m, &blob, &err) ||
	    evmpkg_deb_write(p, EVMPKG_DEB_MANIFEST_MEMBER, blob.data, blob.len,
			     o->out ? o->out : path, &dropped, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	pkgsign_done(o->out ? o->out : path, evmpkg_deb_name(p), counts, dropped ?
		     "its debsigs signature was dropped (control.tar changed); sign "
		     "it again with debsigs" : NULL);
	rc = 0;
out:
	pkgsign_free(res, n);
	free(id);
	free(files);
	free(dig);
	evmpkg_manifest_free(&m);
	evmpkg_buf_free(&blob);
	evmpkg_deb_close(p);
	return rc;
}
