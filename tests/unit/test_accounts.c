// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

static void write_file(char *path, size_t n, const char *text)
{
	int fd = unit_tmpfile(path, n);

	CU_ASSERT_TRUE_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_target_accounts(void)
{
	char pw[256], gr[256];
	struct evmpkg_accounts *a = NULL;
	uint32_t id;

	write_file(pw, sizeof(pw), "root:x:0:0:root:/root:/bin/sh\n# comment\n"
		   "daemon:x:1:1::/:/usr/sbin/nologin\nfoo:x:1234:1234::/:/bin/sh\n");
	write_file(gr, sizeof(gr), "root:x:0:\nfoo:x:1234:\nwheel:x:10:foo\n");
	CU_ASSERT_EQUAL_FATAL(evmpkg_accounts_load(pw, gr, &a, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_accounts_uid(a, "foo", &id), 0);
	CU_ASSERT_EQUAL(id, 1234);
	CU_ASSERT_EQUAL(evmpkg_accounts_gid(a, "wheel", &id), 0);
	CU_ASSERT_EQUAL(id, 10);
	CU_ASSERT_EQUAL(evmpkg_accounts_uid(a, "nobody", &id), -1);
	CU_ASSERT_EQUAL(evmpkg_accounts_uid(a, "fo", &id), -1);
	evmpkg_accounts_free(a);
	unlink(pw);
	unlink(gr);
	/* Without files only root maps. */
	CU_ASSERT_EQUAL_FATAL(evmpkg_accounts_load(NULL, NULL, &a, NULL), 0);
	CU_ASSERT_EQUAL(evmpkg_accounts_uid(a, "root", &id), 0);
	CU_ASSERT_EQUAL(id, 0);
	CU_ASSERT_EQUAL(evmpkg_accounts_gid(a, "root", &id), 0);
	CU_ASSERT_EQUAL(evmpkg_accounts_uid(a, "daemon", &id), -1);
	evmpkg_accounts_free(a);
}

static void test_bad_accounts(void)
{
	char pw[256];
	struct evmpkg_accounts *a = NULL;
	struct evmpkg_err err = { 0 };

	write_file(pw, sizeof(pw), "root:x:0:0::/:/bin/sh\nbad:x:notanumber:0::/:\n");
	CU_ASSERT_EQUAL(evmpkg_accounts_load(pw, NULL, &a, &err), EVMPKG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":2:"));
	unlink(pw);
	CU_ASSERT_EQUAL(evmpkg_accounts_load("/nonexistent/passwd", NULL, &a, &err), EVMPKG_EIO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/passwd"));
}

void suite_accounts(void)
{
	CU_pSuite s = CU_add_suite("accounts", NULL, NULL);

	ADD(s, test_target_accounts);
	ADD(s, test_bad_accounts);
}
