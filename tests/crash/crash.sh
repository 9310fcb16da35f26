#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash consistency: rpm, dpkg, the dpkg hook and `evmpkg sign` (in place)
# killed with SIGKILL at many points of a 300-file package, the point set
# by a counter (tests/faults/faultinj.c, FAULT_ACTION=kill: the Nth
# security.evm write, the Nth rename) or by a timer; then recovered as an
# administrator would: `evmpkg verify` first, which names every file of
# an unpacked package that is not signed, says a package dpkg left
# half-installed is so, and one the killed run left out of the database
# is not installed (as `evmpkg apply` does);
# `evmpkg apply` for a package dpkg has unpacked (the hook killed); rpm -i
# again, dpkg --unpack again, dpkg --configure -a. Right after each kill
# no file carries a security.evm that does not verify, and a package
# signed in place is either the original or complete; after recovery
# every file verifies (evmctl) and `evmpkg verify` exits 0.
# tests/crash/crash-apt.sh does the same under apt.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/rpmdebian.sh
T_NAME=crash
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"
HOOK=$PWD/$B/dpkg-hook/evmpkg-dpkg-hook
FI="$PWD/$B/tests/faultinj.so"
NFILES=300
POINTS=${POINTS:-1 150 300}
SYSPLUGINS=$(rpm --eval '%{__plugindir}')
[ -d "$SYSPLUGINS" ] || SYSPLUGINS=/usr/lib/$(gcc -print-multiarch)/rpm-plugins
[ "$(id -u)" = 0 ] || { not_ok setup "needs root"; finish; exit 1; }
for t in rpm rpmbuild dpkg dpkg-deb evmctl "$FI" "$HOOK" "$EVMPKG"; do
	command -v "$t" >/dev/null || { not_ok setup "needs $t"; finish; exit 1; }
