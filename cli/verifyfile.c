// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg verify-file: check installed files as the kernel would. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f)
{
	fputs("usage: evmpkg verify-file [--cert CERT]... FILE...\n"
	      "Checks each file's content against security.ima and security.evm\n"
	      "against its current owner, mode and protected xattrs, with the\n"
	      "given certificates, trusted for both (default: /etc/keys/ima/ and\n"
	      "/etc/keys/x509_ima.der for IMA, /etc/keys/evm/ and\n"
	      "/etc/keys/x509_evm.der for EVM). Exit status 1 if any file fails.\n", f);
}

static const char *ima_kind(int type)
{
	return type == EVMPKG_IMA_DIGEST_NG ? "digest" : "signature";
}

static int verify_one(const char *path, const struct evmpkg_trust *t)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_fileverdict v;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	int good;

	if (fd < 0) {
		printf("%s: FAIL: %s\n", path, errno == ELOOP ?
		       "a symbolic link (never verified by the kernel)" :
		       strerror(errno));
		return -1;
	}
	if (evmpkg_verify_fd(fd, t, &v, &err)) {
		close(fd);
		printf("%s: FAIL: %s\n", path, err.msg);
		return -1;
	}
	close(fd);
	good = v.ima == EVMPKG_V_VERIFIED && v.evm == EVMPKG_V_VERIFIED;
	printf("%s: %s: uid %u gid %u mode %o\n", path, good ? "ok" : "FAIL",
	       v.uid, v.gid, v.mode);
	if (v.ima == EVMPKG_V_VERIFIED)
		printf("  security.ima: %s verified%s\n", ima_kind(v.ima_type),
		       v.ima_type == EVMPKG_IMA_DIGSIG ? " with a trusted key" :
							 " against the content");
	else
		printf("  security.ima: %s\n", v.ima_why);
	if (v.evm == EVMPKG_V_VERIFIED)
		printf("  security.evm: portable signature verified (key %08x)\n",
		       v.evm_keyid);
	else
		printf("  security.evm: %s\n", v.evm_why);
	return good ? 0 : -1;
}

int cmd_verify_file(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct evmpkg_trust *t = NULL;
	char **certs = calloc((size_t)argc + 1, sizeof(*certs));
	size_t ncerts = 0, bad = 0;
	int c, rc = 2;

	if (!certs)
		return 2;
	while ((c = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': certs[ncerts++] = optarg; break;
		case 'h': usage(stdout); free(certs); return 0;
		default: usage(stderr); free(certs); return 2;
		}
	}
	if (optind >= argc) {
		cli_err("verify-file: no FILE given");
		usage(stderr);
		goto out;
	}
	if (cli_load_trust(certs, ncerts, 1, &t))
		goto out;
	if (!evmpkg_trust_count(t)) {
		cli_err("verify-file: no trusted certificate: give --cert (none in /etc/keys)");
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (verify_one(argv[i], t))
			bad++;
	if (bad)
		cli_err("%zu of %d files failed verification", bad, argc - optind);
	rc = bad ? 1 : 0;
out:
	evmpkg_trust_free(t);
	free(certs);
	return rc;
}
