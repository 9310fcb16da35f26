# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the .deb tiers: debdemo_tree DIR makes the build tree of the
# test package evmdemo 1.0-1: executables, a setuid file, a file that gets
# capabilities (demo-ping), hardlinks, a conffile, a symlink, and a file of
# a non-root owner with a fixed id and no name on this machine (its tar
# header then has only the number, which dpkg uses). The caller writes the
# postinst and adds what its tier needs.
debdemo_tree() {
	local P=$1
	mkdir -p "$P/DEBIAN" "$P/usr/bin" "$P/usr/sbin" "$P/etc/demo" "$P/opt/demo/data"
	printf 'Package: evmdemo\nVersion: 1.0-1\nArchitecture: all\nMaintainer: evmpkg <evmpkg@localhost>\nDescription: evmpkg test package\n' > "$P/DEBIAN/control"
	echo /etc/demo/demo.conf > "$P/DEBIAN/conffiles"
	printf '#!/bin/sh\necho demo\n' > "$P/usr/bin/demo"
	printf '#!/bin/sh\necho suid\n' > "$P/usr/bin/demo-suid"
	printf '#!/bin/sh\necho ping\n' > "$P/usr/sbin/demo-ping"
	chmod 0755 "$P/usr/bin/demo" "$P/usr/sbin/demo-ping"
	chmod 4755 "$P/usr/bin/demo-suid"
	ln "$P/usr/bin/demo" "$P/usr/bin/demo-link"
	echo "setting=1" > "$P/etc/demo/demo.conf"
	echo data > "$P/opt/demo/data/owned"
	chown 1234:1234 "$P/opt/demo/data/owned"
	chmod 0640 "$P/opt/demo/data/owned"
	ln -s ../bin/demo "$P/usr/sbin/demo-symlink"
}
