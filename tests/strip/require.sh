#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Stripping: signatures required (%_evmpkg_require_signatures 1 for the rpm
# plugin, require-signatures = 1 in /etc/evmpkg/dpkg.conf for the dpkg
# hooks). A package whose manifest was removed or emptied, or had entries
# removed, is refused with each unsigned file named, and nothing of it is
# left; without the setting (the control) the same packages install
# unsigned. Real rpm and dpkg into scratch roots; evmctl (the oracle)
# checks what the accepted packages installed.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/rpmdebian.sh
T_NAME=require
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"
HOOK=$PWD/$B/dpkg-hook/evmpkg-dpkg-hook
RPM_MF="$PWD/$B/tests/rpm-mf"
MF=tests/malformed/mf.py
SYSPLUGINS=$(rpm --eval '%{__plugindir}')
[ -d "$SYSPLUGINS" ] || SYSPLUGINS=/usr/lib/$(gcc -print-multiarch)/rpm-plugins

[ "$(id -u)" = 0 ] || { not_ok setup "needs root (security.* xattrs, chown)"; finish; exit 1; }
for t in rpm rpmbuild dpkg dpkg-deb evmctl getfattr python3 "$RPM_MF" "$HOOK"; do
	command -v "$t" >/dev/null || { not_ok setup "needs $t (make deps; make check builds the tools)"; finish; exit 1; }
