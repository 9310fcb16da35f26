#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The release matrix: evmpkg built and tested inside a chroot of another
# Debian release, made with mmdebstrap from Debian's archive.
#
#   tests/matrix/run.sh RELEASE STEP
#     RELEASE  trixie (Debian 13) or sid (Debian unstable)
#     STEP     setup    make or reuse the chroot, copy the sources in, build
#              unit     the CUnit tests
#              oracle   tests/oracle/*.sh (evmctl as the oracle)
#              rpm      tests/rpm/*.sh (this release's rpm and rpmbuild)
#              dpkg     tests/dpkg/*.sh (this release's dpkg and libdpkg)
#              deb      tests/deb/*.sh
#              package  dpkg-buildpackage and lintian in the chroot; the
#                       packages installed into a clean chroot of the
#                       release, and the rpm plugin and dpkg hook tests run
#                       against the installed files
#   tests/matrix/run.sh --releases | --steps   list them
#
# The chroot is /var/cache/evmpkg-tests/matrix/RELEASE/root
# ($EVMPKG_MATRIX_CACHE/RELEASE; its filesystem must take security.*
# xattrs: ext4 does), made by mmdebstrap with the project's own
# `packaging/install-deps --matrix`, and made again when older than a week
# or when install-deps changed. Every step prints "RELEASE:STEP: N passed,
# N failed" last and exits non-zero on a failure. Needs root.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD

RELEASES="trixie sid"
STEPS="setup unit oracle rpm dpkg deb package"
case ${1:-} in
--releases) echo "$RELEASES"; exit 0 ;;
--steps) echo "$STEPS"; exit 0 ;;
esac
REL=${1:?usage: run.sh RELEASE STEP}
STEP=${2:?usage: run.sh RELEASE STEP}

B=${B:-build}
# The chroots are the machine's, not the checkout's: a fresh clone (CI)
# reuses them, as the apt tier reuses its cached archives.
MB=${EVMPKG_MATRIX_CACHE:-/var/cache/evmpkg-tests/matrix}/$REL
ROOT=$MB/root
MAX_AGE_DAYS=${MATRIX_MAX_AGE_DAYS:-7}

export T_NAME="$REL:$STEP"
# shellcheck source=tests/lib.sh
. tests/lib.sh

die() {
	not_ok "$STEP" "$*"
	finish
	exit 1
}

case $REL in
trixie) APTOPTS=() ;;
# The archive's unstable Release file can be past its Valid-Until.
sid) APTOPTS=(--aptopt='Acquire::Check-Valid-Until "false"') ;;
*) die "unknown release $REL (known: $RELEASES)" ;;
esac
case " $STEPS " in *" $STEP "*) ;; *) die "unknown step $STEP (known: $STEPS)" ;; esac
[ "$(id -u)" = 0 ] || die "needs root (chroot, mounts, security.* xattrs)"

mkdir -p "$MB"
# One step of a release at a time; other releases may run beside it.
exec 9>"$MB.lock"
flock 9

# --- mounts -----------------------------------------------------------------

MOUNTED=()
umount_all() {
	local i
	for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTED[$i]}" 2>/dev/null || umount -l "${MOUNTED[$i]}"
	done
	MOUNTED=()
}
trap umount_all EXIT

# mount_into DIR: /proc, /sys, /dev and /dev/pts of the host inside DIR.
mount_into() {
	local d
	for d in proc sys dev dev/pts; do
		mkdir -p "$1/$d"
		mountpoint -q "$1/$d" && continue
		mount --bind "/$d" "$1/$d" || return 1
		MOUNTED+=("$1/$d")
	done
}

# in_root DIR CMD: CMD (a shell command) as root inside DIR with a clean
# environment, from /src.
in_root() {
	local dir=$1
	shift
	# RPMPKG_NFILES: the rpm tier's timing package is the host's business;
	# 500 files still read and write a package of many files.
	chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb B=build RPMPKG_NFILES=500 bash -c "cd /src 2>/dev/null; $*"
}

# --- the chroot ---------------------------------------------------------------

# What makes a cached chroot stale besides its age: the package list.
deps_key() {
	{ echo "$REL"; cat packaging/install-deps; } | sha256sum | cut -c1-16
}

# Prints why the chroot must be made again, or nothing.
stale() {
	[ -x "$ROOT/usr/bin/make" ] || { echo "no chroot yet"; return; }
	[ "$(cat "$MB/stamp" 2>/dev/null)" = "$(deps_key)" ] ||
		{ echo "packaging/install-deps changed"; return; }
	[ -n "$(find "$MB/stamp" -mtime "+$((MAX_AGE_DAYS - 1))" 2>/dev/null)" ] &&
		echo "older than $MAX_AGE_DAYS days"
}

