// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The core from many threads at once, sharing only read-only objects (the
 * trusted certificates, the keys, a decoded manifest, the accounts): every
 * thread repeats one round of calls and its results must equal those of
 * the same round run alone first. Run under ThreadSanitizer as
 * unit-tests-tsan, this is where a race in the core shows. CUnit is not
 * thread-safe, so threads only record what differs; the main thread
 * asserts.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "unit.h"

#define NTHREADS 12
#define ROUNDS 4
#define NENT 6

/* What every thread shares, read-only once set up. */
struct shared {
	struct evmpkg_key *rsa, *ec;
	struct evmpkg_trust *trust;
	struct evmpkg_accounts *acc;
	struct evmpkg_buf mbytes;	/* the encoded manifest */
	struct evmpkg_manifest m;	/* the same, decoded */
	uint8_t dig[NENT][32];		/* content digests */
	char paths[NENT][32];
	char data[256];			/* a file hashed by everyone */
	int datafd;			/* and one fd on it, read with pread */
	char ksroot[256];		/* a securityfs look-alike */
	char pw[256], gr[256];
};

/* One thread's files for the engine, with the package's contents. */
struct files {
	char path[NENT][256];
};

/* Everything one round computes; compared field by field. */
struct result {
	uint8_t built[EVMPKG_SIG_MAX];
	long built_len;
	uint8_t parsed[4];		/* type, algo, keyid tail, parse rc */
	size_t parsed_len;
	char hex[2 * 300 + 1];
	int unhex_same;
	uint8_t evmdig[NENT][EVMPKG_MAX_DIGEST];
	size_t evmdig_len[NENT];
	int vrc[NENT][4];		/* ima, evm, evm flipped, ima of another file */
	uint8_t rsasig[EVMPKG_SIG_MAX];
	size_t rsasig_len;
	int ec_rc[2];			/* sign, verify */
	uint8_t pair_ima[EVMPKG_SIG_MAX], pair_evm[EVMPKG_SIG_MAX];
	size_t pair_len[2];
	int mf_rc;
	size_t mf_n;
	int mf_same_bytes;
	long found[NENT + 1];
	int open_rc;
	size_t nproblems, refused, apply_failed, verify_failed;
	int apply_rc[NENT], outcome[NENT];
	unsigned problems[NENT];
	int xattrs_same[NENT];
	int vfd[3];			/* rc, ima, evm */
	int ks_rc[2];
	struct evmpkg_kstate ks[2];
	int id_rc[4];
	uint32_t id[4];
	uint8_t filedig[2][EVMPKG_MAX_DIGEST];
	size_t filedig_len[2];
	uint8_t bufdig[EVMPKG_MAX_DIGEST];
	int caps_rc[2];
	uint8_t caps[EVMPKG_CAPS_MAX];
	size_t caps_len;
	char caps_text[64];
};

static const char *content(int i)
{
	static const char *const c[NENT] = { "alpha", "beta", "gamma", "delta",
					     "epsilon", "zeta" };
	return c[i];
}