done
work=$(mktemp -d /var/tmp/evmpkg-require.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
CERT=$keys/rsa2048.der

# ---------------------------------------------------------------- rpm ----
# Every owner maps, so every regular file but the %config ones is signed
# for IMA and EVM.
mkdir -p "$work/etc"
printf 'root:x:0:0::/:/bin/sh\nevmuser:x:1234:1234::/:/bin/sh\nnosuchuser:x:1235:1235::/:/bin/sh\n' > "$work/etc/passwd"
printf 'root:x:0:\nevmuser:x:1234:\nnosuchuser:x:1235:\n' > "$work/etc/group"
rpmbuild --quiet --define "_topdir $work/top" --define "ver 1" \
	-bb tests/rpm/pkgs/evmdemo.spec >"$work/build.log" 2>&1 &&
	cp "$work"/top/RPMS/noarch/evmdemo-1-1.noarch.rpm "$work/v1.rpm"
expect "rpmbuild evmdemo" test -s "$work/v1.rpm"
# A package with directories only: nothing to sign, so no manifest needed.
cat > "$work/dirs.spec" <<'SPEC'
Name: evmdirs
Version: 1
Release: 1
Summary: directories only
License: GPL-2.0-or-later
BuildArch: noarch
%description
Directories only.
%install
mkdir -p %{buildroot}/opt/evmdirs/sub
%files
%dir /opt/evmdirs
%dir /opt/evmdirs/sub
SPEC
rpmbuild --quiet --define "_topdir $work/top" -bb "$work/dirs.spec" >"$work/build-dirs.log" 2>&1
expect "rpmbuild a package of directories only" test -s "$work/top/RPMS/noarch/evmdirs-1-1.noarch.rpm"

"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" --passwd "$work/etc/passwd" \
	--group "$work/etc/group" -o "$work/s1.rpm" "$work/v1.rpm" >"$work/sign.log" 2>&1
expect "evmpkg sign" test -s "$work/s1.rpm"
expect "read the manifest back" "$RPM_MF" get "$work/s1.rpm" "$work/s1.mf"
# Emptied: a well-formed manifest without entries, file signatures kept.
python3 "$MF" "$work/s1.mf" "$work/empty.mf" empty
expect "emptied manifest written" "$RPM_MF" set "$work/s1.rpm" "$work/empty.mf" "$work/empty.rpm"
# One entry removed: the manifest's entries are signed one by one.
python3 "$MF" "$work/s1.mf" "$work/drop.mf" drop /usr/bin/evmdemo-suid
expect "manifest without one entry written" "$RPM_MF" set "$work/s1.rpm" "$work/drop.mf" "$work/drop.rpm"
# Removed: the unsigned package is what a stripped one is to rpm, header
# digests recomputed; and a manifest-less package that kept its file
# signatures is made by setting the manifest, then removing the tag's
# entries: the emptied case above stands for it.

mkdir -p "$work/plugins"
ln -s "$PWD/$B/rpm-plugin/zz_evmpkg.so" "$work/plugins/zz_evmpkg.so"
ln -s "$SYSPLUGINS/ima.so" "$work/plugins/ima.so"
newroot() {
	rm -rf "$1"
	mkdir -p "$1/etc"
	cp "$work/etc/passwd" "$work/etc/group" "$1/etc/"
	rpm --root "$1" --dbpath /var/lib/rpm --initdb
}
rpmr() {	# rpmr ROOT POLICY REQUIRE rpm-args...
	local root=$1 policy=$2 req=$3
	shift 3
	rpm --root "$root" --dbpath /var/lib/rpm --nodeps $RPM_FORCE_DEBIAN \
		--load "$PWD/$B/rpm-plugin/macros.transaction_zz_evmpkg" \
		--define "__plugindir $work/plugins" --define "_evmpkg_policy $policy" \
		--define "_evmpkg_certs $CERT" --define "_evmpkg_require_signatures $req" "$@"
}
nothing_left() {	# nothing_left NAME ROOT: no file of evmdemo, not in the rpmdb
	same "$1: no file left" "$(find "$2/usr" "$2/opt" -type f 2>/dev/null | wc -l)" 0
	refuse "$1: not in the rpmdb" rpm --root "$2" --dbpath /var/lib/rpm -q evmdemo
}

expect "the macro file sets the default (0)" \
	grep -q '^%_evmpkg_require_signatures 0$' "$B/rpm-plugin/macros.transaction_zz_evmpkg"

R=$work/r-good
newroot "$R"
expect "require: a fully signed package installs" rpmr "$R" enforce 1 -i "$work/s1.rpm"
expect "require: its executable verifies (evmctl verify)" evmctl verify --key "$CERT" "$R/usr/bin/evmdemo"
expect "require: its setuid file verifies (evmctl ima_verify)" evmctl ima_verify --key "$CERT" "$R/usr/bin/evmdemo-suid"
same "require: %config files are exempt and installed" "$(cat "$R/etc/evmdemo/plain.conf")" "conf 1"

R=$work/r-unsigned
newroot "$R"
rpmr "$R" enforce 1 -i "$work/v1.rpm" >"$work/unsigned.log" 2>&1
same "require: an unsigned package is refused" "$?" 1
expect "... the message says the manifest is absent" \
	grep -q "evmpkg: evmdemo-1-1.noarch: signature manifest (tag 1000917): absent, and the policy requires signatures" "$work/unsigned.log"
expect "... and names each unsigned file" \
	grep -q "evmpkg: evmdemo-1-1.noarch: /usr/bin/evmdemo: not signed, and the policy requires signatures" "$work/unsigned.log"
same "... every regular file but %config, once each" \
	"$(grep -c 'not signed, and the policy requires signatures' "$work/unsigned.log")" 8
same "... %config files are not listed" "$(grep -c 'plain.conf\|keep.conf' "$work/unsigned.log")" 0
nothing_left "require, unsigned" "$R"

R=$work/r-control
newroot "$R"
expect "without require (control): the unsigned package installs" rpmr "$R" enforce 0 -i "$work/v1.rpm"
same "... without any security.evm" "$(getfattr -R -m security.evm "$R/usr" 2>/dev/null | grep -c 'security.evm')" 0

R=$work/r-empty
newroot "$R"
rpmr "$R" enforce 1 -i "$work/empty.rpm" >"$work/empty.log" 2>&1
same "require: an emptied manifest is refused" "$?" 1
expect "... each file named as signed for IMA only" \
	grep -q "/usr/bin/evmdemo: signed for IMA only (no security.evm), and the policy requires signatures" "$work/empty.log"
nothing_left "require, emptied" "$R"
R=$work/r-empty0
newroot "$R"
expect "without require (control): the emptied manifest installs" rpmr "$R" enforce 0 -i "$work/empty.rpm"
same "... without security.evm" "$(getfattr -n security.evm "$R/usr/bin/evmdemo" 2>/dev/null)" ""

R=$work/r-drop
newroot "$R"
rpmr "$R" enforce 1 -i "$work/drop.rpm" >"$work/drop.log" 2>&1
same "require: a manifest with an entry removed is refused" "$?" 1
same "... naming that file only" "$(grep -c 'requires signatures' "$work/drop.log")" 1
expect "... as signed for IMA only" grep -q "/usr/bin/evmdemo-suid: signed for IMA only" "$work/drop.log"
nothing_left "require, entry removed" "$R"
R=$work/r-drop0
newroot "$R"
expect "without require (control): the entry-less file installs" rpmr "$R" enforce 0 -i "$work/drop.rpm"
same "... setuid without security.evm" "$(getfattr -n security.evm "$R/usr/bin/evmdemo-suid" 2>/dev/null)" ""

R=$work/r-warn
newroot "$R"
rpmr "$R" warn 1 -i "$work/v1.rpm" >"$work/warn.log" 2>&1
same "require, warn: the unsigned package installs" "$?" 0
expect "... with a warning naming each file" grep -q "warning: evmpkg: evmdemo-1-1.noarch: /usr/bin/evmdemo: not signed" "$work/warn.log"

R=$work/r-dirs
newroot "$R"
expect "require: a package of directories only installs without a manifest" \
	rpmr "$R" enforce 1 -i "$work/top/RPMS/noarch/evmdirs-1-1.noarch.rpm"

# More unsigned files than are listed by name: the rest are counted.
mkdir -p "$work/many/BUILD"
{
	printf 'Name: evmmany\nVersion: 1\nRelease: 1\nSummary: many\nLicense: GPL-2.0-or-later\nBuildArch: noarch\n'
	printf '%%description\nmany\n%%install\nmkdir -p %%{buildroot}/opt/many\nfor i in $(seq 1 30); do echo $i > %%{buildroot}/opt/many/f$i; done\n'
	printf '%%files\n/opt/many\n'
} > "$work/many.spec"
rpmbuild --quiet --define "_topdir $work/top" -bb "$work/many.spec" >"$work/build-many.log" 2>&1
R=$work/r-many
newroot "$R"
rpmr "$R" enforce 1 -i "$work/top/RPMS/noarch/evmmany-1-1.noarch.rpm" >"$work/many.log" 2>&1
same "require: 30 unsigned files refused" "$?" 1
same "... 20 named" "$(grep -c ': not signed, and the policy' "$work/many.log")" 20
expect "... and the other 10 counted" grep -q "(list cut): 10 more regular files not signed" "$work/many.log"

# --------------------------------------------------------------- dpkg ----
. tests/debdemo.sh
. tests/debcheck.sh
debcheck_accounts
P=$work/pkg
debdemo_tree "$P"
dpkg-deb -Zxz --build "$P" "$work/v1.deb" >/dev/null 2>&1
expect "sign the .deb" sign "$work/v1.deb" "$work/s1.deb"
dpkg-deb -R "$work/s1.deb" "$work/t"
cp "$work/t/DEBIAN/evmsig" "$work/deb.mf"
rebuild() {	# rebuild OUT [MANIFEST]: s1.deb with another evmsig, or none
	rm -f "$work/t/DEBIAN/evmsig"
	[ -n "${2:-}" ] && cp "$2" "$work/t/DEBIAN/evmsig"
	dpkg-deb -b "$work/t" "$1" >/dev/null 2>&1
}
rebuild "$work/stripped.deb"
python3 "$MF" "$work/deb.mf" "$work/deb-empty.mf" empty
rebuild "$work/emptied.deb" "$work/deb-empty.mf"
python3 "$MF" "$work/deb.mf" "$work/deb-drop.mf" drop /usr/bin/demo-suid
rebuild "$work/dropped.deb" "$work/deb-drop.mf"
# A package with no regular file.
mkdir -p "$work/meta/DEBIAN" "$work/meta/usr/share/evmmeta"
printf 'Package: evmmeta\nVersion: 1\nArchitecture: all\nMaintainer: evmpkg <evmpkg@localhost>\nDescription: no files\n' > "$work/meta/DEBIAN/control"
dpkg-deb -b "$work/meta" "$work/meta.deb" >/dev/null 2>&1

conf() {	# conf FILE key=value...
	local f=$1
	shift
	printf '%s\n' "# test configuration" "$@" > "$f"
}
conf "$work/req.conf" "policy = enforce" "certs = $CERT" "require-signatures = 1"
conf "$work/req-warn.conf" "policy = warn" "certs = $CERT" "require-signatures = 1"
conf "$work/noreq.conf" "policy = enforce" "certs = $CERT"
conf "$work/badval.conf" "require-signatures = yes"
dnewroot() {
	rm -rf "$1"
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates"
	touch "$1/var/lib/dpkg/status"
}
dp() {	# dp ROOT CONF dpkg-args...
	local r=$1 c=$2
	shift 2
	dpkg --root="$r" --admindir="$r/var/lib/dpkg" --force-script-chrootless \
		--log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$c $HOOK pre-invoke" \
		--post-invoke="EVMPKG_DPKG_CONF=$c $HOOK post-unpack" "$@"
}
aptin() {	# aptin DEB...: apt's Pre-Install-Pkgs lines, protocol 3
	printf 'VERSION 3\nAPT::Architecture=amd64\nDir::Etc::Parts=apt.conf.d\n\n'
	local d
	for d in "$@"; do printf 'evmdemo - - none < 1.0-1 all none %s\n' "$d"; done
}
verify() {	# verify CONF DEB: apt-verify's output in $work/av.out
	aptin "$2" | EVMPKG_DPKG_CONF=$1 "$HOOK" apt-verify >"$work/av.out" 2>&1
}

refuse "dpkg.conf: require-signatures takes 0 or 1" env EVMPKG_DPKG_CONF="$work/badval.conf" "$HOOK" apt-verify </dev/null
expect "... and the message lists it" sh -c "EVMPKG_DPKG_CONF='$work/badval.conf' '$HOOK' apt-verify </dev/null 2>&1 | grep -q 'require-signatures 0|1'"
expect "apt-verify, require: the signed package passes" verify "$work/req.conf" "$work/s1.deb"
refuse "apt-verify, require: the stripped package is refused" verify "$work/req.conf" "$work/stripped.deb"
expect "... the manifest named absent" grep -q "evmdemo_1.0-1_all: control member evmsig: absent, and the policy requires signatures" "$work/av.out"
expect "... each file named" grep -q "evmdemo_1.0-1_all: /usr/bin/demo: not signed, and the policy requires signatures" "$work/av.out"
same "... the conffile not listed" "$(grep -c demo.conf "$work/av.out")" 0
refuse "apt-verify, require: the emptied manifest is refused" verify "$work/req.conf" "$work/emptied.deb"
expect "... files named" grep -q "/usr/bin/demo-suid: not signed" "$work/av.out"
refuse "apt-verify, require: an entry removed is refused" verify "$work/req.conf" "$work/dropped.deb"
same "... naming that file only" "$(grep -c 'requires signatures' "$work/av.out")" 1
expect "apt-verify, require, warn: passes with warnings" verify "$work/req-warn.conf" "$work/stripped.deb"
expect "... naming the files" grep -q "/usr/bin/demo: not signed" "$work/av.out"
expect "apt-verify without require (control): the stripped package passes" verify "$work/noreq.conf" "$work/stripped.deb"
expect "apt-verify without require (control): the entry removed passes" verify "$work/noreq.conf" "$work/dropped.deb"
expect "apt-verify, require: a package without files passes" verify "$work/req.conf" "$work/meta.deb"

R=$work/d-good
dnewroot "$R"
expect "dpkg, require: the signed package unpacks" dp "$R" "$work/req.conf" --unpack "$work/s1.deb"
expect "... and configures" dp "$R" "$work/req.conf" --configure -a
expect "... evmctl verify" evmctl verify --key "$CERT" "$R/usr/bin/demo"

R=$work/d-stripped
dnewroot "$R"
dp "$R" "$work/req.conf" --unpack "$work/stripped.deb" >"$work/d-stripped.log" 2>&1
expect "dpkg --unpack, require: the stripped package fails" test $? -ne 0
expect "... the post-unpack hook names the files" grep -q "evmdemo: /usr/bin/demo: not signed, and the policy requires signatures" "$work/d-stripped.log"
expect "... and says not to configure it" grep -q "evmdemo: not to be configured" "$work/d-stripped.log"
dp "$R" "$work/req.conf" --configure -a >"$work/d-conf.log" 2>&1
expect "dpkg --configure -a, require: refused" test $? -ne 0
same "... the package stays unpacked" "$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f '${Status}' evmdemo)" "install ok unpacked"
same "... no security.evm written" "$(getfattr -R -m security.evm "$R/usr" 2>/dev/null | grep -c security.evm)" 0

R=$work/d-control
dnewroot "$R"
expect "dpkg without require (control): the stripped package unpacks" dp "$R" "$work/noreq.conf" --unpack "$work/stripped.deb"
expect "... and configures" dp "$R" "$work/noreq.conf" --configure -a

R=$work/d-meta
dnewroot "$R"
expect "dpkg, require: a package without files unpacks" dp "$R" "$work/req.conf" --unpack "$work/meta.deb"
expect "... and configures" dp "$R" "$work/req.conf" --configure -a

finish
