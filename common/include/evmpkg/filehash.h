/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The content digest IMA computes: the hash of the file's bytes. */
#ifndef EVMPKG_FILEHASH_H
#define EVMPKG_FILEHASH_H

#include <stddef.h>
#include <stdint.h>

#include "evmpkg/err.h"

/*
 * Hashes the whole content of fd with algo (kernel id) from offset 0 using
 * pread; an fd opened write-only is reopened read-only through /proc.
 */
int evmpkg_file_digest(int fd, int algo, uint8_t *out, size_t *outlen,
		       struct evmpkg_err *err);
/*
 * evmpkg_file_digest of a regular file whose fstat gave size: a short read
 * that ends there is the end, without one more read to see it.
 */
int evmpkg_file_digest_sized(int fd, int algo, int64_t size, uint8_t *out,
			     size_t *outlen, struct evmpkg_err *err);
/* Hashes a memory buffer. */
int evmpkg_digest(int algo, const void *p, size_t n, uint8_t *out,
		  size_t *outlen, struct evmpkg_err *err);

#endif
