// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rpm package I/O: see rpmpkg.h.
 *
 * An rpm package is a 96-byte lead, the signature header (padded to 8
 * bytes), the main header and the compressed cpio payload. A header on disk
 * is an 8-byte magic, il and dl (big-endian u32), il 16-byte index entries
 * (tag, type, offset, count) and dl bytes of data; in package files the
 * first entry is a region tag (62 signature, 63 main header) whose trailer
 * encloses every entry. We read the raw bytes ourselves through the
 * bounds-checked reader (to check digests over exactly what is on disk and
 * to refuse what rpm itself would refuse), then hand them to librpm
 * (headerImport) for everything else. Tag numbers are spelled out here:
 * several were renamed between rpm 4.18 and 6.0 (RPMTAG_PAYLOADDIGEST became
 * RPMTAG_PAYLOADSHA256) or are new (RPMTAG_OPENPGP, SHA3-256 digests).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <rpm/header.h>
#include <rpm/rpmarchive.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmio.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>

#include "evmpkg/atomicfile.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/hex.h"
#include "evmpkg/reader.h"
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

/* Tag numbers, the same in every rpm version (see the top of the file). */
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
	TAG_PAYLOADSHA3_256 = 5123,	/* rpm 6 */
};

static const uint8_t hdr_magic[HDR_MAGIC_SIZE] = {
	0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0
};

/* OpenPGP signature tags of the signature header. */
static const uint32_t pgp_tags[] = {
	SIG_DSA, SIG_RSA, SIG_PGP, SIG_GPG, SIG_PGP5, SIG_OPENPGP,
};

/* Header digests of the signature header: each over magic + main header. */
static const struct {
	uint32_t tag;
	int algo;		/* EVMPKG_RPMHASH_* */
	const char *what;
} hdr_digests[] = {
	{ SIG_SHA256, EVMPKG_RPMHASH_SHA256, "SHA256" },
	{ SIG_SHA3_256, EVMPKG_RPMHASH_SHA3_256, "SHA3-256" },
	{ SIG_SHA1, EVMPKG_RPMHASH_SHA1, "SHA1" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

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
	int rpm_digest_algo;	/* RPMTAG_FILEDIGESTALGO */
	size_t nfiles;
	struct evmpkg_rpmfile *f;
	char **paths;
	uint8_t *digests;	/* nfiles * digest size */
	struct rpmtd_s caps_td, sigs_td;
};

/* ---- small helpers ---- */

static int read_at(int fd, void *buf, size_t n, off_t off, size_t *got)
{
	uint8_t *b = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, b + done, n - done, off + (off_t)done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			*got = done;
			return -1;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*got = done;
	return 0;
}

/* A digest context for an rpm algorithm id, or NULL. */
static EVP_MD_CTX *md_start(int rpmalgo)
{
	const struct evmpkg_rpmhash *h = evmpkg_rpmhash(rpmalgo);
	const EVP_MD *md = h ? EVP_get_digestbyname(h->md) : NULL;
	EVP_MD_CTX *ctx;

	if (!md || !(ctx = EVP_MD_CTX_new()))
		return NULL;
	if (!EVP_DigestInit_ex(ctx, md, NULL)) {
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Digest of magic + blob, in hex. */
static int hdr_digest_hex(int rpmalgo, const uint8_t *blob, size_t len,
			  char *hex)
{
	EVP_MD_CTX *ctx = md_start(rpmalgo);
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	int ok;

	if (!ctx)
		return -1;
	ok = EVP_DigestUpdate(ctx, hdr_magic, sizeof(hdr_magic)) &&
	     EVP_DigestUpdate(ctx, blob, len) && EVP_DigestFinal_ex(ctx, d, &dl);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	evmpkg_hex_encode(d, dl, hex);
	return 0;
}

/* ---- raw header structure ---- */

/* A header blob (il, dl, index, data; no magic), split by the reader. */
struct rawhdr {
	uint32_t il, dl;
	struct evmpkg_rd index, data;
};

static int raw_parse(const uint8_t *raw, size_t len, struct rawhdr *rh)
{
	struct evmpkg_rd r;

	evmpkg_rd_init(&r, raw, len);
	if (evmpkg_rd_u32be(&r, &rh->il) || evmpkg_rd_u32be(&r, &rh->dl) ||
	    rh->il > HDR_IL_MAX || rh->dl > HDR_DL_MAX ||
	    evmpkg_rd_take(&r, (size_t)rh->il * ENTRY_SIZE, &rh->index) ||
	    evmpkg_rd_take(&r, rh->dl, &rh->data) || evmpkg_rd_left(&r))
		return -1;
	return 0;
}

struct rawent {
	uint32_t tag, type, offset, count;
};

/* One index entry, or a region trailer (the same 16-byte layout). */
static int raw_entry_at(const struct evmpkg_rd *r, size_t off, struct rawent *e)
{
	struct evmpkg_rd er;

	return evmpkg_rd_sub(r, off, ENTRY_SIZE, &er) ||
	       evmpkg_rd_u32be(&er, &e->tag) || evmpkg_rd_u32be(&er, &e->type) ||
	       evmpkg_rd_u32be(&er, &e->offset) || evmpkg_rd_u32be(&er, &e->count);
}

static int raw_entry(const struct rawhdr *rh, uint32_t i, struct rawent *e)
{
	if (i >= rh->il)
		return -1;
	return raw_entry_at(&rh->index, (size_t)i * ENTRY_SIZE, e);
}

/*
 * The region rpm requires of package headers: first entry `region` (BIN,
 * 16), its trailer the last 16 data bytes, enclosing all il entries.
 * Returns 0, or 1 when the first entry is no region at all (a v3 header),
 * or -1 when malformed.
 */
static int raw_check_region(const uint8_t *raw, size_t len, uint32_t region)
{
	struct rawhdr rh;
	struct rawent e, t;

	if (raw_parse(raw, len, &rh) || raw_entry(&rh, 0, &e))
		return -1;
	if (e.tag != region)
		return (e.tag == 61 || e.tag == 62 || e.tag == 63) ? -1 : 1;
	if (e.type != T_BIN || e.count != ENTRY_SIZE ||
	    (uint64_t)e.offset + ENTRY_SIZE != rh.dl ||
	    raw_entry_at(&rh.data, e.offset, &t))
		return -1;
	/* Old packages have HEADERIMAGE in the signature trailer; rpm allows it. */
	if (!(t.tag == region || (region == TAG_HEADERSIGNATURES && t.tag == 61)) ||
	    t.type != T_BIN || t.count != ENTRY_SIZE ||
	    (uint32_t)(-(int64_t)rh.il * ENTRY_SIZE) != t.offset)
		return -1;
	return 0;
}

/*
 * Reads the header at off (magic, il, dl, index, data) into a malloc'd
 * buffer without the magic; *next is the offset after it (and after the
 * signature header's padding).
 */
static int read_header(struct evmpkg_rpmpkg *p, off_t off, int is_sig,
		       uint8_t **rawp, size_t *lenp, off_t *next,
		       struct evmpkg_err *err)
{
	const char *what = is_sig ? "signature header" : "main header";
	uint8_t intro[HDR_MAGIC_SIZE + 8];
	struct evmpkg_rd r, counts;
	uint32_t il, dl;
	size_t got, len, pad;
	uint8_t *raw;

	if (read_at(p->fd, intro, sizeof(intro), off, &got))
		return evmpkg_fail_errno(err, errno, "%s: %s: read", p->path, what);
	if (got < sizeof(intro))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: truncated package (file ends at byte %lld)",
				   p->path, what, (long long)p->file_size);
	/* Magic (4 bytes, then 4 reserved), il, dl; the blob starts at il. */
	evmpkg_rd_init(&r, intro, sizeof(intro));
	if (evmpkg_rd_expect(&r, hdr_magic, 4) || evmpkg_rd_skip(&r, 4) ||
	    evmpkg_rd_take(&r, 8, &counts))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: bad header magic",
				   p->path, what);
	r = counts;
	if (evmpkg_rd_u32be(&r, &il) || evmpkg_rd_u32be(&r, &dl))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: bad header magic",
				   p->path, what);
	if (il < 1 || il > (is_sig ? SIG_IL_MAX : HDR_IL_MAX) ||
	    dl > (is_sig ? SIG_DL_MAX : HDR_DL_MAX))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: %u entries, %u data bytes: out of range",
				   p->path, what, il, dl);
	/* Bounded by the limits above: no overflow. */
	len = 8 + (size_t)il * ENTRY_SIZE + dl;
	pad = is_sig ? (8 - (HDR_MAGIC_SIZE + len) % 8) % 8 : 0;
	if (off + (off_t)(HDR_MAGIC_SIZE + len + pad) > p->file_size)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: truncated package (%zu bytes at offset %lld, file has %lld)",
				   p->path, what, HDR_MAGIC_SIZE + len + pad,
				   (long long)off, (long long)p->file_size);
	raw = malloc(len);
	if (!raw)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: %s: out of memory",
				   p->path, what);
	/* il and dl as read, then the rest from the file after them. */
	if (evmpkg_rd_copy(&counts, raw, 8) ||
	    read_at(p->fd, raw + 8, len - 8, off + (off_t)sizeof(intro), &got)) {
		int e = errno;

		free(raw);
		return evmpkg_fail_errno(err, e, "%s: %s: read", p->path, what);
	}
	if (got != len - 8) {
		free(raw);
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: truncated package",
				   p->path, what);
	}
	*rawp = raw;
	*lenp = len;
	*next = off + (off_t)(HDR_MAGIC_SIZE + len + pad);
	return 0;
}

