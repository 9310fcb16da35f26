// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "unit.h"

static const uint8_t label[] = "system_u:object_r:bin_t:s0";
static const uint8_t caps[20] = { 1, 0, 0, 2, 0, 0x20 };	/* cap_net_raw+ep */

struct fx {
	char path[256];
	int fd;
	struct evmpkg_key *key;
	struct evmpkg_trust *trust;
	struct evmpkg_mentry e;
	struct evmpkg_sigpair sp;
	uint8_t cdig[64];
	size_t cdlen;
};

/* A new file with content, and an entry signed for root-less metadata. */
static void setup(struct fx *f, const char *content, uint32_t mode)
{
	memset(f, 0, sizeof(*f));
	f->fd = unit_tmpfile(f->path, sizeof(f->path));
	CU_ASSERT_TRUE_FATAL(f->fd >= 0);
	CU_ASSERT_EQUAL(write(f->fd, content, strlen(content)), (ssize_t)strlen(content));
	CU_ASSERT_EQUAL_FATAL(evmpkg_key_load(unit_data("rsa.pem"), NULL, NULL, &f->key, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_new(&f->trust, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_trust_add_file(f->trust, unit_data("rsa.der"), EVMPKG_TRUST_BOTH, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_file_digest(f->fd, 4, f->cdig, &f->cdlen, NULL), 0);
	f->e = (struct evmpkg_mentry){
		.path = f->path, .uid = 1000, .gid = 1001, .mode = mode,
		.label = (uint8_t *)label, .label_len = sizeof(label),
		.caps = (uint8_t *)caps, .caps_len = sizeof(caps),
	};
	CU_ASSERT_EQUAL_FATAL(evmpkg_sign_entry(f->key, 4, EVMPKG_IMA_SIG, f->cdig,
						f->cdlen, &f->e, &f->sp, NULL), 0);
}

static void teardown(struct fx *f)
{
	close(f->fd);
	unlink(f->path);
	evmpkg_key_free(f->key);
	evmpkg_trust_free(f->trust);
}

static int has_xattr(const char *path, const char *name)
{
	return getxattr(path, name, NULL, 0) >= 0;
}

static void test_apply_all_steps_then_idempotent(void)
{
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_ENFORCE,
				     .set_owner_mode = 1 };
	struct evmpkg_seq_report r;
	struct evmpkg_fileverdict v;
	struct fx f;
	struct stat st;

	setup(&f, "#!/bin/sh\necho hi\n", 0104755);
	o.trust = f.trust;
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, NULL), 0);
	for (int i = 0; i < EVMPKG_NSTEPS; i++)
		CU_ASSERT_EQUAL(r.step[i], EVMPKG_ST_WRITTEN);
	CU_ASSERT_EQUAL(r.ima, EVMPKG_V_VERIFIED);
	CU_ASSERT_EQUAL(r.evm, EVMPKG_V_VERIFIED);
	fstat(f.fd, &st);
	CU_ASSERT_EQUAL(st.st_uid, 1000);
	CU_ASSERT_EQUAL(st.st_gid, 1001);
	/* setuid survived the chown because chmod came after it */
	CU_ASSERT_EQUAL(st.st_mode & 0xffff, 0104755);
	/* caps survived because they came after chown (killpriv) */
	CU_ASSERT_TRUE(has_xattr(f.path, "security.capability"));
	/* What the kernel would check now verifies. */
	CU_ASSERT_EQUAL(evmpkg_verify_fd(f.fd, f.trust, &v, NULL), 0);
	CU_ASSERT_EQUAL(v.ima, EVMPKG_V_VERIFIED);
	CU_ASSERT_EQUAL(v.evm, EVMPKG_V_VERIFIED);
	/* Second run: nothing left to write. */
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, NULL), 0);
	for (int i = 0; i < EVMPKG_NSTEPS; i++)
		CU_ASSERT_EQUAL(r.step[i], EVMPKG_ST_NONE);
	/* A later chmod is seen by verify. */
	fchmod(f.fd, 0755);
	CU_ASSERT_EQUAL(evmpkg_verify_fd(f.fd, f.trust, &v, NULL), 0);
	CU_ASSERT_EQUAL(v.evm, EVMPKG_V_BAD);
	teardown(&f);
}

