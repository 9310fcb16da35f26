// SPDX-License-Identifier: GPL-2.0-or-later
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "evmpkg/pool.h"

#define POOL_MAX_THREADS 64

enum { ITEM_FREE, ITEM_TAKEN, ITEM_DONE };

struct evmpkg_pool {
	size_t n;
	evmpkg_pool_fn fn;
	void *arg;
	atomic_size_t next;		/* workers scan from here */
	atomic_size_t failed;
	atomic_int cancelled;
	_Atomic unsigned char *state;	/* per item: ITEM_* */
	pthread_mutex_t mu;
	pthread_cond_t done;		/* an item became ITEM_DONE */
	int nthreads;
	pthread_t t[POOL_MAX_THREADS];
};

int evmpkg_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

static int clamp_threads(int nthreads, size_t n)
{
	if (nthreads <= 0)
		nthreads = evmpkg_ncpus();
	if (nthreads > POOL_MAX_THREADS)
		nthreads = POOL_MAX_THREADS;
	if ((size_t)nthreads > n)
		nthreads = n ? (int)n : 1;
	return nthreads;
}

/* Claims item i for the calling thread; 0 if someone else has it. */
static int take(struct evmpkg_pool *p, size_t i)
{
	unsigned char want = ITEM_FREE;

	return atomic_compare_exchange_strong(&p->state[i], &want, ITEM_TAKEN);
}

static void run_item(struct evmpkg_pool *p, size_t i)
{
	if (p->fn(i, p->arg))
		atomic_fetch_add(&p->failed, 1);
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->state[i], ITEM_DONE);
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->mu);
}

static void *worker(void *arg)
{
	struct evmpkg_pool *p = arg;
	size_t i;

	while (!atomic_load(&p->cancelled) &&
	       (i = atomic_fetch_add(&p->next, 1)) < p->n)
		if (take(p, i))
			run_item(p, i);
	return NULL;
}

static struct evmpkg_pool *pool_new(size_t n, evmpkg_pool_fn fn, void *arg)
{
	struct evmpkg_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->state = calloc(n ? n : 1, sizeof(*p->state));
	if (!p->state) {
		free(p);
		return NULL;
	}
	p->n = n;
	p->fn = fn;
	p->arg = arg;
	atomic_init(&p->next, 0);
	atomic_init(&p->failed, 0);
	atomic_init(&p->cancelled, 0);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->done, NULL);
	return p;
}

static void pool_free(struct evmpkg_pool *p)
{
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->done);
	free((void *)p->state);
	free(p);
}

int evmpkg_pool_start(struct evmpkg_pool **out, size_t n, int nthreads,
		      evmpkg_pool_fn fn, void *arg, struct evmpkg_err *err)
{
	struct evmpkg_pool *p = pool_new(n, fn, arg);

	*out = NULL;
	if (!p)
		return evmpkg_fail(err, EVMPKG_ENOMEM, "thread pool");
	nthreads = clamp_threads(nthreads, n);
	for (int k = 0; k < nthreads; k++) {
		if (pthread_create(&p->t[p->nthreads], NULL, worker, p))
			break;
		p->nthreads++;
	}
	if (!p->nthreads) {
		pool_free(p);
		return evmpkg_fail(err, EVMPKG_ENOMEM, "no thread could be started");
	}
	*out = p;
	return EVMPKG_OK;
}

void evmpkg_pool_wait_item(struct evmpkg_pool *p, size_t i)
{
	if (i >= p->n)
		return;
	if (take(p, i)) {
		run_item(p, i);
		return;
	}
	pthread_mutex_lock(&p->mu);
	while (atomic_load(&p->state[i]) != ITEM_DONE)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void evmpkg_pool_cancel(struct evmpkg_pool *p)
{
	atomic_store(&p->cancelled, 1);
}

void evmpkg_pool_finish(struct evmpkg_pool *p)
{
	if (!p)
		return;
	for (int k = 0; k < p->nthreads; k++)
		pthread_join(p->t[k], NULL);
	pool_free(p);
}

size_t evmpkg_pool_run(size_t n, int nthreads, evmpkg_pool_fn fn, void *arg)
{
	struct evmpkg_pool *p = pool_new(n, fn, arg);
	size_t failed = 0;

	if (!p) {
		/* No memory for the pool: run here, one after the other. */
		for (size_t i = 0; i < n; i++)
			failed += fn(i, arg) != 0;
		return failed;
	}
	nthreads = clamp_threads(nthreads, n);
	for (int k = 1; k < nthreads; k++) {
		if (pthread_create(&p->t[p->nthreads], NULL, worker, p))
			break;
		p->nthreads++;
	}
	worker(p);
	for (int k = 0; k < p->nthreads; k++)
		pthread_join(p->t[k], NULL);
	failed = atomic_load(&p->failed);
	pool_free(p);
	return failed;
}