/* ---- tag access ---- */

/* headerGet with an exact type (and count, when count != 0). */
static int get_typed(Header h, uint32_t tag, rpmTagType type, uint32_t count,
		     rpmtd td)
{
	rpmtdReset(td);
	if (!headerGet(h, (rpmTagVal)tag, td, HEADERGET_MINMEM | HEADERGET_RAW))
		return 0;
	/* td->count, not rpmtdCount(), which says 1 for any BIN entry. */
	if (rpmtdType(td) != type || (count && td->count != count)) {
		rpmtdFreeData(td);
		return -1;
	}
	return 1;
}

/* Type of a present tag, or 0. */
static int tag_type(Header h, uint32_t tag, uint32_t *count)
{
	struct rpmtd_s td;
	int t;

	if (!headerGet(h, (rpmTagVal)tag, &td, HEADERGET_MINMEM | HEADERGET_RAW))
		return 0;
	t = rpmtdType(&td);
	*count = td.count;	/* bytes for BIN, where rpmtdCount() says 1 */
	rpmtdFreeData(&td);
	return t;
}

static int put_tag(Header h, uint32_t tag, rpmTagType type, const void *data,
		   uint32_t count)
{
	struct rpmtd_s td;

	rpmtdReset(&td);
	td.tag = (rpmTagVal)tag;
	td.type = type;
	td.data = (void *)data;
	td.count = count;
	headerDel(h, (rpmTagVal)tag);
	return headerPut(h, &td, HEADERPUT_DEFAULT) ? 0 : -1;
}

/* ---- open ---- */

static int check_header_digests(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	struct rpmtd_s td;
	uint32_t n;
	int t;

	for (size_t i = 0; i < NELEM(hdr_digests); i++) {
		char hex[2 * EVP_MAX_MD_SIZE + 1];
		const char *want;
		int got = get_typed(p->sigh, hdr_digests[i].tag, RPM_STRING_TYPE, 1, &td);

		if (got < 0)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: signature header: %s digest tag %u has the wrong type",
					   p->path, hdr_digests[i].what, hdr_digests[i].tag);
		if (!got)
			continue;
		want = rpmtdGetString(&td);
		if (hdr_digest_hex(hdr_digests[i].algo, p->hdrraw, p->hdrlen, hex)) {
			rpmtdFreeData(&td);
			return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s: cannot compute",
					   p->path, hdr_digests[i].what);
		}
		if (!want || strcasecmp(want, hex)) {
			rpmtdFreeData(&td);
			return evmpkg_fail(err, EVMPKG_EVERIFY,
					   "%s: signature header: the %s header digest does not match the main header (corrupt or modified package)",
					   p->path, hdr_digests[i].what);
		}
		rpmtdFreeData(&td);
	}

	/* SIZE / LONGSIZE: main header plus payload. */
	t = tag_type(p->sigh, SIG_SIZE, &n);
	if (!t)
		t = tag_type(p->sigh, SIG_LONGSIZE, &n);
	if (t) {
		uint64_t want = 0, have = (uint64_t)(p->file_size - p->hdr_off);
		uint32_t tag = (t == T_INT32) ? SIG_SIZE : SIG_LONGSIZE;

		if ((t != T_INT32 && t != T_INT64) || n != 1 ||
		    get_typed(p->sigh, tag, t, 1, &td) != 1)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: signature header: size tag has the wrong type",
					   p->path);
		if (t == T_INT32)
			want = *rpmtdGetUint32(&td);
		else
			want = *rpmtdGetUint64(&td);
		rpmtdFreeData(&td);
		if (want != have)
			return evmpkg_fail(err, EVMPKG_EVERIFY,
					   "%s: size: header and payload are %llu bytes, the signature header says %llu (truncated or modified package)",
					   p->path, (unsigned long long)have,
					   (unsigned long long)want);
	}
	return 0;
}

