// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decompressing a .deb member and reading its tar: see debtar.h. The header
 * rules follow dpkg's lib/dpkg/tarfn.c, so that what we accept is what
 * dpkg unpacks, and what dpkg refuses we refuse with the reason.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "debtar.h"

#define IN_CHUNK (64 * 1024)
#define BLOCK 512

/* Header fields (POSIX ustar; GNU puts other things where ustar has prefix). */
enum {
	H_NAME = 0, H_MODE = 100, H_UID = 108, H_GID = 116, H_SIZE = 124,
	H_MTIME = 136, H_CHKSUM = 148, H_TYPE = 156, H_LINKNAME = 157,
	H_MAGIC = 257, H_UNAME = 265, H_GNAME = 297, H_PREFIX = 345,
};

static const struct {
	enum debcomp comp;
	int code;			/* ARCHIVE_FILTER_* */
	int (*support)(struct archive *);
	const char *name;
} comps[] = {
	{ DEBCOMP_NONE, ARCHIVE_FILTER_NONE, NULL, "uncompressed" },
	{ DEBCOMP_GZIP, ARCHIVE_FILTER_GZIP, archive_read_support_filter_gzip, "gzip" },
	{ DEBCOMP_XZ, ARCHIVE_FILTER_XZ, archive_read_support_filter_xz, "xz" },
	{ DEBCOMP_ZSTD, ARCHIVE_FILTER_ZSTD, archive_read_support_filter_zstd, "zstd" },
	{ DEBCOMP_BZIP2, ARCHIVE_FILTER_BZIP2, archive_read_support_filter_bzip2, "bzip2" },
};

/* libarchive's read callback: the member's bytes, straight from the file. */
static la_ssize_t member_read(struct archive *a, void *arg, const void **buf)
{
	struct debstream *s = arg;
	size_t want = s->end - s->off > IN_CHUNK ? IN_CHUNK : (size_t)(s->end - s->off);
	char ebuf[128];
	ssize_t n;

	*buf = s->inbuf;
	if (!want)
		return 0;
	do
		n = pread(s->fd, s->inbuf, want, s->off);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* GNU strerror_r: thread-safe, unlike strerror. */
		archive_set_error(a, n < 0 ? errno : EIO, "read: %s",
				  n < 0 ? strerror_r(errno, ebuf, sizeof(ebuf)) :
					  "the package file shrank while being read");
		return -1;
	}
	s->off += n;
	return n;
}

int evmpkg_debstream_open(struct debstream *s, int fd, off_t off, off_t len,
			  enum debcomp comp, const char *pkg, const char *member,
			  struct evmpkg_err *err)
{
	struct archive_entry *ae;
	size_t c = 0;
	int r;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->off = off;
	s->end = off + len;
	s->pkg = pkg;
	s->member = member;
	evmpkg_rd_init(&s->blk, NULL, 0);
	while (c < sizeof(comps) / sizeof(comps[0]) && comps[c].comp != comp)
		c++;
	if (c == sizeof(comps) / sizeof(comps[0]))
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: unknown compression",
				   pkg, member);
	/* libarchive wants at least one byte; an empty tar has no entries. */
	if (len == 0 && comp == DEBCOMP_NONE) {
		s->eof = 1;
		return 0;
	}
	s->inbuf = malloc(IN_CHUNK);
	s->a = archive_read_new();
	if (!s->inbuf || !s->a) {
		evmpkg_debstream_close(s);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", pkg);
	}
	/* Only the announced filter, built in (not an external program). */
	if (archive_read_support_format_raw(s->a) != ARCHIVE_OK ||
	    (comps[c].support && comps[c].support(s->a) != ARCHIVE_OK)) {
		evmpkg_debstream_close(s);
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "%s: %s: this libarchive cannot decompress %s", pkg,
				   member, comps[c].name);
	}
	r = archive_read_open(s->a, s, NULL, member_read, NULL);
	if (r == ARCHIVE_OK) {
		r = archive_read_next_header(s->a, &ae);
		if (r == ARCHIVE_EOF) {
			s->eof = 1;
			r = ARCHIVE_OK;
		}
	}
	if (r != ARCHIVE_OK) {
		evmpkg_fail(err, EVMPKG_EINVAL,
			    "%s: %s: cannot decompress as %s (corrupt or truncated): %s", pkg,
			    member, comps[c].name, archive_error_string(s->a));
		evmpkg_debstream_close(s);
		return EVMPKG_EINVAL;
	}
	/* One filter and the raw reader below it; anything else is not what
	 * the name says (raw passes unrecognised data through unchanged). */
	if (archive_filter_count(s->a) != (comp == DEBCOMP_NONE ? 1 : 2) ||
	    archive_filter_code(s->a, 0) != comps[c].code) {
		evmpkg_debstream_close(s);
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: not %s data", pkg, member,
				   comps[c].name);
	}
	return 0;
}

