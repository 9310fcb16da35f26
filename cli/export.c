// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evmpkg export: for image builds that cannot write security.* xattrs
 * (no CAP_SYS_ADMIN, a user namespace), the signatures of a root's
 * installed packages as image tools take them: a pax tar of the whole
 * root with SCHILY.xattr records (exporttar.c), and a debugfs command
 * file that gives an ext4 image made by `mke2fs -d ROOT` the signed owner,
 * mode and xattrs. Each signed file is verified first as `evmpkg verify`
 * does: one whose content is not what was signed is exported without
 * signatures, and reported.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evmpkg/atomicfile.h"
#include "export.h"
#include "installed.h"

const char *const export_xattr_names[XV_N] = {
	"security.selinux", "security.capability", "security.ima", "security.evm",
};

struct xstate {
	struct cli_inst in;
	struct export_set set;
	size_t npkgs, nbad;
	int checked_trust;
};

static void usage(FILE *f)
{
	fputs("usage: evmpkg export [--root DIR] [--dbpath DIR] [--cert CERT]...\n"
	      "                     [--sign-config] [-j N] [-v]\n"
	      "                     [--tar FILE|-] [--debugfs FILE] --all | PKG...\n"
	      "For image builds that cannot write security.* xattrs: verifies every\n"
	      "signed file of the installed packages (all, or those named) of DIR\n"
	      "(default /) as `evmpkg verify` does, then writes\n"
	      "  --tar FILE      a pax tar of the whole of DIR, the signed files with\n"
	      "                  their signed owner, group and mode and security.selinux,\n"
	      "                  security.capability, security.ima and security.evm as\n"
	      "                  SCHILY.xattr records (for tar2sqfs, mke2fs -d from\n"
	      "                  e2fsprogs 1.47.1, tar --xattrs); - is standard output\n"
	      "  --debugfs FILE  debugfs commands (set_inode_field, ea_set) that give an\n"
	      "                  ext4 image made by `mke2fs -d DIR` the same values:\n"
	      "                  debugfs -w -f FILE IMAGE\n"
	      "Other files are archived as DIR has them (owners by number). A file whose\n"
	      "content is not what was signed, or whose package's signature does not\n"
	      "verify with the certificates, is exported without signatures and\n"
	      "reported. Certificates: --cert, else /etc/keys under DIR, else this\n"
	      "system's; one is needed. Exit status 0 when every signed file was\n"
	      "exported with its signatures, 1 when something was reported.\n", f);
}

/* Problems that make a file's signatures wrong for what the tree holds. */
#define BLOCKING (EVMPKG_VP_CONTENT | EVMPKG_VP_MISSING | EVMPKG_VP_TYPE | \
		  EVMPKG_VP_UNREADABLE | EVMPKG_VP_PACKAGE)

static int dup_val(struct export_rec *r, int i, const uint8_t *v, size_t len)
{
	if (!v || !len)
		return 0;
	if (!(r->val[i] = malloc(len)))
		return -1;
	memcpy(r->val[i], v, len);
	r->len[i] = len;
	return 0;
}

static int add_rec(struct xstate *s, const struct evmpkg_instfile *f,
		   const struct evmpkg_fileresult *fr, size_t rootlen)
{
	const struct evmpkg_mentry *e = fr->e;
	struct export_rec *r;

	if (s->set.n == s->set.cap) {
		size_t cap = s->set.cap ? 2 * s->set.cap : 256;
		struct export_rec *nr = realloc(s->set.r, cap * sizeof(*nr));

		if (!nr)
			return -1;
		s->set.r = nr;
		s->set.cap = cap;
	}
	r = &s->set.r[s->set.n];
	memset(r, 0, sizeof(*r));
	if (!(r->path = strdup(f->path + rootlen)))
		return -1;
	s->set.n++;
	r->dev = f->dev;
	r->ino = f->ino;
	if (!e)	/* IMA only: the tree keeps its owner and mode */
		return dup_val(r, XV_IMA, fr->c->ima, fr->c->ima_len);
	r->meta = 1;
	r->uid = e->uid;
	r->gid = e->gid;
	r->mode = e->mode;
	return dup_val(r, XV_SELINUX, e->label, e->label_len) ||
	       dup_val(r, XV_CAPS, e->caps, e->caps_len) ||
	       dup_val(r, XV_IMA, e->ima, e->ima_len) ||
	       dup_val(r, XV_EVM, e->evm, e->evm_len) ? -1 : 0;
}