/* Per-file tags: one entry per file, of the type rpm expects. */
static int check_file_tags(struct evmpkg_rpmpkg *p, uint32_t fc,
			   struct evmpkg_err *err)
{
	static const struct {
		uint32_t tag;
		int type;
		int required;
		const char *name;
	} t[] = {
		{ TAG_DIRINDEXES, T_INT32, 1, "DIRINDEXES" },
		{ TAG_FILEMODES, T_INT16, 1, "FILEMODES" },
		{ TAG_FILEFLAGS, T_INT32, 1, "FILEFLAGS" },
		{ TAG_FILEUSERNAME, T_STRING_ARRAY, 1, "FILEUSERNAME" },
		{ TAG_FILEGROUPNAME, T_STRING_ARRAY, 1, "FILEGROUPNAME" },
		{ TAG_FILEDIGESTS, T_STRING_ARRAY, 1, "FILEDIGESTS" },
		{ TAG_FILESIZES, T_INT32, 0, "FILESIZES" },
		{ TAG_LONGFILESIZES, T_INT64, 0, "LONGFILESIZES" },
		{ TAG_FILEINODES, T_INT32, 0, "FILEINODES" },
		{ TAG_FILEDEVICES, T_INT32, 0, "FILEDEVICES" },
		{ TAG_FILELINKTOS, T_STRING_ARRAY, 0, "FILELINKTOS" },
		{ TAG_FILECAPS, T_STRING_ARRAY, 0, "FILECAPS" },
		{ TAG_FILESIGNATURES, T_STRING_ARRAY, 0, "FILESIGNATURES" },
		{ TAG_ORIGBASENAMES, T_STRING_ARRAY, 0, "ORIGBASENAMES" },
		{ TAG_ORIGDIRINDEXES, T_INT32, 0, "ORIGDIRINDEXES" },
	};
	struct rpmtd_s td;
	uint32_t n, ndirs = 0;
	int ty;

	ty = tag_type(p->h, TAG_DIRNAMES, &ndirs);
	if (ty != T_STRING_ARRAY || ndirs < 1)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: DIRNAMES is missing or malformed",
				   p->path);
	for (size_t i = 0; i < NELEM(t); i++) {
		ty = tag_type(p->h, t[i].tag, &n);
		if (!ty && !t[i].required)
			continue;
		if (!ty)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: main header: %s is missing", p->path,
					   t[i].name);
		if (ty != t[i].type || n != fc)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: main header: %s has %u entries of type %d for %u files",
					   p->path, t[i].name, n, ty, fc);
	}
	if (!tag_type(p->h, TAG_FILESIZES, &n) && !tag_type(p->h, TAG_LONGFILESIZES, &n))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: main header: FILESIZES is missing",
				   p->path);
	if (get_typed(p->h, TAG_DIRINDEXES, RPM_INT32_TYPE, fc, &td) == 1) {
		const uint32_t *dx = td.data;

		for (uint32_t i = 0; i < fc; i++)
			if (dx[i] >= ndirs) {
				rpmtdFreeData(&td);
				return evmpkg_fail(err, EVMPKG_EINVAL,
						   "%s: main header: DIRINDEXES entry %u is %u, beyond %u DIRNAMES",
						   p->path, i, dx[i], ndirs);
			}
		rpmtdFreeData(&td);
	}
	return 0;
}

/* Binary file digests from RPMTAG_FILEDIGESTS; NULL/0 for "" entries. */
static int load_digests(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	struct rpmtd_s td;
	size_t dlen = 0;
	uint32_t algo = EVMPKG_RPMHASH_MD5;	/* rpm's default without FILEDIGESTALGO */
	const char *s;
	int got;

	got = get_typed(p->h, TAG_FILEDIGESTALGO, RPM_INT32_TYPE, 1, &td);
	if (got < 0)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: FILEDIGESTALGO is malformed", p->path);
	if (got) {
		algo = *rpmtdGetUint32(&td);
		rpmtdFreeData(&td);
	}
	p->rpm_digest_algo = (int)algo;
	if (get_typed(p->h, TAG_FILEDIGESTS, RPM_STRING_ARRAY_TYPE,
		      (uint32_t)p->nfiles, &td) != 1)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: FILEDIGESTS is malformed", p->path);
	if (evmpkg_rpmhash((int)algo)) {
		dlen = evmpkg_rpmhash((int)algo)->size;
	} else {
		/* An algorithm we do not know: take the entries' length. */
		while ((s = rpmtdNextString(&td)))
			if (*s) {
				dlen = strlen(s) / 2;
				break;
			}
		rpmtdInit(&td);
	}
	if (dlen && !(p->digests = calloc(p->nfiles, dlen))) {
		rpmtdFreeData(&td);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	}
	for (size_t i = 0; (s = rpmtdNextString(&td)); i++) {
		if (!*s)
			continue;
		if (!dlen || evmpkg_hex_decode(s, p->digests + i * dlen, dlen, 0, NULL)) {
			rpmtdFreeData(&td);
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: FILEDIGESTS: not a %zu-byte hex digest",
					   p->path, p->paths[i], dlen);
		}
		p->f[i].digest = p->digests + i * dlen;
		p->f[i].digest_len = dlen;
	}
	rpmtdFreeData(&td);
	return 0;
}

