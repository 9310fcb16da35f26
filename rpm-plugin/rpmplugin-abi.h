/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rpm transaction plugin hook table. rpm 4.18 and 4.19 do not install
 * rpmplugin.h; its layout has been stable since 4.12, and 4.18 added the fd
 * argument of fsm_file_prepare without a soname change, so the plugin
 * checks RPMVERSION at init. From rpm 4.20 the public header is used.
 */
#ifndef EVMPKG_RPMPLUGIN_ABI_H
#define EVMPKG_RPMPLUGIN_ABI_H

#if defined(__has_include) && __has_include(<rpm/rpmplugin.h>)
#include <rpm/rpmplugin.h>
#define EVMPKG_SYSTEM_RPMPLUGIN_H 1
#else
#include <stdint.h>
#include <sys/types.h>

#include <rpm/rpmfi.h>
#include <rpm/rpmte.h>
#include <rpm/rpmtypes.h>

typedef struct rpmPlugin_s *rpmPlugin;
typedef rpmFlags rpmFsmOp;

#define XFO_ACTION(_a) ((_a) & 0x0000ffff)
#define FAF_UNOWNED (1U << 31)

struct rpmPluginHooks_s {
	rpmRC (*init)(rpmPlugin plugin, rpmts ts);
	void (*cleanup)(rpmPlugin plugin);
	rpmRC (*tsm_pre)(rpmPlugin plugin, rpmts ts);
	rpmRC (*tsm_post)(rpmPlugin plugin, rpmts ts, int res);
	rpmRC (*psm_pre)(rpmPlugin plugin, rpmte te);
	rpmRC (*psm_post)(rpmPlugin plugin, rpmte te, int res);
	rpmRC (*scriptlet_pre)(rpmPlugin plugin, const char *s_name, int type);
	rpmRC (*scriptlet_fork_post)(rpmPlugin plugin, const char *path, int type);
	rpmRC (*scriptlet_post)(rpmPlugin plugin, const char *s_name, int type,
				int res);
	rpmRC (*fsm_file_pre)(rpmPlugin plugin, rpmfi fi, const char *path,
			      mode_t file_mode, rpmFsmOp op);
	rpmRC (*fsm_file_post)(rpmPlugin plugin, rpmfi fi, const char *path,
			       mode_t file_mode, rpmFsmOp op, int res);
	rpmRC (*fsm_file_prepare)(rpmPlugin plugin, rpmfi fi, int fd,
				  const char *path, const char *dest,
				  mode_t file_mode, rpmFsmOp op);
	/*
	 * Later rpm versions append hooks (chroot_pre, chroot_post). Zeroed
	 * room here makes an rpm that reads them see "no hook", not whatever
	 * follows the table in memory.
	 */
	void (*reserved[16])(void);
};

void rpmPluginSetData(rpmPlugin plugin, void *data);
void *rpmPluginGetData(rpmPlugin plugin);
#endif

#endif
