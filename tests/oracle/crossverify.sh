#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier oracle-crossverify: signatures evmpkg makes verify with evmctl 1.4
# and signatures evmctl makes verify with `evmpkg verify-file`, for ECDSA
# P-256 (randomised, so bytes cannot be compared) and RSA. Then
# `evmpkg verify-file` must reject tampered files and name the failing
# xattr, and sign-file/verify-file must refuse bad arguments.
set -u
cd "$(dirname "$0")/../.." || exit 1
T_NAME=oracle-crossverify
. tests/lib.sh
. tests/oracle/common.bash

oracle_setup || { finish; exit 1; }

L=system_u:object_r:bin_t:s0
# name|uid|gid|mode|caps|label|ima kind
CASES='plain|0|0|0644|||sig
setuid|0|0|4755|cap_net_raw+ep||sig
labelled|1000|100|2750|cap_net_admin,cap_net_raw+eip|'$L'|sig
sticky|65534|65534|1644||'$L'|sig
digest|5|6|0600|cap_setuid+p||hash'

# Same helpers as signfile.sh.
set_meta() {
	chown "$2:$3" "$1" && chmod "$4" "$1" &&
		{ [ -z "$5" ] || setcap "$5" "$1"; } &&
		{ [ -z "$6" ] || setfattr -n security.selinux -v "0x$(label_hex "$6")" "$1"; }
}

# ctl NAME CMD...: passes when evmctl (or any CMD) exits 0; log kept.
ctl() {
	local name=$1
	shift
	if "$@" >"$W/ctl.out" 2>&1; then
		ok "$name"
	else
		not_ok "$name" "$(tail -n 2 "$W/ctl.out" | tr '\n' ' ')"
	fi
}

# vf_ok NAME FILE CERT...: evmpkg verify-file accepts FILE.
vf_ok() {
	local name=$1 f=$2 c
	shift 2
	local args=()
	for c; do args+=(--cert "$c"); done
	if out=$("$E" verify-file "${args[@]}" "$f" 2>&1) &&
		printf '%s\n' "$out" | grep -q "^$f: ok"; then
		ok "$name"
	else
		not_ok "$name" "$(printf '%s' "$out" | tr '\n' ' ')"
	fi
}

# vf_bad NAME FILE CERT XATTR...: verify-file exits non-zero and reports
# each XATTR as failed (its line does not say "verified").
vf_bad() {
	local name=$1 f=$2 c=$3 x
	shift 3
	if out=$("$E" verify-file --cert "$c" "$f" 2>&1); then
		not_ok "$name" "verify-file accepted it: $(printf '%s' "$out" | tr '\n' ' ')"
		return
	fi
	for x; do
		if printf '%s\n' "$out" | grep -E "^ *$x: " | grep -vq verified; then
			ok "$name: names $x"
		else
			not_ok "$name: names $x" "$(printf '%s' "$out" | tr '\n' ' ')"
		fi
	done
}

n=0
for key in ec256 rsa2048 rsa4096; do
	for algo in sha256 sha512; do
		[ "$key" = rsa4096 ] && [ "$algo" = sha512 ] && continue
		while IFS='|' read -r name uid gid mode caps label kind; do
			n=$((n + 1))
			t="$key $algo $name"
			d=$W/c$n
			mkdir "$d"
			head -c $((n * 331 + 17)) /dev/urandom >"$d/A"
			cp "$d/A" "$d/B"

			# evmpkg signs, evmctl verifies.
			args=(--key "$K/$key.pem" --hash "$algo" --ima "$kind"
				--uid "$uid" --gid "$gid" --mode "$mode")
			[ -n "$caps" ] && args+=(--caps "$caps")
			[ -n "$label" ] && args+=(--label "$label")
			expect "$t: evmpkg sign-file" "$E" sign-file "${args[@]}" "$d/A"
			if [ "$kind" = sig ]; then
				ctl "$t: evmctl ima_verify of evmpkg's signature" \
					evmctl ima_verify --key "$K/$key.der" "$d/A"
			fi
			ctl "$t: evmctl verify of evmpkg's signature" \
				evmctl verify --key "$K/$key.der" "$d/A"
			vf_ok "$t: evmpkg verify-file of its own signature" "$d/A" "$K/$key.der"

			# evmctl signs, evmpkg verifies (DER and PEM certificates).
			if [ "$kind" = sig ]; then
				ima=(evmctl ima_sign -a "$algo" --key "$K/$key.pem" "$d/B")
			else
				ima=(evmctl ima_hash -a "$algo" "$d/B")
			fi
			if set_meta "$d/B" "$uid" "$gid" "$mode" "$caps" "$label" &&
				"${ima[@]}" >>"$W/evmctl.log" 2>&1 &&
				evmctl sign --portable -a "$algo" --key "$K/$key.pem" \
					--generation 0 "$d/B" >>"$W/evmctl.log" 2>&1; then
				ok "$t: evmctl signs"
			else
				not_ok "$t: evmctl signs" "$(tail -n 2 "$W/evmctl.log")"
			fi
			vf_ok "$t: verify-file --cert DER of evmctl's signature" "$d/B" "$K/$key.der"
			vf_ok "$t: verify-file --cert PEM of evmctl's signature" "$d/B" "$K/$key.crt.pem"
			vf_ok "$t: verify-file with an extra untrusted cert" "$d/B" \
				"$K/other.der" "$K/$key.der"
		done <<<"$CASES"
	done
