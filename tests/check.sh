#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs every test tier that exists and adds up their "N passed, N failed"
# lines. A tier that prints no summary or exits non-zero fails the run.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
export B
total_pass=0
total_fail=0
bad_tiers=()
run_start=$(date +%s)
times=()	# "SECONDS NAME" of each host tier, for the summary

run_tier() {
	local name=$1
	shift
	local log="$B/logs/$name.log"
	mkdir -p "$B/logs"
	echo "=== tier $name: $*"
	local start=$(date +%s)
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	times+=("$(($(date +%s) - start)) $name")
	local line
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "tier $name printed no summary (exit $rc)"
		bad_tiers+=("$name")
		total_fail=$((total_fail + 1))
		return
	fi
	local p f
	read -r p f < <(printf '%s\n' "$line" | grep -oE '[0-9]+ passed, [0-9]+ failed' |
		tail -n 1 | awk '{print $1, $3}')
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "tier $name exited $rc with no failed test counted"
		total_fail=$((total_fail + 1))
	fi
	[ "$rc" -ne 0 ] && bad_tiers+=("$name")
}

run_tier unit "$B/unit-tests"
run_tier unit-asan env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$B/unit-tests-asan"
run_tier unit-tsan env TSAN_OPTIONS=halt_on_error=1 "$B/unit-tests-tsan"
run_tier fuzz tests/fuzz/run.sh
for t in tests/oracle/*.sh tests/rpm/*.sh tests/dpkg/*.sh tests/deb/*.sh tests/apt/*.sh \
	tests/installed/*.sh tests/dnf/*.sh tests/export/*.sh tests/hsm/*.sh \
	tests/strip/*.sh tests/malformed/*.sh tests/faults/*.sh tests/crash/*.sh \
	tests/concurrency/*.sh; do
	[ -f "$t" ] || continue
	run_tier "$(basename "$t" .sh)" bash "$t"
done
if [ -x tests/kernel/run.sh ]; then
	if command -v qemu-system-x86_64 >/dev/null; then
		run_tier kernel tests/kernel/run.sh
	else
		echo "kernel tier: qemu-system-x86_64 not installed; run 'make deps'"
		total_fail=$((total_fail + 1))
		bad_tiers+=(kernel)
	fi
fi

# --- release matrix ------------------------------------------------------
# Each Debian release of tests/matrix/run.sh in its own chroot, one tier per
# release and step (trixie:setup, trixie:unit, ..., sid:package), with the
# matrix's wall time. The releases run side by side (their steps in turn),
# then each step's output is counted as a tier. EVMPKG_MATRIX=0 leaves it
# out.
if [ -x tests/matrix/run.sh ] && [ "${EVMPKG_MATRIX:-1}" != 0 ]; then
	matrix_start=$(date +%s)
	mkdir -p "$B/logs/matrix"
	for rel in $(tests/matrix/run.sh --releases); do
		(
			for step in $(tests/matrix/run.sh --steps); do
				tests/matrix/run.sh "$rel" "$step" >"$B/logs/matrix/$rel:$step.out" 2>&1
				echo $? >"$B/logs/matrix/$rel:$step.rc"
			done
		) &
	done
	wait
	for rel in $(tests/matrix/run.sh --releases); do
		for step in $(tests/matrix/run.sh --steps); do
			run_tier "$rel:$step" bash -c 'cat "$1.out"; exit "$(cat "$1.rc")"' _ \
				"$B/logs/matrix/$rel:$step"
		done
	done
	echo "matrix: $(($(date +%s) - matrix_start))s wall"
fi
# --- end of release matrix -------------------------------------------------

echo
# Where the time went (the budget: make check under 30 minutes warm).
echo "slowest tiers (s): $(printf '%s\n' "${times[@]}" | sort -rn | head -n 8 | tr '\n' ',' | sed 's/,$//;s/,/, /g')"
echo "all tiers: $(($(date +%s) - run_start))s wall"
[ ${#bad_tiers[@]} -gt 0 ] && echo "tiers with failures: ${bad_tiers[*]}"
echo "all tiers: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ ${#bad_tiers[@]} -eq 0 ]
