// SPDX-License-Identifier: GPL-2.0-or-later
/* Whole-file replacement: all or nothing, nothing left behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

static char dir[4096];

static int setup(void)
{
	const char *base = getenv("EVMPKG_TEST_DIR");

	snprintf(dir, sizeof(dir), "%s/evmpkg-unit-XXXXXX", base ? base : "/var/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *at(const char *name)
{
	static char p[4200];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

/* Names in dir, counting hidden temporary files too. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static int content_is(const char *path, const char *want)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)n);
}

static void test_new_and_replace(void)
{
	struct stat st, st2;
	char t[4200];
	mode_t old = umask(077);

	strcpy(t, at("pkg"));
	CU_ASSERT_EQUAL(evmpkg_atomic_write(t, "one", 3, 0644, NULL), 0);
	CU_ASSERT_TRUE(content_is(t, "one"));
	CU_ASSERT_EQUAL(stat(t, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0644);	/* the mode asked, not the umask's */
	CU_ASSERT_EQUAL(evmpkg_atomic_write(t, "second", 6, 0600, NULL), 0);
	CU_ASSERT_TRUE(content_is(t, "second"));
	CU_ASSERT_EQUAL(stat(t, &st2), 0);
	CU_ASSERT_EQUAL(st2.st_mode & 07777, 0600);
	CU_ASSERT_NOT_EQUAL(st.st_ino, st2.st_ino);	/* replaced, not rewritten */
	CU_ASSERT_EQUAL(entries(), 1);
	umask(old);
	unlink(t);
}

/* In pieces through fd, as the rpm writer does; abort leaves no trace. */
static void test_pieces_and_abort(void)
{
	struct evmpkg_atomicfile a = EVMPKG_ATOMICFILE_INIT;
	char t[4200];

	evmpkg_atomic_abort(&a);	/* not opened: a no-op */
	strcpy(t, at("keep"));
	CU_ASSERT_EQUAL(evmpkg_atomic_write(t, "old", 3, 0644, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(evmpkg_atomic_open(&a, t, NULL), 0);
	CU_ASSERT_EQUAL(entries(), 2);	/* the target and the temporary file */
	CU_ASSERT_EQUAL(evmpkg_atomic_put(&a, "ne", 2, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_atomic_put(&a, "w", 1, NULL), 0);
	CU_ASSERT_TRUE(content_is(t, "old"));	/* unseen until commit */
	evmpkg_atomic_abort(&a);
	CU_ASSERT_EQUAL(a.fd, -1);
	CU_ASSERT_EQUAL(entries(), 1);
	CU_ASSERT_TRUE(content_is(t, "old"));
	CU_ASSERT_EQUAL_FATAL(evmpkg_atomic_open(&a, t, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_atomic_put(&a, "new", 3, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_atomic_commit(&a, 0640, NULL), 0);
	evmpkg_atomic_abort(&a);	/* after commit: nothing, the file stays */
	CU_ASSERT_TRUE(content_is(t, "new"));
	CU_ASSERT_EQUAL(entries(), 1);
	unlink(t);
}

/* A symlink at the target is replaced; what it pointed to is untouched. */
static void test_symlink_not_followed(void)
{
	char t[4200], victim[4200];
	struct stat st;

	strcpy(victim, at("victim"));
	strcpy(t, at("link"));
	CU_ASSERT_EQUAL(evmpkg_atomic_write(victim, "precious", 8, 0644, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(victim, t), 0);
	CU_ASSERT_EQUAL(evmpkg_atomic_write(t, "out", 3, 0644, NULL), 0);
	CU_ASSERT_EQUAL(lstat(t, &st), 0);
	CU_ASSERT_TRUE(S_ISREG(st.st_mode));
	CU_ASSERT_TRUE(content_is(t, "out"));
	CU_ASSERT_TRUE(content_is(victim, "precious"));
	unlink(t);
	unlink(victim);
}

static void test_errors(void)
{
	struct evmpkg_atomicfile a;
	struct evmpkg_err err = { 0 };
	char t[4200];

	/* No such directory: EIO naming the target and the errno. */
	strcpy(t, at("nodir/x"));
	CU_ASSERT_EQUAL(evmpkg_atomic_write(t, "x", 1, 0644, &err), EVMPKG_EIO);
	CU_ASSERT_EQUAL(err.errnum, ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, t));
	/* A directory name. */
	strcpy(t, at("sub/"));
	CU_ASSERT_EQUAL(evmpkg_atomic_open(&a, t, &err), EVMPKG_EINVAL);
	CU_ASSERT_EQUAL(a.fd, -1);
	/* The rename fails (a non-empty directory is there): the temporary
	 * file goes, the directory stays. */
	strcpy(t, at("sub"));
	CU_ASSERT_EQUAL_FATAL(mkdir(t, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(at("sub/inner"), 0755), 0);
	CU_ASSERT_EQUAL(evmpkg_atomic_write(t, "x", 1, 0644, &err), EVMPKG_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot replace"));
	CU_ASSERT_EQUAL(entries(), 1);
	rmdir(at("sub/inner"));
	rmdir(t);
}

void suite_atomicfile(void)
{
	CU_pSuite s = CU_add_suite("atomicfile", setup, teardown);

	ADD(s, test_new_and_replace);
	ADD(s, test_pieces_and_abort);
	ADD(s, test_symlink_not_followed);
	ADD(s, test_errors);
}
