#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# `evmpkg status` must describe the EVM mode the kernel was really put in.
# Its first line starts with "EVM:" and names the mode: "off", "X.509",
# "HMAC", or "not mounted" when securityfs is missing.
# shellcheck source=tests/kernel/vmlib.sh
. /vmlib.sh
need_evmpkg || exit 0

run evmpkg status
first=$(printf '%s\n' "$out" | head -n 1)
echo "# $MODE: evmpkg status: $(printf '%s' "$out" | tr '\n' '|')"
same "status: exit status" "$rc" 0
case $first in
EVM:*) ok "status: first line starts with EVM:" ;;
*) fail "status: first line starts with EVM:" "got '$first'" ;;
esac

# check NAME WORD: WORD must (or with !WORD must not) be on the first line.
check() {
	case $2 in
	!*)
		case $first in
		*"${2#!}"*) fail "$1" "first line '$first' names ${2#!}" ;;
		*) ok "$1" ;;
		esac
		;;
	*)
		case $first in
		*"$2"*) ok "$1" ;;
		*) fail "$1" "first line '$first' lacks '$2'" ;;
		esac
		;;
	esac
}

case $MODE in
off)
	check "status: says off" off
	check "status: does not claim X.509" '!X.509'
	check "status: does not claim HMAC" '!HMAC'
	;;
x509 | x509-nosetup)
	check "status: says X.509" X.509
	check "status: does not claim HMAC" '!HMAC'
	;;
hmac)
	check "status: says HMAC" HMAC
	;;
esac

run evmpkg status --json
same "status --json: exit status" "$rc" 0
case $(printf '%s' "$out" | tr -d ' \n\t' | cut -c 1) in
'{') ok "status --json: prints a JSON object" ;;
*) fail "status --json: prints a JSON object" "got '$out'" ;;
esac

# Without securityfs the state cannot be read; the command must say so.
if umount /sys/kernel/security; then
	run evmpkg status
	first=$(printf '%s\n' "$out" | head -n 1)
	echo "# $MODE: evmpkg status without securityfs: $first"
	same "status: exit status without securityfs" "$rc" 0
	check "status: says not mounted without securityfs" "not mounted"
	mount -t securityfs securityfs /sys/kernel/security
fi
if [ -e /sys/kernel/security/evm ]; then
	ok "status: securityfs mounted again"
else
	fail "status: securityfs mounted again" "no /sys/kernel/security/evm"
fi
exit 0
