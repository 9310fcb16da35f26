#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# Controls made by hand with chown, chmod, setcap, setfattr and evmctl (never
# evmpkg). They pin down what the kernel itself accepts and refuses, so a
# difference seen in the evmpkg scenarios can be blamed on evmpkg, not on the
# kernel or the test set-up. Runs in the scenario's own directory on ext4.
# shellcheck source=tests/kernel/vmlib.sh
. /vmlib.sh

D=$PWD

# hand_sign FILE [EVM-ARGS...]: type 3 security.ima, then a portable
# security.evm over whatever is on the file now (EVM-ARGS may override
# owner, e.g. --uid/--gid), both with KEY (default the trusted key).
hand_sign() {
	local f=$1
	shift
	evmctl ima_sign -a sha256 --key "${SIGN_KEY:-$KEY}" "$f" &&
		evmctl sign --portable -a sha256 --key "${SIGN_KEY:-$KEY}" "$@" "$f"
}

caps_of() {
	getcap "$1" | sed 's/^[^ ]* //'
}

case $MODE in
off | x509)
	# The documented order: chown, chmod, capability, ima, evm.
	f=$D/busybox-base
	new_binary "$f"
	expect_ok "control: chown, chmod, setcap, ima, evm accepted" sh -c \
		"chown 1000:1000 $f && chmod 755 $f && setcap cap_net_raw+ep $f && evmctl ima_sign -a sha256 --key $KEY $f && evmctl sign --portable -a sha256 --key $KEY $f"
	same "control: capability kept" "$(caps_of "$f")" "cap_net_raw=ep"
	exec_ok "control: hand-signed binary with caps runs" "$f" base echo base

	# Once signed: identical metadata writes pass, new values do not.
	f=$D/immutable.sh
	new_script "$f" immutable
	hand_sign "$f" >/dev/null 2>&1
	exec_ok "control: hand-signed script runs" "$f" immutable
	expect_ok "control: identical chmod on a signed file allowed" chmod 755 "$f"
	expect_ok "control: identical chown on a signed file allowed" chown 0:0 "$f"
	if [ "$MODE" = x509 ]; then
		expect_eperm "control: chmod to a new mode on a signed file refused" chmod 700 "$f"
		expect_eperm "control: chown to a new owner on a signed file refused" chown 1:1 "$f"
		exec_ok "control: still runs after refused changes" "$f" immutable
	else
		expect_ok "control: chmod to a new mode allowed (EVM off)" chmod 700 "$f"
		expect_ok "control: chown to a new owner allowed (EVM off)" chown 1:1 "$f"
	fi

	# A same-owner chown is allowed but the kernel drops security.capability
	# on any chown (killpriv), which breaks the signature.
	f=$D/busybox-samechown
	new_binary "$f"
	chown 1000:1000 "$f"
	setcap cap_net_raw+ep "$f"
	hand_sign "$f" >/dev/null 2>&1
	expect_ok "control: same-owner chown of a signed file with caps allowed" chown 1000:1000 "$f"
	same "control: same-owner chown removed the capability" "$(caps_of "$f")" ""
	if [ "$MODE" = x509 ]; then
		exec_denied "control: same-owner chown then exec denied" "$f" invalid-fail-immutable
	else
		exec_ok "control: same-owner chown then exec runs (EVM off)" "$f" samechown echo samechown
	fi

	# Capabilities written before chown: security.evm signed for the caps
	# and the final owner, then chown (allowed while the signature does
	# not match yet) silently drops the caps.
	f=$D/busybox-capfirst
	new_binary "$f"
	setcap cap_net_raw+ep "$f"
	hand_sign "$f" --uid 1000 --gid 1000 >/dev/null 2>&1
	expect_ok "control: chown after setcap allowed" chown 1000:1000 "$f"
	same "control: chown after setcap removed the capability" "$(caps_of "$f")" ""
	if [ "$MODE" = x509 ]; then
		exec_denied "control: caps before chown, exec denied" "$f" invalid-fail-immutable
	else
		exec_ok "control: caps before chown, exec runs (EVM off)" "$f" capfirst echo capfirst
	fi

	# security.evm signed for an owner the file does not have.
	f=$D/wrong-owner.sh
	new_script "$f" wrong-owner
	hand_sign "$f" --uid 4242 --gid 4242 >/dev/null 2>&1
	if [ "$MODE" = x509 ]; then
		exec_denied "control: evm signed for the wrong owner, exec denied" "$f" invalid-fail-immutable
	else
		exec_ok "control: evm signed for the wrong owner runs (EVM off)" "$f" wrong-owner
	fi

	# security.ima signature without security.evm.
	f=$D/ima-only.sh
	new_script "$f" ima-only
	evmctl ima_sign -a sha256 --key "$KEY" "$f" >/dev/null 2>&1
	if [ "$MODE" = x509 ]; then
		exec_denied "control: ima signature without evm, exec denied" "$f" missing-HMAC
	else
		exec_ok "control: ima signature without evm runs (EVM off)" "$f" ima-only
	fi

	# security.ima as a plain hash (type 4) plus a portable signature.
	f=$D/ima-hash.sh
	new_script "$f" ima-hash
	evmctl sign --portable --imahash -a sha256 --key "$KEY" "$f" >/dev/null 2>&1
	if [ "$MODE" = x509 ]; then
		exec_ok "control: ima hash + portable evm satisfies imasig" "$f" ima-hash
	else
		exec_denied "control: ima hash without EVM fails imasig" "$f" IMA-signature-required
	fi

	# Signed with a key that is in no keyring.
	f=$D/untrusted.sh
	new_script "$f" untrusted
	SIGN_KEY=$BAD_KEY hand_sign "$f" >/dev/null 2>&1
	if [ "$MODE" = x509 ]; then
		exec_denied "control: untrusted key, exec denied" "$f" invalid-fail-immutable
		expect_ok "control: untrusted key, chmod allowed (signature never verified)" chmod 700 "$f"
	else
		exec_denied "control: untrusted key, exec denied" "$f" invalid-signature
	fi

	# Content changed after signing.
	f=$D/tamper.sh
	new_script "$f" tamper
	hand_sign "$f" >/dev/null 2>&1
	expect_ok "control: append to a signed file allowed (no FILE_CHECK rule)" sh -c "echo 'echo more' >>$f"
	exec_denied "control: tampered file, exec denied" "$f" invalid-signature
	;;

