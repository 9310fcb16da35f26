/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the running kernel will enforce, read from securityfs. */
#ifndef EVMPKG_KSTATE_H
#define EVMPKG_KSTATE_H

#include <stddef.h>

#include "evmpkg/err.h"

#define EVMPKG_EVM_INIT_HMAC 0x1
#define EVMPKG_EVM_INIT_X509 0x2
#define EVMPKG_EVM_ALLOW_METADATA_WRITES 0x4

enum evmpkg_evm_mode {
	EVMPKG_MODE_NO_SECURITYFS,	/* securityfs not mounted: unknown */
	EVMPKG_MODE_NO_EVM,		/* kernel without EVM */
	EVMPKG_MODE_OFF,		/* EVM present, not initialised */
	EVMPKG_MODE_X509,		/* X.509 only; setup completion unknown */
	EVMPKG_MODE_HMAC,		/* HMAC key loaded (setup complete) */
};

/* What an installer meets when it writes security.* to a new file. */
enum evmpkg_write_outlook {
	EVMPKG_WRITES_OK,		/* all writes accepted */
	EVMPKG_WRITES_MAYBE_REFUSED,	/* accepted only if setup is complete */
	EVMPKG_WRITES_REFUSED,		/* new unlabelled files: EPERM */
	EVMPKG_WRITES_UNKNOWN,
};

struct evmpkg_kstate {
	int mode;			/* enum evmpkg_evm_mode */
	unsigned int evm_value;		/* as read (bit 31 is never shown) */
	int metadata_writes_allowed;	/* EVM_ALLOW_METADATA_WRITES */
	int ima_present;		/* securityfs has ima/ */
	int ima_policy_readable;	/* ima/policy can be read */
	int ima_appraise_rules;		/* appraise rules in a readable policy */
	int outlook;			/* enum evmpkg_write_outlook */
};

/*
 * Probes securityfs under root (NULL: /sys/kernel/security). A missing
 * securityfs or EVM is a normal answer; only a malformed evm file is an
 * error.
 */
int evmpkg_kstate_probe(const char *root, struct evmpkg_kstate *ks,
			struct evmpkg_err *err);
/* Words for the mode, one line: "EVM: X.509 verification ...". */
/*
 * 1 when this process runs in a user namespace (a container): the kernel
 * then refuses security.* xattrs. Read it before any chroot (/proc).
 */
int evmpkg_in_user_namespace(void);
const char *evmpkg_kstate_mode_words(const struct evmpkg_kstate *ks);
/* Words for what an installer meets, and what is unknown. */
const char *evmpkg_kstate_outlook_words(const struct evmpkg_kstate *ks);

#endif
