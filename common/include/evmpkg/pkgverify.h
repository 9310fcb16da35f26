/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Verifying an installed package's files against its manifest, as
 * `rpm -V` does for rpm's own attributes: content, owner, mode,
 * capabilities, label, the security.ima and security.evm values, and
 * whether the kernel would accept the file as it is. Read-only.
 */
#ifndef EVMPKG_PKGVERIFY_H
#define EVMPKG_PKGVERIFY_H

#include <stddef.h>
#include <sys/types.h>

#include "evmpkg/pkgcheck.h"

/* One problem each; the letters are the columns of evmpkg_verify_codes. */
enum evmpkg_vproblem {
	EVMPKG_VP_CONTENT = 1 << 0,	/* '5' content is not what was signed */
	EVMPKG_VP_MODE = 1 << 1,	/* 'M' permission bits */
	EVMPKG_VP_OWNER = 1 << 2,	/* 'U' */
	EVMPKG_VP_GROUP = 1 << 3,	/* 'G' */
	EVMPKG_VP_CAPS = 1 << 4,	/* 'P' security.capability */
	EVMPKG_VP_LABEL = 1 << 5,	/* 'L' security.selinux */
	EVMPKG_VP_IMA = 1 << 6,		/* 'I' security.ima absent or another value */
	EVMPKG_VP_EVM = 1 << 7,		/* 'E' security.evm absent or another value */
	EVMPKG_VP_KERNEL = 1 << 8,	/* 'V' as it is, it would not verify */
	EVMPKG_VP_MISSING = 1 << 9,	/* no file there */
	EVMPKG_VP_TYPE = 1 << 10,	/* not a regular file */
	EVMPKG_VP_UNREADABLE = 1 << 11,	/* could not be read */
	EVMPKG_VP_PACKAGE = 1 << 12,	/* the package's own signature is refused */
};
#define EVMPKG_VERIFY_NCODES 9

/* One installed file to verify. */
struct evmpkg_verifyjob {
	size_t fx;		/* the file's index in the package */
	const char *path;	/* where it is */
	unsigned problems;	/* out: enum evmpkg_vproblem */
	int config;		/* out: a configuration file */
	int skipped;		/* out: nothing signed to compare (unsigned, or
				   a configuration file the policy leaves) */
	char *msg;		/* out: the first problem in words, "PKG: PATH:
				   why"; NULL when none; the caller frees it */
};

/*
 * Verifies every job on up to the package's nthreads threads, files
 * opened O_NOFOLLOW. The package's content digests (rpm's header) are
 * compared with the file's; without them the manifest's IMA signature is
 * checked over the content, which needs a trusted certificate. Returns the
 * number of jobs with problems.
 */
size_t evmpkg_pkg_verify_all(struct evmpkg_pkg *p, struct evmpkg_verifyjob *jobs, size_t n);

/* "5MUGPLIEV" with '.' for each column without its problem; "missing  "
 * or "notreg   " for those; out has EVMPKG_VERIFY_NCODES + 1 bytes. */
void evmpkg_verify_codes(unsigned problems, char *out);

#endif
