#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier oracle-signfile: `evmpkg sign-file` must write byte-identical
# security.ima and security.evm to evmctl 1.4 (RSA PKCS#1 v1.5 signatures
# are deterministic). For each case the same content goes to file A, which
# evmpkg signs with --uid/--gid/--mode/--caps/--label overrides, and to
# file B, which gets the same metadata by hand (chown, chmod, setcap,
# setfattr) and is signed by `evmctl ima_sign` + `evmctl sign --portable`.
set -u
cd "$(dirname "$0")/../.." || exit 1
T_NAME=oracle-signfile
. tests/lib.sh
. tests/oracle/common.bash

oracle_setup || { finish; exit 1; }

L=system_u:object_r:bin_t:s0
# name|uid|gid|mode|caps|label|size
CASES='plain|0|0|0644|||4096
private|1234|5678|0600|||1
setuid|0|0|4755|cap_net_raw+ep||8191
setgid|1000|1000|2755|cap_net_admin,cap_net_raw+eip|'$L'|65536
sticky|65534|65534|1644||unconfined_u:object_r:user_home_t:s0|3000
bigids|4000000000|12|0755|cap_setuid+p|system_u:object_r:bin_t:s0:c0.c1023|1048579
empty|0|0|0444|||0'

n=0
# sign_b FILE ALGO KEY [EVMCTL-SIGN-OPTS...]: evmctl signs FILE
# (IMA signature, then the portable EVM signature over what is on FILE).
sign_b() {
	local f=$1 a=$2 k=$3
	shift 3
	evmctl ima_sign -a "$a" --key "$k" "$f" >>"$W/evmctl.log" 2>&1 &&
		evmctl sign --portable -a "$a" --key "$k" --generation 0 "$@" "$f" \
			>>"$W/evmctl.log" 2>&1
}

# set_meta FILE UID GID MODE CAPS LABEL: the metadata by hand, in an
# order where nothing undoes an earlier step (chown clears setuid bits
# and capabilities).
set_meta() {
	chown "$2:$3" "$1" && chmod "$4" "$1" &&
		{ [ -z "$5" ] || setcap "$5" "$1"; } &&
		{ [ -z "$6" ] || setfattr -n security.selinux -v "0x$(label_hex "$6")" "$1"; }
}

# compare_ab TAG A B: every protected xattr and owner/mode of A equal B's.
compare_ab() {
	local t=$1 a=$2 b=$3 x
	local -A xa_a xa_b
	xdump "$a" xa_a
	xdump "$b" xa_b
	for x in security.ima security.evm; do
		same_x "$t: $x" "${xa_a[$x]:-}" "${xa_b[$x]:-}"
	done
	for x in security.capability security.selinux; do
		same "$t: $x" "${xa_a[$x]:-}" "${xa_b[$x]:-}"
	done
	same "$t: owner and mode" "$(stat -c '%u %g %f' "$a")" "$(stat -c '%u %g %f' "$b")"
}

