// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg sign for rpm: IMA signatures and the EVM manifest into the header. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "rpmtag.h"
#include "sign.h"
#include "rpmpkg.h"

#define RPMFILE_CONFIG_BIT 1

int sign_rpm(const struct sign_opts *o, const char *path)
{
	struct pkgsign_opts sopt = o->s;
	const struct pkgsign_opts *so = &sopt;
	size_t n, dsz = evmpkg_hash_size(so->algo), counts[3];
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmpkg *p = NULL;
	struct evmpkg_manifest m;
	struct evmpkg_buf blob;
	struct pkgsign_file *files = NULL;
	struct pkgsign_result *res = NULL;
	uint8_t *payload_dig = NULL;
	const char **sigs = NULL;
	char **hex = NULL, *id = NULL;
	int rc = -1, dropped = 0;

	sopt.config_word = "%config file";
	if (o->ncaps)
		cli_err("%s: --caps is for .deb packages; an rpm carries its "
			"capabilities in %%caps (ignored)", path);
	evmpkg_manifest_init(&m);
	evmpkg_buf_init(&blob);
	if (evmpkg_rpm_open(path, &p, &err)) {
		cli_err("%s", err.msg);
		return -1;
	}
	n = evmpkg_rpm_nfiles(p);
	if (asprintf(&id, "rpm:%s", evmpkg_rpm_nevra(p)) < 0) {
		id = NULL;
		cli_err("out of memory");
		goto out;
	}
	sopt.pkgid = id;
	/*
	 * Whoever made the header can recompute its digests: sign what the
	 * payload holds, and refuse a header whose file digests say otherwise
	 * (else a signature for any content could be had for a harmless payload).
	 */
	if (evmpkg_rpm_payload_digests(p, so->algo, &payload_dig, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);

		if (f->is_reg && f->digest_algo == so->algo && f->digest_len == dsz &&
		    memcmp(f->digest, payload_dig + i * dsz, dsz)) {
			cli_err("%s: %s: FILEDIGESTS: does not match the file in the payload "
				"(corrupt or modified package)", path, f->path);
			goto out;
		}
	}
	files = calloc(n ? n : 1, sizeof(*files));
	sigs = calloc(n ? n : 1, sizeof(*sigs));
	hex = calloc(n ? n : 1, sizeof(*hex));
	if (!files || !sigs || !hex) {
		cli_err("out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);

		files[i] = (struct pkgsign_file){
			.path = f->path, .user = f->user, .group = f->group,
			.mode = f->mode, .is_reg = f->is_reg, .caps = f->caps,
			.is_config = !!(f->flags & RPMFILE_CONFIG_BIT),
			.digest = payload_dig ? payload_dig + i * dsz : f->digest,
		};
	}
	/* IMA-only values live in RPMTAG_FILESIGNATURES, not the manifest. */
	if ((rc = pkgsign_run(so, path, files, n, 0, &m, &res, counts))) {
		rc = rc > 0 ? 0 : -1;	/* request: nothing to write */
		goto out;
	}
	rc = -1;
	for (size_t i = 0; i < n; i++) {
		sigs[i] = "";
		if (!res[i].kind)
			continue;
		if (!(hex[i] = malloc(2 * res[i].sp.ima_len + 1))) {
			cli_err("out of memory");
			goto out;
		}
		cli_hex(res[i].sp.ima, res[i].sp.ima_len, hex[i]);
		sigs[i] = hex[i];
	}
	if (evmpkg_manifest_encode(&m, &blob, &err) ||
	    evmpkg_rpm_write(p, sigs, EVMPKG_RPMTAG_MANIFEST, blob.data, blob.len,
			     o->out ? o->out : path, &dropped, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	pkgsign_done(o->out ? o->out : path, evmpkg_rpm_nevra(p), counts, dropped ?
		     "its OpenPGP signature was dropped (the header changed); sign "
		     "again with `rpmsign --addsign`" : NULL);
	rc = 0;
out:
	for (size_t i = 0; hex && i < n; i++)
		free(hex[i]);
	free(hex);
	free(id);
	pkgsign_free(res, n);
	free(files);
	free(sigs);
	free(payload_dig);
	evmpkg_manifest_free(&m);
	evmpkg_buf_free(&blob);
	evmpkg_rpm_close(p);
	return rc;
}
