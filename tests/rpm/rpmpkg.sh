#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tests cli/rpmpkg.c (the rpm package I/O of `evmpkg sign`) on packages built
# with rpmbuild, with rpm's own tools as the oracle: rpm -K (digests and
# OpenPGP signatures), rpm -qp --qf (file signatures), rpm2cpio (payload),
# rpm -i --root (installability; needs root), rpmsign --addsign (re-signing;
# needs gpg). Prints one line per check; exits non-zero if any failed.
#
#   tests/rpm/run.sh [-n NFILES]     NFILES: size of the timing package
#                                    (RPMPKG_NFILES, else 5000)
#
# Run from the repository root or anywhere: paths are taken from this file.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$TOP/tests/lib.sh"	# flip_byte
. "$TOP/tests/rpmdebian.sh"
NFILES=${RPMPKG_NFILES:-5000}
[ "${1:-}" = -n ] && NFILES=$2

TMP=$(mktemp -d /tmp/evmpkg-rpmtest.XXXXXX)
chmod 755 "$TMP"
cleanup() { chmod -R u+w "$TMP" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

FAILS=0
PASSES=0
pass() { echo "PASS: $*"; PASSES=$((PASSES + 1)); }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	if "$@" >"$TMP/out" 2>&1; then pass "$d"; else fail "$d"; sed 's/^/    /' "$TMP/out"; fi
}

T=$TMP/rpmpkg-selftest
gcc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter -D_FORTIFY_SOURCE=2 -O2 -Werror \
	-I"$TOP/common/include" -I"$TOP/pkg/rpm" $(pkg-config --cflags rpm) -o "$T" \
	"$HERE/rpmpkg-selftest.c" "$TOP/${B:-build}/libevmpkg-rpm.a" "$TOP/${B:-build}/libevmpkg.a" \
	$(pkg-config --libs rpm) -lcrypto -lcap -lpthread \
	|| { echo "FAIL: build"; exit 1; }
pass "build warning-free (-Werror)"

build() { # build SPEC [rpmbuild args...] -> prints the package path
	local spec=$1; shift
	env HOME="$TMP" rpmbuild --define "_topdir $TMP/top" --nodeps -bb "$@" "$spec" \
		>"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; return 1; }
	sed -n 's/^Wrote: //p' "$TMP/build.log" | tail -1
}

# rpm -Kv lists every digest as OK and none otherwise.
digests_ok() {
	local out
	out=$(rpm "$@" -Kv 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	echo "$out" | grep -q 'Header SHA256 digest: OK' &&
		echo "$out" | grep -q 'Payload SHA256 digest: OK' && ! echo "$out" | grep -qv ': OK$\|:$' ||
		return 1
	# v6 packages (rpm 6's default) have no MD5 digest; v4 packages must.
	[ "$(rpm "$@" -qp --qf '%{rpmformat}' 2>/dev/null)" = 6 ] || echo "$out" | grep -q 'MD5 digest: OK'
}

# Every regular non-ghost file has a signature (the fake ones start 030204),
# every other entry "".
sigs_shown() {
	rpm -qp --qf '[%{filemodes:perms}|%{fileflags}|%{filesignatures}|%{filenames}\n]' "$1" |
	awk -F'|' '{ reg = ($1 ~ /^-/) && (int($2 / 64) % 2 == 0)
		     if (reg && $3 !~ /^030204/) { print "unsigned: " $4; bad = 1 }
		     if (!reg && $3 != "") { print "signed non-regular: " $4; bad = 1 }
		     n++ }
		   END { print n " entries"; exit bad }'
}

