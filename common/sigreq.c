// SPDX-License-Identifier: GPL-2.0-or-later
/* Signing requests and answers: encoding and the strict decoder. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "evmpkg/caps.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/manifest.h"
#include "evmpkg/sigformat.h"
#include "evmpkg/sigreq.h"
#include "evmpkg/signer.h"

#define MAGIC_LEN 7
#define ID_MAX 4096
/* Lower bounds on an encoded package (id of 1 byte, count) and file
 * (path "/x", the fixed fields, empty strings); they bound the counts. */
#define MIN_PKG 7
#define MIN_REQ_FILE 25
#define MIN_SIG_FILE 18

static const char *magic(int kind)
{
	return kind == EVMPKG_SIGREQ_REQUEST ? "EVMPKGR" : "EVMPKGS";
}

void evmpkg_sigreq_init(struct evmpkg_sigreq *r, int kind)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
}

void evmpkg_sigreq_free(struct evmpkg_sigreq *r)
{
	for (size_t i = 0; i < r->n; i++) {
		/* Each file's fields live in one block that starts at path. */
		for (size_t j = 0; j < r->p[i].n; j++)
			free(r->p[i].f[j].path);
		free(r->p[i].f);
		free(r->p[i].id);
	}
	free(r->p);
	evmpkg_sigreq_init(r, r->kind);
}

static int check_id(const char *id, size_t n, struct evmpkg_err *err)
{
	if (!n || n >= ID_MAX || memchr(id, '\0', n))
		return evmpkg_fail(err, EVMPKG_EINVAL, "id: 1 to %d bytes without NUL",
				   ID_MAX - 1);
	return EVMPKG_OK;
}

int evmpkg_sigreq_add_pkg(struct evmpkg_sigreq *r, const char *id,
			  struct evmpkg_sigreq_pkg **out, struct evmpkg_err *err)
{
	int rc = check_id(id, strlen(id), err);

	if (rc) {
		evmpkg_err_prefix(err, "package %zu: ", r->n);
		return rc;
	}
	if (r->n == r->cap) {
		size_t ncap = r->cap ? 2 * r->cap : 4;
		struct evmpkg_sigreq_pkg *np = realloc(r->p, ncap * sizeof(*np));

		if (!np)
			return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
		r->p = np;
		r->cap = ncap;
	}
	memset(&r->p[r->n], 0, sizeof(r->p[r->n]));
	if (!(r->p[r->n].id = strdup(id)))
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	*out = &r->p[r->n++];
	return EVMPKG_OK;
}

/*
 * A returned value against the header: of the IMA kind, hash and key the
 * request asked for, so that a value made for another request is named
 * here, with its file, rather than as a signature that does not verify.
 */
static int check_value(const struct evmpkg_sigreq *r, const uint8_t *v, size_t n,
		       int evm, struct evmpkg_err *err)
{
	uint8_t want = evm ? EVMPKG_EVM_PORTABLE : r->ima_kind == EVMPKG_IMA_HASH ?
		       EVMPKG_IMA_DIGEST_NG : EVMPKG_IMA_DIGSIG;
	struct evmpkg_sig sig;
	int rc = evmpkg_sig_parse(v, n, evm, &sig, err);

	if (rc)
		return rc;
	if (sig.type != want)
		return evmpkg_fail(err, EVMPKG_EINVAL, "type %u, the header asks for "
				   "type %u", sig.type, want);
	if (sig.hash_algo != r->algo)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s, the header asks for %s",
				   evmpkg_hash_name(sig.hash_algo), evmpkg_hash_name(r->algo));
	if (sig.type != EVMPKG_IMA_DIGEST_NG && sig.keyid != r->keyid)
		return evmpkg_fail(err, EVMPKG_EINVAL, "key id %08x, the header "
				   "says %08x", sig.keyid, r->keyid);
	return EVMPKG_OK;
}

/*
 * One file's fields as the manifest's rules have them (manifest.c checks
 * path, mode, label, capabilities and values once for both formats). A
 * request has no values yet: its content digest stands in as a type 4
 * security.ima, and its label and capabilities are checked on an entry
 * that carries them with a placeholder of the EVM signature's form.
 */
