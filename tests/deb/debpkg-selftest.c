// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exercises pkg/deb (the .deb package I/O) on real packages; driven by
 * tests/deb/debpkg.sh, which checks the results against dpkg's own tools
 * (the oracle: dpkg-deb -c, -x, -I, -f, -R/-b, dpkg -i, apt-cache). Each
 * command prints what it found and exits 0 when its own checks pass, 1
 * when they fail, 2 on usage errors.
 *
 *   list PKG                   fields, then one line per data.tar entry
 *   digests PKG                sha256 of every regular file, as sha256sum
 *                              prints them ("HEX  ./path"); fails when
 *                              evmpkg_deb_open_hashed made other ones
 *   member PKG NAME            a control member's bytes on stdout
 *   write IN OUT MEMBER FILE   member set to FILE's bytes ("-": removed);
 *                              re-opens OUT and compares it with IN
 *   openfail PKG               expects evmpkg_deb_open to fail; prints why
 *   writefail IN OUT MEMBER    expects evmpkg_deb_write to fail; prints why
 *   time PKG                   times open and content digests
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "debpkg.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/hex.h"

static const char *const type_names[] = {
	"reg", "hardlink", "symlink", "dir", "chr", "blk", "fifo",
};

static struct evmpkg_debpkg *open_or_die(const char *path)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_debpkg *p;

	if (evmpkg_deb_open(path, &p, &err)) {
		fprintf(stderr, "open failed (rc %d): %s\n", err.rc, err.msg);
		exit(1);
	}
	return p;
}

