/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target system's user and group names to numeric ids, read from its
 * passwd and group files (not this machine's NSS): an EVM signature is
 * made at build time for the ids the files will have on the target.
 */
#ifndef EVMPKG_ACCOUNTS_H
#define EVMPKG_ACCOUNTS_H

#include <stdint.h>

#include "evmpkg/err.h"

struct evmpkg_accounts;

/* Either path may be NULL; root and group root always map to 0. */
int evmpkg_accounts_load(const char *passwd, const char *group,
			 struct evmpkg_accounts **out, struct evmpkg_err *err);
void evmpkg_accounts_free(struct evmpkg_accounts *a);
/* 0 and *id set when the name maps; -1 when it does not. */
int evmpkg_accounts_uid(const struct evmpkg_accounts *a, const char *name,
			uint32_t *id);
int evmpkg_accounts_gid(const struct evmpkg_accounts *a, const char *name,
			uint32_t *id);

#endif
