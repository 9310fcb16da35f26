// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exercises cli/rpmpkg.c on real packages; driven by tests/rpm/run.sh,
 * which checks the results with rpm's own tools (the oracle: rpm -K, rpm -qp
 * --qf, rpm2cpio, rpm -i). Each command prints what it found and exits 0
 * when its own checks pass, 1 when they fail, 2 on usage errors.
 *
 *   list PKG                  the file list, one line per file
 *   digests PKG               payload digests with sha256 (must equal the
 *                             header's) and sha512 (printed)
 *   write IN OUT SEED         fake signatures and a blob derived from SEED;
 *                             re-opens OUT and checks what it reads back
 *   getbin PKG TAG            a binary tag in hex
 *   openfail PKG              expects evmpkg_rpm_open to fail; prints why
 *   writefail IN OUT          expects evmpkg_rpm_write to fail; prints why
 *   rpmdb ROOT NAME SEED      the installed header still has the blob and
 *                             the signatures (reads ROOT's rpmdb)
 *   time PKG OUT              times open and write
 *   hassigs PKG SEED          existing_sig of every file is SEED's
 *   legacysig IN OUT SEED     copies IN with fake file signatures in the
 *                             signature header (tag 274), where rpm 4.14+'s
 *                             rpmsign --signfiles puts them
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>

#include "rpmpkg.h"
#include "evmpkg/hashalgo.h"

static int failures;

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);  \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
			failures++;                                           \
		}                                                             \
	} while (0)

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

static void sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned int l = 32;

	EVP_Digest(p, n, out, &l, EVP_sha256(), NULL);
}

/* A fake IMA v2 signature for path: "030204" keyid len, then 32 bytes. */
static char *fake_sig(const char *seed, const char *path)
{
	char buf[4096];
	uint8_t d[32];
	char *s = malloc(2 * (9 + 32) + 1);

	snprintf(buf, sizeof(buf), "%s:%s", seed, path);
	sha256(buf, strlen(buf), d);
	strcpy(s, "030204");
	hex(d, 4, s + 6);	/* key id */
	strcpy(s + 14, "0020");
	hex(d, 32, s + 18);
	return s;
}

/* The blob written for seed: 3000 bytes, including NULs. */
static uint8_t *fake_blob(const char *seed, size_t *len)
{
	uint8_t *b = malloc(3000), d[32];

	sha256(seed, strlen(seed), d);
	for (size_t i = 0; i < 3000; i++)
		b[i] = (i % 7 == 0) ? 0 : d[i % 32] ^ (uint8_t)i;
	*len = 3000;
	return b;
}

static struct evmpkg_rpmpkg *open_or_die(const char *path)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmpkg *p;

	if (evmpkg_rpm_open(path, &p, &err)) {
		fprintf(stderr, "open failed (rc %d): %s\n", err.rc, err.msg);
		exit(1);
	}
	return p;
}

static int cmd_list(const char *path)
{
	struct evmpkg_rpmpkg *p = open_or_die(path);

	printf("nevra %s files %zu pgp %d\n", evmpkg_rpm_nevra(p), evmpkg_rpm_nfiles(p),
	       evmpkg_rpm_has_pgp_sig(p));
	for (size_t i = 0; i < evmpkg_rpm_nfiles(p); i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);
		char d[2 * EVMPKG_MAX_DIGEST + 1] = "-";

		if (f->digest)
			hex(f->digest, f->digest_len, d);
		printf("%zu|%s|%s|%s|%06o|%u|%s|%d|%d|%d|%s|%.16s\n", i, f->path, f->user,
		       f->group, f->mode, f->flags, f->caps, f->digest_algo, f->is_reg,
		       f->hardlink_group, d, f->existing_sig ? f->existing_sig : "(none)");
	}
	CHECK(evmpkg_rpm_file(p, evmpkg_rpm_nfiles(p)) == NULL, "out of range index");
	evmpkg_rpm_close(p);
	return failures ? 1 : 0;
}

