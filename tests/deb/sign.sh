#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# .deb signing: packages built with dpkg-deb, signed with `evmpkg sign`,
# checked with dpkg-deb, apt-cache and `evmpkg inspect`, and every value
# compared byte for byte with what evmctl (the independent oracle) makes
# for the same file with the metadata the manifest says.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/debdemo.sh
T_NAME=deb-sign
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"

work=$(mktemp -d /var/tmp/evmpkg-debsign.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
for t in dpkg-deb apt-cache evmctl getfattr setcap jq; do
	command -v "$t" >/dev/null || { not_ok setup "needs $t (make deps)"; finish; exit 1; }
done

# The target's accounts: Debian's fixed ids (base-passwd: daemon is 1).
printf 'root:x:0:0::/:/bin/sh\ndaemon:x:1:1::/:/bin/sh\n' > "$work/passwd"
printf 'root:x:0:\ndaemon:x:1:\n' > "$work/group"

# The package: executables, a setuid file, a file whose postinst runs
# setcap, hardlinks, a conffile, a symlink, a non-root owner with a fixed
# id, a name with a space and non-ASCII characters.
P=$work/pkg
debdemo_tree "$P"
printf '#!/bin/sh\nset -e\nsetcap cap_net_raw+ep /usr/sbin/demo-ping\n' > "$P/DEBIAN/postinst"
chmod 0755 "$P/DEBIAN/postinst"
echo daemon > "$P/opt/demo/data/by-daemon"
chown daemon:daemon "$P/opt/demo/data/by-daemon"
echo "spaced" > "$P/opt/demo/data/with space é ü.txt"
# Owners as in the tree: root, daemon by name; 1234 has no name on this
# machine, so its tar header has only the number, which dpkg then uses.
dpkg-deb -Zxz --build "$P" "$work/v1.deb" >/dev/null 2>&1
expect "dpkg-deb builds the package" test -s "$work/v1.deb"

sign() {	# sign IN OUT [options]
	local in=$1 out=$2
	shift 2
	"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$keys/rsa2048.der" \
		--passwd "$work/passwd" --group "$work/group" -o "$out" "$@" "$in"
}
sign "$work/v1.deb" "$work/s1.deb" --caps /usr/sbin/demo-ping=cap_net_raw+ep >"$work/sign1.out" 2>&1
same "sign exit status" "$?" 0
expect "sign reports the conffile" grep -q "demo.conf: no EVM signature: conffile" "$work/sign1.out"
expect "sign summary" grep -q "s1.deb: evmdemo_1.0-1_all: 7 files with IMA and EVM signatures, 0 IMA only" "$work/sign1.out"
refuse "no report about setcap when --caps names the file" grep -q "demo-ping: its postinst" "$work/sign1.out"

# The package stays what dpkg and apt expect.
same "data.tar byte-identical" "$(ar p "$work/s1.deb" data.tar.xz | sha256sum)" "$(ar p "$work/v1.deb" data.tar.xz | sha256sum)"
expect "control.tar keeps its compression" sh -c "ar t '$work/s1.deb' | grep -qx control.tar.xz"
expect "dpkg-deb -I lists the evmsig member" sh -c "dpkg-deb -I '$work/s1.deb' | grep -q ' evmsig'"
same "control fields unchanged" "$(dpkg-deb -f "$work/s1.deb")" "$(dpkg-deb -f "$work/v1.deb")"
same "dpkg-deb -c unchanged" "$(dpkg-deb -c "$work/s1.deb")" "$(dpkg-deb -c "$work/v1.deb")"
expect "apt-cache show accepts it" apt-cache show "$work/s1.deb"
rm -rf "$work/rt"
dpkg-deb -R "$work/s1.deb" "$work/rt" && dpkg-deb -b "$work/rt" "$work/rt.deb" >/dev/null 2>&1
expect "dpkg-deb -R then -b keeps evmsig" cmp "$work/rt/DEBIAN/evmsig" <(dpkg-deb --ctrl-tarfile "$work/s1.deb" | tar -xO ./evmsig)
expect "the rebuilt package still verifies" "$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/rt.deb"

# inspect: every signature verifies with the right certificate only.
expect "inspect verifies every signature" "$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/s1.deb"
refuse "inspect with another key refuses" "$EVMPKG" inspect --cert "$keys/other.der" "$work/s1.deb"
"$EVMPKG" inspect --json --cert "$keys/rsa2048.der" "$work/s1.deb" >"$work/s1.json"
same "hardlinks: both names signed" "$(jq -r 'select(.path | test("/usr/bin/demo(-link)?$")) | .signed' "$work/s1.json" | sort -u)" "ima+evm"
same "owner by number (no name in the tar header)" "$(jq -r 'select(.path == "/opt/demo/data/owned") | "\(.uid):\(.gid):\(.mode)"' "$work/s1.json")" "1234:1234:100640"
same "owner by name, mapped through --passwd" "$(jq -r 'select(.path == "/opt/demo/data/by-daemon") | "\(.uid):\(.gid)"' "$work/s1.json")" "1:1"
same "setuid mode signed" "$(jq -r 'select(.path == "/usr/bin/demo-suid") | .mode' "$work/s1.json")" 104755
same "--caps signed" "$(jq -r 'select(.path == "/usr/sbin/demo-ping") | .caps' "$work/s1.json")" "cap_net_raw=ep"
same "conffile unsigned without --sign-config" "$(jq -r 'select(.path == "/etc/demo/demo.conf") | .signed' "$work/s1.json")" none
same "symlink not listed as signed" "$(jq -r 'select(.path == "/usr/sbin/demo-symlink") | .signed' "$work/s1.json")" ""

# The oracle: evmctl signs each file, given the metadata of its manifest
# entry; RSA PKCS#1 v1.5 signatures are deterministic, so the bytes match.
X=$work/x
rm -rf "$X"
mkdir -p "$X"
dpkg-deb -x "$work/s1.deb" "$X"
while IFS=$'\t' read -r path uid gid mode caps ima evm; do
	f=$X$path
	chown -h "$uid:$gid" "$f" && chmod "${mode: -4}" "$f"
	[ "$caps" = null ] || setcap "$caps" "$f"
	if evmctl ima_sign -a sha256 --key "$keys/rsa2048.pem" "$f" >>"$work/evmctl.log" 2>&1 &&
		evmctl sign --portable -a sha256 --key "$keys/rsa2048.pem" --generation 0 "$f" >>"$work/evmctl.log" 2>&1; then
		same "$path: security.ima as evmctl makes it" \
			"$(getfattr --absolute-names -n security.ima -e hex "$f" 2>/dev/null | sed -n 's/^security.ima=0x//p')" "$ima"
		same "$path: security.evm as evmctl makes it" \
			"$(getfattr --absolute-names -n security.evm -e hex "$f" 2>/dev/null | sed -n 's/^security.evm=0x//p')" "$evm"
	else
		not_ok "$path: evmctl signs" "$(tail -n 2 "$work/evmctl.log")"
	fi
done < <(jq -r 'select(.signed == "ima+evm") | [.path, .uid, .gid, .mode, (.caps // "null"), .ima_value, .evm_value] | @tsv' "$work/s1.json")

# --sign-config: the conffile gets IMA only, in a version 2 manifest.
expect "sign --sign-config" sign "$work/v1.deb" "$work/cfg.deb" --sign-config --caps /usr/sbin/demo-ping=cap_net_raw+ep
"$EVMPKG" inspect --json --cert "$keys/rsa2048.der" "$work/cfg.deb" >"$work/cfg.json"
same "--sign-config: conffile signed for IMA only" "$(jq -r 'select(.path == "/etc/demo/demo.conf") | "\(.signed) \(.ima)"' "$work/cfg.json")" "ima verified"
same "--sign-config: manifest version 2" "$(dpkg-deb --ctrl-tarfile "$work/cfg.deb" | tar -xO ./evmsig | head -c 8 | xxd -p)" "45564d504b474d02"
same "without --sign-config: manifest version 1" "$(dpkg-deb --ctrl-tarfile "$work/s1.deb" | tar -xO ./evmsig | head -c 8 | xxd -p)" "45564d504b474d01"

# Reports: setcap without --caps, an unmapped owner; --strict fails.
sign "$work/v1.deb" "$work/nocaps.deb" >"$work/nocaps.out" 2>&1
expect "setcap in the postinst without --caps is reported" grep -q "evmdemo_1.0-1_all: /usr/sbin/demo-ping: its postinst changes it (setcap)" "$work/nocaps.out"
refuse "--strict fails on it" sign "$work/v1.deb" "$work/strict.deb" --strict
[ -e "$work/strict.deb" ] && not_ok "--strict leaves no output" "$work/strict.deb exists" || ok "--strict leaves no output"
"$EVMPKG" sign --key "$keys/rsa2048.pem" -o "$work/noacct.deb" "$work/v1.deb" >"$work/noacct.out" 2>&1
expect "an owner name without --passwd is reported" grep -q "/opt/demo/data/by-daemon: no EVM signature: owner 'daemon'" "$work/noacct.out"
same "... and signed for IMA only" "$("$EVMPKG" inspect --json "$work/noacct.deb" | jq -r 'select(.path == "/opt/demo/data/by-daemon") | .signed')" ima

# In place, atomically; a tampered manifest is refused by inspect.
cp "$work/v1.deb" "$work/inplace.deb"
expect "sign in place" "$EVMPKG" sign --key "$keys/rsa2048.pem" --passwd "$work/passwd" --group "$work/group" "$work/inplace.deb"
expect "in place: signed" "$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/inplace.deb"
same "in place: no temporary file left" "$(find "$work" -maxdepth 1 -name '.*inplace*' | wc -l)" 0
rm -rf "$work/bad"
dpkg-deb -R "$work/s1.deb" "$work/bad"
sz=$(stat -c %s "$work/bad/DEBIAN/evmsig")
flip_byte "$work/bad/DEBIAN/evmsig" $((sz - 1))
dpkg-deb -b "$work/bad" "$work/bad.deb" >/dev/null 2>&1
"$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/bad.deb" >"$work/bad.out" 2>&1
same "a flipped signature byte: inspect refuses" "$?" 1
expect "... naming the file and field" grep -q "problem: .*security\.\(ima\|evm\)" "$work/bad.out"
refuse "sign refuses what is not a package" "$EVMPKG" sign --key "$keys/rsa2048.pem" -o "$work/x.deb" "$work/passwd"

finish
