# SPDX-License-Identifier: GPL-2.0-or-later
# evmpkg-dpkg-hook: apt's Pre-Install-Pkgs check and dpkg's pre- and
# post-invoke hooks in one executable. libdpkg is static and built as PIE
# (not PIC), so it goes into this executable only, never into a library.

DPKG_VERNUM := $(shell pkg-config --modversion libdpkg 2>/dev/null | \
	awk -F. '{ printf "%d%02d%02d", $$1, $$2, $$3 }')
DPKG_CFLAGS := $(shell pkg-config --cflags libdpkg 2>/dev/null) -DLIBDPKG_VOLATILE_API \
	-DEVMPKG_LIBDPKG_VERNUM=$(DPKG_VERNUM)
DPKG_LIBS := $(shell pkg-config --static --libs libdpkg 2>/dev/null)
HOOK_CFLAGS := $(filter-out -fPIC,$(ALL_CFLAGS)) -fPIE
HOOK_SRC := $(wildcard dpkg-hook/*.c)
HOOK_OBJ := $(HOOK_SRC:%.c=$(B)/%.o)
HOOK := $(B)/dpkg-hook/evmpkg-dpkg-hook
HOOK_LINK := $(B)/dpkg-hook/evmpkg-dpkg
SBINDIR ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc

$(B)/dpkg-hook/%.o: dpkg-hook/%.c dpkg-hook/hook.h $(wildcard pkg/dpkgdb/*.h) $(CORE_HDR) $(DEBPKG_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(HOOK_CFLAGS) $(DPKG_CFLAGS) $(ARCHIVE_CFLAGS) -Ipkg/deb -Ipkg/dpkgdb -c -o $@ $<

$(HOOK): $(HOOK_OBJ) $(B)/libevmpkg-dpkgdb.a $(B)/libevmpkg-deb.a $(B)/libevmpkg.a
	$(CC) $(HOOK_CFLAGS) -pie $(LDHARDEN) $(LDFLAGS) -o $@ $(HOOK_OBJ) \
		$(B)/libevmpkg-dpkgdb.a $(B)/libevmpkg-deb.a $(B)/libevmpkg.a $(DPKG_LIBS) \
		$(ARCHIVE_LIBS) $(LIBS)

# The same under ASan+UBSan, from sources (for the hook tests).
HOOK_ASAN := $(B)/dpkg-hook/evmpkg-dpkg-hook-asan
$(HOOK_ASAN): $(HOOK_SRC) dpkg-hook/hook.h $(wildcard pkg/dpkgdb/*.[ch]) $(CORE_SRC) $(CORE_HDR) $(DEBPKG_SRC) $(DEBPKG_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -fPIC,$(SAN_CFLAGS)) -fPIE -pie $(DPKG_CFLAGS) $(ARCHIVE_CFLAGS) \
		-Ipkg/deb -Ipkg/dpkgdb -o $@ $(HOOK_SRC) $(wildcard pkg/dpkgdb/*.c) $(CORE_SRC) \
		$(DEBPKG_SRC) $(DPKG_LIBS) $(ARCHIVE_LIBS) $(LIBS)

# evmpkg-dpkg, apt's Dir::Bin::dpkg, is the same program under another name.
$(HOOK_LINK): $(HOOK)
	ln -sf evmpkg-dpkg-hook $@

# Built where libdpkg is (not on Fedora, which does not package it);
# EVMPKG_DPKG_HOOKS=0 leaves the hooks out anyway (the spec test does, to
# build as Fedora would).
EVMPKG_DPKG_HOOKS ?= $(if $(DPKG_VERNUM),1,0)
ifeq ($(EVMPKG_DPKG_HOOKS),1)
all: $(HOOK) $(HOOK_LINK)
INSTALL_DEPS += install-dpkg-hook
CHECK_DEPS += $(HOOK) $(HOOK_LINK) $(HOOK_ASAN)
endif

install-dpkg-hook: $(HOOK)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/dpkg/dpkg.cfg.d \
		$(DESTDIR)$(SYSCONFDIR)/apt/apt.conf.d $(DESTDIR)$(SYSCONFDIR)/evmpkg
	install -m 0755 $(HOOK) $(DESTDIR)$(SBINDIR)/evmpkg-dpkg-hook
	ln -sf evmpkg-dpkg-hook $(DESTDIR)$(SBINDIR)/evmpkg-dpkg
	sed 's|/usr/sbin/|$(SBINDIR)/|g' dpkg-hook/dpkg.cfg > $(DESTDIR)$(SYSCONFDIR)/dpkg/dpkg.cfg.d/evmpkg
	sed 's|/usr/sbin/|$(SBINDIR)/|g' dpkg-hook/apt.conf > $(DESTDIR)$(SYSCONFDIR)/apt/apt.conf.d/80evmpkg
	install -m 0644 dpkg-hook/dpkg.conf.example $(DESTDIR)$(SYSCONFDIR)/evmpkg/dpkg.conf.example
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 docs/evmpkg-dpkg-hook.8 $(DESTDIR)$(MANDIR)/man8/evmpkg-dpkg-hook.8

.PHONY: install-dpkg-hook
