# SPDX-License-Identifier: GPL-2.0-or-later
# dnf: a dnf 4 plugin that checks the packages of a
# transaction with `evmpkg inspect` before rpm runs (docs/rpm.md, "dnf").

DNF_PYTHON ?= /usr/bin/python3
# dnf 4 loads plugins from dnf.const.PLUGINPATH (site-packages/dnf-plugins).
DNF_PLUGINDIR ?= $(shell $(DNF_PYTHON) -c 'import dnf.const; print(dnf.const.PLUGINPATH)' \
	2>/dev/null || $(DNF_PYTHON) -c 'import sysconfig; \
	print(sysconfig.get_path("purelib", "posix_prefix", {"base": "/usr"}) + "/dnf-plugins")')
SYSCONFDIR ?= /etc

DNF_PLUGIN := $(B)/dnf-plugin/evmpkg.py

# The default certificate lists and the command's path, stated once.
$(DNF_PLUGIN): dnf-plugin/evmpkg.py.in dnf-plugin/dnf.mk common/include/evmpkg/trustpaths.h
	@mkdir -p $(dir $@)
	sed -e 's|@DEFAULT_IMA_CERTS@|$(call default_certs,IMA)|' \
	    -e 's|@DEFAULT_EVM_CERTS@|$(call default_certs,EVM)|' \
	    -e 's|@EVMPKG@|$(BINDIR)/evmpkg|' dnf-plugin/evmpkg.py.in > $@

all: $(DNF_PLUGIN)
INSTALL_DEPS += install-dnf-plugin
CHECK_DEPS += $(DNF_PLUGIN)

install-dnf-plugin: $(DNF_PLUGIN)
	install -d $(DESTDIR)$(DNF_PLUGINDIR) $(DESTDIR)$(SYSCONFDIR)/dnf/plugins
	install -m 0644 $(DNF_PLUGIN) $(DESTDIR)$(DNF_PLUGINDIR)/evmpkg.py
	install -m 0644 dnf-plugin/evmpkg.conf $(DESTDIR)$(SYSCONFDIR)/dnf/plugins/evmpkg.conf

.PHONY: install-dnf-plugin