static int check_file(const struct evmpkg_sigreq *r,
		      const struct evmpkg_sigreq_file *f, struct evmpkg_err *err)
{
	static const uint8_t placeholder[EVMPKG_SIG_HDR_LEN + 1] = {
		EVMPKG_EVM_PORTABLE, EVMPKG_SIG_VERSION, EVMPKG_HASH_SHA256,
		0, 0, 0, 0, 0, 1, 0 };
	uint8_t ima[EVMPKG_SIG_HDR_LEN + EVMPKG_MAX_DIGEST];
	struct evmpkg_mentry e = { .path = f->path, .mode = S_IFREG };
	const char *meta = f->uid ? "uid" : f->gid ? "gid" : f->label_len ?
			   "label" : f->caps_len ? "capabilities" : NULL;
	long n;
	int rc;

	if (r->kind == EVMPKG_SIGREQ_SIGNATURES) {
		e.ima = f->ima;
		e.ima_len = f->ima_len;
		e.evm = f->evm ? f->evm_val : NULL;
		e.evm_len = f->evm ? f->evm_len : 0;
		if (f->evm && !f->evm_len)
			return evmpkg_fail(err, EVMPKG_EINVAL, "security.evm: empty");
		if ((rc = evmpkg_mentry_check(&e, err)))
			return rc;
		if ((rc = check_value(r, f->ima, f->ima_len, 0, err))) {
			evmpkg_err_prefix(err, "security.ima: ");
			return rc;
		}
		if (f->evm && (rc = check_value(r, f->evm_val, f->evm_len, 1, err)))
			evmpkg_err_prefix(err, "security.evm: ");
		return rc;
	}
	n = evmpkg_ima_digest_build((uint8_t)r->algo, f->digest,
				    evmpkg_hash_size(r->algo), ima, sizeof(ima));
	if (n < 0)
		return evmpkg_fail(err, EVMPKG_EINVAL, "digest");
	e.ima = ima;
	e.ima_len = (size_t)n;
	e.mode = f->mode;
	if (!f->evm && meta)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: given, but evm is 0 (IMA "
				   "only, whose EVM fields are 0, 0, the mode, and "
				   "empty)", meta);
	if (f->evm) {
		e.label = f->label;
		e.label_len = f->label_len;
		e.caps = f->caps;
		e.caps_len = f->caps_len;
		e.evm = (uint8_t *)placeholder;
		e.evm_len = sizeof(placeholder);
	}
	return evmpkg_mentry_check(&e, err);
}

/* Deep-copies a checked f into p: one block, starting at the path. */
static int append_file(const struct evmpkg_sigreq *r, struct evmpkg_sigreq_pkg *p,
		       const struct evmpkg_sigreq_file *f, struct evmpkg_err *err)
{
	size_t pl = strlen(f->path) + 1, dl = 0;
	struct evmpkg_sigreq_file *d;
	uint8_t *b;

	if (r->kind == EVMPKG_SIGREQ_REQUEST)
		dl = evmpkg_hash_size(r->algo);
	if (p->n == p->cap) {
		size_t ncap = p->cap ? 2 * p->cap : 16;
		struct evmpkg_sigreq_file *nf = realloc(p->f, ncap * sizeof(*nf));

		if (!nf)
			return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
		p->f = nf;
		p->cap = ncap;
	}
	b = malloc(pl + dl + f->label_len + f->caps_len + f->ima_len + f->evm_len);
	if (!b)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	d = &p->f[p->n++];
	*d = *f;
	d->path = (char *)b;
	memcpy(b, f->path, pl);
	b += pl;
#define TAKE(fld, len)                                   \
	do {                                             \
		d->fld = (len) ? b : NULL;               \
		if (len)                                 \
			memcpy(b, f->fld, len);          \
		b += (len);                              \
	} while (0)
	TAKE(digest, dl);
	TAKE(label, f->label_len);
	TAKE(caps, f->caps_len);
	TAKE(ima, f->ima_len);
	TAKE(evm_val, f->evm_len);
#undef TAKE
	return EVMPKG_OK;
}

int evmpkg_sigreq_add_file(const struct evmpkg_sigreq *r,
			   struct evmpkg_sigreq_pkg *p,
			   const struct evmpkg_sigreq_file *f,
			   struct evmpkg_err *err)
{
	int rc = check_file(r, f, err);

	if (rc) {
		evmpkg_err_prefix(err, "%s: %s: ", p->id, f->path);
		return rc;
	}
	return append_file(r, p, f, err);
}

