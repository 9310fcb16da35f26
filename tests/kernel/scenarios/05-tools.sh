#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# The initramfs carries what the other scenarios use. A library or data file
# missing from it shows up here, by name, rather than as a puzzling failure
# in a later scenario.
# shellcheck source=tests/kernel/vmlib.sh
. /vmlib.sh

D=$PWD

expect_ok "tools: evmctl runs" evmctl --version
expect_ok "tools: getfattr runs" getfattr --version
expect_ok "tools: getcap runs" getcap /bin/busybox
expect_ok "tools: keyctl sees the _evm keyring" keyctl search @u keyring _evm
expect_ok "tools: bash runs" bash -c 'cat <(echo process-substitution) >/dev/null'

# rpm needs bash, HOME, its macros and its database back end at run time.
expect_ok "tools: rpm runs" rpm --version
expect_ok "tools: rpm creates a database on ext4" rpm --root "$D/root" --initdb
expect_ok "tools: rpm queries it" rpm --root "$D/root" -qa

# When the project's rpm plugin was built it is in the image and rpm's
# macros point at it.
if [ -e /usr/lib/rpm/macros.d/macros.transaction_zz_evmpkg ]; then
	plugin=$(rpm --eval '%{__transaction_zz_evmpkg}')
	if [ -f "$plugin" ]; then
		ok "tools: rpm finds the evmpkg plugin"
	else
		fail "tools: rpm finds the evmpkg plugin" "%__transaction_zz_evmpkg is '$plugin'"
	fi
fi
exit 0
