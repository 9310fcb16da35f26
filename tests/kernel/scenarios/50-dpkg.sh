#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# dpkg inside the VM with evmpkg-dpkg-hook as pre- and post-invoke hook,
# unpacking into a root on the ext4 mount, judged by the kernel: after
# `dpkg --unpack` (before any postinst could run) the signed files run
# under appraisal and the setuid binary keeps its privileges; a package
# signed with a key the kernel does not hold is refused and its files do
# not run; where the kernel refuses the writes, dpkg fails.
# shellcheck source=tests/kernel/vmlib.sh
. /vmlib.sh
HOOK=/usr/sbin/evmpkg-dpkg-hook
[ -x "$HOOK" ] || { fail "dpkg: setup" "evmpkg-dpkg-hook not in the VM (build it: make)"; exit 0; }

P=/scenarios/50-dpkg.d
R=$PWD/root
printf 'policy = enforce\ncerts = %s\nsign-config = 1\n' "$CERT_DER" >"$PWD/dpkg.conf"
newroot() {
	rm -rf "$R"
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
	: >"$R/var/lib/dpkg/status"
}
# dp ARGS...: dpkg in the test root with the hooks, as dpkg.cfg.d/evmpkg sets them.
dp() {
	dpkg --root="$R" --admindir="$R/var/lib/dpkg" --force-script-chrootless \
		--force-bad-path --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$PWD/dpkg.conf $HOOK pre-invoke" \
		--post-invoke="EVMPKG_DPKG_CONF=$PWD/dpkg.conf $HOOK post-unpack" "$@"
}

case $MODE in
off | x509)
	newroot
	expect_ok "dpkg: unpack signed package (enforce)" dp --unpack "$P/kdeb.deb"
	exec_ok "dpkg: after unpack the signed script runs under appraisal" "$R/usr/bin/kdeb-hello" "kdeb 1"
	exec_ok "dpkg: setuid binary runs with euid 0 for uid 1000" "$P/runas" "suid euid=0 net_raw=1" 1000 "$R/usr/bin/kdeb-suid" suid
	same "dpkg: pending conffile has no security.evm" "$(xattr_hex "$R/etc/kdeb.conf.dpkg-new" security.evm)" ""
	expect_ok "dpkg: configure" dp --configure -a
	if [ "$MODE" = x509 ]; then
		expect_eperm "dpkg: installed file is immutable (chmod refused)" chmod 700 "$R/usr/bin/kdeb-hello"
		command -v evmpkg >/dev/null &&
			expect_ok "dpkg: evmpkg verify-file agrees" evmpkg verify-file --cert "$CERT" \
				"$R/usr/bin/kdeb-hello" "$R/usr/bin/kdeb-suid"
	fi
	expect_ok "dpkg: the conffile can still be edited" sh -c "echo setting=2 >> '$R/etc/kdeb.conf'"
	run dp --unpack "$P/kdeb-2.deb"
	if [ "$MODE" = off ]; then
		if [ $rc -eq 0 ]; then ok "dpkg: upgrade to version 2"; else fail "dpkg: upgrade to version 2" "$out"; fi
	else
		# Known limit, as for purge below: dpkg's secure_remove of the old
		# setuid file's backup (.dpkg-tmp) chmods it first.
		case $out in
		*"unable to securely remove '$R/usr/bin/kdeb-suid.dpkg-tmp': Operation not permitted"*)
			ok "dpkg: upgrade: known limit: dpkg's chmod of the old setuid file is refused" ;;
		*) fail "dpkg: upgrade: known limit: dpkg's chmod of the old setuid file is refused" "$out" ;;
		esac
	fi
	exec_ok "dpkg: the upgraded script runs" "$R/usr/bin/kdeb-hello" "kdeb 2"
	if [ "$MODE" = off ]; then
		expect_ok "dpkg: purge" dp --purge kdeb
	else
		# The failed upgrade left kdeb half-installed: purge a fresh one.
		newroot
		dp --unpack "$P/kdeb.deb" >/dev/null 2>&1 && dp --configure -a >/dev/null 2>&1
		run dp --purge kdeb
		# Known limit: dpkg chmods a setuid file before unlinking it
		# (secure_remove), and EVM refuses metadata changes on a file
		# with a portable signature. rpm unlinks without a chmod.
		case $out in
		*"unable to securely remove '$R/usr/bin/kdeb-suid': Operation not permitted"*)
			ok "dpkg: purge: known limit: dpkg's chmod of the setuid file is refused" ;;
		*) fail "dpkg: purge: known limit: dpkg's chmod of the setuid file is refused" "$out" ;;
		esac
	fi

	# One unpack run of two packages: kuser's preinst executes ktool's
	# script. The database (and so the preinst in its tmp.ci) is off the
	# appraised ext4; ktool's script is on it.
	newroot
	A=/kadmin
	rm -rf "$A" && mkdir -p "$A/info" "$A/updates" && : >"$A/status"
	run dp --admindir="$A" --unpack "$P/ktool.deb" "$P/kuser.deb"
	case $rc:$out in
	0:*) fail "dpkg: one run: the later preinst cannot run the earlier package's file" "$out" ;;
	*"kuser"*"pre-installation script subprocess returned error"*)
		ok "dpkg: one run: the later preinst cannot run the earlier package's file" ;;
	*) fail "dpkg: one run: the later preinst cannot run the earlier package's file" "$out" ;;
	esac
	newroot
	rm -rf "$A" && mkdir -p "$A/info" "$A/updates" && : >"$A/status"
	expect_ok "evmpkg-dpkg: the same run split: the preinst runs the signed file" \
		env EVMPKG_DPKG_CONF="$PWD/dpkg.conf" "$HOOK" dpkg --root="$R" --admindir="$A" \
		--force-script-chrootless --force-bad-path --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$PWD/dpkg.conf $HOOK pre-invoke" \
		--post-invoke="EVMPKG_DPKG_CONF=$PWD/dpkg.conf $HOOK post-unpack" \
		--unpack "$P/ktool.deb" "$P/kuser.deb"
	exec_ok "evmpkg-dpkg: both packages' files run under appraisal" \
		sh "ktool ran
