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

CORE_SRC := $(wildcard common/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
CLI_SRC := $(wildcard cli/*.c)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
# The command reads and writes rpm packages and file_contexts.
CLI_CFLAGS := $(shell pkg-config --cflags rpm 2>/dev/null)
CLI_LIBS := $(shell pkg-config --libs rpm 2>/dev/null) -lselinux
UNIT_SRC := $(wildcard tests/unit/*.c)

all: $(B)/libevmpkg.a $(B)/evmpkg

$(B)/%.o: %.c $(wildcard common/include/evmpkg/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CLI_CFLAGS) -c -o $@ $<

$(B)/libevmpkg.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/evmpkg: $(CLI_OBJ) $(B)/libevmpkg.a
	$(CC) $(ALL_CFLAGS) -pie $(LDHARDEN) $(LDFLAGS) -o $@ $(CLI_OBJ) \
		$(B)/libevmpkg.a $(CLI_LIBS) $(LIBS)

# Unit tests, normal and under ASan+UBSan.
$(B)/unit-tests: $(UNIT_SRC) $(B)/libevmpkg.a
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(B)/libevmpkg.a \
		-lcunit $(LIBS)

$(B)/unit-tests-asan: $(UNIT_SRC) $(CORE_SRC) $(wildcard common/include/evmpkg/*.h)
	@mkdir -p $(B)
	$(CC) $(SAN_CFLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(CORE_SRC) \
		-lcunit $(LIBS)

# libFuzzer targets, one per parser of outside data.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
$(B)/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(wildcard common/include/evmpkg/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		-Icommon/include -o $@ $< $(CORE_SRC) $(LIBS)
fuzz: $(FUZZ_BIN)

-include rpm-plugin/plugin.mk
-include dpkg-hook/hook.mk
-include tests/kernel/kernel.mk

check: all $(B)/unit-tests $(B)/unit-tests-asan fuzz $(CHECK_DEPS)
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
