/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The differences between libdpkg releases met here, in one place
 * (libdpkg's API is volatile: doc/README.api). EVMPKG_LIBDPKG_VERNUM is
 * MMmmpp of `pkg-config --modversion libdpkg` (dpkg-hook/hook.mk).
 */
#ifndef EVMPKG_DPKGCOMPAT_H
#define EVMPKG_DPKGCOMPAT_H

#include <dpkg/dpkg-db.h>

#ifndef EVMPKG_LIBDPKG_VERNUM
#error "EVMPKG_LIBDPKG_VERNUM is not set (dpkg-hook/hook.mk)"
#endif

/* dpkg 1.22 folded struct conffile's bools into a flags field. */
#if EVMPKG_LIBDPKG_VERNUM >= 12200
#define conffile_is_obsolete(c) (((c)->flags & CONFFILE_OBSOLETE) != 0)
#else
#define conffile_is_obsolete(c) ((c)->obsolete)
#endif

#endif
