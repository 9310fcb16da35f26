// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include <openssl/evp.h>

#include "evmpkg/evmdigest.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/manifest.h"

static const char *const xnames[EVMPKG_NXATTRS] = {
	[EVMPKG_X_SELINUX] = "security.selinux",
	[EVMPKG_X_SMACK64] = "security.SMACK64",
	[EVMPKG_X_SMACK64EXEC] = "security.SMACK64EXEC",
	[EVMPKG_X_SMACK64TRANSMUTE] = "security.SMACK64TRANSMUTE",
	[EVMPKG_X_SMACK64MMAP] = "security.SMACK64MMAP",
	[EVMPKG_X_APPARMOR] = "security.apparmor",
	[EVMPKG_X_IMA] = "security.ima",
	[EVMPKG_X_CAPS] = "security.capability",
	[EVMPKG_X_EVM] = "security.evm",
};

const char *evmpkg_xslot_name(int slot)
{
	return slot >= 0 && slot < EVMPKG_NXATTRS ? xnames[slot] : NULL;
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * struct h_misc { unsigned long ino; u32 generation; uid_t uid; gid_t gid;
 * umode_t mode; } on x86_64: 8+4+4+4+2 and 2 bytes tail padding, memset to
 * zero; portable signatures leave ino and generation 0. Serialised byte by
 * byte so the result does not depend on the host compiler's layout.
 */
void evmpkg_evm_misc(uint32_t uid, uint32_t gid, uint16_t mode,
		     uint8_t out[EVMPKG_MISC_LEN])
{
	memset(out, 0, EVMPKG_MISC_LEN);
	le32(out + 12, uid);
	le32(out + 16, gid);
	out[20] = (uint8_t)mode;
	out[21] = (uint8_t)(mode >> 8);
}

int evmpkg_evm_digest(int algo, const struct evmpkg_evm_input *in,
		      uint8_t *out, size_t *outlen, struct evmpkg_err *err)
{
	const char *name = evmpkg_hash_name(algo);
	uint8_t misc[EVMPKG_MISC_LEN];
	unsigned int dlen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	if (!name)
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "security.evm: unsupported hash algorithm %d",
				   algo);
	if (!in->x[EVMPKG_X_IMA].val)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "security.evm: a portable signature needs security.ima");
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	ok = EVP_DigestInit_ex(ctx, evmpkg_hash_md(algo), NULL);
	for (int i = 0; ok && i < EVMPKG_NXSLOTS; i++)
		if (in->x[i].val && in->x[i].len)
			ok = EVP_DigestUpdate(ctx, in->x[i].val, in->x[i].len);
	evmpkg_evm_misc(in->uid, in->gid, in->mode, misc);
	ok = ok && EVP_DigestUpdate(ctx, misc, sizeof(misc)) &&
	     EVP_DigestFinal_ex(ctx, out, &dlen);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return evmpkg_fail(err, EVMPKG_ECRYPTO,
				   "security.evm: %s digest failed", name);
	*outlen = dlen;
	return EVMPKG_OK;
}

void evmpkg_entry_evm_input(const struct evmpkg_mentry *e,
			    struct evmpkg_evm_input *in)
{
	memset(in, 0, sizeof(*in));
	in->x[EVMPKG_X_SELINUX] = (struct evmpkg_xval){ e->label, e->label_len };
	in->x[EVMPKG_X_IMA] = (struct evmpkg_xval){ e->ima, e->ima_len };
	in->x[EVMPKG_X_CAPS] = (struct evmpkg_xval){ e->caps, e->caps_len };
	in->uid = e->uid;
	in->gid = e->gid;
	in->mode = (uint16_t)e->mode;
}

void evmpkg_file_evm_input(uint32_t uid, uint32_t gid, uint16_t mode,
			   uint8_t *const vals[], const size_t lens[],
			   const int present[], struct evmpkg_evm_input *in)
{
	memset(in, 0, sizeof(*in));
	for (int i = 0; i < EVMPKG_NXSLOTS; i++)
		if (present[i])
			in->x[i] = (struct evmpkg_xval){ vals[i], lens[i] };
	in->uid = uid;
	in->gid = gid;
	in->mode = mode;
}
