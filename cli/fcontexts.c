// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <selinux/label.h>
#include <selinux/selinux.h>

#include "fcontexts.h"

struct fcontexts {
	struct selabel_handle *h;
	pthread_mutex_t mu;	/* selabel handles are not documented thread-safe */
};

struct fcontexts *fcontexts_open(const char *path)
{
	struct selinux_opt opts[] = { { SELABEL_OPT_PATH, path } };
	struct fcontexts *fc = calloc(1, sizeof(*fc));

	if (!fc)
		return NULL;
	fc->h = selabel_open(SELABEL_CTX_FILE, opts, 1);
	if (!fc->h) {
		free(fc);
		return NULL;
	}
	pthread_mutex_init(&fc->mu, NULL);
	return fc;
}

void fcontexts_close(struct fcontexts *fc)
{
	if (!fc)
		return;
	selabel_close(fc->h);
	pthread_mutex_destroy(&fc->mu);
	free(fc);
}

uint8_t *fcontexts_lookup(struct fcontexts *fc, const char *path, mode_t mode,
			  size_t *len)
{
	char *con = NULL;
	uint8_t *out = NULL;
	int rc;

	*len = 0;
	pthread_mutex_lock(&fc->mu);
	/* Raw: the on-disk form, not translated by mcstrans. */
	rc = selabel_lookup_raw(fc->h, &con, path, (int)mode);
	pthread_mutex_unlock(&fc->mu);
	if (rc || !con)
		return NULL;	/* ENOENT or <<none>>: no label */
	*len = strlen(con) + 1;
	out = (uint8_t *)strdup(con);
	freecon(con);
	if (!out)
		*len = 0;
	return out;
}
