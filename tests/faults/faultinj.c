// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test-only LD_PRELOAD shim: makes the Nth call of one system call fail
 * with a chosen errno, so the tiers can show what rpm, dpkg and evmpkg
 * leave behind when a step of the write path fails. Never installed.
 *
 *   FAULT_CALL   fchown, fchmod, fsetxattr, fsync or rename: the family
 *                (fchown also catches chown, lchown, fchownat; fchmod:
 *                chmod, fchmodat; fsetxattr: setxattr, lsetxattr; fsync:
 *                fdatasync; rename: renameat, renameat2)
 *   FAULT_NTH    the call to fail, counted from 1 in each process
 *                (default 1); 0 fails every call
 *   FAULT_ERRNO  EPERM, ENOSPC, EDQUOT, EOPNOTSUPP or EIO (default EIO)
 *   FAULT_XATTR  fsetxattr only: count calls for this attribute name only
 *   FAULT_ARM    count only after the first call of this family (say
 *                fsetxattr: once a package's files are being written,
 *                past the database set-up before it)
 *   FAULT_COMM   only in processes of this name (/proc/self/comm)
 *   FAULT_ACTION kill: instead of failing, the process kills itself with
 *                SIGKILL just before the call (a crash at that point)
 * Each failed call prints "faultinj: fired FAMILY #N [XATTR]" on stderr,
 * which also reaches the tests from inside rpm's chroot.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

static atomic_long calls;
static atomic_int armed;

static int errno_named(const char *s)
{
	static const struct { const char *name; int e; } t[] = {
		{ "EPERM", EPERM }, { "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT },
		{ "EOPNOTSUPP", EOPNOTSUPP }, { "EIO", EIO }, { "EACCES", EACCES },
	};

	for (size_t i = 0; s && i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].name))
			return t[i].e;
	return EIO;
}

static int right_process(void)
{
	const char *want = getenv("FAULT_COMM");
	char comm[64] = "";
	FILE *f;

	if (!want || !*want)
		return 1;
	if ((f = fopen("/proc/self/comm", "re"))) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	} else {	/* no /proc (a chroot): the name it was run by, as comm cuts it */
		snprintf(comm, 16, "%s", program_invocation_short_name);
	}
	return !strcmp(comm, want);
}

/* Whether this call of family (on what, for the message) is the one to fail. */
static int fire(const char *family, const char *xname, const char *what)
{
	const char *call = getenv("FAULT_CALL"), *xf = getenv("FAULT_XATTR");
	const char *nth_s = getenv("FAULT_NTH"), *arm = getenv("FAULT_ARM");
	long nth = nth_s ? strtol(nth_s, NULL, 10) : 1, n;

	if (arm && *arm && !atomic_load(&armed)) {
		if (!strcmp(arm, family))
			atomic_store(&armed, 1);
		return 0;
	}
	if (!call || strcmp(call, family) || !right_process())
		return 0;
	if (xf && *xf && (!xname || strcmp(xf, xname)))
		return 0;
	n = atomic_fetch_add(&calls, 1) + 1;
	if (nth && n != nth)
		return 0;
	dprintf(2, "faultinj: fired %s #%ld %s %s\n", family, n, xname ? xname : "",
		what ? what : "");
	if ((arm = getenv("FAULT_ACTION")) && !strcmp(arm, "kill"))
		kill(getpid(), SIGKILL);
	errno = errno_named(getenv("FAULT_ERRNO"));
	return 1;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int fchown(int fd, uid_t u, gid_t g)
{
	return fire("fchown", NULL, NULL) ? -1 : NEXT(fchown)(fd, u, g);
}

int chown(const char *p, uid_t u, gid_t g)
{
	return fire("fchown", NULL, p) ? -1 : NEXT(chown)(p, u, g);
}

int lchown(const char *p, uid_t u, gid_t g)
{
	return fire("fchown", NULL, p) ? -1 : NEXT(lchown)(p, u, g);
}

int fchownat(int d, const char *p, uid_t u, gid_t g, int fl)
{
	return fire("fchown", NULL, p) ? -1 : NEXT(fchownat)(d, p, u, g, fl);
}

int fchmod(int fd, mode_t m)
{
	return fire("fchmod", NULL, NULL) ? -1 : NEXT(fchmod)(fd, m);
}

int chmod(const char *p, mode_t m)
{
	return fire("fchmod", NULL, p) ? -1 : NEXT(chmod)(p, m);
}

int fchmodat(int d, const char *p, mode_t m, int fl)
{
	return fire("fchmod", NULL, p) ? -1 : NEXT(fchmodat)(d, p, m, fl);
}

int fsetxattr(int fd, const char *n, const void *v, size_t s, int fl)
{
	return fire("fsetxattr", n, NULL) ? -1 : NEXT(fsetxattr)(fd, n, v, s, fl);
}

int setxattr(const char *p, const char *n, const void *v, size_t s, int fl)
{
	return fire("fsetxattr", n, p) ? -1 : NEXT(setxattr)(p, n, v, s, fl);
}

int lsetxattr(const char *p, const char *n, const void *v, size_t s, int fl)
{
	return fire("fsetxattr", n, p) ? -1 : NEXT(lsetxattr)(p, n, v, s, fl);
}

int fsync(int fd)
{
	return fire("fsync", NULL, NULL) ? -1 : NEXT(fsync)(fd);
}

int fdatasync(int fd)
{
	return fire("fsync", NULL, NULL) ? -1 : NEXT(fdatasync)(fd);
}

int rename(const char *a, const char *b)
{
	return fire("rename", NULL, b) ? -1 : NEXT(rename)(a, b);
}

int renameat(int da, const char *a, int db, const char *b)
{
	return fire("rename", NULL, b) ? -1 : NEXT(renameat)(da, a, db, b);
}

int renameat2(int da, const char *a, int db, const char *b, unsigned fl)
{
	return fire("rename", NULL, b) ? -1 : NEXT(renameat2)(da, a, db, b, fl);
}
