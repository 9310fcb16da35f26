/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rpm package I/O for `evmpkg sign` and `evmpkg inspect`: read a package's
 * file list and digests, and write a copy whose main header carries the IMA
 * signatures (RPMTAG_FILESIGNATURES) and the evmpkg manifest, with the
 * header digests recomputed and the payload bytes unchanged.
 *
 * Built on librpm's public API (headerImport/headerCopy/headerPut/
 * headerReload/headerExport, rpmfiles, the archive reader and rpmio
 * decompression); hashes with OpenSSL. Nothing here prints, exits or logs
 * through rpmlog, and nothing keeps state outside the objects it returns.
 *
 * Threads: an evmpkg_rpmpkg is not locked. The read-only accessors
 * (nevra, nfiles, file, has_pgp_sig, get_bin) only read memory filled in by
 * evmpkg_rpm_open and may run concurrently with each other; payload_digests
 * and write must not run concurrently with anything on the same object.
 *
 * What open checks: lead magic; both headers' structure (region tag covering
 * every entry, as rpm requires of package files); the signature header's
 * SHA1/SHA256/SHA3-256 header digests and its size tag against the file;
 * that every per-file tag has one entry per file. What write checks: the
 * payload against the main header's payload digests and the old MD5, while
 * copying it. A package failing either is refused, so that recomputing its
 * digests never blesses corruption.
 */
#ifndef EVMPKG_PKG_RPMPKG_H
#define EVMPKG_PKG_RPMPKG_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"
#include "rpmtag.h"	/* EVMPKG_RPMTAG_MANIFEST, evmpkg_hash_from_rpm */

/* The RPMFILE_* bits of evmpkg_rpmfile.flags that callers look at. */
#define EVMPKG_RPMFILE_CONFIG	(1u << 0)
#define EVMPKG_RPMFILE_DOC	(1u << 1)
#define EVMPKG_RPMFILE_NOREPLACE (1u << 4)
#define EVMPKG_RPMFILE_GHOST	(1u << 6)

/* Main-header tags written by evmpkg_rpm_write. */
#define EVMPKG_RPMTAG_FILESIGNATURES	  5090	/* s[]: hex per file */
#define EVMPKG_RPMTAG_FILESIGNATURELENGTH 5091	/* i: longest, in bytes */
/* Tags passed to evmpkg_rpm_write's `tag` must be at least this. */
#define EVMPKG_RPMTAG_EXTERNAL_MIN	  1000000

/*
 * One entry of the package's file list, in header order (the order of
 * RPMTAG_BASENAMES, which is rpmfiFX and the index used everywhere below).
 * Every pointer stays valid until evmpkg_rpm_close.
 */
struct evmpkg_rpmfile {
	const char *path;	/* "/usr/bin/x": dirname + basename, as in the header */
	const char *user;	/* RPMTAG_FILEUSERNAME */
	const char *group;	/* RPMTAG_FILEGROUPNAME */
	uint16_t mode;		/* RPMTAG_FILEMODES, with the S_IFMT file-type bits */
	uint32_t flags;		/* RPMTAG_FILEFLAGS: RPMFILE_* (EVMPKG_RPMFILE_*) */
	const char *caps;	/* RPMTAG_FILECAPS text (cap_from_text form); "" if none */
	/*
	 * RPMTAG_FILEDIGESTS entry in binary, digest_len bytes; NULL and 0 when
	 * the header has none (directories, symlinks, %ghost files).
	 */
	const uint8_t *digest;
	size_t digest_len;
	/* RPMTAG_FILEDIGESTALGO as a kernel hash id (evmpkg/hashalgo.h); -1 if
	 * rpm's algorithm has no kernel id. Same for every file. */
	int digest_algo;
	int is_reg;		/* regular file and not %ghost: has content in the payload */
	/*
	 * For a member of a hardlink set (regular, non-ghost files sharing
	 * device and inode in the header): the index of the set's first
	 * member, which is the member's own index for the first one. -1 for a
	 * file that is not hardlinked. The payload carries the content once,
	 * with the set's last member.
	 */
	int hardlink_group;
	/* This file's RPMTAG_FILESIGNATURES hex string (main header, or the
	 * signature header's legacy copy), "" if empty; NULL if the package
	 * has no file signatures. */
	const char *existing_sig;
};

struct evmpkg_rpmpkg;

/*
 * Opens and checks the package at path (see the top of this file). *out is
 * the caller's; free it with evmpkg_rpm_close. Errors: EVMPKG_EIO (open or
 * read failed), EVMPKG_EINVAL (not an rpm, truncated, malformed header or
 * tag), EVMPKG_EVERIFY (a header digest or the size does not match),
 * EVMPKG_EUNSUPP (a package without the immutable header region, i.e. rpm
 * v3), EVMPKG_ENOMEM. Messages start with the package path.
 */
int evmpkg_rpm_open(const char *path, struct evmpkg_rpmpkg **out,
		    struct evmpkg_err *err);
