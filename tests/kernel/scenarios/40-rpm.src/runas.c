// SPDX-License-Identifier: GPL-2.0-or-later
/* runas UID PROG ARGS...: drops to UID (and gid UID) and execs PROG. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	gid_t g;

	if (argc < 3)
		return 2;
	g = (gid_t)atoi(argv[1]);
	if (setgroups(1, &g) || setgid(g) || setuid((uid_t)atoi(argv[1]))) {
		perror("runas");
		return 2;
	}
	execv(argv[2], argv + 2);
	perror("runas: exec");
	return 127;
}