static int cmd_digests(const char *path)
{
	struct evmpkg_rpmpkg *p = open_or_die(path);
	struct evmpkg_err err = { 0 };
	uint8_t *d256 = NULL, *d512 = NULL;
	size_t n = evmpkg_rpm_nfiles(p), nreg = 0;

	if (evmpkg_rpm_payload_digests(p, EVMPKG_HASH_SHA256, &d256, &err) ||
	    evmpkg_rpm_payload_digests(p, EVMPKG_HASH_SHA512, &d512, &err)) {
		fprintf(stderr, "payload digests failed: %s\n", err.msg);
		free(d256);
		evmpkg_rpm_close(p);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);
		static const uint8_t z[64];
		char h[129];

		if (!f->is_reg) {
			CHECK(!memcmp(d256 + 32 * i, z, 32) && !memcmp(d512 + 64 * i, z, 64),
			      "%s: non-regular file has a digest", f->path);
			continue;
		}
		nreg++;
		if (f->digest_algo == EVMPKG_HASH_SHA256)
			CHECK(f->digest_len == 32 && !memcmp(f->digest, d256 + 32 * i, 32),
			      "%s: payload sha256 differs from the header digest", f->path);
		hex(d512 + 64 * i, 64, h);
		printf("%s sha512 %s\n", f->path, h);
	}
	printf("regular files %zu, sha256 %s header digests\n", nreg,
	       failures ? "DIFFERS FROM" : "equals");
	free(d256);
	free(d512);
	evmpkg_rpm_close(p);
	return failures ? 1 : 0;
}

static int cmd_write(const char *in, const char *out, const char *seed)
{
	struct evmpkg_rpmpkg *p = open_or_die(in), *q;
	struct evmpkg_err err = { 0 };
	size_t n = evmpkg_rpm_nfiles(p), bl, gl;
	char **sigs = calloc(n ? n : 1, sizeof(*sigs));
	uint8_t *blob = fake_blob(seed, &bl);
	const uint8_t *got;
	int dropped = -1, had_pgp = evmpkg_rpm_has_pgp_sig(p);

	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);

		sigs[i] = f->is_reg ? fake_sig(seed, f->path) : strdup("");
	}
	if (evmpkg_rpm_write(p, (const char *const *)sigs, EVMPKG_RPMTAG_MANIFEST, blob,
			     bl, out, &dropped, &err)) {
		fprintf(stderr, "write failed (rc %d): %s\n", err.rc, err.msg);
		for (size_t i = 0; i < n; i++)
			free(sigs[i]);
		free(sigs);
		free(blob);
		evmpkg_rpm_close(p);
		return 1;
	}
	printf("dropped_pgp=%d\n", dropped);
	CHECK(dropped == had_pgp, "dropped_pgp %d but input had_pgp %d", dropped, had_pgp);

	/* Read back. */
	q = open_or_die(out);
	CHECK(evmpkg_rpm_nfiles(q) == n, "file count changed");
	CHECK(!strcmp(evmpkg_rpm_nevra(q), evmpkg_rpm_nevra(p)), "nevra changed");
	CHECK(!evmpkg_rpm_has_pgp_sig(q), "output still has an OpenPGP signature");
	CHECK(evmpkg_rpm_get_bin(q, EVMPKG_RPMTAG_MANIFEST, &got, &gl) == 0 && gl == bl &&
	      !memcmp(got, blob, bl), "blob does not read back");
	for (size_t i = 0; i < n && i < evmpkg_rpm_nfiles(q); i++) {
		const struct evmpkg_rpmfile *a = evmpkg_rpm_file(p, i), *b = evmpkg_rpm_file(q, i);

		CHECK(!strcmp(a->path, b->path) && a->mode == b->mode &&
		      a->flags == b->flags && !strcmp(a->user, b->user) &&
		      !strcmp(a->group, b->group) && !strcmp(a->caps, b->caps) &&
		      a->digest_len == b->digest_len &&
		      (!a->digest_len || !memcmp(a->digest, b->digest, a->digest_len)) &&
		      a->is_reg == b->is_reg && a->hardlink_group == b->hardlink_group,
		      "%s: file metadata changed", a->path);
		CHECK(b->existing_sig && !strcmp(b->existing_sig, sigs[i]),
		      "%s: signature reads back as %s", a->path,
		      b->existing_sig ? b->existing_sig : "(none)");
	}
	printf("read back %zu files, blob %zu bytes: %s\n", n, bl, failures ? "FAIL" : "ok");
	evmpkg_rpm_close(q);
	evmpkg_rpm_close(p);
	for (size_t i = 0; i < n; i++)
		free(sigs[i]);
	free(sigs);
	free(blob);
	return failures ? 1 : 0;
}

