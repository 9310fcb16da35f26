# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash disable=SC2034 # variables are for the sourcing scripts
#
# Helpers for the scripts that run inside the kernel test VM (busybox sh or
# bash). Each result is one console line, "ok MODE: NAME" or
# "FAIL MODE: NAME: WHY"; the host counts those and ignores everything else.
# MODE is the EVM mode the VM was booted in: off, x509, x509-nosetup, hmac.

: "${MODE:?MODE not set}"

# busybox sh runs its own applets before it searches PATH, so "rpm" would be
# busybox's toy rpm. A shell function wins over an applet: wrap each real
# program of the image that busybox also provides.
_applets=" $(busybox --list | tr '\n' ' ') "
for _p in /usr/bin/* /usr/sbin/*; do
	_n=${_p##*/}
	# Not a shell function name (dpkg-deb): only programs exec it, by PATH.
	case $_n in *[!A-Za-z0-9_]*) continue ;; esac
	case $_applets in
	*" $_n "*) eval "$_n() { $_p \"\$@\"; }" ;;
	esac
done
unset _applets _p _n

# Test keys made on the host: "trusted" is in the _ima and _evm keyrings,
# "untrusted" is not. *.crt is PEM, *.der the same cert in DER.
KEY=/keys/trusted.pem
CERT=/keys/trusted.crt
CERT_DER=/keys/trusted.der
BAD_KEY=/keys/untrusted.pem
BAD_CERT=/keys/untrusted.crt

ok() {
	echo "ok $MODE: $1"
}

# fail NAME WHY: WHY is squeezed onto one line so the host sees all of it.
fail() {
	echo "FAIL $MODE: $1: $(printf '%s' "$2" | tr '\n' ' ' | cut -c 1-400)"
}

# run CMD...: runs CMD, leaves its output (stdout and stderr) in $out and its
# exit status in $rc.
run() {
	out=$("$@" 2>&1)
	rc=$?
}

# expect_ok NAME CMD...: CMD must succeed.
expect_ok() {
	local name=$1
	shift
	run "$@"
	if [ $rc -eq 0 ]; then ok "$name"; else fail "$name" "exit $rc: $out"; fi
}

# expect_fail NAME CMD...: CMD must fail (any reason).
expect_fail() {
	local name=$1
	shift
	run "$@"
	if [ $rc -ne 0 ]; then ok "$name"; else fail "$name" "succeeded: $out"; fi
}

# expect_eperm NAME CMD...: CMD must fail with "Operation not permitted".
expect_eperm() {
	local name=$1
	shift
	run "$@"
	if [ $rc -eq 0 ]; then
		fail "$name" "succeeded, want EPERM"
	elif printf '%s' "$out" | grep -q 'Operation not permitted'; then
		ok "$name"
	else
		fail "$name" "exit $rc without EPERM: $out"
	fi
}

# exec_ok NAME FILE WANT [ARGS...]: FILE must run and print exactly WANT.
exec_ok() {
	local name=$1 file=$2 want=$3
	shift 3
	run "$file" "$@"
	if [ $rc -eq 0 ] && [ "$out" = "$want" ]; then
		ok "$name"
	else
		fail "$name" "exit $rc, output '$out'; audit cause: $(audit_cause "$file")"
	fi
}

# audit_cause FILE: the cause= of the newest integrity audit record naming
# FILE (records reach the ring buffer shortly after the refusal).
audit_cause() {
	local i=0 line
	while [ $i -lt 20 ]; do
		line=$(dmesg | grep "name=\"$1\"" | grep 'cause=' | tail -n 1)
		if [ -n "$line" ]; then
			printf '%s\n' "$line" | sed 's/.*cause=\([^ ]*\).*/\1/'
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo none
}

# exec_denied NAME FILE [CAUSE]: running FILE must be refused with EACCES;
# with CAUSE, the kernel's audit record must give that reason.
exec_denied() {
	local name=$1 file=$2 want=${3:-} cause
	run "$file"
	if [ $rc -eq 0 ] || ! printf '%s' "$out" | grep -q 'Permission denied'; then
		fail "$name" "not refused: exit $rc, output '$out'"
		return
	fi
	[ -z "$want" ] && { ok "$name"; return; }
	cause=$(audit_cause "$file")
	if [ "$cause" = "$want" ]; then ok "$name"; else fail "$name" "refused, but cause=$cause, want $want"; fi
}

# xattr_hex FILE NAME: the xattr's value in hex (no 0x), or nothing; a
# symlink's own xattrs, not its target's.
xattr_hex() {
	getfattr -h --absolute-names -e hex -n "$2" "$1" 2>/dev/null |
		sed -n "s/^$2=0x//p"
}

# same NAME GOT WANT
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# need_evmpkg: scenarios about the evmpkg command fail (not skip) when the
# command was not built into the initramfs.
need_evmpkg() {
	command -v evmpkg >/dev/null && return 0
	fail "${SCENARIO:-scenario}" "evmpkg not in the VM (build it: make)"
	return 1
}

# new_script FILE TEXT: a small executable shell script printing TEXT.
new_script() {
	printf '#!/bin/sh\necho %s\n' "$2" >"$1" && chmod 755 "$1"
}

# new_binary FILE: a copy of busybox; run it as "FILE echo TEXT".
new_binary() {
	cp /bin/busybox "$1" && chmod 755 "$1"
}
