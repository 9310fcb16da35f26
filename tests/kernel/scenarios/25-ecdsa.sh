#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# ECDSA (P-256) signatures from `evmpkg sign-file`, judged by each kernel.
# Debian 12's 6.1 is built without CONFIG_CRYPTO_ECDSA: its keyring takes
# no ECDSA certificate and it cannot verify such a signature, so an
# ECDSA-signed file is refused on exec. Debian 13's 6.12 and later have
# ECDSA built in: the same file runs, and in x509 mode its metadata is
# locked like an RSA-signed file's. docs/kernels.md records both.
# shellcheck source=tests/kernel/vmlib.sh
. /vmlib.sh
need_evmpkg || exit 0

D=$PWD
case $(uname -r) in
6.1.*) ecdsa=no ;;
*) ecdsa=yes ;;
esac

# The certificate joins the keyrings init made (evmctl import for _ima,
# keyctl for _evm, as init does it).
ima_ring=$(keyctl search @u keyring _ima)
evm_ring=$(keyctl search @u keyring _evm)
if [ $ecdsa = yes ]; then
	expect_ok "ecdsa: P-256 cert into _ima" evmctl import /keys/ecdsa.der "$ima_ring"
	expect_ok "ecdsa: P-256 cert into _evm" sh -c "keyctl padd asymmetric '' $evm_ring </keys/ecdsa.der"
else
	expect_fail "ecdsa: 6.1 refuses a P-256 cert in _ima" evmctl import /keys/ecdsa.der "$ima_ring"
	expect_fail "ecdsa: 6.1 refuses a P-256 cert in _evm" sh -c "keyctl padd asymmetric '' $evm_ring </keys/ecdsa.der"
fi

case $MODE in
off | x509)
	new_script "$D/ec.sh" ecdsa
	expect_ok "ecdsa: sign-file with a P-256 key" \
		evmpkg sign-file --key /keys/ecdsa.pem --cert /keys/ecdsa.crt "$D/ec.sh"
	expect_ok "ecdsa: evmctl verifies the EVM signature (userspace)" \
		evmctl verify --key /keys/ecdsa.der "$D/ec.sh"
	if [ $ecdsa = yes ]; then
		exec_ok "ecdsa: signed script runs" "$D/ec.sh" ecdsa
		if [ "$MODE" = x509 ]; then
			expect_eperm "ecdsa: later chmod to a new mode refused" chmod 700 "$D/ec.sh"
			expect_ok "ecdsa: identical chmod allowed" chmod 755 "$D/ec.sh"
		fi
	else
		exec_denied "ecdsa: 6.1 refuses to run it (cannot verify ECDSA)" "$D/ec.sh"
	fi
	;;
*)
	# sign-file's writes are refused in these modes (20-sign-file).
	;;
esac
exit 0