static int cmd_getbin(const char *path, const char *tagstr)
{
	struct evmpkg_rpmpkg *p = open_or_die(path);
	const uint8_t *d;
	size_t n;
	int rc = 1;

	if (evmpkg_rpm_get_bin(p, (uint32_t)strtoul(tagstr, NULL, 0), &d, &n) == 0) {
		char *h = malloc(2 * n + 1);

		hex(d, n, h);
		printf("%s\n", h);
		free(h);
		rc = 0;
	}
	evmpkg_rpm_close(p);
	return rc;
}

static int cmd_openfail(const char *path)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmpkg *p = NULL;

	if (!evmpkg_rpm_open(path, &p, &err)) {
		fprintf(stderr, "FAIL: %s opened\n", path);
		evmpkg_rpm_close(p);
		return 1;
	}
	printf("rc %d: %s\n", err.rc, err.msg);
	CHECK(p == NULL, "out not NULL on failure");
	CHECK(strstr(err.msg, path) != NULL, "message does not name the package");
	return failures ? 1 : 0;
}

static int cmd_writefail(const char *in, const char *out)
{
	struct evmpkg_rpmpkg *p = open_or_die(in);
	struct evmpkg_err err = { 0 };
	size_t n = evmpkg_rpm_nfiles(p), bl;
	const char **sigs = calloc(n ? n : 1, sizeof(*sigs));
	uint8_t *blob = fake_blob("fail", &bl);
	int dropped = -1, rc;

	for (size_t i = 0; i < n; i++)
		sigs[i] = "";
	rc = evmpkg_rpm_write(p, sigs, EVMPKG_RPMTAG_MANIFEST, blob, bl, out, &dropped, &err);
	if (!rc) {
		fprintf(stderr, "FAIL: write to %s succeeded\n", out);
		failures++;
	} else {
		printf("rc %d: %s\n", err.rc, err.msg);
		CHECK(strstr(err.msg, in) || strstr(err.msg, out),
		      "message names neither package");
	}
	/* A bad argument: odd-length hex. */
	if (n) {
		sigs[0] = "abc";
		CHECK(evmpkg_rpm_write(p, sigs, EVMPKG_RPMTAG_MANIFEST, blob, bl, out,
				       &dropped, &err) == EVMPKG_EINVAL,
		      "odd-length signature accepted");
		sigs[0] = "";
	}
	CHECK(evmpkg_rpm_write(p, sigs, 5000, blob, bl, out, &dropped, &err) == EVMPKG_EINVAL,
	      "tag below 1000000 accepted");
	free(sigs);
	free(blob);
	evmpkg_rpm_close(p);
	return failures ? 1 : 0;
}

