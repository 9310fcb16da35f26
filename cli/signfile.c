// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg sign-file: IMA and portable EVM signatures for loose files. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "sign.h"

struct sf {
	struct evmpkg_key *key;
	int algo, ima_kind, dry_run, json;
	int have_uid, have_gid, have_mode, have_caps, have_label;
	uint32_t uid, gid, mode;
	uint8_t caps[EVMPKG_CAPS_MAX];
	size_t caps_len;
	uint8_t *label;
	size_t label_len;
	struct cli_paths paths;
	struct cli_ordered *out;
};

static void usage(FILE *f)
{
	fputs("usage: evmpkg sign-file --key KEY.pem [options] FILE...\n"
	      "Signs files as `evmctl ima_sign` + `evmctl sign --portable` do and\n"
	      "writes owner, mode, capabilities, label, security.ima and\n"
	      "security.evm in the order Linux accepts with EVM on.\n\n"
	      "  --key FILE        PEM private key (RSA or EC)\n"
	      "  --cert FILE       its certificate (PEM or DER): key id from its SKID\n"
	      "  --pass SOURCE     key passphrase: env:VAR, file:PATH, fd:N, stdin or\n"
	      "                    pass:TEXT (default: $EVMPKG_KEY_PASSWORD; a prompt\n"
	      "                    on a terminal)\n"
	      "  --hash ALGO       sha256 (default), sha384, sha512\n"
	      "  --ima sig|hash    IMA signature (default) or IMA digest\n"
	      "  --uid N, --gid N  target owner (default: the file's)\n"
	      "  --mode OCTAL      target mode, with or without file-type bits\n"
	      "  --caps TEXT       target capabilities, e.g. cap_net_raw+ep\n"
	      "  --label LABEL     target SELinux label (security.selinux)\n"
	      "  -r, --recursive   sign regular files under directories\n"
	      "  -j, --jobs N      threads (default: all cores)\n"
	      "  -n, --dry-run     compute, write nothing\n"
	      "  --json            one JSON object per file per line\n", f);
}

/* Owned text for one result line. */
static char *json_line(const char *path, const struct evmpkg_mentry *e)
{
	size_t len = 0, hmax = e->label_len;
	char *buf = NULL, *hex;
	FILE *f;

	/* Labels may be up to 64 KiB: size the hex buffer for the largest value. */
	if (hmax < EVMPKG_SIG_MAX)
		hmax = EVMPKG_SIG_MAX;
	hex = malloc(2 * hmax + 1);
	f = hex ? open_memstream(&buf, &len) : NULL;
	if (!f) {
		free(hex);
		return NULL;
	}
	fputs("{\"path\":", f);
	cli_json_str(f, path);
	fprintf(f, ",\"uid\":%u,\"gid\":%u,\"mode\":\"%o\"", e->uid, e->gid,
		e->mode);
	if (e->label_len) {
		cli_hex(e->label, e->label_len, hex);
		fprintf(f, ",\"security.selinux\":\"%s\"", hex);
	}
	if (e->caps_len) {
		cli_hex(e->caps, e->caps_len, hex);
		fprintf(f, ",\"security.capability\":\"%s\"", hex);
	}
	cli_hex(e->ima, e->ima_len, hex);
	fprintf(f, ",\"security.ima\":\"%s\"", hex);
	cli_hex(e->evm, e->evm_len, hex);
	fprintf(f, ",\"security.evm\":\"%s\"}\n", hex);
	fclose(f);
	free(hex);
	return buf;
}

static int sign_one(size_t i, void *arg)
{
	struct sf *s = arg;
	const char *path = s->paths.v[i];
	struct evmpkg_err err = { 0 };
	struct evmpkg_sigpair sp;
	struct evmpkg_xattrs x = { 0 };
	struct evmpkg_mentry e = { .path = (char *)path };
	struct evmpkg_seq_report rep;
	uint8_t cdig[EVMPKG_MAX_DIGEST];
	size_t cdlen;
	struct stat st;
	char *line = NULL;
	int rc = -1, fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		cli_err("%s: %s", path, errno == ELOOP ?
			"is a symbolic link (not signed)" : strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		cli_err("%s: not a regular file", path);
		goto out;
	}
	if (evmpkg_xattrs_read(fd, &x, &err))
		goto fail;
	e.uid = s->have_uid ? s->uid : st.st_uid;
	e.gid = s->have_gid ? s->gid : st.st_gid;
	e.mode = s->have_mode ? s->mode : (st.st_mode & 0xffff);
	if (s->have_label) {
		e.label = s->label;
		e.label_len = s->label_len;
	} else if (x.present[EVMPKG_X_SELINUX]) {
		e.label = x.val[EVMPKG_X_SELINUX];
		e.label_len = x.len[EVMPKG_X_SELINUX];
	}
	if (s->have_caps) {
		e.caps = s->caps_len ? s->caps : NULL;
		e.caps_len = s->caps_len;
	} else if (x.present[EVMPKG_X_CAPS]) {
		e.caps = x.val[EVMPKG_X_CAPS];
		e.caps_len = x.len[EVMPKG_X_CAPS];
	}
	if ((rc = evmpkg_file_digest(fd, s->algo, cdig, &cdlen, &err)) ||
	    (rc = evmpkg_sign_entry(s->key, s->algo, s->ima_kind, cdig, cdlen,
				    &e, &sp, &err)))
		goto fail;
	if (!s->dry_run) {
		struct evmpkg_seq_opts o = {
			.policy = EVMPKG_POLICY_ENFORCE,
			.content_algo = s->algo,
			.content_digest = cdig,
			.content_len = cdlen,
			.set_owner_mode = 1,
		};

		if ((rc = evmpkg_seq_apply(fd, &e, &o, &rep, &err)))
			goto fail;
	}
	if (s->json) {
		line = json_line(path, &e);
	} else if (asprintf(&line, "%s: %s (key %08x)\n", path,
			    s->dry_run ? "would sign" : "signed",
			    evmpkg_key_id(s->key)) < 0) {
		line = NULL;
	}
	rc = 0;
	goto out;
fail:
	cli_err("%s: %s", path, err.msg);
	rc = -1;
out:
	evmpkg_xattrs_free(&x);
	if (fd >= 0)
		close(fd);
	cli_ordered_put(s->out, i, line);
	return rc;
}