/* "-rwsr-xr-x" as tar -tv prints it ('h' for hard links). */
static void perms(const struct evmpkg_debfile *f, char out[11])
{
	static const char tc[] = { '-', 'h', 'l', 'd', 'c', 'b', 'p' };
	static const char rwx[] = "rwxrwxrwx";

	out[0] = tc[f->type];
	for (int i = 0; i < 9; i++)
		out[1 + i] = (f->mode & (0400u >> i)) ? rwx[i] : '-';
	if (f->mode & 04000)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (f->mode & 02000)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (f->mode & 01000)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

static int cmd_list(const char *path)
{
	struct evmpkg_debpkg *p = open_or_die(path);

	printf("name %s package %s version %s arch %s files %zu debsigs %d\n",
	       evmpkg_deb_name(p), evmpkg_deb_package(p), evmpkg_deb_version(p),
	       evmpkg_deb_arch(p), evmpkg_deb_nfiles(p), evmpkg_deb_has_debsigs(p));
	for (size_t i = 0; i < evmpkg_deb_nfiles(p); i++) {
		const struct evmpkg_debfile *f = evmpkg_deb_file(p, i);
		char pm[11];

		perms(f, pm);
		printf("%zu|%d|%d|%d|%s|%s|%s/%s|%u/%u|%06o|%llu|%s|%s\n", i,
		       f->hardlink_group, f->is_conffile, f->is_reg, type_names[f->type], pm,
		       f->user, f->group, f->uid, f->gid, f->mode, (unsigned long long)f->size,
		       f->path, f->linkto ? f->linkto : "");
	}
	evmpkg_deb_close(p);
	return 0;
}

static int cmd_digests(const char *path)
{
	struct evmpkg_debpkg *p = open_or_die(path);
	struct evmpkg_err err = { 0 };
	char hex[2 * EVMPKG_MAX_DIGEST + 1];
	uint8_t *d;

	struct evmpkg_debpkg *h = NULL;
	uint8_t *dh = NULL;
	int rc = 0;

	if (evmpkg_deb_content_digests(p, EVMPKG_HASH_SHA256, &d, &err)) {
		fprintf(stderr, "digests failed: %s\n", err.msg);
		return 1;
	}
	/* The same digests made at open, in the one pass over data.tar. */
	if (evmpkg_deb_open_hashed(path, EVMPKG_HASH_SHA256, &h, &err) ||
	    evmpkg_deb_content_digests(h, EVMPKG_HASH_SHA256, &dh, &err) ||
	    memcmp(d, dh, 32 * evmpkg_deb_nfiles(p))) {
		fprintf(stderr, "digests made at open differ: %s\n", err.msg);
		rc = 1;
	}
	for (size_t i = 0; i < evmpkg_deb_nfiles(p); i++) {
		if (!evmpkg_deb_file(p, i)->is_reg)
			continue;
		evmpkg_hex_encode(d + 32 * i, 32, hex);
		printf("%s  .%s\n", hex, evmpkg_deb_file(p, i)->path);
	}
	free(d);
	free(dh);
	evmpkg_deb_close(h);
	evmpkg_deb_close(p);
	return rc;
}

static int cmd_member(const char *path, const char *name)
{
	struct evmpkg_debpkg *p = open_or_die(path);
	const uint8_t *data;
	size_t len;
	int rc = 1;

	if (evmpkg_deb_control_member(p, name, &data, &len) == 0)
		rc = fwrite(data, 1, len, stdout) == len ? 0 : 1;
	evmpkg_deb_close(p);
	return rc;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	struct stat st;

	if (!f || fstat(fileno(f), &st) || !(b = malloc((size_t)st.st_size + 1)) ||
	    fread(b, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)st.st_size;
	return b;
}

#define SAME_STR(a, b) (!strcmp((a) ? (a) : "", (b) ? (b) : ""))

/* The output describes the same package and files as the input. */
static int same_files(struct evmpkg_debpkg *a, struct evmpkg_debpkg *b)
{
	if (strcmp(evmpkg_deb_name(a), evmpkg_deb_name(b)) ||
	    evmpkg_deb_nfiles(a) != evmpkg_deb_nfiles(b)) {
		fprintf(stderr, "name or file count differs\n");
		return 0;
	}
	for (size_t i = 0; i < evmpkg_deb_nfiles(a); i++) {
		const struct evmpkg_debfile *x = evmpkg_deb_file(a, i), *y = evmpkg_deb_file(b, i);

		if (!SAME_STR(x->path, y->path) || !SAME_STR(x->user, y->user) ||
		    !SAME_STR(x->group, y->group) || !SAME_STR(x->linkto, y->linkto) ||
		    x->uid != y->uid || x->gid != y->gid || x->mode != y->mode ||
		    x->type != y->type || x->is_reg != y->is_reg || x->size != y->size ||
		    x->hardlink_group != y->hardlink_group || x->is_conffile != y->is_conffile) {
			fprintf(stderr, "file %zu (%s) differs\n", i, x->path);
			return 0;
		}
	}
	return 1;
}

static int cmd_write(const char *in, const char *out, const char *member, const char *file)
{
	struct evmpkg_debpkg *p = open_or_die(in), *q;
	struct evmpkg_err err = { 0 };
	const uint8_t *got;
	size_t len = 0, glen;
	uint8_t *blob = strcmp(file, "-") ? slurp(file, &len) : NULL;
	int dropped = -1, ok = 1;

	if (evmpkg_deb_write(p, member, blob, len, out, &dropped, &err)) {
		fprintf(stderr, "write failed (rc %d): %s\n", err.rc, err.msg);
		return 1;
	}
	printf("dropped_debsigs=%d\n", dropped);
	q = open_or_die(out);
	if (!same_files(p, q))
		ok = 0;
	if (evmpkg_deb_has_debsigs(q)) {
		fprintf(stderr, "output still has debsigs members\n");
		ok = 0;
	}
	if (len) {
		if (evmpkg_deb_control_member(q, member, &got, &glen) || glen != len ||
		    memcmp(got, blob, len)) {
			fprintf(stderr, "member %s not read back\n", member);
			ok = 0;
		}
	} else if (evmpkg_deb_control_member(q, member, &got, &glen) == 0) {
		fprintf(stderr, "member %s still there\n", member);
		ok = 0;
	}
	free(blob);
	evmpkg_deb_close(q);
	evmpkg_deb_close(p);
	return ok ? 0 : 1;
}

static int cmd_openfail(const char *path)
{
	struct evmpkg_err err = { 0 };
	struct evmpkg_debpkg *p;

	if (evmpkg_deb_open(path, &p, &err) == 0) {
		fprintf(stderr, "%s: opened, expected a refusal\n", path);
		evmpkg_deb_close(p);
		return 1;
	}
	printf("refused (rc %d): %s\n", err.rc, err.msg);
	return strstr(err.msg, path) ? 0 : 1;	/* the message names the package */
}

static int cmd_writefail(const char *in, const char *out, const char *member)
{
	struct evmpkg_debpkg *p = open_or_die(in);
	struct evmpkg_err err = { 0 };
	int rc;

	rc = evmpkg_deb_write(p, member, "x", 1, out, NULL, &err);
	evmpkg_deb_close(p);
	if (rc == 0) {
		fprintf(stderr, "write succeeded, expected a refusal\n");
		return 1;
	}
	printf("refused (rc %d): %s\n", err.rc, err.msg);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_time(const char *path)
{
	struct evmpkg_err err = { 0 };
	double t0 = now(), t1, t2;
	struct evmpkg_debpkg *p = open_or_die(path);
	uint8_t *d;
	size_t n = evmpkg_deb_nfiles(p);

	t1 = now();
	if (evmpkg_deb_content_digests(p, EVMPKG_HASH_SHA256, &d, &err)) {
		fprintf(stderr, "digests failed: %s\n", err.msg);
		return 1;
	}
	t2 = now();
	printf("%zu entries: open %.1f ms, sha256 digests %.1f ms; open+digests %.0f files/s\n",
	       n, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (double)n / (t2 - t0));
	free(d);
	evmpkg_deb_close(p);
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	if (!strcmp(c, "list") && argc == 3)
		return cmd_list(argv[2]);
	if (!strcmp(c, "digests") && argc == 3)
		return cmd_digests(argv[2]);
	if (!strcmp(c, "member") && argc == 4)
		return cmd_member(argv[2], argv[3]);
	if (!strcmp(c, "write") && argc == 6)
		return cmd_write(argv[2], argv[3], argv[4], argv[5]);
	if (!strcmp(c, "openfail") && argc == 3)
		return cmd_openfail(argv[2]);
	if (!strcmp(c, "writefail") && argc == 5)
		return cmd_writefail(argv[2], argv[3], argv[4]);
	if (!strcmp(c, "time") && argc == 3)
		return cmd_time(argv[2]);
	fprintf(stderr, "usage: see the top of debpkg-selftest.c\n");
	return 2;
}
