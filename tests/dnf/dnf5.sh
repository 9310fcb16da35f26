#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dnf 5: real dnf5 (Debian unstable) in a chroot, with evmpkg, its rpm
# plugin and the actions file built and installed there by make, installs
# signed packages from a createrepo_c repository into a scratch root; the
# actions plugin runs evmpkg's check at pre_transaction. Files are checked
# with evmctl on the host (the oracle). The chroot's base system is made
# once with mmdebstrap and kept as a tarball, like tests/aptroot.sh's.
set -u
T_NAME=dnf5
cd "$(dirname "$0")/../.."
. tests/lib.sh
B=${B:-build}
CACHE=${APTROOT_CACHE:-/var/cache/evmpkg-tests}
# dnf5's actions plugin is part of libdnf5-2 in Debian; the rest builds
# evmpkg and its rpm plugin inside (the host's binaries do not fit sid's
# libraries).
INCLUDE=dnf5,rpm,createrepo-c,python3,make,gcc,libc6-dev,pkg-config,libssl-dev,libcap-dev,librpm-dev,libselinux-dev,libarchive-dev

base() {	# prints the cached base tarball, made once
	local tar=$CACHE/debian-sid-dnf5-$(printf '%s' "$INCLUDE" | sha256sum | cut -c1-12).tar
	if [ ! -s "$tar" ]; then
		mkdir -p "$CACHE" || return 1
		echo "dnf5: making $tar with mmdebstrap (once)" >&2
		mmdebstrap --variant=apt --include="$INCLUDE" \
			--aptopt='Acquire::Check-Valid-Until "false"' sid "${tar%.tar}.tmp.tar" \
			>"$tar.log" 2>&1 && mv "${tar%.tar}.tmp.tar" "$tar" ||
			{ rm -f "${tar%.tar}.tmp.tar"; tail -n 5 "$tar.log" >&2; return 1; }
	fi
	echo "$tar"
}

