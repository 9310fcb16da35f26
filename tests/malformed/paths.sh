#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Paths an attacker plants (docs/security.md): symlinks in the target root
# (a file, a directory on the way to a file), symlinks given to sign-file,
# a symlinked directory inside the root, and `..` in a manifest (also in
# tests/malformed/cases). Nothing may be written outside the target root,
# and nothing through a symlink: checked on the files a symlink points to.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/rpmdebian.sh
T_NAME=paths
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"
HOOK=$PWD/$B/dpkg-hook/evmpkg-dpkg-hook
SYSPLUGINS=$(rpm --eval '%{__plugindir}')
[ -d "$SYSPLUGINS" ] || SYSPLUGINS=/usr/lib/$(gcc -print-multiarch)/rpm-plugins
[ "$(id -u)" = 0 ] || { not_ok setup "needs root"; finish; exit 1; }
work=$(mktemp -d /var/tmp/evmpkg-paths.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
CERT=$keys/rsa2048.der
. tests/debdemo.sh
. tests/debcheck.sh
debcheck_accounts
nsec() { getfattr -R -h -m security "$1" 2>/dev/null | grep -c '^security\.'; }

debdemo_tree "$work/pkg"
dpkg-deb -Zxz --build "$work/pkg" "$work/v.deb" >/dev/null 2>&1
sign "$work/v.deb" "$work/s.deb"
printf 'policy = enforce\ncerts = %s\n' "$CERT" > "$work/dpkg.conf"
unpacked() {	# unpacked ROOT: s.deb unpacked by plain dpkg, no hook yet
	rm -rf "$1"
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates"
	touch "$1/var/lib/dpkg/status"
	dpkg --root="$1" --admindir="$1/var/lib/dpkg" --force-script-chrootless --log=/dev/null \
		--unpack "$work/s.deb" >/dev/null 2>&1
}
hook() {	# hook ROOT: the post-unpack hook as dpkg runs it
	DPKG_ROOT=$1 DPKG_ADMINDIR=$1/var/lib/dpkg DPKG_HOOK_ACTION=unpack \
		EVMPKG_DPKG_CONF=$work/dpkg.conf "$HOOK" post-unpack
}

# A directory of the root replaced by an absolute symlink out of it, the
# file it leads to having the signed content, owner and mode.
R=$work/r1
unpacked "$R"
mkdir -p "$work/outside"
cp -a "$R/opt/demo/data" "$work/outside/data"
rm -rf "$R/opt/demo/data"
ln -s "$work/outside/data" "$R/opt/demo/data"
hook "$R" >"$work/o" 2>&1
same "symlinked directory out of the root: the hook refuses" "$?" 1
expect "... naming the file and the root" grep -q "evmdemo: /opt/demo/data/owned: .* leads out of the root $R (a symlinked directory)" "$work/o"
same "... nothing written outside the root" "$(nsec "$work/outside")" 0
same "... nor inside it (enforce: the package is refused)" "$(nsec "$R/usr")" 0

# The same directory as a symlink that stays inside the root.
R=$work/r2
unpacked "$R"
mv "$R/opt/demo/data" "$R/opt/demo/data.real"
ln -s data.real "$R/opt/demo/data"
expect "symlinked directory inside the root: applied" hook "$R"
expect "... and it verifies (evmctl)" evmctl verify --key "$CERT" "$R/opt/demo/data.real/owned"

# A file replaced by a symlink to a copy outside the root.
R=$work/r3
unpacked "$R"
rm -rf "$work/outside"
mkdir -p "$work/outside"
cp -a "$R/usr/bin/demo-suid" "$work/outside/demo-suid"
ln -sf "$work/outside/demo-suid" "$R/usr/bin/demo-suid"
hook "$R" >"$work/o" 2>&1
same "a file replaced by a symlink: the hook refuses" "$?" 1
expect "... naming it" grep -q "evmdemo: /usr/bin/demo-suid: signed in the manifest but not a regular file" "$work/o"
same "... the symlink's target untouched" "$(nsec "$work/outside")" 0

# sign-file: a symlink argument, and -r over a tree with a symlinked directory.
mkdir -p "$work/sf/tree" "$work/sf/elsewhere"
printf 'x\n' > "$work/sf/elsewhere/target"
ln -s "$work/sf/elsewhere/target" "$work/sf/link"
ln -s "$work/sf/elsewhere" "$work/sf/tree/dirlink"
printf 'y\n' > "$work/sf/tree/own"
"$EVMPKG" sign-file --key "$keys/rsa2048.pem" --cert "$CERT" "$work/sf/link" >"$work/o" 2>&1
same "sign-file on a symlink: refused" "$?" 1
expect "... saying so" grep -q "$work/sf/link: is a symbolic link (not signed)" "$work/o"
"$EVMPKG" sign-file --key "$keys/rsa2048.pem" --cert "$CERT" -r "$work/sf/tree" >"$work/o" 2>&1
same "sign-file -r: exit status" "$?" 0
expect "sign-file -r: its own file verifies" evmctl verify --key "$CERT" "$work/sf/tree/own"
same "sign-file: nothing written through either symlink" "$(nsec "$work/sf/elsewhere")" 0

# rpm --root with /opt a symlink to an absolute host path: rpm enters the
# root (chroot) first, so the plugin's writes stay there.
printf 'root:x:0:0::/:/bin/sh\nevmuser:x:1234:1234::/:/bin/sh\nnosuchuser:x:1235:1235::/:/bin/sh\n' > "$work/passwd"
printf 'root:x:0:\nevmuser:x:1234:\nnosuchuser:x:1235:\n' > "$work/group"
rpmbuild --quiet --define "_topdir $work/top" --define "ver 1" -bb tests/rpm/pkgs/evmdemo.spec >/dev/null 2>&1
"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" --passwd "$work/passwd" --group "$work/group" \
	-o "$work/s.rpm" "$work/top/RPMS/noarch/evmdemo-1-1.noarch.rpm" >/dev/null 2>&1
mkdir -p "$work/plugins" "$work/hostopt"
ln -s "$PWD/$B/rpm-plugin/zz_evmpkg.so" "$work/plugins/zz_evmpkg.so"
ln -s "$SYSPLUGINS/ima.so" "$work/plugins/ima.so"
R=$work/rr
mkdir -p "$R/etc"
cp "$work/passwd" "$work/group" "$R/etc/"
ln -s "$work/hostopt" "$R/opt"
rpm --root "$R" --dbpath /var/lib/rpm --initdb
rpm --root "$R" --dbpath /var/lib/rpm --nodeps $RPM_FORCE_DEBIAN \
	--load "$PWD/$B/rpm-plugin/macros.transaction_zz_evmpkg" \
	--define "__plugindir $work/plugins" --define "_evmpkg_policy enforce" \
	--define "_evmpkg_certs $CERT" -i "$work/s.rpm" >"$work/o" 2>&1
rc=$?
# rpm 4.18 opens each directory of a path without following a symlink
# not owned by root's own tree (its fsm checks), and refuses.
expect "rpm --root with an absolute /opt symlink: refused (exit $rc)" test "$rc" -ne 0
same "... nothing written in the host directory it names" "$(find "$work/hostopt" -type f | wc -l)" 0
same "... and no security xattr there" "$(nsec "$work/hostopt")" 0
finish
