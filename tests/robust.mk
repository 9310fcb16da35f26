# Test tools of the robustness tiers (tests/malformed, tests/faults), and
# `make fuzz-long`. Included by the top Makefile.
RPM_MF := $(B)/tests/rpm-mf
$(RPM_MF): tests/malformed/rpmmf.c $(B)/libevmpkg-rpm.a $(B)/libevmpkg.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(RPM_CFLAGS) -Ipkg/rpm -o $@ tests/malformed/rpmmf.c \
		$(B)/libevmpkg-rpm.a $(B)/libevmpkg.a $(RPM_LIBS) $(LIBS)
CHECK_DEPS += $(RPM_MF)

# LD_PRELOAD shim that fails one chosen system call (tests/faults/faultinj.c);
# built for the tests only, never installed.
FAULTINJ := $(B)/tests/faultinj.so
$(FAULTINJ): tests/faults/faultinj.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -o $@ $< -ldl
CHECK_DEPS += $(FAULTINJ)

# Long fuzzing: FUZZ_RUNS executions of every target (default 10^7) by
# builds without ASan (UBSan only, -O2: five to ten times the executions
# a second, since OpenSSL's and libarchive's many small allocations are
# what ASan slows most); every input they keep is then run again through
# the ASan+UBSan build of `make fuzz`, which finds what ASan alone would.
FUZZ_LONG_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz-long/%)
$(B)/fuzz-long/%: tests/fuzz/%.c $(CORE_SRC) $(wildcard common/include/evmpkg/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) -std=gnu11 -D_GNU_SOURCE -g -O2 -fsanitize=fuzzer,undefined \
		-fno-sanitize-recover=undefined -Icommon/include $(FUZZ_CFLAGS) -o $@ $< \
		$(CORE_SRC) $(FUZZ_SRC_EXTRA) $(FUZZ_LIBS) $(LIBS)
fuzz-long: fuzz $(FUZZ_LONG_BIN)
	B=$(B) LONG=1 tests/fuzz/run.sh

.PHONY: fuzz-long
