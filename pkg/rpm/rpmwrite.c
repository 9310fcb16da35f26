// SPDX-License-Identifier: GPL-2.0-or-later
/* rpm package writing: the new main and signature headers, evmpkg_rpm_write. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <rpm/header.h>
#include <rpm/rpmtag.h>

#include "evmpkg/atomicfile.h"
#include "evmpkg/hex.h"
#include "rpmimpl.h"

/* ---- write ---- */

/*
 * The signature space rpmbuild reserves: 32 bytes plus %__gpg_reserved_space,
 * 4096 unless changed (rpm 4.14 to 6, lib/signature.c).
 */
#define RPMBUILD_RESERVED 4128

/*
 * Where the file signatures go: v4 packages may carry them in the main
 * header, where the header digests cover them; rpm 6 refuses a v6 package
 * with RPMTAG_FILESIGNATURES in its main header (lib/package.cc,
 * headerMergeLegacySigs), so there they go into the signature header, as
 * rpmsign --signfiles puts them.
 */
static int sigs_in_sighdr(const struct evmpkg_rpmpkg *p)
{
	struct rpmtd_s td;
	int v6 = 0;

	if (headerGet(p->h, (rpmTagVal)TAG_RPMFORMAT, &td, HEADERGET_MINMEM)) {
		uint32_t *f = rpmtdNextUint32(&td);

		v6 = f && *f >= 6;
		rpmtdFreeData(&td);
	}
	return v6;
}

