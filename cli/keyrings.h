/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel keyrings IMA and EVM verify with, and the key ids in them. */
#ifndef EVMPKG_CLI_KEYRINGS_H
#define EVMPKG_CLI_KEYRINGS_H

#include <stddef.h>
#include <stdint.h>

#define CLI_KEYRING_MAX 64

struct cli_keyring {
	char name[8];			/* "_ima", ".ima", "_evm", ".evm" */
	int found;
	size_t n;			/* keys listed (at most CLI_KEYRING_MAX) */
	uint32_t keyid[CLI_KEYRING_MAX];	/* tail of each key's SKID; 0: none */
	char desc[CLI_KEYRING_MAX][96];
};

/* rings[0..3]: _ima, .ima, _evm, .evm as /proc/keys shows them to us. */
void cli_keyrings_read(struct cli_keyring rings[4]);
/* Whether keyid is in one of the keyrings of usage (1: IMA, 2: EVM). */
int cli_keyrings_have(const struct cli_keyring rings[4], int usage, uint32_t keyid);

#endif