static int one_pkg(struct evmpkg_instpkg *ip, void *arg)
{
	struct xstate *s = arg;
	struct evmpkg_verifyjob *jobs;
	size_t rootlen = s->in.root && strcmp(s->in.root, "/") ? strlen(s->in.root) : 0;
	size_t before = s->set.n;
	int rc = 0;

	if (!s->checked_trust++ && !evmpkg_trust_count(s->in.trust)) {
		cli_err("export: no trusted certificate (--cert, or /etc/keys under the "
			"root): the files' content cannot be checked against their signatures");
		return -1;
	}
	if (cli_inst_unusable(ip)) {
		s->nbad++;
		return 0;
	}
	if (!(jobs = cli_inst_verify(ip, &s->nbad)))
		return -1;
	for (size_t i = 0; i < ip->n; i++) {
		struct evmpkg_fileresult fr;

		if (!rc && !jobs[i].skipped && (jobs[i].problems & BLOCKING)) {
			cli_err("%s; exported without its signatures", jobs[i].msg ?
				jobs[i].msg : "out of memory");
			s->nbad++;
		} else if (!rc && !jobs[i].skipped) {
			evmpkg_pkg_file(ip->pkg, jobs[i].fx, &fr);
			if (fr.c && add_rec(s, &ip->f[i], &fr, rootlen)) {
				cli_err("out of memory");
				rc = -1;
			}
		}
	}
	cli_inst_jobs_free(jobs, ip->n);
	s->npkgs++;
	if (s->in.verbose)
		printf("%s: %zu of %zu signed files exported with their signatures\n",
		       ip->name, s->set.n - before, ip->n);
	return rc;
}

/* debugfs's parser: one line, a double quote doubled inside quotes. */
static int put_quoted(FILE *f, const char *path)
{
	if (strchr(path, '\n'))
		return -1;
	fputc('"', f);
	for (const char *p = path; *p; p++)
		fputs(*p == '"' ? "\"\"" : (char[]){ *p, 0 }, f);
	fputc('"', f);
	return 0;
}

/* Written the way debugfs's ea_set reads it: every byte as \ooo. */
static void put_value(FILE *f, const uint8_t *v, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "\\%03o", v[i]);
	fputc('"', f);
}

static int write_debugfs(const struct xstate *s, const char *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct evmpkg_err err = { 0 };
	int rc = 0;

	if (!f) {
		cli_err("out of memory");
		return -1;
	}
	fputs("# evmpkg export: run after `mke2fs -d ROOT` as: debugfs -w -f THIS IMAGE\n", f);
	for (size_t i = 0; i < s->set.n; i++) {
		const struct export_rec *r = &s->set.r[i];
		static const char *const fields[] = { "uid", "gid", "mode" };
		uint32_t v[] = { r->uid, r->gid, r->mode };

		if (strchr(r->path, '\n')) {
			cli_err("export: %s: a newline in the name, which a debugfs script "
				"cannot name; left out of %s", r->path, out);
			rc = 1;
			continue;
		}
		/* Owner and mode first: the EVM signature covers them. */
		for (int k = 0; r->meta && k < 3; k++) {
			fputs("set_inode_field ", f);
			put_quoted(f, r->path);
			fprintf(f, k == 2 ? " %s 0%o\n" : " %s %u\n", fields[k], v[k]);
		}
		for (int k = 0; k < XV_N; k++) {
			if (!r->val[k])
				continue;
			fputs("ea_set ", f);
			put_quoted(f, r->path);
			fprintf(f, " %s ", export_xattr_names[k]);
			put_value(f, r->val[k], r->len[k]);
			fputc('\n', f);
		}
	}
	if (fclose(f) || !buf) {
		free(buf);
		cli_err("out of memory");
		return -1;
	}
	if (evmpkg_atomic_write(out, buf, len, 0644, &err)) {
		cli_err("export: %s", err.msg);
		rc = -1;
	}
	free(buf);
	return rc;
}