void evmpkg_debstream_close(struct debstream *s)
{
	if (s->a)
		archive_read_free(s->a);
	free(s->inbuf);
	s->a = NULL;
	s->inbuf = NULL;
}

/* The next decompressed block, when the current one is used up. */
static int refill(struct debstream *s, struct evmpkg_err *err)
{
	const void *buf;
	size_t n;
	la_int64_t at;
	int r;

	while (!s->eof && evmpkg_rd_left(&s->blk) == 0) {
		r = archive_read_data_block(s->a, &buf, &n, &at);
		if (r == ARCHIVE_EOF) {
			s->eof = 1;
			break;
		}
		if (r != ARCHIVE_OK)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: corrupt or truncated compressed data: %s",
					   s->pkg, s->member, archive_error_string(s->a));
		evmpkg_rd_init(&s->blk, buf, n);
	}
	return 0;
}

int evmpkg_debstream_read(struct debstream *s, void *dst, size_t n, size_t *got,
			  struct evmpkg_err *err)
{
	uint8_t *d = dst;
	int rc;

	*got = 0;
	while (*got < n) {
		size_t k;

		if ((rc = refill(s, err)))
			return rc;
		k = evmpkg_rd_left(&s->blk);
		if (!k)
			break;
		if (k > n - *got)
			k = n - *got;
		evmpkg_rd_copy(&s->blk, d + *got, k);
		*got += k;
		s->pos += k;
	}
	return 0;
}

/* Hands the next n bytes to fn (or drops them); *missing: what the stream
 * did not have. */
static int stream_feed(struct debstream *s, uint64_t n, debtar_sink fn, void *arg,
		       uint64_t *missing, struct evmpkg_err *err)
{
	const uint8_t *p;
	size_t k;
	int rc;

	*missing = 0;
	while (n) {
		if ((rc = refill(s, err)))
			return rc;
		k = evmpkg_rd_left(&s->blk);
		if (!k) {
			*missing = n;
			return 0;
		}
		if (k > n)
			k = (size_t)n;
		evmpkg_rd_bytes(&s->blk, k, &p);
		s->pos += k;
		n -= k;
		if (fn && (rc = fn(arg, p, k, err)))
			return rc;
	}
	return 0;
}

int evmpkg_debstream_drain(struct debstream *s, struct evmpkg_err *err)
{
	uint64_t missing;

	return stream_feed(s, UINT64_MAX, NULL, NULL, &missing, err);
}

/* ---- tar ---- */

/*
 * A numeric field, as dpkg's tar_atol: octal (leading spaces, digits, then
 * NULs or spaces; all NULs is 0), or base-256 two's complement when the
 * first byte is 0x80 (positive) or 0xff (negative, only where min < 0).
 */