work=$(mktemp -d /var/tmp/evmpkg-dnf5.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
R=$work/root
tar=$(base) && mkdir -p "$R" && tar -C "$R" -xf "$tar" ||
	{ not_ok "sid chroot with dnf5" "mmdebstrap sid failed (is the Debian archive reachable?)"; finish; exit 1; }
ok "sid chroot with dnf5 $(chroot "$R" dnf5 --version 2>/dev/null | head -1 | awk '{print $3}')"

# evmpkg from this tree, built and installed inside by make.
mkdir -p "$R/src"
tar -cf - Makefile common pkg cli rpm-plugin dnf-plugin | tar -C "$R/src" -xf -
nice chroot "$R" sh -c 'cd /src && make -j2 B=/build PREFIX=/usr /build/evmpkg install-rpm-plugin install-dnf-plugin &&
	install -m 0755 /build/evmpkg /usr/bin/evmpkg' >"$work/build.log" 2>&1
expect "evmpkg, the rpm plugin and the dnf 5 action built and installed in the chroot" \
	test -x "$R/usr/bin/evmpkg" -a -f "$R/etc/dnf/libdnf5-plugins/actions.d/evmpkg.actions"

keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
mkdir -p "$R/etc/keys/evmpkg-test" "$R/etc/rpm" "$R/target/etc"
cp "$keys/rsa2048.der" "$R/etc/keys/evmpkg-test/"
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/target/etc/passwd"
echo 'root:x:0:' > "$R/target/etc/group"
printf '%s\n' '%_evmpkg_certs /etc/keys/evmpkg-test' '%_dbpath /var/lib/rpm' > "$R/etc/rpm/macros.evmpkg-test"

# Packages: built and signed on the host (noarch), a tampered copy.
# (the empty target has no /bin/sh for its script to require)
rpmbuild --quiet --define "_topdir $work/top" --define '__requires_exclude ^/bin/sh$' \
	-bb tests/rpm/specs/evmtest.spec >"$work/rpmbuild.log" 2>&1
pkg=$(ls "$work"/top/RPMS/*/evmtest-*.rpm 2>/dev/null | head -1)
expect "rpmbuild evmtest" test -n "$pkg"
mkdir -p "$R/repo-good" "$R/repo-bad"
expect "evmpkg sign" "$PWD/$B/evmpkg" sign --key "$keys/rsa2048.pem" -o "$R/repo-good/$(basename "$pkg")" "$pkg"
f1=/usr/bin/evmtest-hello
expect "tamper: flip the last byte of $f1's security.evm in the manifest" \
	"$PWD/$B/tests/rpm-tamper" "$R/repo-good/$(basename "$pkg")" "$R/repo-bad/$(basename "$pkg")" evm "$f1"
expect "createrepo_c (sid's)" chroot "$R" sh -c 'createrepo_c -q /repo-good && createrepo_c -q /repo-bad'
name=$(rpm -qp --qf '%{name}' "$pkg" 2>/dev/null)
nevra=$(rpm -qp --qf '%{name}-%{version}-%{release}.%{arch}' "$pkg" 2>/dev/null)

mkdir -p "$work/sfs-off" "$work/sfs-x509"
echo 0 > "$work/sfs-off/evm"
echo 2 > "$work/sfs-x509/evm"
# dnf5r NAME SFS REPO MACROS: dnf5 install into a fresh /target, in a mount
# namespace where the chroot's securityfs is the copy SFS; MACROS is the
# content of /etc/rpm/macros.evmpkg-case. Output in $work/NAME.out.
dnf5r() {
	rm -rf "$R/target/usr" "$R/target/var"
	printf '%s\n' "$4" > "$R/etc/rpm/macros.evmpkg-case"
	mkdir -p "$R/sys/kernel/security"
	unshare --mount --propagation private sh -c \
		'mount --bind "$1" "$2/sys/kernel/security" && exec chroot "$2" env -i PATH=/usr/sbin:/usr/bin "$3" "$4" "$5"' \
		sh "$work/sfs-$2" "$R" /bin/sh -c "dnf5 --installroot /target --releasever 1 \
		--repofrompath evmtest,file:///$3 --repo evmtest --setopt=gpgcheck=0 -y install $name" \
		>"$work/$1.out" 2>&1
}
verified() {	# verified NAME: the signed file passes evmctl
	expect "$1: $f1 passes evmctl ima_verify and verify" sh -c \
		"evmctl ima_verify --key '$keys/rsa2048.der' '$R/target$f1' && evmctl verify --key '$keys/rsa2048.der' '$R/target$f1'"
}

dnf5r good off repo-good ''
same "enforce: dnf5 installs the signed package" "$?" 0
verified "enforce"
same "... dnf5 says nothing of evmpkg" "$(grep -c 'evmpkg:' "$work/good.out")" 0

dnf5r bad off repo-bad ''
expect "enforce, tampered: dnf5 fails" test $? -ne 0
expect "... its output names package, file and field" grep -q "^evmpkg: $nevra: $f1: security.evm: signature does not verify" "$work/bad.out"
expect "... and the action's error stops the transaction" grep -q "Action sent error message: evmpkg: 1 problem" "$work/bad.out"
same "... before rpm ran (no [RPM] line)" "$(grep -c '\[RPM\]' "$work/bad.out")" 0
same "... no file of it on disk" "$(find "$R/target/usr" -type f 2>/dev/null | wc -l)" 0
refuse "... rpmdb does not list it" chroot "$R" rpm --root /target -q "$name"

dnf5r warn off repo-bad '%_evmpkg_policy warn'
same "warn, tampered: dnf5 installs" "$?" 0
expect "... the reason shown before rpm runs" sh -c "grep -n -e 'warning: evmpkg: $nevra: $f1: security.evm' -e 'Verify package files' '$work/warn.out' | head -1 | grep -q warning"
refuse "... no security.evm on the tampered file" getfattr -n security.evm "$R/target$f1"

dnf5r off off repo-bad '%__transaction_zz_evmpkg %{nil}'
same "off (%__transaction_zz_evmpkg %{nil} in a macros file): dnf5 installs" "$?" 0
same "... nothing of evmpkg said" "$(grep -c 'evmpkg:' "$work/off.out")" 0
refuse "... no security.evm" getfattr -n security.evm "$R/target$f1"

dnf5r x509 x509 repo-good ''
same "securityfs evm=2: dnf5 installs" "$?" 0
verified "evm=2"
same "... the kernel notice exactly once (the action's; dnf5 drops rpm's log before the first scriptlet)" \
	"$(grep -c 'evmpkg: EVM: X.509 signatures verified' "$work/x509.out")" 1
expect "... before rpm runs" sh -c "grep -n -e 'evmpkg: EVM: X.509' -e 'Verify package files' '$work/x509.out' | head -1 | grep -q EVM"
same "securityfs evm=0: no notice" "$(grep -c 'evmpkg: EVM' "$work/good.out")" 0

finish
