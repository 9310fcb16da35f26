// SPDX-License-Identifier: GPL-2.0-or-later
/* The install engine: pairing, verdicts, policy, and apply through it. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "unit.h"

#define NF 5

/*
 * A package of five files: /bin/a and /bin/b signed in the manifest, /bin/c
 * signed for IMA only by the format, /etc/d a config file signed in the
 * manifest, /bin/dir a directory. Content digests are sha256 of "A".."D".
 */
struct pk {
	struct evmpkg_key *key;
	struct evmpkg_trust *trust;
	struct evmpkg_pkgfile f[NF];
	uint8_t dig[NF][32];
	struct evmpkg_sigpair sp[NF];
	uint8_t cima[EVMPKG_SIG_MAX];
	size_t cima_len;
	struct evmpkg_buf mbytes;
};

static const char *const paths[NF] = { "/bin/a", "/bin/b", "/bin/c", "/bin/dir", "/etc/d" };

static void digest_of(const char *s, uint8_t out[32])
{
	size_t n;
	int fd;
	char tmp[256];

	fd = unit_tmpfile(tmp, sizeof(tmp));
	CU_ASSERT_EQUAL_FATAL(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	CU_ASSERT_EQUAL_FATAL(evmpkg_file_digest(fd, EVMPKG_HASH_SHA256, out, &n, NULL), 0);
	close(fd);
	unlink(tmp);
}

static void pk_setup(struct pk *p, const char *const *signed_paths)
{
	struct evmpkg_manifest m;
	static const char *const content[NF] = { "A", "B", "C", "", "D" };

	memset(p, 0, sizeof(*p));
	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data("rsa.pem"), NULL, NULL, &p->key, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_new(&p->trust, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_add_file(p->trust, unit_data("rsa.der"),
						    EVMPKG_TRUST_BOTH, NULL), 0);
	evmpkg_manifest_init(&m);
	for (int i = 0; i < NF; i++) {
		p->f[i] = (struct evmpkg_pkgfile){ .path = paths[i], .hardlink_group = -1,
						   .digest_algo = -1 };
		if (i == 3)
			continue;	/* the directory */
		digest_of(content[i], p->dig[i]);
		p->f[i].flags = EVMPKG_PF_REG | (i == 4 ? EVMPKG_PF_CONFIG : 0);
		p->f[i].digest = p->dig[i];
		p->f[i].digest_len = 32;
		p->f[i].digest_algo = EVMPKG_HASH_SHA256;
	}
	for (int i = 0; signed_paths[i]; i++) {
		struct evmpkg_mentry e = { .path = (char *)signed_paths[i], .uid = 0,
					   .gid = 0, .mode = 0100755 };
		int k = 0;

		while (k < NF && strcmp(paths[k], signed_paths[i]))
			k++;
		CU_ASSERT_EQUAL_FATAL(evmpkg_sign_entry(p->key, EVMPKG_HASH_SHA256, EVMPKG_IMA_SIG,
							p->dig[k < NF ? k : 0], 32, &e,
							&p->sp[i], NULL), 0);
		CU_ASSERT_EQUAL_FATAL(evmpkg_manifest_add(&m, &e, NULL), 0);
	}
	evmpkg_buf_init(&p->mbytes);
	CU_ASSERT_EQUAL_FATAL(evmpkg_manifest_encode(&m, &p->mbytes, NULL), 0);
	evmpkg_manifest_free(&m);
	/* /bin/c: the format's own IMA signature, no manifest entry. */
	CU_ASSERT_EQUAL_FATAL(evmpkg_key_sign(p->key, EVMPKG_IMA_DIGSIG, EVMPKG_HASH_SHA256,
					      p->dig[2], 32, p->cima, sizeof(p->cima),
					      &p->cima_len, NULL), 0);
	p->f[2].ima = p->cima;
	p->f[2].ima_len = p->cima_len;
}

static void pk_teardown(struct pk *p)
{
	evmpkg_buf_free(&p->mbytes);
	evmpkg_key_free(p->key);
	evmpkg_trust_free(p->trust);
}

static struct evmpkg_pkg *pk_open(struct pk *p, int policy, int background)
{
	struct evmpkg_pkgopts o = { .policy = policy, .trust = p->trust,
				    .background = background,
				    .manifest_field = "manifest tag",
				    .ima_field = "FILESIGS" };
	struct evmpkg_pkg *pkg = NULL;

	CU_ASSERT_EQUAL_FATAL(evmpkg_pkg_open(&pkg, "demo-1", EVMPKG_MF_PRESENT,
					      p->mbytes.data, p->mbytes.len, p->f, NF,
					      &o, NULL), 0);
	return pkg;
}

static const char *const good_set[] = { "/bin/a", "/bin/b", "/etc/d", NULL };

static void test_good_package_same_in_both_modes(void)
{
	struct pk p;

	pk_setup(&p, good_set);
	for (int bg = 0; bg < 2; bg++) {
		struct evmpkg_pkg *pkg = pk_open(&p, EVMPKG_POLICY_ENFORCE, bg);
		struct evmpkg_fileresult r;

		CU_ASSERT_EQUAL(evmpkg_pkg_nproblems(pkg), 0);
		for (int i = 0; i < NF; i++) {
			evmpkg_pkg_file(pkg, (size_t)i, &r);
			CU_ASSERT_EQUAL(r.rc, 0);
			if (i == 3) {
				CU_ASSERT_PTR_NULL(r.c);
				continue;
			}
			CU_ASSERT_PTR_NOT_NULL_FATAL(r.c);
			CU_ASSERT_EQUAL(r.c->ima_v, EVMPKG_V_VERIFIED);
			CU_ASSERT_EQUAL(r.signed_evm, i != 2);
			if (i != 2)
				CU_ASSERT_EQUAL(r.c->evm_v, EVMPKG_V_VERIFIED);
		}
		CU_ASSERT_EQUAL(evmpkg_pkg_wait_all(pkg), 0);
		evmpkg_pkg_free(pkg);
	}
	pk_teardown(&p);
}

static void test_pairing_problems(void)
{
	static const char *const set[] = { "/bin/a", "/bin/dir", "/bin/missing", NULL };
	struct evmpkg_pkg *pkg;
	struct pk p;

	pk_setup(&p, set);
	pkg = pk_open(&p, EVMPKG_POLICY_ENFORCE, 1);
	CU_ASSERT_EQUAL(evmpkg_pkg_nproblems(pkg), 2);
	CU_ASSERT_STRING_EQUAL(evmpkg_pkg_problem(pkg, 0), "demo-1: /bin/dir: signed in "
			       "the manifest but not a regular file of the package");
	CU_ASSERT_STRING_EQUAL(evmpkg_pkg_problem(pkg, 1), "demo-1: /bin/missing: signed "
			       "in the manifest but not a file of the package");
	evmpkg_pkg_free(pkg);
	pk_teardown(&p);
}

static void test_bad_manifest_named(void)
{
	struct evmpkg_pkgopts o = { .policy = EVMPKG_POLICY_ENFORCE,
				    .manifest_field = "manifest tag" };
	struct evmpkg_pkg *pkg;
	struct pk p;

	pk_setup(&p, good_set);
	CU_ASSERT_EQUAL(evmpkg_pkg_open(&pkg, "demo-1", EVMPKG_MF_PRESENT, p.mbytes.data,
					3, p.f, NF, &o, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_pkg_nproblems(pkg), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(evmpkg_pkg_problem(pkg, 0), "demo-1: manifest tag: "));
	evmpkg_pkg_free(pkg);
	CU_ASSERT_EQUAL(evmpkg_pkg_open(&pkg, "demo-1", EVMPKG_MF_WRONG_TYPE, NULL, 0,
					p.f, NF, &o, NULL), 0);
	CU_ASSERT_STRING_EQUAL(evmpkg_pkg_problem(pkg, 0),
			       "demo-1: manifest tag: stored, but not as binary data");
	evmpkg_pkg_free(pkg);
	pk_teardown(&p);
}

/* IMA-only files are verified too: a flipped signature byte is refused. */
static void test_ima_only_checked(void)
{
	struct evmpkg_applied res;
	struct evmpkg_err err = { 0 };
	struct evmpkg_fileresult r;
	struct evmpkg_pkg *pkg;
	struct pk p;

	pk_setup(&p, good_set);
	p.cima[p.cima_len - 1] ^= 1;
	pkg = pk_open(&p, EVMPKG_POLICY_ENFORCE, 1);
	evmpkg_pkg_file(pkg, 2, &r);
	CU_ASSERT_NOT_EQUAL(r.rc, 0);
	CU_ASSERT_EQUAL(r.c->ima_v, EVMPKG_V_BAD);
	CU_ASSERT_NOT_EQUAL(evmpkg_pkg_apply(pkg, 2, -1, "/nonexistent", 0, &res, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "demo-1: /bin/c: security.ima"));
	evmpkg_pkg_free(pkg);
	/* A short value, and one that differs from the manifest's. */
	p.f[2].ima_len = 5;
	p.f[0].ima = p.cima;
	p.f[0].ima_len = p.cima_len;
	pkg = pk_open(&p, EVMPKG_POLICY_ENFORCE, 0);
	evmpkg_pkg_file(pkg, 2, &r);
	CU_ASSERT_NOT_EQUAL(r.rc, 0);
	CU_ASSERT_PTR_NULL(r.c->parsed ? r.c : NULL);
	evmpkg_pkg_file(pkg, 0, &r);
	CU_ASSERT_STRING_EQUAL(r.why, "security.ima in the manifest differs from FILESIGS");
	CU_ASSERT_EQUAL(evmpkg_pkg_wait_all(pkg), 2);
	evmpkg_pkg_free(pkg);
	pk_teardown(&p);
}

/* Enforce: once any file is refused, every later apply fails the package. */
static void test_enforce_refuses_whole_package(void)
{
	struct evmpkg_applied res;
	struct evmpkg_err err = { 0 };
	struct evmpkg_pkg *pkg;
	struct pk p;

	pk_setup(&p, good_set);
	p.dig[1][0] ^= 1;	/* the package's digest of /bin/b no longer matches */
	pkg = pk_open(&p, EVMPKG_POLICY_ENFORCE, 0);
	CU_ASSERT_NOT_EQUAL(evmpkg_pkg_apply(pkg, 0, -1, "/nonexistent", 0, &res, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "demo-1: /bin/b: security.ima"));
	evmpkg_pkg_free(pkg);
	/* Warn: the bad file is reported, nothing of it written. */
	pkg = pk_open(&p, EVMPKG_POLICY_WARN, 1);
	CU_ASSERT_EQUAL(evmpkg_pkg_apply(pkg, 2, -1, "/nonexistent", 0, &res, &err), 0);
	CU_ASSERT_EQUAL(res.outcome, EVMPKG_A_IMA_ONLY);
	evmpkg_pkg_free(pkg);
	pk_teardown(&p);
}

/* A hardlink set is prepared once: a bad member fails its whole set. */
static void test_hardlink_set(void)
{
	struct evmpkg_applied res;
	struct evmpkg_err err = { 0 };
	struct evmpkg_pkg *pkg;
	struct pk p;

	pk_setup(&p, good_set);
	p.f[0].hardlink_group = 0;
	p.f[1].hardlink_group = 0;
	p.dig[0][0] ^= 1;	/* /bin/a, the set's first member, is bad */
	pkg = pk_open(&p, EVMPKG_POLICY_ENFORCE, 1);
	CU_ASSERT_NOT_EQUAL(evmpkg_pkg_apply(pkg, 1, -1, "/nonexistent", 0, &res, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "demo-1: /bin/a: "));
	evmpkg_pkg_free(pkg);
	pk_teardown(&p);
}

/* Apply writes through the sequencer; config files are left alone. */
static void test_apply_writes_and_config(void)
{
	struct evmpkg_applied res;
	struct evmpkg_err err = { 0 };
	struct evmpkg_pkg *pkg;
	char tmp[256];
	uint8_t buf[EVMPKG_SIG_MAX];
	struct pk p;
	int fd;

	pk_setup(&p, good_set);
	pkg = pk_open(&p, EVMPKG_POLICY_ENFORCE, 1);
	fd = unit_tmpfile(tmp, sizeof(tmp));
	CU_ASSERT_EQUAL(write(fd, "A", 1), 1);
	CU_ASSERT_EQUAL(fchmod(fd, 0755), 0);
	CU_ASSERT_EQUAL(evmpkg_pkg_apply(pkg, 0, fd, tmp, 0, &res, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "apply: %s\n", err.msg);
	CU_ASSERT_EQUAL(res.outcome, EVMPKG_A_APPLIED);
	CU_ASSERT_EQUAL(fgetxattr(fd, "security.evm", buf, sizeof(buf)),
			(ssize_t)p.sp[0].evm_len);
	CU_ASSERT_EQUAL(evmpkg_pkg_apply(pkg, 4, fd, tmp, 0, &res, &err), 0);
	CU_ASSERT_EQUAL(res.outcome, EVMPKG_A_CONFIG);
	CU_ASSERT_EQUAL(evmpkg_pkg_apply(pkg, 3, fd, tmp, 0, &res, &err), 0);
	CU_ASSERT_EQUAL(res.outcome, EVMPKG_A_UNSIGNED);
	close(fd);
	unlink(tmp);
	evmpkg_pkg_free(pkg);
	pk_teardown(&p);
}

/* An IMA-only manifest entry (no security.evm): verified, and written when
 * the format has no one else to write it (.deb). */
static void test_ima_only_entry_written(void)
{
	struct evmpkg_pkgopts o = { .policy = EVMPKG_POLICY_ENFORCE,
				    .write_ima_only = 1, .sign_config = 1 };
	struct evmpkg_manifest m;
	struct evmpkg_mentry e = { .path = "/etc/d", .mode = 0100644 };
	struct evmpkg_applied res;
	struct evmpkg_err err = { 0 };
	struct evmpkg_fileresult r;
	struct evmpkg_pkg *pkg;
	uint8_t buf[EVMPKG_SIG_MAX];
	char tmp[256];
	struct pk p;
	int fd;

	pk_setup(&p, good_set);
	o.trust = p.trust;
	evmpkg_manifest_init(&m);
	CU_ASSERT_EQUAL_FATAL(evmpkg_manifest_decode(p.mbytes.data, p.mbytes.len, &m, NULL), 0);
	e.ima = p.sp[2].ima;	/* the signature made for /etc/d's content */
	e.ima_len = p.sp[2].ima_len;
	for (size_t i = 0; i < m.n; i++)
		if (!strcmp(m.e[i].path, "/etc/d")) {
			free(m.e[i].path);
			m.e[i] = m.e[--m.n];
		}
	CU_ASSERT_EQUAL_FATAL(evmpkg_manifest_add(&m, &e, NULL), 0);
	evmpkg_buf_free(&p.mbytes);
	evmpkg_buf_init(&p.mbytes);
	CU_ASSERT_EQUAL_FATAL(evmpkg_manifest_encode(&m, &p.mbytes, NULL), 0);
	evmpkg_manifest_free(&m);
	CU_ASSERT_EQUAL(evmpkg_pkg_open(&pkg, "demo-1", EVMPKG_MF_PRESENT, p.mbytes.data,
					p.mbytes.len, p.f, NF, &o, NULL), 0);
	evmpkg_pkg_file(pkg, 4, &r);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_TRUE(r.signed_ima);
	CU_ASSERT_FALSE(r.signed_evm);
	fd = unit_tmpfile(tmp, sizeof(tmp));
	CU_ASSERT_EQUAL(write(fd, "D", 1), 1);
	CU_ASSERT_EQUAL(evmpkg_pkg_apply(pkg, 4, fd, tmp, 0, &res, &err), 0);
	CU_ASSERT_EQUAL(res.outcome, EVMPKG_A_APPLIED);
	CU_ASSERT_EQUAL(fgetxattr(fd, "security.ima", buf, sizeof(buf)), (ssize_t)e.ima_len);
	CU_ASSERT_TRUE(fgetxattr(fd, "security.evm", buf, sizeof(buf)) < 0);
	/*
	 * Without a package digest (as after dpkg unpacked it) the written
	 * content is hashed: content that does not match is refused and
	 * security.ima is not written.
	 */
	CU_ASSERT_EQUAL(fremovexattr(fd, "security.ima"), 0);
	CU_ASSERT_EQUAL(pwrite(fd, "X", 1, 0), 1);
	evmpkg_pkg_free(pkg);
	p.f[4].digest = NULL;
	p.f[4].digest_algo = -1;
	CU_ASSERT_EQUAL(evmpkg_pkg_open(&pkg, "demo-1", EVMPKG_MF_PRESENT, p.mbytes.data,
					p.mbytes.len, p.f, NF, &o, NULL), 0);
	CU_ASSERT_NOT_EQUAL(evmpkg_pkg_apply(pkg, 4, fd, tmp, 0, &res, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "demo-1: /etc/d: security.ima"));
	CU_ASSERT_TRUE(fgetxattr(fd, "security.ima", buf, sizeof(buf)) < 0);
	close(fd);
	unlink(tmp);
	evmpkg_pkg_free(pkg);
	pk_teardown(&p);
}

/* A file with content s and mode 0755 for /bin/a-like entries. */
static int file_of(const char *s, char *path, size_t n)
{
	int fd = unit_tmpfile(path, n);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	CU_ASSERT_EQUAL(fchmod(fd, 0755), 0);
	return fd;
}

static void job_at(struct evmpkg_applyjob *j, size_t fx, const char *path)
{
	struct stat st;

	CU_ASSERT_EQUAL_FATAL(lstat(path, &st), 0);
	*j = (struct evmpkg_applyjob){ .fx = fx, .path = path, .dev = st.st_dev,
				       .ino = st.st_ino };
}

/*
 * All files at once on several threads: outcomes per job, in job order;
 * jobs on one inode (the same file named twice) run one after the other.
 */
static void test_apply_all(void)
{
	enum { NJ = 24 };
	struct evmpkg_pkgopts o = { .policy = EVMPKG_POLICY_ENFORCE, .nthreads = 4 };
	struct evmpkg_applyjob j[NJ];
	struct evmpkg_pkg *pkg;
	char a[256], b[256], d[256];
	uint8_t buf[EVMPKG_SIG_MAX];
	int fa, fb, fd;
	struct pk p;

	pk_setup(&p, good_set);
	o.trust = p.trust;
	fa = file_of("A", a, sizeof(a));
	fb = file_of("B", b, sizeof(b));
	fd = file_of("D", d, sizeof(d));
	/* No package digests, as after dpkg: the content on disk is hashed. */
	for (int i = 0; i < NF; i++) {
		p.f[i].digest = NULL;
		p.f[i].digest_algo = -1;
	}
	CU_ASSERT_EQUAL_FATAL(evmpkg_pkg_open(&pkg, "demo-1", EVMPKG_MF_PRESENT, p.mbytes.data,
					      p.mbytes.len, p.f, NF, &o, NULL), 0);
	for (size_t i = 0; i < NJ; i++)
		job_at(&j[i], i % 3 == 2 ? 4 : i % 3, i % 3 == 0 ? a : i % 3 == 1 ? b : d);
	CU_ASSERT_EQUAL(evmpkg_pkg_apply_all(pkg, j, NJ), 0);
	for (size_t i = 0; i < NJ; i++) {
		CU_ASSERT_EQUAL(j[i].rc, 0);
		CU_ASSERT_EQUAL(j[i].outcome, i % 3 == 2 ? EVMPKG_A_CONFIG : EVMPKG_A_APPLIED);
		CU_ASSERT_PTR_NULL(j[i].msg);
	}
	CU_ASSERT_EQUAL(fgetxattr(fa, "security.evm", buf, sizeof(buf)), (ssize_t)p.sp[0].evm_len);
	CU_ASSERT_EQUAL(fgetxattr(fb, "security.evm", buf, sizeof(buf)), (ssize_t)p.sp[1].evm_len);
	/* A file replaced since the caller's lstat is not applied. */
	j[0].ino ^= 1;
	CU_ASSERT_EQUAL(evmpkg_pkg_apply_all(pkg, j, 1), 1);
	CU_ASSERT_TRUE(j[0].msg && strstr(j[0].msg, "demo-1: /bin/a: replaced") != NULL);
	free(j[0].msg);
	evmpkg_pkg_free(pkg);
	/* Content that does not match fails its own job, with its own message. */
	CU_ASSERT_EQUAL(fremovexattr(fa, "security.evm"), 0);
	CU_ASSERT_EQUAL(fremovexattr(fb, "security.evm"), 0);
	CU_ASSERT_EQUAL(pwrite(fb, "X", 1, 0), 1);
	CU_ASSERT_EQUAL_FATAL(evmpkg_pkg_open(&pkg, "demo-1", EVMPKG_MF_PRESENT, p.mbytes.data,
					      p.mbytes.len, p.f, NF, &o, NULL), 0);
	job_at(&j[0], 0, a);
	job_at(&j[1], 1, b);
	CU_ASSERT_EQUAL(evmpkg_pkg_apply_all(pkg, j, 2), 1);
	CU_ASSERT_EQUAL(j[0].rc, 0);
	CU_ASSERT_TRUE(j[1].msg && strstr(j[1].msg, "demo-1: /bin/b: security.ima") != NULL);
	CU_ASSERT_TRUE(fgetxattr(fb, "security.evm", buf, sizeof(buf)) < 0);
	free(j[1].msg);
	evmpkg_pkg_free(pkg);
	/* Enforce: a package refused before applying has nothing written. */
	CU_ASSERT_EQUAL(fremovexattr(fa, "security.evm"), 0);
	p.f[2].ima = NULL;	/* /bin/c: unsigned, so never refused */
	p.f[1].digest = p.dig[1];	/* /bin/b: a package digest that does not match */
	p.f[1].digest_algo = EVMPKG_HASH_SHA256;
	p.dig[1][0] ^= 1;
	CU_ASSERT_EQUAL_FATAL(evmpkg_pkg_open(&pkg, "demo-1", EVMPKG_MF_PRESENT, p.mbytes.data,
					      p.mbytes.len, p.f, NF, &o, NULL), 0);
	job_at(&j[0], 0, a);
	job_at(&j[1], 2, d);
	CU_ASSERT_EQUAL(evmpkg_pkg_apply_all(pkg, j, 2), 1);
	CU_ASSERT_TRUE(j[0].msg && strstr(j[0].msg, "demo-1: /bin/b: security.ima") != NULL);
	CU_ASSERT_EQUAL(j[1].outcome, EVMPKG_A_UNSIGNED);
	CU_ASSERT_TRUE(fgetxattr(fa, "security.evm", buf, sizeof(buf)) < 0);
	free(j[0].msg);
	evmpkg_pkg_free(pkg);
	close(fa);
	close(fb);
	close(fd);
	unlink(a);
	unlink(b);
	unlink(d);
	pk_teardown(&p);
}

/* A manifest the caller decoded is taken over, not decoded again. */
static void test_open_decoded(void)
{
	struct evmpkg_pkgopts o = { .policy = EVMPKG_POLICY_ENFORCE };
	struct evmpkg_manifest m;
	struct evmpkg_fileresult r;
	struct evmpkg_pkg *pkg;
	struct pk p;

	pk_setup(&p, good_set);
	o.trust = p.trust;
	CU_ASSERT_EQUAL_FATAL(evmpkg_manifest_decode(p.mbytes.data, p.mbytes.len, &m, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_pkg_open_decoded(&pkg, "demo-1", &m, p.f, NF, &o, NULL), 0);
	CU_ASSERT_EQUAL(m.n, 0);
	CU_ASSERT_PTR_NULL(m.e);
	CU_ASSERT_EQUAL(evmpkg_pkg_nproblems(pkg), 0);
	evmpkg_pkg_file(pkg, 1, &r);
	CU_ASSERT_EQUAL(r.rc, 0);
	CU_ASSERT_TRUE(r.signed_evm);
	CU_ASSERT_EQUAL(evmpkg_pkg_wait_all(pkg), 0);
	evmpkg_pkg_free(pkg);
	evmpkg_manifest_free(&m);
	pk_teardown(&p);
}

/* Installed files against the manifest: codes per problem, nothing written. */
static void test_verify_all(void)
{
	struct evmpkg_pkgopts o = { .policy = EVMPKG_POLICY_ENFORCE, .nthreads = 2 };
	struct evmpkg_applyjob aj[2];
	struct evmpkg_verifyjob vj[3];
	struct evmpkg_pkg *pkg;
	char a[256], b[256], codes[EVMPKG_VERIFY_NCODES + 1];
	int fa, fb;
	struct pk p;

	pk_setup(&p, good_set);
	o.trust = p.trust;
	fa = file_of("A", a, sizeof(a));
	fb = file_of("B", b, sizeof(b));
	for (int i = 0; i < NF; i++) {
		p.f[i].digest = NULL;
		p.f[i].digest_algo = -1;
	}
	CU_ASSERT_EQUAL_FATAL(evmpkg_pkg_open(&pkg, "demo-1", EVMPKG_MF_PRESENT, p.mbytes.data,
					      p.mbytes.len, p.f, NF, &o, NULL), 0);
	vj[0] = (struct evmpkg_verifyjob){ .fx = 0, .path = a };
	vj[1] = (struct evmpkg_verifyjob){ .fx = 1, .path = b };
	vj[2] = (struct evmpkg_verifyjob){ .fx = 1, .path = "/nonexistent/evmpkg" };
	/* Before apply: values absent, the kernel would refuse; one missing. */
	CU_ASSERT_EQUAL(evmpkg_pkg_verify_all(pkg, vj, 3), 3);
	evmpkg_verify_codes(vj[0].problems, codes);
	CU_ASSERT_STRING_EQUAL(codes, "......IEV");
	CU_ASSERT_TRUE(vj[0].msg && strstr(vj[0].msg, "demo-1: /bin/a: security.ima is absent"));
	evmpkg_verify_codes(vj[2].problems, codes);
	CU_ASSERT_STRING_EQUAL(codes, "missing  ");
	CU_ASSERT_TRUE(fgetxattr(fa, "security.ima", codes, 1) < 0);	/* read-only */
	for (int i = 0; i < 3; i++)
		free(vj[i].msg);
	job_at(&aj[0], 0, a);
	job_at(&aj[1], 1, b);
	CU_ASSERT_EQUAL(evmpkg_pkg_apply_all(pkg, aj, 2), 0);
	CU_ASSERT_EQUAL(evmpkg_pkg_verify_all(pkg, vj, 2), 0);
	CU_ASSERT_PTR_NULL(vj[0].msg);
	/* Changed content, then a changed mode. */
	CU_ASSERT_EQUAL(pwrite(fb, "X", 1, 0), 1);
	CU_ASSERT_EQUAL(fchmod(fa, 0700), 0);
	CU_ASSERT_EQUAL(evmpkg_pkg_verify_all(pkg, vj, 2), 2);
	evmpkg_verify_codes(vj[1].problems, codes);
	CU_ASSERT_STRING_EQUAL(codes, "5.......V");
	evmpkg_verify_codes(vj[0].problems, codes);
	CU_ASSERT_STRING_EQUAL(codes, ".M......V");
	CU_ASSERT_TRUE(vj[0].msg && strstr(vj[0].msg, "/bin/a: mode"));
	for (int i = 0; i < 2; i++)
		free(vj[i].msg);
	evmpkg_pkg_free(pkg);
	close(fa);
	close(fb);
	unlink(a);
	unlink(b);
	pk_teardown(&p);
}

void suite_pkgcheck(void)
{
	CU_pSuite s = CU_add_suite("pkgcheck", NULL, NULL);

	ADD(s, test_good_package_same_in_both_modes);
	ADD(s, test_pairing_problems);
	ADD(s, test_bad_manifest_named);
	ADD(s, test_ima_only_checked);
	ADD(s, test_enforce_refuses_whole_package);
	ADD(s, test_hardlink_set);
	ADD(s, test_apply_writes_and_config);
	ADD(s, test_ima_only_entry_written);
	ADD(s, test_apply_all);
	ADD(s, test_open_decoded);
	ADD(s, test_verify_all);
}
