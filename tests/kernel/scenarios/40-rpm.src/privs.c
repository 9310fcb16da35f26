// SPDX-License-Identifier: GPL-2.0-or-later
/* Prints the effective uid and whether CAP_NET_RAW is effective. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7))
			sscanf(line + 7, "%llx", &eff);
	if (f)
		fclose(f);
	printf("%s euid=%d net_raw=%d\n", argc > 1 ? argv[1] : "privs",
	       (int)geteuid(), (int)(eff >> 13 & 1));
	return 0;
}
