/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef EVMPKG_UNIT_H
#define EVMPKG_UNIT_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "evmpkg/evmpkg.h"

/* Test data directory (tests/unit/data), found relative to the cwd. */
const char *unit_data(const char *name);
/* Parses whole hex into out; returns the byte count, 0 if invalid. */
size_t unit_unhex(const char *hex, uint8_t *out, size_t cap);
/* A fresh scratch file on a filesystem with xattrs; returns an fd. */
int unit_tmpfile(char *path, size_t n);

void suite_reader(void);
void suite_hex(void);
void suite_atomicfile(void);
void suite_sigformat(void);
void suite_evmdigest(void);
void suite_keys(void);
void suite_caps(void);
void suite_manifest(void);
void suite_kstate(void);
void suite_sequencer(void);
void suite_accounts(void);
void suite_pkgcheck(void);
void suite_threads(void);

#define ADD(s, f) CU_add_test(s, #f, f)

#endif
