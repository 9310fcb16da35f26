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
 * Where an entry's values come from: key signs the digests made here; or,
 * without a key, values a signing host made from a request (sigreq.h) are
 * checked here over the same digests with the trusted certificates and
 * taken only when they verify. Either way the EVM digest is computed here,
 * over the security.ima value the entry gets.
 */
struct evmpkg_sigsrc {
	const struct evmpkg_key *key;
	const struct evmpkg_trust *trust;	/* without key */
	const uint8_t *ima, *evm;		/* the values given; evm NULL: none */
	size_t ima_len, evm_len;
};

/*
 * e->uid, gid, mode, label and caps describe the target; on success e->ima
 * (and, with evm set, e->evm) point into out. evm 0: IMA only, e gets no
 * security.evm. The content digest must be made with algo. A given value
 * of another kind, algorithm or key, or that does not verify, is refused:
 * EVMPKG_EVERIFY, EVMPKG_ENOKEY or EVMPKG_EINVAL naming the xattr.
 */
int evmpkg_sign_values(const struct evmpkg_sigsrc *src, int algo, int ima_kind,
		       int evm, const uint8_t *content_digest, size_t content_len,
		       struct evmpkg_mentry *e, struct evmpkg_sigpair *out,
		       struct evmpkg_err *err);

/* evmpkg_sign_values with key k, IMA and EVM. */
int evmpkg_sign_entry(const struct evmpkg_key *k, int algo, int ima_kind,
		      const uint8_t *content_digest, size_t content_len,
		      struct evmpkg_mentry *e, struct evmpkg_sigpair *out,
		      struct evmpkg_err *err);

#endif