same_payload() { # decompressed and raw payload bytes are identical
	local a b
	a=$(rpm2cpio "$1" | sha256sum) && b=$(rpm2cpio "$2" | sha256sum) && [ "$a" = "$b" ] ||
		{ echo "rpm2cpio differs: $a / $b"; return 1; }
	python3 - "$1" "$2" <<'EOF'
import struct, sys
def payload(path):
    b = open(path, 'rb').read()
    off = 96
    for sig in (True, False):
        il, dl = struct.unpack('>II', b[off + 8:off + 16])
        off += 16 + 16 * il + dl
        if sig:
            off += (8 - off % 8) % 8
    return b[off:]
a, b = payload(sys.argv[1]), payload(sys.argv[2])
print(len(a), "payload bytes", "identical" if a == b else "DIFFER")
sys.exit(a != b)
EOF
}

no_temp() { ! ls -a "$1" | grep -q 'evmpkg-'; }

# ---- the package with one of everything, three payload compressors ----
SPEC=$HERE/specs/evmtest.spec
for comp in gzip xz zstd; do
	case $comp in
	gzip) args=(--define '_binary_payload w9.gzdio') ;;
	xz) args=(--define '_binary_payload w6.xzdio') ;;
	zstd) args=(--define '_binary_payload w19.zstdio') ;;
	esac
	rm -rf "$TMP/top"
	P=$(build "$SPEC" "${args[@]}") || { fail "$comp: rpmbuild"; continue; }
	cp "$P" "$TMP/in-$comp.rpm"
	P=$TMP/in-$comp.rpm
	O=$TMP/out-$comp.rpm
	check "$comp: open, list" "$T" list "$P"
	[ $comp = gzip ] && sed 's/^/    /' "$TMP/out"
	check "$comp: payload digests: sha256 equals the header's, sha512 computed" "$T" digests "$P"
	check "$comp: write, re-open, signatures and blob read back" "$T" write "$P" "$O" seed1
	check "$comp: rpm -Kv: all digests OK" digests_ok "$O"
	check "$comp: rpm -qp --qf %{filesignatures}: every regular file signed" sigs_shown "$O"
	check "$comp: payload bytes identical (rpm2cpio and raw)" same_payload "$P" "$O"
	check "$comp: rewrite of the output replaces signatures and blob" "$T" write "$O" "$O.2" seed2
	check "$comp: rewritten output: rpm -Kv OK" digests_ok "$O.2"
done
P=$TMP/in-gzip.rpm
O=$TMP/out-gzip.rpm

check "blob via get_bin after re-open (3000 bytes)" \
	bash -c "[ \$($T getbin $O 1000917 | tr -d '\n' | wc -c) = 6000 ]"
check "no manifest in the input" bash -c "! $T getbin $P 1000917"

# File signatures in the signature header (tag 274, where rpmsign
# --signfiles puts them): read as existing_sig; replaced, not duplicated
# (rpm refuses a package with both 274 and 5090).
check "legacy: signatures put into the signature header" "$T" legacysig "$P" "$TMP/leg.rpm" L
check "legacy: rpm -Kv OK" digests_ok "$TMP/leg.rpm"
check "legacy: rpm -qp shows them" sigs_shown "$TMP/leg.rpm"
check "legacy: existing_sig reads them" "$T" hassigs "$TMP/leg.rpm" L
check "legacy: write" "$T" write "$TMP/leg.rpm" "$TMP/leg-out.rpm" N
check "legacy: output rpm -Kv OK" digests_ok "$TMP/leg-out.rpm"
check "legacy: output rpm -qp shows the new ones" bash -c \
	"rpm -qp --qf '[%{filesignatures}\n]' $TMP/leg-out.rpm | grep -q . && $T hassigs $TMP/leg-out.rpm N"

# No files; a source package.
rm -rf "$TMP/top"
if E=$(build "$HERE/specs/evmempty.spec"); then
	check "no files: list" "$T" list "$E"
	check "no files: payload digests" "$T" digests "$E"
	check "no files: write" "$T" write "$E" "$TMP/empty-out.rpm" seed5
	check "no files: rpm -Kv OK" digests_ok "$TMP/empty-out.rpm"
else
	fail "rpmbuild of the package without files"