# check_json TAG JSONFILE FILE: the --json line matches what is on FILE.
check_json() {
	local t=$1 j=$2 f=$3 x i=0
	local -A xf
	local -a jv
	xdump "$f" xf
	mapfile -t jv < <(jq -r '.path, "\(.uid) \(.gid)", .mode,
		(("security.ima", "security.evm", "security.capability",
		  "security.selinux") as $k | .[$k] // "")' "$j")
	same "$t: json path" "${jv[0]:-}" "$f"
	same "$t: json uid gid" "${jv[1]:-}" "$(stat -c '%u %g' "$f")"
	same "$t: json mode" "${jv[2]:-}" "$(printf '%o' "0x$(stat -c %f "$f")")"
	for x in security.ima security.evm security.capability security.selinux; do
		same "$t: json $x" "${jv[3 + i]:-}" "${xf[$x]:-}"
		i=$((i + 1))
	done
}

# check_header TAG HEX TYPE ALGO KEYID BITS: 9-byte v2 header, sig size.
check_header() {
	local t=$1 h=$2 ty=$3 al=$4 kid=$5 bits=$6
	local sz
	sz=$(printf '%04x' $((bits / 8)))
	same "$t: header" "${h:0:18}" "${ty}02${al}${kid}${sz}"
	same "$t: length" "${#h}" "$((2 * (9 + bits / 8)))"
}

for key in rsa2048 rsa4096; do
	bits=${key#rsa}
	kid=$(keyid_of "$K/$key.der")
	for algo in sha256 sha512; do
		ab=$(algo_byte $algo)
		while IFS='|' read -r name uid gid mode caps label size; do
			n=$((n + 1))
			t="$key $algo $name"
			d=$W/c$n
			mkdir "$d"
			head -c "$size" /dev/urandom >"$d/A"
			cp "$d/A" "$d/B"
			cp "$d/A" "$d/C"
			args=(--key "$K/$key.pem" --hash "$algo" --uid "$uid" --gid "$gid" --mode "$mode")
			[ -n "$caps" ] && args+=(--caps "$caps")
			[ -n "$label" ] && args+=(--label "$label")

			# Dry run first: prints the same JSON, writes nothing.
			before=$(stat -c '%u %g %f' "$d/C")
			if "$E" sign-file "${args[@]}" --dry-run --json "$d/C" >"$d/C.json" 2>"$d/err"; then
				ok "$t: dry run"
			else
				not_ok "$t: dry run" "$(cat "$d/err")"
			fi
			same "$t: dry run leaves owner and mode" "$(stat -c '%u %g %f' "$d/C")" "$before"
			same "$t: dry run writes no xattr" \
				"$(getfattr --absolute-names -d -m - "$d/C" 2>/dev/null)" ""

			if ! "$E" sign-file "${args[@]}" --json "$d/A" >"$d/A.json" 2>"$d/err"; then
				not_ok "$t: evmpkg sign-file" "$(cat "$d/err")"
				continue
			fi
			ok "$t: evmpkg sign-file"
			if set_meta "$d/B" "$uid" "$gid" "$mode" "$caps" "$label" &&
				sign_b "$d/B" "$algo" "$K/$key.pem"; then
				ok "$t: evmctl signs"
			else
				not_ok "$t: evmctl signs" "$(tail -n 3 "$W/evmctl.log")"
				continue
			fi
			compare_ab "$t" "$d/A" "$d/B"
			check_header "$t: ima" "$(xa "$d/A" security.ima)" 03 "$ab" "$kid" "$bits"
			check_header "$t: evm" "$(xa "$d/A" security.evm)" 05 "$ab" "$kid" "$bits"
			check_json "$t" "$d/A.json" "$d/A"
			same "$t: dry run JSON equals the real run's" \
				"$(jq -c 'del(.path)' "$d/C.json")" "$(jq -c 'del(.path)' "$d/A.json")"

			# evmctl again, with the metadata given on its command line
			# (decimal mode with S_IFREG, --selinux hashes the label
			# with its NUL) on a file whose own metadata differs.
			# evmctl --caps hashes text, not the xattr: skip caps cases.
			if [ -z "$caps" ]; then
				cp "$d/A" "$d/D"
				chown 4321:4321 "$d/D"
				chmod 0640 "$d/D"
				o=(--uid "$uid" --gid "$gid" --mode "$((0100000 | 8#$mode))")
				[ -n "$label" ] && o+=(--selinux "$label")
				if sign_b "$d/D" "$algo" "$K/$key.pem" "${o[@]}"; then
					same_x "$t: evmctl overrides: security.evm" \
						"$(xa "$d/D" security.evm)" "$(xa "$d/A" security.evm)"
				else
					not_ok "$t: evmctl overrides" "$(tail -n 3 "$W/evmctl.log")"
				fi
			fi
		done <<<"$CASES"

		# --ima hash: type 4 digest; evmctl ima_hash then sign --portable,
		# and evmctl sign --portable --imahash (writes the hash itself).
		n=$((n + 1))
		d=$W/h$n
		t="$key $algo ima hash"
		mkdir "$d"
		head -c 12345 /dev/urandom >"$d/A"
		cp "$d/A" "$d/B"
		cp "$d/A" "$d/C"
		if "$E" sign-file --key "$K/$key.pem" --hash "$algo" --ima hash \
			--uid 7 --gid 8 --mode 0750 --json "$d/A" >"$d/A.json" 2>"$d/err"; then
			ok "$t: evmpkg sign-file"
		else
			not_ok "$t: evmpkg sign-file" "$(cat "$d/err")"
		fi
		set_meta "$d/B" 7 8 0750 "" ""
		set_meta "$d/C" 7 8 0750 "" ""
		if evmctl ima_hash -a "$algo" "$d/B" >>"$W/evmctl.log" 2>&1 &&
			evmctl sign --portable -a "$algo" --key "$K/$key.pem" \
				--generation 0 "$d/B" >>"$W/evmctl.log" 2>&1 &&
			evmctl sign --portable --imahash -a "$algo" --key "$K/$key.pem" \
				--generation 0 "$d/C" >>"$W/evmctl.log" 2>&1; then
			ok "$t: evmctl signs"
		else
			not_ok "$t: evmctl signs" "$(tail -n 3 "$W/evmctl.log")"
		fi
		compare_ab "$t vs ima_hash" "$d/A" "$d/B"
		compare_ab "$t vs sign --imahash" "$d/A" "$d/C"
		ih=$(xa "$d/A" security.ima)
		same "$t: digest form" "${ih:0:4}" "04$ab"
		same "$t: digest" "${ih:4}" "$(openssl dgst -"$algo" -r "$d/A" | cut -d' ' -f1)"
		check_json "$t" "$d/A.json" "$d/A"
	done
done

# sha384 once (evmpkg offers it; evmctl -a sha384 is the oracle).
d=$W/sha384
mkdir "$d"
head -c 777 /dev/urandom >"$d/A"
cp "$d/A" "$d/B"
"$E" sign-file --key "$K/rsa2048.pem" --hash sha384 --mode 0700 "$d/A" >/dev/null 2>&1
set_meta "$d/B" 0 0 0700 "" ""
sign_b "$d/B" sha384 "$K/rsa2048.pem"
compare_ab "rsa2048 sha384" "$d/A" "$d/B"
same "rsa2048 sha384: algo byte" "$(xa "$d/A" security.evm | cut -c5-6)" 05

# No overrides: evmpkg reads owner, mode, caps and label from the file.
d=$W/fromfile
mkdir "$d"
head -c 2048 /dev/urandom >"$d/A"
cp "$d/A" "$d/B"
set_meta "$d/A" 321 654 4711 cap_sys_admin+ep "$L"
set_meta "$d/B" 321 654 4711 cap_sys_admin+ep "$L"
expect "from file: evmpkg sign-file" "$E" sign-file --key "$K/rsa2048.pem" "$d/A"
sign_b "$d/B" sha256 "$K/rsa2048.pem"
compare_ab "from file" "$d/A" "$d/B"

# Overrides replace caps and label already on the file.
d=$W/replace
mkdir "$d"
head -c 2048 /dev/urandom >"$d/A"
cp "$d/A" "$d/B"
set_meta "$d/A" 5 5 0755 cap_net_raw+ep unconfined_u:object_r:user_home_t:s0
expect "replace: evmpkg sign-file" "$E" sign-file --key "$K/rsa2048.pem" \
	--uid 0 --gid 0 --mode 4750 --caps cap_setgid+ep --label "$L" "$d/A"
set_meta "$d/B" 0 0 4750 cap_setgid+ep "$L"
sign_b "$d/B" sha256 "$K/rsa2048.pem"
compare_ab "replace" "$d/A" "$d/B"

# --mode with or without the file-type bits means the same thing.
d=$W/modes
mkdir "$d"
head -c 100 /dev/urandom >"$d/m1"
cp "$d/m1" "$d/m2"
cp "$d/m1" "$d/m3"
"$E" sign-file --key "$K/rsa2048.pem" --mode 0600 "$d/m1" >/dev/null 2>&1
"$E" sign-file --key "$K/rsa2048.pem" --mode 600 "$d/m2" >/dev/null 2>&1
"$E" sign-file --key "$K/rsa2048.pem" --mode 100600 "$d/m3" >/dev/null 2>&1
same_x "--mode 600 = 0600" "$(xa "$d/m2" security.evm)" "$(xa "$d/m1" security.evm)"
same_x "--mode 100600 = 0600" "$(xa "$d/m3" security.evm)" "$(xa "$d/m1" security.evm)"
same "--mode 100600 applied" "$(stat -c %f "$d/m3")" 8180

# --cert (PEM or DER) takes the key id from the SKID: same bytes.
d=$W/cert
mkdir "$d"
head -c 3333 /dev/urandom >"$d/A"
for v in der crt.pem; do
	cp "$d/A" "$d/A.$v"
	expect "--cert $v" "$E" sign-file --key "$K/rsa2048.pem" --cert "$K/rsa2048.$v" "$d/A.$v"
done
cp "$d/A" "$d/B"
sign_b "$d/B" sha256 "$K/rsa2048.pem"
compare_ab "--cert der" "$d/A.der" "$d/B"
compare_ab "--cert pem" "$d/A.crt.pem" "$d/B"

# Encrypted key: --pass and EVMPKG_KEY_PASSWORD give the bytes evmctl
# makes with the same key (--pass=secret and EVMCTL_KEY_PASSWORD) and
# evmpkg makes with the unencrypted copy.
d=$W/pass
mkdir "$d"
head -c 5000 /dev/urandom >"$d/A"
for v in pass env plain ctl ctlenv envsrc filesrc fdsrc stdinsrc tty; do cp "$d/A" "$d/$v"; done
expect "encrypted key, --pass pass:TEXT" "$E" sign-file --key "$K/enc.pem" --pass pass:secret "$d/pass"
expect "... which warns that others can read it" sh -c \
	"'$E' sign-file --dry-run --key '$K/enc.pem' --pass pass:secret '$d/A' 2>&1 | grep -q 'other users can read it'"
printf 'secret\n' > "$d/passfile"
expect "encrypted key, --pass env:VAR" env PW=secret "$E" sign-file --key "$K/enc.pem" --pass env:PW "$d/envsrc"
expect "encrypted key, --pass file:PATH" "$E" sign-file --key "$K/enc.pem" --pass "file:$d/passfile" "$d/filesrc"
expect "encrypted key, --pass fd:N" sh -c "'$E' sign-file --key '$K/enc.pem' --pass fd:3 '$d/fdsrc' 3< '$d/passfile'"
expect "encrypted key, --pass stdin" sh -c "'$E' sign-file --key '$K/enc.pem' --pass stdin '$d/stdinsrc' < '$d/passfile'"
# A terminal: asked for, without echo (script gives the command a pty).
expect "encrypted key, asked for on a terminal" sh -c \
	"printf 'secret\\n' | script -qec \"env -u EVMPKG_KEY_PASSWORD '$E' sign-file --key '$K/enc.pem' '$d/tty'\" /dev/null"
expect "encrypted key, EVMPKG_KEY_PASSWORD" env EVMPKG_KEY_PASSWORD=secret \
	"$E" sign-file --key "$K/enc.pem" "$d/env"
expect "unencrypted copy" "$E" sign-file --key "$K/enc.plain.pem" "$d/plain"
if evmctl ima_sign --key "$K/enc.pem" --pass=secret "$d/ctl" >>"$W/evmctl.log" 2>&1 &&
	evmctl sign --portable --generation 0 --key "$K/enc.pem" --pass=secret "$d/ctl" \
		>>"$W/evmctl.log" 2>&1 &&
	EVMCTL_KEY_PASSWORD=secret evmctl ima_sign --key "$K/enc.pem" "$d/ctlenv" \
		>>"$W/evmctl.log" 2>&1 &&
	EVMCTL_KEY_PASSWORD=secret evmctl sign --portable --generation 0 \
		--key "$K/enc.pem" "$d/ctlenv" >>"$W/evmctl.log" 2>&1; then
	ok "evmctl with the encrypted key"
else
	not_ok "evmctl with the encrypted key" "$(tail -n 3 "$W/evmctl.log")"
fi
compare_ab "--pass vs evmctl --pass" "$d/pass" "$d/ctl"
compare_ab "EVMPKG_KEY_PASSWORD vs evmctl env" "$d/env" "$d/ctlenv"
compare_ab "--pass vs unencrypted key" "$d/pass" "$d/plain"
for v in envsrc filesrc fdsrc stdinsrc tty; do
	compare_ab "--pass source $v vs unencrypted key" "$d/$v" "$d/plain"
done

# -r: regular files under a tree, symlinks left alone, the same bytes
# with --jobs 1, the default jobs and `evmctl sign -r --imasig`.
d=$W/tree
mkdir -p "$d/t/sub/deeper"
for i in $(seq 1 24); do
	case $((i % 3)) in
	0) p=$d/t/f$i ;;
	1) p=$d/t/sub/f$i ;;
	2) p=$d/t/sub/deeper/f$i ;;
	esac
	head -c $((i * 97)) /dev/urandom >"$p"
