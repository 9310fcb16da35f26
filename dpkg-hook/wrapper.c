// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evmpkg-dpkg: apt's Dir::Bin::dpkg. apt unpacks many packages in one
 * `dpkg --unpack` run, and a later package's preinst (or an old postrm) may
 * execute a file of an earlier one before post-invoke has signed it. This
 * splits that unpack into runs with the same options, a new run before each
 * package whose unpack runs a script, so each run's post-invoke applies its
 * packages before the next package's scripts. Every other dpkg call is
 * exec'd unchanged.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debpkg.h"
#include "hook.h"

/* dpkg's options whose value may be the next argument (dpkg(1)). */
static int takes_value(const char *a)
{
	static const char *const opts[] = {
		"--admindir", "--instdir", "--root", "--path-exclude", "--path-include",
		"--status-fd", "--status-logger", "--log", "--abort-after", "--debug",
		"-D", "--ignore-depends", "--pre-invoke", "--post-invoke",
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strcmp(a, opts[i]))
			return 1;
	return 0;
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .debs of apt's --recursive directory, in dpkg's (sorted) order; -1 if
 * it holds anything else, so the call is left to dpkg as it is. */
static int list_dir(const char *dir, char ***out, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	int cnt = 0, bad = !d;

	while (!bad && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char **nv, *p;

		if (e->d_name[0] == '.')
			continue;
		if (len < 5 || strcmp(e->d_name + len - 4, ".deb") ||
		    asprintf(&p, "%s/%s", dir, e->d_name) < 0) {
			bad = 1;
			break;
		}
		if (!is_file(p) || !(nv = realloc(v, (size_t)(cnt + 1) * sizeof(*v)))) {
			free(p);
			bad = 1;
			break;
		}
		v = nv;
		v[cnt++] = p;
	}
	if (d)
		closedir(d);
	if (bad || !cnt) {
		while (cnt)
			free(v[--cnt]);
		free(v);
		return -1;
	}
	qsort(v, (size_t)cnt, sizeof(*v), by_name);
	*out = v;
	*n = cnt;
	return 0;
}

/*
 * apt's unpack call: [OPTION...] --unpack [OPTION...] followed by either
 * absolute .deb paths or `--recursive DIR`. Sets *nprefix (the options kept
 * for each run) and the packages; 0 when it is such a call with more than
 * one package.
 */
static int split_call(int argc, char **argv, int *nprefix, char ***debs, int *ndebs,
		      int *owned)
{
	int unpack = -1, first = argc;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--unpack"))
			unpack = i;
	if (unpack < 0)
		return -1;
	*owned = 0;
	if (argc - unpack >= 3 && (!strcmp(argv[argc - 2], "--recursive") ||
				   !strcmp(argv[argc - 2], "-R"))) {
		*nprefix = argc - 2;
		*owned = 1;
		return list_dir(argv[argc - 1], debs, ndebs) || *ndebs < 2 ? -1 : 0;
	}
	while (first - 1 > unpack && argv[first - 1][0] == '/' && is_file(argv[first - 1]))
		first--;
	/* A value of an option that looks like a path is not a package. */
	if (argc - first < 2 || takes_value(argv[first - 1]))
		return -1;
	*nprefix = first;
	*debs = argv + first;
	*ndebs = argc - first;
	return 0;
}

/* Where dpkg keeps its database for this call: later options win. */
const char *hook_admindir(char **argv, int n, char **own)
{
	const char *admin = getenv("DPKG_ADMINDIR"), *v;

	*own = NULL;
	for (int i = 0; i < n; i++) {
		int root = !strncmp(argv[i], "--root", 6);

		if (!root && strncmp(argv[i], "--admindir", 10))
			continue;
		v = strchr(argv[i], '=') ? strchr(argv[i], '=') + 1 : i + 1 < n ? argv[++i] : "";
		free(*own);
		*own = NULL;
		if (root && asprintf(own, "%s/var/lib/dpkg", v) < 0)
			*own = NULL;
		admin = root ? *own : v;
	}
	return admin && *admin ? admin : "/var/lib/dpkg";
}

static int has_info(const char *admin, const char *pkg, const char *arch, const char *what)
{
	char *p;
	int found = 0;

	/* dpkg names the files PKG.what, or PKG:ARCH.what for Multi-Arch: same. */
	for (int q = 0; q < 2 && !found; q++) {
		if ((q ? asprintf(&p, "%s/info/%s:%s.%s", admin, pkg, arch, what) :
			 asprintf(&p, "%s/info/%s.%s", admin, pkg, what)) < 0)
			return 1;
		found = access(p, F_OK) == 0;
		free(p);
	}
	return found;
}

/* A package being unpacked runs scripts: its new preinst, and when an older
 * version is installed, that one's prerm and postrm. The name is
 * "name:arch" for post-invoke, NULL when the package cannot be read (dpkg
 * reports it; its run then has post-invoke look at every package). */
static int runs_scripts(const char *deb, const char *admin, char **name)
{
	struct evmpkg_debpkg *p = NULL;
	struct evmpkg_err err = { 0 };
	const uint8_t *data;
	size_t len;
	int scripts = 1;

	*name = NULL;
	if (!evmpkg_deb_open_control(deb, &p, &err)) {
		const char *pkg = evmpkg_deb_package(p), *arch = evmpkg_deb_arch(p);

		if (asprintf(name, "%s:%s", pkg, arch) < 0)
			*name = NULL;
		scripts = !evmpkg_deb_control_member(p, "preinst", &data, &len) ||
			  has_info(admin, pkg, arch, "prerm") || has_info(admin, pkg, arch, "postrm");
	}
	evmpkg_deb_close(p);
	return scripts;
}

/* dpkg PREFIX... DEB..., with the packages named for post-invoke. */
static int run_group(const char *dpkg, char **argv, int nprefix, char **debs, int n,
		     const char *only, int later)
{
	char **av = calloc((size_t)(nprefix + n + 1), sizeof(*av));
	struct sigaction ign = { .sa_handler = SIG_IGN }, oint, oquit;
	int st = 0, rc = 2;
	pid_t pid;

	if (!av)
		return 2;
	memcpy(av, argv, (size_t)nprefix * sizeof(*av));
	av[0] = (char *)dpkg;
	memcpy(av + nprefix, debs, (size_t)n * sizeof(*av));
	/* As system(): ^C is for dpkg, which reports and stops. */
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		if (only)
			setenv(HOOK_ONLY_ENV, only, 1);
		else
			unsetenv(HOOK_ONLY_ENV);
		if (later)	/* the kernel's state was told in the first run */
			setenv(HOOK_LATER_ENV, "1", 1);
		execv(dpkg, av);
		fprintf(stderr, PFX "cannot run %s: %s\n", dpkg, strerror(errno));
		_exit(2);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	if (pid > 0)
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 2;
	free(av);
	return rc;
}

/* Appends name to the space-separated list *only; an unknown name (NULL)
 * makes the whole list unknown. */
static void add_name(char **only, int *unknown, const char *name)
{
	char *l;

	if (*unknown || !name || asprintf(&l, "%s%s%s", *only ? *only : "", *only ? " " : "",
					  name) < 0) {
		*unknown = 1;
		return;
	}
	free(*only);
	*only = l;
}

int hook_run_dpkg(char **argv, int nprefix, char **args, int n)
{
	return run_group(hook_dpkg_path(), argv, nprefix, args, n, NULL, 0);
}

const char *hook_dpkg_path(void)
{
	const char *dpkg = getenv(HOOK_DPKG_ENV);

	return dpkg && *dpkg ? dpkg : HOOK_DPKG;
}

int hook_unpack_each(char **argv, int nprefix, char **debs, int ndebs)
{
	char *own, *only = NULL, *name = NULL;
	const char *admin = hook_admindir(argv + 1, nprefix - 1, &own);
	int rc = 0, first = 0, unknown = 0;

	/*
	 * A package whose unpack runs no script starts no run of its own: it
	 * joins the run before it, as nothing executes between the two. dpkg
	 * goes on past a failed package; here a failure stops, so no later
	 * script meets files whose signatures were refused.
	 */
	for (int i = 0; i <= ndebs && !rc; i++) {
		int scripts = i < ndebs ? runs_scripts(debs[i], admin, &name) : 1;

		if (i > first && scripts) {
			rc = run_group(hook_dpkg_path(), argv, nprefix, debs + first, i - first,
				       unknown ? NULL : only, first > 0);
			free(only);
			only = NULL;
			unknown = 0;
			first = i;
		}
		if (i < ndebs)
			add_name(&only, &unknown, name);
		free(name);
		name = NULL;
	}
	free(only);
	free(own);
	return rc;
}

/*
 * split-unpack = auto: the window matters only where IMA appraisal may
 * refuse a file. Not split when the kernel has no IMA, or its policy can
 * be read and has no appraise rule; split when that cannot be told.
 */
static int appraisal_may_refuse(void)
{
	const char *sfs = getenv(HOOK_SECURITYFS_ENV);
	struct evmpkg_kstate ks;
	struct evmpkg_err err = { 0 };

	if (evmpkg_kstate_probe(sfs && *sfs ? sfs : NULL, &ks, &err) ||
	    ks.mode == EVMPKG_MODE_NO_SECURITYFS)
		return 1;
	return ks.ima_present && !(ks.ima_policy_readable && !ks.ima_appraise_rules);
}

int hook_dpkg_wrapper(int argc, char **argv)
{
	const char *dpkg = hook_dpkg_path();
	struct evmpkg_dpkgconf conf = { 0 };
	char **debs = NULL, msg[512];
	int nprefix, ndebs = 0, owned = 0, rc;

	if (split_call(argc, argv, &nprefix, &debs, &ndebs, &owned) ||
	    evmpkg_dpkgconf_read(evmpkg_dpkgconf_path(), &conf, msg, sizeof(msg)) ||
	    conf.policy == EVMPKG_POLICY_OFF || !conf.split_unpack ||
	    (conf.split_unpack == EVMPKG_SPLIT_AUTO && !appraisal_may_refuse())) {
		/* Not ours to split, or a configuration post-invoke reports. */
		evmpkg_dpkgconf_free(&conf);
		argv[0] = (char *)dpkg;
		execv(dpkg, argv);
		fprintf(stderr, PFX "cannot run %s: %s\n", dpkg, strerror(errno));
		return 2;
	}
	evmpkg_dpkgconf_free(&conf);
	rc = hook_unpack_each(argv, nprefix, debs, ndebs);
	for (int i = 0; owned && i < ndebs; i++)
		free(debs[i]);
	if (owned)
		free(debs);
	return rc;
}
