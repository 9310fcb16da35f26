#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dnf 4: packages built with rpmbuild and signed with `evmpkg sign`,
# published with createrepo_c, installed by real dnf with --installroot
# into scratch roots with rpm's evmpkg plugin and dnf's evmpkg plugin
# (dnf-plugin/), every installed file checked with evmctl (the oracle).
# A refused package must be stopped by dnf before rpm's transaction, with
# package, file and field in dnf's output. Each dnf runs in a mount
# namespace of its own with a copy of securityfs over /sys/kernel/security,
# so the kernel state the plugins read is the test's.
set -u
T_NAME=dnf
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/rpmdebian.sh
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"
TAMPER="$PWD/$B/tests/rpm-tamper"

for t in dnf createrepo_c evmctl unshare; do
	command -v "$t" >/dev/null || { not_ok "$t installed" "apt-get install dnf createrepo-c (make deps)"; finish; exit 1; }
done
for f in "$EVMPKG" "$TAMPER" "$B/rpm-plugin/zz_evmpkg.so" "$B/dnf-plugin/evmpkg.py"; do
	[ -e "$f" ] || { not_ok "$f built" "make B=$B all check deps first"; finish; exit 1; }
done

work=$(mktemp -d /var/tmp/evmpkg-dnf.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
newroot() {	# newroot DIR: the target's accounts (evmuser a fixed id), nothing else
	mkdir -p "$1/etc" &&
	echo 'root:x:0:0:root:/root:/bin/sh
evmuser:x:1234:1234::/:/bin/sh' > "$1/etc/passwd" &&
	echo 'root:x:0:
evmuser:x:1234:' > "$1/etc/group"
}
newroot "$work"

for v in 1 2; do
	rpmbuild --quiet --define "_topdir $work/top" --define "ver $v" \
		-bb tests/rpm/pkgs/evmdemo.spec >"$work/build-$v.log" 2>&1
	expect "rpmbuild evmdemo $v" test -f "$work/top/RPMS/noarch/evmdemo-$v-1.noarch.rpm"
done
sign() {	# sign VERSION OUT KEY
	"$EVMPKG" sign --key "$keys/$3.pem" --passwd "$work/etc/passwd" --group "$work/etc/group" \
		-o "$2" "$work/top/RPMS/noarch/evmdemo-$1-1.noarch.rpm" >/dev/null 2>&1
}
repo() {	# repo NAME RPM...: a repository of its own for each case
	local d=$work/repo-$1
	shift
	mkdir -p "$d" && cp "$@" "$d/" && createrepo_c -q "$d"
}
expect "sign v1" sign 1 "$work/s1.rpm" rsa2048
expect "sign v2" sign 2 "$work/s2.rpm" rsa2048
expect "sign v1 with a key nobody trusts" sign 1 "$work/other.rpm" other
expect "tamper: flip the last byte of /usr/bin/evmdemo's security.evm in the manifest" \
	"$TAMPER" "$work/s1.rpm" "$work/tampered.rpm" evm /usr/bin/evmdemo
# (the empty target has no /bin/sh for its script to require)
rpmbuild --quiet --define "_topdir $work/top" --define '__requires_exclude ^/bin/sh$' \
	-bb tests/rpm/specs/evmtest.spec >"$work/build-evmtest.log" 2>&1
expect "rpmbuild evmtest, sign it and tamper with it" sh -c "'$EVMPKG' sign --key '$keys/rsa2048.pem' \
	-o '$work/evmtest.rpm' '$work'/top/RPMS/noarch/evmtest-*.rpm >/dev/null 2>&1 &&
	'$TAMPER' '$work/evmtest.rpm' '$work/evmtest-bad.rpm' evm /usr/bin/evmtest-hello"
expect "createrepo_c: good" repo good "$work/s1.rpm"
expect "createrepo_c: a good package and a tampered one" repo pair "$work/s1.rpm" "$work/evmtest-bad.rpm"
expect "createrepo_c: upgrade" repo upgrade "$work/s2.rpm"
expect "createrepo_c: tampered" repo tampered "$work/tampered.rpm"
expect "createrepo_c: untrusted" repo untrusted "$work/other.rpm"

# rpm's side: the built plugin (it writes security.ima too where rpm's
# stock ima plugin is not loaded), loaded through a macros file (~/.rpmmacros of a scratch HOME: read after /etc/rpm/macros.*,
# as any macros file there is). dnf's side: the built plugin, its config.
mkdir -p "$work/plugins" "$work/dnfplugins" "$work/dnfconf"
ln -s "$PWD/$B/rpm-plugin/zz_evmpkg.so" "$work/plugins/zz_evmpkg.so"
ln -s "$PWD/$B/dnf-plugin/evmpkg.py" "$work/dnfplugins/evmpkg.py"
printf '[main]\nenabled = 1\ncommand = %s\n' "$EVMPKG" > "$work/dnfconf/evmpkg.conf"
cat > "$work/dnf.conf" <<EOF
[main]
gpgcheck=0
reposdir=$work/no-repos
cachedir=/var/cache/dnf
pluginpath=$work/dnfplugins
pluginconfpath=$work/dnfconf
EOF
home() {	# home NAME MACRO-LINE...: a HOME whose ~/.rpmmacros has these too
	mkdir -p "$work/home-$1"
	local h=$work/home-$1/.rpmmacros
	shift
	{ cat "$PWD/$B/rpm-plugin/macros.transaction_zz_evmpkg"
	  printf '%s\n' "%__plugindir $work/plugins" "%_dbpath /var/lib/rpm" \
		"%_evmpkg_certs $keys/rsa2048.der" "$@"; } > "$h"
}
home enforce
home warn "%_evmpkg_policy warn"
home off "%__transaction_zz_evmpkg %{nil}"
home bad "%_evmpkg_policy sometimes"
# Trust kind by kind: the certificate for IMA only, or for each kind.
home imaonly "%_evmpkg_certs %{nil}" "%_evmpkg_ima_certs $keys/rsa2048.der" "%_evmpkg_evm_certs %{nil}"
home kinds "%_evmpkg_certs %{nil}" "%_evmpkg_ima_certs $keys/rsa2048.der" "%_evmpkg_evm_certs $keys/rsa2048.der"
sfs() {	# sfs NAME EVM-VALUE: a copy of securityfs as the kernel shows it
	mkdir -p "$work/sfs-$1/ima"
	echo "$2" > "$work/sfs-$1/evm"
}
sfs off 0
sfs x509 2
sfs hmac 3

# dnfr ROOT HOME SFS REPO dnf-args...: dnf as a user runs it, in a mount
# namespace where /sys/kernel/security is the copy SFS.
dnfr() {
	local root=$1 h=$2 s=$3 r=$4
	shift 4
	HOME=$work/home-$h unshare --mount --propagation private sh -c \
		'mount --bind "$1" /sys/kernel/security && shift && exec "$@"' sh "$work/sfs-$s" \
		dnf -c "$work/dnf.conf" --installroot "$root" --releasever 1 \
		--repofrompath "evmtest,file://$work/repo-$r" --repo evmtest -y "$@"
}
signed_files="/usr/bin/evmdemo /usr/bin/evmdemo-suid /usr/sbin/evmdemo-ping /opt/evmdemo/h1 /opt/evmdemo/h2 /opt/evmdemo/data/owned-by-evmuser"
check_installed() {	# check_installed ROOT NAME: every signed file, by evmctl
	local f bad=
	for f in $signed_files; do
		evmctl ima_verify --key "$keys/rsa2048.der" "$1$f" >/dev/null 2>&1 &&
			evmctl verify --key "$keys/rsa2048.der" "$1$f" >/dev/null 2>&1 || bad="$bad $f"
	done
	same "$2: every signed file passes evmctl ima_verify and verify" "$bad" ""
}
# before_rpm NAME LOG PATTERN: PATTERN is in dnf's output before rpm's
# transaction starts (dnf prints "Running transaction" just before it).
before_rpm() {
	local at run
	at=$(grep -n -m1 -e "$3" "$2" | cut -d: -f1)
	run=$(grep -n -m1 -x 'Running transaction' "$2" | cut -d: -f1)
	if [ -n "$at" ] && { [ -z "$run" ] || [ "$at" -lt "$run" ]; }; then ok "$1"
	else not_ok "$1" "'$3' at line ${at:-none}, Running transaction at ${run:-none}: $(tail -n 4 "$2")"; fi
}
nothing_installed() {	# nothing_installed ROOT NAME
	same "$2: no file of the package on disk" "$(cd "$1" && find usr opt etc/evmdemo -type f 2>/dev/null | head -3)" ""
	refuse "$2: rpmdb does not list it" rpm --root "$1" --dbpath /var/lib/rpm -q evmdemo
}

# Accepted: installed, every file verifies, then an upgrade.
R=$work/root-good
newroot "$R"
dnfr "$R" enforce off good install evmdemo >"$work/good.out" 2>&1
same "enforce: dnf installs the signed package" "$?" 0
same "... rpmdb lists it" "$(rpm --root "$R" --dbpath /var/lib/rpm -q evmdemo 2>&1)" evmdemo-1-1.noarch
check_installed "$R" "dnf install"
same "... dnf says nothing of evmpkg" "$(grep -c "evmpkg:" "$work/good.out")" 0
dnfr "$R" enforce off upgrade upgrade >"$work/upgrade.out" 2>&1
same "enforce: dnf upgrades to the signed v2" "$?:$(rpm --root "$R" --dbpath /var/lib/rpm -q evmdemo 2>&1)" 0:evmdemo-2-1.noarch
check_installed "$R" "dnf upgrade"
same "... v2 content" "$(cat "$R/opt/evmdemo/h2")" "linked 2"

# Refused: dnf stops before rpm's transaction and says why.
refused() {	# refused NAME REPO PATTERN [PACKAGE...]: default evmdemo
	local R=$work/root-$1 name=$1 repo=$2 pat=$3
	shift 3
	newroot "$R"
	dnfr "$R" "${RHOME:-enforce}" off "$repo" install "${@:-evmdemo}" >"$work/$name.out" 2>&1
	expect "$name: dnf fails" test $? -ne 0
	set -- "$name" "$repo" "$pat"
	before_rpm "$1: dnf's error names package, file and field before rpm runs" "$work/$1.out" "$3"
	same "$1: rpm's transaction never started" "$(grep -c -x 'Running transaction' "$work/$1.out")" 0
	nothing_installed "$R" "$1"
}
refused tampered tampered "^Error: evmpkg: evmdemo-1-1.noarch: /usr/bin/evmdemo: security.evm: signature does not verify"
refused untrusted untrusted "evmpkg: evmdemo-1-1.noarch: /[^:]*: security.ima: no trusted certificate has key id"
# One transaction of two packages, the second refused: neither installed
# (rpm alone would have committed the first before refusing the second).
refused pair pair "evmpkg: evmtest-1.0-1.noarch: /usr/bin/evmtest-hello: security.evm" evmdemo evmtest
refuse "pair: rpmdb does not list evmtest either" rpm --root "$work/root-pair" --dbpath /var/lib/rpm -q evmtest
# Without the evmpkg command, enforce mode refuses rather than skips.
printf '[main]\nenabled = 1\ncommand = %s\n' "$work/no-such-evmpkg" > "$work/dnfconf/evmpkg.conf"
refused nocommand good "evmpkg: evmdemo-1-1.noarch: $work/no-such-evmpkg: No such file"
printf '[main]\nenabled = 1\ncommand = %s\n' "$EVMPKG" > "$work/dnfconf/evmpkg.conf"
# The rpm plugin's trust kind by kind (inspect --rpm-trust): a certificate
# trusted for IMA only does not pass EVM signatures in dnf's check either.
RHOME=imaonly refused imaonly good \
	"evmpkg: evmdemo-1-1.noarch: /[^:]*: security.evm: no trusted certificate has key id [0-9a-f]* (for EVM signatures)"
R=$work/root-kinds
newroot "$R"
dnfr "$R" kinds off good install evmdemo >"$work/kinds.out" 2>&1
same "the certificate in %_evmpkg_ima_certs and %_evmpkg_evm_certs: dnf installs" "$?" 0
check_installed "$R" "trust kind by kind"

# warn: installs, with the reason shown before rpm runs; no security.evm
# where it does not verify.
R=$work/root-warn
newroot "$R"
dnfr "$R" warn off tampered install evmdemo >"$work/warn.out" 2>&1
same "warn: dnf installs the tampered package" "$?" 0
before_rpm "warn: the reason is shown before rpm runs" "$work/warn.out" \
	"evmpkg: evmdemo-1-1.noarch: /usr/bin/evmdemo: security.evm: signature does not verify"
refuse "warn: the tampered file has no security.evm" getfattr -n security.evm "$R/usr/bin/evmdemo"
expect "warn: the others verify (evmctl)" evmctl verify --key "$keys/rsa2048.der" "$R/usr/bin/evmdemo-suid"

# Off through a macros file: rpm loads no evmpkg plugin and dnf's says nothing.
R=$work/root-off
newroot "$R"
dnfr "$R" off off tampered install evmdemo >"$work/off.out" 2>&1
same "off (%__transaction_zz_evmpkg %{nil} in a macros file): dnf installs" "$?" 0
same "... dnf says nothing of evmpkg" "$(grep -c "evmpkg:" "$work/off.out")" 0
refuse "... no security.evm written" getfattr -n security.evm "$R/usr/bin/evmdemo-suid"

# The kernel notice: once in dnf's output (from dnf's plugin, before rpm
# runs; rpm's plugin stays quiet in dnf's test and real transactions).
R=$work/root-x509
newroot "$R"
dnfr "$R" enforce x509 good install evmdemo >"$work/x509.out" 2>&1
same "securityfs evm=2: dnf installs" "$?" 0
same "... the kernel notice appears exactly once" "$(grep -c 'evmpkg: EVM: X.509 signatures verified' "$work/x509.out")" 1
before_rpm "... before rpm runs" "$work/x509.out" "evmpkg: EVM: X.509 signatures verified"
same "securityfs evm=0: no notice" "$(grep -c 'evmpkg: EVM' "$work/good.out")" 0
R=$work/root-hmac
newroot "$R"
dnfr "$R" enforce hmac good install evmdemo >"$work/hmac.out" 2>&1
same "securityfs evm=3 (HMAC): the kernel notice once, before rpm runs" \
	"$(grep -c 'evmpkg: EVM: HMAC key loaded' "$work/hmac.out")" 1
before_rpm "... before rpm runs" "$work/hmac.out" "evmpkg: EVM: HMAC key loaded"

# A policy the rpm plugin refuses: it fails when dnf fills rpm's
# transaction, before dnf's plugin runs; dnf shows rpm's words.
R=$work/root-badpolicy
newroot "$R"
dnfr "$R" bad off good install evmdemo >"$work/badpolicy.out" 2>&1
expect "%_evmpkg_policy sometimes: dnf fails" test $? -ne 0
expect "... saying why" grep -q "evmpkg: %_evmpkg_policy 'sometimes': use enforce, warn or off" "$work/badpolicy.out"
nothing_installed "$R" "bad policy"
# rpm's plugin alone: once per real transaction, never in a test one.
rpmx() {	# rpmx ROOT rpm-args...: rpm with the plugin and securityfs evm=2
	local root=$1
	shift
	HOME=$work/home-enforce unshare --mount --propagation private sh -c \
		'mount --bind "$1" /sys/kernel/security && shift && exec "$@"' sh "$work/sfs-x509" \
		rpm --root "$root" $RPM_FORCE_DEBIAN --nodeps "$@"
}
R=$work/root-rpm
newroot "$R"
rpmx "$R" -i --test "$work/s1.rpm" >"$work/rpm-test.out" 2>&1
same "rpm -i --test: no kernel notice (test transaction)" "$?:$(grep -c 'evmpkg: EVM' "$work/rpm-test.out")" 0:0
rpmx "$R" -i "$work/s1.rpm" >"$work/rpm-real.out" 2>&1
same "rpm -i: the kernel notice once" "$?:$(grep -c 'evmpkg: EVM: X.509' "$work/rpm-real.out")" 0:1

finish