static int tar_num(const struct evmpkg_rd *blk, size_t off, size_t len,
		   int64_t min, uint64_t max, int64_t *v)
{
	struct evmpkg_rd f, g;
	uint8_t c, first;
	uint64_t x = 0;
	int neg, state = 0;	/* 0: leading spaces, 1: digits, 2: trailer */

	if (evmpkg_rd_sub(blk, off, len, &f))
		return -1;
	g = f;
	if (evmpkg_rd_u8(&g, &first))
		return -1;
	if (first == 0x80 || first == 0xff) {
		f = g;
		neg = first == 0xff;
		if (neg && min >= 0)
			return -1;
		x = neg ? ~(uint64_t)0 : 0;
		while (evmpkg_rd_u8(&f, &c) == 0) {
			/* Shifting out anything but sign bits overflows. */
			if ((x >> 56) != (neg ? 0xff : 0))
				return -1;
			x = x << 8 | c;
		}
		if (neg ? (int64_t)x < min || (int64_t)x >= 0 : x > max)
			return -1;
		*v = (int64_t)x;
		return 0;
	}
	while (evmpkg_rd_u8(&f, &c) == 0) {
		if (state == 0 && c == ' ')
			continue;
		if (state < 2 && c >= '0' && c <= '7') {
			state = 1;
			if (x > (max - (uint64_t)(c - '0')) / 8)
				return -1;
			x = x * 8 + (uint64_t)(c - '0');
		} else if (c == ' ' || c == '\0') {
			state = 2;
		} else {
			return -1;
		}
	}
	if (state == 0)		/* nothing but spaces */
		return -1;
	*v = (int64_t)x;
	return 0;
}

/* A NUL-terminated (or full-width) text field into out (len + 1 bytes). */
static void tar_str(const struct evmpkg_rd *blk, size_t off, size_t len, char *out)
{
	struct evmpkg_rd f;
	const uint8_t *p = NULL;
	size_t n = 0;

	if (evmpkg_rd_sub(blk, off, len, &f) == 0 && evmpkg_rd_bytes(&f, len, &p) == 0)
		n = strnlen((const char *)p, len);
	if (n)
		memcpy(out, p, n);
	out[n] = '\0';
}

/* dpkg's checksum: the unsigned byte sum, the checksum field as spaces. */
static int tar_sum_ok(const struct evmpkg_rd *blk)
{
	struct evmpkg_rd f = *blk;
	int64_t want;
	uint64_t sum = 0;
	uint8_t c;

	if (tar_num(blk, H_CHKSUM, 8, 0, UINT32_MAX, &want))
		return 0;
	for (size_t i = 0; evmpkg_rd_u8(&f, &c) == 0; i++)
		sum += (i >= H_CHKSUM && i < H_CHKSUM + 8) ? ' ' : c;
	return sum == (uint64_t)want;
}

void evmpkg_debtar_init(struct debtar *t, struct debstream *s)
{
	memset(t, 0, sizeof(*t));
	t->s = s;
}

static int skip_rest(struct debtar *t, struct evmpkg_err *err)
{
	uint64_t missing;
	int rc = stream_feed(t->s, t->content + t->pad, NULL, NULL, &missing, err);

	if (!rc && missing)
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: truncated: content ends %llu bytes early",
				 t->s->pkg, t->s->member, t->e.name, (unsigned long long)missing);
	t->content = t->pad = 0;
	return rc;
}

/* The content of a GNU 'L' or 'K' entry: a name, NUL-terminated or not. */
static int read_long(struct debtar *t, uint64_t size, char *out,
		     struct evmpkg_err *err)
{
	char buf[DEBTAR_NAME_MAX + 2];
	size_t got, n;

	snprintf(t->e.name, sizeof(t->e.name), "GNU long name");
	if (size == 0 || size > DEBTAR_NAME_MAX + 1)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: GNU long name of %llu bytes (at most %d accepted)",
				   t->s->pkg, t->s->member, (unsigned long long)size,
				   DEBTAR_NAME_MAX);
	if (evmpkg_debstream_read(t->s, buf, (size_t)size, &got, err))
		return err ? err->rc : EVMPKG_EINVAL;
	if (got != size)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: truncated GNU long name",
				   t->s->pkg, t->s->member);
	n = strnlen(buf, (size_t)size);
	for (size_t i = n; i < size; i++)
		if (buf[i])
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: GNU long name '%.*s' contains a NUL byte",
					   t->s->pkg, t->s->member, (int)n, buf);
	if (n > DEBTAR_NAME_MAX)
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: GNU long name too long",
				   t->s->pkg, t->s->member);
	memcpy(out, buf, n);
	out[n] = '\0';
	t->content = 0;
	t->pad = (BLOCK - size % BLOCK) % BLOCK;
	return skip_rest(t, err);
}