static int parse_mode(const char *arg, uint32_t *mode)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 8);
	if (errno || !*arg || *end || v > 0xffff)
		return -1;
	if (v <= 07777)
		v |= S_IFREG;
	if (!S_ISREG(v))
		return -1;
	*mode = (uint32_t)v;
	return 0;
}

int cmd_sign_file(int argc, char **argv)
{
	enum { O_UID = CLI_O_FIRST_FREE, O_GID, O_MODE, O_CAPS, O_LABEL, O_JSON };
	static const struct option lo[] = {
		CLI_SIGN_LONGOPTS,
		{ "uid", required_argument, NULL, O_UID },
		{ "gid", required_argument, NULL, O_GID },
		{ "mode", required_argument, NULL, O_MODE },
		{ "caps", required_argument, NULL, O_CAPS },
		{ "label", required_argument, NULL, O_LABEL },
		{ "recursive", no_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sf s = { 0 };
	struct cli_signopts so;
	struct evmpkg_err err = { 0 };
	int recursive = 0, c, rc = 2, taken;
	uint32_t v;
	size_t failed;

	cli_signopts_init(&so);
	while ((c = getopt_long(argc, argv, "rj:nh", lo, NULL)) != -1) {
		if ((taken = cli_signopt(&so, c, optarg)) < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case O_UID:
		case O_GID:
			if (cli_parse_u32(optarg, 0xfffffffe, &v)) {
				cli_err("--%s: '%s' is not a numeric id",
					c == O_UID ? "uid" : "gid", optarg);
				return 2;
			}
			if (c == O_UID) { s.uid = v; s.have_uid = 1; }
			else { s.gid = v; s.have_gid = 1; }
			break;
		case O_MODE:
			if (parse_mode(optarg, &s.mode)) {
				cli_err("--mode: '%s' is not an octal regular-file mode", optarg);
				return 2;
			}
			s.have_mode = 1;
			break;
		case O_CAPS:
			if (evmpkg_caps_from_text(optarg, s.caps, &s.caps_len, &err)) {
				cli_err("--caps: %s", err.msg);
				return 2;
			}
			s.have_caps = 1;
			break;
		case O_LABEL:
			/* Stored with its NUL, as SELinux writes labels. */
			s.label = (uint8_t *)optarg;
			s.label_len = strlen(optarg) + 1;
			s.have_label = 1;
			if (s.label_len < 2) {
				cli_err("--label: empty");
				return 2;
			}
			break;
		case 'r': recursive = 1; break;
		case 'n': s.dry_run = 1; break;
		case O_JSON: s.json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	s.algo = so.algo;
	s.ima_kind = so.ima_kind;
	if (!so.key || optind >= argc) {
		cli_err(!so.key ? "sign-file: --key is required" :
				"sign-file: no FILE given");
		usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		struct stat st;

		if (recursive && lstat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (cli_paths_walk(&s.paths, argv[i]))
				goto out;
		} else if (cli_paths_add(&s.paths, argv[i])) {
			cli_err("out of memory");
			goto out;
		}
	}
	if (cli_key_load(&so, &s.key))
		goto out;
	cli_warn_key(s.key);
	s.out = cli_ordered_new(s.paths.n, stdout);
	if (!s.out) {
		cli_err("out of memory");
		goto out;
	}
	failed = cli_parallel(s.paths.n, so.jobs, sign_one, &s);
	cli_ordered_free(s.out);
	cli_key_done(s.key);
	if (failed)
		cli_err("%zu of %zu files failed", failed, s.paths.n);
	rc = failed ? 1 : 0;
out:
	evmpkg_key_free(s.key);
	cli_paths_free(&s.paths);
	return rc;
}
