/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-package install engine, the same for every package format: it
 * pairs the manifest's entries with the package's files, verifies every
 * signed file on all cores (in the background while the installer writes,
 * if asked), holds each file's parsed values and verdicts, and applies one
 * file through the sequencer when the installer has written it. Format
 * adapters (the rpm plugin, the dpkg hooks, `evmpkg inspect`) translate
 * their package into evmpkg_pkgfile records and report what comes back;
 * every decision is made here, so they all reach the same verdict.
 *
 * Messages name the package, the file and the field: "PKG: PATH: what".
 * A package object is used from one thread; its workers are its own.
 */
#ifndef EVMPKG_PKGCHECK_H
#define EVMPKG_PKGCHECK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "evmpkg/err.h"
#include "evmpkg/keys.h"
#include "evmpkg/manifest.h"
#include "evmpkg/sequencer.h"
#include "evmpkg/verdict.h"

enum evmpkg_pkgfile_flags {
	EVMPKG_PF_REG = 1 << 0,		/* regular file with content */
	EVMPKG_PF_CONFIG = 1 << 1,	/* configuration file (%config, conffile) */
	EVMPKG_PF_NO_EVM = 1 << 2,	/* the system gives it another owner or
					   mode (dpkg-statoverride): IMA only */
};

/* One file of a package as its format describes it, in the format's order. */
struct evmpkg_pkgfile {
	const char *path;	/* as signed (before any relocation) */
	uint32_t flags;		/* enum evmpkg_pkgfile_flags */
	int hardlink_group;	/* index of the set's first member; -1: none */
	int digest_algo;	/* kernel hash id of digest; -1: none or unknown */
	const uint8_t *digest;	/* the package's content digest; NULL: none */
	size_t digest_len;
	const uint8_t *ima;	/* the format's own security.ima value; NULL: none */
	size_t ima_len;
};

enum evmpkg_manifest_state {
	EVMPKG_MF_ABSENT,
	EVMPKG_MF_PRESENT,
	EVMPKG_MF_WRONG_TYPE,	/* stored, but not as binary data */
};

struct evmpkg_pkgopts {
	int policy;			/* enum evmpkg_policy */
	int require_signatures;		/* a package without a manifest, or with
					   a regular file it does not sign, is a
					   problem (evmpkg_pkg_problem) */
	const struct evmpkg_trust *trust; /* NULL or empty: form only */
	int sign_config;		/* apply to configuration files too */
	int set_owner_mode;		/* chown/chmod to the signed values (image
					   roots); else they must already be so */
	int set_caps;			/* write the signed capabilities: the
					   installer does not (dpkg) */
	int set_label;			/* write the signed SELinux label: no one
					   labelled the files (evmpkg apply) */
	int write_ima_only;		/* write security.ima of IMA-only files
					   too (rpm's stock ima plugin does it
					   there; nothing else does for .deb) */
	int background;			/* verify while the installer writes */
	int nthreads;			/* 0: one per CPU */
	int userns;			/* in a user namespace (read before chroot) */
	const char *manifest_field;	/* where the manifest lives, for messages */
	const char *ima_field;		/* where the format keeps IMA values */
};

struct evmpkg_pkg;

/*
 * Decodes the manifest, pairs it with files[0..n) and starts verifying
 * (in the background with o->background, else before returning). Copies
 * what it keeps: the caller's records may be freed afterwards. Fails only
 * for lack of memory; what is wrong with the package is a problem below.
 */
int evmpkg_pkg_open(struct evmpkg_pkg **out, const char *name, int mstate,
		    const void *manifest, size_t mlen,
		    const struct evmpkg_pkgfile *files, size_t n,
		    const struct evmpkg_pkgopts *o, struct evmpkg_err *err);
/*
 * evmpkg_pkg_open with a manifest the caller decoded already (to find
 * its files): *m is taken over, left empty, and not decoded again.
 */
int evmpkg_pkg_open_decoded(struct evmpkg_pkg **out, const char *name,
			    struct evmpkg_manifest *m,
			    const struct evmpkg_pkgfile *files, size_t n,
			    const struct evmpkg_pkgopts *o, struct evmpkg_err *err);
/* Stops the verification, waits for its threads and frees; NULL is fine. */
void evmpkg_pkg_free(struct evmpkg_pkg *p);

/*
 * Problems of the package as a whole, known at open: a malformed
 * manifest, entries that name no regular file of the package; with
 * o->require_signatures, a manifest that is absent, and each regular file
 * (configuration files aside) without an EVM signature, or without an IMA
 * one where the installer gives it another owner or mode (the first
 * EVMPKG_REQUIRE_LISTED by name, then their number). A package with no
 * such file needs no manifest. Messages as above; i < evmpkg_pkg_nproblems.
 */