static int load_files(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	uint32_t fc = 0;
	int ty, got, kid;

	ty = tag_type(p->h, TAG_BASENAMES, &fc);
	if (!ty) {
		if (tag_type(p->h, TAG_OLDFILENAMES, &fc))
			return evmpkg_fail(err, EVMPKG_EUNSUPP,
					   "%s: main header: OLDFILENAMES without BASENAMES: package format too old",
					   p->path);
		return 0;	/* no files */
	}
	if (ty != T_STRING_ARRAY || fc < 1)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: BASENAMES is malformed", p->path);
	if (check_file_tags(p, fc, err))
		return err ? err->rc : EVMPKG_EINVAL;

	/*
	 * rpmfiles for names, owners, modes, flags, sizes and hardlink sets;
	 * the tags it would complain about (through rpmlog) are checked
	 * above, and digests, caps and signatures are read here directly.
	 */
	p->files = rpmfilesNew(NULL, p->h, RPMTAG_BASENAMES,
			       RPMFI_NOFILECLASS | RPMFI_NOFILEDEPS |
			       RPMFI_NOFILELANGS | RPMFI_NOFILECOLORS |
			       RPMFI_NOFILEVERIFYFLAGS | RPMFI_NOFILESTATES |
			       RPMFI_NOFILECAPS | RPMFI_NOFILEDIGESTS |
			       RPMFI_NOFILEMTIMES | RPMFI_NOFILERDEVS |
			       RPMFI_NOFILESIGNATURES | RPMFI_NOVERITYSIGNATURES);
	if (!p->files || (uint32_t)rpmfilesFC(p->files) != fc)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: the file list is malformed", p->path);
	p->nfiles = fc;
	p->f = calloc(fc, sizeof(*p->f));
	p->paths = calloc(fc, sizeof(*p->paths));
	if (!p->f || !p->paths)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);

	got = get_typed(p->h, TAG_FILECAPS, RPM_STRING_ARRAY_TYPE, fc, &p->caps_td);
	/* The quirk rpm allows: FILESIGNATURES in the signature header. */
	ty = get_typed(p->h, TAG_FILESIGNATURES, RPM_STRING_ARRAY_TYPE, fc, &p->sigs_td);
	if (!ty) {
		ty = get_typed(p->sigh, SIG_FILESIGNATURES, RPM_STRING_ARRAY_TYPE, fc,
			       &p->sigs_td);
		if (ty < 0)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: signature header: FILESIGNATURES (274) does not have one string per file",
					   p->path);
	}
	if (got < 0 || ty < 0)	/* checked in check_file_tags */
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: main header: malformed", p->path);

	for (uint32_t i = 0; i < fc; i++) {
		struct evmpkg_rpmfile *f = &p->f[i];
		const int *links = NULL;
		uint32_t nl;

		p->paths[i] = rpmfilesFN(p->files, (int)i);
		if (!p->paths[i])
			return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		f->path = p->paths[i];
		f->user = rpmfilesFUser(p->files, (int)i);
		f->group = rpmfilesFGroup(p->files, (int)i);
		if (!f->user || !f->group)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: FILEUSERNAME/FILEGROUPNAME: missing",
					   p->path, f->path);
		f->mode = (uint16_t)rpmfilesFMode(p->files, (int)i);
		f->flags = rpmfilesFFlags(p->files, (int)i);
		/* rpm's archive reader allocates a symlink's FILESIZES bytes. */
		if (S_ISLNK(f->mode) && rpmfilesFSize(p->files, (int)i) >= PATH_MAX)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: FILESIZES: %llu bytes for a symlink target (at most %d)",
					   p->path, f->path,
					   (unsigned long long)rpmfilesFSize(p->files, (int)i),
					   PATH_MAX - 1);
		f->caps = "";
		if (got > 0) {
			const char *c = ((const char **)p->caps_td.data)[i];

			f->caps = c ? c : "";
		}
		f->existing_sig = ty > 0 ? ((const char **)p->sigs_td.data)[i] : NULL;
		f->is_reg = S_ISREG(f->mode) && !(f->flags & EVMPKG_RPMFILE_GHOST);
		f->hardlink_group = -1;
		nl = rpmfilesFLinks(p->files, (int)i, &links);
		if (nl > 1 && links) {
			int first = links[0];

			for (uint32_t j = 1; j < nl; j++)
				if (links[j] < first)
					first = links[j];
			f->hardlink_group = first;
		}
	}
	if (load_digests(p, err))
		return err ? err->rc : EVMPKG_EINVAL;
	kid = evmpkg_hash_from_rpm(p->rpm_digest_algo);
	for (uint32_t i = 0; i < fc; i++)
		p->f[i].digest_algo = kid;
	return 0;
}

int evmpkg_rpm_open(const char *path, struct evmpkg_rpmpkg **out,
		    struct evmpkg_err *err)
{
	struct evmpkg_rpmpkg *p;
	struct evmpkg_rd r;
	struct stat st;
	uint16_t sigtype;
	uint8_t major;
	size_t got;
	off_t next;
	int rc;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(path))) {
		free(p);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", path);
	}
	rpmtdReset(&p->caps_td);
	rpmtdReset(&p->sigs_td);
	p->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->fd < 0) {
		rc = evmpkg_fail_errno(err, errno, "%s: open", path);
		goto fail;
	}
	if (fstat(p->fd, &st)) {
		rc = evmpkg_fail_errno(err, errno, "%s: stat", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: not a regular file", path);
		goto fail;
	}
	p->file_size = st.st_size;

	/* Lead: magic, major version 3 or 4, signature type 5 (header-style). */
	if (read_at(p->fd, p->lead, LEAD_SIZE, 0, &got)) {
		rc = evmpkg_fail_errno(err, errno, "%s: lead: read", path);
		goto fail;
	}
	/* rpmlead: magic, major, minor, type, archnum, name[66], osnum,
	 * signature_type, reserved[16]. */
	evmpkg_rd_init(&r, p->lead, got);
	if (evmpkg_rd_expect(&r, "\xed\xab\xee\xdb", 4)) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: lead: not an rpm package", path);
		goto fail;
	}
	if (got < LEAD_SIZE || evmpkg_rd_u8(&r, &major) ||
	    evmpkg_rd_skip(&r, 1 + 2 + 2 + 66 + 2) || evmpkg_rd_u16be(&r, &sigtype)) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: lead: truncated package", path);
		goto fail;
	}
	if ((major != 3 && major != 4) || sigtype != 5) {
		rc = evmpkg_fail(err, EVMPKG_EUNSUPP,
				 "%s: lead: version %u, signature type %u: not supported",
				 path, major, sigtype);
		goto fail;
	}

	if ((rc = read_header(p, LEAD_SIZE, 1, &p->sigraw, &p->siglen, &p->hdr_off, err)) ||
	    (rc = read_header(p, p->hdr_off, 0, &p->hdrraw, &p->hdrlen, &next, err)))
		goto fail;
	p->payload_off = next;
	if (raw_check_region(p->sigraw, p->siglen, TAG_HEADERSIGNATURES)) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL,
				 "%s: signature header: malformed region", path);
		goto fail;
	}
	switch (raw_check_region(p->hdrraw, p->hdrlen, TAG_HEADERIMMUTABLE)) {
	case 0:
		break;
	case 1:
		rc = evmpkg_fail(err, EVMPKG_EUNSUPP,
				 "%s: main header: no immutable region (rpm v3 package): not supported",
				 path);
		goto fail;
	default:
		rc = evmpkg_fail(err, EVMPKG_EINVAL,
				 "%s: main header: malformed region", path);
		goto fail;
	}
	/* headerImport with HEADERIMPORT_COPY keeps our raw copies ours. */
	p->sigh = headerImport(p->sigraw, (unsigned int)p->siglen, HEADERIMPORT_COPY);
	if (!p->sigh) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: signature header: malformed", path);
		goto fail;
	}
	p->h = headerImport(p->hdrraw, (unsigned int)p->hdrlen, HEADERIMPORT_COPY);
	if (!p->h) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: main header: malformed", path);
		goto fail;
	}
	if ((rc = check_header_digests(p, err)))
		goto fail;
	for (size_t i = 0; i < NELEM(pgp_tags); i++)
		if (headerIsEntry(p->sigh, (rpmTagVal)pgp_tags[i]))
			p->has_pgp = 1;
	p->nevra = headerGetAsString(p->h, RPMTAG_NEVRA);
	if (!p->nevra) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: main header: no name", path);
		goto fail;
	}
	if ((rc = load_files(p, err)))
		goto fail;
	*out = p;
	return 0;