fi
rm -rf "$TMP/top"
if env HOME="$TMP" rpmbuild --define "_topdir $TMP/top" --nodeps -bs "$SPEC" >"$TMP/build.log" 2>&1; then
	S=$(sed -n 's/^Wrote: //p' "$TMP/build.log" | tail -1)
	check "source package: write" "$T" write "$S" "$TMP/src-out.rpm" seed6
	check "source package: rpm -Kv OK" digests_ok "$TMP/src-out.rpm"
	check "source package: payload identical" same_payload "$S" "$TMP/src-out.rpm"
else
	fail "rpmbuild -bs"
fi

# In place, mode kept.
cp "$P" "$TMP/inplace.rpm"; chmod 640 "$TMP/inplace.rpm"
check "in place (outpath == input)" "$T" write "$TMP/inplace.rpm" "$TMP/inplace.rpm" seed3
check "in place: rpm -Kv OK" digests_ok "$TMP/inplace.rpm"
check "in place: mode 0640 kept" bash -c "[ \$(stat -c %a $TMP/inplace.rpm) = 640 ]"
check "no temporary file left" no_temp "$TMP"

# Install.
if [ "$(id -u)" = 0 ]; then
	R=$TMP/root
	mkdir -p "$R"
	check "rpm -i --root installs the output" \
		rpm -i --root "$R" --nodeps $RPM_FORCE_DEBIAN --define '_pkgverify_level digest' "$O"
	check "rpm --root -q finds it" rpm --root "$R" -q evmtest
	check "installed header (rpmdb) has the blob and FILESIGNATURES" "$T" rpmdb "$R" evmtest seed1
	check "installed files: rpm -V clean" rpm --root "$R" -V --nodeps evmtest
else
	fail "install: needs root for rpm --root (run the tests as root)"
fi

# OpenPGP: a signed input loses its signature; rpmsign can sign the output.
if command -v gpg >/dev/null && command -v rpmsign >/dev/null; then
	export GNUPGHOME=$TMP/gnupg
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch --passphrase '' --quick-gen-key 'evmpkg test <test@example.invalid>' \
		rsa2048 sign never >/dev/null 2>&1
	gpg --armor --export >"$TMP/pub.asc"
	mkdir "$TMP/db"
	rpm --dbpath "$TMP/db" --import "$TMP/pub.asc"
	SIGN=(rpmsign --define "__gpg $(command -v gpg)" --define '_gpg_name evmpkg test' --addsign)
	cp "$P" "$TMP/signed.rpm"
	"${SIGN[@]}" "$TMP/signed.rpm" </dev/null >/dev/null 2>&1
	check "rpmsign --addsign on the input; rpm -K: digests signatures OK" \
		bash -c "rpm --dbpath $TMP/db -K $TMP/signed.rpm | grep -q 'digests signatures OK'"
	check "write: dropped_pgp=1" bash -c \
		"$T write $TMP/signed.rpm $TMP/signed-out.rpm seed4 | grep -qx dropped_pgp=1"
	check "output without signature: rpm -Kv digests OK" digests_ok --dbpath "$TMP/db" "$TMP/signed-out.rpm"
	check "signature header kept its size (reserved space restored)" \
		bash -c "[ \$(stat -c %s $TMP/signed-out.rpm) = \$(stat -c %s $O) ]"
	size=$(stat -c %s "$TMP/signed-out.rpm")
	"${SIGN[@]}" "$TMP/signed-out.rpm" </dev/null >/dev/null 2>&1
	check "rpmsign --addsign on the output; rpm -K: digests signatures OK" \
		bash -c "rpm --dbpath $TMP/db -K $TMP/signed-out.rpm | grep -q 'digests signatures OK'"
	case $(rpm --version) in
	*" 4.20."*)
		# 4.20's rpmsign never re-uses the reserved space (its in-place
		# test counts it twice: sign/rpmgensig.c; fixed in rpm 6), so it
		# rewrites the package one signature larger.
		check "rpmsign 4.20 rewrote the output one signature larger" \
			bash -c "[ \$(stat -c %s $TMP/signed-out.rpm) -gt $size ]" ;;
	*)
		check "rpmsign signed in place (size unchanged)" \
			bash -c "[ \$(stat -c %s $TMP/signed-out.rpm) = $size ]" ;;
	esac
	check "re-signed output still has the file signatures" sigs_shown "$TMP/signed-out.rpm"