#define EVMPKG_REQUIRE_LISTED 20
size_t evmpkg_pkg_nproblems(const struct evmpkg_pkg *p);
const char *evmpkg_pkg_problem(const struct evmpkg_pkg *p, size_t i);

/* What the engine holds for one file (valid until evmpkg_pkg_free). */
struct evmpkg_fileresult {
	int signed_ima, signed_evm;	/* what the package signs for it */
	const struct evmpkg_mentry *e;	/* manifest entry; NULL if none */
	const struct evmpkg_checked *c;	/* parsed values and verdicts; NULL: unsigned */
	int rc;				/* EVMPKG_OK or why it is refused */
	const char *why;		/* what is wrong, when rc != EVMPKG_OK */
};
/* Waits for file fx's verdict. */
void evmpkg_pkg_file(struct evmpkg_pkg *p, size_t fx, struct evmpkg_fileresult *r);
/*
 * The hash algorithm of the first signature whose verdict still needs the
 * file's content (the package's digests are of another algorithm, or
 * absent); -1 when none does. Waits for the verdicts it looks at.
 */
int evmpkg_pkg_content_algo(struct evmpkg_pkg *p);

/* Waits for every verdict; returns the number of refused files. */
size_t evmpkg_pkg_wait_all(struct evmpkg_pkg *p);

enum evmpkg_outcome {
	EVMPKG_A_UNSIGNED,	/* nothing signed for this file */
	EVMPKG_A_IMA_ONLY,	/* verified; its IMA value is written by others */
	EVMPKG_A_CONFIG,	/* configuration file left as the installer wrote it */
	EVMPKG_A_APPLIED,	/* written (or already in place) and verified */
	EVMPKG_A_KEPT,		/* kept file whose own values verify */
	EVMPKG_A_WARNED,	/* warn mode: what verifies written, msg says the rest */
	EVMPKG_A_NOSUPPORT,	/* the filesystem stores no security xattrs */
	EVMPKG_A_USERNS,	/* the kernel refuses security xattrs here */
	EVMPKG_A_NONROOT,	/* not root: nothing can be written */
};

/* Why nothing could be written, for the environment outcomes; else NULL. */
const char *evmpkg_outcome_words(int outcome);

struct evmpkg_applied {
	int outcome;			/* enum evmpkg_outcome */
	struct evmpkg_seq_report rep;
	char msg[640];			/* for WARNED: "PKG: PATH: why" */
};

enum evmpkg_apply_flags {
	EVMPKG_AF_KEPT = 1 << 0,	/* the installer kept the existing file */
	EVMPKG_AF_INSTALLED = 1 << 1,	/* installed earlier (evmpkg apply): a file
					   whose own values verify is left, another
					   portable signature is never replaced */
};

/*
 * The installer has written file fx (fd open on it; -1 if none) at path
 * (used to open it for reading when fd is write-only or absent). Waits for
 * the file's verdict, and in enforce mode for any earlier refusal of the
 * package, then applies. Returns an error when the policy refuses the
 * package (enforce) or a write fails; err names package, file and field.
 */
int evmpkg_pkg_apply(struct evmpkg_pkg *p, size_t fx, int fd, const char *path,
		     unsigned flags, struct evmpkg_applied *res,
		     struct evmpkg_err *err);

/* One file for evmpkg_pkg_apply_all, in place where the installer put it. */
struct evmpkg_applyjob {
	size_t fx;		/* the file's index in the package */
	const char *path;	/* where it is */
	unsigned flags;		/* enum evmpkg_apply_flags */
	dev_t dev;		/* the caller's lstat of path; ino 0: */
	ino_t ino;		/* unknown, grouped by hardlink set only */
	int rc;			/* out: as evmpkg_pkg_apply returns */
	int outcome;		/* out: enum evmpkg_outcome */
	char *msg;		/* out: the error (rc) or the WARNED message,
				   else NULL; the caller frees it */
};

/*
 * Applies every job, files already in place, on up to o->nthreads threads
 * (0: one per CPU). Each job's file is opened here (O_NOFOLLOW) and must
 * still be the inode the caller's lstat saw. Jobs on one inode or of one
 * hardlink set run on one thread, in job order. Waits for every verdict
 * first: in enforce mode a refused package is refused in every signed job
 * and nothing is written; a refusal found while applying (content that
 * does not match, a failed write) fails its own job only, and the others
 * still get what verifies. Outcomes are in the jobs, to be reported in job
 * order; returns the number of jobs with rc != EVMPKG_OK.
 */
size_t evmpkg_pkg_apply_all(struct evmpkg_pkg *p, struct evmpkg_applyjob *jobs, size_t n);

#endif