fail:
	evmpkg_rpm_close(p);
	return rc ? rc : EVMPKG_EINVAL;
}

void evmpkg_rpm_close(struct evmpkg_rpmpkg *p)
{
	if (!p)
		return;
	if (p->paths)
		for (size_t i = 0; i < p->nfiles; i++)
			free(p->paths[i]);
	free(p->paths);
	free(p->f);
	free(p->digests);
	rpmtdFreeData(&p->caps_td);
	rpmtdFreeData(&p->sigs_td);
	rpmfilesFree(p->files);
	headerFree(p->h);
	headerFree(p->sigh);
	free(p->nevra);
	free(p->sigraw);
	free(p->hdrraw);
	if (p->fd >= 0)
		close(p->fd);
	free(p->path);
	free(p);
}

const char *evmpkg_rpm_nevra(const struct evmpkg_rpmpkg *p)
{
	return p->nevra;
}

size_t evmpkg_rpm_nfiles(const struct evmpkg_rpmpkg *p)
{
	return p->nfiles;
}

const struct evmpkg_rpmfile *evmpkg_rpm_file(const struct evmpkg_rpmpkg *p,
					     size_t i)
{
	return i < p->nfiles ? &p->f[i] : NULL;
}

void *evmpkg_rpm_header(const struct evmpkg_rpmpkg *p)
{
	return p->h;
}

int evmpkg_rpm_has_pgp_sig(const struct evmpkg_rpmpkg *p)
{
	return p->has_pgp;
}

int evmpkg_rpm_get_bin(const struct evmpkg_rpmpkg *p, uint32_t tag,
		       const uint8_t **data, size_t *len)
{
	struct rawhdr rh;
	struct rawent e;
	struct evmpkg_rd d;

	/* The raw header, already checked to be one region: no dribbles. */
	if (raw_parse(p->hdrraw, p->hdrlen, &rh))
		return -1;
	for (uint32_t i = 1; i < rh.il; i++) {
		if (raw_entry(&rh, i, &e) || e.tag != tag)
			continue;
		if (e.type != T_BIN || evmpkg_rd_sub(&rh.data, e.offset, e.count, &d) ||
		    evmpkg_rd_bytes(&d, e.count, data))
			return -1;
		*len = e.count;
		return 0;
	}
	return -1;
}

/* ---- payload ---- */

/* The payload as a decompressing rpmio stream, or NULL with err set. */
static FD_t open_payload(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	static const char *const known[] = { "gzip", "bzip2", "xz", "lzma", "zstd" };
	const char *compr = headerGetString(p->h, (rpmTagVal)TAG_PAYLOADCOMPRESSOR);
	char mode[32];
	FD_t raw, z;
	size_t i;

	/* rpm reads a payload without PAYLOADCOMPRESSOR as gzip (which passes
	 * uncompressed data through). */
	if (!compr)
		compr = "gzip";
	for (i = 0; i < NELEM(known); i++)
		if (!strcmp(compr, known[i]))
			break;
	if (i == NELEM(known)) {
		evmpkg_fail(err, EVMPKG_EUNSUPP,
			    "%s: PAYLOADCOMPRESSOR: '%s' is not supported", p->path, compr);
		return NULL;
	}
	snprintf(mode, sizeof(mode), "r.%s", compr);
	raw = fdDup(p->fd);
	if (!raw || Ferror(raw)) {
		evmpkg_fail_errno(err, errno, "%s: payload: dup", p->path);
		if (raw)
			Fclose(raw);
		return NULL;
	}
	/* The dup shares p->fd's offset; p->fd itself is only used with pread. */
	if (lseek(Fileno(raw), p->payload_off, SEEK_SET) != p->payload_off) {
		evmpkg_fail_errno(err, errno, "%s: payload: seek", p->path);
		Fclose(raw);
		return NULL;
	}
	z = Fdopen(raw, mode);
	if (!z || Ferror(z)) {
		evmpkg_fail(err, EVMPKG_EUNSUPP,
			    "%s: payload: this rpm cannot decompress '%s'", p->path, compr);
		Fclose(z ? z : raw);
		return NULL;
	}
	return z;
}

int evmpkg_rpm_payload_digests(struct evmpkg_rpmpkg *p, int algo, uint8_t **out,
			       struct evmpkg_err *err)
{
	const char *name = evmpkg_hash_name(algo);
	const EVP_MD *md = evmpkg_hash_md(algo);
	size_t dsz = evmpkg_hash_size(algo);
	uint8_t *res = NULL, *done = NULL, *buf = NULL;
	EVP_MD_CTX *ctx = NULL;
	rpmfi fi = NULL;
	FD_t z = NULL;
	int fx, rc = 0;

	*out = NULL;
	if (!md || !dsz)
		return evmpkg_fail(err, EVMPKG_EUNSUPP, "%s: payload digests: hash algorithm %d not supported",
				   p->path, algo);
	res = calloc(p->nfiles ? p->nfiles : 1, dsz);
	done = calloc(p->nfiles ? p->nfiles : 1, 1);
	buf = malloc(COPY_CHUNK);
	ctx = EVP_MD_CTX_new();
	if (!res || !done || !buf || !ctx) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		goto out;
	}
	if (!p->nfiles)
		goto out;
	if (!(z = open_payload(p, err))) {
		rc = err ? err->rc : EVMPKG_EIO;
		goto out;
	}
	fi = rpmfiNewArchiveReader(z, p->files, RPMFI_ITER_READ_ARCHIVE);
	if (!fi) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: payload: cannot read the archive",
				 p->path);
		goto out;
	}
	while ((fx = rpmfiNext(fi)) >= 0) {
		rpm_loff_t left;
		const int *links = NULL;
		uint32_t nl;
		unsigned int dl;

		if ((size_t)fx >= p->nfiles || !rpmfiArchiveHasContent(fi))
			continue;
		left = rpmfiFSize(fi);
		if (!EVP_DigestInit_ex(ctx, md, NULL)) {
			rc = evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s digest failed",
					 p->path, name);
			goto out;
		}
		while (left > 0) {
			size_t want = left > COPY_CHUNK ? COPY_CHUNK : (size_t)left;
			ssize_t n = rpmfiArchiveRead(fi, buf, want);

			if (n <= 0) {
				rc = evmpkg_fail(err, EVMPKG_EINVAL,
						 "%s: %s: payload: content ends %llu bytes early (corrupt payload)",
						 p->path, p->f[fx].path,
						 (unsigned long long)left);
				goto out;
			}
			EVP_DigestUpdate(ctx, buf, (size_t)n);
			left -= (rpm_loff_t)n;
		}
		if (!EVP_DigestFinal_ex(ctx, res + (size_t)fx * dsz, &dl)) {
			rc = evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s digest failed",
					 p->path, name);
			goto out;
		}
		done[fx] = 1;
		nl = rpmfiFLinks(fi, &links);
		for (uint32_t j = 0; nl > 1 && links && j < nl; j++) {
			if (links[j] < 0 || (size_t)links[j] >= p->nfiles)
				continue;
			memcpy(res + (size_t)links[j] * dsz, res + (size_t)fx * dsz, dsz);
			done[links[j]] = 1;
		}
	}
	if (fx != RPMERR_ITER_END) {
		char *msg = rpmfileStrerror(fx);

		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: payload: %s (corrupt payload?)",
				 p->path, msg ? msg : "read error");
		free(msg);
		goto out;
	}
	if (Ferror(z)) {
		rc = evmpkg_fail(err, EVMPKG_EIO, "%s: payload: %s", p->path, Fstrerror(z));
		goto out;
	}
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->f[i].is_reg && !done[i]) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL,
					 "%s: %s: payload: no content for this file",
					 p->path, p->f[i].path);
			goto out;
		}
