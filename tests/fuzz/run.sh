#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs each libFuzzer target for a bounded time from its seed corpus.
# FUZZ_SECONDS (default 20) per target; a crash fails the tier.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
T_NAME=fuzz
B=${B:-build}
secs=${FUZZ_SECONDS:-20}
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin="$B/fuzz/$name"
	if [ ! -x "$bin" ]; then
		not_ok "$name" "not built (make fuzz needs clang and libclang-rt)"
		continue
	fi
	work=$(mktemp -d)
	cp tests/fuzz/corpus/"${name#fuzz_}"/* "$work"/ 2>/dev/null
	# At least the largest seed (whole packages), so none is cut short.
	maxlen=$(find "$work" -type f -printf '%s\n' | sort -n | tail -1)
	[ "${maxlen:-0}" -gt 8192 ] || maxlen=8192
	if "$bin" -max_total_time="$secs" -max_len="$maxlen" -timeout=10 \
		-artifact_prefix="$B/fuzz/$name-" "$work" >"$B/fuzz/$name.log" 2>&1; then
		ok "$name: $(grep -Eo 'Done [0-9]+ runs' "$B/fuzz/$name.log" | awk '{print $2}') runs in ${secs}s, no crash"
	else
		not_ok "$name" "crash: see $B/fuzz/$name.log and $B/fuzz/$name-*"
	fi
	rm -rf "$work"
done
finish
