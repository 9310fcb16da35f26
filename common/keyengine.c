// SPDX-License-Identifier: GPL-2.0-or-later
/* The pkcs11 engine: the deprecated ENGINE calls live here only. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#ifndef OPENSSL_NO_ENGINE
#include <openssl/engine.h>
#endif

#include "keyengine.h"

#ifndef OPENSSL_NO_ENGINE
/* The PKCS#11 module libp11 loads, for messages. */
static const char *engine_module(void)
{
	const char *m = getenv("PKCS11_MODULE_PATH");

	return m && *m ? m : "p11-kit-proxy.so: PKCS11_MODULE_PATH is not set";
}

struct keyengine {
	ENGINE *e;
};

/*
 * ENGINE_by_id loads engines-3/pkcs11.so as a new engine object that is
 * not added to OpenSSL's engine list, so each store has its own (with its
 * own PIN); what stays process-wide is the PKCS#11 module libp11 loads,
 * which a module must tolerate being initialised once per process.
 */
struct keyengine *keyengine_open(void)
{
	struct keyengine *ke = calloc(1, sizeof(*ke));

	if (ke && (ke->e = ENGINE_by_id("pkcs11")) && ENGINE_init(ke->e)) {
		ERR_clear_error();
		return ke;
	}
	if (ke && ke->e)
		ENGINE_free(ke->e);
	free(ke);
	ERR_clear_error();
	return NULL;
}

void keyengine_free(struct keyengine *ke)
{
	if (!ke)
		return;
	ENGINE_finish(ke->e);
	ENGINE_free(ke->e);
	free(ke);
}

int keyengine_key(struct keyengine *ke, const char *uri, const char *shown,
		  const char *pin, pem_password_cb *cb, void *cbarg,
		  EVP_PKEY **out, struct evmpkg_err *err)
{
	/* Without a PIN or a UI libp11 prompts on the terminal itself: the
	 * callback answers (or declines) instead, so nothing ever hangs. */
	UI_METHOD *ui = UI_UTIL_wrap_read_pem_callback(cb, 0);

	if (!ui)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	if (pin && !ENGINE_ctrl_cmd_string(ke->e, "PIN", pin, 0)) {
		UI_destroy_method(ui);
		return evmpkg_fail(err, EVMPKG_ECRYPTO, "key %s: the pkcs11 engine "
				   "takes no PIN", shown);
	}
	*out = ENGINE_load_private_key(ke->e, uri, ui, cbarg);
	UI_destroy_method(ui);
	if (*out)
		return EVMPKG_OK;
	ERR_clear_error();
	return evmpkg_fail(err, EVMPKG_EINVAL, "key %s: the pkcs11 engine (module %s) "
			   "finds no private key there, or the PIN is wrong", shown,
			   engine_module());
}

int keyengine_cert(struct keyengine *ke, const char *uri, const char *shown,
		   X509 **out, struct evmpkg_err *err)
{
	/* libp11 has no OSSL_STORE loader; its control command loads certificates. */
	struct {
		const char *id;
		X509 *cert;
	} p = { uri, NULL };

	if (!ENGINE_ctrl_cmd(ke->e, "LOAD_CERT_CTRL", 0, &p, NULL, 0) || !p.cert) {
		ERR_clear_error();
		return evmpkg_fail(err, EVMPKG_EINVAL, "certificate %s: the pkcs11 "
				   "engine (module %s) finds no certificate there", shown,
				   engine_module());
	}
	*out = p.cert;
	return EVMPKG_OK;
}
#else
struct keyengine *keyengine_open(void)
{
	return NULL;
}

void keyengine_free(struct keyengine *ke)
{
}

int keyengine_key(struct keyengine *ke, const char *uri, const char *shown,
		  const char *pin, pem_password_cb *cb, void *cbarg,
		  EVP_PKEY **out, struct evmpkg_err *err)
{
	return evmpkg_fail(err, EVMPKG_EUNSUPP, "key %s: no engine support", shown);
}

int keyengine_cert(struct keyengine *ke, const char *uri, const char *shown,
		   X509 **out, struct evmpkg_err *err)
{
	return evmpkg_fail(err, EVMPKG_EUNSUPP, "certificate %s: no engine support",
			   shown);
}
#endif
