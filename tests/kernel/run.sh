#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Real-kernel test tier. Boots Debian's cloud kernels under qemu (TCG, no KVM
# needed): Debian 12's 6.1, Debian 13's 6.12 and unstable's newest, each once
# per EVM mode, with a busybox initramfs that loop-mounts a
# fresh ext4 image, and runs tests/kernel/scenarios/*.sh inside each VM. Only
# the kernel can say whether a chmod on a signed file gets EPERM or whether an
# executable passes appraisal; this tier asks it.
#
# Environment:
#   B        build directory (default build); caches and logs live under it
#   KERNELS  which releases' kernels to boot (default: bookworm trixie sid)
#   KVER     Debian 12's kernel ABI version, e.g. 6.1.0-47 (see apt-cache
#            search 'linux-image-.*-cloud-amd64-unsigned'); trixie's and sid's
#            are the newest cloud kernel of that suite, looked up once a week
#   MODES    EVM modes to boot (default: off x509 x509-nosetup hmac)
#   JOBS     VMs run at the same time (default 2)
#   VM_TIMEOUT  seconds before a VM is killed (default 120)
#
# Result lines come from the VMs' serial consoles, named "KERNEL MODE: ...";
# the last line printed is "kernel: N passed, N failed". docs/kernels.md says
# what each kernel showed.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

B=${B:-build}
# The one place the kernel version is chosen. 6.1.0-47 (6.1.170) is the build
# the results in docs/testing.md were recorded on; 6.1.0-56 (6.1.192) gave
# the same results.
KVER_GIVEN=${KVER:-}
KVER12=${KVER:-6.1.0-47}
MODES=${MODES:-off x509 x509-nosetup hmac}
KERNELS=${KERNELS:-bookworm trixie sid}
JOBS=${JOBS:-2}
VM_TIMEOUT=${VM_TIMEOUT:-120}

HERE=tests/kernel
CACHE=$B/kernel-cache
WORK=$B/kernel-work
LOGS=$B/kernel-logs
STAGE=$WORK/initramfs

export T_NAME=kernel
# shellcheck source=tests/lib.sh
. tests/lib.sh

# Setup failures end the tier with a counted failure, so tests/check.sh still
# sees a summary line and knows why.
die() {
	not_ok setup "$*"
	finish
	exit 1
}

for tool in qemu-system-x86_64 busybox dpkg-deb apt-get openssl mkfs.ext4 ldd gzip; do
	command -v "$tool" >/dev/null || die "$tool not installed (run 'make deps')"
done

# --- kernel -----------------------------------------------------------------

# vmlinuz and loop.ko come from the same .deb, so the module always matches
# the kernel. Only the two files are kept (no loop.ko where loop is built
# in); the .deb stays as the cache key. APT holds apt's options for another
# suite's lists (suite_apt), empty for the host's own.
APT=()
# kernel_debs KVER: the packages holding that kernel and its modules. Up to
# Debian 13 one linux-image-*-unsigned; unstable splits the image
# (linux-binary-unsigned-*) from the modules (linux-modules-*).
kernel_debs() {
	if apt-cache "${APT[@]}" show "linux-image-$1-cloud-amd64-unsigned" >/dev/null 2>&1; then
		echo "linux-image-$1-cloud-amd64-unsigned"
	else
		echo "linux-binary-unsigned-$1-cloud-amd64 linux-modules-$1-cloud-amd64"
	fi
}

