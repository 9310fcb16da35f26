/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evmpkg export: the verified signatures of a root's installed packages,
 * as the values each signed file must carry in an image (export.c), and
 * the pax tar of the whole root that carries them (exporttar.c).
 */
#ifndef EVMPKG_CLI_EXPORT_H
#define EVMPKG_CLI_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The protected xattrs an export writes, in the kernel's write order. */
enum { XV_SELINUX, XV_CAPS, XV_IMA, XV_EVM, XV_N };
extern const char *const export_xattr_names[XV_N];

/* One signed file whose content verified: what the image must give it. */
struct export_rec {
	char *path;		/* in the root, from "/" */
	dev_t dev;		/* the file's, to find its other hard links */
	ino_t ino;
	int meta;		/* EVM signed: owner and mode below are set */
	uint32_t uid, gid, mode;
	uint8_t *val[XV_N];	/* NULL: not set */
	size_t len[XV_N];
};

struct export_set {
	struct export_rec *r;
	size_t n, cap;
	struct export_rec **byino;	/* r sorted by (dev, ino) */
};

/* Sorts r by path and builds byino; call once, after the last add. */
int export_set_index(struct export_set *s);
/* The record of path (from "/"), else of the inode; NULL: unsigned. */
const struct export_rec *export_set_find(const struct export_set *s, const char *path,
					 dev_t dev, ino_t ino, int nlink);

/*
 * Writes a pax tar of everything under root to out ("-": standard
 * output), each signed file with its record's owner, mode and xattrs in
 * place of the tree's security.* ones. Returns 0, 1 when entries were
 * left out or reported (said on stderr), -1 on an error (said).
 */
int export_tar(const char *root, const struct export_set *s, const char *out);

#endif
