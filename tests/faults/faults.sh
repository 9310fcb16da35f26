#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Faults in the write path: tests/faults/faultinj.c (LD_PRELOAD, tests
# only) makes one call of fchown, fchmod, fsetxattr (by attribute name),
# fsync or rename fail with EPERM, ENOSPC, EDQUOT, EOPNOTSUPP or EIO, in
# real rpm with the plugin, real dpkg with the hooks, `evmpkg sign-file`,
# `evmpkg sign` (the package writer) and `evmpkg apply`; then a real full ext4 (loop
# mount) and a filesystem without security xattrs (ramfs). Each run must
# end clean: refused with nothing of the package left, or installed with
# every file verifying (evmctl) or a warning naming what was not; never a
# security.evm that does not verify; and a second run without the fault
# finishes the job (for dpkg: `evmpkg verify` names what the hook left
# unwritten, `evmpkg apply` writes it, then dpkg --configure -a). Every
# fault is checked to have fired.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/rpmdebian.sh
T_NAME=faults
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"
HOOK=$PWD/$B/dpkg-hook/evmpkg-dpkg-hook
FI="$PWD/$B/tests/faultinj.so"
SYSPLUGINS=$(rpm --eval '%{__plugindir}')
[ -d "$SYSPLUGINS" ] || SYSPLUGINS=/usr/lib/$(gcc -print-multiarch)/rpm-plugins
ERRNOS=${ERRNOS:-EPERM ENOSPC EDQUOT EOPNOTSUPP EIO}

[ "$(id -u)" = 0 ] || { not_ok setup "needs root (mounts, xattrs)"; finish; exit 1; }
for t in rpm rpmbuild dpkg dpkg-deb evmctl getfattr mkfs.ext4 "$FI" "$HOOK" "$EVMPKG"; do
	command -v "$t" >/dev/null || { not_ok setup "needs $t (make deps; make check builds the tools)"; finish; exit 1; }
