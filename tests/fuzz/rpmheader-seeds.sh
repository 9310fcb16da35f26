#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Rebuilds the seed packages of fuzz_rpmheader (tests/fuzz/corpus/rpmheader/)
# from tests/rpm/specs with rpmbuild: each compressor, signed with the unit
# test keys, and copies whose signature header holds only its region (no
# digest or size to match), so that mutations of the main header reach the
# file list and payload code instead of failing the digest check.
#   B=build tests/fuzz/rpmheader-seeds.sh     (needs $B/evmpkg)
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build}
out=tests/fuzz/corpus/rpmheader
keys=tests/unit/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build() { # build SPEC NAME [rpmbuild args...]
	local spec=$1 name=$2; shift 2
	env HOME="$tmp" rpmbuild --define "_topdir $tmp/$name" --nodeps -bb "$@" \
		"tests/rpm/specs/$spec.spec" >"$tmp/$name.log" 2>&1
	cp "$(sed -n 's/^Wrote: //p' "$tmp/$name.log" | tail -1)" "$out/$name.rpm"
}

# A signature header with just its region, the rest of the package as is.
strip_sig() { # strip_sig IN OUT
	python3 - "$1" "$2" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
il, dl = struct.unpack('>II', b[104:112])
end = 112 + il * 16 + dl
end += (8 - end % 8) % 8
sig = (b'\x8e\xad\xe8\x01\0\0\0\0' + struct.pack('>II', 1, 16) +
       struct.pack('>IIII', 62, 7, 0, 16) + struct.pack('>IIiI', 62, 7, -16, 16))
open(sys.argv[2], 'wb').write(b[:96] + sig + b[end:])
PY
}

mkdir -p "$out"
build evmempty evmempty-gzip
build evmtest evmtest-gzip
build evmtest evmtest-xz --define '_binary_payload w2.xzdio'
build evmtest evmtest-zstd --define '_binary_payload w3.zstdio'
"$B/evmpkg" sign --key $keys/ec.pem --cert $keys/ec.crt --ima hash \
	-o "$out/evmtest-signed-ec.rpm" "$out/evmtest-gzip.rpm" 2>/dev/null
"$B/evmpkg" sign --key $keys/rsa.pem --cert $keys/rsa.crt \
	-o "$out/evmtest-signed-rsa.rpm" "$out/evmtest-gzip.rpm" 2>/dev/null
strip_sig "$out/evmtest-gzip.rpm" "$out/evmtest-nosigdigest.rpm"
strip_sig "$out/evmtest-signed-ec.rpm" "$out/evmtest-signed-ec-nosigdigest.rpm"
ls -l "$out"
