#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# `evmpkg sign-file` on loose files of an ext4 mount, judged by the kernel:
# the writes must be accepted where the mode allows them (off, x509) and the
# results must pass appraisal on exec; where the kernel refuses the writes
# (x509-nosetup, hmac), sign-file must fail loudly, naming file and step.
# shellcheck source=tests/kernel/vmlib.sh
. /vmlib.sh
need_evmpkg || exit 0

D=$PWD
sign() {
	evmpkg sign-file --key "$KEY" --cert "$CERT" "$@"
}

# type_of FILE NAME: first byte of the xattr, in hex.
type_of() {
	xattr_hex "$1" "$2" | cut -c 1-2
}

case $MODE in
off | x509)
	new_script "$D/run.sh" sign-file
	new_binary "$D/busybox-copy"
	expect_ok "sign-file: script and binary signed" sign "$D/run.sh" "$D/busybox-copy"
	same "sign-file: security.ima is a signature (type 3)" "$(type_of "$D/run.sh" security.ima)" 03
	same "sign-file: security.evm is portable (type 5)" "$(type_of "$D/run.sh" security.evm)" 05
	exec_ok "sign-file: signed script runs" "$D/run.sh" sign-file
	exec_ok "sign-file: signed binary runs" "$D/busybox-copy" copy echo copy

	# The measurement list (ima-sig template) records the executed file with
	# the signature sign-file wrote.
	sig=$(awk -v p="$D/run.sh" '$5 == p { print $6; exit }' \
		/sys/kernel/security/ima/ascii_runtime_measurements)
	same "sign-file: exec measured with its security.ima" "$sig" "$(xattr_hex "$D/run.sh" security.ima)"

	expect_ok "verify-file: accepts the signed files" evmpkg verify-file --cert "$CERT" "$D/run.sh" "$D/busybox-copy"
	expect_ok "sign-file: identical chmod afterwards allowed" chmod 755 "$D/run.sh"
	expect_ok "sign-file: identical chown afterwards allowed" chown 0:0 "$D/run.sh"
	if [ "$MODE" = x509 ]; then
		expect_eperm "sign-file: later chmod to a new mode refused" chmod 700 "$D/run.sh"
		expect_eperm "sign-file: later chown to a new owner refused" chown 1000:1000 "$D/run.sh"
		exec_ok "sign-file: still runs after refused changes" "$D/run.sh" sign-file
	fi

	# Target metadata: owner and mode applied before the signature that
	# covers them.
	f=$D/owner.sh
	new_script "$f" owner
	expect_ok "sign-file --uid --gid --mode: signed" sign --uid 1000 --gid 1000 --mode 0750 "$f"
	same "sign-file --uid --gid --mode: applied" "$(stat -c '%u:%g %a' "$f")" "1000:1000 750"
	exec_ok "sign-file --uid --gid --mode: runs" "$f" owner

	# Capabilities with a new owner: only chown before setcap keeps them.
	f=$D/busybox-caps
	new_binary "$f"
	expect_ok "sign-file --caps with --uid: signed" sign --uid 1000 --gid 1000 --caps cap_net_raw+ep "$f"
	same "sign-file --caps with --uid: capability kept" "$(getcap "$f" | sed 's/^[^ ]* //')" "cap_net_raw=ep"
	exec_ok "sign-file --caps with --uid: runs" "$f" caps echo caps

	# --ima hash: a type 4 digest is enough for imasig only together with a
	# verified portable EVM signature.
	f=$D/hash.sh
	new_script "$f" hash
	expect_ok "sign-file --ima hash: signed" sign --ima hash "$f"
	same "sign-file --ima hash: security.ima is a digest (type 4)" "$(type_of "$f" security.ima)" 04
	if [ "$MODE" = x509 ]; then
		exec_ok "sign-file --ima hash: runs (portable signature satisfies imasig)" "$f" hash
	else
		exec_denied "sign-file --ima hash: exec denied without EVM" "$f" IMA-signature-required
	fi

	# -r: regular files in a tree; directories and symlinks are left alone.
	mkdir -p "$D/tree/sub"
	new_script "$D/tree/a.sh" tree-a
	new_script "$D/tree/sub/b.sh" tree-b
	ln -s a.sh "$D/tree/link"
	expect_ok "sign-file -r: tree signed" sign -r "$D/tree"
	exec_ok "sign-file -r: top-level file runs" "$D/tree/a.sh" tree-a
	exec_ok "sign-file -r: file in a subdirectory runs" "$D/tree/sub/b.sh" tree-b
	same "sign-file -r: symlink left without security.evm" "$(xattr_hex "$D/tree/link" security.evm)" ""

	# Content changed after signing: the kernel refuses it, and so must
	# verify-file.
	f=$D/tamper.sh
	new_script "$f" tamper
	sign "$f" >/dev/null 2>&1
	echo 'echo more' >>"$f"
	exec_denied "sign-file: tampered file, exec denied" "$f" invalid-signature
	expect_fail "verify-file: refuses the tampered file" evmpkg verify-file --cert "$CERT" "$f"

	if [ "$MODE" = off ]; then
		# Nothing stops later metadata changes without EVM.
		expect_ok "sign-file: later chmod to a new mode allowed (EVM off)" chmod 700 "$D/run.sh"
		expect_ok "sign-file: later chown to a new owner allowed (EVM off)" chown 1000:1000 "$D/run.sh"
	fi
	;;

x509-nosetup | hmac)
	# The kernel refuses the first protected xattr on a new file; sign-file
	# must report it and exit non-zero, naming file and step.
	# Owner and mode are requested too: the refusal must undo them, so no
	# file is left with a new owner or mode and no signature.
	f=$D/run.sh
	new_script "$f" sign-file
	before=$(stat -c '%u:%g %a' "$f")
	run sign --uid 1000 --gid 1000 --mode 0750 "$f"
	if [ $rc -ne 0 ]; then ok "sign-file: exits non-zero"; else fail "sign-file: exits non-zero" "exit 0: $out"; fi
	case $out in
	*"$f"*security.ima*"Operation not permitted"*)
		ok "sign-file: error names file, security.ima and EPERM" ;;
	*) fail "sign-file: error names file, security.ima and EPERM" "got: $out" ;;
	esac
	echo "# $MODE: sign-file said: $(printf '%s' "$out" | tr '\n' ' ')"
	same "sign-file: owner and mode rolled back after the refusal" "$(stat -c '%u:%g %a' "$f")" "$before"
	same "sign-file: no security.ima written" "$(xattr_hex "$f" security.ima)" ""
	same "sign-file: no security.evm written" "$(xattr_hex "$f" security.evm)" ""
	exec_denied "sign-file: unsigned file, exec denied" "$f" IMA-signature-required
	expect_fail "verify-file: refuses the unsigned file" evmpkg verify-file --cert "$CERT" "$f"
	;;
esac
exit 0
