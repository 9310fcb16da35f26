// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>

#include "rpmdb.h"
#include "rpmdesc.h"
#include "rpmtag.h"

/* The package of header h: the engine on it, its installed files. */
static int inst_open(Header h, const char *root, const struct evmpkg_pkgopts *o,
		     struct evmpkg_instpkg *ip, struct evmpkg_err *err)
{
	rpmfiles files = rpmfilesNew(NULL, h, RPMTAG_BASENAMES, RPMFI_KEEPHEADER);
	size_t n = files ? (size_t)rpmfilesFC(files) : 0;
	int rc = -1;

	memset(ip, 0, sizeof(*ip));
	ip->db = "rpm";
	if (!(ip->name = headerGetAsString(h, RPMTAG_NEVRA)) ||
	    !(ip->f = calloc(n + 1, sizeof(*ip->f)))) {
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = evmpkg_rpm_pkg_open(h, files, ip->name, NULL, 0, o, &ip->pkg, err)))
		goto out;
	for (size_t fx = 0; fx < n; fx++) {
		struct evmpkg_fileresult r;
		char *fn;

		evmpkg_pkg_file(ip->pkg, fx, &r);
		/* Replaced, not installed, net-shared, wrong colour: not this package's. */
		if (!r.signed_ima || rpmfilesFState(files, (int)fx) != RPMFILE_STATE_NORMAL)
			continue;
		if (!(fn = rpmfilesFN(files, (int)fx)) ||
		    asprintf(&ip->f[ip->n].path, "%s%s", root, fn) < 0) {
			free(fn);
			rc = evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
			goto out;
		}
		free(fn);
		ip->f[ip->n++].fx = fx;
	}
	if (evmpkg_instpkg_stat(ip, root, o->nthreads))
		rc = evmpkg_fail(err, EVMPKG_ENOMEM, "%s: out of memory or root %s unreadable",
				 ip->name, root);
out:
	if (rc)
		evmpkg_instpkg_free(ip);
	rpmfilesFree(files);
	return rc;
}

/* Signed at all: a manifest, or rpm's own IMA signatures. */
static int has_signatures(Header h)
{
	return headerIsEntry(h, EVMPKG_RPMTAG_MANIFEST) ||
	       headerIsEntry(h, RPMTAG_FILESIGNATURES);
}

static int walk(rpmts ts, const char *root, const char *name, const struct evmpkg_pkgopts *o,
		evmpkg_inst_fn fn, void *arg, size_t *found, struct evmpkg_err *err)
{
	rpmdbMatchIterator mi = rpmtsInitIterator(ts, name ? RPMDBI_LABEL : RPMDBI_PACKAGES,
						  name, 0);
	Header h;
	int rc = 0;

	while (!rc && mi && (h = rpmdbNextIterator(mi))) {
		struct evmpkg_instpkg ip;

		++*found;
		if (!has_signatures(h))
			continue;
		if (inst_open(h, root, o, &ip, err))
			rc = -1;
		else
			rc = fn(&ip, arg);
		evmpkg_instpkg_free(&ip);
	}
	rpmdbFreeIterator(mi);
	return rc;
}

static int has_db(const char *prefix, const char *dir)
{
	static const char *const files[] = { "rpmdb.sqlite", "Packages", "Packages.db" };
	struct stat st;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = NULL;
		int r;

		if (asprintf(&p, "%s%s/%s", prefix, dir, files[i]) < 0)
			return 0;
		r = stat(p, &st) == 0;
		free(p);
		if (r)
			return 1;
	}
	return 0;
}

char *evmpkg_rpmdb_find(const char *root)
{
	const char *prefix = root && strcmp(root, "/") ? root : "";
	char *conf;
	static const char *const usual[] = { "/var/lib/rpm", "/usr/lib/sysimage/rpm" };

	if (rpmReadConfigFiles(NULL, NULL))
		return NULL;
	conf = rpmExpand("%{?_dbpath}", NULL);
	if (conf && *conf == '/' && has_db(prefix, conf))
		return conf;
	free(conf);
	for (size_t i = 0; i < sizeof(usual) / sizeof(usual[0]); i++)
		if (has_db(prefix, usual[i]))
			return strdup(usual[i]);
	return NULL;
}

int evmpkg_rpmdb_each(const char *root, const char *dbpath, char *const *names,
		      size_t nnames, unsigned char *seen, int lock,
		      const struct evmpkg_pkgopts *o, evmpkg_inst_fn fn, void *arg,
		      struct evmpkg_err *err)
{
	const char *prefix = root && strcmp(root, "/") ? root : "";
	rpmtxn txn = NULL;
	rpmts ts;
	int rc = 0;

	if (rpmReadConfigFiles(NULL, NULL))
		return evmpkg_fail(err, EVMPKG_EINVAL, "cannot read rpm's configuration");
	rpmPushMacro(NULL, "_dbpath", NULL, dbpath, RMIL_CMDLINE);
	if (!(ts = rpmtsCreate()))
		return evmpkg_fail(err, EVMPKG_ENOMEM, "out of memory");
	rpmtsSetRootDir(ts, *prefix ? prefix : "/");
	/* Reading only: no signature or digest checks of the stored headers. */
	rpmtsSetVSFlags(ts, rpmtsVSFlags(ts) | RPMVSF_MASK_NODIGESTS | RPMVSF_MASK_NOSIGNATURES);
	if (rpmtsOpenDB(ts, O_RDONLY)) {
		rc = evmpkg_fail(err, EVMPKG_EIO, "cannot open the rpm database %s%s",
				 prefix, dbpath);
		goto out;
	}
	/* Writing: rpm's transaction lock, which a running rpm holds. */
	if (lock && !(txn = rpmtxnBegin(ts, RPMTXN_WRITE))) {
		rc = evmpkg_fail(err, EVMPKG_EIO, "cannot take rpm's transaction lock for %s%s "
				 "(another rpm or dnf running?)", prefix, dbpath);
		goto out;
	}
	if (!nnames) {
		size_t found = 0;

		rc = walk(ts, prefix, NULL, o, fn, arg, &found, err);
	}
	for (size_t i = 0; !rc && i < nnames; i++) {
		size_t found = 0;

		rc = walk(ts, prefix, names[i], o, fn, arg, &found, err);
		seen[i] |= found > 0;
	}
out:
	rpmtxnEnd(txn);
	rpmtsFree(ts);
	return rc;
}
