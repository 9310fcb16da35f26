# SPDX-License-Identifier: GPL-2.0-or-later
# evmpkg build. `make` builds libevmpkg and the evmpkg command; `make check`
# runs every test tier; `make install` honours PREFIX and DESTDIR.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

CC ?= cc
CLANG ?= clang
B ?= build

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection \
	-fcf-protection
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) $(HARDEN) -fPIC -pthread \
	-Icommon/include $(CFLAGS)
LDHARDEN := -Wl,-z,relro,-z,now -Wl,--as-needed
LIBS := -lcrypto -lcap -lpthread

SAN_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -O1 -g -fPIC -pthread \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Icommon/include

RPM_CFLAGS := $(shell pkg-config --cflags rpm 2>/dev/null)
RPM_LIBS := $(shell pkg-config --libs rpm 2>/dev/null)
ARCHIVE_CFLAGS := $(shell pkg-config --cflags libarchive 2>/dev/null)
ARCHIVE_LIBS := $(shell pkg-config --libs libarchive 2>/dev/null || echo -larchive)

# Link boundaries (docs/architecture.md): the core (common/) is built
# without librpm or libdpkg flags and may link only OpenSSL, libcap and
# pthreads; pkg/rpm/ is the one library that links librpm; pkg/deb/ links
# libarchive and no libdpkg (static, not PIC), so it may go into a .so.
CORE_SRC := $(wildcard common/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
CORE_HDR := $(wildcard common/include/evmpkg/*.h common/*.h)
RPMPKG_SRC := $(wildcard pkg/rpm/*.c)
RPMPKG_OBJ := $(RPMPKG_SRC:%.c=$(B)/%.o)
RPMPKG_HDR := $(wildcard pkg/rpm/*.h)
DEBPKG_SRC := $(wildcard pkg/deb/*.c)
DEBPKG_OBJ := $(DEBPKG_SRC:%.c=$(B)/%.o)
DEBPKG_HDR := $(wildcard pkg/deb/*.h)
CLI_SRC := $(wildcard cli/*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
# The command reads and writes packages and file_contexts.
CLI_LIBS := $(RPM_LIBS) -lselinux
UNIT_SRC := $(wildcard tests/unit/*.c)

all: $(B)/libevmpkg.a $(B)/libevmpkg-rpm.a $(B)/libevmpkg-deb.a $(B)/evmpkg

# `make` fails when a core file includes a package manager's headers.
$(B)/core-boundary.ok: $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(B)
	@if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](rpm|dpkg)/' \
		$(CORE_SRC) $(CORE_HDR); then \
		echo "common/ must not include librpm or libdpkg headers" >&2; exit 1; fi
	@touch $@

$(B)/common/%.o: common/%.c $(CORE_HDR) $(B)/core-boundary.ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/pkg/rpm/%.o: pkg/rpm/%.c $(CORE_HDR) $(RPMPKG_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(RPM_CFLAGS) -Ipkg/rpm -c -o $@ $<

$(B)/pkg/deb/%.o: pkg/deb/%.c $(CORE_HDR) $(DEBPKG_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ARCHIVE_CFLAGS) -Ipkg/deb -c -o $@ $<

$(B)/cli/%.o: cli/%.c $(CORE_HDR) $(RPMPKG_HDR) $(DEBPKG_HDR) $(wildcard cli/*.h pkg/dpkgdb/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(RPM_CFLAGS) $(ARCHIVE_CFLAGS) -Ipkg/rpm -Ipkg/deb $(CLI_DPKG_CFLAGS) \
		-DEVMPKG_SBINDIR='"$(SBINDIR)"' -c -o $@ $<

$(B)/libevmpkg.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/libevmpkg-rpm.a: $(RPMPKG_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/libevmpkg-deb.a: $(DEBPKG_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/evmpkg: $(CLI_OBJ) $(B)/libevmpkg-rpm.a $(B)/libevmpkg-deb.a $(B)/libevmpkg.a
	$(CC) $(ALL_CFLAGS) -pie $(LDHARDEN) $(LDFLAGS) -o $@ $(CLI_OBJ) \
		$(CLI_DPKG_LIBS) $(B)/libevmpkg-rpm.a $(B)/libevmpkg-deb.a $(B)/libevmpkg.a \
		$(CLI_LIBS) $(ARCHIVE_LIBS) $(LIBS)

# Unit tests, normal and under ASan+UBSan.
$(B)/unit-tests: $(UNIT_SRC) $(B)/libevmpkg.a
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(B)/libevmpkg.a \
		-lcunit $(LIBS)

$(B)/unit-tests-asan: $(UNIT_SRC) $(CORE_SRC) $(wildcard common/include/evmpkg/*.h)
	@mkdir -p $(B)
	$(CC) $(SAN_CFLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(CORE_SRC) \
		-lcunit $(LIBS)

# ThreadSanitizer: the engine's background verification and the pool.
$(B)/unit-tests-tsan: $(UNIT_SRC) $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(B)
	$(CLANG) -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=thread -Icommon/include \
		-Itests/unit -o $@ $(UNIT_SRC) $(CORE_SRC) -lcunit $(LIBS)

# libFuzzer targets, one per parser of outside data.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
# UBSan findings stop the run (by default UBSan prints and goes on).
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -O1
$(B)/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(wildcard common/include/evmpkg/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -D_GNU_SOURCE -g $(FUZZ_SAN) \
		-Icommon/include $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRC) $(FUZZ_SRC_EXTRA) \
		$(FUZZ_LIBS) $(LIBS)
# The rpm package parser is built from pkg/rpm too and links librpm.
$(B)/fuzz/fuzz_rpmheader $(B)/fuzz-long/fuzz_rpmheader: $(RPMPKG_SRC) $(RPMPKG_HDR)
$(B)/fuzz/fuzz_rpmheader $(B)/fuzz-long/fuzz_rpmheader: FUZZ_CFLAGS = -Ipkg/rpm $(RPM_CFLAGS)
$(B)/fuzz/fuzz_rpmheader $(B)/fuzz-long/fuzz_rpmheader: FUZZ_SRC_EXTRA = $(RPMPKG_SRC)
$(B)/fuzz/fuzz_rpmheader $(B)/fuzz-long/fuzz_rpmheader: FUZZ_LIBS = $(RPM_LIBS)
# The .deb parser is built from pkg/deb too and links libarchive.
$(B)/fuzz/fuzz_debpkg $(B)/fuzz-long/fuzz_debpkg: $(DEBPKG_SRC) $(DEBPKG_HDR)
$(B)/fuzz/fuzz_debpkg $(B)/fuzz-long/fuzz_debpkg: FUZZ_CFLAGS = -Ipkg/deb $(ARCHIVE_CFLAGS)
$(B)/fuzz/fuzz_debpkg $(B)/fuzz-long/fuzz_debpkg: FUZZ_SRC_EXTRA = $(DEBPKG_SRC)
$(B)/fuzz/fuzz_debpkg $(B)/fuzz-long/fuzz_debpkg: FUZZ_LIBS = $(ARCHIVE_LIBS)
fuzz: $(FUZZ_BIN)

-include rpm-plugin/plugin.mk
-include dpkg-hook/hook.mk
-include pkg/dpkgdb/dpkgdb.mk
-include dnf-plugin/dnf.mk
-include tests/kernel/kernel.mk
-include tests/matrix/matrix.mk
-include tests/robust.mk

# The command under ASan+UBSan, from sources, for tests/installed/installed-asan.sh.
$(B)/evmpkg-asan: $(CLI_SRC) $(CORE_SRC) $(RPMPKG_SRC) $(DEBPKG_SRC) $(CLI_DPKG_SRC) \
		$(CORE_HDR) $(RPMPKG_HDR) $(DEBPKG_HDR) $(wildcard cli/*.h pkg/dpkgdb/*.h)
	@mkdir -p $(B)
	$(CC) $(filter-out -fPIC,$(SAN_CFLAGS)) -fPIE -pie $(RPM_CFLAGS) $(ARCHIVE_CFLAGS) \
		$(DPKG_CFLAGS) -Ipkg/rpm -Ipkg/deb $(CLI_DPKG_CFLAGS) \
		-DEVMPKG_SBINDIR='"$(SBINDIR)"' -o $@ $(CLI_SRC) $(CORE_SRC) $(RPMPKG_SRC) \
		$(DEBPKG_SRC) $(CLI_DPKG_SRC) $(CLI_LIBS) $(DPKG_LIBS) $(ARCHIVE_LIBS) $(LIBS)
CHECK_DEPS += $(B)/evmpkg-asan

check: all $(B)/unit-tests $(B)/unit-tests-asan $(B)/unit-tests-tsan fuzz $(CHECK_DEPS)
	B=$(B) tests/check.sh

install: all $(INSTALL_DEPS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(INCLUDEDIR)/evmpkg $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(B)/evmpkg $(DESTDIR)$(BINDIR)/evmpkg
	install -m 0644 $(B)/libevmpkg.a $(DESTDIR)$(LIBDIR)/libevmpkg.a
	install -m 0644 common/include/evmpkg/*.h $(DESTDIR)$(INCLUDEDIR)/evmpkg/
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 docs/evmpkg.1 $(DESTDIR)$(MANDIR)/man1/evmpkg.1
	install -m 0644 docs/rpm-plugin-evmpkg.8 $(DESTDIR)$(MANDIR)/man8/rpm-plugin-evmpkg.8

deps:
	packaging/install-deps

demo: all
	tests/demo.sh

clean:
	rm -rf $(B)

.PHONY: all check install deps demo clean fuzz