struct named {
	const char *s;
	size_t i;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Whether a name of v (n of them, v[i].i == i) is there twice: sorted, so
 * that a million paths take n log n. *later is the later index of a pair
 * and *first the earlier. v is reordered.
 */
static int find_twice(struct named *v, size_t n, size_t *later, size_t *first)
{
	int found = 0;

	qsort(v, n, sizeof(*v), cmp_named);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i - 1].s, v[i].s) && (!found || v[i].i < *later)) {
			*later = v[i].i;
			*first = v[i - 1].i;
			found = 1;
		}
	return found;
}

/*
 * Package ids, and each package's paths, are unique: find_pkg and
 * find_file would see only the first of two, and the second would be
 * signed, or attached, unchecked.
 */
static int check_unique(const struct evmpkg_sigreq *r, struct evmpkg_err *err)
{
	size_t most = r->n, a, b;
	struct named *v;
	int rc = EVMPKG_OK;

	for (size_t i = 0; i < r->n; i++)
		most = r->p[i].n > most ? r->p[i].n : most;
	if (!(v = malloc((most ? most : 1) * sizeof(*v))))
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n; i++)
		v[i] = (struct named){ r->p[i].id, i };
	if (find_twice(v, r->n, &a, &b))
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "package %zu (%s): id: also "
				 "package %zu's", a, r->p[a].id, b);
	for (size_t i = 0; !rc && i < r->n; i++) {
		const struct evmpkg_sigreq_pkg *p = &r->p[i];

		for (size_t j = 0; j < p->n; j++)
			v[j] = (struct named){ p->f[j].path, j };
		if (find_twice(v, p->n, &a, &b))
			rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: file %zu (%s): path: "
					 "also file %zu's", p->id, a, p->f[a].path, b);
	}
	free(v);
	return rc;
}

int evmpkg_sigreq_encode(const struct evmpkg_sigreq *r, struct evmpkg_buf *out,
			 struct evmpkg_err *err)
{
	size_t dl = evmpkg_hash_size(r->algo);
	int rc = check_unique(r, err);

	if (rc)
		return rc;
	evmpkg_buf_put(out, magic(r->kind), MAGIC_LEN);
	evmpkg_buf_u8(out, EVMPKG_SIGREQ_VERSION);
	evmpkg_buf_u8(out, (uint8_t)r->algo);
	evmpkg_buf_u8(out, (uint8_t)r->ima_kind);
	evmpkg_buf_u32be(out, r->keyid);
	evmpkg_buf_u8(out, (uint8_t)r->key_ec);
	evmpkg_buf_u32be(out, (uint32_t)r->n);
	for (size_t i = 0; i < r->n; i++) {
		const struct evmpkg_sigreq_pkg *p = &r->p[i];

		evmpkg_buf_u16be(out, (uint16_t)strlen(p->id));
		evmpkg_buf_put(out, p->id, strlen(p->id));
		evmpkg_buf_u32be(out, (uint32_t)p->n);
		for (size_t j = 0; j < p->n; j++) {
			const struct evmpkg_sigreq_file *f = &p->f[j];

			evmpkg_buf_u16be(out, (uint16_t)strlen(f->path));
			evmpkg_buf_put(out, f->path, strlen(f->path));
			if (r->kind == EVMPKG_SIGREQ_SIGNATURES) {
				evmpkg_buf_u16be(out, (uint16_t)f->ima_len);
				evmpkg_buf_put(out, f->ima, f->ima_len);
				evmpkg_buf_u16be(out, (uint16_t)(f->evm ? f->evm_len : 0));
				evmpkg_buf_put(out, f->evm_val, f->evm ? f->evm_len : 0);
				continue;
			}
			evmpkg_buf_u8(out, (uint8_t)f->evm);
			evmpkg_buf_u16be(out, (uint16_t)dl);
			evmpkg_buf_put(out, f->digest, dl);
			evmpkg_buf_u32be(out, f->uid);
			evmpkg_buf_u32be(out, f->gid);
			evmpkg_buf_u32be(out, f->mode);
			evmpkg_buf_u16be(out, (uint16_t)f->label_len);
			evmpkg_buf_put(out, f->label, f->label_len);
			evmpkg_buf_u16be(out, (uint16_t)f->caps_len);
			evmpkg_buf_put(out, f->caps, f->caps_len);
		}
	}
	return out->oom ? evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory") : EVMPKG_OK;
}

#define FIELD(name, call)                                                  \
	do {                                                               \
		if (call)                                                  \
			return evmpkg_fail(err, EVMPKG_EINVAL,             \
					   "%s: truncated", name);         \
	} while (0)

