// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sys/capability.h>

#include "evmpkg/caps.h"
#include "evmpkg/reader.h"

/* VFS_CAP_* come from <linux/capability.h> through libcap's header. */
#define NCAPS 64

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int evmpkg_caps_from_text(const char *text, uint8_t out[EVMPKG_CAPS_MAX],
			  size_t *len, struct evmpkg_err *err)
{
	uint64_t perm = 0, inh = 0, eff = 0;
	cap_t c = cap_from_text(text);

	if (!c)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "capabilities '%s': not valid cap_from_text syntax",
				   text);
	for (int i = 0; i < NCAPS; i++) {
		cap_flag_value_t v;

		if (cap_get_flag(c, (cap_value_t)i, CAP_PERMITTED, &v) == 0 && v)
			perm |= 1ull << i;
		if (cap_get_flag(c, (cap_value_t)i, CAP_INHERITABLE, &v) == 0 && v)
			inh |= 1ull << i;
		if (cap_get_flag(c, (cap_value_t)i, CAP_EFFECTIVE, &v) == 0 && v)
			eff |= 1ull << i;
	}
	cap_free(c);
	/*
	 * A file has one effective bit: it raises every permitted and
	 * inheritable capability, so libcap (setcap, rpm) refuses a partial
	 * effective set. Do the same rather than store a different meaning.
	 */
	if (eff && (~eff & (perm | inh)))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "capabilities '%s': the effective set must be empty or cover every permitted and inheritable capability",
				   text);
	if (!perm && !inh && !eff) {
		*len = 0;
		return EVMPKG_OK;
	}
	le32(out, VFS_CAP_REVISION_2 | (eff ? VFS_CAP_FLAGS_EFFECTIVE : 0));
	le32(out + 4, (uint32_t)perm);
	le32(out + 8, (uint32_t)inh);
	le32(out + 12, (uint32_t)(perm >> 32));
	le32(out + 16, (uint32_t)(inh >> 32));
	*len = EVMPKG_CAPS_V2_LEN;
	return EVMPKG_OK;
}

int evmpkg_caps_check(const uint8_t *val, size_t len, struct evmpkg_err *err)
{
	struct evmpkg_rd r;
	uint32_t magic, rev;

	evmpkg_rd_init(&r, val, len);
	if (evmpkg_rd_u32le(&r, &magic))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "security.capability: %zu bytes is too short",
				   len);
	rev = magic & VFS_CAP_REVISION_MASK;
	if (magic & ~(VFS_CAP_REVISION_MASK | VFS_CAP_FLAGS_EFFECTIVE))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "security.capability: unknown flag bits %08x",
				   magic);
	if (rev == VFS_CAP_REVISION_2 && len == EVMPKG_CAPS_V2_LEN)
		return EVMPKG_OK;
	if (rev == VFS_CAP_REVISION_3 && len == EVMPKG_CAPS_V3_LEN)
		return EVMPKG_OK;
	return evmpkg_fail(err, EVMPKG_EINVAL,
			   "security.capability: revision %u with %zu bytes (want 2 with 20 or 3 with 24)",
			   rev >> 24, len);
}

int evmpkg_caps_to_text(const uint8_t *val, size_t len, char **text,
			struct evmpkg_err *err)
{
	int rc = evmpkg_caps_check(val, len, err);
	uint32_t magic, perm_lo, inh_lo, perm_hi, inh_hi;
	uint64_t perm, inh;
	struct evmpkg_rd r;
	int eff;
	cap_t c;
	char *t;

	if (rc)
		return rc;
	/* vfs_cap_data: magic_etc, then {permitted, inheritable} low, high. */
	evmpkg_rd_init(&r, val, len);
	if (evmpkg_rd_u32le(&r, &magic) || evmpkg_rd_u32le(&r, &perm_lo) ||
	    evmpkg_rd_u32le(&r, &inh_lo) || evmpkg_rd_u32le(&r, &perm_hi) ||
	    evmpkg_rd_u32le(&r, &inh_hi))
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "security.capability: %zu bytes is too short",
				   len);
	eff = (magic & VFS_CAP_FLAGS_EFFECTIVE) != 0;
	perm = perm_lo | (uint64_t)perm_hi << 32;
	inh = inh_lo | (uint64_t)inh_hi << 32;
	c = cap_init();
	if (!c)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	for (int i = 0; i < NCAPS; i++) {
		cap_value_t v = i;

		if (perm >> i & 1)
			cap_set_flag(c, CAP_PERMITTED, 1, &v, CAP_SET);
		if (inh >> i & 1)
			cap_set_flag(c, CAP_INHERITABLE, 1, &v, CAP_SET);
		if (eff && ((perm | inh) >> i & 1))
			cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_SET);
	}
	t = cap_to_text(c, NULL);
	cap_free(c);
	if (!t)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	*text = strdup(t);
	cap_free(t);
	return *text ? EVMPKG_OK :
		       evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
}