/* Reads one header block into e; *end at the end of the archive. */
static int read_header(struct debtar *t, uint8_t raw[BLOCK], struct evmpkg_rd *blk,
		       int *end, struct evmpkg_err *err)
{
	uint64_t at = t->s->pos;
	size_t got;
	uint8_t first;
	int rc;

	if ((rc = evmpkg_debstream_read(t->s, raw, BLOCK, &got, err)))
		return rc;
	if (got == 0) {		/* the stream ends on a block boundary */
		*end = 1;
		return 0;
	}
	if (got < BLOCK)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: truncated tar header at byte %llu", t->s->pkg,
				   t->s->member, (unsigned long long)at);
	evmpkg_rd_init(blk, raw, BLOCK);
	if (!tar_sum_ok(blk)) {
		struct evmpkg_rd f = *blk;

		/* A zero block (its checksum fails) ends the archive, as in dpkg. */
		if (evmpkg_rd_u8(&f, &first) == 0 && first == '\0') {
			*end = 1;
			return 0;
		}
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: %s: tar header at byte %llu: bad checksum (corrupt archive)",
				   t->s->pkg, t->s->member, (unsigned long long)at);
	}
	return 0;
}

static const char *type_word(char type)
{
	switch (type) {
	case DEBTAR_HARDLINK: return "hard link";
	case DEBTAR_SYMLINK: return "symbolic link";
	case DEBTAR_CHR: return "character device";
	case DEBTAR_BLK: return "block device";
	case DEBTAR_DIR: return "directory";
	case DEBTAR_FIFO: return "FIFO";
	default: return "regular file";
	}
}

/* Fills t->e from a checked header; refuses the types dpkg refuses. */
static int decode(struct debtar *t, const struct evmpkg_rd *blk, uint8_t type,
		  struct evmpkg_err *err)
{
	struct debtar_entry *e = &t->e;
	char magic[7], name[101], prefix[156];
	int64_t v;
	size_t n;

	tar_str(blk, H_MAGIC, 6, magic);
	tar_str(blk, H_NAME, 100, name);
	tar_str(blk, H_PREFIX, 155, prefix);
	/* "ustar\0" is POSIX ustar, whose prefix extends the name; GNU's
	 * "ustar " keeps other data there. */
	if (!memcmp(magic, "ustar", 6) && prefix[0] && !t->has_longname)
		snprintf(e->name, sizeof(e->name), "%s/%s", prefix, name);
	else
		snprintf(e->name, sizeof(e->name), "%s", t->has_longname ? t->longname : name);
	if (t->has_longlink)
		snprintf(e->linkname, sizeof(e->linkname), "%s", t->longlink);
	else
		tar_str(blk, H_LINKNAME, 100, e->linkname);
	t->has_longname = t->has_longlink = 0;
	if (!strncmp(magic, "ustar", 5)) {
		tar_str(blk, H_UNAME, 32, e->uname);
		tar_str(blk, H_GNAME, 32, e->gname);
	} else {
		e->uname[0] = e->gname[0] = '\0';
	}
	if (!e->name[0])
		return evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: tar header with an empty name",
				   t->s->pkg, t->s->member);

#define FIELD(off, len, min, max, what, dst)                                           \
	do {                                                                           \
		if (tar_num(blk, off, len, min, max, &v))                              \
			return evmpkg_fail(err, EVMPKG_EINVAL,                         \
					   "%s: %s: %s: invalid tar header %s field",   \
					   t->s->pkg, t->s->member, e->name, what);    \
		dst = (__typeof__(dst))v;	/* v is within [min, max] */     \
	} while (0)
	FIELD(H_MODE, 8, 0, UINT32_MAX, "mode", e->mode);
	FIELD(H_UID, 8, 0, UINT32_MAX, "uid", e->uid);
	FIELD(H_GID, 8, 0, UINT32_MAX, "gid", e->gid);
	FIELD(H_SIZE, 12, 0, INT64_MAX, "size", e->size);
	FIELD(H_MTIME, 12, INT64_MIN, INT64_MAX, "mtime", e->mtime);