static void assert_nothing_written(struct fx *f)
{
	struct stat st;

	fstat(f->fd, &st);
	CU_ASSERT_NOT_EQUAL(st.st_uid, 1000);
	CU_ASSERT_FALSE(has_xattr(f->path, "security.ima"));
	CU_ASSERT_FALSE(has_xattr(f->path, "security.evm"));
	CU_ASSERT_FALSE(has_xattr(f->path, "security.capability"));
	CU_ASSERT_FALSE(has_xattr(f->path, "security.selinux"));
}

static void test_enforce_untrusted_key(void)
{
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_ENFORCE,
				     .set_owner_mode = 1 };
	struct evmpkg_seq_report r;
	struct evmpkg_trust *other;
	struct evmpkg_err err = { 0 };
	struct fx f;

	setup(&f, "content", 0100644);
	evmpkg_trust_new(&other, NULL);
	evmpkg_trust_add_file(other, unit_data("other.crt"), EVMPKG_TRUST_BOTH, NULL);
	o.trust = other;
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), EVMPKG_ENOKEY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "security.ima"));
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_EVM], EVMPKG_ST_SKIPPED);
	assert_nothing_written(&f);
	evmpkg_trust_free(other);
	teardown(&f);
}

static void test_enforce_tampered_content(void)
{
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_ENFORCE,
				     .set_owner_mode = 1 };
	struct evmpkg_seq_report r;
	struct evmpkg_err err = { 0 };
	struct fx f;

	setup(&f, "content", 0100644);
	o.trust = f.trust;
	CU_ASSERT_EQUAL(pwrite(f.fd, "X", 1, 0), 1);
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), EVMPKG_EVERIFY);
	CU_ASSERT_EQUAL(r.ima, EVMPKG_V_BAD);
	assert_nothing_written(&f);
	teardown(&f);
}

static void test_enforce_and_warn_mode_mismatch(void)
{
	/* rpm sets owner and mode itself: they must match what was signed. */
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_ENFORCE };
	struct evmpkg_seq_report r;
	struct evmpkg_err err = { 0 };
	struct fx f;

	setup(&f, "content", 0100644);
	f.e.label = NULL;
	f.e.label_len = 0;
	f.e.caps = NULL;
	f.e.caps_len = 0;
	f.e.uid = f.e.gid = 0;
	CU_ASSERT_EQUAL_FATAL(evmpkg_sign_entry(f.key, 4, EVMPKG_IMA_SIG, f.cdig,
						f.cdlen, &f.e, &f.sp, NULL), 0);
	o.trust = f.trust;
	CU_ASSERT_EQUAL(fchown(f.fd, 0, 0), 0);
	CU_ASSERT_EQUAL(fchmod(f.fd, 0600), 0);
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), EVMPKG_EMISMATCH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "mode 100600 on disk, 100644 signed"));
	CU_ASSERT_FALSE(has_xattr(f.path, "security.ima"));
	/* warn: security.ima written, security.evm withheld, reported. */
	o.policy = EVMPKG_POLICY_WARN;
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), 0);
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_IMA], EVMPKG_ST_WRITTEN);
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_EVM], EVMPKG_ST_SKIPPED);
	CU_ASSERT_FALSE(r.metadata_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "mode"));
	CU_ASSERT_TRUE(has_xattr(f.path, "security.ima"));
	CU_ASSERT_FALSE(has_xattr(f.path, "security.evm"));
	/* With the mode as signed, the same entry applies fully. */
	fchmod(f.fd, 0644);
	o.policy = EVMPKG_POLICY_ENFORCE;
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), 0);
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_IMA], EVMPKG_ST_NONE);
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_EVM], EVMPKG_ST_WRITTEN);
	teardown(&f);
}

static void test_uncovered_xattr(void)
{
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_ENFORCE,
				     .set_owner_mode = 1 };
	struct evmpkg_seq_report r;
	struct evmpkg_err err = { 0 };
	struct fx f;

	setup(&f, "content", 0100644);
	o.trust = f.trust;
	CU_ASSERT_EQUAL(fsetxattr(f.fd, "security.apparmor", "x", 1, 0), 0);
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), EVMPKG_EMISMATCH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "security.apparmor"));
	CU_ASSERT_FALSE(has_xattr(f.path, "security.evm"));
	teardown(&f);
}