fetch_kernel() {
	local dir=$CACHE/$KVER pkgs pkg
	[ -s "$dir/vmlinuz" ] && { [ -s "$dir/loop.ko" ] || [ -e "$dir/loop.builtin" ]; } && return 0
	mkdir -p "$dir"
	pkgs=$(kernel_debs "$KVER")
	for pkg in $pkgs; do
		ls "$dir"/"$pkg"_*.deb >/dev/null 2>&1 && continue
		echo "kernel: downloading $pkg"
		# Stale or missing apt lists: refresh once (as root) and retry.
		(cd "$dir" && apt-get "${APT[@]}" download "$pkg") >"$dir/download.log" 2>&1 ||
		{ [ "$(id -u)" = 0 ] && apt-get "${APT[@]}" update -qq >/dev/null 2>&1 &&
		  (cd "$dir" && apt-get "${APT[@]}" download "$pkg") >"$dir/download.log" 2>&1; } || {
			cat "$dir/download.log" >&2
			echo "available versions:" >&2
			apt-cache "${APT[@]}" search --names-only 'linux-.*-cloud-amd64' >&2
			return 1
		}
	done
	local tree=$dir/tree
	rm -rf "$tree"
	for pkg in $pkgs; do
		dpkg-deb -x "$dir"/"$pkg"_*.deb "$tree" || return 1
	done
	local img mod
	img=$(find "$tree/boot" "$tree/usr/lib/modules" -name 'vmlinuz*' 2>/dev/null | head -n 1)
	[ -n "$img" ] && cp "$img" "$dir/vmlinuz" || { echo "no kernel image in $pkgs" >&2; return 1; }
	mod=$(find "$tree/lib/modules" "$tree/usr/lib/modules" -path '*/drivers/block/loop.ko*' 2>/dev/null | head -n 1)
	case $mod in
	*.ko) cp "$mod" "$dir/loop.ko" ;;
	*.ko.xz) xz -dc "$mod" >"$dir/loop.ko" ;;
	*.ko.zst) zstd -qdc "$mod" >"$dir/loop.ko" ;;
	"") grep -qs 'drivers/block/loop.ko' "$tree"/{,usr/}lib/modules/*/modules.builtin &&
		: >"$dir/loop.builtin" ||
		{ echo "no loop module in $pkgs" >&2; return 1; } ;;
	esac || return 1
	rm -rf "$tree"
}

# suite_apt SUITE: sets APT to apt options reading SUITE's package lists,
# kept under the cache and updated when older than a week, so another
# release's kernel comes from Debian's archive without touching the host's
# apt configuration.
suite_apt() {
	# apt reads relative Dir:: paths under its own directories.
	local suite=$1 d=$PWD/$CACHE/apt-$1
	mkdir -p "$d/lists/partial" "$d/archives/partial"
	echo "deb http://deb.debian.org/debian $suite main" >"$d/sources.list"
	APT=(-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d" -o Dir::Cache::archives="$d/archives"
		-o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root)
	if [ ! -e "$d/updated" ] || [ -n "$(find "$d/updated" -mtime +6)" ]; then
		apt-get "${APT[@]}" update -qq >"$d/update.log" 2>&1 || { cat "$d/update.log" >&2; return 1; }
		: >"$d/updated"
	fi
}

# newest_cloud_kernel: the newest cloud kernel ABI in the lists APT names
# (6.12.117+deb13, 7.2.13+deb14, ...).
newest_cloud_kernel() {
	apt-cache "${APT[@]}" search --names-only \
		'^linux-(image-.*-cloud-amd64-unsigned|binary-unsigned-.*-cloud-amd64)$' |
		sed -nE 's/^linux-image-(.*)-cloud-amd64-unsigned .*/\1/p;
			s/^linux-binary-unsigned-(.*)-cloud-amd64 .*/\1/p' | sort -V | tail -n 1
}

# pick_kernel RELEASE: sets KVER and APT for that release's kernel and
# fetches it.
pick_kernel() {
	case $1 in
	bookworm)
		APT=()
		KVER=$KVER12
		fetch_kernel && return 0
		# The archive drops old kernel ABIs after a while: unless KVER
		# was given, fall back to the newest Debian 6.1 cloud kernel.
		[ -n "${KVER_GIVEN:-}" ] && { echo "cannot get the kernel $KVER" >&2; return 1; }
		KVER=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$' |
			sed -E 's/^linux-image-(6\.1\.0-[0-9]+)-cloud.*/\1/' | sort -V | tail -n 1)
		[ -n "$KVER" ] || { echo "no Debian 6.1 cloud kernel in the apt lists (apt-get update?)" >&2; return 1; }
		echo "kernel: falling back to $KVER"
		fetch_kernel
		;;
	trixie | sid)
		suite_apt "$1" || return 1
		KVER=$(newest_cloud_kernel)
		[ -n "$KVER" ] || { echo "no cloud kernel in $1's lists" >&2; return 1; }
		fetch_kernel
		;;
	*) echo "unknown kernel release $1 (bookworm, trixie, sid)" >&2; return 1 ;;
	esac
}

# --- keys -------------------------------------------------------------------

