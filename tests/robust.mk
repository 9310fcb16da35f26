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

# Long fuzzing: FUZZ_RUNS executions of every target (default 10^7).
fuzz-long: fuzz
	B=$(B) LONG=1 tests/fuzz/run.sh

.PHONY: fuzz-long
