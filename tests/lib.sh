# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the shell test tiers: counters and a closing summary line
# "N passed, N failed" that tests/check.sh adds up.
# Usage: . tests/lib.sh; ok NAME; not_ok NAME WHY; expect NAME cmd...; finish

T_PASS=0
T_FAIL=0
T_NAME=${T_NAME:-$(basename "$0" .sh)}

ok() {
	T_PASS=$((T_PASS + 1))
	printf 'ok   %s: %s\n' "$T_NAME" "$1"
}

not_ok() {
	T_FAIL=$((T_FAIL + 1))
	printf 'FAIL %s: %s: %s\n' "$T_NAME" "$1" "${2:-}"
}

# expect NAME cmd...: passes when cmd exits 0.
expect() {
	local name=$1
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$(printf '%s' "$out" | tail -n 3)"; fi
}

# refuse NAME cmd...: passes when cmd exits non-zero.
refuse() {
	local name=$1
	shift
	if out=$("$@" 2>&1); then not_ok "$name" "succeeded but should fail: $(printf '%s' "$out" | tail -n 2)"; else ok "$name"; fi
}

# same NAME A B: passes when the strings are equal.
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi
}

finish() {
	printf '%s: %d passed, %d failed\n' "$T_NAME" "$T_PASS" "$T_FAIL"
	[ "$T_FAIL" -eq 0 ]
}

# flip_byte FILE OFFSET: inverts every bit of one byte in place, so the
# file always changes (writing a fixed byte leaves it as it was whenever
# that byte was already there).
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' \n')
	[ -n "$b" ] || return 1
	# shellcheck disable=SC2059
	printf "\\$(printf '%03o' $((255 - b)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
