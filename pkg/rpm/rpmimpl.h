/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What rpmhdr.c, rpmopen.c, rpmpayload.c and rpmwrite.c share; internal. */
#ifndef EVMPKG_PKG_RPMIMPL_H
#define EVMPKG_PKG_RPMIMPL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/evp.h>

#include <rpm/header.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>

#include "rpmpkg.h"

#define LEAD_SIZE 96
#define HDR_MAGIC_SIZE 8
#define ENTRY_SIZE 16
#define COPY_CHUNK (256 * 1024)

/* Limits rpm applies when reading package headers (lib/header.c). */
#define SIG_IL_MAX 32
#define SIG_DL_MAX (64u * 1024 * 1024)
#define HDR_IL_MAX 0xffffu
#define HDR_DL_MAX 0x0fffffffu

/* rpm header data types (rpmTagType). */
enum {
	T_INT16 = 3, T_INT32 = 4, T_INT64 = 5, T_STRING = 6, T_BIN = 7,
	T_STRING_ARRAY = 8,
};

/*
 * Tag numbers, the same in every rpm version. They are spelled out here:
 * several were renamed between rpm 4.18 and 6.0 (RPMTAG_PAYLOADDIGEST became
 * RPMTAG_PAYLOADSHA256) or are new (RPMTAG_OPENPGP, SHA3-256 digests).
 */
