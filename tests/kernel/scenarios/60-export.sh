#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
#
# An ext4 image built without privileges by `evmpkg export --debugfs`,
# `mke2fs -d` and debugfs on the host (60-export.prepare), mounted in the
# VM: its signed files run under appraisal, the setuid one keeps euid 0
# and the capability its cap_net_raw, in every mode (the values were all
# written before the kernel saw the image: nothing is written here); the
# file changed before the export has no signature and is refused, and a
# signed file whose owner was changed in the image after the script is
# refused where EVM is on.
# shellcheck source=tests/kernel/vmlib.sh
. /vmlib.sh
D=/scenarios/60-export.d
M=$PWD/img
mkdir -p "$M"
cp "$D/img.ext4" "$PWD/img.ext4"
expect_ok "export: mount the image" mount -o ro,loop "$PWD/img.ext4" "$M"
same "export: the setuid binary is owned by root, mode 4755" "$(stat -c '%u %g %a' "$M/usr/bin/kexp-suid")" "0 0 4755"
exec_ok "export: the signed script runs under appraisal" "$M/usr/bin/kexp-hello" "kexp ran"
exec_ok "export: setuid binary runs with euid 0 for uid 1000" "$D/runas" "suid euid=0 net_raw=1" 1000 "$M/usr/bin/kexp-suid" suid
exec_ok "export: capability binary runs with cap_net_raw for uid 1000" "$D/runas" "caps euid=1000 net_raw=1" 1000 "$M/usr/sbin/kexp-caps" caps
same "export: the file changed before export has no security.ima" "$(xattr_hex "$M/usr/bin/kexp-changed" security.ima)" ""
exec_denied "export: the file changed before export is refused" "$M/usr/bin/kexp-changed"
# The control: the kernel checks the owner the EVM signature covers on
# this image (so the files above run because the script set the signed
# owner); with EVM off only security.ima counts.
case $MODE in
off) exec_ok "export: control: a signed file given another owner runs (EVM off)" "$M/usr/bin/kexp-owner" "kexp owner" ;;
*) exec_denied "export: control: a signed file given another owner is refused" "$M/usr/bin/kexp-owner" ;;
esac
umount "$M"
exit 0
