// SPDX-License-Identifier: GPL-2.0-or-later
/* rpm package headers: the lead, the raw headers, tag access, header digests. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <rpm/header.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>

#include "evmpkg/hex.h"
#include "evmpkg/reader.h"
#include "rpmimpl.h"

/*
 * An rpm package is a 96-byte lead, the signature header (padded to 8
 * bytes), the main header and the compressed cpio payload. A header on disk
 * is an 8-byte magic, il and dl (big-endian u32), il 16-byte index entries
 * (tag, type, offset, count) and dl bytes of data; in package files the
 * first entry is a region tag (62 signature, 63 main header) whose trailer
 * encloses every entry. We read the raw bytes ourselves through the
 * bounds-checked reader (to check digests over exactly what is on disk and
 * to refuse what rpm itself would refuse), then hand them to librpm
 * (headerImport) for everything else.
 */

const uint8_t evmpkg_rpmi_hdr_magic[HDR_MAGIC_SIZE] = {
	0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0
};

/* OpenPGP signature tags of the signature header. */
const uint32_t evmpkg_rpmi_pgp_tags[6] = {
	SIG_DSA, SIG_RSA, SIG_PGP, SIG_GPG, SIG_PGP5, SIG_OPENPGP,
};

/* Header digests of the signature header: each over magic + main header. */
const struct evmpkg_rpmi_hdrdigest evmpkg_rpmi_hdr_digests[3] = {
	{ SIG_SHA256, EVMPKG_RPMHASH_SHA256, "SHA256" },
	{ SIG_SHA3_256, EVMPKG_RPMHASH_SHA3_256, "SHA3-256" },
	{ SIG_SHA1, EVMPKG_RPMHASH_SHA1, "SHA1" },
};

/* ---- small helpers ---- */

int evmpkg_rpmi_read_at(int fd, void *buf, size_t n, off_t off, size_t *got)
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
EVP_MD_CTX *evmpkg_rpmi_md_start(int rpmalgo)
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
int evmpkg_rpmi_hdr_digest_hex(int rpmalgo, const uint8_t *blob, size_t len,
			       char *hex)
{
	EVP_MD_CTX *ctx = evmpkg_rpmi_md_start(rpmalgo);
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	int ok;

	if (!ctx)
		return -1;
	ok = EVP_DigestUpdate(ctx, evmpkg_rpmi_hdr_magic, HDR_MAGIC_SIZE) &&
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
int evmpkg_rpmi_check_region(const uint8_t *raw, size_t len, uint32_t region)
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

	if (evmpkg_rpmi_read_at(p->fd, intro, sizeof(intro), off, &got))
		return evmpkg_fail_errno(err, errno, "%s: %s: read", p->path, what);
	if (got < sizeof(intro))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: truncated package (file ends at byte %lld)",
				   p->path, what, (long long)p->file_size);
	/* Magic (4 bytes, then 4 reserved), il, dl; the blob starts at il. */
	evmpkg_rd_init(&r, intro, sizeof(intro));
	if (evmpkg_rd_expect(&r, evmpkg_rpmi_hdr_magic, 4) || evmpkg_rd_skip(&r, 4) ||
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
	    evmpkg_rpmi_read_at(p->fd, raw + 8, len - 8, off + (off_t)sizeof(intro),
				&got)) {
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

/* The lead, then both headers; see rpmimpl.h. */
int evmpkg_rpmi_read_headers(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	const char *path = p->path;
	struct evmpkg_rd r;
	uint16_t sigtype;
	uint8_t major;
	size_t got;
	off_t next;
	int rc;

	/* Lead: magic, major version 3 or 4, signature type 5 (header-style). */
	if (evmpkg_rpmi_read_at(p->fd, p->lead, LEAD_SIZE, 0, &got))
		return evmpkg_fail_errno(err, errno, "%s: lead: read", path);
	/* rpmlead: magic, major, minor, type, archnum, name[66], osnum,
	 * signature_type, reserved[16]. */
	evmpkg_rd_init(&r, p->lead, got);
	if (evmpkg_rd_expect(&r, "\xed\xab\xee\xdb", 4))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: lead: not an rpm package", path);
	if (got < LEAD_SIZE || evmpkg_rd_u8(&r, &major) ||
	    evmpkg_rd_skip(&r, 1 + 2 + 2 + 66 + 2) || evmpkg_rd_u16be(&r, &sigtype))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: lead: truncated package", path);
	if ((major != 3 && major != 4) || sigtype != 5)
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "%s: lead: version %u, signature type %u: not supported",
				   path, major, sigtype);

	if ((rc = read_header(p, LEAD_SIZE, 1, &p->sigraw, &p->siglen, &p->hdr_off, err)) ||
	    (rc = read_header(p, p->hdr_off, 0, &p->hdrraw, &p->hdrlen, &next, err)))
		return rc;
	p->payload_off = next;
	if (evmpkg_rpmi_check_region(p->sigraw, p->siglen, TAG_HEADERSIGNATURES))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: signature header: malformed region", path);
	switch (evmpkg_rpmi_check_region(p->hdrraw, p->hdrlen, TAG_HEADERIMMUTABLE)) {
	case 0:
		break;
	case 1:
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "%s: main header: no immutable region (rpm v3 package): not supported",
				   path);
	default:
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: main header: malformed region", path);
	}
	/* headerImport with HEADERIMPORT_COPY keeps our raw copies ours. */
	p->sigh = headerImport(p->sigraw, (unsigned int)p->siglen, HEADERIMPORT_COPY);
	if (!p->sigh)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: signature header: malformed", path);
	p->h = headerImport(p->hdrraw, (unsigned int)p->hdrlen, HEADERIMPORT_COPY);
	if (!p->h)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: main header: malformed", path);
	return 0;
}