kuser ran" -c "'$R/usr/bin/ktool' && '$R/usr/bin/kuser'"
	rm -rf "$A"

	newroot
	run dp --unpack "$P/kdeb-untrusted.deb"
	if [ $rc -ne 0 ]; then ok "dpkg: untrusted key refused (enforce)"; else fail "dpkg: untrusted key refused (enforce)" "$out"; fi
	case $out in
	*"no trusted certificate has key id"*) ok "dpkg: refusal names the unknown key" ;;
	*) fail "dpkg: refusal names the unknown key" "$out" ;;
	esac
	same "dpkg: untrusted: no security.evm written" "$(xattr_hex "$R/usr/bin/kdeb-hello" security.evm)" ""
	exec_denied "dpkg: untrusted: the file is refused at exec" "$R/usr/bin/kdeb-hello"
	expect_fail "dpkg: untrusted: not configured" dp --configure -a
	;;

x509-nosetup | hmac)
	newroot
	run dp --unpack "$P/kdeb.deb"
	if [ $rc -ne 0 ]; then ok "dpkg: enforce: the hook fails dpkg"; else fail "dpkg: enforce: the hook fails dpkg" "$out"; fi
	case $out in
	*"evmpkg: EVM:"*) ok "dpkg: the hook explains the kernel's EVM mode" ;;
	*) fail "dpkg: the hook explains the kernel's EVM mode" "$out" ;;
	esac
	case $out in
	*"Operation not permitted"*) ok "dpkg: the refusal says EPERM" ;;
	*) fail "dpkg: the refusal says EPERM" "$out" ;;
	esac
	echo "# $MODE: dpkg said: $(printf '%s' "$out" | tr '\n' ' ' | cut -c 1-600)"
	exec_denied "dpkg: the unsigned file is refused at exec" "$R/usr/bin/kdeb-hello"
	expect_fail "dpkg: not configured" dp --configure -a
	;;
esac
exit 0
