// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which of OpenSSL's ways to PKCS#11 tokens this system has, and loading
 * through pkcs11-provider (OSSL_STORE). The process-wide parts are
 * OpenSSL's own: the provider and engine modules stay loaded once used,
 * and the PKCS#11 module they load is initialised once per process. That
 * is acceptable because nothing here changes them after loading and each
 * store owns its library context or engine object, so two stores (or a
 * program that uses OpenSSL itself) never see each other's settings.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>

#include "evmpkg/keystore.h"
#include "keyengine.h"

struct evmpkg_keystore {
	OSSL_LIB_CTX *libctx;		/* the provider's, or NULL */
	OSSL_PROVIDER *prov, *deflt;
	struct keyengine *engine;	/* else the engine */
};

int evmpkg_keystore_is_uri(const char *s)
{
	return s && !strncmp(s, "pkcs11:", 7);
}

void evmpkg_keystore_uri_shown(const char *uri, char *buf, size_t cap)
{
	size_t n = strcspn(uri, "?");

	snprintf(buf, cap, "%.*s", (int)n, uri);
}

/* pkcs11-provider in a library context of our own, with the default
 * provider beside it for everything the token does not do. */
static int open_provider(struct evmpkg_keystore *ks)
{
	if (!(ks->libctx = OSSL_LIB_CTX_new()))
		return 0;
	ks->prov = OSSL_PROVIDER_load(ks->libctx, "pkcs11");
	ks->deflt = ks->prov ? OSSL_PROVIDER_load(ks->libctx, "default") : NULL;
	if (ks->prov && ks->deflt)
		return 1;
	OSSL_PROVIDER_unload(ks->prov);
	OSSL_LIB_CTX_free(ks->libctx);
	ks->prov = NULL;
	ks->libctx = NULL;
	return 0;
}

int evmpkg_keystore_open(struct evmpkg_keystore **out, struct evmpkg_err *err)
{
	struct evmpkg_keystore *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	if (!open_provider(ks) && !(ks->engine = keyengine_open())) {
		free(ks);
		ERR_clear_error();
		return evmpkg_fail(err, EVMPKG_EUNSUPP,
				   "pkcs11: URIs need OpenSSL's pkcs11-provider (package "
				   "pkcs11-provider: Debian 13, Fedora) or its pkcs11 engine "
				   "(libengine-pkcs11-openssl: Debian 12); neither is installed");
	}
	ERR_clear_error();
	*out = ks;
	return EVMPKG_OK;
}

void evmpkg_keystore_free(struct evmpkg_keystore *ks)
{
	if (!ks)
		return;
	keyengine_free(ks->engine);
	OSSL_PROVIDER_unload(ks->deflt);
	OSSL_PROVIDER_unload(ks->prov);
	OSSL_LIB_CTX_free(ks->libctx);
	free(ks);
}

/* The PKCS#11 module the provider loads, for messages. */
static const char *provider_module(void)
{
	const char *m = getenv("PKCS11_PROVIDER_MODULE");

	return m && *m ? m : "p11-kit-proxy.so: PKCS11_PROVIDER_MODULE is not set";
}

const char *evmpkg_keystore_via(const struct evmpkg_keystore *ks)
{
	return ks->engine ? "pkcs11 engine" : "pkcs11-provider";
}

int evmpkg_keystore_cert_first(const struct evmpkg_keystore *ks)
{
	return !ks->engine;
}

/* The one object of type want uri names; a second one is an error, as
 * signing with whichever came first would be a guess. */
static int store_load(struct evmpkg_keystore *ks, const char *uri, int want,
		      UI_METHOD *ui, void *cbarg, OSSL_STORE_INFO **out)
{
	OSSL_STORE_CTX *sc = OSSL_STORE_open_ex(uri, ks->libctx, NULL, ui, cbarg,
						 NULL, NULL, NULL);
	int found = 0;

	*out = NULL;
	if (!sc)
		return 0;
	(void)OSSL_STORE_expect(sc, want);
	while (!OSSL_STORE_eof(sc)) {
		OSSL_STORE_INFO *info = OSSL_STORE_load(sc);

		if (!info) {
			if (OSSL_STORE_error(sc))
				break;
			continue;
		}
		if (OSSL_STORE_INFO_get_type(info) != want) {
			OSSL_STORE_INFO_free(info);
			continue;
		}
		if (found++) {
			OSSL_STORE_INFO_free(info);
			break;
		}
		*out = info;
	}
	OSSL_STORE_close(sc);
	if (found > 1) {
		OSSL_STORE_INFO_free(*out);
		*out = NULL;
		return -1;
	}
	return found;
}

int evmpkg_keystore_key(struct evmpkg_keystore *ks, const char *uri,
			const char *pin, pem_password_cb *cb, void *cbarg,
			EVP_PKEY **out, struct evmpkg_err *err)
{
	OSSL_STORE_INFO *info;
	UI_METHOD *ui;
	char shown[1024];
	int found;

	evmpkg_keystore_uri_shown(uri, shown, sizeof(shown));
	if (ks->engine)
		return keyengine_key(ks->engine, uri, shown, pin, cb, cbarg, out, err);
	/* The provider asks for the PIN through the store's UI. */
	if (!(ui = UI_UTIL_wrap_read_pem_callback(cb, 0)))
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	found = store_load(ks, uri, OSSL_STORE_INFO_PKEY, ui, cbarg, &info);
	UI_destroy_method(ui);
	ERR_clear_error();
	if (found < 0)
		return evmpkg_fail(err, EVMPKG_EINVAL, "key %s: names more than one "
				   "private key; add id= or object=", shown);
	if (!found)
		return evmpkg_fail(err, EVMPKG_EINVAL, "key %s: pkcs11-provider (module "
				   "%s) finds no private key there, or the PIN is wrong",
				   shown, provider_module());
	*out = OSSL_STORE_INFO_get1_PKEY(info);
	OSSL_STORE_INFO_free(info);
	return *out ? EVMPKG_OK : evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
}

int evmpkg_keystore_cert(struct evmpkg_keystore *ks, const char *uri,
			 X509 **out, struct evmpkg_err *err)
{
	OSSL_STORE_INFO *info;
	char shown[1024];
	int found;

	evmpkg_keystore_uri_shown(uri, shown, sizeof(shown));
	if (ks->engine)
		return keyengine_cert(ks->engine, uri, shown, out, err);
	found = store_load(ks, uri, OSSL_STORE_INFO_CERT, NULL, NULL, &info);
	ERR_clear_error();
	if (found < 0)
		return evmpkg_fail(err, EVMPKG_EINVAL, "certificate %s: names more than "
				   "one certificate; add id= or object=", shown);
	if (!found)
		return evmpkg_fail(err, EVMPKG_EINVAL, "certificate %s: pkcs11-provider "
				   "(module %s) finds no certificate there", shown,
				   provider_module());
	*out = OSSL_STORE_INFO_get1_CERT(info);
	OSSL_STORE_INFO_free(info);
	return *out ? EVMPKG_OK : evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
}
