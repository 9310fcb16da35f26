#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash consistency under apt: in a Debian 12 chroot with the hooks
# (tests/aptroot.sh), one `apt-get install` of two signed packages (300 and
# 60 files) killed with SIGKILL at counted points: dpkg under apt at its
# Nth rename (in the second package: the first is unpacked, the second
# half-installed, with nothing signed yet), the post-unpack hook at
# its Nth security.evm write (tests/faults/faultinj.c, FAULT_COMM picks the
# process), and apt-get itself once dpkg's unpack run has ended (a
# post-invoke that counts dpkg's runs). Right after each kill no file
# carries a security.evm that does not verify, and every file is signed,
# reported by `evmpkg verify`, or of a package `dpkg --audit` names; then
# the administrator's recovery: `evmpkg verify` and `evmpkg apply` for what
# dpkg has unpacked, then what apt and dpkg ask for (`dpkg --configure -a`,
# `apt-get -f install`, `apt-get install --reinstall` of what dpkg --audit
# says must be reinstalled, the install again). After it every file
# verifies (evmctl), `evmpkg verify` exits 0 and dpkg --audit is clean.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/debcheck.sh
. tests/aptroot.sh
. tests/crash/evmcheck.bash
T_NAME=crash-apt
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"
FI="$PWD/$B/tests/faultinj.so"
# The counted points: dpkg's renames (about 610 for the first package, so
# 650 falls in the second: the first unpacked, the second half-installed;
# 100 would fall in the first) and the hook's security.evm writes.
DPKG_RENAMES=${DPKG_RENAMES:-650}
HOOK_WRITES=${HOOK_WRITES:-150}