done
work=$(mktemp -d /var/tmp/evmpkg-faults.XXXXXX)
mnts=()
cleanup() {
	local m
	for m in "${mnts[@]}"; do umount "$m" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
CERT=$keys/rsa2048.der

. tests/debdemo.sh
. tests/debcheck.sh
# all_verify DIR... N: N regular files, each with IMA and EVM signatures that verify.
all_verify() {
	local n=0 f want=${*: -1}
	while IFS= read -r f; do
		n=$((n + 1))
		evmctl ima_verify --key "$CERT" "$f" >/dev/null 2>&1 &&
			evmctl verify --key "$CERT" "$f" >/dev/null 2>&1 || { echo "does not verify: $f"; return 1; }
	done < <(find "${@:1:$#-1}" -type f)
	[ "$n" -eq "$want" ] || { echo "$n files, want $want"; return 1; }
}
fired() {	# fired NAME OUT: the fault happened
	if grep -q '^faultinj: fired' "$2"; then ok "$1: the fault fired"; else not_ok "$1: the fault fired" "never"; fi
}

# ---------------------------------------------------------------- rpm ----
printf 'root:x:0:0::/:/bin/sh\nevmuser:x:1234:1234::/:/bin/sh\nnosuchuser:x:1235:1235::/:/bin/sh\n' > "$work/passwd"
printf 'root:x:0:\nevmuser:x:1234:\nnosuchuser:x:1235:\n' > "$work/group"
rpmbuild --quiet --define "_topdir $work/top" --define "ver 1" \
	-bb tests/rpm/pkgs/evmdemo.spec >"$work/build.log" 2>&1
"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" --passwd "$work/passwd" --group "$work/group" \
	--sign-config -o "$work/s.rpm" "$work/top/RPMS/noarch/evmdemo-1-1.noarch.rpm" >"$work/sign.log" 2>&1
expect "the signed rpm package" test -s "$work/s.rpm"
cat > "$work/plain.spec" <<'SPEC'
Name: evmplain
Version: 1
Release: 1
Summary: no capabilities
License: GPL-2.0-or-later
BuildArch: noarch
%description
plain
%install
mkdir -p %{buildroot}/opt/plain
for i in 1 2 3; do echo $i > %{buildroot}/opt/plain/f$i; done
%files
/opt/plain
SPEC
rpmbuild --quiet --define "_topdir $work/top" -bb "$work/plain.spec" >/dev/null 2>&1
"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" -o "$work/plain.rpm" \
	"$work/top/RPMS/noarch/evmplain-1-1.noarch.rpm" >/dev/null 2>&1
mkdir -p "$work/plugins"
ln -s "$PWD/$B/rpm-plugin/zz_evmpkg.so" "$work/plugins/zz_evmpkg.so"
ln -s "$SYSPLUGINS/ima.so" "$work/plugins/ima.so"
newroot() {
	rm -rf "$1"
	mkdir -p "$1/etc"
	cp "$work/passwd" "$work/group" "$1/etc/"
	rpm --root "$1" --dbpath /var/lib/rpm --initdb
}
rpmr() {	# rpmr ROOT POLICY rpm-args... (FAULT_* from the environment)
	local root=$1 policy=$2
	shift 2
	rpm --root "$root" --dbpath /var/lib/rpm --nodeps $RPM_FORCE_DEBIAN --ignoresize \
		--load "$PWD/$B/rpm-plugin/macros.transaction_zz_evmpkg" \
		--define "__plugindir $work/plugins" --define "_evmpkg_policy $policy" \
		--define "_evmpkg_certs $CERT" "$@"
}
# clean NAME ROOT RC OUT: refused with nothing left, or installed and each
# file verifying or warned about; never a bad security.evm.
clean() {
	local name=$1 r=$2 rc=$3 out=$4 bad
	if [ "$rc" -ne 0 ]; then
		# rpm renames a package's files into place after every one was
		# written and signed: a commit that stops part-way leaves the
		# files before it, each complete.
		left=$(find "$r/usr" "$r/opt" -type f 2>/dev/null | wc -l)
		if [ "$left" -eq 0 ]; then
			ok "$name: refused: no file left"
		elif all_verify "$r/usr" "$r/opt" "$left" >/dev/null; then
			ok "$name: refused in rpm's commit: the $left files it renamed verify"
		else
			not_ok "$name: refused: what is left" "$left files, not all verifying"
		fi
		refuse "$name: refused: not in the rpmdb" rpm --root "$r" --dbpath /var/lib/rpm -q evmdemo
	elif all_verify "$r/usr" "$r/opt" 8 >/dev/null; then
		ok "$name: installed, every file verifies"
	elif grep -q 'warning: evmpkg: ' "$out"; then
		ok "$name: installed with a warning"
	else
		not_ok "$name" "installed with files that do not verify and no warning"
	fi
	if bad=$(no_bad_evm "$r"); then ok "$name: no security.evm that does not verify"; else not_ok "$name: no bad security.evm" "$bad"; fi
}
# recover NAME ROOT: the same install without the fault finishes the job.
recover() {
	local r=$2
	if rpm --root "$r" --dbpath /var/lib/rpm -q evmdemo >/dev/null 2>&1; then
		rpmr "$r" enforce --reinstall "$work/s.rpm" >"$work/rec.out" 2>&1
	else
		rpmr "$r" enforce -i "$work/s.rpm" >"$work/rec.out" 2>&1
	fi
	same "$1: second run without the fault: exit status" "$?" 0
	expect "$1: second run: every file verifies (evmctl)" all_verify "$r/usr" "$r/opt" 8
}

R=$work/root
for step in fsetxattr:security.ima fsetxattr:security.evm fsetxattr:security.capability fchown fchmod rename; do
	call=${step%%:*}
	xattr=${step#*:}
	[ "$xattr" = "$step" ] && xattr=
	for e in $ERRNOS; do
		for pol in enforce warn; do
			# warn mode matters where the plugin decides: its own write
			# (rpm's ima plugin writes security.ima, rpm the others).
			[ "$pol" = warn ] && { [ "$xattr" != security.evm ] || [ "$e" = EOPNOTSUPP ]; } && continue
			name="rpm $pol, $step fails with $e"
			newroot "$R"
			# rpm's own calls: counted once the first file is being
			# labelled, past the database's; the one %caps file: first.
			arm=fsetxattr nth=2
			[ -n "$xattr" ] && arm=
			[ "$xattr" = security.capability ] && nth=1
			(export LD_PRELOAD="$FI" FAULT_ARM=$arm FAULT_CALL="$call" FAULT_XATTR="$xattr" \
				FAULT_NTH=$nth FAULT_ERRNO="$e"; rpmr "$R" "$pol" -i "$work/s.rpm") >"$work/o" 2>&1
			rc=$?
			fired "$name" "$work/o"
			clean "$name" "$R" "$rc" "$work/o"
			# The plugin refuses its own failed writes in enforce mode
			# (a filesystem without xattrs aside: a warning).
			if [ "$pol" = enforce ] && [ "$xattr" = security.evm ] && [ "$e" != EOPNOTSUPP ]; then
				same "$name: refused" "$rc" 1
				expect "$name: the message names package, file and step" \
					grep -q "evmpkg: evmdemo-1-1.noarch: /.*: security.evm: " "$work/o"
			fi
			if [ "$pol" = warn ]; then
				same "$name: warn mode installs" "$rc" 0
				expect "$name: with a warning naming the step" grep -q "warning: evmpkg: evmdemo-1-1.noarch: /.*: $xattr" "$work/o"
			fi
			recover "$name" "$R"
		done
	done
done

# --------------------------------------------------------- sign-file ----
for step in fsetxattr:security.ima fsetxattr:security.evm fchown fchmod; do
	call=${step%%:*}
	xattr=${step#*:}
	[ "$xattr" = "$step" ] && xattr=
	for e in EPERM ENOSPC EIO; do
		name="sign-file, $step fails with $e"
		d=$work/sf
		rm -rf "$d"
		mkdir -p "$d"
		printf '#!/bin/sh\necho %s\n' "$e" > "$d/a"
		cp "$d/a" "$d/b"
		env LD_PRELOAD="$FI" FAULT_CALL="$call" FAULT_XATTR="$xattr" FAULT_NTH=1 FAULT_ERRNO="$e" \
			"$EVMPKG" sign-file --key "$keys/rsa2048.pem" --cert "$CERT" -j 1 \
			--uid 1234 --gid 1234 --mode 0750 "$d/a" "$d/b" >"$work/o" 2>&1
		rc=$?
		fired "$name" "$work/o"
		same "$name: exit status" "$rc" 1
		expect "$name: the message names the file" grep -qE "evmpkg: $d/[ab]: " "$work/o"
		if bad=$(no_bad_evm "$d"); then ok "$name: no security.evm that does not verify"; else not_ok "$name: no bad security.evm" "$bad"; fi
		"$EVMPKG" sign-file --key "$keys/rsa2048.pem" --cert "$CERT" --uid 1234 --gid 1234 \
			--mode 0750 "$d/a" "$d/b" >"$work/o" 2>&1
		same "$name: signed again without the fault" "$?" 0
		expect "$name: both verify (evmctl)" all_verify "$d" 2
	done
done

# ---------------------------------------------- the package writer ----
for step in fsync rename fchmod; do
	for e in ENOSPC EDQUOT EIO; do
		name="evmpkg sign, $step fails with $e"
		rm -f "$work/out.rpm"
		cp "$work/top/RPMS/noarch/evmdemo-1-1.noarch.rpm" "$work/in.rpm"
		sum=$(sha256sum < "$work/in.rpm")
		env LD_PRELOAD="$FI" FAULT_CALL="$step" FAULT_NTH=1 FAULT_ERRNO="$e" \
			"$EVMPKG" sign --key "$keys/rsa2048.pem" -o "$work/out.rpm" "$work/in.rpm" >"$work/o" 2>&1
		rc=$?
		fired "$name" "$work/o"
		same "$name: refused" "$rc" 1
		same "$name: no output" "$(ls "$work/out.rpm" 2>/dev/null)" ""
		same "$name: no temporary file left" "$(ls "$work" | grep -c 'evmpkg-')" 0
		env LD_PRELOAD="$FI" FAULT_CALL="$step" FAULT_NTH=1 FAULT_ERRNO="$e" \
			"$EVMPKG" sign --key "$keys/rsa2048.pem" "$work/in.rpm" >"$work/o" 2>&1
		same "$name, in place: refused" "$?" 1
		same "$name, in place: the package as it was" "$(sha256sum < "$work/in.rpm")" "$sum"
		expect "$name: signed again without the fault" \
			"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" "$work/in.rpm"
		expect "$name: the result verifies" "$EVMPKG" inspect --cert "$CERT" "$work/in.rpm"
	done
done

# --------------------------------------------------------------- dpkg ----
debcheck_accounts
debdemo_tree "$work/pkg"
dpkg-deb -Zxz --build "$work/pkg" "$work/v.deb" >/dev/null 2>&1
sign "$work/v.deb" "$work/s.deb"
printf 'policy = enforce\ncerts = %s\n' "$CERT" > "$work/dpkg.conf"
dnewroot() {
	rm -rf "$1"
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates"
	touch "$1/var/lib/dpkg/status"
}
dp() {	# dp ROOT HOOK-ENV dpkg-args...: HOOK-ENV goes before the post-unpack hook
	local r=$1 env=$2
	shift 2
	dpkg --root="$r" --admindir="$r/var/lib/dpkg" --force-script-chrootless --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK pre-invoke" \
		--post-invoke="$env EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK post-unpack" "$@"
}
for step in fsetxattr:security.ima fsetxattr:security.evm fsetxattr:security.capability fchown fchmod; do
	call=${step%%:*}
	xattr=${step#*:}
	[ "$xattr" = "$step" ] && xattr=
	for e in EPERM ENOSPC EIO; do
		name="dpkg, the hook's $step fails with $e"
		R=$work/droot
		dnewroot "$R"
		dp "$R" "LD_PRELOAD=$FI FAULT_CALL=$call FAULT_XATTR=$xattr FAULT_NTH=1 FAULT_ERRNO=$e" \
			--unpack "$work/s.deb" >"$work/o" 2>&1
		rc=$?
		if grep -q '^faultinj: fired' "$work/o"; then
			ok "$name: the fault fired"
			expect "$name: dpkg --unpack fails" test "$rc" -ne 0
			expect "$name: not to be configured" grep -q "evmdemo: not to be configured" "$work/o"
		else
			# No such call for this package (fchown: dpkg set the owners).
			same "$name: no such call, unpack succeeds" "$rc" 0
		fi
		if bad=$(no_bad_evm "$R"); then ok "$name: no security.evm that does not verify"; else not_ok "$name: no bad security.evm" "$bad"; fi
		# The signed files evmctl cannot verify (the hook's threads stop
		# at different files: maybe only the conffile's IMA-only value,
		# which verify leaves to --sign-config) are what verify names.
		"$EVMPKG" verify --root "$R" --cert "$CERT" >"$work/v" 2>&1
		vrc=$? unsigned='' named=''
		for f in /usr/bin/demo /usr/bin/demo-suid /usr/sbin/demo-ping /opt/demo/data/owned; do
			all_verify "$R$f" 1 >/dev/null || unsigned="$unsigned $f"
			grep -q " $f\$" "$work/v" && named="$named $f"
		done
		same "$name: evmpkg verify names the signed files left unverifiable" "$named" "$unsigned"
		same "$name: evmpkg verify: exit status" "$vrc" "$([ -n "$unsigned" ] && echo 1 || echo 0)"
		"$EVMPKG" apply --root "$R" --cert "$CERT" evmdemo >"$work/v" 2>&1
		same "$name: evmpkg apply writes the rest" "$?" 0
		expect "$name: then evmpkg verify exits 0" "$EVMPKG" verify --root "$R" --cert "$CERT"
		dp "$R" "" --configure -a >"$work/o" 2>&1
		same "$name: dpkg --configure -a completes it" "$?" 0
		expect "$name: then every signed file verifies (evmctl)" \
			all_verify "$R/usr/bin/demo" "$R/usr/bin/demo-suid" "$R/usr/sbin/demo-ping" "$R/opt/demo/data/owned" 4
	done
done

# ------------------------------------------------------- evmpkg apply ----
# A root installed by plain dpkg (no hooks), then `evmpkg apply` with one
# signature write failing, under either policy: apply fails naming the
# package and the file, leaves no security.evm that does not verify, verify
# still reports what is missing, and a second apply finishes the job. The
# package is signed with a capability that nothing but apply writes (plain
# dpkg does not).
sign "$work/v.deb" "$work/scaps.deb" --caps /usr/sbin/demo-ping=cap_net_raw+ep
for pol in enforce warn; do
	for step in security.ima security.evm security.capability; do
		for e in EPERM ENOSPC EIO; do
			name="apply --policy $pol, the $step write fails with $e"
			R=$work/aroot
			dnewroot "$R"
			dpkg --root="$R" --admindir="$R/var/lib/dpkg" --force-script-chrootless --log=/dev/null \
				-i "$work/scaps.deb" >/dev/null 2>&1
			env LD_PRELOAD="$FI" FAULT_CALL=fsetxattr FAULT_XATTR="$step" FAULT_NTH=1 FAULT_ERRNO="$e" \
				"$EVMPKG" apply --root "$R" --cert "$CERT" --policy "$pol" --all >"$work/o" 2>&1
			rc=$?
			fired "$name" "$work/o"
			same "$name: exit status" "$rc" 1
			expect "$name: the message names package and file" grep -qE "evmdemo: /[^:]+: " "$work/o"
			if bad=$(no_bad_evm "$R"); then ok "$name: no security.evm that does not verify"; else not_ok "$name: no bad security.evm" "$bad"; fi
			# What the failed write left undone, unless another name of
			# the same inode (a hardlink) wrote it afterwards.
			undone=$(for f in /usr/bin/demo /usr/bin/demo-link /usr/bin/demo-suid /usr/sbin/demo-ping \
					/opt/demo/data/owned; do
				evmctl ima_verify --key "$CERT" "$R$f" >/dev/null 2>&1 &&
					evmctl verify --key "$CERT" "$R$f" >/dev/null 2>&1 || echo "$f"; done)
			"$EVMPKG" verify --root "$R" --cert "$CERT" --all >"$work/v" 2>&1
			rc=$?
			same "$name: verify reports what is undone${undone:+ (}$(echo $undone)${undone:+)}" \
				"$rc:$(sed -En 's/^[^ ]+ {4}//p' "$work/v" | sort | tr '\n' ' ')" \
				"$([ -n "$undone" ] && echo 1 || echo 0):$(printf '%s\n' $undone | sort | tr '\n' ' ')"
			"$EVMPKG" apply --root "$R" --cert "$CERT" --policy "$pol" --all >"$work/v" 2>&1
			same "$name: apply again without the fault" "$?" 0
			expect "$name: then verify is content" "$EVMPKG" verify --root "$R" --cert "$CERT" --all
			same "$name: the capability written" "$(getcap "$R/usr/sbin/demo-ping" | awk '{print $2}')" cap_net_raw=ep
			expect "$name: every signed file verifies (evmctl)" \
				all_verify "$R/usr/bin/demo" "$R/usr/bin/demo-suid" "$R/usr/sbin/demo-ping" "$R/opt/demo/data/owned" 4
		done
	done
done

# ------------------------------------------------ a full filesystem ----
img=$work/small.img
truncate -s 8M "$img"
mkfs.ext4 -q -F -I 256 "$img"
mkdir -p "$work/small"
if mount -o loop "$img" "$work/small"; then
	mnts+=("$work/small")
	# A package larger than the filesystem.
	mkdir -p "$work/bigtop"
	cat > "$work/big.spec" <<'SPEC'
Name: evmbig
Version: 1
Release: 1
Summary: larger than the filesystem
License: GPL-2.0-or-later
BuildArch: noarch
%description
big
%install
mkdir -p %{buildroot}/opt/big
for i in $(seq 1 12); do head -c 1000000 /dev/urandom > %{buildroot}/opt/big/f$i; done
%files
/opt/big
SPEC
	rpmbuild --quiet --define "_topdir $work/bigtop" -bb "$work/big.spec" >/dev/null 2>&1
	"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" -o "$work/big.rpm" \
		"$work/bigtop/RPMS/noarch/evmbig-1-1.noarch.rpm" >/dev/null 2>&1
	R=$work/small/root
	newroot "$R"
	rpmr "$R" enforce -i "$work/big.rpm" >"$work/o" 2>&1
	rc=$?
	expect "full ext4: rpm -i fails" test "$rc" -ne 0
	same "full ext4: no file of it left" "$(find "$R/opt" -type f 2>/dev/null | wc -l)" 0
	refuse "full ext4: not in the rpmdb" rpm --root "$R" --dbpath /var/lib/rpm -q evmbig
	if bad=$(no_bad_evm "$R"); then ok "full ext4: no security.evm that does not verify"; else not_ok "full ext4: bad security.evm" "$bad"; fi
	# Fill it, then sign a file there: the xattrs need a block of their own.
	printf '#!/bin/sh\necho full\n' > "$work/small/f"
	dd if=/dev/zero of="$work/small/filler" bs=4k 2>/dev/null
	"$EVMPKG" sign-file --key "$keys/rsa2048.pem" --cert "$CERT" "$work/small/f" >"$work/o" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		expect "full ext4: sign-file refused, naming the file and ENOSPC" grep -q "$work/small/f: .*No space left on device" "$work/o"
	else
		ok "full ext4: sign-file found room in the inode"
	fi
	if bad=$(no_bad_evm "$work/small/f"); then ok "full ext4: sign-file leaves no bad security.evm"; else not_ok "full ext4: sign-file: bad security.evm" "$bad"; fi
	"$EVMPKG" sign --key "$keys/rsa2048.pem" -o "$work/small/out.rpm" "$work/top/RPMS/noarch/evmdemo-1-1.noarch.rpm" >"$work/o" 2>&1
	same "full ext4: evmpkg sign -o there fails" "$?" 1
	same "full ext4: no partial package" "$(ls "$work/small" | grep -c 'out.rpm')" 0
	rm -f "$work/small/filler"
	"$EVMPKG" sign-file --key "$keys/rsa2048.pem" --cert "$CERT" "$work/small/f" >/dev/null 2>&1
	expect "full ext4, space freed: sign-file completes" all_verify "$work/small/f" 1
else
	not_ok "full ext4" "cannot loop-mount $img"
fi

# ---------------------------------- a filesystem without security xattrs ----
mkdir -p "$work/ramfs"
if mount -t ramfs ramfs "$work/ramfs"; then
	mnts+=("$work/ramfs")
	R=$work/ramfs/root
	newroot "$R"
	rpmr "$R" enforce -i "$work/s.rpm" >"$work/o" 2>&1
	same "ramfs: rpm -i of a package with %caps fails (rpm's cap_set_file)" "$?" 1
	same "ramfs: ... nothing of it left" "$(find "$R/usr" "$R/opt" -type f 2>/dev/null | wc -l)" 0
	newroot "$R"
	rpmr "$R" enforce -i "$work/plain.rpm" >"$work/o" 2>&1
	same "ramfs: rpm -i of a package without %caps installs" "$?" 0
	expect "ramfs: warning that the filesystem stores no security xattrs" \
		grep -q "warning: evmpkg: the target filesystem does not store security xattrs" "$work/o"
	same "ramfs: no security xattrs" "$(getfattr -R -m security "$R" 2>/dev/null | grep -c security)" 0
	printf 'x\n' > "$work/ramfs/f"
	"$EVMPKG" sign-file --key "$keys/rsa2048.pem" --cert "$CERT" "$work/ramfs/f" >"$work/o" 2>&1
	same "ramfs: sign-file fails" "$?" 1
	expect "ramfs: naming the file and the reason" grep -q "$work/ramfs/f: .*not supported" "$work/o"
	R=$work/ramfs/droot
	dnewroot "$R"
	dp "$R" "" --unpack "$work/s.deb" >"$work/o" 2>&1
	same "ramfs: dpkg --unpack with the hooks" "$?" 0
	expect "ramfs: the hook warns" grep -qi "does not store security xattrs" "$work/o"
else
	not_ok "ramfs" "cannot mount ramfs"
fi
finish