make_chroot() {
	local why=$1 tmp=$MB/root.new
	echo "$REL: making the chroot ($why)"
	rm -rf "$tmp"
	command -v mmdebstrap >/dev/null || { echo "mmdebstrap not installed (make deps)"; return 1; }
	if ! nice mmdebstrap --variant=apt "${APTOPTS[@]}" \
		--customize-hook="copy-in packaging/install-deps /usr/local/sbin" \
		--customize-hook='chroot "$1" /usr/local/sbin/install-deps --matrix' \
		--customize-hook='chroot "$1" apt-get clean' \
		"$REL" "$tmp" >"$MB/mmdebstrap.log" 2>&1; then
		tail -n 15 "$MB/mmdebstrap.log"
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$ROOT"
	mv "$tmp" "$ROOT"
	deps_key >"$MB/stamp"
}

# The sources as the working tree has them (tracked and new files, no build
# directories), over /src; /src/build is kept so the build is incremental.
copy_sources() {
	local dst=$1
	mkdir -p "$dst"
	find "$dst" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
	# --exclude keeps git out of the build directories (and the chroots'
	# mounted /proc in them).
	{ git ls-files -z; git ls-files -z -o --exclude-standard --exclude='/build*/'; } |
		tar --null -cf - -T - | tar -xf - -C "$dst"
}

versions() {
	in_root "$1" "dpkg-query -W -f='\${Package} \${Version}\n' rpm dpkg libssl-dev ima-evm-utils libdpkg-dev 2>/dev/null"
}

step_setup() {
	local why t0=$SECONDS
	why=$(stale)
	if [ -n "$why" ]; then
		make_chroot "$why" || die "mmdebstrap $REL failed (is the Debian archive reachable?); log: $MB/mmdebstrap.log"
		ok "chroot made with mmdebstrap and install-deps --matrix ($why, $((SECONDS - t0))s)"
	else
		ok "chroot reused (made $(( ($(date +%s) - $(stat -c %Y "$MB/stamp")) / 86400 )) days ago)"
	fi
	# security.* xattrs where the tests will write them.
	local probe=$ROOT/tmp/.xattr-probe
	: >"$probe"
	expect "the chroot's filesystem takes security.* xattrs" \
		setfattr -n security.evmpkgprobe -v 1 "$probe"
	rm -f "$probe"
	copy_sources "$ROOT/src"
	mount_into "$ROOT" || die "cannot bind-mount /proc, /sys, /dev into $ROOT"
	versions "$ROOT" | tee "$MB/versions"
	t0=$SECONDS
	if in_root "$ROOT" "nice make -j$(nproc) B=build matrix-deps" >"$MB/build.log" 2>&1; then
		ok "make all and the tiers' programs ($((SECONDS - t0))s)"
	else
		not_ok "build" "$(tail -n 5 "$MB/build.log" | tr '\n' ' ')"
	fi
	local warn
	warn=$(grep -c 'warning:' "$MB/build.log")
	same "build without compiler warnings" "$warn" 0
	[ "$warn" = 0 ] || grep 'warning:' "$MB/build.log" | head -n 5
}

# Runs each script in the chroot, shows its output, adds up its summary.
run_scripts() {
	local s log line p f
	for s in "$@"; do
		log=$MB/$(basename "$s" .sh).log
		in_root "$ROOT" "$s" >"$log" 2>&1
		local rc=$?
		cat "$log"
		line=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		if [ -z "$line" ]; then
			not_ok "$s" "printed no summary (exit $rc)"
			continue
		fi
		read -r p f < <(echo "$line" | awk '{print $1, $3}')
		T_PASS=$((T_PASS + p))
		T_FAIL=$((T_FAIL + f))
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && not_ok "$s" "exited $rc with no failed test counted"
	done
}

step_tier() {
	[ -x "$ROOT/src/build/evmpkg" ] || die "not built: run tests/matrix/run.sh $REL setup first"
	mount_into "$ROOT" || die "cannot bind-mount /proc, /sys, /dev into $ROOT"
	local scripts=() s
	case $STEP in
	unit) scripts=(build/unit-tests) ;;
	*)
		for s in tests/"$STEP"/*.sh; do
			[ -f "$s" ] && scripts+=("bash $s")
		done
		;;
	esac
	run_scripts "${scripts[@]}"
}

case $STEP in
setup) step_setup ;;
package) . tests/matrix/package.sh; step_package ;;
*) step_tier ;;
esac
echo "$T_NAME: ${SECONDS}s"
finish