enum {
	TAG_HEADERSIGNATURES = 62,
	TAG_HEADERIMMUTABLE = 63,
	/* signature header */
	SIG_DSA = 267,
	SIG_RSA = 268,
	SIG_SHA1 = 269,
	SIG_LONGSIZE = 270,
	SIG_SHA256 = 273,
	SIG_FILESIGNATURES = 274,
	SIG_FILESIGNATURELENGTH = 275,
	SIG_OPENPGP = 278,		/* rpm 6 */
	SIG_SHA3_256 = 279,		/* rpm 6 */
	SIG_RESERVED = 999,		/* rpm 6, v6 packages */
	SIG_SIZE = 1000,
	SIG_PGP = 1002,
	SIG_MD5 = 1004,
	SIG_GPG = 1005,
	SIG_PGP5 = 1006,
	SIG_RESERVEDSPACE = 1008,
	/* main header */
	TAG_FILESIZES = 1028,
	TAG_FILEMODES = 1030,
	TAG_FILEDIGESTS = 1035,
	TAG_FILELINKTOS = 1036,
	TAG_FILEFLAGS = 1037,
	TAG_FILEUSERNAME = 1039,
	TAG_FILEGROUPNAME = 1040,
	TAG_PAYLOADCOMPRESSOR = 1125,
	TAG_OLDFILENAMES = 1027,
	TAG_FILEDEVICES = 1095,
	TAG_FILEINODES = 1096,
	TAG_DIRINDEXES = 1116,
	TAG_BASENAMES = 1117,
	TAG_DIRNAMES = 1118,
	TAG_ORIGDIRINDEXES = 1119,
	TAG_ORIGBASENAMES = 1120,
	TAG_LONGFILESIZES = 5008,
	TAG_FILECAPS = 5010,
	TAG_FILEDIGESTALGO = 5011,
	TAG_FILESIGNATURES = EVMPKG_RPMTAG_FILESIGNATURES,
	TAG_FILESIGNATURELENGTH = EVMPKG_RPMTAG_FILESIGNATURELENGTH,
	TAG_PAYLOADDIGEST = 5092,	/* RPMTAG_PAYLOADSHA256 in rpm 6 */
	TAG_PAYLOADDIGESTALGO = 5093,
	TAG_PAYLOADSHA512 = 5121,	/* rpm 6 */
	TAG_PAYLOADSIZE = 5112,		/* rpm 6: payload bytes on disk */
	TAG_RPMFORMAT = 5114,		/* rpm 6: 6 for v6 packages */
	TAG_PAYLOADSHA3_256 = 5123,	/* rpm 6 */
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The header magic (4 bytes, then 4 reserved); rpmhdr.c. */
extern const uint8_t evmpkg_rpmi_hdr_magic[HDR_MAGIC_SIZE];

/* OpenPGP signature tags of the signature header. */
extern const uint32_t evmpkg_rpmi_pgp_tags[6];

/* Header digests of the signature header: each over magic + main header. */
struct evmpkg_rpmi_hdrdigest {
	uint32_t tag;
	int algo;		/* EVMPKG_RPMHASH_* */
	const char *what;
};
extern const struct evmpkg_rpmi_hdrdigest evmpkg_rpmi_hdr_digests[3];

struct evmpkg_rpmpkg {
	char *path;
	int fd;
	off_t file_size;
	uint8_t lead[LEAD_SIZE];
	uint8_t *sigraw;	/* il, dl, index, data: no magic, no padding */
	size_t siglen;
	uint8_t *hdrraw;
	size_t hdrlen;
	off_t hdr_off;		/* main header magic */
	off_t payload_off;
	Header sigh, h;
	rpmfiles files;
	char *nevra;
	int has_pgp;
	int sigs_merged;	/* FILESIGNATURES copied from the signature header into h */
	int rpm_digest_algo;	/* RPMTAG_FILEDIGESTALGO */
	size_t nfiles;
	struct evmpkg_rpmfile *f;
	char **paths;
	uint8_t *digests;	/* nfiles * digest size */
	struct rpmtd_s caps_td, sigs_td;
};

/* rpmhdr.c: reading. */
int evmpkg_rpmi_read_at(int fd, void *buf, size_t n, off_t off, size_t *got);
/*
 * The lead, both headers (raw in p->sigraw and p->hdrraw, checked to be
 * one region each, imported into p->sigh and p->h) and p->hdr_off,
 * p->payload_off.
 */
int evmpkg_rpmi_read_headers(struct evmpkg_rpmpkg *p, struct evmpkg_err *err);
/*
 * The region rpm requires of package headers: first entry `region` (BIN,
 * 16), its trailer the last 16 data bytes, enclosing all il entries.
 * Returns 0, or 1 when the first entry is no region at all (a v3 header),
 * or -1 when malformed.
 */
int evmpkg_rpmi_check_region(const uint8_t *raw, size_t len, uint32_t region);

/* rpmhdr.c: tag access. */
/* headerGet with an exact type (and count, when count != 0). */
int evmpkg_rpmi_get_typed(Header h, uint32_t tag, rpmTagType type, uint32_t count,
			  rpmtd td);
/* Type of a present tag, or 0. */
int evmpkg_rpmi_tag_type(Header h, uint32_t tag, uint32_t *count);
int evmpkg_rpmi_put_tag(Header h, uint32_t tag, rpmTagType type, const void *data,
			uint32_t count);

/* rpmhdr.c: header digests. */
/* A digest context for an rpm algorithm id, or NULL. */
EVP_MD_CTX *evmpkg_rpmi_md_start(int rpmalgo);
/* Digest of magic + blob, in hex. */
int evmpkg_rpmi_hdr_digest_hex(int rpmalgo, const uint8_t *blob, size_t len,
			       char *hex);
/* The signature header's header digests and size against the package. */
int evmpkg_rpmi_check_header_digests(struct evmpkg_rpmpkg *p, struct evmpkg_err *err);

/* rpmpayload.c: the payload's bytes as they are on disk. */
/* Payload digests of the main header to check the copied bytes against. */
struct pldcheck {
	EVP_MD_CTX *ctx;
	char *want;		/* hex */
	const char *what;
};

/*
 * What a payload must match: the main header's payload digests and the
 * signature header's MD5 over main header and payload (as rpm -K checks).
 */
struct pldverify {
	struct pldcheck chk[3];
	size_t nc;
	EVP_MD_CTX *md5old;
	uint8_t oldmd5[16];
};

int evmpkg_rpmi_pv_start(struct evmpkg_rpmpkg *p, struct pldverify *v,
			 struct evmpkg_err *err);
void evmpkg_rpmi_pv_update(struct pldverify *v, const void *buf, size_t n);
int evmpkg_rpmi_pv_finish(struct evmpkg_rpmpkg *p, struct pldverify *v,
			  struct evmpkg_err *err);
void evmpkg_rpmi_pv_free(struct pldverify *v);
/* Reads the payload bytes from off to the end, n at a time, into fn. */
int evmpkg_rpmi_read_payload(struct evmpkg_rpmpkg *p, uint8_t *buf,
			     int (*fn)(void *arg, const uint8_t *b, size_t n,
				       struct evmpkg_err *err),
			     void *arg, struct evmpkg_err *err);

#endif
