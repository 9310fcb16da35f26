# SPDX-License-Identifier: GPL-2.0-or-later
# dnf: the packages of a transaction checked with `evmpkg inspect` before
# rpm runs (docs/rpm.md, "dnf"). One file: dnf 4's plugin, and the command
# dnf 5's actions plugin runs (evmpkg.actions).

DNF_PYTHON ?= /usr/bin/python3
# dnf 4 loads plugins from dnf.const.PLUGINPATH (site-packages/dnf-plugins).
DNF_PLUGINDIR ?= $(shell $(DNF_PYTHON) -c 'import dnf.const; print(dnf.const.PLUGINPATH)' \
	2>/dev/null || $(DNF_PYTHON) -c 'import sysconfig; \
	print(sysconfig.get_path("purelib", "posix_prefix", {"base": "/usr"}) + "/dnf-plugins")')
SYSCONFDIR ?= /etc
LIBEXECDIR ?= $(PREFIX)/libexec
DNF5_ACTIONSDIR ?= $(SYSCONFDIR)/dnf/libdnf5-plugins/actions.d

DNF_PLUGIN := $(B)/dnf-plugin/evmpkg.py

# The command's path is set at install time (PREFIX may differ from the
# build's); the tests point a copy at the built command (command =).
$(DNF_PLUGIN): dnf-plugin/evmpkg.py.in dnf-plugin/dnf.mk
	@mkdir -p $(dir $@)
	cp dnf-plugin/evmpkg.py.in $@

all: $(DNF_PLUGIN)
INSTALL_DEPS += install-dnf-plugin
CHECK_DEPS += $(DNF_PLUGIN)

install-dnf-plugin: $(DNF_PLUGIN)
	install -d $(DESTDIR)$(DNF_PLUGINDIR) $(DESTDIR)$(SYSCONFDIR)/dnf/plugins \
		$(DESTDIR)$(LIBEXECDIR)/evmpkg $(DESTDIR)$(DNF5_ACTIONSDIR)
	sed 's|@EVMPKG@|$(BINDIR)/evmpkg|' $(DNF_PLUGIN) > $(DESTDIR)$(DNF_PLUGINDIR)/evmpkg.py
	sed 's|@EVMPKG@|$(BINDIR)/evmpkg|' $(DNF_PLUGIN) > $(DESTDIR)$(LIBEXECDIR)/evmpkg/dnf-check
	chmod 0644 $(DESTDIR)$(DNF_PLUGINDIR)/evmpkg.py
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/evmpkg/dnf-check
	install -m 0644 dnf-plugin/evmpkg.conf $(DESTDIR)$(SYSCONFDIR)/dnf/plugins/evmpkg.conf
	sed 's|/usr/libexec/|$(LIBEXECDIR)/|' dnf-plugin/evmpkg.actions \
		> $(DESTDIR)$(DNF5_ACTIONSDIR)/evmpkg.actions

.PHONY: install-dnf-plugin