done

# ECDSA signatures are randomised: two runs differ yet both verify.
d=$W/random
mkdir "$d"
head -c 999 /dev/urandom >"$d/A"
cp "$d/A" "$d/B"
"$E" sign-file --key "$K/ec256.pem" "$d/A" "$d/B" >/dev/null 2>&1
a=$(xa "$d/A" security.evm)
b=$(xa "$d/B" security.evm)
if [ -n "$a" ] && [ "$a" != "$b" ]; then
	ok "ec256: signatures differ between runs"
else
	not_ok "ec256: signatures differ between runs" "'${a:0:40}' '${b:0:40}'"
fi
same "ec256: evm header" "${a:0:6}" 050204
same "ec256: evm key id" "${a:6:8}" "$(keyid_of "$K/ec256.der")"

# Negatives: each file freshly signed by evmpkg, then one thing changed.
# (cp -a would not copy security.evm: libattr's xattr.conf skips it.)
for key in ec256 rsa2048; do
	d=$W/neg-$key
	mkdir "$d"
	c=$K/$key.der
	for f in good content mode owner group caps label ima sigbyte noevm untrusted; do
		head -c 4096 /dev/urandom >"$d/$f"
	done
	head -c 100 /dev/urandom >"$d/donor"
	expect "$key negatives: sign" "$E" sign-file --key "$K/$key.pem" \
		--uid 0 --gid 0 --mode 0755 "$d"/*
	vf_ok "$key negatives: untouched file verifies" "$d/good" "$c"

	printf x >>"$d/content"
	vf_bad "$key tampered content" "$d/content" "$c" security.ima
	chmod 0775 "$d/mode"
	vf_bad "$key changed mode" "$d/mode" "$c" security.evm
	refuse "$key changed mode: evmctl agrees" evmctl verify --key "$c" "$d/mode"
	chown 1:0 "$d/owner"
	chmod 0755 "$d/owner"
	vf_bad "$key changed owner" "$d/owner" "$c" security.evm
	refuse "$key changed owner: evmctl agrees" evmctl verify --key "$c" "$d/owner"
	chgrp 1 "$d/group"
	chmod 0755 "$d/group"
	vf_bad "$key changed group" "$d/group" "$c" security.evm
	setcap cap_net_raw+ep "$d/caps"
	vf_bad "$key added capability" "$d/caps" "$c" security.evm
	refuse "$key added capability: evmctl agrees" evmctl verify --key "$c" "$d/caps"
	setfattr -n security.selinux -v "0x$(label_hex "$L")" "$d/label"
	vf_bad "$key added label" "$d/label" "$c" security.evm
	# A valid IMA signature of other content: IMA fails on content, EVM
	# because security.ima is part of what it signs.
	setfattr -n security.ima -v "0x$(xa "$d/donor" security.ima)" "$d/ima"
	vf_bad "$key swapped security.ima" "$d/ima" "$c" security.ima security.evm
	# One flipped bit in the signature.
	e=$(xa "$d/sigbyte" security.evm)
	last=${e: -2}
	setfattr -n security.evm -v "0x${e:0:${#e}-2}$(printf '%02x' $((0x$last ^ 1)))" "$d/sigbyte"
	vf_bad "$key flipped bit in security.evm" "$d/sigbyte" "$c" security.evm
	setfattr -x security.evm "$d/noevm"
	vf_bad "$key missing security.evm" "$d/noevm" "$c" security.evm
	vf_bad "$key untrusted key (--cert other.der)" "$d/untrusted" "$K/other.der" \
		security.ima security.evm
	# Several files: one bad one makes the exit status 1.
	if out=$("$E" verify-file --cert "$c" "$d/good" "$d/mode" 2>&1); then
		not_ok "$key good + bad file: exit status" "accepted"
	else
		same "$key good + bad file: exit status" "$?" 1
	fi
done

# Bad arguments: non-zero exit and a message naming the culprit.
d=$W/args
mkdir "$d"
head -c 10 /dev/urandom >"$d/f"
# bad_arg NAME PATTERN CMD...: CMD fails and its output matches PATTERN.
bad_arg() {
	local name=$1 pat=$2
	shift 2
	if out=$("$@" 2>&1); then
		not_ok "$name" "succeeded: $(printf '%s' "$out" | head -n 2 | tr '\n' ' ')"
	elif printf '%s\n' "$out" | grep -qF -- "$pat"; then
		ok "$name"
	else
		not_ok "$name" "message does not mention '$pat': $(printf '%s' "$out" | head -n 2 | tr '\n' ' ')"
	fi
}
k=$K/rsa2048.pem
bad_arg "missing --key" "--key" "$E" sign-file "$d/f"
bad_arg "no FILE" "FILE" "$E" sign-file --key "$k"
bad_arg "key file does not exist" "$d/nokey.pem" "$E" sign-file --key "$d/nokey.pem" "$d/f"
bad_arg "key is a directory" "$d" "$E" sign-file --key "$d" "$d/f"
cp "$k" "$d/secret.pem"
chmod 0600 "$d/secret.pem"
chmod 0755 "$d"
chmod 0644 "$d/f"
bad_arg "unreadable key file (as nobody)" "$d/secret.pem" \
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$E" sign-file --dry-run --key "$d/secret.pem" "$d/f"
bad_arg "key is a certificate, not a private key" "$K/rsa2048.der" \
	"$E" sign-file --key "$K/rsa2048.der" "$d/f"
bad_arg "cert does not match key" "$K/other.der" \
	"$E" sign-file --key "$k" --cert "$K/other.der" "$d/f"
bad_arg "missing file" "$d/nofile" "$E" sign-file --key "$k" "$d/nofile"
bad_arg "wrong password" "$K/enc.pem" "$E" sign-file --key "$K/enc.pem" --pass pass:wrong "$d/f"
bad_arg "--pass without a source: refused (a literal only as pass:TEXT)" "give a source" \
	"$E" sign-file --key "$K/enc.pem" --pass secret "$d/f"
bad_arg "--pass env: naming nothing" "has no EVMPKG_NO_SUCH_VAR" \
	"$E" sign-file --key "$K/enc.pem" --pass env:EVMPKG_NO_SUCH_VAR "$d/f"
bad_arg "--pass file: that does not exist" "file:$d/nopass" \
	"$E" sign-file --key "$K/enc.pem" --pass "file:$d/nopass" "$d/f"
bad_arg "wrong password (env)" "$K/enc.pem" env EVMPKG_KEY_PASSWORD=wrong \
	"$E" sign-file --key "$K/enc.pem" "$d/f"
bad_arg "no password for an encrypted key (no terminal to ask)" "encrypted; give its passphrase" env -u EVMPKG_KEY_PASSWORD \
	"$E" sign-file --key "$K/enc.pem" "$d/f"
bad_arg "bad --mode (not octal)" "--mode" "$E" sign-file --key "$k" --mode 9999 "$d/f"
bad_arg "bad --mode (a directory)" "--mode" "$E" sign-file --key "$k" --mode 040755 "$d/f"
bad_arg "bad --mode (too big)" "--mode" "$E" sign-file --key "$k" --mode 7777777 "$d/f"
bad_arg "bad --caps (unknown)" "--caps" "$E" sign-file --key "$k" --caps cap_bogus+ep "$d/f"
bad_arg "bad --caps (no flags)" "--caps" "$E" sign-file --key "$k" --caps garbage "$d/f"
bad_arg "bad --uid" "--uid" "$E" sign-file --key "$k" --uid abc "$d/f"
bad_arg "bad --gid" "--gid" "$E" sign-file --key "$k" --gid -1 "$d/f"
bad_arg "bad --hash" "--hash" "$E" sign-file --key "$k" --hash md5 "$d/f"
bad_arg "bad --ima" "--ima" "$E" sign-file --key "$k" --ima both "$d/f"
bad_arg "bad --jobs" "--jobs" "$E" sign-file --key "$k" --jobs 0 "$d/f"
bad_arg "empty --label" "--label" "$E" sign-file --key "$k" --label "" "$d/f"
same "bad arguments wrote nothing" "$(getfattr --absolute-names -d -m - "$d/f" 2>/dev/null)" ""
mkdir "$d/dir"
bad_arg "a directory without -r" "$d/dir" "$E" sign-file --key "$k" "$d/dir"

# Symbolic links: never signed, never verified.
head -c 10 /dev/urandom >"$d/target"
ln -s target "$d/link"
bad_arg "sign-file refuses a symlink" "$d/link" "$E" sign-file --key "$k" "$d/link"
same "symlink target left unsigned" "$(xa "$d/target" security.ima)" ""
"$E" sign-file --key "$k" "$d/target" >/dev/null 2>&1
bad_arg "verify-file refuses a symlink" "$d/link" \
	"$E" verify-file --cert "$K/rsa2048.der" "$d/link"
bad_arg "verify-file: missing file" "$d/nofile" \
	"$E" verify-file --cert "$K/rsa2048.der" "$d/nofile"
bad_arg "verify-file: missing cert" "$d/nocert.der" \
	"$E" verify-file --cert "$d/nocert.der" "$d/target"
bad_arg "verify-file: cert is not a certificate" "$d/f" \
	"$E" verify-file --cert "$d/f" "$d/target"
bad_arg "verify-file: no FILE" "FILE" "$E" verify-file --cert "$K/rsa2048.der"

finish
