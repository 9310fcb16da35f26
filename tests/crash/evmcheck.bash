# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/crash/*.sh after tests/lib.sh (not a tier: check.sh
# runs *.sh). evmctl, the oracle, over many files on both cores; CERT and
# EVMPKG set by the caller. rpm's temporary files (NAME;TXID) left by a
# killed rpm are no package's and are left out.

# evm_unverified: of the NUL-separated paths on stdin, those whose
# security.evm evmctl does not verify (absent or wrong), one a line.
evm_unverified() {
	xargs -0 -r -n 1 -P "$(nproc)" sh -c \
		'evmctl verify --key "$0" "$1" >/dev/null 2>&1 || printf "%s\n" "$1"' "$CERT"
}

# evm_failing DIR...: the regular files under DIR that do not verify.
evm_failing() {
	find "$@" -type f ! -name '*;*' -print0 2>/dev/null | evm_unverified
}

# all_verify DIR N: N regular files under DIR, each with a security.ima
# (evmctl ima_verify, many files a call) and a security.evm that verify.
all_verify() {
	local n bad
	n=$(find "$1" -type f ! -name '*;*' | wc -l)
	[ "$n" -eq "$2" ] || { echo "$n files, want $2"; return 1; }
	find "$1" -type f ! -name '*;*' -print0 |
		xargs -0 -n 100 -P "$(nproc)" evmctl ima_verify --key "$CERT" >/dev/null 2>&1 ||
		{ echo "evmctl ima_verify fails on a file"; return 1; }
	bad=$(evm_failing "$1")
	[ -z "$bad" ] || { echo "does not verify: $(echo $bad)"; return 1; }
}

# accounted NAME ROOT EXCUSED DIR...: right after a kill, with one evmctl
# run a file: no file under DIR carries a security.evm that does not
# verify; each that does not verify is named by `evmpkg verify --root ROOT`
# or lies under a directory matching the regex EXCUSED (a package whose
# files dpkg cannot list: half-installed, named by dpkg --audit); and each
# file evmpkg verify names does not verify. Sets REPORTED (how many it
# named) and VERIFY_RC (its exit status).
accounted() {
	local name=$1 root=$2 excused=$3 f p failing badevm='' unaccounted='' wrong=''
	shift 3
	"$EVMPKG" verify --root "$root" --cert "$CERT" > "$work/v.out" 2>"$work/v.err"
	VERIFY_RC=$?
	# the path after the codes and the configuration-file column
	sed -E 's/^[^ ]+  . //' "$work/v.out" > "$work/v.paths"
	REPORTED=$(grep -c . "$work/v.paths")
	failing=$(evm_failing "$@")
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		p=${f#"$root"}
		if getfattr -h -n security.evm "$f" >/dev/null 2>&1; then
			badevm="$badevm $p"
		elif ! grep -qxF "$p" "$work/v.paths" && ! { [ -n "$excused" ] && [[ $p =~ $excused ]]; }; then
			unaccounted="$unaccounted $p"
		fi
	done <<< "$failing"
	same "$name: no security.evm that does not verify" "$badevm" ""
	same "$name: every file signed or reported (evmpkg verify${excused:+; dpkg --audit for $excused})" \
		"$unaccounted" ""
	while IFS= read -r p; do
		grep -qxF "$root$p" <<< "$failing" || wrong="$wrong $p"
	done < "$work/v.paths"
	same "$name: every file evmpkg verify names does not verify (evmctl)" "$wrong" ""
	if [ "$REPORTED" -gt 0 ]; then
		same "$name: evmpkg verify names $REPORTED files: exit status" "$VERIFY_RC" 1
	elif [ -z "$failing" ]; then
		same "$name: every file verifies: evmpkg verify exits 0" "$VERIFY_RC" 0
	fi
}

# evm_bad DIR...: the files under DIR (rpm's temporary ones too) that carry
# a security.evm that does not verify.
evm_bad() {
	getfattr -R -h --absolute-names -m '^security\.evm$' "$@" 2>/dev/null |
		sed -n 's/^# file: //p' | tr '\n' '\0' | evm_unverified
}