else
	fail "OpenPGP: needs gpg and rpmsign (packaging/install-deps installs them)"
fi

# Broken packages: refused with the package named; no temporary file.
mkdir "$TMP/bad"
sz=$(stat -c %s "$P")
head -c 50 "$P" >"$TMP/bad/lead.rpm"
head -c 3000 "$P" >"$TMP/bad/sighdr.rpm"
head -c $((sz - 3000)) "$P" >"$TMP/bad/mainhdr.rpm"
head -c $((sz - 10)) "$P" >"$TMP/bad/payload.rpm"
echo 'not a package' >"$TMP/bad/text.rpm"
cp "$P" "$TMP/bad/hdrbyte.rpm"
flip_byte "$TMP/bad/hdrbyte.rpm" $((sz - 1500))
for f in lead sighdr mainhdr payload text hdrbyte; do
	check "refused at open: $f" "$T" openfail "$TMP/bad/$f.rpm"
	sed 's/^/    /' "$TMP/out"
done
cp "$P" "$TMP/bad/plbyte.rpm"
flip_byte "$TMP/bad/plbyte.rpm" $((sz - 100))
echo keep >"$TMP/bad/existing.rpm"
check "corrupt payload: write refused, bad arguments refused" \
	"$T" writefail "$TMP/bad/plbyte.rpm" "$TMP/bad/existing.rpm"
sed 's/^/    /' "$TMP/out"
check "corrupt payload: outpath untouched" bash -c "[ \"\$(cat $TMP/bad/existing.rpm)\" = keep ]"
check "corrupt payload: no temporary file left" no_temp "$TMP/bad"

# Read-only directory, in place.
mkdir "$TMP/ro"
cp "$P" "$TMP/ro/p.rpm"
sum=$(sha256sum <"$TMP/ro/p.rpm")
chmod 555 "$TMP/ro"
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null; then
		check "read-only directory (EACCES, as nobody): fails cleanly" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$T" writefail "$TMP/ro/p.rpm" "$TMP/ro/p.rpm"
		sed 's/^/    /' "$TMP/out"
	fi
	if unshare -m true 2>/dev/null; then
		check "read-only mount (EROFS): fails cleanly" unshare -m sh -c \
			"mount --bind -o ro $TMP/ro $TMP/ro && $T writefail $TMP/ro/p.rpm $TMP/ro/p.rpm"
		sed 's/^/    /' "$TMP/out"
	fi
else
	check "read-only directory (EACCES): fails cleanly" "$T" writefail "$TMP/ro/p.rpm" "$TMP/ro/p.rpm"
fi
check "read-only directory: package unchanged" bash -c "[ \"\$(sha256sum <$TMP/ro/p.rpm)\" = \"$sum\" ]"
check "read-only directory: no temporary file" no_temp "$TMP/ro"

# Timing: NFILES small files.
rm -rf "$TMP/top"
if M=$(build "$HERE/specs/evmmany.spec" --define "nfiles $NFILES"); then
	check "timing package: open + write" "$T" time "$M" "$TMP/many-out.rpm"
	sed 's/^/    /' "$TMP/out"
	check "timing package: rpm -Kv OK" digests_ok "$TMP/many-out.rpm"
	check "timing package: payload identical" same_payload "$M" "$TMP/many-out.rpm"
else
	fail "rpmbuild of the timing package"
fi

echo
echo "rpmpkg: $PASSES passed, $FAILS failed"
[ $FAILS = 0 ]
