/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checks an installed file as the kernel would: its content against
 * security.ima, and security.evm against its current owner, mode and
 * protected xattrs.
 */
#ifndef EVMPKG_VERIFY_H
#define EVMPKG_VERIFY_H

#include <stdint.h>

#include "evmpkg/err.h"
#include "evmpkg/keys.h"

struct evmpkg_fileverdict {
	int ima;		/* enum evmpkg_verdict; V_NOTRUN: absent */
	int evm;		/* enum evmpkg_verdict; V_NOTRUN: absent */
	uint32_t ima_keyid, evm_keyid;
	int ima_type;		/* 3 or 4; 0 when absent */
	uint32_t uid, gid, mode;
	char ima_why[512];	/* why ima is not verified */
	char evm_why[512];
};

/* Fills v; returns an error only when the file cannot be read at all. */
int evmpkg_verify_fd(int fd, const struct evmpkg_trust *trust,
		     struct evmpkg_fileverdict *v, struct evmpkg_err *err);

#endif