/* A str16 without NUL, copied NUL-terminated into buf (cap bytes). */
static int get_string(struct evmpkg_rd *rd, char *buf, size_t cap,
		      const char *name, struct evmpkg_err *err)
{
	size_t l;

	switch (evmpkg_rd_string16be(rd, buf, cap, &l)) {
	case 0:
		return EVMPKG_OK;
	case EVMPKG_RD_SHORT:
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: truncated", name);
	case EVMPKG_RD_LONG:
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %zu bytes, at most %zu",
				   name, l, cap - 1);
	default:
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: contains a NUL byte", name);
	}
}

/* The fields after a file's path into f, pointing into the input. */
static int decode_file(struct evmpkg_rd *rd, const struct evmpkg_sigreq *r,
		       struct evmpkg_sigreq_file *f, char *path,
		       struct evmpkg_err *err)
{
	const uint8_t *ima, *evm, *dig, *label, *caps;
	size_t dl;
	uint8_t flag;

	memset(f, 0, sizeof(*f));
	f->path = path;
	if (r->kind == EVMPKG_SIGREQ_SIGNATURES) {
		FIELD("security.ima", evmpkg_rd_bytes16be(rd, &ima, &f->ima_len));
		FIELD("security.evm", evmpkg_rd_bytes16be(rd, &evm, &f->evm_len));
		f->ima = (uint8_t *)ima;
		f->evm_val = (uint8_t *)evm;
		f->evm = f->evm_len != 0;
		return EVMPKG_OK;
	}
	FIELD("evm", evmpkg_rd_u8(rd, &flag));
	if (flag > 1)
		return evmpkg_fail(err, EVMPKG_EINVAL, "evm: %u is neither 0 nor 1", flag);
	f->evm = flag;
	FIELD("digest", evmpkg_rd_bytes16be(rd, &dig, &dl));
	if (dl != evmpkg_hash_size(r->algo))
		return evmpkg_fail(err, EVMPKG_EINVAL, "digest: %zu bytes, %s needs %zu",
				   dl, evmpkg_hash_name(r->algo), evmpkg_hash_size(r->algo));
	f->digest = (uint8_t *)dig;
	FIELD("uid", evmpkg_rd_u32be(rd, &f->uid));
	FIELD("gid", evmpkg_rd_u32be(rd, &f->gid));
	FIELD("mode", evmpkg_rd_u32be(rd, &f->mode));
	FIELD("label", evmpkg_rd_bytes16be(rd, &label, &f->label_len));
	FIELD("capabilities", evmpkg_rd_bytes16be(rd, &caps, &f->caps_len));
	f->label = (uint8_t *)label;
	f->caps = (uint8_t *)caps;
	return EVMPKG_OK;
}

static int decode_pkg(struct evmpkg_rd *rd, struct evmpkg_sigreq *r,
		      char *buf, struct evmpkg_err *err)
{
	struct evmpkg_sigreq_pkg *p;
	uint32_t count;
	int rc;

	if ((rc = get_string(rd, buf, ID_MAX, "id", err))) {
		evmpkg_err_prefix(err, "package %zu: ", r->n);
		return rc;
	}
	if ((rc = evmpkg_sigreq_add_pkg(r, buf, &p, err)))
		return rc;
	if (evmpkg_rd_u32be(rd, &count))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: file count: truncated", p->id);
	if (count > EVMPKG_SIGREQ_MAX_FILES ||
	    count > evmpkg_rd_left(rd) / (r->kind == EVMPKG_SIGREQ_REQUEST ?
					  MIN_REQ_FILE : MIN_SIG_FILE))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %u files cannot fit in "
				   "%zu bytes (at most %d)", p->id, count,
				   evmpkg_rd_left(rd), EVMPKG_SIGREQ_MAX_FILES);
	for (uint32_t i = 0; i < count; i++) {
		struct evmpkg_sigreq_file f;

		rc = get_string(rd, buf, EVMPKG_PATH_MAX, "path", err);
		if (rc) {
			evmpkg_err_prefix(err, "%s: file %u: ", p->id, i);
			return rc;
		}
		if ((rc = decode_file(rd, r, &f, buf, err)) ||
		    (rc = check_file(r, &f, err))) {
			evmpkg_err_prefix(err, "%s: file %u (%s): ", p->id, i, buf);
			return rc;
		}
		if ((rc = append_file(r, p, &f, err)))
			return rc;
	}
	return EVMPKG_OK;
}

