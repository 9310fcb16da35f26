// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg sign: IMA signatures and the EVM manifest into rpm packages. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "rpmtag.h"
#include "pkgsign.h"
#include "rpmpkg.h"

#define RPMFILE_CONFIG_BIT 1

struct opts {
	struct pkgsign_opts s;
	const char *out;
};

static void usage(FILE *f)
{
	fputs("usage: evmpkg sign --key KEY.pem [options] PKG.rpm...\n"
	      "Adds IMA signatures (RPMTAG_FILESIGNATURES) and EVM portable\n"
	      "signatures (manifest tag 1000917) for every regular file. The\n"
	      "payload is unchanged; header digests are recomputed; an OpenPGP\n"
	      "signature is dropped: run `rpmsign --addsign` afterwards.\n\n"
	      "  --key FILE, --cert FILE, --pass PASS   signing key (see sign-file)\n"
	      "  --hash ALGO          sha256 (default), sha384, sha512\n"
	      "  --ima sig|hash       IMA signature (default) or IMA digest\n"
	      "  --passwd FILE        the target's passwd: owner names to uids\n"
	      "  --group FILE         the target's group: group names to gids\n"
	      "                       (default: only root maps, to 0)\n"
	      "  --file-contexts FILE SELinux labels from the target policy\n"
	      "  --sign-config        give %config files an IMA signature (no EVM)\n"
	      "  --strict             fail when a file cannot get an EVM signature\n"
	      "  -o FILE              output (one package only); default: in place\n"
	      "  -j, --jobs N         signing threads (default: all cores)\n", f);
}

static int sign_package(const struct opts *o, const char *path)
{
	const struct pkgsign_opts *so = &o->s;
	size_t n, dsz = evmpkg_hash_size(so->algo), counts[3];
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmpkg *p = NULL;
	struct evmpkg_manifest m;
	struct evmpkg_buf blob;
	struct pkgsign_file *files = NULL;
	struct pkgsign_result *res = NULL;
	uint8_t *payload_dig = NULL;
	const char **sigs = NULL;
	char **hex = NULL;
	int rc = -1, dropped = 0, need_payload = 0;

	evmpkg_manifest_init(&m);
	evmpkg_buf_init(&blob);
	if (evmpkg_rpm_open(path, &p, &err)) {
		cli_err("%s", err.msg);
		return -1;
	}
	n = evmpkg_rpm_nfiles(p);
	/* Another algorithm, or no usable digest in the header: hash the payload. */
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);

		need_payload |= f->is_reg && (f->digest_algo != so->algo || f->digest_len != dsz);
	}
	if (need_payload && evmpkg_rpm_payload_digests(p, so->algo, &payload_dig, &err)) {
		cli_err("%s", err.msg);
		goto out;
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
	if (pkgsign_run(so, path, files, n, 0, &m, &res, counts))
		goto out;
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
	if (dropped)
		fprintf(stderr, PROG ": %s: warning: its OpenPGP signature was dropped "
			"(the header changed); sign again with `rpmsign --addsign`\n",
			o->out ? o->out : path);
	printf("%s: %s: %zu files with IMA and EVM signatures, %zu IMA only, %zu regular files without EVM\n",
	       o->out ? o->out : path, evmpkg_rpm_nevra(p), counts[2], counts[1], counts[0]);
	rc = 0;
out:
	for (size_t i = 0; hex && i < n; i++)
		free(hex[i]);
	free(hex);
	pkgsign_free(res, n);
	free(files);
	free(sigs);
	free(payload_dig);
	evmpkg_manifest_free(&m);
	evmpkg_buf_free(&blob);
	evmpkg_rpm_close(p);
	return rc;
}

int cmd_sign(int argc, char **argv)
{
	enum { O_PASSWD = CLI_O_FIRST_FREE, O_GROUP, O_FC, O_SIGNCFG, O_STRICT };
	static const struct option lo[] = {
		CLI_SIGN_LONGOPTS,
		{ "passwd", required_argument, NULL, O_PASSWD },
		{ "group", required_argument, NULL, O_GROUP },
		{ "file-contexts", required_argument, NULL, O_FC },
		{ "sign-config", no_argument, NULL, O_SIGNCFG },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .s.config_word = "%config file" };
	struct cli_signopts so;
	const char *passwd = NULL, *group = NULL, *fcpath = NULL;
	struct evmpkg_err err = { 0 };
	int c, rc = 2, bad = 0, taken;

	cli_signopts_init(&so);
	while ((c = getopt_long(argc, argv, "o:j:h", lo, NULL)) != -1) {
		if ((taken = cli_signopt(&so, c, optarg)) < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case O_PASSWD: passwd = optarg; break;
		case O_GROUP: group = optarg; break;
		case O_FC: fcpath = optarg; break;
		case O_SIGNCFG: o.s.sign_config = 1; break;
		case O_STRICT: o.s.strict = 1; break;
		case 'o': o.out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	o.s.algo = so.algo;
	o.s.ima_kind = so.ima_kind;
	o.s.jobs = so.jobs;
	if (!so.key || optind >= argc) {
		cli_err(!so.key ? "sign: --key is required" : "sign: no package given");
		usage(stderr);
		return 2;
	}
	if (o.out && argc - optind > 1) {
		cli_err("sign: -o takes one package");
		return 2;
	}
	if (evmpkg_key_load(so.key, so.pass, so.cert, &o.s.key, &err) ||
	    evmpkg_accounts_load(passwd, group, &o.s.acct, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	cli_warn_key(o.s.key);
	if (fcpath && !(o.s.fc = fcontexts_open(fcpath))) {
		cli_err("--file-contexts %s: cannot load: %s", fcpath, strerror(errno));
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (sign_package(&o, argv[i]))
			bad++;
	rc = bad ? 1 : 0;
out:
	evmpkg_key_free(o.s.key);
	evmpkg_accounts_free(o.s.acct);
	fcontexts_close(o.s.fc);
	return rc;
}
