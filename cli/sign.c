// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg sign: the options, and the package format read from the file. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sign.h"

static void usage(FILE *f)
{
	fputs("usage: evmpkg sign --key KEY.pem [options] PKG.rpm|PKG.deb...\n"
	      "Adds IMA signatures and EVM portable signatures for every regular\n"
	      "file. rpm: RPMTAG_FILESIGNATURES and the manifest tag 1000917; the\n"
	      "payload is unchanged, header digests are recomputed, an OpenPGP\n"
	      "signature is dropped (run `rpmsign --addsign` afterwards). .deb: the\n"
	      "manifest as control member evmsig; data.tar is unchanged, a debsigs\n"
	      "signature is dropped.\n\n"
	      "  --key FILE, --cert FILE, --pass SOURCE signing key (see sign-file)\n"
	      "  --hash ALGO          sha256 (default), sha384, sha512\n"
	      "  --ima sig|hash       IMA signature (default) or IMA digest\n"
	      "  --passwd FILE        the target's passwd: owner names to uids\n"
	      "  --group FILE         the target's group: group names to gids\n"
	      "                       (default: only root maps, to 0)\n"
	      "  --file-contexts FILE SELinux labels from the target policy\n"
	      "  --caps PATH=TEXT     .deb: the capabilities the postinst sets on PATH\n"
	      "                       with setcap (e.g. /usr/bin/ping=cap_net_raw+ep)\n"
	      "  --sign-config        give %config files and conffiles an IMA\n"
	      "                       signature (no EVM)\n"
	      "  --strict             fail when a file cannot get an EVM signature, or\n"
	      "                       a maintainer script changes a signed file\n"
	      "  -o FILE              output (one package only); default: in place\n"
	      "  -j, --jobs N         signing threads (default: all cores)\n", f);
}

const char *sign_caps_for(const struct sign_opts *o, const char *path)
{
	size_t pl = strlen(path);

	for (size_t i = 0; i < o->ncaps; i++)
		if (!strncmp(o->caps[i], path, pl) && o->caps[i][pl] == '=')
			return o->caps[i] + pl + 1;
	return NULL;
}

static int sign_one(const struct sign_opts *o, const char *path)
{
	struct evmpkg_err err = { 0 };
	int fmt = cli_pkg_format(path, &err);

	if (fmt < 0)
		cli_err("%s", err.msg);
	return fmt < 0 ? -1 : fmt == CLI_PKG_DEB ? sign_deb(o, path) : sign_rpm(o, path);
}

int cmd_sign(int argc, char **argv)
{
	enum { O_PASSWD = CLI_O_FIRST_FREE, O_GROUP, O_FC, O_SIGNCFG, O_STRICT, O_CAPS };
	static const struct option lo[] = {
		CLI_SIGN_LONGOPTS,
		{ "passwd", required_argument, NULL, O_PASSWD },
		{ "group", required_argument, NULL, O_GROUP },
		{ "file-contexts", required_argument, NULL, O_FC },
		{ "caps", required_argument, NULL, O_CAPS },
		{ "sign-config", no_argument, NULL, O_SIGNCFG },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sign_opts o = { 0 };
	struct cli_signopts so;
	const char *passwd = NULL, *group = NULL, *fcpath = NULL;
	struct evmpkg_err err = { 0 };
	int c, rc = 2, bad = 0, taken;

	o.caps = calloc((size_t)argc + 1, sizeof(*o.caps));
	if (!o.caps)
		return 2;
	cli_signopts_init(&so);
	while ((c = getopt_long(argc, argv, "o:j:h", lo, NULL)) != -1) {
		if ((taken = cli_signopt(&so, c, optarg)) < 0)
			goto out;
		if (taken)
			continue;
		switch (c) {
		case O_PASSWD: passwd = optarg; break;
		case O_GROUP: group = optarg; break;
		case O_FC: fcpath = optarg; break;
		case O_SIGNCFG: o.s.sign_config = 1; break;
		case O_STRICT: o.s.strict = 1; break;
		case O_CAPS:
			if (optarg[0] != '/' || !strchr(optarg, '=')) {
				cli_err("--caps %s: give PATH=CAPABILITIES", optarg);
				goto out;
			}
			o.caps[o.ncaps++] = optarg;
			break;
		case 'o': o.out = optarg; break;
		case 'h': usage(stdout); rc = 0; goto out;
		default: usage(stderr); goto out;
		}
	}
	o.s.algo = so.algo;
	o.s.ima_kind = so.ima_kind;
	o.s.jobs = so.jobs;
	if (!so.key || optind >= argc) {
		cli_err(!so.key ? "sign: --key is required" : "sign: no package given");
		usage(stderr);
		goto out;
	}
	if (o.out && argc - optind > 1) {
		cli_err("sign: -o takes one package");
		goto out;
	}
	if (cli_key_load(&so, &o.s.key))
		goto out;
	if (evmpkg_accounts_load(passwd, group, &o.s.acct, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	cli_warn_key(o.s.key);
	if (fcpath && !(o.s.fc = fcontexts_open(fcpath))) {
		cli_err("--file-contexts %s: cannot load: %s", fcpath, strerror(errno));
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (sign_one(&o, argv[i]))
			bad++;
	rc = bad ? 1 : 0;
out:
	evmpkg_key_free(o.s.key);
	evmpkg_accounts_free(o.s.acct);
	fcontexts_close(o.s.fc);
	free(o.caps);
	return rc;
}
