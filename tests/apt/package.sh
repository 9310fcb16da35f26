#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian packages of packaging/debian as a user gets them: built with
# dpkg-buildpackage from the tracked sources, evmpkg-dpkg-hooks installed
# with dpkg into a fresh Debian chroot (tests/aptroot.sh), a signed package
# installed by apt through the installed hooks and checked with evmctl,
# then the hooks package removed and purged by apt: apt and dpkg must keep
# working, with no setting left that names a missing program.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/aptroot.sh
T_NAME=apt-package
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"

work=$(mktemp -d /var/tmp/evmpkg-aptpkg.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
setup_fail() { not_ok setup "$1"; finish; exit 1; }
[ "$(id -u)" = 0 ] || setup_fail "needs root (chroot, security.* xattrs)"
for t in dpkg-buildpackage dh mmdebstrap apt-ftparchive evmctl git; do
	command -v "$t" >/dev/null || setup_fail "needs $t (make deps)"
done
[ -x "$EVMPKG" ] || setup_fail "build first (make B=$B)"
tests/keys.sh "$work/keys" >/dev/null 2>&1 || setup_fail "tests/keys.sh failed"
CERT=$work/keys/rsa2048.der

# The source tree as a release has it: tracked files, packaging/debian as debian/.
src=$work/src/evmpkg
mkdir -p "$src"
git ls-files -z | tar --null -cf - -T - | tar -xf - -C "$src" || setup_fail "cannot copy the sources"
cp -r packaging/debian "$src/debian"
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$work/build.log" 2>&1
expect "dpkg-buildpackage builds the packages" test $? -eq 0
hooks_deb=$(ls "$work"/src/evmpkg-dpkg-hooks_*.deb 2>/dev/null | head -n 1)
[ -n "$hooks_deb" ] || setup_fail "no evmpkg-dpkg-hooks package: $(tail -n 5 "$work/build.log" | tr '\n' ' ')"
same "evmpkg-dpkg-hooks ships the hook, its man page and the settings to copy" \
	"$(dpkg-deb -c "$hooks_deb" | awk '{print $6}' | grep -cE '^\./usr/sbin/evmpkg-dpkg-hook$|^\./usr/share/man/man8/evmpkg-dpkg-hook\.8\.gz$|^\./usr/share/evmpkg/(apt\.conf|dpkg\.cfg)$')" 4

R=$work/root
aptroot_new "$R" 2>"$work/root.err" || setup_fail "$(tr '\n' ' ' < "$work/root.err")"
cp "$hooks_deb" "$R/tmp/hooks.deb"
expect "dpkg -i evmpkg-dpkg-hooks" aptroot_run "$R" dpkg -i /tmp/hooks.deb
expect "postinst: apt's setting in place" test -f "$R/etc/apt/apt.conf.d/80evmpkg"
expect "postinst: dpkg's setting in place" test -f "$R/etc/dpkg/dpkg.cfg.d/evmpkg"
same "postinst: evmpkg-dpkg links to the hook" "$(readlink "$R/usr/sbin/evmpkg-dpkg")" evmpkg-dpkg-hook
install -m 0644 "$CERT" "$R/etc/evmpkg/cert.der"
printf 'policy = enforce\ncerts = /etc/evmpkg/cert.der\n' > "$R/etc/evmpkg/dpkg.conf"

# A signed package through the installed hooks.
aptroot_small_tree "$work/tree" evmpkgtest 1.0 3
dpkg-deb --root-owner-group -b "$work/tree" "$work/u.deb" >/dev/null 2>&1
"$EVMPKG" sign --key "$work/keys/rsa2048.pem" --cert "$CERT" -o "$work/evmpkgtest_1.0_all.deb" \
	"$work/u.deb" >"$work/sign.log" 2>&1 || setup_fail "evmpkg sign: $(tail -n 2 "$work/sign.log")"
aptroot_repo "$R" "$work/evmpkgtest_1.0_all.deb" 2>"$work/repo.err" ||
	setup_fail "$(tr '\n' ' ' < "$work/repo.err")"
expect "apt-get install through the installed hooks" aptroot_apt "$R" install evmpkgtest
expect "... the files verify (evmctl verify)" evmctl verify --key "$CERT" "$R/usr/lib/evmpkgtest/f1"

# Removing the hooks: apt read 80evmpkg when it started and runs dpkg
# again after the removal; dpkg read dpkg.cfg.d when it started.
aptroot_apt "$R" remove evmpkg-dpkg-hooks >"$work/remove.out" 2>&1
same "apt-get remove evmpkg-dpkg-hooks: exit status" "$?" 0
expect "... no error from a hook" sh -c "! grep -q 'error executing hook\|Sub-process' '$work/remove.out'"
same "... the settings are gone" "$(ls "$R/etc/apt/apt.conf.d/80evmpkg" "$R/etc/dpkg/dpkg.cfg.d/evmpkg" 2>/dev/null)" ""
same "... evmpkg-dpkg now names dpkg" "$(readlink "$R/usr/sbin/evmpkg-dpkg")" /usr/bin/dpkg
expect "apt works afterwards (reinstall)" aptroot_apt "$R" install --reinstall evmpkgtest
same "dpkg --audit: nothing to report" "$(aptroot_run "$R" dpkg --audit 2>&1)" ""
expect "apt-get purge evmpkg-dpkg-hooks" aptroot_apt "$R" purge evmpkg-dpkg-hooks
same "... the link is gone" "$(ls "$R/usr/sbin/evmpkg-dpkg" 2>/dev/null)" ""

finish
