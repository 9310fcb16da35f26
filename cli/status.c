// SPDX-License-Identifier: GPL-2.0-or-later
/* evmpkg status: what the running kernel will enforce, in words. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char *const mode_keys[] = {
	[EVMPKG_MODE_NO_SECURITYFS] = "unknown",
	[EVMPKG_MODE_NO_EVM] = "absent",
	[EVMPKG_MODE_OFF] = "off",
	[EVMPKG_MODE_X509] = "x509",
	[EVMPKG_MODE_HMAC] = "hmac",
};

int cmd_status(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "securityfs", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	struct evmpkg_err err = { 0 };
	struct evmpkg_kstate ks;
	int json = 0, c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'J': json = 1; break;
		case 'S': root = optarg; break;
		case 'h':
			puts("usage: evmpkg status [--json] [--securityfs DIR]\n"
			     "Reports the kernel's EVM mode and IMA state from securityfs.");
			return 0;
		default: return 2;
		}
	}
	if (evmpkg_kstate_probe(root, &ks, &err)) {
		cli_err("status: %s", err.msg);
		return 1;
	}
	if (json) {
		printf("{\"evm_mode\":\"%s\",\"evm_value\":%u,"
		       "\"metadata_writes_allowed\":%s,\"ima\":%s,"
		       "\"ima_policy_readable\":%s,\"ima_appraise_rules\":%d,"
		       "\"setup_complete\":\"%s\",\"summary\":",
		       mode_keys[ks.mode], ks.evm_value,
		       ks.metadata_writes_allowed ? "true" : "false",
		       ks.ima_present ? "true" : "false",
		       ks.ima_policy_readable ? "true" : "false",
		       ks.ima_appraise_rules,
		       ks.mode == EVMPKG_MODE_HMAC ? "yes" :
		       ks.mode == EVMPKG_MODE_X509 ? "unknown" : "n/a");
		cli_json_str(stdout, evmpkg_kstate_mode_words(&ks));
		fputs(",\"install\":", stdout);
		cli_json_str(stdout, evmpkg_kstate_outlook_words(&ks));
		puts("}");
		return 0;
	}
	puts(evmpkg_kstate_mode_words(&ks));
	if (ks.mode >= EVMPKG_MODE_OFF)
		printf("EVM value read from securityfs: %u (bit 31, setup complete, is never shown)\n",
		       ks.evm_value);
	printf("IMA: %s\n", !ks.ima_present ? "not present" :
	       !ks.ima_policy_readable ? "present; policy not readable (CONFIG_IMA_READ_POLICY off)" :
	       ks.ima_appraise_rules ? "present; policy has appraise rules" :
				       "present; policy has no appraise rule");
	puts(evmpkg_kstate_outlook_words(&ks));
	return 0;
}