/* ---- tag access ---- */


/* headerGet with an exact type (and count, when count != 0). */
int evmpkg_rpmi_get_typed(Header h, uint32_t tag, rpmTagType type, uint32_t count,
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
int evmpkg_rpmi_tag_type(Header h, uint32_t tag, uint32_t *count)
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

int evmpkg_rpmi_put_tag(Header h, uint32_t tag, rpmTagType type, const void *data,
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

/* ---- header digests ---- */

/* The signature header's header digests and size against the package. */
/* One size tag of h (one INT32 or INT64) against the bytes there are. */
static int check_size(struct evmpkg_rpmpkg *p, Header h, uint32_t tag, const char *what,
		      uint64_t have, struct evmpkg_err *err)
{
	struct rpmtd_s td;
	uint32_t n;
	uint64_t want;
	int t = evmpkg_rpmi_tag_type(h, tag, &n);

	if ((t != T_INT32 && t != T_INT64) || n != 1 ||
	    evmpkg_rpmi_get_typed(h, tag, t, 1, &td) != 1)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: wrong type", p->path, what);
	want = t == T_INT32 ? *rpmtdGetUint32(&td) : *rpmtdGetUint64(&td);
	rpmtdFreeData(&td);
	if (want != have)
		return evmpkg_fail(err, EVMPKG_EVERIFY,
				   "%s: size: %llu bytes where %s says %llu (truncated or modified package)",
				   p->path, (unsigned long long)have, what,
				   (unsigned long long)want);
	return 0;
}

int evmpkg_rpmi_check_header_digests(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	struct rpmtd_s td;

	for (size_t i = 0; i < NELEM(evmpkg_rpmi_hdr_digests); i++) {
		const struct evmpkg_rpmi_hdrdigest *hd = &evmpkg_rpmi_hdr_digests[i];
		char hex[2 * EVP_MAX_MD_SIZE + 1];
		const char *want;
		int got = evmpkg_rpmi_get_typed(p->sigh, hd->tag, RPM_STRING_TYPE, 1, &td);

		if (got < 0)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: signature header: %s digest tag %u has the wrong type",
					   p->path, hd->what, hd->tag);
		if (!got)
			continue;
		want = rpmtdGetString(&td);
		if (evmpkg_rpmi_hdr_digest_hex(hd->algo, p->hdrraw, p->hdrlen, hex)) {
			rpmtdFreeData(&td);
			return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: %s: cannot compute",
					   p->path, hd->what);
		}
		if (!want || strcasecmp(want, hex)) {
			rpmtdFreeData(&td);
			return evmpkg_fail(err, EVMPKG_EVERIFY,
					   "%s: signature header: the %s header digest does not match the main header (corrupt or modified package)",
					   p->path, hd->what);
		}
		rpmtdFreeData(&td);
	}

	/* SIZE / LONGSIZE: main header plus payload. v6 packages have
	 * neither: the main header's PAYLOADSIZE is the payload on disk. */
	if (headerIsEntry(p->sigh, (rpmTagVal)SIG_SIZE))
		return check_size(p, p->sigh, SIG_SIZE, "signature header: SIZE",
				  (uint64_t)(p->file_size - p->hdr_off), err);
	if (headerIsEntry(p->sigh, (rpmTagVal)SIG_LONGSIZE))
		return check_size(p, p->sigh, SIG_LONGSIZE, "signature header: LONGSIZE",
				  (uint64_t)(p->file_size - p->hdr_off), err);
	if (headerIsEntry(p->h, (rpmTagVal)TAG_PAYLOADSIZE))
		return check_size(p, p->h, TAG_PAYLOADSIZE, "main header: PAYLOADSIZE",
				  (uint64_t)(p->file_size - p->payload_off), err);
	return 0;
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