# Two RSA-2048 keys with self-signed certs: "trusted" goes into the VM's _ima
# and _evm keyrings, "untrusted" does not. subjectKeyIdentifier=hash makes the
# cert's key id (last 4 bytes of the SKID) equal to the one evmctl and the
# kernel use.
make_keys() {
	local dir=$WORK/keys name
	mkdir -p "$dir"
	cat >"$dir/x509.cnf" <<-'EOF'
		[req]
		distinguished_name = dn
		x509_extensions = v3
		prompt = no
		[dn]
		CN = evmpkg kernel test key
		[v3]
		basicConstraints = critical, CA:FALSE
		keyUsage = digitalSignature
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
	EOF
	# An ECDSA P-256 key for 25-ecdsa, in the keyrings only where the
	# kernel takes it (the scenario adds it).
	if [ ! -s "$dir/ecdsa.der" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
			-config "$dir/x509.cnf" -subj "/CN=evmpkg ecdsa test key" \
			-keyout "$dir/ecdsa.pem" -out "$dir/ecdsa.crt" 2>/dev/null || return 1
		openssl x509 -in "$dir/ecdsa.crt" -outform DER -out "$dir/ecdsa.der" || return 1
	fi
	for name in trusted untrusted; do
		[ -s "$dir/$name.der" ] && continue
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
			-config "$dir/x509.cnf" -subj "/CN=evmpkg $name test key" \
			-keyout "$dir/$name.pem" -out "$dir/$name.crt" 2>/dev/null || return 1
		openssl x509 -in "$dir/$name.crt" -outform DER -out "$dir/$name.der" || return 1
	done
}

# --- initramfs --------------------------------------------------------------

# Copies a file to the same path inside the initramfs, following symlinks.
put() {
	local src=$1 dst=${2:-$1}
	mkdir -p "$STAGE$(dirname "$dst")"
	cp -L "$src" "$STAGE$dst"
}

# Copies ELF files (SRC or SRC=DST) and the shared libraries they need. The
# list comes from ldd on each file added, repeated until nothing new turns up,
# so dlopen()ed modules passed here get their own dependencies too.
put_elf_closure() {
	local -A seen=()
	local queue=("$@") item src dst lib
	while [ ${#queue[@]} -gt 0 ]; do
		item=${queue[0]}
		queue=("${queue[@]:1}")
		src=${item%%=*}
		dst=${item#*=}
		[ -n "${seen[$src]:-}" ] && continue
		seen[$src]=1
		put "$src" "$dst" || return 1
		# Static binaries make ldd fail; they need nothing.
		while read -r lib; do
			[ -n "$lib" ] && [ -z "${seen[$lib]:-}" ] && queue+=("$lib")
		done < <(ldd "$src" 2>/dev/null | sed -nE 's@.*=> (/[^ ]+) .*@\1@p; s@^[[:space:]]*(/[^ ]+) \(0x.*@\1@p')
	done
}

build_initramfs() {
	rm -rf "$STAGE"
	mkdir -p "$STAGE"/{bin,sbin,dev,proc,sys,mnt,tmp,root,etc,run,keys}

	# busybox provides the shell and the small tools.
	put "$(command -v busybox)" /bin/busybox
	local applet
	for applet in $(busybox --list); do
		[ "$applet" = busybox ] && continue
		ln -sf busybox "$STAGE/bin/$applet"
	done

	local bins=() b path
	for b in keyctl evmctl getfattr setfattr setcap getcap bash rpm rpmkeys rpmdb dpkg dpkg-deb dpkg-split tar; do
		path=$(command -v "$b") || { echo "$b not installed (run 'make deps')" >&2; return 1; }
		bins+=("$path")
	done
	# Things loaded at run time that ldd cannot see: rpm's own plugins and
	# the NSS module rpm uses to resolve user and group names.
	local extra=()
	shopt -s nullglob
	extra+=(/usr/lib/x86_64-linux-gnu/rpm-plugins/*.so)
	shopt -u nullglob
	[ -e /usr/lib/x86_64-linux-gnu/libnss_files.so.2 ] &&
		extra+=(/usr/lib/x86_64-linux-gnu/libnss_files.so.2)
	put_elf_closure "${bins[@]}" "${extra[@]}" || return 1
	# Where busybox has an applet of the same name (rpm), the real program
	# is what the tests mean: drop the applet link. vmlib.sh does the same
	# for busybox sh, which runs its applets before searching PATH.
	for b in "${bins[@]}"; do
		rm -f "$STAGE/bin/${b##*/}"
	done
	ln -sf /usr/bin/bash "$STAGE/bin/bash"

	# evmpkg itself. Without it the scenarios that need it report FAIL.
	if [ -x "$B/evmpkg" ]; then
		put_elf_closure "$B/evmpkg=/usr/bin/evmpkg" || return 1
	else
		echo "kernel: $B/evmpkg not built; the scenarios that need it will fail" >&2
	fi

	# The dpkg hooks. Without them 50-dpkg reports FAIL.
	if [ -x "$B/dpkg-hook/evmpkg-dpkg-hook" ]; then
		put_elf_closure "$B/dpkg-hook/evmpkg-dpkg-hook=/usr/sbin/evmpkg-dpkg-hook" || return 1
	fi

	# rpm's data files (macros, rpmrc, platform) and, when built, the
	# project's rpm plugin where Debian's rpm is told to look for it.
	mkdir -p "$STAGE/usr/lib"
	cp -a /usr/lib/rpm "$STAGE/usr/lib/"
	[ -d /etc/rpm ] && cp -a /etc/rpm "$STAGE/etc/"
	mkdir -p "$STAGE/var/lib/rpm" "$STAGE/etc/rpm"
	if [ -f "$B/rpm-plugin/zz_evmpkg.so" ] && [ -f "$B/rpm-plugin/macros.transaction_zz_evmpkg" ]; then
		put_elf_closure "$B/rpm-plugin/zz_evmpkg.so=/usr/lib/x86_64-linux-gnu/rpm-plugins/zz_evmpkg.so" || return 1
		put "$B/rpm-plugin/macros.transaction_zz_evmpkg" /usr/lib/rpm/macros.d/macros.transaction_zz_evmpkg
	fi

	# Users and groups for rpm and for chown by name; files only.
	cat >"$STAGE/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/:/bin/false
		tester:x:1000:1000:tester:/:/bin/false
		nobody:x:65534:65534:nobody:/:/bin/false
	EOF
	cat >"$STAGE/etc/group" <<-'EOF'
		root:x:0:
		daemon:x:1:
		tester:x:1000:
		nogroup:x:65534:
	EOF
	printf 'passwd: files\ngroup: files\nshadow: files\n' >"$STAGE/etc/nsswitch.conf"

	cp "$WORK/keys"/{trusted,untrusted,ecdsa}.{pem,crt,der} "$STAGE/keys/"
	cp "$WORK/ext4.img" "$STAGE/ext4.img"
	cp "$HERE/init" "$STAGE/init"
	cp "$HERE/vmlib.sh" "$STAGE/vmlib.sh"
	chmod 755 "$STAGE/init"
	# Scenarios: each scenarios/NAME.sh runs in the VM (see init), with its
	# data in scenarios/NAME.d/ if there is one.
	mkdir -p "$STAGE/scenarios"
	cp -r "$HERE"/scenarios/*.sh "$HERE"/scenarios/*.d "$STAGE/scenarios/" 2>/dev/null
	chmod 755 "$STAGE"/scenarios/*.sh 2>/dev/null

	# Hook for scenarios that need files made on the host (packages built
	# and signed with the project's tools, ...): scenarios/NAME.prepare runs
	# here, from the top of the repository, with STAGE (the initramfs root),
	# B and KEYS (the test keys) set; it puts its files under
	# $STAGE/scenarios/NAME.d/.
	local prep
	for prep in "$HERE"/scenarios/*.prepare; do
		[ -f "$prep" ] || continue
		STAGE=$STAGE B=$B KEYS=$WORK/keys bash "$prep" ||
			{ echo "$prep failed" >&2; return 1; }
	done

	# busybox cpio writes newc; -R 0:0 so the tier also works unprivileged.
	# gzip -1: the image is rebuilt on every run and the zero-filled ext4
	# image compresses well at any level.
	(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
		busybox cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 >"$WORK/initramfs.gz"
}

# --- VMs --------------------------------------------------------------------

# kernel_initramfs KVER: the common initramfs with that kernel's loop.ko
# appended as a second cpio archive (the kernel unpacks both in turn).
kernel_initramfs() {
	local out=$WORK/initramfs-$1.gz d=$WORK/loop-$1
	rm -rf "$d"
	mkdir -p "$d"
	[ -s "$CACHE/$1/loop.ko" ] && cp "$CACHE/$1/loop.ko" "$d/loop.ko"
	{
		cat "$WORK/initramfs.gz"
		(cd "$d" && find . -mindepth 1 | busybox cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1
	} >"$out"
	rm -rf "$d"
}

run_vm() {
	local kver=$1 mode=$2 log=$LOGS/$1/$2.log
	local cmdline="console=ttyS0 panic=1 no_timer_check audit=1 audit_backlog_limit=8192 loglevel=3 rdinit=/init evmpkg_test_mode=$mode"
	# HMAC mode: drop bpf from the LSM list. Debian 6.1's BPF LSM returns 0
	# from inode_init_security without a name, and with an HMAC key loaded
	# EVM then oopses on the next file creation.
	# From 6.9 on IMA and EVM are LSMs of their own, always enabled (last in
	# order), and the list's "integrity" is a name those kernels ignore.
	[ "$mode" = hmac ] &&
		cmdline+=" lsm=landlock,lockdown,yama,loadpin,safesetid,integrity,apparmor"
	# -cpu max gives the guest RDRAND, so the CRNG is ready at once and
	# OpenSSL in the guest does not wait for entropy.
	timeout "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 768 \
		-nodefaults -no-reboot -display none -serial "file:$log" \
		-kernel "$CACHE/$kver/vmlinuz" -initrd "$WORK/initramfs-$kver.gz" \
		-append "$cmdline" >"$LOGS/$kver/$mode.qemu" 2>&1
	echo $? >"$LOGS/$kver/$mode.rc"
}

# Turns one console log into counted results, named "LABEL MODE: ...", and
# checks that the VM got to the end without the kernel complaining.
collect() {
	local kver=$1 mode=$2 label=$3 log=$LOGS/$1/$2.log line
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	while IFS= read -r line; do
		case $line in
		"ok $mode: "*) ok "$label $mode: ${line#"ok $mode: "}" ;;
		"FAIL $mode: "*)
			local rest=${line#"FAIL $mode: "}
			not_ok "$label $mode: ${rest%%: *}" "${rest#*: }"
			;;
		esac
	done <"$log"
	if ! grep -qx "evmpkg-kernel-tests: end $mode" "$log"; then
		local last rc how
		last=$(grep -E '^# scenario ' "$log" | tail -n 1)
		rc=$(cat "$LOGS/$kver/$mode.rc" 2>/dev/null)
		how="qemu exit $rc"
		[ "$rc" = 124 ] && how="killed after ${VM_TIMEOUT}s"
		not_ok "$label $mode: end marker" "VM stopped early ($how, during ${last:-setup}); see $log"
	fi
	if grep -qE 'Oops|BUG:|Kernel panic|general protection fault|Call Trace:|WARNING: CPU:' "$log"; then
		not_ok "$label $mode: kernel log" "$(grep -m 1 -E 'Oops|BUG:|Kernel panic|general protection fault|Call Trace:|WARNING: CPU:' "$log")"
	fi
}

start=$(date +%s)
mkdir -p "$CACHE" "$WORK" "$LOGS"
# Each release's kernel, as "RELEASE=KVER".
kernels=()
for rel in $KERNELS; do
	pick_kernel "$rel" || die "cannot get $rel's kernel"
	kernels+=("$rel=$KVER")
done
make_keys || die "cannot make test keys"
# One fresh image; each VM gets its own copy inside its initramfs. 256-byte
# inodes keep the xattrs in the inode, as on a normal root filesystem.
rm -f "$WORK/ext4.img"
if ! truncate -s 64M "$WORK/ext4.img" ||
	! mkfs.ext4 -q -F -I 256 -b 4096 -L evmtest "$WORK/ext4.img"; then
	die "mkfs.ext4 failed"
fi
build_initramfs || die "cannot build the initramfs"

for k in "${kernels[@]}"; do
	kver=${k#*=}
	kernel_initramfs "$kver" || die "cannot add $kver's loop module to the initramfs"
	mkdir -p "$LOGS/$kver"
	for mode in $MODES; do
		rm -f "$LOGS/$kver/$mode".{log,rc,qemu}
		while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
		echo "kernel: booting $kver (${k%%=*}) in mode $mode"
		run_vm "$kver" "$mode" &
	done
done
wait

for k in "${kernels[@]}"; do
	for mode in $MODES; do
		collect "${k#*=}" "$mode" "${k#*=}"
	done
done
echo "kernel: $(($(date +%s) - start))s for ${kernels[*]}, logs in $LOGS/"
finish