static void test_dry_run_off_and_form_only(void)
{
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_ENFORCE,
				     .set_owner_mode = 1, .dry_run = 1 };
	struct evmpkg_seq_report r;
	struct fx f;

	setup(&f, "content", 0100644);
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, NULL), 0);
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_EVM], EVMPKG_ST_PLANNED);
	CU_ASSERT_EQUAL(r.ima, EVMPKG_V_FORM_ONLY);
	CU_ASSERT_EQUAL(r.evm, EVMPKG_V_FORM_ONLY);
	assert_nothing_written(&f);
	o.dry_run = 0;
	o.policy = EVMPKG_POLICY_OFF;
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, NULL), 0);
	assert_nothing_written(&f);
	teardown(&f);
}

static void test_caps_removed_when_unsigned(void)
{
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_ENFORCE,
				     .set_owner_mode = 1 };
	struct evmpkg_seq_report r;
	struct fx f;

	setup(&f, "content", 0100755);
	f.e.caps = NULL;
	f.e.caps_len = 0;
	CU_ASSERT_EQUAL_FATAL(evmpkg_sign_entry(f.key, 4, EVMPKG_IMA_HASH, f.cdig,
						f.cdlen, &f.e, &f.sp, NULL), 0);
	CU_ASSERT_EQUAL(fsetxattr(f.fd, "security.capability", caps, sizeof(caps), 0), 0);
	o.trust = f.trust;
	{
		struct evmpkg_err err = { 0 };

		CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), 0);
		if (err.msg[0])
			fprintf(stderr, "caps removal: %s\n", err.msg);
	}
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_CAPS], EVMPKG_ST_WRITTEN);
	CU_ASSERT_FALSE(has_xattr(f.path, "security.capability"));
	CU_ASSERT_EQUAL(r.ima, EVMPKG_V_VERIFIED);	/* digest matches content */
	teardown(&f);
}

static void test_verify_entry_without_file(void)
{
	struct evmpkg_checked c;
	struct fx f;
	struct evmpkg_err err = { 0 };

	setup(&f, "content", 0100644);
	CU_ASSERT_EQUAL(evmpkg_check_parse(&c, &f.e, NULL, 0, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_check_ima(&c, f.trust, 4, f.cdig, f.cdlen, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_check_evm(&c, f.trust, NULL), 0);
	CU_ASSERT_EQUAL(c.ima_v, EVMPKG_V_VERIFIED);
	CU_ASSERT_TRUE(c.ima_content);
	CU_ASSERT_EQUAL(c.evm_v, EVMPKG_V_VERIFIED);
	f.e.uid = 0;	/* signed for 1000 */
	CU_ASSERT_EQUAL(evmpkg_check_evm(&c, f.trust, &err), EVMPKG_EVERIFY);
	CU_ASSERT_EQUAL(c.evm_v, EVMPKG_V_BAD);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "security.evm"));
	/* A digest of another algorithm leaves IMA to be judged on the content. */
	CU_ASSERT_EQUAL(evmpkg_check_ima(&c, f.trust, EVMPKG_HASH_SHA512, f.cdig, 64, NULL), 0);
	CU_ASSERT_EQUAL(c.ima_v, EVMPKG_V_FORM_ONLY);
	CU_ASSERT_FALSE(c.ima_content);
	teardown(&f);
}

/* warn: nothing that failed verification is written, not even metadata. */
static void test_warn_tampered_writes_nothing(void)
{
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_WARN,
				     .set_owner_mode = 1 };
	struct evmpkg_seq_report r;
	struct evmpkg_err err = { 0 };
	struct fx f;

	setup(&f, "content", 0100644);
	o.trust = f.trust;
	CU_ASSERT_EQUAL(pwrite(f.fd, "X", 1, 0), 1);
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), 0);
	CU_ASSERT_EQUAL(r.ima, EVMPKG_V_BAD);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.msg, "security.ima"));
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_IMA], EVMPKG_ST_SKIPPED);
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_EVM], EVMPKG_ST_SKIPPED);
	assert_nothing_written(&f);
	teardown(&f);
}

