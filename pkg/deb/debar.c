// SPDX-License-Identifier: GPL-2.0-or-later
/* The ar container of a .deb: see debar.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evmpkg/reader.h"
#include "debar.h"

/* A decimal field: digits, then spaces only; at least one digit. */
static int dec_field(struct evmpkg_rd *r, size_t len, uint64_t *v)
{
	struct evmpkg_rd f;
	uint64_t x = 0;
	int digits = 0, tail = 0;
	uint8_t c;

	if (evmpkg_rd_take(r, len, &f))
		return -1;
	while (evmpkg_rd_u8(&f, &c) == 0) {
		if (c >= '0' && c <= '9' && !tail) {
			x = x * 10 + (uint64_t)(c - '0');	/* <= 12 digits: no overflow */
			digits++;
		} else if (c == ' ') {
			tail = 1;
		} else {
			return -1;
		}
	}
	*v = x;
	return digits ? 0 : -1;
}

/* The name field, as dpkg_ar_normalize_name: trailing spaces, then one '/'. */
static int name_field(struct evmpkg_rd *r, char out[17])
{
	size_t n = 16;

	if (evmpkg_rd_copy(r, out, 16))
		return -1;
	out[16] = '\0';
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
	if (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	/* Printable ASCII only: names end up in messages and in headers. */
	for (size_t i = 0; i < n; i++)
		if (out[i] <= ' ' || out[i] > '~')
			return -1;
	return n ? 0 : -1;
}

int evmpkg_debar_pread(int fd, void *buf, size_t n, off_t off)
{
	uint8_t *b = buf;

	for (size_t done = 0; done < n;) {
		ssize_t r = pread(fd, b + done, n - done, off + (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

int evmpkg_debar_read(int fd, off_t fsize, const char *pkg, struct debar_member **out,
		      size_t *n, struct evmpkg_err *err)
{
	uint8_t hdr[DEBAR_HDR_LEN] = { 0 };
	struct debar_member *m;
	off_t pos = DEBAR_MAGIC_LEN;
	size_t nm = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (evmpkg_debar_pread(fd, hdr, DEBAR_MAGIC_LEN, 0) && errno)
		return evmpkg_fail_errno(err, errno, "%s: read", pkg);
	if (fsize < DEBAR_MAGIC_LEN || memcmp(hdr, DEBAR_MAGIC, DEBAR_MAGIC_LEN))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: not a Debian package: not an ar archive (no \"!<arch>\" magic)",
				   pkg);
	m = calloc(DEBAR_MAX_MEMBERS, sizeof(*m));
	if (!m)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory", pkg);
	while (pos < fsize) {
		struct debar_member *e = &m[nm];
		struct evmpkg_rd r;
		uint64_t mtime, size;

		if (nm == DEBAR_MAX_MEMBERS) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL, "%s: more than %d ar members",
					 pkg, DEBAR_MAX_MEMBERS);
			break;
		}
		if (fsize - pos < DEBAR_HDR_LEN) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL,
					 "%s: truncated ar archive: %lld bytes of a member header at byte %lld",
					 pkg, (long long)(fsize - pos), (long long)pos);
			break;
		}
		if (evmpkg_debar_pread(fd, hdr, DEBAR_HDR_LEN, pos)) {
			rc = evmpkg_fail_errno(err, errno ? errno : EIO, "%s: read", pkg);
			break;
		}
		evmpkg_rd_init(&r, hdr, sizeof(hdr));
		if (name_field(&r, e->name)) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL,
					 "%s: ar member at byte %lld: invalid name", pkg, (long long)pos);
			break;
		}
		/* mtime is informative; uid, gid and mode are not used by dpkg. */
		e->mtime = dec_field(&r, 12, &mtime) == 0 ? (int64_t)mtime : 0;
		if (evmpkg_rd_skip(&r, 6 + 6 + 8) ||
		    dec_field(&r, 10, &size) || evmpkg_rd_expect(&r, "`\n", 2)) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL,
					 "%s: ar member '%s': corrupt header (size or end marker)",
					 pkg, e->name);
			break;
		}
		pos += DEBAR_HDR_LEN;
		if (size > (uint64_t)(fsize - pos)) {
			rc = evmpkg_fail(err, EVMPKG_EINVAL,
					 "%s: truncated ar archive: member '%s' has %llu bytes, the file %lld after its header",
					 pkg, e->name, (unsigned long long)size,
					 (long long)(fsize - pos));
			break;
		}
		e->off = pos;
		e->size = (off_t)size;
		nm++;
		/* Odd sizes are padded to even, except at the very end. */
		pos += (off_t)size;
		if ((size & 1) && pos < fsize)
			pos++;
	}
	if (rc) {
		free(m);
		return rc;
	}
	*out = m;
	*n = nm;
	return 0;
}

int evmpkg_debar_header(char *out, const char *name, int64_t mtime, uint64_t size)
{
	if (strlen(name) > 16 || mtime < 0 || mtime > 999999999999LL ||
	    size > 9999999999ULL)
		return -1;
	return snprintf(out, DEBAR_HDR_LEN + 1, "%-16s%-12lld%-6u%-6u%-8o%-10llu`\n",
			name, (long long)mtime, 0u, 0u, 0100644u,
			(unsigned long long)size) == DEBAR_HDR_LEN ? 0 : -1;
}
