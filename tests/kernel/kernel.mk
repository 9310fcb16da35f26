# SPDX-License-Identifier: GPL-2.0-or-later
# Kernel test tier: boots Debian 12's cloud kernel under qemu in each EVM mode
# and runs tests/kernel/scenarios/*.sh inside. `make check` runs it too (via
# tests/check.sh); this target runs only this tier.

check-kernel: all
	B=$(B) tests/kernel/run.sh

.PHONY: check-kernel