#undef FIELD
	e->mode &= 07777;

	n = strlen(e->name);
	/* Pre-POSIX tars mark directories with a trailing slash (dpkg too). */
	if (type == '\0' || (type == DEBTAR_REG && e->name[n - 1] == '/'))
		type = e->name[n - 1] == '/' ? DEBTAR_DIR : DEBTAR_REG;
	switch (type) {
	case DEBTAR_REG:
		break;
	case DEBTAR_HARDLINK: case DEBTAR_SYMLINK: case DEBTAR_CHR:
	case DEBTAR_BLK: case DEBTAR_DIR: case DEBTAR_FIFO:
		if (e->size)
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: %s: a %s with a size of %llu bytes",
					   t->s->pkg, t->s->member, e->name, type_word((char)type),
					   (unsigned long long)e->size);
		break;
	case 'x': case 'g':
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "%s: %s: %s: PAX extended header (tar type '%c'): dpkg refuses PAX headers, so does evmpkg (build the tar with --format=gnu, as dpkg-deb does)",
				   t->s->pkg, t->s->member, e->name, type);
	default:
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   isprint(type) ? "%s: %s: %s: unsupported tar entry type '%c' (dpkg refuses it too)" :
						   "%s: %s: %s: unsupported tar entry type %#x (dpkg refuses it too)",
				   t->s->pkg, t->s->member, e->name, type);
	}
	e->type = (char)type;
	t->content = e->type == DEBTAR_REG ? e->size : 0;
	t->pad = (BLOCK - t->content % BLOCK) % BLOCK;
	return 0;
}

int evmpkg_debtar_next(struct debtar *t, int *end, struct evmpkg_err *err)
{
	uint8_t raw[BLOCK], type;
	struct evmpkg_rd blk, f;
	int64_t size;
	int rc;

	*end = 0;
	if ((rc = skip_rest(t, err)))
		return rc;
	for (;;) {
		if ((rc = read_header(t, raw, &blk, end, err)))
			return rc;
		if (*end) {
			if (t->has_longname || t->has_longlink)
				return evmpkg_fail(err, EVMPKG_EINVAL,
						   "%s: %s: GNU long name without an entry after it",
						   t->s->pkg, t->s->member);
			return 0;
		}
		f = blk;
		if (evmpkg_rd_skip(&f, H_TYPE) || evmpkg_rd_u8(&f, &type))
			return EVMPKG_EINVAL;	/* cannot happen: 512 bytes */
		if (type != 'L' && type != 'K')
			return decode(t, &blk, type, err);
		if (tar_num(&blk, H_SIZE, 12, 0, INT64_MAX, &size))
			return evmpkg_fail(err, EVMPKG_EINVAL,
					   "%s: %s: GNU long name: invalid tar header size field",
					   t->s->pkg, t->s->member);
		if ((rc = read_long(t, (uint64_t)size, type == 'L' ? t->longname : t->longlink,
				    err)))
			return rc;
		if (type == 'L')
			t->has_longname = 1;
		else
			t->has_longlink = 1;
	}
}

int evmpkg_debtar_content(struct debtar *t, debtar_sink fn, void *arg,
			  struct evmpkg_err *err)
{
	uint64_t missing;
	int rc = stream_feed(t->s, t->content, fn, arg, &missing, err);

	if (!rc && missing)
		rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: %s: %s: truncated: content ends %llu bytes early",
				 t->s->pkg, t->s->member, t->e.name, (unsigned long long)missing);
	t->content = 0;
	return rc ? rc : skip_rest(t, err);
}

int evmpkg_debtar_path(const char *name, char *out, size_t cap, const char **why)
{
	const char *p = name;
	size_t o = 0;

	if (!*name) {
		*why = "empty name";
		return -1;
	}
	if (*name == '/') {
		*why = "absolute name";
		return -1;
	}
	if (strchr(name, '\n')) {
		*why = "newline in the name (dpkg refuses it)";
		return -1;
	}
	while (*p) {
		size_t n = strcspn(p, "/");
		const char *c = p;

		p += n;
		while (*p == '/')
			p++;
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			*why = "\"..\" in the name";
			return -1;
		}
		if (n + 2 > cap - o) {
			*why = "name too long";
			return -1;
		}
		out[o++] = '/';
		memcpy(out + o, c, n);
		o += n;
	}
	if (o == 0) {
		if (cap < 2) {
			*why = "name too long";
			return -1;
		}
		out[o++] = '/';
	}
	out[o] = '\0';
	return 0;
}