/* FILESIGNATURES and FILESIGNATURELENGTH (the longest, in bytes) into h. */
static int put_filesigs(struct evmpkg_rpmpkg *p, Header h, uint32_t sigtag,
			uint32_t lentag, const char *const *sigs, struct evmpkg_err *err)
{
	uint32_t maxlen = 0;

	headerDel(h, (rpmTagVal)sigtag);
	headerDel(h, (rpmTagVal)lentag);
	for (size_t i = 0; i < p->nfiles; i++)
		if (strlen(sigs[i]) / 2 > maxlen)
			maxlen = (uint32_t)(strlen(sigs[i]) / 2);
	if (p->nfiles &&
	    evmpkg_rpmi_put_tag(h, sigtag, RPM_STRING_ARRAY_TYPE, sigs, (uint32_t)p->nfiles))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: FILESIGNATURES: cannot add to the %s header",
				   p->path, sigtag == SIG_FILESIGNATURES ? "signature" : "main");
	if (maxlen && evmpkg_rpmi_put_tag(h, lentag, RPM_INT32_TYPE, &maxlen, 1))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: FILESIGNATURELENGTH: cannot add to the %s header",
				   p->path, sigtag == SIG_FILESIGNATURES ? "signature" : "main");
	return 0;
}

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
	/* Signatures the reader merged from the signature header stay there. */
	if ((sigs && sigs_in_sighdr(p)) || (!sigs && p->sigs_merged)) {
		headerDel(nh, (rpmTagVal)TAG_FILESIGNATURES);
		headerDel(nh, (rpmTagVal)TAG_FILESIGNATURELENGTH);
	} else if (sigs) {
		int rc = put_filesigs(p, nh, TAG_FILESIGNATURES, TAG_FILESIGNATURELENGTH, sigs, err);

		if (rc) {
			headerFree(nh);
			return rc;
		}
	}
	headerDel(nh, (rpmTagVal)tag);
	if (bloblen && evmpkg_rpmi_put_tag(nh, tag, RPM_BIN_TYPE, blob, (uint32_t)bloblen)) {
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
	if (evmpkg_rpmi_check_region(ei, len, TAG_HEADERIMMUTABLE)) {
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
static int build_sig(struct evmpkg_rpmpkg *p, const char *const *sigs,
		     const uint8_t *hdr, size_t hdrlen, const uint8_t md5[16],
		     uint64_t total, uint8_t **outp, size_t *outlen,
		     struct evmpkg_err *err)
{
	Header s = headerCopy(p->sigh);
	unsigned int len = 0;
	uint32_t n, rtag;
	void *ei = NULL;
	int t;

	if (!s)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	for (size_t i = 0; i < NELEM(evmpkg_rpmi_pgp_tags); i++)
		headerDel(s, (rpmTagVal)evmpkg_rpmi_pgp_tags[i]);
	if (sigs && sigs_in_sighdr(p)) {
		int rc = put_filesigs(p, s, SIG_FILESIGNATURES, SIG_FILESIGNATURELENGTH, sigs, err);

		if (rc) {
			headerFree(s);
			return rc;
		}
	} else if (sigs) {
		headerDel(s, (rpmTagVal)SIG_FILESIGNATURES);
		headerDel(s, (rpmTagVal)SIG_FILESIGNATURELENGTH);
	}
	for (size_t i = 0; i < NELEM(evmpkg_rpmi_hdr_digests); i++) {
		const struct evmpkg_rpmi_hdrdigest *hd = &evmpkg_rpmi_hdr_digests[i];
		char hex[2 * EVP_MAX_MD_SIZE + 1];

		if (!headerIsEntry(s, (rpmTagVal)hd->tag))
			continue;
		if (evmpkg_rpmi_hdr_digest_hex(hd->algo, hdr, hdrlen, hex) ||
		    evmpkg_rpmi_put_tag(s, hd->tag, RPM_STRING_TYPE, hex, 1))
			goto fail;
	}
	if (headerIsEntry(s, (rpmTagVal)SIG_MD5) &&
	    evmpkg_rpmi_put_tag(s, SIG_MD5, RPM_BIN_TYPE, md5, 16))
		goto fail;
	if (headerIsEntry(s, (rpmTagVal)SIG_SIZE)) {
		if (total < UINT32_MAX) {
			uint32_t v = (uint32_t)total;

			if (evmpkg_rpmi_put_tag(s, SIG_SIZE, RPM_INT32_TYPE, &v, 1))
				goto fail;
		} else {
			headerDel(s, (rpmTagVal)SIG_SIZE);
			if (evmpkg_rpmi_put_tag(s, SIG_LONGSIZE, RPM_INT64_TYPE, &total, 1))
				goto fail;
		}
	} else if (headerIsEntry(s, (rpmTagVal)SIG_LONGSIZE) &&
		   evmpkg_rpmi_put_tag(s, SIG_LONGSIZE, RPM_INT64_TYPE, &total, 1)) {
		goto fail;
	}

	/*
	 * The reserved space (rpm 6's v6 packages name it RESERVED) takes
	 * back what the dropped tags freed, so the header keeps its size, but
	 * never grows past rpmbuild's reservation: rpm 4.18's rpmsign takes a
	 * signature out of that space, 4.20's adds it on top (its in-place
	 * test in sign/rpmgensig.c counts the reserved bytes twice, fixed in
	 * rpm 6), and the header rpmbuild made is the size to return to.
	 */
	rtag = headerIsEntry(s, (rpmTagVal)SIG_RESERVED) ? SIG_RESERVED : SIG_RESERVEDSPACE;
	t = evmpkg_rpmi_tag_type(s, rtag, &n);
	if (t == T_BIN) {
		Header tmp = headerReload(headerCopy(s), RPMTAG_HEADERSIGNATURES);
		unsigned int nowlen = 0;
		void *now = tmp ? headerExport(tmp, &nowlen) : NULL;
		int64_t want = (int64_t)n + (int64_t)p->siglen - (int64_t)nowlen;
		int64_t cap = n > RPMBUILD_RESERVED ? (int64_t)n : RPMBUILD_RESERVED;

		headerFree(tmp);
		free(now);
		if (want > cap)
			want = cap;
		if (now && want > 0 && want != (int64_t)n) {
			uint8_t *zeros = calloc(1, (size_t)want);

			if (!zeros || evmpkg_rpmi_put_tag(s, rtag, RPM_BIN_TYPE,
							  zeros, (uint32_t)want)) {
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
	if (!ei || evmpkg_rpmi_check_region(ei, len, TAG_HEADERSIGNATURES)) {
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
	evmpkg_rpmi_pv_update(c->v, b, n);
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
	if ((rc = build_sig(p, filesigs_hex, mh, mhlen, md5, total, &sh,
			    &shlen, err)))
		goto out;
	pad = (8 - (HDR_MAGIC_SIZE + shlen) % 8) % 8;

	/* What the copy checks and computes. */
	if ((rc = evmpkg_rpmi_pv_start(p, &v, err)))
		goto out;
	md5new = cc.md5new = evmpkg_rpmi_md_start(EVMPKG_RPMHASH_MD5);
	if (!md5new || !EVP_DigestUpdate(md5new, evmpkg_rpmi_hdr_magic, HDR_MAGIC_SIZE) ||
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
	    (rc = evmpkg_atomic_put(&af, evmpkg_rpmi_hdr_magic, HDR_MAGIC_SIZE, err)) ||
	    (rc = evmpkg_atomic_put(&af, sh, shlen, err)) ||
	    (rc = evmpkg_atomic_put(&af, zeros, pad, err)) ||
	    (rc = evmpkg_atomic_put(&af, evmpkg_rpmi_hdr_magic, HDR_MAGIC_SIZE, err)) ||
	    (rc = evmpkg_atomic_put(&af, mh, mhlen, err)))
		goto out;

	/* Payload, byte for byte, checked on the way. */
	buf = malloc(COPY_CHUNK);
	if (!buf) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
		goto out;
	}
	if ((rc = evmpkg_rpmi_read_payload(p, buf, copy_chunk, &cc, err)) ||
	    (rc = evmpkg_rpmi_pv_finish(p, &v, err)))
		goto out;
	{
		unsigned int dl = 0;

		if (!EVP_DigestFinal_ex(md5new, md5, &dl) || dl != 16) {
			rc = evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: MD5: cannot compute", p->path);
			goto out;
		}
	}

	/* The final signature header, the same size, over the placeholder. */
	if ((rc = build_sig(p, filesigs_hex, mh, mhlen, md5, total, &sh2,
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
	evmpkg_rpmi_pv_free(&v);
	EVP_MD_CTX_free(md5new);
	free(buf);
	free(mh);
	free(sh);
	free(sh2);
	return rc;
}