static int cmd_rpmdb(const char *root, const char *name, const char *seed)
{
	rpmts ts;
	rpmdbMatchIterator mi;
	Header h;
	size_t bl;
	uint8_t *blob = fake_blob(seed, &bl);
	int found = 0;

	if (rpmReadConfigFiles(NULL, NULL)) {
		fprintf(stderr, "rpmReadConfigFiles failed\n");
		return 1;
	}
	ts = rpmtsCreate();
	rpmtsSetRootDir(ts, root);
	mi = rpmtsInitIterator(ts, RPMDBI_NAME, name, 0);
	while ((h = rpmdbNextIterator(mi))) {
		struct rpmtd_s td;

		found = 1;
		if (headerGet(h, EVMPKG_RPMTAG_MANIFEST, &td, HEADERGET_MINMEM)) {
			CHECK(td.type == RPM_BIN_TYPE && td.count == bl &&
			      !memcmp(td.data, blob, bl), "installed blob differs");
			printf("installed header: tag %u, %u bytes, %s\n", EVMPKG_RPMTAG_MANIFEST,
			       td.count, failures ? "DIFFERS" : "equal to what was written");
			rpmtdFreeData(&td);
		} else {
			CHECK(0, "installed header has no tag %u", EVMPKG_RPMTAG_MANIFEST);
		}
		if (headerGet(h, RPMTAG_FILESIGNATURES, &td, HEADERGET_MINMEM)) {
			printf("installed header: FILESIGNATURES, %u entries\n", td.count);
			rpmtdFreeData(&td);
		} else {
			CHECK(0, "installed header has no FILESIGNATURES");
		}
	}
	CHECK(found, "%s is not installed in %s", name, root);
	rpmdbFreeIterator(mi);
	rpmtsFree(ts);
	free(blob);
	return failures ? 1 : 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmd_time(const char *in, const char *out)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_rpmpkg *p;
	double t0, t1, t2, t3;
	size_t n, bl;
	char **sigs;
	uint8_t *blob = fake_blob("time", &bl), *d = NULL;
	int dropped;

	t0 = now();
	if (evmpkg_rpm_open(in, &p, &err)) {
		fprintf(stderr, "open: %s\n", err.msg);
		return 1;
	}
	t1 = now();
	n = evmpkg_rpm_nfiles(p);
	sigs = calloc(n ? n : 1, sizeof(*sigs));
	for (size_t i = 0; i < n; i++)
		sigs[i] = evmpkg_rpm_file(p, i)->is_reg ?
				  fake_sig("time", evmpkg_rpm_file(p, i)->path) : strdup("");
	t2 = now();
	if (evmpkg_rpm_write(p, (const char *const *)sigs, EVMPKG_RPMTAG_MANIFEST, blob, bl,
			     out, &dropped, &err)) {
		fprintf(stderr, "write: %s\n", err.msg);
		return 1;
	}
	t3 = now();
	if (evmpkg_rpm_payload_digests(p, EVMPKG_HASH_SHA512, &d, &err)) {
		fprintf(stderr, "payload digests: %s\n", err.msg);
		return 1;
	}
	printf("%zu files: open %.1f ms, write %.1f ms, payload sha512 digests %.1f ms\n",
	       n, (t1 - t0) * 1e3, (t3 - t2) * 1e3, (now() - t3) * 1e3);
	for (size_t i = 0; i < n; i++)
		free(sigs[i]);
	free(sigs);
	free(blob);
	free(d);
	evmpkg_rpm_close(p);
	return 0;
}

/*
 * Signature-header file signatures, as rpmsign --signfiles writes them. The
 * signature header is not covered by any digest, so nothing else changes.
 */
