// SPDX-License-Identifier: GPL-2.0-or-later
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "evmpkg/batch.h"
#include "evmpkg/sequencer.h"

struct run {
	struct evmpkg_vjob *jobs;
	size_t n;
	const struct evmpkg_trust *trust;
	atomic_size_t next, failed;
};

static void *worker(void *arg)
{
	struct run *r = arg;
	size_t i;

	while ((i = atomic_fetch_add(&r->next, 1)) < r->n) {
		struct evmpkg_vjob *j = &r->jobs[i];

		j->rc = evmpkg_seq_verify_entry(j->e, r->trust, j->content_algo,
						j->content_digest, j->content_len,
						&j->ima, &j->evm, &j->err);
		if (j->rc)
			atomic_fetch_add(&r->failed, 1);
	}
	return NULL;
}

size_t evmpkg_verify_batch(struct evmpkg_vjob *jobs, size_t n,
			   const struct evmpkg_trust *trust, int nthreads)
{
	struct run r = { .jobs = jobs, .n = n, .trust = trust };
	pthread_t t[64];
	int started = 0;

	atomic_init(&r.next, 0);
	atomic_init(&r.failed, 0);
	if (nthreads <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		nthreads = c > 0 ? (int)c : 1;
	}
	if (nthreads > 64)
		nthreads = 64;
	/* Small packages are not worth a thread. */
	if ((size_t)nthreads > n / 64 + 1)
		nthreads = (int)(n / 64 + 1);
	for (int k = 1; k < nthreads; k++) {
		if (pthread_create(&t[started], NULL, worker, &r))
			break;
		started++;
	}
	worker(&r);
	for (int k = 0; k < started; k++)
		pthread_join(t[k], NULL);
	return atomic_load(&r.failed);
}
