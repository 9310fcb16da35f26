# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/apt/*.sh and bench/apt-install: a minimal Debian 12
# chroot in which real apt installs packages from a local file: repository.
# The base system is made once with mmdebstrap and kept as a tarball in
# $APTROOT_CACHE (default /var/cache/evmpkg-tests), named after the suite,
# the variant and a digest of the package list, so a change of the list
# makes a new one. Every root is a fresh copy of it.
#   aptroot_new DIR          unpack the base into DIR (an empty or new dir)
#   aptroot_hooks DIR CONF.. `make install` of the hooks into DIR, the
#                            test certificate as /etc/evmpkg/cert.der and
#                            /etc/evmpkg/dpkg.conf with the given lines
#   aptroot_unhook DIR       remove the apt and dpkg hook entries
#   aptroot_repo DIR DEB...  publish the .debs as the flat repository
#                            file:/repo of DIR and run apt-get update
#   aptroot_run DIR CMD...   CMD in the chroot with a clean environment
#   aptroot_apt DIR ARGS...  aptroot_run DIR apt-get -y -o Dpkg::Use-Pty=0 ARGS
# They need root, B (the build directory) and the repository root as the
# current directory; on failure they print why on stderr and return 1.

APTROOT_SUITE=bookworm
APTROOT_VARIANT=apt
# attr and ima-evm-utils for the maintainer scripts that look at their
# files; the libraries evmpkg-dpkg-hook links dynamically.
APTROOT_INCLUDE=attr,ima-evm-utils,libssl3,libcap2,libarchive13
APTROOT_CACHE=${APTROOT_CACHE:-/var/cache/evmpkg-tests}

aptroot_base() {	# prints the path of the cached base tarball, made if missing
	local key tar
	key=$(printf '%s %s %s' "$APTROOT_SUITE" "$APTROOT_VARIANT" "$APTROOT_INCLUDE" |
		sha256sum | cut -c1-12)
	tar=$APTROOT_CACHE/debian-$APTROOT_SUITE-$APTROOT_VARIANT-$key.tar
	if [ ! -s "$tar" ]; then
		command -v mmdebstrap >/dev/null ||
			{ echo "aptroot: mmdebstrap is not installed (make deps)" >&2; return 1; }
		mkdir -p "$APTROOT_CACHE" || return 1
		# One maker at a time; the tarball appears whole or not at all.
		(
			flock 9
			[ -s "$tar" ] && exit 0
			echo "aptroot: making $tar with mmdebstrap (once)" >&2
			mmdebstrap --variant="$APTROOT_VARIANT" --include="$APTROOT_INCLUDE" \
				"$APTROOT_SUITE" "${tar%.tar}.tmp.tar" >"$tar.log" 2>&1 &&
				mv "${tar%.tar}.tmp.tar" "$tar"
		) 9>"$APTROOT_CACHE/.lock" || {
			rm -rf "${tar%.tar}.tmp.tar"
			echo "aptroot: mmdebstrap $APTROOT_SUITE failed (is the Debian archive reachable?):" >&2
			tail -n 5 "$tar.log" >&2
			return 1
		}
	fi
	echo "$tar"
}

aptroot_new() {
	local dir=$1 tar
	tar=$(aptroot_base) || return 1
	mkdir -p "$dir" && tar -C "$dir" -xf "$tar" ||
		{ echo "aptroot: cannot unpack $tar into $dir" >&2; return 1; }
	# The hooks write security.*: the filesystem under the root must take them.
	: > "$dir/.xattr-probe"
	if ! setfattr -n security.evmpkg-probe -v 1 "$dir/.xattr-probe" 2>/dev/null; then
		echo "aptroot: $(df --output=fstype "$dir" | tail -n 1) at $dir does not take security.* xattrs" >&2
		return 1
	fi
	rm -f "$dir/.xattr-probe"
}

aptroot_hooks() {
	local dir=$1 cert
	shift
	cert=${APTROOT_CERT:?aptroot: APTROOT_CERT names the test certificate}
	make -s install DESTDIR="$dir" PREFIX=/usr B="$B" >/dev/null ||
		{ echo "aptroot: make install into $dir failed" >&2; return 1; }
	install -m 0644 "$cert" "$dir/etc/evmpkg/cert.der"
	printf '%s\n' "# written by tests/aptroot.sh" "$@" > "$dir/etc/evmpkg/dpkg.conf"
	chroot "$dir" /usr/sbin/evmpkg-dpkg-hook --help >/dev/null ||
		{ echo "aptroot: the installed evmpkg-dpkg-hook does not run in the chroot" >&2; return 1; }
}

aptroot_unhook() {
	rm -f "$1/etc/apt/apt.conf.d/80evmpkg" "$1/etc/dpkg/dpkg.cfg.d/evmpkg"
}

aptroot_repo() {
	local dir=$1
	shift
	rm -rf "$dir/repo"
	mkdir -p "$dir/repo"
	cp "$@" "$dir/repo/" || return 1
	(cd "$dir/repo" && apt-ftparchive packages . > Packages &&
		apt-ftparchive release . > Release) 2>/dev/null ||
		{ echo "aptroot: apt-ftparchive failed (apt-utils)" >&2; return 1; }
	echo 'deb [trusted=yes] file:/repo ./' > "$dir/etc/apt/sources.list"
	rm -f "$dir"/etc/apt/sources.list.d/*
	aptroot_run "$dir" apt-get -q -o Dpkg::Use-Pty=0 update >"$dir/repo.update.log" 2>&1 ||
		{ echo "aptroot: apt-get update in the chroot failed:" >&2; tail -n 5 "$dir/repo.update.log" >&2; return 1; }
}

aptroot_run() {
	local dir=$1
	shift
	chroot "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

aptroot_apt() {
	local dir=$1
	shift
	aptroot_run "$dir" apt-get -y -q -o Dpkg::Use-Pty=0 "$@"
}

# aptroot_small_tree TREE NAME VERSION NFILES: the build tree of a small
# package NAME: NFILES shell scripts under /usr/lib/NAME/ and a data file.
aptroot_small_tree() {
	local t=$1 n=$2 v=$3 i
	mkdir -p "$t/DEBIAN" "$t/usr/lib/$n" "$t/usr/share/$n"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: evmpkg <evmpkg@localhost>\nDescription: evmpkg apt test package\n' \
		"$n" "$v" > "$t/DEBIAN/control"
	for i in $(seq 1 "$4"); do
		printf '#!/bin/sh\necho %s %s %s\n' "$n" "$v" "$i" > "$t/usr/lib/$n/f$i"
		chmod 0755 "$t/usr/lib/$n/f$i"
	done
	echo "$n $v" > "$t/usr/share/$n/data"
}
