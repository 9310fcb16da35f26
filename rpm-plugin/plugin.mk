# SPDX-License-Identifier: GPL-2.0-or-later
# The rpm transaction plugin: one .so (core objects linked in, PIC) and a
# macros file. The .so name sorts after selinux.so and ima.so.

# Where this rpm loads plugins from. Debian 12's %__plugindir names a
# directory that does not exist; the plugins live in the multiarch one.
RPM_EVAL_PLUGINDIR := $(shell rpm --eval '%{__plugindir}' 2>/dev/null)
RPM_MULTIARCH_PLUGINDIR := /usr/lib/$(shell gcc -print-multiarch 2>/dev/null)/rpm-plugins
RPM_PC_PLUGINDIR := $(shell pkg-config --variable=rpmplugindir rpm 2>/dev/null)
RPM_PLUGINDIR ?= $(or $(RPM_PC_PLUGINDIR),$(shell \
	if [ -d "$(RPM_EVAL_PLUGINDIR)" ]; then echo "$(RPM_EVAL_PLUGINDIR)"; \
	else echo "$(RPM_MULTIARCH_PLUGINDIR)"; fi))
RPM_MACRODIR ?= $(shell rpm --eval '%{_rpmmacrodir}' 2>/dev/null || echo /usr/lib/rpm/macros.d)

PLUGIN := $(B)/rpm-plugin/zz_evmpkg.so
PLUGIN_MACROS := $(B)/rpm-plugin/macros.transaction_zz_evmpkg

$(PLUGIN): rpm-plugin/zz_evmpkg.c rpm-plugin/rpmplugin-abi.h $(B)/libevmpkg-rpm.a \
		$(B)/libevmpkg.a $(RPMPKG_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(RPM_CFLAGS) -Ipkg/rpm -shared -Wl,-z,defs $(LDHARDEN) \
		-o $@ rpm-plugin/zz_evmpkg.c $(B)/libevmpkg-rpm.a $(B)/libevmpkg.a \
		$(RPM_LIBS) $(LIBS)

# The default certificate lists come from the core's header, stated once.
default_certs = $(shell sed -n 's/^\#define EVMPKG_DEFAULT_$(1)_CERTS "\(.*\)"/\1/p' \
	common/include/evmpkg/trustpaths.h)
$(PLUGIN_MACROS): rpm-plugin/macros.in rpm-plugin/plugin.mk common/include/evmpkg/trustpaths.h
	@mkdir -p $(dir $@)
	{ if [ "$(RPM_PLUGINDIR)" != "$(RPM_EVAL_PLUGINDIR)" ]; then \
		echo "# This rpm's %__plugindir ($(RPM_EVAL_PLUGINDIR)) does not exist;"; \
		echo "# load plugins from where they are installed."; \
		echo "%__plugindir $(RPM_PLUGINDIR)"; echo; fi; \
	  sed -e 's|@DEFAULT_IMA_CERTS@|$(call default_certs,IMA)|' \
	      -e 's|@DEFAULT_EVM_CERTS@|$(call default_certs,EVM)|' rpm-plugin/macros.in; } > $@

all: $(PLUGIN) $(PLUGIN_MACROS)
INSTALL_DEPS += install-rpm-plugin
CHECK_DEPS += $(PLUGIN) $(PLUGIN_MACROS)

install-rpm-plugin: $(PLUGIN) $(PLUGIN_MACROS)
	install -d $(DESTDIR)$(RPM_PLUGINDIR) $(DESTDIR)$(RPM_MACRODIR)
	install -m 0644 $(PLUGIN) $(DESTDIR)$(RPM_PLUGINDIR)/zz_evmpkg.so
	install -m 0644 $(PLUGIN_MACROS) $(DESTDIR)$(RPM_MACRODIR)/macros.transaction_zz_evmpkg

.PHONY: install-rpm-plugin

# Test tool for the rpm integration tests.
RPM_TAMPER := $(B)/tests/rpm-tamper
$(RPM_TAMPER): tests/rpm/tamper.c $(B)/libevmpkg-rpm.a $(B)/libevmpkg.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(RPM_CFLAGS) -Ipkg/rpm -o $@ tests/rpm/tamper.c \
		$(B)/libevmpkg-rpm.a $(B)/libevmpkg.a $(RPM_LIBS) $(LIBS)
CHECK_DEPS += $(RPM_TAMPER)
