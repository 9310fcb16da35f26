/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Makes a manifest entry's security.ima and security.evm for a file's
 * content digest and the metadata it will have on the target: what
 * `evmctl ima_sign` + `evmctl sign --portable` produce, with the key
 * loaded once.
 */
#ifndef EVMPKG_SIGNER_H
#define EVMPKG_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"
#include "evmpkg/evmdigest.h"
#include "evmpkg/keys.h"
#include "evmpkg/manifest.h"
#include "evmpkg/sigformat.h"

enum evmpkg_ima_kind {
	EVMPKG_IMA_SIG,		/* type 3 signature over the content digest */
	EVMPKG_IMA_HASH,	/* type 4 digest; the EVM signature satisfies imasig */
};

/* Output storage for one entry's two values. */
struct evmpkg_sigpair {
	uint8_t ima[EVMPKG_SIG_MAX];
	size_t ima_len;
	uint8_t evm[EVMPKG_SIG_MAX];
	size_t evm_len;
};

/*
 * e->uid, gid, mode, label and caps describe the target; on success e->ima
 * and e->evm point into out. The content digest must be made with algo.
 */
int evmpkg_sign_entry(const struct evmpkg_key *k, int algo, int ima_kind,
		      const uint8_t *content_digest, size_t content_len,
		      struct evmpkg_mentry *e, struct evmpkg_sigpair *out,
		      struct evmpkg_err *err);

#endif