/* Earlier verdicts cover only the digest they were made with. */
static void test_preverified_other_algorithm(void)
{
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_ENFORCE,
				     .set_owner_mode = 1 };
	struct evmpkg_seq_report r;
	struct evmpkg_err err = { 0 };
	struct evmpkg_checked c;
	uint8_t d512[64] = { 0 };
	struct fx f;

	setup(&f, "content", 0100644);
	o.trust = f.trust;
	/* Judged before the file existed, on a header digest of another algorithm. */
	CU_ASSERT_EQUAL(evmpkg_check_parse(&c, &f.e, NULL, 0, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_check_ima(&c, f.trust, EVMPKG_HASH_SHA512, d512, 64, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_check_evm(&c, f.trust, NULL), 0);
	CU_ASSERT_EQUAL(pwrite(f.fd, "X", 1, 0), 1);
	CU_ASSERT_EQUAL(evmpkg_seq_apply_checked(f.fd, &c, NULL, &o, &r, &err), EVMPKG_EVERIFY);
	CU_ASSERT_EQUAL(r.ima, EVMPKG_V_BAD);
	assert_nothing_written(&f);
	teardown(&f);
}

/* set_caps alone: owner and mode are the installer's, caps are written. */
static void test_set_caps_only(void)
{
	struct evmpkg_seq_opts o = { .policy = EVMPKG_POLICY_ENFORCE, .set_caps = 1 };
	struct evmpkg_seq_report r;
	struct evmpkg_err err = { 0 };
	struct fx f;

	setup(&f, "content", 0100755);
	o.trust = f.trust;
	f.e.label = NULL;	/* no SELinux label to set here */
	f.e.label_len = 0;
	CU_ASSERT_EQUAL_FATAL(evmpkg_sign_entry(f.key, 4, EVMPKG_IMA_SIG, f.cdig, f.cdlen,
						&f.e, &f.sp, NULL), 0);
	CU_ASSERT_EQUAL(fchown(f.fd, 1000, 1001), 0);
	CU_ASSERT_EQUAL(fchmod(f.fd, 0755), 0);
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "set_caps: %s\n", err.msg);
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_CHOWN], EVMPKG_ST_NONE);
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_CAPS], EVMPKG_ST_WRITTEN);
	CU_ASSERT_EQUAL(r.step[EVMPKG_STEP_EVM], EVMPKG_ST_WRITTEN);
	CU_ASSERT_TRUE(has_xattr(f.path, "security.capability"));
	teardown(&f);
	/* Without set_caps the same file is refused: the caps are not there. */
	setup(&f, "content", 0100755);
	o.trust = f.trust;
	o.set_caps = 0;
	f.e.label = NULL;
	f.e.label_len = 0;
	CU_ASSERT_EQUAL_FATAL(evmpkg_sign_entry(f.key, 4, EVMPKG_IMA_SIG, f.cdig, f.cdlen,
						&f.e, &f.sp, NULL), 0);
	CU_ASSERT_EQUAL(fchown(f.fd, 1000, 1001), 0);
	CU_ASSERT_EQUAL(fchmod(f.fd, 0755), 0);
	CU_ASSERT_EQUAL(evmpkg_seq_apply(f.fd, &f.e, &o, &r, &err), EVMPKG_EMISMATCH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "security.capability"));
	teardown(&f);
}

void suite_sequencer(void)
{
	CU_pSuite s = CU_add_suite("sequencer", NULL, NULL);

	ADD(s, test_apply_all_steps_then_idempotent);
	ADD(s, test_enforce_untrusted_key);
	ADD(s, test_enforce_tampered_content);
	ADD(s, test_enforce_and_warn_mode_mismatch);
	ADD(s, test_uncovered_xattr);
	ADD(s, test_dry_run_off_and_form_only);
	ADD(s, test_caps_removed_when_unsigned);
	ADD(s, test_verify_entry_without_file);
	ADD(s, test_preverified_other_algorithm);
	ADD(s, test_warn_tampered_writes_nothing);
	ADD(s, test_set_caps_only);
}