static int cmd_legacysig(const char *in, const char *out, const char *seed)
{
	struct evmpkg_rpmpkg *p = open_or_die(in);
	size_t n = evmpkg_rpm_nfiles(p), len, siglen, pad, end;
	char **sigs = calloc(n ? n : 1, sizeof(*sigs));
	uint8_t *b = NULL, *blob;
	uint32_t il, dl, maxlen = 0;
	unsigned int bsize = 0;
	struct rpmtd_s td;
	Header sigh;
	FILE *f;

	f = fopen(in, "rb");
	if (!f)
		return 1;
	fseek(f, 0, SEEK_END);
	len = (size_t)ftell(f);
	rewind(f);
	b = malloc(len);
	if (fread(b, 1, len, f) != len)
		return 1;
	fclose(f);
	memcpy(&il, b + 96 + 8, 4);
	memcpy(&dl, b + 96 + 12, 4);
	siglen = 8 + 16 * (size_t)ntohl(il) + ntohl(dl);
	end = 96 + 8 + siglen;
	end += (8 - end % 8) % 8;
	sigh = headerImport(b + 96 + 8, (unsigned int)siglen, HEADERIMPORT_COPY);
	sigh = headerCopy(sigh);
	for (size_t i = 0; i < n; i++) {
		const struct evmpkg_rpmfile *fi = evmpkg_rpm_file(p, i);

		sigs[i] = fi->is_reg ? fake_sig(seed, fi->path) : strdup("");
		if (strlen(sigs[i]) / 2 > maxlen)
			maxlen = (uint32_t)(strlen(sigs[i]) / 2);
	}
	rpmtdReset(&td);
	td.tag = RPMSIGTAG_FILESIGNATURES;
	td.type = RPM_STRING_ARRAY_TYPE;
	td.data = sigs;
	td.count = (rpm_count_t)n;
	headerPut(sigh, &td, HEADERPUT_DEFAULT);
	rpmtdReset(&td);
	td.tag = RPMSIGTAG_FILESIGNATURELENGTH;
	td.type = RPM_INT32_TYPE;
	td.data = &maxlen;
	td.count = 1;
	headerPut(sigh, &td, HEADERPUT_DEFAULT);
	sigh = headerReload(sigh, RPMTAG_HEADERSIGNATURES);
	blob = headerExport(sigh, &bsize);
	pad = (8 - (8 + bsize) % 8) % 8;
	f = fopen(out, "wb");
	if (!f || fwrite(b, 1, 96, f) != 96 || fwrite("\x8e\xad\xe8\x01\0\0\0\0", 1, 8, f) != 8 ||
	    fwrite(blob, 1, bsize, f) != bsize || fwrite("\0\0\0\0\0\0\0", 1, pad, f) != pad ||
	    fwrite(b + end, 1, len - end, f) != len - end || fclose(f))
		return 1;
	printf("%zu signatures in the signature header\n", n);
	for (size_t i = 0; i < n; i++)
		free(sigs[i]);
	free(sigs);
	free(blob);
	free(b);
	headerFree(sigh);
	evmpkg_rpm_close(p);
	return 0;
}

/* The file signatures p reports are those of fake_sig(seed). */
static int cmd_hassigs(const char *path, const char *seed)
{
	struct evmpkg_rpmpkg *p = open_or_die(path);

	for (size_t i = 0; i < evmpkg_rpm_nfiles(p); i++) {
		const struct evmpkg_rpmfile *f = evmpkg_rpm_file(p, i);
		char *want = f->is_reg ? fake_sig(seed, f->path) : strdup("");

		CHECK(f->existing_sig && !strcmp(f->existing_sig, want),
		      "%s: existing_sig %s", f->path, f->existing_sig ? f->existing_sig : "(none)");
		free(want);
	}
	printf("%zu existing signatures: %s\n", evmpkg_rpm_nfiles(p), failures ? "FAIL" : "ok");
	evmpkg_rpm_close(p);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "list"))
		return cmd_list(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "digests"))
		return cmd_digests(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "write"))
		return cmd_write(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "getbin"))
		return cmd_getbin(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "openfail"))
		return cmd_openfail(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "writefail"))
		return cmd_writefail(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "rpmdb"))
		return cmd_rpmdb(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "legacysig"))
		return cmd_legacysig(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "hassigs"))
		return cmd_hassigs(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "time"))
		return cmd_time(argv[2], argv[3]);
	fprintf(stderr, "usage: see the comment at the top of %s\n", __FILE__);
	return 2;
}