/* Frees everything; NULL is fine. */
void evmpkg_rpm_close(struct evmpkg_rpmpkg *p);

/* "name-[epoch:]version-release.arch" */
const char *evmpkg_rpm_nevra(const struct evmpkg_rpmpkg *p);
size_t evmpkg_rpm_nfiles(const struct evmpkg_rpmpkg *p);
/* File i (0 <= i < nfiles), or NULL when out of range. */
const struct evmpkg_rpmfile *evmpkg_rpm_file(const struct evmpkg_rpmpkg *p,
					     size_t i);
/* 1 if the signature header carries an OpenPGP signature (RSA, DSA, PGP,
 * GPG, PGP5 or rpm 6's OPENPGP tag), else 0. */
int evmpkg_rpm_has_pgp_sig(const struct evmpkg_rpmpkg *p);

/*
 * Checks the payload against the main header's payload digests and the
 * signature header's MD5 over header and payload, as rpm -K would: what
 * `evmpkg inspect` must know before it calls a package good.
 */
int evmpkg_rpm_check_payload(struct evmpkg_rpmpkg *p, struct evmpkg_err *err);

/* The main header (a librpm Header, valid until close), for the engine. */
void *evmpkg_rpm_header(const struct evmpkg_rpmpkg *p);

/*
 * Content digests of every regular file (is_reg), computed from the
 * payload with hash algo (kernel id; one evmpkg_hash_size knows). On
 * success *out is a malloc'd array of nfiles * evmpkg_hash_size(algo) bytes,
 * the digest of file i at i * size, zeros for files that are not is_reg;
 * members of a hardlink set all get the digest of the content their set
 * carries. Free it with free(). Used when the header's file digests use
 * another algorithm than the one to sign with. Errors name the package and,
 * where one is at fault, the file.
 */
int evmpkg_rpm_payload_digests(struct evmpkg_rpmpkg *p, int algo, uint8_t **out,
			       struct evmpkg_err *err);

/*
 * A binary (RPM_BIN_TYPE) main-header tag, e.g. EVMPKG_RPMTAG_MANIFEST:
 * 0 and *data, *len pointing into the package's header (valid until close)
 * if present with that type; -1 if absent or of another type.
 */
int evmpkg_rpm_get_bin(const struct evmpkg_rpmpkg *p, uint32_t tag,
		       const uint8_t **data, size_t *len);

/*
 * Writes a new package to outpath, made of the input's lead, a new
 * signature header, a new main header and the input's payload bytes
 * unchanged. The main header is the input's with:
 *  - if filesigs_hex is not NULL: RPMTAG_FILESIGNATURES (5090, string
 *    array) set to filesigs_hex[0..nfiles-1], each a lowercase hex string
 *    of even length or "" for a file without a signature, and
 *    RPMTAG_FILESIGNATURELENGTH (5091, int32) set to the longest one in
 *    bytes (left out when all are ""); any earlier values in either header
 *    (5090/5091, or the signature header's 274/275) are removed. With
 *    filesigs_hex NULL, existing file signatures are kept as they are.
 *  - the binary tag `tag` (>= EVMPKG_RPMTAG_EXTERNAL_MIN) set to blob, or
 *    removed when bloblen is 0.
 * Every tag of the main header stays inside its immutable region, as
 * rpmbuild writes it. The signature header keeps its other tags; its header
 * digests present among SHA1, SHA256 and SHA3-256 are recomputed over the
 * new main header, MD5 and the size (SIZE or LONGSIZE) over new header and
 * payload, as rpm 4.18 computes them; OpenPGP signatures are dropped, with
 * *dropped_pgp (may be NULL) set to 1 if there were any, else 0; its
 * reserved space (RESERVEDSPACE, or RESERVED in rpm 6's v6 packages) is
 * adjusted so that the signature header keeps its size where possible, as
 * rpmsign does, so a later `rpmsign --addsign` can rewrite it in place; it
 * is not grown past rpmbuild's reservation, so a signature rpmsign added on
 * top of it (rpm 4.20) leaves with the bytes it brought.
 *
 * While copying, the payload is checked against the main header's payload
 * digests and the input's MD5; a mismatch fails with EVMPKG_EVERIFY.
 *
 * Atomic: the package is written to a temporary file in outpath's
 * directory, synced, given the mode of the file it replaces (or of the
 * input when outpath is new), and renamed over outpath (a symlink at
 * outpath is replaced, not followed; ownership is the writer's). On any
 * error the temporary file is removed and outpath is untouched. outpath may
 * be the input's path; p keeps describing the input afterwards. Messages
 * start with the package path (outpath for errors about the output).
 */
int evmpkg_rpm_write(struct evmpkg_rpmpkg *p, const char *const *filesigs_hex,
		     uint32_t tag, const void *blob, size_t bloblen,
		     const char *outpath, int *dropped_pgp,
		     struct evmpkg_err *err);

#endif