work=$(mktemp -d /var/tmp/evmpkg-crash-apt.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
setup_fail() { not_ok setup "$1"; finish; exit 1; }
[ "$(id -u)" = 0 ] || setup_fail "needs root (chroot, security.* xattrs)"
for t in mmdebstrap apt-ftparchive dpkg-deb evmctl getfattr chroot "$FI" "$EVMPKG" \
	"$PWD/$B/dpkg-hook/evmpkg-dpkg-hook"; do
	command -v "$t" >/dev/null || setup_fail "needs $t (make deps; make check builds the tools)"
done
tests/keys.sh "$keys" >/dev/null 2>&1 || setup_fail "tests/keys.sh failed"
CERT=$keys/rsa2048.der
APTROOT_CERT=$CERT
debcheck_accounts

# --- two packages, /opt/evmmany (300 files) and /opt/evmmore (60) --------
declare -A NF=([evmmany]=300 [evmmore]=60)
for p in evmmany evmmore; do
	t=$work/$p
	mkdir -p "$t/DEBIAN" "$t/opt/$p"
	printf 'Package: %s\nVersion: 1\nArchitecture: all\nMaintainer: evmpkg <evmpkg@localhost>\nDescription: many files\n' \
		"$p" > "$t/DEBIAN/control"
	for i in $(seq 1 "${NF[$p]}"); do printf '%s %s\n' "$p" "$i" > "$t/opt/$p/f$i"; done
	dpkg-deb -Zxz -b "$t" "$work/$p.unsigned" >/dev/null 2>&1 || setup_fail "dpkg-deb $p"
	sign "$work/$p.unsigned" "$work/${p}_1_all.deb" || setup_fail "evmpkg sign $p"
done
base=$work/base
{ aptroot_new "$base" && aptroot_hooks "$base" "policy = enforce" "certs = /etc/evmpkg/cert.der" &&
	aptroot_repo "$base" "$work/evmmany_1_all.deb" "$work/evmmore_1_all.deb"; } 2>"$work/setup.err" ||
	setup_fail "chroot: $(tr '\n' ' ' < "$work/setup.err")"
# The shim inside the chroot, for the processes apt starts there.
cp "$FI" "$base/faultinj.so"
# apt-get killed by a post-invoke of dpkg's (after the hook's, whose file
# sorts first) at the dpkg run CRASH_KILL_AT, given apt-get's pid in
# /crash-apt.pid; dormant without CRASH_KILL_AT.
cat > "$base/crash-kill-apt" <<'EOF'
#!/bin/sh
[ -n "${CRASH_KILL_AT:-}" ] || exit 0
n=$(($(cat /crash-runs 2>/dev/null || echo 0) + 1))
echo "$n" > /crash-runs
[ "$n" = "$CRASH_KILL_AT" ] && echo "crash: killing apt-get after dpkg run $n" >&2 &&
	kill -9 "$(cat /crash-apt.pid)"
exit 0
EOF
chmod 0755 "$base/crash-kill-apt"
echo "post-invoke=/crash-kill-apt" > "$base/etc/dpkg/dpkg.cfg.d/zz-crash"
ok "packages signed, the Debian $APTROOT_SUITE chroot made"

fresh() { R=$work/r; rm -rf "$R"; cp -a "$base" "$R"; }
# apt_in LABEL VAR=VALUE... -- apt-get args: apt-get run in the chroot with
# those variables, through a pipe, so the run ends only when every process
# of it that holds the output has (dpkg outlives a killed apt-get); the
# status is apt-get's, the output in $work/LABEL.out.
apt_in() {
	local label=$1 vars=()
	shift
	while [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	aptroot_run "$R" env "${vars[@]}" sh -c 'echo $$ > /crash-apt.pid; exec "$@"' sh \
		apt-get -y -q -o Dpkg::Use-Pty=0 "$@" 2>&1 | cat > "$work/$label.out"
	return "${PIPESTATUS[0]}"
}
audit() { aptroot_run "$R" dpkg --audit 2>&1; }
verify() { "$EVMPKG" verify --root "$R" --cert "$CERT" "$@"; }

# unpacked_apply NAME: evmpkg apply writes what dpkg has unpacked (the
# packages in its database), then evmpkg verify finds nothing.
unpacked_apply() {
	local name=$1 p list=''
	for p in evmmany evmmore; do
		case $(aptroot_run "$R" dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
		*" unpacked"|*" installed"|*half-configured) list="$list $p" ;;
		esac
	done
	if [ -z "$list" ]; then
		refuse "$name: evmpkg apply: no package of them in dpkg's database" \
			"$EVMPKG" apply --root "$R" --cert "$CERT" evmmany
		expect "$name: ... and says so" grep -q "evmmany: not installed" <<< "$out"
		return
	fi
	# shellcheck disable=SC2086
	expect "$name: evmpkg apply$list" "$EVMPKG" apply --root "$R" --cert "$CERT" $list
	# shellcheck disable=SC2086
	expect "$name: then evmpkg verify$list exits 0" verify $list
}
# recover NAME: what apt and dpkg ask an administrator to do, then checks.
recover() {
	local name=$1 rc reinst
	apt_in "$name-f" -- -f install
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q "dpkg --configure -a" "$work/$name-f.out"; then
		ok "$name: apt-get -f install asks for dpkg --configure -a"
		aptroot_run "$R" dpkg --configure -a >"$work/$name-c.out" 2>&1
		same "$name: dpkg --configure -a" "$?" 0
		apt_in "$name-f2" -- -f install
		rc=$?
	fi
	same "$name: apt-get -f install" "$rc" 0
	# apt leaves a half-installed package as it is; dpkg --audit says
	# to reinstall it.
	reinst=$(aptroot_run "$R" dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 2>/dev/null |
		awk '$1 ~ /R/ { print $2 }')
	if [ -n "$reinst" ]; then
		# shellcheck disable=SC2086
		apt_in "$name-r" -- install --reinstall $reinst
		rc=$?
		same "$name: apt-get install --reinstall $(echo $reinst)" "$rc" 0
	fi
	apt_in "$name-i" -- install evmmany evmmore
	same "$name: apt-get install evmmany evmmore again" "$?" 0
	same "$name: both installed" "$(aptroot_run "$R" dpkg-query -W -f='${db:Status-Abbrev}\n' \
		evmmany evmmore 2>/dev/null | tr -d ' \n')" "iiii"
	expect "$name: then every file of evmmany verifies (evmctl)" all_verify "$R/opt/evmmany" 300
	expect "$name: then every file of evmmore verifies (evmctl)" all_verify "$R/opt/evmmore" "${NF[evmmore]}"
	expect "$name: then evmpkg verify exits 0" verify
	expect "$name: then evmpkg verify evmmany evmmore exits 0" verify evmmany evmmore
	same "$name: then dpkg --audit: nothing to report" "$(audit)" ""
}
# killed NAME RC WANT: the run was killed where meant; what it left is
# signed or reported; a package dpkg left half-installed is named by
# dpkg --audit, and by evmpkg verify as half-installed.
killed() {
	local name=$1 p half='' excused=''
	same "$name: apt-get's exit status" "$2" "$3"
	expect "$name: the kill happened" grep -q "^faultinj: fired\|^crash: killing" "$work/$name.out"
	audit > "$work/audit.out"
	for p in evmmany evmmore; do
		[ "$(aptroot_run "$R" dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = \
			"install reinstreq half-installed" ] || continue
		half="$half $p"
		expect "$name: $p half-installed: dpkg --audit names it" grep -q "^ $p " "$work/audit.out"
		refuse "$name: $p half-installed: evmpkg verify $p fails" verify "$p"
		expect "$name: ... saying it is half-installed" grep -q "evmpkg: $p: half-installed" <<< "$out"
	done
	[ -n "$half" ] && excused="^/opt/($(echo $half | tr ' ' '|'))/"
	accounted "$name" "$R" "$excused" "$R/opt"
	for p in $half; do
		expect "$name: evmpkg verify of every package names $p half-installed" \
			grep -q "evmpkg: $p: half-installed" "$work/v.err"
		same "$name: ... exit status" "$VERIFY_RC" 1
	done
}

# --- dpkg under apt killed at its Nth rename --------------------------------
for n in $DPKG_RENAMES; do
	name="dpkg killed at rename $n"
	fresh
	apt_in "$name" LD_PRELOAD=/faultinj.so FAULT_CALL=rename FAULT_NTH="$n" FAULT_ACTION=kill \
		FAULT_COMM=dpkg -- install evmmany evmmore
	killed "$name" $? 100
	expect "$name: apt names the killed dpkg" grep -q "^E: Sub-process /usr/sbin/evmpkg-dpkg returned an error code" "$work/$name.out"
	unpacked_apply "$name"
	recover "$name"
done

# --- the post-unpack hook killed at its Nth security.evm write --------------
for n in $HOOK_WRITES; do
	name="hook killed at evm write $n"
	fresh
	# FAULT_COMM: the kernel cuts a process name to 15 characters.
	apt_in "$name" LD_PRELOAD=/faultinj.so FAULT_CALL=fsetxattr FAULT_XATTR=security.evm \
		FAULT_NTH="$n" FAULT_ACTION=kill FAULT_COMM=evmpkg-dpkg-hoo -- install evmmany evmmore
	killed "$name" $? 100
	expect "$name: dpkg names the hook that failed" \
		grep -q "error executing hook .*evmpkg-dpkg-hook post-unpack" "$work/$name.out"
	unpacked_apply "$name"
	recover "$name"
done

# --- apt-get killed once dpkg's unpack run has ended ------------------------
name="apt-get killed after dpkg's unpack run"
fresh
apt_in "$name" CRASH_KILL_AT=1 -- install evmmany evmmore
killed "$name" $? 137
expect "$name: both unpacked, not configured" test "$(aptroot_run "$R" dpkg-query -W -f='${Status}\n' \
	evmmany evmmore 2>/dev/null | sort -u)" = "install ok unpacked"
unpacked_apply "$name"
recover "$name"
finish
