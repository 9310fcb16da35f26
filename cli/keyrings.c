// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reads the _ima/.ima and _evm/.evm keyrings through /proc/keys and the
 * keyctl system call (two calls: read a keyring, describe a key; no
 * library needed for them). An X.509 key's description ends in its
 * subjectKeyIdentifier in hex, whose last 4 bytes are the key id
 * signatures carry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "keyrings.h"

#define KEYCTL_DESCRIBE 6
#define KEYCTL_READ 11

static const char *const ring_names[4] = { "_ima", ".ima", "_evm", ".evm" };

/* "asymmetric;uid;gid;perm;NAME: SKIDHEX" -> key id of SKIDHEX's tail. */
static uint32_t keyid_of(const char *desc)
{
	const char *t = strrchr(desc, ' ');
	size_t n;

	t = t ? t + 1 : desc;
	n = strlen(t);
	if (n < 8 || strspn(t, "0123456789abcdefABCDEF") != n)
		return 0;
	return (uint32_t)strtoul(t + n - 8, NULL, 16);
}

static void list_ring(struct cli_keyring *r, long id)
{
	int32_t keys[CLI_KEYRING_MAX];
	long got = syscall(SYS_keyctl, KEYCTL_READ, id, keys, sizeof(keys));

	if (got < 0)
		return;
	got /= (long)sizeof(keys[0]);
	for (long i = 0; i < got && r->n < CLI_KEYRING_MAX; i++) {
		char d[256];
		long dl = syscall(SYS_keyctl, KEYCTL_DESCRIBE, keys[i], d, sizeof(d) - 1);
		const char *name;

		if (dl <= 0)
			continue;
		d[dl < (long)sizeof(d) ? dl : (long)sizeof(d) - 1] = '\0';
		if (strncmp(d, "asymmetric;", 11))
			continue;
		/* type;uid;gid;perm;description */
		name = d;
		for (int f = 0; f < 4 && name; f++)
			name = strchr(name, ';') ? strchr(name, ';') + 1 : NULL;
		if (!name)
			continue;
		snprintf(r->desc[r->n], sizeof(r->desc[r->n]), "%s", name);
		r->keyid[r->n++] = keyid_of(name);
	}
}

void cli_keyrings_read(struct cli_keyring rings[4])
{
	FILE *f = fopen("/proc/keys", "re");
	char line[512];

	for (int i = 0; i < 4; i++) {
		memset(&rings[i], 0, sizeof(rings[i]));
		snprintf(rings[i].name, sizeof(rings[i].name), "%s", ring_names[i]);
	}
	while (f && fgets(line, sizeof(line), f)) {
		char type[16], desc[64];
		unsigned long id;

		/* ID FLAGS USAGE TIMEOUT PERM UID GID TYPE DESCRIPTION: SUMMARY */
		if (sscanf(line, "%lx %*s %*s %*s %*s %*s %*s %15s %63[^:]", &id, type, desc) != 3 ||
		    strcmp(type, "keyring"))
			continue;
		/* Every keyring of the name we can see (the user's and a session's). */
		for (int i = 0; i < 4; i++)
			if (!strcmp(desc, ring_names[i])) {
				rings[i].found = 1;
				list_ring(&rings[i], (long)id);
			}
	}
	if (f)
		fclose(f);
}

int cli_keyrings_have(const struct cli_keyring rings[4], int usage, uint32_t keyid)
{
	for (int i = usage == 1 ? 0 : 2, e = i + 2; i < e; i++)
		for (size_t k = 0; k < rings[i].n; k++)
			if (rings[i].keyid[k] == keyid)
				return 1;
	return 0;
}
