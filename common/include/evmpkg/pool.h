/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one thread pool: runs fn(i, arg) for every i in [0, n) on worker
 * threads, either to completion (evmpkg_pool_run) or in the background
 * while the caller waits for single items as it needs them. A waiter whose
 * item no worker has taken yet runs it itself, so waiting never idles a
 * core on an item still queued.
 */
#ifndef EVMPKG_POOL_H
#define EVMPKG_POOL_H

#include <stddef.h>

#include "evmpkg/err.h"

typedef int (*evmpkg_pool_fn)(size_t i, void *arg);

/* Online CPUs, at least 1. */
int evmpkg_ncpus(void);

/*
 * Runs every item on up to nthreads threads (0: one per CPU; the caller's
 * thread is one of them) and returns how many calls returned non-zero.
 */
size_t evmpkg_pool_run(size_t n, int nthreads, evmpkg_pool_fn fn, void *arg);

struct evmpkg_pool;

/*
 * Starts nthreads background workers (0: one per CPU) over the items and
 * returns at once. Fails only when no thread or memory can be had; the
 * caller may then run the items itself with evmpkg_pool_run.
 */
int evmpkg_pool_start(struct evmpkg_pool **out, size_t n, int nthreads,
		      evmpkg_pool_fn fn, void *arg, struct evmpkg_err *err);
/* Returns when item i has run (running it here if nobody took it yet). */
void evmpkg_pool_wait_item(struct evmpkg_pool *p, size_t i);
/* Items not yet taken are dropped; running ones finish. */
void evmpkg_pool_cancel(struct evmpkg_pool *p);
/* Joins the workers (after every item, or after cancel), then frees p. */
void evmpkg_pool_finish(struct evmpkg_pool *p);

#endif
