#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Rebuilds the seed packages of fuzz_debpkg (tests/fuzz/corpus/debpkg/) with
# dpkg-deb: a small package with one of every kind of entry (hard links,
# symlinks, a GNU long name and long link, a setuid file, a conffile, a
# maintainer script, an extra control member) in gzip, xz, zstd and (data
# only, by hand) bzip2; then uncompressed packages, each with a part of it
# (files, long names, control members), with a debsigs member, and with no
# files, so that mutations of tar headers need no decompressor. Their tar
# padding is cut after the end-of-archive block: every seed stays under
# 8 KiB. Needs root for the owner 1234:1234.
#   tests/fuzz/debpkg-seeds.sh
set -eu
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus/debpkg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tree NAME PART...: a package tree with the parts named.
tree() {
	local r=$tmp/$1 long
	shift
	mkdir -p "$r/DEBIAN"
	printf 'Package: seed\nVersion: 1:1.0-1\nArchitecture: all\nMaintainer: t <t@example.invalid>\nDescription: fuzz seed\n' \
		>"$r/DEBIAN/control"
	for part; do
		case $part in
		control)	# conffile, maintainer script, extra member
			mkdir -p "$r/etc"
			echo conf >"$r/etc/s.conf"
			echo /etc/s.conf >"$r/DEBIAN/conffiles"
			printf '#!/bin/sh\nexit 0\n' >"$r/DEBIAN/postinst"
			chmod 755 "$r/DEBIAN/postinst"
			printf 'evmsig\0bytes' >"$r/DEBIAN/evmsig" ;;
		files)		# setuid file, hard link, symlink, owner 1234
			mkdir -p "$r/bin"
			printf '#!/bin/sh\n' >"$r/bin/tool"
			chmod 4755 "$r/bin/tool"
			ln "$r/bin/tool" "$r/bin/tool-link"
			ln -s tool "$r/bin/tool-sym"
			echo owned >"$r/bin/owned"
			[ "$(id -u)" != 0 ] || chown 1234:1234 "$r/bin/owned" ;;
		long)		# GNU long name and long link target
			long=$(printf 'l%.0s' {1..110})
			echo long >"$r/$long"
			ln -s "/$long/target" "$r/long-sym" ;;
		esac
	done
}
tree all control files long
tree files files
tree long long
tree control control
tree empty

# Cuts each uncompressed tar member after its end-of-archive block.
trim() { # trim DEB
	python3 - "$1" <<'PY'
import sys
path = sys.argv[1]
b = open(path, 'rb').read()
assert b[:8] == b'!<arch>\n'
pos, members = 8, []
while pos < len(b):
    h = b[pos:pos + 60]
    name, size = h[:16].decode().strip().rstrip('/'), int(h[48:58])
    data = b[pos + 60:pos + 60 + size]
    pos += 60 + size + (size & 1)
    if name.endswith('.tar'):
        off = 0
        while off + 512 <= len(data) and any(data[off:off + 512]):
            n = int(data[off + 124:off + 136].split(b'\0')[0] or b'0', 8)
            off += 512 + (n + 511) // 512 * 512
        data = data[:off + 512]
    members.append((h[:48], data))
o = bytearray(b'!<arch>\n')
for head, data in members:
    o += head + b'%-10d`\n' % len(data) + data + (b'\n' if len(data) & 1 else b'')
open(path, 'wb').write(bytes(o))
PY
}

mkdir -p "$out"
rm -f "$out"/*.deb
for z in gzip xz zstd; do
	dpkg-deb --build -Z$z "$tmp/all" "$out/all-$z.deb" >/dev/null
done
# Uncompressed: the tar parser without a decompressor in the way.
for t in files long control empty; do
	dpkg-deb --build -Znone "$tmp/$t" "$out/$t-none.deb" >/dev/null
	trim "$out/$t-none.deb"
done

# bzip2 data.tar, which dpkg reads and dpkg-deb no longer writes.
mkdir "$tmp/bz"
(cd "$tmp/bz" && ar x "$OLDPWD/$out/all-xz.deb" &&
	xz -dc data.tar.xz | bzip2 -9 >data.tar.bz2 &&
	ar rc "$OLDPWD/$out/all-bz2.deb" debian-binary control.tar.xz data.tar.bz2)

# A debsigs signature member after data.tar.
cp "$out/files-none.deb" "$out/files-debsigs.deb"
echo 'not a real signature' >"$tmp/_gpgorigin"
(cd "$tmp" && ar q "$OLDPWD/$out/files-debsigs.deb" _gpgorigin)
ls -l "$out"
