#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/installed/installed.sh again with the command built under
# ASan+UBSan (any report aborts it, and its test then fails).
cd "$(dirname "$0")/../.."
B=${B:-build}
export B INSTALLED_TIER=installed-asan EVMPKG=$PWD/$B/evmpkg-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
exec bash tests/installed/installed.sh
