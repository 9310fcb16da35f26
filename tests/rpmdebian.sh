# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the scripts that install rpm packages on Debian. Debian's rpm
# up to 4.18 (Debian 12) refuses to install on a dpkg system without
# --force-debian (a Debian patch); 4.20 (Debian 13) and later do not know
# the option. RPM_FORCE_DEBIAN holds it where this rpm takes it.
RPM_FORCE_DEBIAN=
rpm --force-debian --version >/dev/null 2>&1 && RPM_FORCE_DEBIAN=--force-debian