out:
	rpmfiFree(fi);
	if (z)
		Fclose(z);
	EVP_MD_CTX_free(ctx);
	free(buf);
	free(done);
	if (rc)
		free(res);
	else
		*out = res;
	return rc;
}

/* ---- write ---- */

/* The new main header, exported (il, dl, index, data; no magic). */
static int build_main(struct evmpkg_rpmpkg *p, const char *const *sigs,
		      uint32_t tag, const void *blob, size_t bloblen,
		      uint8_t **outp, size_t *outlen, struct evmpkg_err *err)
{
	Header nh = headerCopy(p->h);	/* all tags, outside any region */
	unsigned int len = 0;
	void *ei;

	if (!nh)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	if (sigs) {
		uint32_t maxlen = 0;

		headerDel(nh, (rpmTagVal)TAG_FILESIGNATURES);
		headerDel(nh, (rpmTagVal)TAG_FILESIGNATURELENGTH);
		for (size_t i = 0; i < p->nfiles; i++)
			if (strlen(sigs[i]) / 2 > maxlen)
				maxlen = (uint32_t)(strlen(sigs[i]) / 2);
		if (p->nfiles &&
		    put_tag(nh, TAG_FILESIGNATURES, RPM_STRING_ARRAY_TYPE, sigs,
			    (uint32_t)p->nfiles)) {
			headerFree(nh);
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: FILESIGNATURES: cannot add to the main header",
					   p->path);
		}
		if (maxlen && put_tag(nh, TAG_FILESIGNATURELENGTH, RPM_INT32_TYPE,
				      &maxlen, 1)) {
			headerFree(nh);
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: FILESIGNATURELENGTH: cannot add to the main header",
					   p->path);
		}
	}
	headerDel(nh, (rpmTagVal)tag);
	if (bloblen && put_tag(nh, tag, RPM_BIN_TYPE, blob, (uint32_t)bloblen)) {
		headerFree(nh);
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: tag %u: cannot add %zu bytes to the main header",
				   p->path, tag, bloblen);
	}
	/* One immutable region around everything, as rpmbuild does it. */
	nh = headerReload(nh, RPMTAG_HEADERIMMUTABLE);
	if (!nh)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: cannot rebuild (too large?)", p->path);
	ei = headerExport(nh, &len);
	headerFree(nh);
	if (!ei)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: cannot rebuild (too large?)", p->path);
	if (raw_check_region(ei, len, TAG_HEADERIMMUTABLE)) {
		free(ei);
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: rebuilt header has no enclosing region",
				   p->path);
	}
	*outp = ei;
	*outlen = len;
	return 0;
}

/*
 * The new signature header: header digests over (magic + hdr), MD5 = md5
 * (zeros as a placeholder), size = total. want_len != 0 makes the reserved
 * space fit that exported length (the second, final build).
 */
static int build_sig(struct evmpkg_rpmpkg *p, int drop_filesigs,
		     const uint8_t *hdr, size_t hdrlen, const uint8_t md5[16],
		     uint64_t total, uint8_t **outp, size_t *outlen,
		     struct evmpkg_err *err)
{
	Header s = headerCopy(p->sigh);
	unsigned int len = 0;
	uint32_t n;
	void *ei = NULL;
	int t;

	if (!s)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	for (size_t i = 0; i < NELEM(pgp_tags); i++)
		headerDel(s, (rpmTagVal)pgp_tags[i]);
	if (drop_filesigs) {
		headerDel(s, (rpmTagVal)SIG_FILESIGNATURES);
		headerDel(s, (rpmTagVal)SIG_FILESIGNATURELENGTH);
	}
	for (size_t i = 0; i < NELEM(hdr_digests); i++) {
		char hex[2 * EVP_MAX_MD_SIZE + 1];

		if (!headerIsEntry(s, (rpmTagVal)hdr_digests[i].tag))
			continue;
		if (hdr_digest_hex(hdr_digests[i].algo, hdr, hdrlen, hex) ||
		    put_tag(s, hdr_digests[i].tag, RPM_STRING_TYPE, hex, 1))
			goto fail;
	}
	if (headerIsEntry(s, (rpmTagVal)SIG_MD5) &&
	    put_tag(s, SIG_MD5, RPM_BIN_TYPE, md5, 16))
		goto fail;
	if (headerIsEntry(s, (rpmTagVal)SIG_SIZE)) {
		if (total < UINT32_MAX) {
			uint32_t v = (uint32_t)total;

			if (put_tag(s, SIG_SIZE, RPM_INT32_TYPE, &v, 1))
				goto fail;
		} else {
			headerDel(s, (rpmTagVal)SIG_SIZE);
			if (put_tag(s, SIG_LONGSIZE, RPM_INT64_TYPE, &total, 1))
				goto fail;
		}
	} else if (headerIsEntry(s, (rpmTagVal)SIG_LONGSIZE) &&
		   put_tag(s, SIG_LONGSIZE, RPM_INT64_TYPE, &total, 1)) {
		goto fail;
	}

