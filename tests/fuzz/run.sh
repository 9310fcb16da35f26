#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each libFuzzer target for a bounded time from its seed corpus.
# FUZZ_SECONDS (default 15) per target; a crash fails the tier.
# LONG=1 (`make fuzz-long`): FUZZ_RUNS executions per target (default
# 10^7; FUZZ_SECONDS, when set, caps each run's time too) by the UBSan-only
# build in $B/fuzz-long, the inputs that add coverage kept in
# $B/fuzz/long/<target>/ across runs and then every one of them run again
# by the ASan+UBSan build; with FUZZ_MERGE=1 merged (minimised) into
# tests/fuzz/corpus/<target>/ by the ASan+UBSan build.
# FUZZ_TARGETS="a b" runs only those.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
T_NAME=fuzz
B=${B:-build}
secs=${FUZZ_SECONDS:-15}
limit=(-max_total_time="$secs")
if [ -n "${LONG:-}" ]; then
	limit=(-runs="${FUZZ_RUNS:-10000000}")
	[ -n "${FUZZ_SECONDS:-}" ] && limit+=(-max_total_time="$secs")
fi
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	[ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" ${name#fuzz_} "* ]] && continue
	bin="$B/fuzz/$name"
	asan=$bin
	[ -n "${LONG:-}" ] && bin="$B/fuzz-long/$name"
	if [ ! -x "$bin" ] || [ ! -x "$asan" ]; then
		not_ok "$name" "not built (make fuzz needs clang and libclang-rt)"
		continue
	fi
	work=$(mktemp -d)
	[ -n "${LONG:-}" ] && mkdir -p "$B/fuzz/long/${name#fuzz_}" && work=$B/fuzz/long/${name#fuzz_}
	cp tests/fuzz/corpus/"${name#fuzz_}"/* "$work"/ 2>/dev/null
	# At least the largest seed (whole packages), so none is cut short.
	maxlen=$(find "$work" -type f -printf '%s\n' | sort -n | tail -1)
	[ "${maxlen:-0}" -gt 8192 ] || maxlen=8192
	start=$(date +%s)
	if "$bin" "${limit[@]}" -max_len="$maxlen" -timeout=10 \
		-artifact_prefix="$B/fuzz/$name-" "$work" >"$B/fuzz/$name.log" 2>&1; then
		ok "$name: $(grep -Eo 'Done [0-9]+ runs' "$B/fuzz/$name.log" | awk '{print $2}') runs in $(($(date +%s) - start))s, no crash"
	else
		not_ok "$name" "crash: see $B/fuzz/$name.log and $B/fuzz/$name-*"
	fi
	if [ -n "${LONG:-}" ]; then
		# Every kept input once more, under ASan.
		if "$asan" -runs=0 -max_len="$maxlen" -timeout=10 \
			-artifact_prefix="$B/fuzz/$name-asan-" "$work" >"$B/fuzz/$name-asan.log" 2>&1; then
			ok "$name: $(find "$work" -type f | wc -l) kept inputs under ASan, no crash"
		else
			not_ok "$name (ASan)" "crash: see $B/fuzz/$name-asan.log and $B/fuzz/$name-asan-*"
		fi
		[ -n "${FUZZ_MERGE:-}" ] && "$asan" -merge=1 -max_len="$maxlen" \
			tests/fuzz/corpus/"${name#fuzz_}" "$work" >>"$B/fuzz/$name.log" 2>&1
	else
		rm -rf "$work"
	fi
done
finish