static void set_free(struct export_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->r[i].path);
		for (int k = 0; k < XV_N; k++)
			free(s->r[i].val[k]);
	}
	free(s->r);
	free(s->byino);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct export_rec *)a)->path, ((const struct export_rec *)b)->path);
}

static int by_ino(const void *a, const void *b)
{
	const struct export_rec *x = *(struct export_rec *const *)a;
	const struct export_rec *y = *(struct export_rec *const *)b;

	return x->dev != y->dev ? (x->dev < y->dev ? -1 : 1) :
	       x->ino != y->ino ? (x->ino < y->ino ? -1 : 1) : 0;
}

int export_set_index(struct export_set *s)
{
	if (s->n)
		qsort(s->r, s->n, sizeof(*s->r), by_path);
	if (!(s->byino = calloc(s->n + 1, sizeof(*s->byino))))
		return -1;
	for (size_t i = 0; i < s->n; i++)
		s->byino[i] = &s->r[i];
	if (s->n)
		qsort(s->byino, s->n, sizeof(*s->byino), by_ino);
	return 0;
}

const struct export_rec *export_set_find(const struct export_set *s, const char *path,
					 dev_t dev, ino_t ino, int nlink)
{
	struct export_rec key = { .path = (char *)path, .dev = dev, .ino = ino }, *kp = &key;
	struct export_rec *r = s->n ? bsearch(&key, s->r, s->n, sizeof(*s->r), by_path) : NULL;
	struct export_rec **q;

	if (r || nlink < 2 || !s->n)
		return r;
	/* Another name of a signed inode: the values are the inode's. */
	q = bsearch(&kp, s->byino, s->n, sizeof(*s->byino), by_ino);
	return q ? *q : NULL;
}

struct xopts {
	const char *tar, *dbg;
};

static int own_opt(int c, const char *arg, void *ctx)
{
	struct xopts *x = ctx;

	if (c == 'T')
		x->tar = arg;
	else if (c == 'D')
		x->dbg = arg;
	return c == 'T' || c == 'D';
}

int cmd_export(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "tar", required_argument, NULL, 'T' },
		{ "debugfs", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct xopts x = { NULL, NULL };
	const struct cli_inst_verb v = { "export", lo, own_opt, &x, usage, 1 };
	const char *tar, *dbg;
	struct xstate s;
	int rc, wrc = 0;

	memset(&s, 0, sizeof(s));
	if ((rc = cli_inst_args(&s.in, argc, argv, &v)) >= 0) {
		cli_inst_free(&s.in);
		return rc;
	}
	tar = x.tar;
	dbg = x.dbg;
	if (!tar && !dbg) {
		cli_err("export: give --tar, --debugfs or both");
		goto usage;
	}
	if (tar && !strcmp(tar, "-") && isatty(STDOUT_FILENO)) {
		cli_err("export: --tar -: standard output is a terminal; redirect it");
		goto usage;
	}
	if (tar && !strcmp(tar, "-") && s.in.verbose) {
		cli_err("export: -v writes to standard output, where the tar goes");
		goto usage;
	}
	rc = cli_inst_each(&s.in, one_pkg, &s);
	if (!rc && export_set_index(&s.set)) {
		cli_err("out of memory");
		rc = -1;
	}
	if (!rc && dbg)
		wrc = write_debugfs(&s, dbg);
	if (!rc && wrc >= 0 && tar) {
		int t = export_tar(s.in.root ? s.in.root : "/", &s.set, tar);

		wrc = t < 0 ? t : wrc | t;
	}
	fprintf(tar && !strcmp(tar, "-") ? stderr : stdout,
		"evmpkg: export: %zu signed packages, %zu files exported with their "
		"signatures, %zu problems\n", s.npkgs, s.set.n, s.nbad);
	set_free(&s.set);
	cli_inst_free(&s.in);
	return rc || wrc < 0 ? 2 : s.nbad || wrc ? 1 : 0;
usage:
	usage(stderr);
	set_free(&s.set);
	cli_inst_free(&s.in);
	return 2;
}
