#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# rpm inside the VM with evmpkg's plugin (and rpm's stock ima plugin),
# installing into a root on the ext4 mount, judged by the kernel: signed
# executables run under appraisal, setuid and %caps binaries keep their
# privileges, upgrade and erase work, a package signed with a key the
# kernel does not hold is refused with nothing left behind; where the
# kernel refuses the writes, the plugin says so and its policy decides.
# shellcheck source=tests/kernel/vmlib.sh
. /vmlib.sh
need_evmpkg || exit 0

P=/scenarios/40-rpm.d
R=$PWD/root
RUNAS=$P/runas
mkdir -p "$R/etc"
cp /etc/passwd /etc/group "$R/etc/"
rpm --root "$R" --dbpath /var/lib/rpm --initdb

# rpmi POLICY ARGS...: rpm in the test root with the plugin and policy.
rpmi() {
	local policy=$1
	shift
	rpm --root "$R" --dbpath /var/lib/rpm --nodeps --force-debian \
		--define "_evmpkg_policy $policy" --define "_evmpkg_certs $CERT_DER" "$@"
}

# nothing_left NAME: no file of kpkg on disk, not in the rpmdb.
nothing_left() {
	same "$1: no file of the package left" "$(find "$R/usr" -type f 2>/dev/null | head -n 3)" ""
	expect_fail "$1: not in the rpmdb" rpm --root "$R" --dbpath /var/lib/rpm -q kpkg
}

case $MODE in
off | x509)
	expect_ok "rpm: install signed package (enforce)" rpmi enforce -i "$P/kpkg-1.rpm"
	exec_ok "rpm: signed script runs under appraisal" "$R/usr/bin/kpkg-hello" "kpkg 1"
	# setuid root: euid 0 and, as root, every capability.
	exec_ok "rpm: setuid binary runs with euid 0 for uid 1000" "$RUNAS" "suid euid=0 net_raw=1" 1000 "$R/usr/bin/kpkg-suid" suid
	exec_ok "rpm: %caps binary runs with cap_net_raw for uid 1000" "$RUNAS" "caps euid=1000 net_raw=1" 1000 "$R/usr/sbin/kpkg-caps" caps
	if [ "$MODE" = x509 ]; then
		expect_eperm "rpm: installed file is immutable (chmod refused)" chmod 700 "$R/usr/bin/kpkg-hello"
		expect_ok "rpm: evmpkg verify-file agrees" evmpkg verify-file --cert "$CERT" \
			"$R/usr/bin/kpkg-hello" "$R/usr/bin/kpkg-suid" "$R/usr/sbin/kpkg-caps" "$R/usr/bin/kpkg-data"
	fi
	expect_ok "rpm: upgrade to version 2" rpmi enforce -U "$P/kpkg-2.rpm"
	exec_ok "rpm: upgraded script runs" "$R/usr/bin/kpkg-hello" "kpkg 2"
	exec_ok "rpm: upgraded %caps binary keeps cap_net_raw" "$RUNAS" "caps euid=1000 net_raw=1" 1000 "$R/usr/sbin/kpkg-caps" caps
	expect_ok "rpm: erase" rpmi enforce -e kpkg
	same "rpm: erase removed the files" "$(ls "$R/usr/bin" 2>/dev/null)" ""

	run rpmi enforce -i "$P/kpkg-untrusted.rpm"
	if [ $rc -ne 0 ]; then ok "rpm: untrusted key refused (enforce)"; else fail "rpm: untrusted key refused (enforce)" "$out"; fi
	case $out in
	*"no trusted certificate has key id"*) ok "rpm: refusal names the unknown key" ;;
	*) fail "rpm: refusal names the unknown key" "$out" ;;
	esac
	nothing_left "rpm: untrusted"
	;;

x509-nosetup | hmac)
	# The kernel refuses the first security.* write on a new file.
	run rpmi enforce -i "$P/kpkg-1.rpm"
	if [ $rc -ne 0 ]; then ok "rpm: enforce: package refused"; else fail "rpm: enforce: package refused" "$out"; fi
	case $out in
	*"evmpkg: EVM:"*) ok "rpm: the plugin explains the kernel's EVM mode" ;;
	*) fail "rpm: the plugin explains the kernel's EVM mode" "$out" ;;
	esac
	case $out in
	*"Operation not permitted"*) ok "rpm: the refusal says EPERM" ;;
	*) fail "rpm: the refusal says EPERM" "$out" ;;
	esac
	echo "# $MODE: rpm said: $(printf '%s' "$out" | tr '\n' ' ' | cut -c 1-600)"
	nothing_left "rpm: enforce"
	# rpm itself sets %caps: the kernel refuses that too, whatever the
	# plugin's policy, and rpm removes the package's files.
	run rpmi warn --define '__transaction_ima %{nil}' -i "$P/kpkg-1.rpm"
	case $out in
	*"cap_set_file failed - Operation not permitted"*) ok "rpm: warn: rpm's own %caps write refused by the kernel" ;;
	*) fail "rpm: warn: rpm's own %caps write refused by the kernel" "$out" ;;
	esac
	nothing_left "rpm: warn with %caps"
	# warn, without %caps and with the stock ima plugin off (it fails on
	# EPERM by itself): installed, warnings, no signature the kernel refused.
	run rpmi warn --define '__transaction_ima %{nil}' -i "$P/kpkg-nocaps.rpm"
	if [ $rc -eq 0 ]; then ok "rpm: warn: package installed"; else fail "rpm: warn: package installed" "$out"; fi
	case $out in
	*"warning: evmpkg: kpkg-1-1.x86_64: /usr/bin/kpkg-hello: security.ima: Operation not permitted"*)
		ok "rpm: warn: warning names package, file and step" ;;
	*) fail "rpm: warn: warning names package, file and step" "$out" ;;
	esac
	same "rpm: warn: no security.ima written" "$(xattr_hex "$R/usr/bin/kpkg-hello" security.ima)" ""
	same "rpm: warn: no security.evm written" "$(xattr_hex "$R/usr/bin/kpkg-hello" security.evm)" ""
	exec_denied "rpm: warn: the unsigned file is refused at exec" "$R/usr/bin/kpkg-hello"
	;;
esac
exit 0
