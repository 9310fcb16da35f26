#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# evmpkg-dpkg-hook with real dpkg: signed .debs unpacked into scratch roots
# (dpkg --root, hooks given on the command line as a dpkg.cfg would give
# them), every installed value checked with getfattr and with evmctl (the
# independent oracle: ima_verify and verify with the signing certificate);
# refusals in enforce mode leave no security.evm that fails to verify; the
# apt Pre-Install-Pkgs check fed protocol version 3 text by hand.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/debdemo.sh
. tests/debcheck.sh
T_NAME=${HOOK_TIER:-dpkg-hooks}
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"
HOOK=${HOOK:-$PWD/$B/dpkg-hook/evmpkg-dpkg-hook}

work=$(mktemp -d /var/tmp/evmpkg-dpkghook.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
for t in dpkg dpkg-deb evmctl getfattr getcap jq; do
	command -v "$t" >/dev/null || { not_ok setup "needs $t (make deps)"; finish; exit 1; }
done
[ "$(id -u)" = 0 ] || { not_ok setup "needs root (security.* xattrs, chown)"; finish; exit 1; }
CERT=$keys/rsa2048.der

debcheck_accounts

# The package: executables, setuid, hardlinks, a conffile, a symlink, an
# owner with a fixed id and none with a name. Its postinst (run chrootless)
# records what it sees of a signed file: signatures must precede it.
P=$work/pkg
debdemo_tree "$P"
printf '#!/bin/sh\n[ "$1" = configure ] || exit 0\ngetfattr --absolute-names -d -m security.evm "$DPKG_ROOT/usr/bin/demo" > "$DPKG_ROOT/postinst-saw" 2>&1\n' > "$P/DEBIAN/postinst"
chmod 0755 "$P/DEBIAN/postinst"
dpkg-deb -Zxz --build "$P" "$work/v1.deb" >/dev/null 2>&1
expect "sign with --sign-config" sign "$work/v1.deb" "$work/s1.deb" --sign-config
"$EVMPKG" inspect --json --cert "$CERT" "$work/s1.deb" >"$work/s1.json" 2>/dev/null

# A tampered manifest: the last byte of evmsig flipped, rebuilt by dpkg-deb.
dpkg-deb -R "$work/s1.deb" "$work/bad"
sz=$(stat -c %s "$work/bad/DEBIAN/evmsig")
flip_byte "$work/bad/DEBIAN/evmsig" $((sz - 1))
dpkg-deb -b "$work/bad" "$work/bad.deb" >/dev/null 2>&1

conf() {	# conf FILE key=value...
	local f=$1
	shift
	printf '%s\n' "# test configuration" "$@" > "$f"
}
conf "$work/enforce.conf" "policy = enforce" "certs = $CERT" "sign-config = 1" "split-unpack = 1"
conf "$work/warn.conf" "policy = warn" "certs = $CERT" "sign-config = 1"
conf "$work/other.conf" "policy = enforce" "certs = $keys/other.der" "sign-config = 1"

newroot() {
	rm -rf "$1"
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates"
	touch "$1/var/lib/dpkg/status"
}
# dp ROOT CONF dpkg-args...: dpkg with the hooks as dpkg.cfg.d/evmpkg sets them.
dp() {
	local r=$1 c=$2
	shift 2
	dpkg --root="$r" --admindir="$r/var/lib/dpkg" --force-script-chrootless \
		--log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$c $HOOK pre-invoke" \
		--post-invoke="EVMPKG_DPKG_CONF=$c $HOOK post-unpack" "$@"
}

# --- unpack then configure, enforce mode --------------------------------
R=$work/root
newroot "$R"
dp "$R" "$work/enforce.conf" --unpack "$work/s1.deb" >"$work/unpack.out" 2>&1
same "dpkg --unpack with the hooks: exit status" "$?" 0
expect "conffile still pending after unpack" test -f "$R/etc/demo/demo.conf.dpkg-new"
same "pending conffile: security.ima written" \
	"$(xattr security.ima "$R/etc/demo/demo.conf.dpkg-new")" \
	"$(jq -r 'select(.path == "/etc/demo/demo.conf") | .ima_value' "$work/s1.json")"
cp -a --no-preserve=xattr "$R" "$work/root-before-hook-again" 2>/dev/null
dump() { (cd "$R" && getfattr -R -h -d -m 'security\.' -e hex . 2>/dev/null); }
before=$(dump)
DPKG_ROOT=$R DPKG_HOOK_ACTION=unpack EVMPKG_DPKG_CONF=$work/enforce.conf "$HOOK" post-unpack >"$work/again.out" 2>&1
same "post-unpack again: exit status" "$?" 0
same "post-unpack again: nothing changes (idempotent)" "$(dump)" "$before"
dp "$R" "$work/enforce.conf" --configure -a >"$work/configure.out" 2>&1
same "dpkg --configure: exit status" "$?" 0
same "dpkg --audit: nothing to report" "$(dpkg --root="$R" --admindir="$R/var/lib/dpkg" --audit 2>&1)" ""
# A trust list that was set and names nothing that exists is refused
# (a typo would leave the trust empty); the settings' name is given.
printf 'policy = enforce\ncerts = %s\nevm-certs = %s\n' "$CERT" "$work/no-such.der" > "$work/typo.conf"
DPKG_ROOT=$R DPKG_HOOK_ACTION=unpack EVMPKG_DPKG_CONF=$work/typo.conf "$HOOK" post-unpack >"$work/typo.out" 2>&1
same "evm-certs naming nothing: post-unpack fails" "$?" 2
expect "... naming the setting" grep -q "^evmpkg: evm-certs names no certificate that exists ($work/no-such.der)" "$work/typo.out"
expect "the postinst saw security.evm on its files" grep -q '^security.evm=' "$R/postinst-saw"

# Every file signed for IMA and EVM: the values of the manifest, and
# evmctl verifies both against the certificate and the file as it is.
check_signed "$R" "$work/s1.json"
same "files with IMA and EVM signatures checked" "$CHECKED" 5
same "owner by number kept" "$(stat -c %u:%g:%a "$R/opt/demo/data/owned")" "1234:1234:640"
same "setuid mode kept" "$(stat -c %u:%g:%a "$R/usr/bin/demo-suid")" "0:0:4755"
same "hardlinks share the inode" "$(stat -c %i "$R/usr/bin/demo")" "$(stat -c %i "$R/usr/bin/demo-link")"
C=$R/etc/demo/demo.conf
same "conffile: security.ima as signed" "$(xattr security.ima "$C")" \
	"$(jq -r 'select(.path == "/etc/demo/demo.conf") | .ima_value' "$work/s1.json")"
expect "conffile: evmctl ima_verify" evmctl ima_verify --key "$CERT" "$C"
same "conffile: no security.evm" "$(xattr security.evm "$C")" ""
same "symlink untouched" "$(getfattr -h -d -m 'security\.(ima|evm)' "$R/usr/sbin/demo-symlink" 2>/dev/null)" ""
same "directory untouched" "$(getfattr -d -m 'security\.(ima|evm)' "$R/usr/bin" 2>/dev/null)" ""

# --- upgrade: version 2 replaces the files, each gets its new values -----
sed -i 's/^Version: 1.0-1/Version: 2.0-1/' "$P/DEBIAN/control"
printf '#!/bin/sh\necho demo 2\n' > "$P/usr/bin/demo"
echo "setting=2" > "$P/etc/demo/demo.conf"
dpkg-deb -Zxz --build "$P" "$work/v2.deb" >/dev/null 2>&1
expect "sign version 2" sign "$work/v2.deb" "$work/s2.deb" --sign-config
echo "setting=local" >> "$C"
dp "$R" "$work/enforce.conf" --unpack "$work/s2.deb" >"$work/up.out" 2>&1
same "upgrade: dpkg --unpack exit status" "$?" 0
expect "upgrade: the new file verifies (evmctl verify)" evmctl verify --key "$CERT" "$R/usr/bin/demo"
expect "upgrade: the new file verifies (evmctl ima_verify)" evmctl ima_verify --key "$CERT" "$R/usr/bin/demo"
expect "upgrade: the new conffile is pending with its IMA signature" \
	evmctl ima_verify --key "$CERT" "$R/etc/demo/demo.conf.dpkg-new"
dp "$R" "$work/enforce.conf" --force-confold --configure -a >"$work/up-conf.out" 2>&1
same "upgrade: dpkg --configure (keeping the edited conffile): exit status" "$?" 0
expect "upgrade: the edited conffile is kept" grep -q "setting=local" "$C"
expect "upgrade: the new conffile is kept aside with its signature" \
	evmctl ima_verify --key "$CERT" "$R/etc/demo/demo.conf.dpkg-dist"
same "upgrade: dpkg --audit: nothing to report" "$(dpkg --root="$R" --admindir="$R/var/lib/dpkg" --audit 2>&1)" ""

# --- a dpkg-statoverride: that file gets IMA only -----------------------
R2=$work/root-so
newroot "$R2"
dpkg-statoverride --root="$R2" --admindir="$R2/var/lib/dpkg" --add root root 0755 /usr/bin/demo-suid 2>/dev/null
dp "$R2" "$work/enforce.conf" --unpack "$work/s1.deb" >"$work/so.out" 2>&1
same "statoverride: dpkg --unpack exit status" "$?" 0
expect "statoverride: said once" test "$(grep -c 'demo-suid: has a dpkg-statoverride' "$work/so.out")" = 1
same "statoverride: dpkg applied the override" "$(stat -c %a "$R2/usr/bin/demo-suid")" 755
expect "statoverride: evmctl ima_verify" evmctl ima_verify --key "$CERT" "$R2/usr/bin/demo-suid"
same "statoverride: no security.evm" "$(xattr security.evm "$R2/usr/bin/demo-suid")" ""
expect "statoverride: the other files get EVM" evmctl verify --key "$CERT" "$R2/usr/bin/demo"

# Not root: one notice, nothing written, exit 0 (the statoverride root is
# still unpacked; its files already carry their values).
chmod 0755 "$work"
before=$(getfattr -R -h -d -m 'security\.' -e hex "$R2" 2>/dev/null)
setpriv --reuid=65534 --regid=65534 --clear-groups env DPKG_ROOT="$R2" \
	DPKG_HOOK_ACTION=unpack EVMPKG_DPKG_CONF="$work/enforce.conf" "$HOOK" post-unpack \
	>"$work/nonroot.out" 2>&1
same "not root: post-unpack exit status" "$?" 0
same "not root: one notice" "$(grep -c 'not running as root: IMA/EVM signatures not installed' "$work/nonroot.out")" 1
same "not root: nothing changed" "$(getfattr -R -h -d -m 'security\.' -e hex "$R2" 2>/dev/null)" "$before"
chmod 0700 "$work"

# --- a local diversion: the file is signed where dpkg put it ------------
R9=$work/root-divert
newroot "$R9"
dpkg-divert --root="$R9" --admindir="$R9/var/lib/dpkg" --local \
	--divert /usr/bin/demo.distrib --add /usr/bin/demo >/dev/null 2>&1
dp "$R9" "$work/enforce.conf" --unpack "$work/s1.deb" >"$work/divert.out" 2>&1
same "diversion: dpkg --unpack exit status" "$?" 0
same "diversion: dpkg put the file at the diverted name" "$(ls "$R9/usr/bin" | grep -c '^demo$')" 0
expect "diversion: evmctl verify on the diverted name" evmctl verify --key "$CERT" "$R9/usr/bin/demo.distrib"
expect "diversion: evmctl ima_verify on the diverted name" evmctl ima_verify --key "$CERT" "$R9/usr/bin/demo.distrib"

# --- refusals in enforce mode -------------------------------------------
R3=$work/root-bad
newroot "$R3"
dp "$R3" "$work/enforce.conf" --unpack "$work/bad.deb" >"$work/bad.out" 2>&1
rc=$?
expect "tampered evmsig: dpkg --unpack fails" test "$rc" -ne 0
expect "tampered evmsig: the hook names package, file and field" \
	grep -q 'evmpkg: evmdemo: /.*: .*security\.\(ima\|evm\)' "$work/bad.out"
expect "tampered evmsig: dpkg --audit shows the package" \
	sh -c "dpkg --root='$R3' --admindir='$R3/var/lib/dpkg' --audit | grep -q evmdemo"
expect "tampered evmsig: no security.evm that does not verify" no_bad_evm "$R3"
refuse "tampered evmsig: dpkg --configure -a fails again" dp "$R3" "$work/enforce.conf" --configure -a
expect "... saying how to get out" grep -q "evmdemo: not to be configured: remove it (dpkg --remove evmdemo)" "$work/bad.out"
expect "tampered evmsig: dpkg --remove gets rid of it" dp "$R3" "$work/enforce.conf" --remove evmdemo
same "... and dpkg --audit is clean again" "$(dpkg --root="$R3" --admindir="$R3/var/lib/dpkg" --audit 2>&1)" ""

R4=$work/root-other
newroot "$R4"
refuse "untrusted key: dpkg --unpack fails" dp "$R4" "$work/other.conf" --unpack "$work/s1.deb"
expect "untrusted key: no security.evm that does not verify" no_bad_evm "$R4"
same "untrusted key: nothing written" "$(getfattr -R -h -m 'security\.(ima|evm)' "$R4/usr" 2>/dev/null)" ""

R5=$work/root-warn
newroot "$R5"
dp "$R5" "$work/warn.conf" --unpack "$work/bad.deb" >"$work/warn.out" 2>&1
same "warn mode: tampered evmsig unpacks" "$?" 0
expect "warn mode: reported" grep -q '^evmpkg: evmdemo: ' "$work/warn.out"
expect "warn mode: no security.evm that does not verify" no_bad_evm "$R5"

# --caps: dpkg writes no capabilities, so the hook writes the signed ones
# before security.evm; the postinst's setcap then writes the same value.
rm -rf "$work/pkgcaps"
cp -a "$P" "$work/pkgcaps"
printf '#!/bin/sh\n[ "$1" = configure ] || exit 0\nsetcap cap_net_raw+ep "$DPKG_ROOT/usr/sbin/demo-ping"\n' > "$work/pkgcaps/DEBIAN/postinst"
dpkg-deb -Zxz --build "$work/pkgcaps" "$work/vcaps.deb" >/dev/null 2>&1
expect "sign with --caps" sign "$work/vcaps.deb" "$work/caps.deb" --caps /usr/sbin/demo-ping=cap_net_raw+ep
R8=$work/root-caps
newroot "$R8"
expect "--caps package: unpack" dp "$R8" "$work/enforce.conf" --unpack "$work/caps.deb"
same "--caps package: capabilities written" "$(getcap "$R8/usr/sbin/demo-ping" | awk '{print $2}')" "cap_net_raw=ep"
expect "--caps package: evmctl verify" evmctl verify --key "$CERT" "$R8/usr/sbin/demo-ping"
expect "--caps package: configure (the postinst's setcap rewrites the same value)" \
	dp "$R8" "$work/enforce.conf" --configure -a
expect "--caps package: still verifies after the postinst" evmctl verify --key "$CERT" "$R8/usr/sbin/demo-ping"
expect "... no security.evm that does not verify" no_bad_evm "$R8"

# An unsigned package installs as before.
R6=$work/root-unsigned
newroot "$R6"
expect "unsigned package: unpack" dp "$R6" "$work/enforce.conf" --unpack "$work/v1.deb"
expect "unsigned package: configure" dp "$R6" "$work/enforce.conf" --configure -a

# --- plain dpkg -i: refused in enforce mode, allowed in warn mode --------
R7=$work/root-i
newroot "$R7"
dp "$R7" "$work/enforce.conf" -i "$work/s1.deb" >"$work/i.out" 2>&1
expect "dpkg -i refused in enforce mode" test $? -ne 0
expect "... pointing to dpkg --unpack" grep -q "dpkg --unpack PKG.deb && dpkg --configure -a" "$work/i.out"
same "... before anything is unpacked" "$(ls "$R7/usr" 2>/dev/null)" ""
expect "pre-invoke lets apt's dpkg -i through" env DPKG_HOOK_ACTION=install \
	DPKG_FRONTEND_LOCKED=true EVMPKG_DPKG_CONF="$work/enforce.conf" "$HOOK" pre-invoke
expect "pre-invoke lets --unpack through" env DPKG_HOOK_ACTION=unpack \
	EVMPKG_DPKG_CONF="$work/enforce.conf" "$HOOK" pre-invoke
dp "$R7" "$work/warn.conf" -i "$work/s1.deb" >"$work/iwarn.out" 2>&1
same "dpkg -i in warn mode: installs" "$?" 0
expect "... saying the signatures are not installed" grep -q "they will not be installed by this run" "$work/iwarn.out"

# --- evmpkg dpkg-install: verify, unpack (signatures applied), configure --
dpi() {	# dpi ROOT CONF DEB...: evmpkg dpkg-install into ROOT with the hooks
	local r=$1 c=$2
	shift 2
	env EVMPKG_DPKG_HOOK="$HOOK" EVMPKG_DPKG_CONF="$c" "$EVMPKG" dpkg-install \
		--root="$r" --admindir="$r/var/lib/dpkg" --force-script-chrootless --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$c $HOOK pre-invoke" \
		--post-invoke="EVMPKG_DPKG_CONF=$c $HOOK post-unpack" "$@"
}
R10=$work/root-dpi
newroot "$R10"
expect "evmpkg dpkg-install installs" dpi "$R10" "$work/enforce.conf" "$work/s1.deb"
same "dpkg-install: the package is configured" \
	"$(dpkg --root="$R10" --admindir="$R10/var/lib/dpkg" -s evmdemo 2>/dev/null | sed -n 's/^Status: //p')" "install ok installed"
expect "dpkg-install: the postinst saw security.evm" grep -q '^security.evm=' "$R10/postinst-saw"
expect "dpkg-install: evmctl verify" evmctl verify --key "$CERT" "$R10/usr/bin/demo"
R11=$work/root-dpi-bad
newroot "$R11"
dpi "$R11" "$work/enforce.conf" "$work/bad.deb" >"$work/dpi-bad.out" 2>&1
same "dpkg-install: a tampered package is refused" "$?" 1
expect "... before dpkg runs" grep -q "install: nothing installed" "$work/dpi-bad.out"
same "... the database does not know it" "$(dpkg --root="$R11" --admindir="$R11/var/lib/dpkg" -l 2>/dev/null | grep -c evmdemo)" 0
same "... no file unpacked" "$(ls "$R11/usr" 2>/dev/null)" ""
refuse "dpkg-install without a package" env EVMPKG_DPKG_HOOK="$HOOK" "$EVMPKG" dpkg-install

# --- one unpack run of several packages: evmpkg-dpkg, apt's dpkg ---------
# evmuser's preinst runs evmtool's executable, unpacked earlier in the same
# run, and records whether its signatures were in place by then.
mkpkg() {	# mkpkg DIR NAME: a package with one executable, /usr/bin/NAME
	mkdir -p "$1/DEBIAN" "$1/usr/bin"
	printf 'Package: %s\nVersion: 1\nArchitecture: all\nMaintainer: t <t@localhost>\nDescription: test\n' \
		"$2" > "$1/DEBIAN/control"
	printf '#!/bin/sh\necho %s ran\n' "$2" > "$1/usr/bin/$2"
	chmod 0755 "$1/usr/bin/$2"
}
mkpkg "$work/tool" evmtool
mkpkg "$work/user" evmuser
mkpkg "$work/data" evmdata
printf '#!/bin/sh\nf="$DPKG_ROOT/usr/bin/evmtool"\n"$f" >/dev/null || exit 1\nif evmctl verify --key %s "$f" >/dev/null 2>&1; then echo signed; else echo unsigned; fi >> "$DPKG_ROOT/preinst-saw"\n' \
	"$CERT" > "$work/user/DEBIAN/preinst"
chmod 0755 "$work/user/DEBIAN/preinst"
for p in tool user data; do
	dpkg-deb --root-owner-group -b "$work/$p" "$work/$p.deb" >/dev/null 2>&1
	sign "$work/$p.deb" "$work/$p-s.deb"
done
# A tampered evmtool, for the run that must stop before evmuser.
dpkg-deb -R "$work/tool-s.deb" "$work/toolbad"
flip_byte "$work/toolbad/DEBIAN/evmsig" $(($(stat -c %s "$work/toolbad/DEBIAN/evmsig") - 1))
dpkg-deb -b "$work/toolbad" "$work/tool-bad.deb" >/dev/null 2>&1
# dpw ROOT CONF dpkg-args...: as dp, through the wrapper (as apt runs it).
dpw() {
	local r=$1 c=$2
	shift 2
	env EVMPKG_DPKG_CONF="$c" "$HOOK" dpkg --root="$r" --admindir="$r/var/lib/dpkg" \
		--force-script-chrootless --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$c $HOOK pre-invoke" \
		--post-invoke="EVMPKG_DPKG_CONF=$c $HOOK post-unpack" "$@"
}
R12=$work/root-onerun
newroot "$R12"
dp "$R12" "$work/enforce.conf" --unpack "$work/tool-s.deb" "$work/user-s.deb" >"$work/onerun.out" 2>&1
same "plain dpkg, one run: unpacks both" "$?" 0
same "... the later preinst ran the earlier file unsigned (the window)" "$(cat "$R12/preinst-saw")" unsigned
R13=$work/root-each
newroot "$R13"
dpw "$R13" "$work/enforce.conf" --status-fd 2 --pre-invoke="echo run >> $work/runs" \
	--unpack "$work/tool-s.deb" "$work/data-s.deb" "$work/user-s.deb" >"$work/each.out" 2>&1
same "evmpkg-dpkg: unpacks all three" "$?" 0
same "... the later preinst ran the earlier file signed" "$(cat "$R13/preinst-saw")" signed
same "... in two dpkg runs: a new one only before the package with a preinst" \
	"$(wc -l < "$work/runs")" 2
expect "... evmctl verify of every file" sh -c "for f in evmtool evmdata evmuser; do evmctl verify --key '$CERT' '$R13/usr/bin/'\$f || exit 1; done"
expect "... the options reached each run (--status-fd)" grep -q 'status: evmuser: unpacked' "$work/each.out"
conf "$work/nosplit.conf" "policy = enforce" "certs = $CERT" "split-unpack = 0"
R13b=$work/root-nosplit
newroot "$R13b"
: > "$work/runs"
dpw "$R13b" "$work/nosplit.conf" --pre-invoke="echo run >> $work/runs" \
	--unpack "$work/tool-s.deb" "$work/data-s.deb" "$work/user-s.deb" >"$work/nosplit.out" 2>&1
same "split-unpack = 0: evmpkg-dpkg passes the unpack on as one run" "$?:$(wc -l < "$work/runs")" 0:1
same "... where the window stays" "$(cat "$R13b/preinst-saw")" unsigned
# split-unpack = auto (the default): split only where the kernel's IMA
# policy may refuse a file, as a copy of securityfs tells.
conf "$work/auto.conf" "policy = enforce" "certs = $CERT"
sfs() {	# sfs DIR [POLICY-LINE]: a securityfs as the kernel shows it
	mkdir -p "$1"
	echo 0 > "$1/evm"
	[ $# -lt 2 ] && return
	mkdir -p "$1/ima"
	printf '%s\n' "$2" > "$1/ima/policy"
}
sfs "$work/sfs-appraise" "appraise func=BPRM_CHECK fsmagic=0xef53 appraise_type=imasig"
sfs "$work/sfs-measure" "measure func=BPRM_CHECK"
sfs "$work/sfs-noima"
for c in appraise:2 measure:1 noima:1 missing:2; do
	d=$work/sfs-${c%%:*}
	newroot "$work/root-auto"
	: > "$work/runs"
	EVMPKG_SECURITYFS=$d dpw "$work/root-auto" "$work/auto.conf" --pre-invoke="echo run >> $work/runs" \
		--unpack "$work/tool-s.deb" "$work/data-s.deb" "$work/user-s.deb" >"$work/auto.out" 2>&1
	same "split-unpack = auto, IMA policy ${c%%:*}: ${c#*:} dpkg run(s)" "$?:$(wc -l < "$work/runs")" "0:${c#*:}"
done
R14=$work/root-recursive
newroot "$R14"
mkdir -p "$work/rec"
ln -s "$work/tool-s.deb" "$work/rec/0-evmtool.deb"
ln -s "$work/user-s.deb" "$work/rec/1-evmuser.deb"
dpw "$R14" "$work/enforce.conf" --unpack --recursive "$work/rec" >"$work/rec.out" 2>&1
same "evmpkg-dpkg --recursive DIR (apt's form for many packages): unpacks both" "$?" 0
same "... in order, each signed before the next preinst" "$(cat "$R14/preinst-saw")" signed
R15=$work/root-each-bad
newroot "$R15"
dpw "$R15" "$work/enforce.conf" --unpack "$work/tool-bad.deb" "$work/user-s.deb" >"$work/eachbad.out" 2>&1
expect "evmpkg-dpkg: a refused package fails the call" test $? -ne 0
same "... and stops before the next package" "$(dpkg --root="$R15" --admindir="$R15/var/lib/dpkg" -l evmuser 2>/dev/null | grep -c '^.. *evmuser')" 0
expect "... naming the refused package" grep -q 'evmtool: not to be configured' "$work/eachbad.out"
same "evmpkg-dpkg passes other calls to dpkg unchanged" \
	"$("$B/dpkg-hook/evmpkg-dpkg" --print-architecture 2>&1)" "$(dpkg --print-architecture)"
# An owner the package names but this system maps to another id: refused
# before dpkg runs, as apt's check does.
mkpkg "$work/own" evmown
chown daemon:daemon "$work/own/usr/bin/evmown"
dpkg-deb -b "$work/own" "$work/own.deb" >/dev/null 2>&1
printf 'root:x:0:0::/:/bin/sh\ndaemon:x:4242:1::/:/bin/sh\n' > "$work/passwd-4242"
"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" --passwd "$work/passwd-4242" \
	--group "$work/group" -o "$work/own-s.deb" "$work/own.deb" >>"$work/sign.log" 2>&1
R17=$work/root-own
newroot "$R17"
dpi "$R17" "$work/enforce.conf" "$work/own-s.deb" >"$work/dpi-own.out" 2>&1
same "dpkg-install: an owner this system maps elsewhere is refused" "$?" 1
expect "... naming the file, the ids and that nothing was installed" sh -c \
	"grep -q 'evmown_1_all: /usr/bin/evmown: owner 1:1 on this system, 4242:1 signed' '$work/dpi-own.out' && grep -q 'install: nothing installed' '$work/dpi-own.out'"
same "... no file unpacked" "$(ls "$R17/usr" 2>/dev/null)" ""
R16=$work/root-only
newroot "$R16"
dpkg --root="$R16" --admindir="$R16/var/lib/dpkg" --force-script-chrootless --log=/dev/null \
	--unpack "$work/tool-s.deb" "$work/user-s.deb" >/dev/null 2>&1
DPKG_ROOT=$R16 DPKG_HOOK_ACTION=unpack EVMPKG_DPKG_PACKAGE=evmuser:all \
	EVMPKG_DPKG_CONF=$work/enforce.conf "$HOOK" post-unpack >"$work/only.out" 2>&1
same "post-unpack of a one-package run: exit status" "$?" 0
expect "... applies the package it is told" evmctl verify --key "$CERT" "$R16/usr/bin/evmuser"
same "... and leaves the others unpacked earlier alone" "$(xattr security.ima "$R16/usr/bin/evmtool")" ""

# --- apt's Pre-Install-Pkgs, protocol version 3 --------------------------
aptin() {	# aptin DEB...: what apt writes for installing those files
	printf 'VERSION 3\nAPT::Architecture=amd64\nDir::Etc::Parts=apt.conf.d\n\n'
	local d
	for d in "$@"; do printf 'evmdemo - - none < 1.0-1 all none %s\n' "$d"; done
	printf 'evmdemo - - none < 1.0-1 all none **CONFIGURE**\n'
}
aptin "$work/s1.deb" "$work/v1.deb" > "$work/apt-good.txt"
aptin "$work/s1.deb" "$work/bad.deb" > "$work/apt-bad.txt"
expect "apt-verify accepts signed and unsigned packages (stdin)" \
	env EVMPKG_DPKG_CONF="$work/enforce.conf" "$HOOK" apt-verify < "$work/apt-good.txt"
env EVMPKG_DPKG_CONF="$work/enforce.conf" APT_HOOK_INFO_FD=3 "$HOOK" apt-verify \
	3< "$work/apt-bad.txt" >"$work/apt-bad.out" 2>&1
expect "apt-verify refuses a tampered package (APT_HOOK_INFO_FD)" test $? -ne 0
expect "... naming package, file and why" grep -q '^evmpkg: evmdemo_1.0-1_all: /.*: ' "$work/apt-bad.out"
refuse "apt-verify refuses an untrusted key" \
	env EVMPKG_DPKG_CONF="$work/other.conf" "$HOOK" apt-verify < "$work/apt-good.txt"
expect "apt-verify in warn mode lets it through" \
	env EVMPKG_DPKG_CONF="$work/warn.conf" "$HOOK" apt-verify < "$work/apt-bad.txt"
mkdir -p "$work/a dir"
cp "$work/s1.deb" "$work/a dir/signed copy.deb"
aptin "$work/a dir/signed copy.deb" > "$work/apt-space.txt"
expect "apt-verify: a path with blanks is read whole (version 3)" \
	env EVMPKG_DPKG_CONF="$work/enforce.conf" "$HOOK" apt-verify < "$work/apt-space.txt"
expect "apt-verify: the same path as version 1 (paths only)" \
	sh -c "printf '%s\n' '$work/a dir/signed copy.deb' | EVMPKG_DPKG_CONF='$work/enforce.conf' '$HOOK' apt-verify"
printf 'VERSION 3\n\nx - - none < 1 all none %s\n' "$work/passwd" > "$work/apt-junk.txt"
refuse "apt-verify refuses what is not a package" \
	env EVMPKG_DPKG_CONF="$work/enforce.conf" "$HOOK" apt-verify < "$work/apt-junk.txt"

# --- configuration -------------------------------------------------------
conf "$work/junk.conf" "policy = sometimes"
refuse "a bad policy value is an error" env EVMPKG_DPKG_CONF="$work/junk.conf" "$HOOK" pre-invoke
conf "$work/junk2.conf" "colour = blue"
refuse "an unknown key is an error" env EVMPKG_DPKG_CONF="$work/junk2.conf" "$HOOK" pre-invoke
conf "$work/nocert.conf" "certs = $work/does-not-exist.der"
refuse "certs naming nothing is an error" env EVMPKG_DPKG_CONF="$work/nocert.conf" \
	DPKG_HOOK_ACTION=unpack DPKG_ROOT="$R6" "$HOOK" post-unpack
head -c 5000 /dev/zero | tr '\0' a > "$work/long.conf"
refuse "an overlong line is an error" env EVMPKG_DPKG_CONF="$work/long.conf" "$HOOK" pre-invoke
conf "$work/off.conf" "policy = off"
expect "policy off: the tampered package is not judged" env EVMPKG_DPKG_CONF="$work/off.conf" \
	"$HOOK" apt-verify < "$work/apt-bad.txt"

# Under tests/dpkg/hooks-asan.sh: a sanitizer report in any saved output.
refuse "no sanitizer report in the hook outputs" grep -lE 'Sanitizer|runtime error:' "$work"/*.out

finish