done
work=$(mktemp -d /var/tmp/evmpkg-crash.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
CERT=$keys/rsa2048.der
. tests/debdemo.sh
. tests/debcheck.sh
. tests/crash/evmcheck.bash
debcheck_accounts

bad_evm_ok() {	# bad_evm_ok NAME DIR
	same "$1: no security.evm that does not verify" "$(evm_bad "$2")" ""
}
verify() { "$EVMPKG" verify --root "$1" --cert "$CERT" "${@:2}"; }
# not_there NAME ROOT: evmpkg verify and apply both say the package the
# killed run left out of the database is not installed.
not_there() {
	local verb
	for verb in verify apply; do
		"$EVMPKG" $verb --root "$2" --cert "$CERT" evmmany >"$work/o" 2>&1
		same "$1: evmpkg $verb evmmany: exit status" "$?" 2
		expect "$1: evmpkg $verb evmmany: says it is not installed" \
			grep -qx "evmpkg: evmmany: not installed" "$work/o"
	done
}

# --- the packages: 300 files under /opt/many ------------------------------
cat > "$work/many.spec" <<SPEC
Name: evmmany
Version: 1
Release: 1
Summary: many files
License: GPL-2.0-or-later
BuildArch: noarch
%description
many
%install
mkdir -p %{buildroot}/opt/many
for i in \$(seq 1 $NFILES); do printf 'file %s\n' \$i > %{buildroot}/opt/many/f\$i; done
%files
/opt/many
SPEC
rpmbuild --quiet --define "_topdir $work/top" -bb "$work/many.spec" >/dev/null 2>&1
"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" -o "$work/s.rpm" \
	"$work/top/RPMS/noarch/evmmany-1-1.noarch.rpm" >/dev/null 2>&1
expect "the signed rpm package" "$EVMPKG" inspect --cert "$CERT" "$work/s.rpm"
mkdir -p "$work/deb/DEBIAN" "$work/deb/opt/many"
printf 'Package: evmmany\nVersion: 1\nArchitecture: all\nMaintainer: evmpkg <evmpkg@localhost>\nDescription: many files\n' > "$work/deb/DEBIAN/control"
for i in $(seq 1 $NFILES); do printf 'file %s\n' "$i" > "$work/deb/opt/many/f$i"; done
dpkg-deb -Zxz -b "$work/deb" "$work/v.deb" >/dev/null 2>&1
sign "$work/v.deb" "$work/s.deb"
expect "the signed .deb" "$EVMPKG" inspect --cert "$CERT" "$work/s.deb"

# --- rpm killed at the Nth security.evm write, then rpm -i again ----------
mkdir -p "$work/plugins"
ln -s "$PWD/$B/rpm-plugin/zz_evmpkg.so" "$work/plugins/zz_evmpkg.so"
ln -s "$SYSPLUGINS/ima.so" "$work/plugins/ima.so"
rpmr() {
	local root=$1
	shift
	rpm --root "$root" --dbpath /var/lib/rpm --nodeps $RPM_FORCE_DEBIAN \
		--load "$PWD/$B/rpm-plugin/macros.transaction_zz_evmpkg" \
		--define "__plugindir $work/plugins" --define "_evmpkg_policy enforce" \
		--define "_evmpkg_certs $CERT" "$@"
}
for n in $POINTS; do
	R=$work/r
	rm -rf "$R"
	mkdir -p "$R/etc"
	rpm --root "$R" --dbpath /var/lib/rpm --initdb
	(export LD_PRELOAD="$FI" FAULT_CALL=fsetxattr FAULT_XATTR=security.evm FAULT_NTH="$n" \
		FAULT_ACTION=kill; rpmr "$R" -i "$work/s.rpm") >"$work/o" 2>&1
	rc=$?
	same "rpm killed before the evm write of file $n: killed" "$rc" 137
	bad_evm_ok "rpm killed at file $n" "$R"
	refuse "rpm killed at file $n: not in the rpmdb" rpm --root "$R" --dbpath /var/lib/rpm -q evmmany
	not_there "rpm killed at file $n" "$R"
	# rpm names its temporary files NAME;TXID, the transaction id being
	# the time in seconds: a run in the same second as the killed one
	# meets the killed run's temporary file and fails (rpm's own).
	sleep 1
	rpmr "$R" -i "$work/s.rpm" >"$work/rec.out" 2>&1
	rc=$?
	same "rpm killed at file $n: rpm -i again" "$rc" 0
	[ "$rc" -eq 0 ] || grep -v securityfs "$work/rec.out" | tail -n 3
	expect "rpm killed at file $n: then every file verifies" all_verify "$R/opt/many" $NFILES
	expect "rpm killed at file $n: then evmpkg verify exits 0" verify "$R"
	expect "rpm killed at file $n: then evmpkg verify evmmany exits 0" verify "$R" evmmany
	# rpm's temporary files (NAME;TXID) of the killed run stay behind,
	# never renamed into place, as checked right after the kill.
	ok "rpm killed at file $n: $(find "$R/opt/many" -name '*;*' | wc -l) temporary files of the killed run left by rpm"
done

# --- dpkg killed at the Nth rename; the hook killed at the Nth evm write ---
printf 'policy = enforce\ncerts = %s\n' "$CERT" > "$work/dpkg.conf"
dnewroot() {
	rm -rf "$1"
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates"
	touch "$1/var/lib/dpkg/status"
}
dp() {	# dp ROOT HOOK-ENV dpkg-args...
	local r=$1 env=$2
	shift 2
	dpkg --root="$r" --admindir="$r/var/lib/dpkg" --force-script-chrootless --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK pre-invoke" \
		--post-invoke="$env EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK post-unpack" "$@"
}
for n in $POINTS; do
	R=$work/d
	dnewroot "$R"
	(export LD_PRELOAD="$FI" FAULT_CALL=rename FAULT_NTH="$n" FAULT_ACTION=kill FAULT_COMM=dpkg
	 dp "$R" "" --unpack "$work/s.deb") >"$work/o" 2>&1
	same "dpkg killed at rename $n: killed" "$?" 137
	bad_evm_ok "dpkg killed at rename $n" "$R"
	# dpkg records the package before its first file, after its own
	# first rename: at rename 1 it has not.
	st=$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Status}' evmmany 2>/dev/null)
	expect "dpkg killed at rename $n: half-installed or not recorded yet ('$st')" \
		test "$st" = "install reinstreq half-installed" -o \( "$n" = 1 -a -z "$st" \)
	if [ -n "$st" ]; then
		for verb in verify apply; do
			"$EVMPKG" $verb --root "$R" --cert "$CERT" --all >"$work/o" 2>&1
			same "dpkg killed at rename $n: evmpkg $verb: exit status" "$?" 1
			expect "dpkg killed at rename $n: evmpkg $verb: says evmmany is half-installed" \
				grep -q "^evmpkg: evmmany: half-installed" "$work/o"
		done
	else
		not_there "dpkg killed at rename $n" "$R"
	fi
	dp "$R" "" --unpack "$work/s.deb" >"$work/o" 2>&1
	same "dpkg killed at rename $n: dpkg --unpack again" "$?" 0
	dp "$R" "" --configure -a >"$work/o" 2>&1
	same "dpkg killed at rename $n: dpkg --configure -a" "$?" 0
	expect "dpkg killed at rename $n: then every file verifies" all_verify "$R/opt/many" $NFILES
	expect "dpkg killed at rename $n: then evmpkg verify exits 0" verify "$R"

	dnewroot "$R"
	dp "$R" "LD_PRELOAD=$FI FAULT_CALL=fsetxattr FAULT_XATTR=security.evm FAULT_NTH=$n FAULT_ACTION=kill" \
		--unpack "$work/s.deb" >"$work/o" 2>&1
	expect "hook killed at evm write $n: dpkg --unpack fails" test $? -ne 0
	same "hook killed at evm write $n: unpacked" \
		"$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Status}' evmmany)" "install ok unpacked"
	accounted "hook killed at evm write $n" "$R" "" "$R/opt"
	# At least the file of the killed write; the hook's other threads
	# may have finished a few writes counted after it.
	expect "hook killed at evm write $n: evmpkg verify names the files left unwritten" \
		test "$REPORTED" -ge 1
	"$EVMPKG" apply --root "$R" --cert "$CERT" evmmany >"$work/o" 2>&1
	same "hook killed at evm write $n: evmpkg apply evmmany" "$?" 0
	expect "hook killed at evm write $n: then evmpkg verify exits 0" verify "$R"
	expect "hook killed at evm write $n: then every file verifies" all_verify "$R/opt/many" $NFILES
	dp "$R" "" --configure -a >"$work/o" 2>&1
	same "hook killed at evm write $n: then dpkg --configure -a" "$?" 0
	same "hook killed at evm write $n: then installed" \
		"$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Status}' evmmany)" "install ok installed"
	expect "hook killed at evm write $n: then evmpkg verify still exits 0" verify "$R"
