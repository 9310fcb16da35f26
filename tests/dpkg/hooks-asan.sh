#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/dpkg/hooks.sh again with the hook built under ASan+UBSan (any report
# aborts the hook, and its test then fails).
cd "$(dirname "$0")/../.."
B=${B:-build}
export B HOOK_TIER=dpkg-hooks-asan HOOK=$PWD/$B/dpkg-hook/evmpkg-dpkg-hook-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
exec bash tests/dpkg/hooks.sh
