// SPDX-License-Identifier: GPL-2.0-or-later
/* rpm package payloads: the files' digests, and the stored bytes checked against the headers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <rpm/header.h>
#include <rpm/rpmarchive.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmio.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>

#include "evmpkg/hashalgo.h"
#include "evmpkg/hex.h"
#include "rpmimpl.h"

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

/* ---- the stored payload against the headers ---- */

/* The main header's payload digests, each a pldcheck (rpmimpl.h). */
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
			got = evmpkg_rpmi_get_typed(p->h, TAG_PAYLOADDIGESTALGO, RPM_INT32_TYPE, 1,
						    &td);
			if (got > 0) {
				algo = (int)*rpmtdGetUint32(&td);
				rpmtdFreeData(&td);
			}
		}
		/* A string (rpm 6) or a one-element string array (rpm 4). */
		got = evmpkg_rpmi_get_typed(p->h, t[i].tag, RPM_STRING_ARRAY_TYPE, 1, &td);
		if (got <= 0)
			got = evmpkg_rpmi_get_typed(p->h, t[i].tag, RPM_STRING_TYPE, 1, &td);
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
		c[*nc].ctx = evmpkg_rpmi_md_start(algo);
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

/* What the payload's stored bytes must match (struct pldverify, rpmimpl.h). */
int evmpkg_rpmi_pv_start(struct evmpkg_rpmpkg *p, struct pldverify *v,
			 struct evmpkg_err *err)
{
	struct rpmtd_s td;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = pld_setup(p, v->chk, &v->nc, err)))
		return rc;
	if (evmpkg_rpmi_get_typed(p->sigh, SIG_MD5, RPM_BIN_TYPE, 16, &td) != 1)
		return 0;
	memcpy(v->oldmd5, td.data, 16);
	rpmtdFreeData(&td);
	v->md5old = evmpkg_rpmi_md_start(EVMPKG_RPMHASH_MD5);
	if (!v->md5old || !EVP_DigestUpdate(v->md5old, evmpkg_rpmi_hdr_magic, HDR_MAGIC_SIZE) ||
	    !EVP_DigestUpdate(v->md5old, p->hdrraw, p->hdrlen))
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "%s: MD5: cannot compute", p->path);
	return 0;
}

void evmpkg_rpmi_pv_update(struct pldverify *v, const void *buf, size_t n)
{
	if (v->md5old)
		EVP_DigestUpdate(v->md5old, buf, n);
	for (size_t i = 0; i < v->nc; i++)
		EVP_DigestUpdate(v->chk[i].ctx, buf, n);
}

int evmpkg_rpmi_pv_finish(struct evmpkg_rpmpkg *p, struct pldverify *v,
			  struct evmpkg_err *err)
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

void evmpkg_rpmi_pv_free(struct pldverify *v)
{
	for (size_t i = 0; i < v->nc; i++) {
		EVP_MD_CTX_free(v->chk[i].ctx);
		free(v->chk[i].want);
	}
	EVP_MD_CTX_free(v->md5old);
	memset(v, 0, sizeof(*v));
}

/* Reads the payload bytes from off to the end, n at a time, into fn. */
int evmpkg_rpmi_read_payload(struct evmpkg_rpmpkg *p, uint8_t *buf,
			     int (*fn)(void *arg, const uint8_t *b, size_t n,
				       struct evmpkg_err *err),
			     void *arg, struct evmpkg_err *err)
{
	for (off_t off = p->payload_off; off < p->file_size;) {
		size_t want = (size_t)(p->file_size - off) > COPY_CHUNK ?
				      COPY_CHUNK : (size_t)(p->file_size - off);
		size_t got;
		int rc;

		if (evmpkg_rpmi_read_at(p->fd, buf, want, off, &got))
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
	evmpkg_rpmi_pv_update(arg, b, n);
	return 0;
}

int evmpkg_rpm_check_payload(struct evmpkg_rpmpkg *p, struct evmpkg_err *err)
{
	struct pldverify v;
	uint8_t *buf = malloc(COPY_CHUNK);
	int rc;

	if (!buf)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", p->path);
	rc = evmpkg_rpmi_pv_start(p, &v, err);
	if (!rc)
		rc = evmpkg_rpmi_read_payload(p, buf, check_chunk, &v, err);
	if (!rc)
		rc = evmpkg_rpmi_pv_finish(p, &v, err);
	evmpkg_rpmi_pv_free(&v);
	free(buf);
	return rc;
}