	/* Keep the original size with the reserved space, as rpmsign does. */
	t = tag_type(s, SIG_RESERVEDSPACE, &n);
	if (t == T_BIN) {
		Header tmp = headerReload(headerCopy(s), RPMTAG_HEADERSIGNATURES);
		unsigned int nowlen = 0;
		void *now = tmp ? headerExport(tmp, &nowlen) : NULL;
		int64_t want = (int64_t)n + (int64_t)p->siglen - (int64_t)nowlen;

		headerFree(tmp);
		free(now);
		if (now && want > 0 && want != (int64_t)n && want <= (int64_t)n + 64 * 1024) {
			uint8_t *zeros = calloc(1, (size_t)want);

			if (!zeros || put_tag(s, SIG_RESERVEDSPACE, RPM_BIN_TYPE, zeros,
					      (uint32_t)want)) {
				free(zeros);
				goto fail;
			}
			free(zeros);
		}
	}
	s = headerReload(s, RPMTAG_HEADERSIGNATURES);
	if (!s)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: signature header: cannot rebuild", p->path);
	ei = headerExport(s, &len);
	headerFree(s);
	if (!ei || raw_check_region(ei, len, TAG_HEADERSIGNATURES)) {
		free(ei);
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: signature header: cannot rebuild", p->path);
	}
	*outp = ei;
	*outlen = len;
	return 0;
fail:
	headerFree(s);
	return evmpkg_fail(err, EVMPKG_EINVAL, "%s: signature header: cannot rebuild",
			   p->path);
}

/* Payload digests of the main header to check the copied bytes against. */
struct pldcheck {
	EVP_MD_CTX *ctx;
	char *want;		/* hex */
	const char *what;
};

static int pld_setup(struct evmpkg_rpmpkg *p, struct pldcheck *c, size_t *nc,
		     struct evmpkg_err *err)
{
	static const struct {
		uint32_t tag;
		int algo;	/* rpm id; 0: PAYLOADDIGESTALGO */
		const char *what;
	} t[] = {
		{ TAG_PAYLOADDIGEST, 0, "PAYLOADDIGEST" },
		{ TAG_PAYLOADSHA512, EVMPKG_RPMHASH_SHA512, "PAYLOADSHA512" },
		{ TAG_PAYLOADSHA3_256, EVMPKG_RPMHASH_SHA3_256, "PAYLOADSHA3_256" },
	};
	struct rpmtd_s td;

	*nc = 0;
	for (size_t i = 0; i < NELEM(t); i++) {
		const char *v;
		int algo = t[i].algo, got;

		if (!headerIsEntry(p->h, (rpmTagVal)t[i].tag))
			continue;
		if (!algo) {
			/* SHA256 when PAYLOADDIGESTALGO is absent */
			algo = EVMPKG_RPMHASH_SHA256;
			got = get_typed(p->h, TAG_PAYLOADDIGESTALGO, RPM_INT32_TYPE, 1, &td);
			if (got > 0) {
				algo = (int)*rpmtdGetUint32(&td);
				rpmtdFreeData(&td);
			}
		}
		/* A string (rpm 6) or a one-element string array (rpm 4). */
		got = get_typed(p->h, t[i].tag, RPM_STRING_ARRAY_TYPE, 1, &td);
		if (got <= 0)
			got = get_typed(p->h, t[i].tag, RPM_STRING_TYPE, 1, &td);
		if (got <= 0)
			return evmpkg_fail(err, EVMPKG_EINVAL, "%s: main header: %s is malformed",
					   p->path, t[i].what);
		v = rpmtdNextString(&td);
		if (!evmpkg_rpmhash(algo) || !v) {
			rpmtdFreeData(&td);
			continue;	/* an algorithm we cannot check */
		}
		c[*nc].want = strdup(v);
		c[*nc].what = t[i].what;
		c[*nc].ctx = md_start(algo);
		rpmtdFreeData(&td);
		if (!c[*nc].want || !c[*nc].ctx) {
			free(c[*nc].want);
			EVP_MD_CTX_free(c[*nc].ctx);
			return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s: cannot set up the digest",
					   p->path, t[i].what);
		}
		(*nc)++;
	}
	return 0;
}

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

static int pv_start(struct evmpkg_rpmpkg *p, struct pldverify *v, struct evmpkg_err *err)
{
	struct rpmtd_s td;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = pld_setup(p, v->chk, &v->nc, err)))
		return rc;
	if (get_typed(p->sigh, SIG_MD5, RPM_BIN_TYPE, 16, &td) != 1)
		return 0;
	memcpy(v->oldmd5, td.data, 16);
	rpmtdFreeData(&td);
	v->md5old = md_start(EVMPKG_RPMHASH_MD5);
	if (!v->md5old || !EVP_DigestUpdate(v->md5old, hdr_magic, sizeof(hdr_magic)) ||
	    !EVP_DigestUpdate(v->md5old, p->hdrraw, p->hdrlen))
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: MD5: cannot compute", p->path);
	return 0;
}

static void pv_update(struct pldverify *v, const void *buf, size_t n)
{
	if (v->md5old)
		EVP_DigestUpdate(v->md5old, buf, n);
	for (size_t i = 0; i < v->nc; i++)
		EVP_DigestUpdate(v->chk[i].ctx, buf, n);
}

static int pv_finish(struct evmpkg_rpmpkg *p, struct pldverify *v, struct evmpkg_err *err)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;

	for (size_t i = 0; i < v->nc; i++) {
		char hex[2 * EVP_MAX_MD_SIZE + 1];

		if (!EVP_DigestFinal_ex(v->chk[i].ctx, d, &dl))
			return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s: cannot compute",
					   p->path, v->chk[i].what);
		evmpkg_hex_encode(d, dl, hex);
		if (strcasecmp(hex, v->chk[i].want))
			return evmpkg_fail(err, EVMPKG_EVERIFY,
					   "%s: payload: does not match the main header's %s (corrupt package)",
					   p->path, v->chk[i].what);
	}
	if (v->md5old && (!EVP_DigestFinal_ex(v->md5old, d, &dl) || dl != 16 ||
			  memcmp(d, v->oldmd5, 16)))
		return evmpkg_fail(err, EVMPKG_EVERIFY,
				   "%s: signature header: MD5 does not match header and payload (corrupt package)",
				   p->path);
	return 0;
}

static void pv_free(struct pldverify *v)
{
	for (size_t i = 0; i < v->nc; i++) {
		EVP_MD_CTX_free(v->chk[i].ctx);
		free(v->chk[i].want);
	}
	EVP_MD_CTX_free(v->md5old);
	memset(v, 0, sizeof(*v));
}

/* Reads the payload bytes from off to the end, n at a time, into fn. */
static int read_payload(struct evmpkg_rpmpkg *p, uint8_t *buf,
			int (*fn)(void *arg, const uint8_t *b, size_t n, struct evmpkg_err *err),
			void *arg, struct evmpkg_err *err)
{
	for (off_t off = p->payload_off; off < p->file_size;) {
		size_t want = (size_t)(p->file_size - off) > COPY_CHUNK ?
				      COPY_CHUNK : (size_t)(p->file_size - off);
		size_t got;
		int rc;

		if (read_at(p->fd, buf, want, off, &got))
			return evmpkg_fail_errno(err, errno, "%s: payload: read", p->path);
		if (got != want)
			return evmpkg_fail(err, EVMPKG_EIO,
					   "%s: payload: the file shrank while being read", p->path);
		if ((rc = fn(arg, buf, got, err)))
			return rc;
		off += (off_t)got;
	}
	return 0;
}