x509-nosetup | hmac)
	# A new file has no protected xattrs yet; EVM lets owner and mode
	# through but refuses the first protected xattr.
	f=$D/busybox-base
	new_binary "$f"
	expect_ok "control: chown of a new file allowed" chown 1000:1000 "$f"
	expect_ok "control: chmod of a new file allowed" chmod 755 "$f"
	expect_eperm "control: setcap on a new file refused" setcap cap_net_raw+ep "$f"
	hash=$(sha256sum "$f" | cut -d ' ' -f 1)
	expect_eperm "control: security.ima (hash) on a new file refused" \
		setfattr -n security.ima -v "0x0404$hash" "$f"
	expect_fail "control: evmctl ima_sign on a new file fails" \
		evmctl ima_sign -a sha256 --key "$KEY" "$f"
	# Any type 5 value: EVM refuses before looking at the signature.
	evm=0x050204$(printf '%08x' 0)0100$(head -c 256 /dev/zero | xxd -p | tr -d '\n')
	expect_eperm "control: security.evm on a new file refused" \
		setfattr -n security.evm -v "$evm" "$f"
	same "control: new file has no security.ima" "$(xattr_hex "$f" security.ima)" ""
	exec_denied "control: unsigned new file, exec denied" "$f" IMA-signature-required
	;;
esac

# The probe init signed before EVM was set up: existing signed files are
# enforced in every mode with an EVM key flag, even where new ones cannot be
# signed.
f=/mnt/probe/busybox
expect_ok "control: identical chmod on the probe allowed" chmod 755 "$f"
if [ "$MODE" = off ]; then
	expect_ok "control: chmod to a new mode on the probe allowed (EVM off)" chmod 700 "$f"
else
	expect_eperm "control: chmod to a new mode on the probe refused" chmod 700 "$f"
fi
exit 0
