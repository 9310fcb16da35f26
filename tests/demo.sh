#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo: sign files in a scratch directory, show and verify the xattrs.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
EVMPKG="$B/evmpkg"
work=$(mktemp -d /var/tmp/evmpkg-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== a throw-away RSA-2048 key and certificate (subjectKeyIdentifier=hash)"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" \
	-out "$work/cert.pem" -days 1 -subj "/CN=evmpkg demo" \
	-addext subjectKeyIdentifier=hash 2>/dev/null
openssl x509 -in "$work/cert.pem" -outform DER -out "$work/cert.der"

mkdir -p "$work/root/usr/bin" "$work/root/usr/sbin"
printf '#!/bin/sh\necho hello from a signed script\n' > "$work/root/usr/bin/hello"
cp /bin/true "$work/root/usr/sbin/ping-like"
cp /bin/true "$work/root/usr/bin/suid-tool"

echo "== sign: owner root, setuid tool, a file with cap_net_raw"
"$EVMPKG" sign-file --key "$work/key.pem" --cert "$work/cert.pem" --uid 0 --gid 0 --mode 0755 \
	"$work/root/usr/bin/hello"
"$EVMPKG" sign-file --key "$work/key.pem" --cert "$work/cert.pem" --uid 0 --gid 0 --mode 04755 \
	"$work/root/usr/bin/suid-tool"
"$EVMPKG" sign-file --key "$work/key.pem" --cert "$work/cert.pem" --uid 0 --gid 0 --mode 0755 \
	--caps cap_net_raw+ep "$work/root/usr/sbin/ping-like"

echo "== the xattrs written"
ls -ln "$work/root/usr/bin" "$work/root/usr/sbin"
getfattr -d -m '^security\.' -e hex "$work/root/usr/sbin/ping-like" | cut -c1-100

echo "== verify with evmpkg"
"$EVMPKG" verify-file --cert "$work/cert.der" "$work"/root/usr/bin/* "$work"/root/usr/sbin/*

echo "== verify with evmctl (ima-evm-utils)"
for f in "$work"/root/usr/bin/* "$work"/root/usr/sbin/*; do
	evmctl ima_verify --key "$work/cert.der" "$f" 2>&1 | tail -n 1
	evmctl verify --key "$work/cert.der" "$f" 2>&1 | tail -n 1
done

echo "== tamper: append to hello, chmod suid-tool; both now fail"
echo "# extra" >> "$work/root/usr/bin/hello"
chmod 0755 "$work/root/usr/bin/suid-tool"
if "$EVMPKG" verify-file --cert "$work/cert.der" "$work/root/usr/bin/hello" "$work/root/usr/bin/suid-tool"; then
	echo "demo: tampering was not detected" >&2
	exit 1
fi
echo "== demo done: tampering detected"
"$EVMPKG" status