/* Magic, version and the header's fields, each read once and named. */
static int decode_header(struct evmpkg_rd *rd, struct evmpkg_sigreq *r, int want,
			 uint32_t *count, struct evmpkg_err *err)
{
	static const char *const what[] = { "", "a signing request", "signatures" };
	uint8_t version, algo, ima_kind, ec;

	if (!evmpkg_rd_expect(rd, magic(EVMPKG_SIGREQ_REQUEST), MAGIC_LEN))
		r->kind = EVMPKG_SIGREQ_REQUEST;
	else if (!evmpkg_rd_expect(rd, magic(EVMPKG_SIGREQ_SIGNATURES), MAGIC_LEN))
		r->kind = EVMPKG_SIGREQ_SIGNATURES;
	else
		return evmpkg_fail(err, EVMPKG_EINVAL, "not an evmpkg signing request "
				   "or signatures (bad magic%s)", evmpkg_rd_left(rd) <
				   MAGIC_LEN ? ", truncated" : "");
	if (want && r->kind != want)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s, not %s", what[r->kind],
				   what[want]);
	FIELD("version", evmpkg_rd_u8(rd, &version));
	if (version != EVMPKG_SIGREQ_VERSION)
		return evmpkg_fail(err, EVMPKG_EUNSUPP, "version %u: only %d is known",
				   version, EVMPKG_SIGREQ_VERSION);
	FIELD("hash algorithm", evmpkg_rd_u8(rd, &algo));
	if (algo != EVMPKG_HASH_SHA256 && algo != EVMPKG_HASH_SHA384 &&
	    algo != EVMPKG_HASH_SHA512)
		return evmpkg_fail(err, EVMPKG_EUNSUPP, "hash algorithm %u: not "
				   "sha256, sha384 or sha512", algo);
	FIELD("IMA kind", evmpkg_rd_u8(rd, &ima_kind));
	if (ima_kind > EVMPKG_IMA_HASH)
		return evmpkg_fail(err, EVMPKG_EINVAL, "IMA kind %u: neither 0 "
				   "(signature) nor 1 (digest)", ima_kind);
	FIELD("key id", evmpkg_rd_u32be(rd, &r->keyid));
	FIELD("key type", evmpkg_rd_u8(rd, &ec));
	if (ec > 1)
		return evmpkg_fail(err, EVMPKG_EINVAL, "key type %u: neither 0 (RSA) "
				   "nor 1 (ECDSA)", ec);
	FIELD("package count", evmpkg_rd_u32be(rd, count));
	r->algo = algo;
	r->ima_kind = ima_kind;
	r->key_ec = ec;
	if (*count > EVMPKG_SIGREQ_MAX_PKGS || *count > evmpkg_rd_left(rd) / MIN_PKG)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%u packages cannot fit in %zu "
				   "bytes (at most %d)", *count, evmpkg_rd_left(rd),
				   EVMPKG_SIGREQ_MAX_PKGS);
	return EVMPKG_OK;
}

int evmpkg_sigreq_decode(const void *p, size_t n, int want,
			 struct evmpkg_sigreq *r, struct evmpkg_err *err)
{
	struct evmpkg_rd rd;
	uint32_t count;
	char *buf;
	int rc;

	evmpkg_sigreq_init(r, EVMPKG_SIGREQ_REQUEST);
	evmpkg_rd_init(&rd, p, n);
	if ((rc = decode_header(&rd, r, want, &count, err)))
		return rc;
	if (!(buf = malloc(EVMPKG_PATH_MAX > ID_MAX ? EVMPKG_PATH_MAX : ID_MAX)))
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	for (uint32_t i = 0; !rc && i < count; i++)
		rc = decode_pkg(&rd, r, buf, err);
	free(buf);
	if (!rc && evmpkg_rd_left(&rd))
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%zu bytes after the last package",
				 evmpkg_rd_left(&rd));
	if (!rc)
		rc = check_unique(r, err);
	if (rc)
		evmpkg_sigreq_free(r);
	return rc;
}

const struct evmpkg_sigreq_pkg *evmpkg_sigreq_find_pkg(const struct evmpkg_sigreq *r,
						       const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->p[i].id, id))
			return &r->p[i];
	return NULL;
}

const struct evmpkg_sigreq_file *evmpkg_sigreq_find_file(const struct evmpkg_sigreq_pkg *p,
							 const char *path, size_t hint)
{
	if (hint < p->n && !strcmp(p->f[hint].path, path))
		return &p->f[hint];
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->f[i].path, path))
			return &p->f[i];
	return NULL;
}
