/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The digest a type 5 (portable) security.evm signs, exactly as Linux
 * computes it in evm_calc_hmac_or_hash(): the raw values of the protected
 * xattrs present, in the kernel's order, then the misc block. One function
 * serves signing and verifying.
 */
#ifndef EVMPKG_EVMDIGEST_H
#define EVMPKG_EVMDIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"

/* Kernel order of evm_config_default_xattrnames (security/integrity/evm). */
enum evmpkg_xslot {
	EVMPKG_X_SELINUX,
	EVMPKG_X_SMACK64,
	EVMPKG_X_SMACK64EXEC,
	EVMPKG_X_SMACK64TRANSMUTE,
	EVMPKG_X_SMACK64MMAP,
	EVMPKG_X_APPARMOR,
	EVMPKG_X_IMA,
	EVMPKG_X_CAPS,
	EVMPKG_NXSLOTS
};
/* security.evm itself: read and written beside the others, never hashed. */
#define EVMPKG_X_EVM EVMPKG_NXSLOTS
#define EVMPKG_NXATTRS (EVMPKG_NXSLOTS + 1)

/* The one table of names: "security.selinux", ... "security.evm",
 * indexed by enum evmpkg_xslot and EVMPKG_X_EVM. */
const char *evmpkg_xslot_name(int slot);

struct evmpkg_xval {
	const uint8_t *val;	/* NULL: absent (an empty present value is len 0) */
	size_t len;
};

struct evmpkg_evm_input {
	struct evmpkg_xval x[EVMPKG_NXSLOTS];
	uint32_t uid, gid;	/* initial-namespace ids */
	uint16_t mode;		/* i_mode with the file-type bits */
};

/* The 24-byte x86_64 misc block: ino 0, generation 0, uid, gid, mode, pad. */
#define EVMPKG_MISC_LEN 24
void evmpkg_evm_misc(uint32_t uid, uint32_t gid, uint16_t mode,
		     uint8_t out[EVMPKG_MISC_LEN]);

/*
 * Computes the digest with hash algo (kernel id) into out (at least
 * EVMPKG_MAX_DIGEST bytes); *outlen receives its size. security.ima must be
 * present, as the kernel requires for portable signatures.
 */
int evmpkg_evm_digest(int algo, const struct evmpkg_evm_input *in,
		      uint8_t *out, size_t *outlen, struct evmpkg_err *err);

/*
 * The input a manifest entry's signature covers (its label, security.ima,
 * caps, ids and mode), and the input the kernel sees on a file now (its
 * stat and the protected xattrs present). Values point into e or vals.
 */
struct evmpkg_mentry;
void evmpkg_entry_evm_input(const struct evmpkg_mentry *e,
			    struct evmpkg_evm_input *in);
void evmpkg_file_evm_input(uint32_t uid, uint32_t gid, uint16_t mode,
			   uint8_t *const vals[], const size_t lens[],
			   const int present[], struct evmpkg_evm_input *in);

#endif