done
head -c 10 /dev/urandom >"$d/outside"
ln -s ../../outside "$d/t/sub/link"
cp -a "$d/t" "$d/j1"
cp -a "$d/t" "$d/ctl"
expect "-r default jobs" "$E" sign-file -r --key "$K/rsa2048.pem" "$d/t"
expect "-r --jobs 1" "$E" sign-file -r --jobs 1 --key "$K/rsa2048.pem" "$d/j1"
evmctl sign -r --imasig --portable --generation 0 --key "$K/rsa2048.pem" "$d/ctl" \
	>>"$W/evmctl.log" 2>&1
same "-r: evmctl signed every file" \
	"$(getfattr -R --absolute-names -n security.evm "$d/ctl" 2>/dev/null | grep -c '^security.evm=')" 24
same "-r: evmpkg signed every file" \
	"$(getfattr -R --absolute-names -n security.evm "$d/t" 2>/dev/null | grep -c '^security.evm=')" 24
same "-r: symlink target untouched" "$(xa "$d/outside" security.ima)" ""
bad=0
while IFS= read -r f; do
	rel=${f#"$d/t/"}
	for x in security.ima security.evm; do
		v=$(xa "$f" $x)
		if [ -z "$v" ] || [ "$v" != "$(xa "$d/j1/$rel" $x)" ] ||
			[ "$v" != "$(xa "$d/ctl/$rel" $x)" ]; then
			bad=$((bad + 1))
			echo "  differs: $rel $x"
		fi
	done
done < <(find "$d/t" -type f)
same "-r: default jobs = --jobs 1 = evmctl -r, every file" "$bad" 0
out=$("$E" sign-file -r --jobs 4 --dry-run --key "$K/rsa2048.pem" "$d/t" 2>&1)
same "-r output in path order" "$(printf '%s\n' "$out" | cut -d: -f1)" \
	"$(find "$d/t" -type f | LC_ALL=C sort)"

finish
