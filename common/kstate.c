// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evmpkg/kstate.h"

#define DEFAULT_ROOT "/sys/kernel/security"

/* Reads a small securityfs file; -errno on failure. */
static int read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -errno;
	got = read(fd, buf, n - 1);
	close(fd);
	if (got < 0)
		return -errno;
	buf[got] = '\0';
	return (int)got;
}

/* Counts "appraise" rules in a policy we are allowed to read. */
static int count_appraise(const char *path, int *count)
{
	FILE *f = fopen(path, "re");
	char line[1024];

	if (!f)
		return -1;
	*count = 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "appraise", 8))
			(*count)++;
	fclose(f);
	return 0;
}

static int has_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d)))
		found = strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return found;
}

int evmpkg_kstate_probe(const char *root, struct evmpkg_kstate *ks,
			struct evmpkg_err *err)
{
	char path[4096], buf[64], *end;
	struct stat st;
	unsigned long v;
	int n;

	memset(ks, 0, sizeof(*ks));
	if (!root)
		root = DEFAULT_ROOT;
	ks->outlook = EVMPKG_WRITES_UNKNOWN;
	snprintf(path, sizeof(path), "%s/ima", root);
	ks->ima_present = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	if (ks->ima_present) {
		snprintf(path, sizeof(path), "%s/ima/policy", root);
		ks->ima_policy_readable =
			count_appraise(path, &ks->ima_appraise_rules) == 0;
	}
	snprintf(path, sizeof(path), "%s/evm", root);
	n = read_small(path, buf, sizeof(buf));
	if (n == -ENOENT) {
		/*
		 * No evm file: securityfs is not mounted there, or the kernel
		 * has no EVM. A directory with entries (a mounted securityfs
		 * or a copy of one, in tests) is taken as the latter.
		 */
		ks->mode = has_entries(root) ? EVMPKG_MODE_NO_EVM :
					       EVMPKG_MODE_NO_SECURITYFS;
		if (ks->mode == EVMPKG_MODE_NO_EVM)
			ks->outlook = EVMPKG_WRITES_OK;
		return EVMPKG_OK;
	}
	if (n < 0)
		return evmpkg_fail_errno(err, -n, "%s", path);
	errno = 0;
	v = strtoul(buf, &end, 0);
	while (*end == '\n' || *end == ' ')
		end++;
	if (errno || end == buf || *end || v > 0xffffffffUL)
		return evmpkg_fail(err, EVMPKG_EINVAL,
				   "%s: unexpected content '%.16s'", path, buf);
	ks->evm_value = (unsigned int)v;
	ks->metadata_writes_allowed =
		(v & EVMPKG_EVM_ALLOW_METADATA_WRITES) != 0;
	if (v & EVMPKG_EVM_INIT_HMAC) {
		ks->mode = EVMPKG_MODE_HMAC;
		ks->outlook = EVMPKG_WRITES_REFUSED;
	} else if (v & EVMPKG_EVM_INIT_X509) {
		ks->mode = EVMPKG_MODE_X509;
		/* Bit 31 (setup complete) is never shown when read back. */
		ks->outlook = EVMPKG_WRITES_MAYBE_REFUSED;
	} else {
		ks->mode = EVMPKG_MODE_OFF;
		ks->outlook = EVMPKG_WRITES_OK;
	}
	if (ks->metadata_writes_allowed)
		ks->outlook = EVMPKG_WRITES_OK;
	return EVMPKG_OK;
}

const char *evmpkg_kstate_mode_words(const struct evmpkg_kstate *ks)
{
	switch (ks->mode) {
	case EVMPKG_MODE_NO_SECURITYFS:
		return "EVM: unknown: securityfs is not mounted (mount -t securityfs securityfs /sys/kernel/security)";
	case EVMPKG_MODE_NO_EVM:
		return "EVM: not built into this kernel; security.evm is not checked";
	case EVMPKG_MODE_OFF:
		return "EVM: off (not initialised); security.evm is not checked, appraisal uses security.ima alone";
	case EVMPKG_MODE_X509:
		return ks->metadata_writes_allowed ?
			"EVM: X.509 signatures verified; metadata writes allowed (EVM_ALLOW_METADATA_WRITES), so owner, mode and xattrs are not protected" :
			"EVM: X.509 signatures verified; owner, mode and protected xattrs of signed files are immutable";
	case EVMPKG_MODE_HMAC:
		return "EVM: HMAC key loaded (setup complete); X.509 signatures verified as well";
	}
	return "EVM: unknown";
}

const char *evmpkg_kstate_outlook_words(const struct evmpkg_kstate *ks)
{
	switch (ks->outlook) {
	case EVMPKG_WRITES_OK:
		return "installing: the kernel accepts owner, mode, capabilities, security.ima and security.evm on new files";
	case EVMPKG_WRITES_MAYBE_REFUSED:
		return "installing: accepted if EVM setup is complete (echo 0x80000002 > evm); if only 2 was written, the first security.* write on a new file gets EPERM. securityfs does not show which";
	case EVMPKG_WRITES_REFUSED:
		return "installing: with an HMAC key loaded the first security.* write on a new unlabelled file gets EPERM, unless IMA still marks it new or an HMAC was made at creation";
	}
	return "installing: unknown, since the EVM state cannot be read";
}

int evmpkg_in_user_namespace(void)
{
	char buf[128] = "";
	FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned long a, b, c;

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !(sscanf(buf, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 &&
		 b == 0 && c == 4294967295UL);
}
