# SPDX-License-Identifier: GPL-2.0-or-later
# libevmpkg-dpkgdb.a: dpkg's installed database through libdpkg, and the
# hooks' settings file (dpkgconf.c), for the dpkg hooks and the evmpkg
# command. libdpkg is static and PIE (not PIC),
# so this library goes into executables only. Included after
# dpkg-hook/hook.mk, whose DPKG_* settings it uses; without libdpkg the
# command is built without it and says so for a dpkg root.

ifneq ($(DPKG_LIBS),)
DPKGDB_SRC := $(wildcard pkg/dpkgdb/*.c)
DPKGDB_OBJ := $(DPKGDB_SRC:%.c=$(B)/%.o)
DPKGDB_HDR := $(wildcard pkg/dpkgdb/*.h)
DPKGDB := $(B)/libevmpkg-dpkgdb.a

$(B)/pkg/dpkgdb/%.o: pkg/dpkgdb/%.c $(DPKGDB_HDR) $(CORE_HDR) $(DEBPKG_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(HOOK_CFLAGS) $(DPKG_CFLAGS) -Ipkg/deb -Ipkg/dpkgdb -c -o $@ $<

$(DPKGDB): $(DPKGDB_OBJ)
	rm -f $@
	ar rcs $@ $^

all: $(DPKGDB)
# The command reads dpkg databases too, and the hooks' settings (evmpkg
# status).
$(B)/evmpkg: $(DPKGDB)
CLI_DPKG_CFLAGS := -DEVMPKG_HAVE_DPKGDB -Ipkg/dpkgdb
CLI_DPKG_LIBS := $(DPKGDB) $(DPKG_LIBS)
# The same as sources, for the sanitizer build of the command.
CLI_DPKG_SRC := $(DPKGDB_SRC)
endif