static int check_chunk(void *arg, const uint8_t *b, size_t n, struct evmpkg_err *err)
{
	pv_update(arg, b, n);
	return 0;
}

int evmpkg_rpm_check_payload(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	struct pldverify v;
	uint8_t *buf = malloc(COPY_CHUNK);
	int rc;

	if (!buf)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	rc = pv_start(p, &v, err);
	if (!rc)
		rc = read_payload(p, buf, check_chunk, &v, err);
	if (!rc)
		rc = pv_finish(p, &v, err);
	pv_free(&v);
	free(buf);
	return rc;
}

/* The copy: the new MD5, the checks of the old bytes, the output. */
struct copyctx {
	struct pldverify *v;
	EVP_MD_CTX *md5new;
	struct evmpkg_atomicfile *af;
};

static int copy_chunk(void *arg, const uint8_t *b, size_t n, struct evmpkg_err *err)
{
	struct copyctx *c = arg;

	EVP_DigestUpdate(c->md5new, b, n);
	pv_update(c->v, b, n);
	return evmpkg_atomic_put(c->af, b, n, err);
}

int evmpkg_rpm_write(struct evmpkg_rpmpkg *p, const char *const *filesigs_hex,
		     uint32_t tag, const void *blob, size_t bloblen,
		     const char *outpath, int *dropped_pgp,
		     struct evmpkg_err *err)
{
	static const uint8_t zeros[8] = { 0 };
	uint8_t *mh = NULL, *sh = NULL, *sh2 = NULL, *buf = NULL;
	size_t mhlen = 0, shlen = 0, sh2len = 0, pad;
	struct pldverify v;
	EVP_MD_CTX *md5new = NULL;
	uint8_t md5[16] = { 0 };
	struct evmpkg_atomicfile af = EVMPKG_ATOMICFILE_INIT;
	struct copyctx cc = { .v = &v, .af = &af };
	int rc = 0;
	uint64_t payload_len, total;
	struct stat st;
	mode_t mode;

	if (dropped_pgp)
		*dropped_pgp = 0;
	memset(&v, 0, sizeof(v));

	/* Arguments. */
	if (tag < EVMPKG_RPMTAG_EXTERNAL_MIN)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: tag %u: below %u, may collide with rpm's own tags",
				   p->path, tag, EVMPKG_RPMTAG_EXTERNAL_MIN);
	if (bloblen && !blob)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: tag %u: no data", p->path, tag);
	if (bloblen > HDR_DL_MAX)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: tag %u: %zu bytes is too large",
				   p->path, tag, bloblen);
	/* Lowercase hex of whole bytes, or "", as rpm writes them. */
	for (size_t i = 0; filesigs_hex && i < p->nfiles; i++) {
		if (!filesigs_hex[i] ||
		    evmpkg_hex_decode(filesigs_hex[i], NULL, strlen(filesigs_hex[i]) / 2,
				      EVMPKG_HEX_LOWER, NULL))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: FILESIGNATURES: not lowercase hex of whole bytes",
					   p->path, p->f[i].path);
	}

	/* Headers. The size and MD5 need the payload: placeholder first. */
	if ((rc = build_main(p, filesigs_hex, tag, blob, bloblen, &mh, &mhlen, err)))
		goto out;
	payload_len = (uint64_t)(p->file_size - p->payload_off);
	total = HDR_MAGIC_SIZE + mhlen + payload_len;
	if ((rc = build_sig(p, filesigs_hex != NULL, mh, mhlen, md5, total, &sh,
			    &shlen, err)))
		goto out;
	pad = (8 - (HDR_MAGIC_SIZE + shlen) % 8) % 8;

	/* What the copy checks and computes. */
	if ((rc = pv_start(p, &v, err)))
		goto out;
	md5new = cc.md5new = md_start(EVMPKG_RPMHASH_MD5);
	if (!md5new || !EVP_DigestUpdate(md5new, hdr_magic, sizeof(hdr_magic)) ||
	    !EVP_DigestUpdate(md5new, mh, mhlen)) {
		rc = evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: MD5: cannot compute", p->path);
		goto out;
	}

	/* The temporary file, next to outpath. */
	if (stat(outpath, &st) == 0 && S_ISREG(st.st_mode))
		mode = st.st_mode & 07777;
	else if (fstat(p->fd, &st) == 0)
		mode = st.st_mode & 0777;
	else
		mode = 0644;
	if ((rc = evmpkg_atomic_open(&af, outpath, err)))
		goto out;

	/* Lead, placeholder signature header, main header. */
	if ((rc = evmpkg_atomic_put(&af, p->lead, LEAD_SIZE, err)) ||
	    (rc = evmpkg_atomic_put(&af, hdr_magic, sizeof(hdr_magic), err)) ||
	    (rc = evmpkg_atomic_put(&af, sh, shlen, err)) ||
	    (rc = evmpkg_atomic_put(&af, zeros, pad, err)) ||
	    (rc = evmpkg_atomic_put(&af, hdr_magic, sizeof(hdr_magic), err)) ||
	    (rc = evmpkg_atomic_put(&af, mh, mhlen, err)))
		goto out;

	/* Payload, byte for byte, checked on the way. */
	buf = malloc(COPY_CHUNK);
	if (!buf) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		goto out;
	}
	if ((rc = read_payload(p, buf, copy_chunk, &cc, err)) ||
	    (rc = pv_finish(p, &v, err)))
		goto out;
	{
		unsigned int dl = 0;

		if (!EVP_DigestFinal_ex(md5new, md5, &dl) || dl != 16) {
			rc = evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: MD5: cannot compute", p->path);
			goto out;
		}
	}

	/* The final signature header, the same size, over the placeholder. */
	if ((rc = build_sig(p, filesigs_hex != NULL, mh, mhlen, md5, total, &sh2,
			    &sh2len, err)))
		goto out;
	if (sh2len != shlen) {
		rc = evmpkg_fail(err, EVMPKG_EINVAL,
				 "%s: signature header: changed size between builds", p->path);
		goto out;
	}
	if (pwrite(af.fd, sh2, sh2len, LEAD_SIZE + HDR_MAGIC_SIZE) != (ssize_t)sh2len) {
		rc = evmpkg_fail_errno(err, errno ? errno : EIO, "%s: write", outpath);
		goto out;
	}
	if ((rc = evmpkg_atomic_commit(&af, mode, err)))
		goto out;
	if (dropped_pgp)
		*dropped_pgp = p->has_pgp;
out:
	evmpkg_atomic_abort(&af);	/* nothing left to do after commit */
	pv_free(&v);
	EVP_MD_CTX_free(md5new);
	free(buf);
	free(mh);
	free(sh);
	free(sh2);
	return rc;
}
