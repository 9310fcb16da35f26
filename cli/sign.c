// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg sign: the options, and the package format read from the file. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sign.h"

static void usage(FILE *f)
{
	fputs("usage: evmpkg sign --key KEY [options] PKG.rpm|PKG.deb...\n"
	      "       evmpkg sign --request OUT --cert CERT [options] PKG...\n"
	      "       evmpkg sign --sign-request IN --key KEY -o SIGS\n"
	      "       evmpkg sign --attach SIGS --cert CERT [options] PKG...\n"
	      "Adds IMA signatures and EVM portable signatures for every regular\n"
	      "file. rpm: RPMTAG_FILESIGNATURES and the manifest tag 1000917; the\n"
	      "payload is unchanged, header digests are recomputed, an OpenPGP\n"
	      "signature is dropped (run `rpmsign --addsign` afterwards). .deb: the\n"
	      "manifest as control member evmsig; data.tar is unchanged, a debsigs\n"
	      "signature is dropped.\n\n"
	      "  --key KEY, --cert CERT, --pass SOURCE signing key: a PEM file or a\n"
	      "                       pkcs11: URI, its certificate (see sign-file)\n"
	      "  --request OUT        write what must be signed (digests, metadata, key\n"
	      "                       id of --cert) to OUT; packages are not changed\n"
	      "  --sign-request IN    sign request IN with --key; the values go to -o\n"
	      "  --attach SIGS        take the values in SIGS, each verified with --cert\n"
	      "                       first; a package with a bad one is not written\n"
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
	      "  -o FILE              output (one package only; --sign-request: the\n"
	      "                       signatures); default: in place\n"
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
	enum { O_PASSWD = CLI_O_FIRST_FREE, O_GROUP, O_FC, O_SIGNCFG, O_STRICT, O_CAPS,
	       O_REQUEST, O_SIGNREQ, O_ATTACH };
	static const struct option lo[] = {
		CLI_SIGN_LONGOPTS,
		{ "passwd", required_argument, NULL, O_PASSWD },
		{ "group", required_argument, NULL, O_GROUP },
		{ "file-contexts", required_argument, NULL, O_FC },
		{ "caps", required_argument, NULL, O_CAPS },
		{ "sign-config", no_argument, NULL, O_SIGNCFG },
		{ "strict", no_argument, NULL, O_STRICT },
		{ "request", required_argument, NULL, O_REQUEST },
		{ "sign-request", required_argument, NULL, O_SIGNREQ },
		{ "attach", required_argument, NULL, O_ATTACH },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sign_opts o = { 0 };
	struct cli_signopts so;
	const char *passwd = NULL, *group = NULL, *fcpath = NULL;
	const char *request = NULL, *signreq = NULL, *attach = NULL;
	struct evmpkg_sigreq req, sigs;
	struct evmpkg_trust *trust = NULL;
	struct evmpkg_err err = { 0 };
	int c, rc = 2, bad = 0, taken;

	evmpkg_sigreq_init(&req, EVMPKG_SIGREQ_REQUEST);
	evmpkg_sigreq_init(&sigs, EVMPKG_SIGREQ_SIGNATURES);
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
		case O_REQUEST: request = optarg; break;
		case O_SIGNREQ: signreq = optarg; break;
		case O_ATTACH: attach = optarg; break;
		case 'h': usage(stdout); rc = 0; goto out;
		default: usage(stderr); goto out;
		}
	}
	o.s.algo = so.algo;
	o.s.ima_kind = so.ima_kind;
	o.s.jobs = so.jobs;
	if (!!request + !!signreq + !!attach > 1) {
		cli_err("sign: give one of --request, --sign-request and --attach");
		goto out;
	}
	if (signreq) {
		if (!so.key || !o.out || optind < argc) {
			cli_err("sign: --sign-request takes --key and -o, and no package");
			goto out;
		}
		if (cli_key_load(&so, &o.s.key))
			goto out;
		rc = sigreq_sign(signreq, o.out, o.s.key, so.jobs) ? 1 : 0;
		cli_key_done(o.s.key);
		goto out;
	}
	if (optind >= argc || (request || attach ? !so.cert || so.key : !so.key)) {
		cli_err(optind >= argc ? "sign: no package given" : request || attach ?
			"sign: --request and --attach take --cert and no --key" :
			"sign: --key is required");
		usage(stderr);
		goto out;
	}
	if (o.out && (argc - optind > 1 || request)) {
		cli_err(request ? "sign: --request writes no package; -o is for one package" :
			"sign: -o takes one package");
		goto out;
	}
	if (request) {
		if (sigreq_begin(&req, &so))
			goto out;
		o.s.mode = PKGSIGN_REQUEST;
		o.s.req = &req;
	} else if (attach) {
		char *certs[1] = { (char *)so.cert };
		uint32_t id;
		int ec;

		if (cli_load_trust(certs, 1, 0, &trust) ||
		    sigreq_read(attach, EVMPKG_SIGREQ_SIGNATURES, &sigs))
			goto out;
		if (evmpkg_cert_keyid(so.cert, &id, &ec, &err)) {
			cli_err("%s", err.msg);
			goto out;
		}
		if (sigreq_check_key(attach, &sigs, "made for", so.cert, id, ec))
			goto out;
		/* What was requested, whatever this command line says. */
		o.s.algo = sigs.algo;
		o.s.ima_kind = sigs.ima_kind;
		o.s.mode = PKGSIGN_ATTACH;
		o.s.sigs = &sigs;
		o.s.trust = trust;
	} else if (cli_key_load(&so, &o.s.key)) {
		goto out;
	}
	if (evmpkg_accounts_load(passwd, group, &o.s.acct, &err)) {
		cli_err("%s", err.msg);
		goto out;
	}
	if (o.s.key)
		cli_warn_key(o.s.key);
	if (fcpath && !(o.s.fc = fcontexts_open(fcpath))) {
		cli_err("--file-contexts %s: cannot load: %s", fcpath, strerror(errno));
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (sign_one(&o, argv[i]))
			bad++;
	rc = bad ? 1 : 0;
	cli_key_done(o.s.key);
	if (request && !bad) {
		rc = sigreq_write(&req, request) ? 1 : 0;
		if (!rc)
			sigreq_summary(&req, request, "signing request");
	}
out:
	evmpkg_sigreq_free(&req);
	evmpkg_sigreq_free(&sigs);
	evmpkg_trust_free(trust);
	evmpkg_key_free(o.s.key);
	evmpkg_accounts_free(o.s.acct);
	fcontexts_close(o.s.fc);
	free(o.caps);
	return rc;
}
