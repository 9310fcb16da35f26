// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of libevmpkg. Prints CUnit's summary and "unit: N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "unit.h"

const char *unit_data(const char *name)
{
	/* A few rotating buffers: one call may pass two data paths. */
	static _Thread_local char buf[4][4096];
	static _Thread_local unsigned int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "tests/unit/data/%s", name);
	return b;
}

size_t unit_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	/* Test vectors are whole hex strings: the core's strict decoder. */
	if (n > cap || evmpkg_hex_decode(hex, out, n, 0, NULL))
		return 0;
	return n;
}

int unit_tmpfile(char *path, size_t n)
{
	/* /var/tmp is on the root filesystem here (ext4); /tmp may be tmpfs. */
	const char *dir = getenv("EVMPKG_TEST_DIR");

	snprintf(path, n, "%s/evmpkg-unit-XXXXXX", dir ? dir : "/var/tmp");
	return mkstemp(path);
}

int main(void)
{
	unsigned int run, failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite_reader();
	suite_hex();
	suite_atomicfile();
	suite_sigformat();
	suite_evmdigest();
	suite_keys();
	suite_caps();
	suite_manifest();
	suite_kstate();
	suite_sequencer();
	suite_accounts();
	suite_pkgcheck();
	suite_threads();
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	printf("\nunit: %u passed, %u failed\n", run - failed, failed);
	CU_cleanup_registry();
	return failed || run == 0 ? 1 : 0;
}