static int write_text(char *path, size_t n, const char *text, mode_t mode)
{
	int fd = unit_tmpfile(path, n);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchmod(fd, mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int files_make(struct files *f)
{
	for (int i = 0; i < NENT; i++) {
		int fd = write_text(f->path[i], sizeof(f->path[i]), content(i), 0755);

		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static void files_remove(struct files *f)
{
	for (int i = 0; i < NENT; i++)
		unlink(f->path[i]);
}

/* The engine over the thread's own files: apply, then verify. */
static void round_engine(const struct shared *s, const struct files *f, int round,
			 struct result *r)
{
	struct evmpkg_pkgopts o = { .policy = EVMPKG_POLICY_ENFORCE, .trust = s->trust,
				    .background = round % 2, .nthreads = 2,
				    .manifest_field = "manifest" };
	struct evmpkg_pkgfile pf[NENT];
	struct evmpkg_applyjob aj[NENT];
	struct evmpkg_verifyjob vj[NENT];
	struct evmpkg_pkg *pkg = NULL;
	uint8_t buf[EVMPKG_SIG_MAX];

	for (int i = 0; i < NENT; i++) {
		struct stat st;

		/* Every other round without package digests: content hashed. */
		pf[i] = (struct evmpkg_pkgfile){ .path = s->paths[i], .flags = EVMPKG_PF_REG,
						 .hardlink_group = -1, .digest_algo = -1 };
		if (round % 2 == 0) {
			pf[i].digest = s->dig[i];
			pf[i].digest_len = 32;
			pf[i].digest_algo = EVMPKG_HASH_SHA256;
		}
		removexattr(f->path[i], "security.evm");
		removexattr(f->path[i], "security.ima");
		memset(&st, 0, sizeof(st));
		lstat(f->path[i], &st);
		aj[i] = (struct evmpkg_applyjob){ .fx = (size_t)i, .path = f->path[i],
						  .dev = st.st_dev, .ino = st.st_ino };
		vj[i] = (struct evmpkg_verifyjob){ .fx = (size_t)i, .path = f->path[i] };
	}
	r->open_rc = evmpkg_pkg_open(&pkg, "threads-1", EVMPKG_MF_PRESENT, s->mbytes.data,
				     s->mbytes.len, pf, NENT, &o, NULL);
	if (r->open_rc)
		return;
	r->nproblems = evmpkg_pkg_nproblems(pkg);
	r->refused = evmpkg_pkg_wait_all(pkg);
	r->apply_failed = evmpkg_pkg_apply_all(pkg, aj, NENT);
	r->verify_failed = evmpkg_pkg_verify_all(pkg, vj, NENT);
	for (int i = 0; i < NENT; i++) {
		const struct evmpkg_mentry *e = evmpkg_manifest_find(&s->m, s->paths[i]);
		ssize_t n;

		r->apply_rc[i] = aj[i].rc;
		r->outcome[i] = aj[i].outcome;
		r->problems[i] = vj[i].problems;
		free(aj[i].msg);
		free(vj[i].msg);
		n = getxattr(f->path[i], "security.evm", buf, sizeof(buf));
		if (!e)
			continue;
		r->xattrs_same[i] = n == (ssize_t)e->evm_len && !memcmp(buf, e->evm, e->evm_len);
		n = getxattr(f->path[i], "security.ima", buf, sizeof(buf));
		r->xattrs_same[i] &= n == (ssize_t)e->ima_len && !memcmp(buf, e->ima, e->ima_len);
	}
	evmpkg_pkg_free(pkg);
	{
		struct evmpkg_fileverdict v;
		int fd = open(f->path[round % 2], O_RDONLY);

		r->vfd[0] = evmpkg_verify_fd(fd, s->trust, &v, NULL);
		r->vfd[1] = v.ima;
		r->vfd[2] = v.evm;
		close(fd);
	}
}

/* Formats, digests, signatures: everything but the engine. */
static void round_values(const struct shared *s, int round, struct result *r)
{
	const struct evmpkg_mentry *e0 = &s->m.e[0];
	struct evmpkg_sig sig;
	uint8_t raw[300];

	/* sigformat: the first entry's EVM signature rebuilt and parsed. */
	if (evmpkg_sig_parse(e0->evm, e0->evm_len, 1, &sig, NULL) == 0) {
		r->built_len = evmpkg_sig_build(sig.type, sig.hash_algo, sig.keyid, sig.sig,
						sig.sig_len, r->built, sizeof(r->built));
		evmpkg_hex_encode(sig.sig, sig.sig_len, r->hex);
		r->unhex_same = evmpkg_hex_decode(r->hex, raw, sig.sig_len, EVMPKG_HEX_LOWER,
						  NULL) == 0 && !memcmp(raw, sig.sig, sig.sig_len);
	}
	if (r->built_len > 0) {
		r->parsed[3] = (uint8_t)evmpkg_sig_parse(r->built, (size_t)r->built_len, 1,
							 &sig, NULL);
		r->parsed[0] = sig.type;
		r->parsed[1] = sig.hash_algo;
		r->parsed[2] = (uint8_t)sig.keyid;
		r->parsed_len = sig.sig_len;
	}
	/* EVM digests and both signatures of every entry, with the shared trust. */
	for (int i = 0; i < NENT; i++) {
		const struct evmpkg_mentry *e = &s->m.e[i];
		struct evmpkg_evm_input in;
		struct evmpkg_sig is, es;

		evmpkg_entry_evm_input(e, &in);
		evmpkg_evm_digest(EVMPKG_HASH_SHA256, &in, r->evmdig[i], &r->evmdig_len[i], NULL);
		if (evmpkg_sig_parse(e->ima, e->ima_len, 0, &is, NULL) ||
		    evmpkg_sig_parse(e->evm, e->evm_len, 1, &es, NULL)) {
			r->vrc[i][0] = -1;
			continue;
		}
		r->vrc[i][0] = evmpkg_trust_verify(s->trust, &is, s->dig[i], 32, NULL);
		r->vrc[i][1] = evmpkg_trust_verify(s->trust, &es, r->evmdig[i],
						   r->evmdig_len[i], NULL);
		r->evmdig[i][0] ^= 1;
		r->vrc[i][2] = evmpkg_trust_verify(s->trust, &es, r->evmdig[i],
						   r->evmdig_len[i], NULL);
		r->evmdig[i][0] ^= 1;
		/* Another file's content digest is refused. */
		r->vrc[i][3] = evmpkg_sig_verdict(s->trust, &is, s->dig[(i + 1) % NENT], 32, NULL);
	}
	/* Signing with the shared keys: RSA is deterministic, ECDSA is not. */
	evmpkg_key_sign(s->rsa, EVMPKG_IMA_DIGSIG, EVMPKG_HASH_SHA256, s->dig[1], 32,
			r->rsasig, sizeof(r->rsasig), &r->rsasig_len, NULL);
	{
		uint8_t ev[EVMPKG_SIG_MAX];
		size_t n = 0;
		struct evmpkg_sig es;

		r->ec_rc[0] = evmpkg_key_sign(s->ec, EVMPKG_EVM_PORTABLE, EVMPKG_HASH_SHA256,
					      s->dig[2], 32, ev, sizeof(ev), &n, NULL);
		r->ec_rc[1] = r->ec_rc[0] ? -1 : evmpkg_sig_parse(ev, n, 1, &es, NULL) ? -2 :
			evmpkg_trust_verify(s->trust, &es, s->dig[2], 32, NULL);
	}
	{
		struct evmpkg_mentry e = { .path = (char *)s->paths[3], .mode = 0100755 };
		struct evmpkg_sigpair sp;

		if (evmpkg_sign_entry(s->rsa, EVMPKG_HASH_SHA256, EVMPKG_IMA_SIG, s->dig[3], 32,
				      &e, &sp, NULL) == 0) {
			memcpy(r->pair_ima, sp.ima, sp.ima_len);
			memcpy(r->pair_evm, sp.evm, sp.evm_len);
			r->pair_len[0] = sp.ima_len;
			r->pair_len[1] = sp.evm_len;
		}
	}
}

/* Manifest, kernel state, accounts, hashing, capabilities. */
static void round_lookups(const struct shared *s, struct result *r)
{
	struct evmpkg_manifest m;
	struct evmpkg_buf b;
	char path[256];
	int fd;

	r->mf_rc = evmpkg_manifest_decode(s->mbytes.data, s->mbytes.len, &m, NULL);
	if (r->mf_rc == 0) {
		r->mf_n = m.n;
		evmpkg_buf_init(&b);
		r->mf_same_bytes = evmpkg_manifest_encode(&m, &b, NULL) == 0 &&
				   b.len == s->mbytes.len &&
				   !memcmp(b.data, s->mbytes.data, b.len);
		evmpkg_buf_free(&b);
		evmpkg_manifest_free(&m);
	}
	for (int i = 0; i <= NENT; i++) {
		const struct evmpkg_mentry *e =
			evmpkg_manifest_find(&s->m, i < NENT ? s->paths[i] : "/usr/bin/none");

		r->found[i] = e ? e - s->m.e : -1;
	}
	r->ks_rc[0] = evmpkg_kstate_probe(s->ksroot, &r->ks[0], NULL);
	r->ks_rc[1] = evmpkg_kstate_probe(NULL, &r->ks[1], NULL);
	r->id_rc[0] = evmpkg_accounts_uid(s->acc, "foo", &r->id[0]);
	r->id_rc[1] = evmpkg_accounts_gid(s->acc, "wheel", &r->id[1]);
	r->id_rc[2] = evmpkg_accounts_uid(s->acc, "root", &r->id[2]);
	r->id_rc[3] = evmpkg_accounts_uid(s->acc, "nobody", &r->id[3]);
	/* One file hashed through its own fd and through the shared one. */
	snprintf(path, sizeof(path), "%s", s->data);
	fd = open(path, O_RDONLY);
	evmpkg_file_digest(fd, EVMPKG_HASH_SHA512, r->filedig[0], &r->filedig_len[0], NULL);
	close(fd);
	evmpkg_file_digest(s->datafd, EVMPKG_HASH_SHA512, r->filedig[1], &r->filedig_len[1],
			   NULL);
	evmpkg_digest(EVMPKG_HASH_SHA256, content(4), strlen(content(4)), r->bufdig,
		      &(size_t){ 0 }, NULL);
	r->caps_rc[0] = evmpkg_caps_from_text("cap_net_raw,cap_sys_admin=ep", r->caps,
					      &r->caps_len, NULL);
	{
		char *t = NULL;

		r->caps_rc[1] = evmpkg_caps_to_text(r->caps, r->caps_len, &t, NULL);
		if (t)
			snprintf(r->caps_text, sizeof(r->caps_text), "%s", t);
		free(t);
	}
}

static void round_all(const struct shared *s, const struct files *f, int round,
		      struct result *r)
{
	memset(r, 0, sizeof(*r));
	round_values(s, round, r);
	round_lookups(s, r);
	round_engine(s, f, round, r);
}

/* The first field that differs, or NULL. */
static const char *differs(const struct result *a, const struct result *b)
{
#define SAME(f) do { if (memcmp(&a->f, &b->f, sizeof(a->f))) return #f; } while (0)
	SAME(built); SAME(built_len); SAME(parsed); SAME(parsed_len); SAME(hex);
	SAME(unhex_same); SAME(evmdig); SAME(evmdig_len); SAME(vrc); SAME(rsasig);
	SAME(rsasig_len); SAME(ec_rc); SAME(pair_ima); SAME(pair_evm); SAME(pair_len);
	SAME(mf_rc); SAME(mf_n); SAME(mf_same_bytes); SAME(found); SAME(open_rc);
	SAME(nproblems); SAME(refused); SAME(apply_failed); SAME(verify_failed);
	SAME(apply_rc); SAME(outcome); SAME(problems); SAME(xattrs_same); SAME(vfd);
	SAME(ks_rc); SAME(ks); SAME(id_rc); SAME(id); SAME(filedig); SAME(filedig_len);
	SAME(bufdig); SAME(caps_rc); SAME(caps); SAME(caps_len); SAME(caps_text);
#undef SAME
	return NULL;
}

struct worker {
	pthread_t th;
	const struct shared *s;
	const struct result *want[2];	/* for even and odd rounds */
	int bad;			/* rounds that differ */
	int setup_failed;
	char why[128];
};

static pthread_barrier_t start;

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct result *r = malloc(sizeof(*r));
	struct files f;

	w->setup_failed = !r || files_make(&f) != 0;
	/* Every thread starts its rounds together, to overlap them. */
	pthread_barrier_wait(&start);
	if (w->setup_failed) {
		free(r);
		return NULL;
	}
	for (int round = 0; round < ROUNDS; round++) {
		const char *d;

		round_all(w->s, &f, round, r);
		d = differs(r, w->want[round % 2]);
		if (d && !w->bad++)
			snprintf(w->why, sizeof(w->why), "round %d: %s", round, d);
	}
	files_remove(&f);
	free(r);
	return NULL;
}

static int shared_setup(struct shared *s)
{
	struct evmpkg_manifest m;
	struct evmpkg_sigpair sp[NENT];
	int fd;

	memset(s, 0, sizeof(*s));
	s->datafd = -1;
	if (evmpkg_key_load(unit_data("rsa.pem"), NULL, NULL, &s->rsa, NULL) ||
	    evmpkg_key_load(unit_data("ec.pem"), NULL, NULL, &s->ec, NULL) ||
	    evmpkg_trust_new(&s->trust, NULL) ||
	    evmpkg_trust_add_file(s->trust, unit_data("rsa.der"), EVMPKG_TRUST_BOTH, NULL) ||
	    evmpkg_trust_add_file(s->trust, unit_data("ec.crt"), EVMPKG_TRUST_EVM, NULL))
		return -1;
	evmpkg_manifest_init(&m);
	for (int i = 0; i < NENT; i++) {
		struct evmpkg_mentry e = { .path = s->paths[i], .mode = 0100755 };

		snprintf(s->paths[i], sizeof(s->paths[i]), "/usr/bin/t%d", i);
		if (evmpkg_digest(EVMPKG_HASH_SHA256, content(i), strlen(content(i)), s->dig[i],
				  &(size_t){ 0 }, NULL) ||
		    evmpkg_sign_entry(s->rsa, EVMPKG_HASH_SHA256, EVMPKG_IMA_SIG, s->dig[i], 32,
				      &e, &sp[i], NULL) ||
		    evmpkg_manifest_add(&m, &e, NULL))
			return -1;
	}
	evmpkg_buf_init(&s->mbytes);
	if (evmpkg_manifest_encode(&m, &s->mbytes, NULL))
		return -1;
	evmpkg_manifest_free(&m);
	if (evmpkg_manifest_decode(s->mbytes.data, s->mbytes.len, &s->m, NULL))
		return -1;
	/* 1 MiB, so threads hash it at the same time. */
	fd = unit_tmpfile(s->data, sizeof(s->data));
	for (int i = 0; fd >= 0 && i < 1024; i++) {
		char blk[1024];

		memset(blk, 'a' + i % 26, sizeof(blk));
		if (write(fd, blk, sizeof(blk)) != (ssize_t)sizeof(blk))
			return -1;
	}
	s->datafd = fd;
	snprintf(s->ksroot, sizeof(s->ksroot), "/var/tmp/evmpkg-threads-XXXXXX");
	if (fd < 0 || !mkdtemp(s->ksroot))
		return -1;
	{
		char p[512];
		FILE *f;

		snprintf(p, sizeof(p), "%s/evm", s->ksroot);
		if (!(f = fopen(p, "w")))
			return -1;
		fputs("2\n", f);
		fclose(f);
		snprintf(p, sizeof(p), "%s/ima", s->ksroot);
		mkdir(p, 0755);
		snprintf(p, sizeof(p), "%s/ima/policy", s->ksroot);
		if (!(f = fopen(p, "w")))
			return -1;
		fputs("appraise func=BPRM_CHECK appraise_type=imasig\n", f);
		fclose(f);
	}
	fd = write_text(s->pw, sizeof(s->pw), "root:x:0:0::/:/bin/sh\nfoo:x:1234:1234::/:/bin/sh\n",
			0644);
	if (fd < 0)
		return -1;
	close(fd);
	fd = write_text(s->gr, sizeof(s->gr), "root:x:0:\nwheel:x:10:foo\n", 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return evmpkg_accounts_load(s->pw, s->gr, &s->acc, NULL) ? -1 : 0;
}

static void shared_teardown(struct shared *s)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/ima/policy", s->ksroot);
	unlink(p);
	snprintf(p, sizeof(p), "%s/ima", s->ksroot);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/evm", s->ksroot);
	unlink(p);
	rmdir(s->ksroot);
	if (s->datafd >= 0)
		close(s->datafd);
	unlink(s->data);
	unlink(s->pw);
	unlink(s->gr);
	evmpkg_accounts_free(s->acc);
	evmpkg_manifest_free(&s->m);
	evmpkg_buf_free(&s->mbytes);
	evmpkg_trust_free(s->trust);
	evmpkg_key_free(s->rsa);
	evmpkg_key_free(s->ec);
}

/* The single-thread results must be right too, not only repeatable. */
static void check_reference(const struct result *r)
{
	CU_ASSERT_TRUE(r->built_len > EVMPKG_SIG_HDR_LEN);
	CU_ASSERT_EQUAL(r->parsed[0], EVMPKG_EVM_PORTABLE);
	CU_ASSERT_EQUAL(r->parsed[3], 0);
	CU_ASSERT_TRUE(r->unhex_same);
	for (int i = 0; i < NENT; i++) {
		CU_ASSERT_EQUAL(r->vrc[i][0], 0);
		CU_ASSERT_EQUAL(r->vrc[i][1], 0);
		CU_ASSERT_EQUAL(r->vrc[i][2], EVMPKG_EVERIFY);
		CU_ASSERT_EQUAL(r->vrc[i][3], EVMPKG_V_BAD);
		CU_ASSERT_EQUAL(r->found[i], i);
		CU_ASSERT_EQUAL(r->apply_rc[i], 0);
		CU_ASSERT_EQUAL(r->outcome[i], EVMPKG_A_APPLIED);
		CU_ASSERT_EQUAL(r->problems[i], 0);
		CU_ASSERT_TRUE(r->xattrs_same[i]);
	}
	CU_ASSERT_EQUAL(r->found[NENT], -1);
	CU_ASSERT_EQUAL(r->rsasig_len, 265);
	CU_ASSERT_EQUAL(r->ec_rc[0], 0);
	CU_ASSERT_EQUAL(r->ec_rc[1], 0);
	CU_ASSERT_TRUE(r->pair_len[0] > 0 && r->pair_len[1] > 0);
	CU_ASSERT_EQUAL(r->mf_rc, 0);
	CU_ASSERT_EQUAL(r->mf_n, NENT);
	CU_ASSERT_TRUE(r->mf_same_bytes);
	CU_ASSERT_EQUAL(r->open_rc, 0);
	CU_ASSERT_EQUAL(r->nproblems + r->refused + r->apply_failed + r->verify_failed, 0);
	CU_ASSERT_EQUAL(r->vfd[0], 0);
	CU_ASSERT_EQUAL(r->vfd[1], EVMPKG_V_VERIFIED);
	CU_ASSERT_EQUAL(r->vfd[2], EVMPKG_V_VERIFIED);
	CU_ASSERT_EQUAL(r->ks_rc[0], 0);
	CU_ASSERT_EQUAL(r->ks[0].mode, EVMPKG_MODE_X509);
	CU_ASSERT_EQUAL(r->ks[0].ima_appraise_rules, 1);
	CU_ASSERT_EQUAL(r->id_rc[0] | r->id_rc[1] | r->id_rc[2], 0);
	CU_ASSERT_EQUAL(r->id[0], 1234);
	CU_ASSERT_EQUAL(r->id[1], 10);
	CU_ASSERT_EQUAL(r->id_rc[3], -1);
	CU_ASSERT_EQUAL(r->filedig_len[1], 64);
	CU_ASSERT_EQUAL(memcmp(r->filedig[0], r->filedig[1], 64), 0);
	CU_ASSERT_EQUAL(r->caps_rc[0] | r->caps_rc[1], 0);
	CU_ASSERT_EQUAL(r->caps_len, EVMPKG_CAPS_V2_LEN);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->caps_text, "cap_net_raw"));
}

static void test_core_from_many_threads(void)
{
	static struct result want[2];
	struct worker w[NTHREADS];
	struct files f;
	struct shared s;
	int started = 0;

	CU_ASSERT_EQUAL_FATAL(shared_setup(&s), 0);
	CU_ASSERT_EQUAL_FATAL(files_make(&f), 0);
	/* Alone first: both kinds of round (with and without package digests). */
	round_all(&s, &f, 0, &want[0]);
	round_all(&s, &f, 1, &want[1]);
	files_remove(&f);
	check_reference(&want[0]);
	check_reference(&want[1]);
	CU_ASSERT_PTR_NULL(differs(&want[0], &want[1]));
	CU_ASSERT_EQUAL_FATAL(pthread_barrier_init(&start, NULL, NTHREADS), 0);
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .s = &s, .want = { &want[0], &want[1] } };
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) == 0)
			started++;
	}
	CU_ASSERT_EQUAL_FATAL(started, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].th, NULL);
		CU_ASSERT_FALSE(w[i].setup_failed);
		if (w[i].bad)
			fprintf(stderr, "thread %d: %d rounds differ, first %s\n", i, w[i].bad,
				w[i].why);
		CU_ASSERT_EQUAL(w[i].bad, 0);
	}
	pthread_barrier_destroy(&start);
	shared_teardown(&s);
}

void suite_threads(void)
{
	CU_pSuite s = CU_add_suite("threads", NULL, NULL);

	ADD(s, test_core_from_many_threads);
}