done

# --- evmpkg sign in place, killed at its fsync, its rename, and by timers ---
orig=$(sha256sum < "$work/top/RPMS/noarch/evmmany-1-1.noarch.rpm")
check_inplace() {	# check_inplace NAME: the original or complete, then signed again
	local name=$1
	if [ "$(sha256sum < "$work/p.rpm")" = "$orig" ]; then
		ok "$name: the original, untouched"
	elif "$EVMPKG" inspect --cert "$CERT" "$work/p.rpm" >/dev/null 2>&1; then
		ok "$name: complete and signed"
	else
		not_ok "$name" "neither the original nor a complete signed package"
	fi
	rm -f "$work"/p.rpm.evmpkg-* "$work"/.p.rpm.*
	"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" "$work/p.rpm" >/dev/null 2>&1
	expect "$name: signed again, it verifies" "$EVMPKG" inspect --cert "$CERT" "$work/p.rpm"
}
for call in fsync rename; do
	cp "$work/top/RPMS/noarch/evmmany-1-1.noarch.rpm" "$work/p.rpm"
	env LD_PRELOAD="$FI" FAULT_CALL=$call FAULT_NTH=1 FAULT_ACTION=kill \
		"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" "$work/p.rpm" >/dev/null 2>&1
	same "sign in place killed at its $call: killed" "$?" 137
	check_inplace "sign in place killed at its $call"
done
for t in 0.02 0.05 0.1 0.2 0.4 0.8; do
	cp "$work/top/RPMS/noarch/evmmany-1-1.noarch.rpm" "$work/p.rpm"
	timeout -s KILL "$t" "$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" -j 1 "$work/p.rpm" >/dev/null 2>&1
	check_inplace "sign in place, SIGKILL after ${t}s (exit $?)"
done
finish
