#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo: sign an rpm package, install it into a scratch root with rpm
# and evmpkg's plugin, show the xattrs it applied and verify them with
# evmpkg and evmctl; the same for a .deb with dpkg and evmpkg's hooks; then
# sign loose files and show tampering detected.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/rpmdebian.sh
B=${B:-build}
BD=$(cd "$B" && pwd)
EVMPKG="$BD/evmpkg"
work=$(mktemp -d /var/tmp/evmpkg-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
say() { printf '\n== %s\n' "$*"; }

say "a throw-away RSA-2048 key and certificate (subjectKeyIdentifier=hash)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" \
	-out "$work/cert.pem" -days 1 -subj "/CN=evmpkg demo" \
	-addext subjectKeyIdentifier=hash 2>/dev/null
openssl x509 -in "$work/cert.pem" -outform DER -out "$work/cert.der"

say "build a package with rpmbuild (tests/rpm/pkgs/evmdemo.spec)"
rpmbuild --quiet --define "_topdir $work/top" --define "ver 1" -bb tests/rpm/pkgs/evmdemo.spec
pkg=$(ls "$work"/top/RPMS/noarch/evmdemo-1-1.noarch.rpm)

say "sign it: IMA signatures and the EVM manifest, for the target's accounts"
mkdir -p "$work/root/etc"
printf 'root:x:0:0::/root:/bin/sh\nevmuser:x:1234:1234::/:/bin/sh\n' > "$work/root/etc/passwd"
printf 'root:x:0:\nevmuser:x:1234:\n' > "$work/root/etc/group"
"$EVMPKG" sign --key "$work/key.pem" --cert "$work/cert.pem" \
	--passwd "$work/root/etc/passwd" --group "$work/root/etc/group" -o "$work/signed.rpm" "$pkg"
rpm -K "$work/signed.rpm"
"$EVMPKG" inspect --cert "$work/cert.der" "$work/signed.rpm" | head -n 12

say "install into a scratch root with rpm --root and the evmpkg plugin (policy enforce)"
plugins=$(rpm --eval '%{__plugindir}')
[ -d "$plugins" ] || plugins=/usr/lib/$(gcc -print-multiarch)/rpm-plugins
mkdir -p "$work/plugins"
ln -s "$plugins/ima.so" "$work/plugins/ima.so"
ln -s "$BD/rpm-plugin/zz_evmpkg.so" "$work/plugins/zz_evmpkg.so"
rpm --root "$work/root" --dbpath /var/lib/rpm --initdb
rpm --root "$work/root" --dbpath /var/lib/rpm --nodeps $RPM_FORCE_DEBIAN \
	--load "$BD/rpm-plugin/macros.transaction_zz_evmpkg" \
	--define "__plugindir $work/plugins" --define "_evmpkg_certs $work/cert.der" \
	-ivh "$work/signed.rpm"

say "what rpm and the plugin applied"
ls -ln "$work/root/usr/bin" "$work/root/usr/sbin"
getfattr -d -m '^security\.' -e hex "$work/root/usr/sbin/evmdemo-ping" | cut -c1-90

say "verify the installed files with evmpkg and with evmctl (ima-evm-utils)"
files=("$work"/root/usr/bin/* "$work"/root/usr/sbin/* "$work"/root/opt/evmdemo/h1)
"$EVMPKG" verify-file --cert "$work/cert.der" "${files[@]}"
for f in "${files[@]}"; do
	evmctl ima_verify --key "$work/cert.der" "$f" 2>&1 | tail -n 1
	evmctl verify --key "$work/cert.der" "$f" 2>&1 | tail -n 1
done

say "tamper: append to evmdemo, chmod evmdemo-suid: both are now refused"
echo "# extra" >> "$work/root/usr/bin/evmdemo"
chmod 0755 "$work/root/usr/bin/evmdemo-suid"
if "$EVMPKG" verify-file --cert "$work/cert.der" "$work/root/usr/bin/evmdemo" \
	"$work/root/usr/bin/evmdemo-suid"; then
	echo "demo: tampering was not detected" >&2
	exit 1
fi

HOOK=$BD/dpkg-hook/evmpkg-dpkg-hook
if command -v dpkg-deb >/dev/null && [ -x "$HOOK" ]; then
	say "a .deb: build it with dpkg-deb and sign it (the manifest goes into control.tar as evmsig)"
	D=$work/deb
	mkdir -p "$D/DEBIAN" "$D/usr/bin" "$D/etc"
	printf 'Package: evmdemo-deb\nVersion: 1\nArchitecture: all\nMaintainer: evmpkg <evmpkg@localhost>\nDescription: evmpkg demo package\n' \
		> "$D/DEBIAN/control"
	printf '#!/bin/sh\necho evmdemo-deb\n' > "$D/usr/bin/evmdemo-deb"
	chmod 0755 "$D/usr/bin/evmdemo-deb"
	echo "setting=1" > "$D/etc/evmdemo-deb.conf"
	echo /etc/evmdemo-deb.conf > "$D/DEBIAN/conffiles"
	dpkg-deb --root-owner-group -b "$D" "$work/demo.deb" >/dev/null
	"$EVMPKG" sign --key "$work/key.pem" --cert "$work/cert.pem" -o "$work/signed.deb" "$work/demo.deb"
	dpkg-deb -I "$work/signed.deb" | grep -E 'evmsig|control'

	say "install it into a scratch root: evmpkg dpkg-install (verify, dpkg --unpack, the post-unpack hook writes the signatures, dpkg --configure)"
	DR=$work/debroot
	mkdir -p "$DR/var/lib/dpkg/info" "$DR/var/lib/dpkg/updates"
	: > "$DR/var/lib/dpkg/status"
	printf 'policy = enforce\ncerts = %s\n' "$work/cert.der" > "$work/dpkg.conf"
	# The hooks as /etc/dpkg/dpkg.cfg.d/evmpkg gives them after make install.
	EVMPKG_DPKG_HOOK=$HOOK EVMPKG_DPKG_CONF=$work/dpkg.conf "$EVMPKG" dpkg-install \
		--root="$DR" --force-script-chrootless --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK pre-invoke" \
		--post-invoke="EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK post-unpack" "$work/signed.deb"
	dpkg --root="$DR" -l evmdemo-deb | tail -n 1
	getfattr -d -m '^security\.' -e hex "$DR/usr/bin/evmdemo-deb" | cut -c1-90
	"$EVMPKG" verify-file --cert "$work/cert.der" "$DR/usr/bin/evmdemo-deb"
	evmctl verify --key "$work/cert.der" "$DR/usr/bin/evmdemo-deb" 2>&1 | tail -n 1
fi

say "loose files: evmpkg sign-file with target metadata"
printf '#!/bin/sh\necho hi\n' > "$work/tool"
"$EVMPKG" sign-file --key "$work/key.pem" --uid 0 --gid 0 --mode 04755 --caps cap_net_raw+ep --json "$work/tool" | cut -c1-160
"$EVMPKG" verify-file --cert "$work/cert.der" "$work/tool"

say "the running kernel"
"$EVMPKG" status
say "demo done"
