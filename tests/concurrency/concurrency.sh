#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Concurrency: several rpm, dpkg, apt and `evmpkg apply` processes on one
# root at once. Each is serialised or refused by the lock its package
# manager owns, and evmpkg's plugin, hooks and apply never corrupt each
# other's work. No step relies on timing: the first process is held at a
# known point (an rpm %pre in lua, a dpkg preinst, or the LD_PRELOAD shim
# tests/concurrency/hold.c before a security.evm write) reading a fifo
# until the tier releases it, and the others start while it is held.
#   rpm: waits for its transaction lock only when stdin is a terminal
#        (rpmlockAcquire); so do `evmpkg apply` on rpm roots. Both are run
#        on a pseudo-terminal (script) and without one.
#   dpkg, apt, `evmpkg apply` on dpkg roots: refused at once by dpkg's
#        frontend lock. dpkg runs its pre-invoke hooks before it takes the
#        lock and its post-invoke hooks after it let it go, so those hooks
#        are also run beside another dpkg.
# Runs left free to overlap (apply against apply, many rounds) accept
# either outcome the locks allow and check the files each time. evmctl is
# the independent oracle on a spread of files of every package (one evmctl
# run costs tens of milliseconds); `evmpkg verify --root` checks every file.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/rpmdebian.sh
. tests/aptroot.sh
T_NAME=concurrency
B=${B:-build}
EVMPKG=$PWD/$B/evmpkg
HOOK=$PWD/$B/dpkg-hook/evmpkg-dpkg-hook
NMANY=${NMANY:-1000}	# files of the package two applies share
ROUNDS=${ROUNDS:-6}	# free-running rounds of apply against apply
SYSPLUGINS=$(rpm --eval '%{__plugindir}')
[ -d "$SYSPLUGINS" ] || SYSPLUGINS=/usr/lib/$(gcc -print-multiarch)/rpm-plugins
started=$SECONDS

setup_fail() { not_ok setup "$1"; finish; exit 1; }
[ "$(id -u)" = 0 ] || setup_fail "needs root (chroot, security.* xattrs)"
for t in rpm rpmbuild dpkg dpkg-deb evmctl getfattr script mkfifo timeout cc mmdebstrap \
	apt-ftparchive chroot jq; do
	command -v "$t" >/dev/null || setup_fail "needs $t (make deps)"
done
[ -x "$EVMPKG" ] && [ -x "$HOOK" ] && [ -f "$B/rpm-plugin/zz_evmpkg.so" ] ||
	setup_fail "build first (make B=$B all)"

work=$(mktemp -d /var/tmp/evmpkg-concurrency.XXXXXX)
pids=()		# background processes this tier started
holds=()	# hold directories whose fifo may still have a reader
cleanup() {
	local h p
	# Held processes first: release them, so none stays blocked on a fifo.
	for h in "${holds[@]}"; do
		[ -e "$h/held" ] && [ ! -e "$h/released" ] &&
			timeout 5 sh -c 'printf go > "$1/go"' _ "$h" 2>/dev/null
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || setup_fail "tests/keys.sh failed"
CERT=$keys/rsa2048.der
APTROOT_CERT=$CERT
cc -O2 -Wall -Wextra -fPIC -shared -o "$work/hold.so" tests/concurrency/hold.c -ldl 2>"$work/cc.err" ||
	setup_fail "cannot build the hold shim: $(head -n 3 "$work/cc.err")"

# --- helpers -----------------------------------------------------------------
# wait_for SECS CMD...: polls CMD every 0.2 s until it succeeds; 1 after SECS.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}
has_line() { [ -f "$1" ] && grep -q -- "$2" "$1"; }
running() { kill -0 "$1" 2>/dev/null; }
# hold_new DIR: DIR/go, the fifo a held process reads until released.
hold_new() {
	rm -rf "$1"
	mkdir -p "$1"
	mkfifo "$1/go"
	holds+=("$1")
}
# release DIR: the process held at DIR goes on.
release() {
	timeout 120 sh -c 'printf go > "$1/go"' _ "$1"
	: > "$1/released"
}
# start_held HOLDDIR LOG NAME CMD...: CMD in the background (stdin
# /dev/null, output in LOG), HPID its pid; NAME passes once it is held.
start_held() {
	local h=$1 log=$2 name=$3
	shift 3
	hold_new "$h"
	"$@" </dev/null >"$log" 2>&1 &
	HPID=$!
	pids+=("$HPID")
	if wait_for 120 test -e "$h/held"; then
		ok "$name"
	else
		not_ok "$name" "not held after 120 s: $(tr -d '\r' < "$log" | tail -n 3)"
	fi
}
# waitrc PID: waits for a child of this shell; RC is its exit status.
waitrc() {
	wait "$1"
	RC=$?
}
# tty_run LOG CMD...: CMD with a pseudo-terminal as its stdin, as from a
# shell: rpm waits for its transaction lock only then (rpmlockAcquire),
# and is refused at once otherwise.
tty_run() {
	local log=$1
	shift
	SHELL=/bin/sh script -qec "$(printf '%q ' "$@")" /dev/null </dev/null >"$log" 2>&1
}
# spread DIR N: the first, the last and N files spread between, of DIR.
spread() {
	find "$1" -type f | sort -V | awk -v n="$2" '{ f[NR] = $0 } END {
		if (NR == 0) exit; step = int(NR / n); if (step < 1) step = 1
		for (i = 1; i <= NR; i += step) print f[i]; if ((NR - 1) % step) print f[NR] }'
}
# oracle NAME FILE...: evmctl, the independent oracle, verifies each file's
# security.ima over its content and security.evm over its metadata.
oracle() {
	local name=$1 f bad= n=0
	shift
	for f in "$@"; do
		n=$((n + 1))
		evmctl ima_verify --key "$CERT" "$f" >/dev/null 2>&1 &&
			evmctl verify --key "$CERT" "$f" >/dev/null 2>&1 || bad="$bad $f"
	done
	if [ "$n" -eq 0 ]; then
		not_ok "$name" "no file to check"
	elif [ -z "$bad" ]; then
		ok "$name ($n files, evmctl)"
	else
		not_ok "$name" "evmctl refuses:$bad"
	fi
}
# oracle_spread NAME DIR N: oracle on spread DIR N.
oracle_spread() {
	local files
	mapfile -t files < <(spread "$2" "$3")
	oracle "$1" "${files[@]}"
}
# no_evm DIR: no file under DIR has a security.evm.
no_evm() { [ -z "$(getfattr -R -h --absolute-names -m security.evm "$1" 2>/dev/null)" ]; }
count_files() { find "$1" -type f 2>/dev/null | wc -l; }
V() { "$EVMPKG" verify --cert "$CERT" "$@"; }
A() { "$EVMPKG" apply --cert "$CERT" "$@"; }

# --- packages ----------------------------------------------------------------
# rpm_pkg NAME NFILES [hold]: $work/NAME.rpm, signed, NFILES files under
# /opt/NAME; with hold, a %pre (lua, so the empty root needs no shell) that
# creates /hold/held and reads the fifo /hold/go of the root to its end.
rpm_pkg() {
	local n=$1
	{
		printf 'Name: %s\nVersion: 1\nRelease: 1\nSummary: concurrency test\n' "$n"
		printf 'License: GPL-2.0-or-later\nBuildArch: noarch\n%%description\n%s\n' "$n"
		printf '%%install\nmkdir -p %%{buildroot}/opt/%s\n' "$n"
		printf 'for i in $(seq 1 %s); do echo "%s $i" > %%{buildroot}/opt/%s/f$i; done\n' \
			"$2" "$n" "$n"
		printf '%%files\n/opt/%s\n' "$n"
		[ -z "${3:-}" ] || printf '%s\n' '%pre -p <lua>' \
			'local f = io.open("/hold/held", "w") f:write("held\n") f:close()' \
			'local g = io.open("/hold/go", "r") g:read("a") g:close()'
	} > "$work/$n.spec"
	# No brp scripts: they take seconds per thousand files.
	rpmbuild --quiet --define "_topdir $work/top" --define '__os_install_post %{nil}' \
		--define '_build_id_links none' -bb "$work/$n.spec" >"$work/$n.build" 2>&1 &&
		"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" -o "$work/$n.rpm" \
			"$work/top/RPMS/noarch/$n-1-1.noarch.rpm" >"$work/$n.sign" 2>&1
}
# deb_pkg NAME NFILES [HOLDDIR [VERSION]]: $work/NAME.deb (version 1) or
# $work/NAME-VERSION.deb, signed, NFILES files under /opt/NAME; with
# HOLDDIR, a preinst that creates HOLDDIR/held and reads the fifo
# HOLDDIR/go to its end (HOLDDIR as the preinst sees it).
deb_pkg() {
	local n=$1 t=$work/tree-$1 v=${4:-1} out=$work/$1.deb i
	[ "$v" = 1 ] || out=$work/$n-$v.deb
	rm -rf "$t"
	mkdir -p "$t/DEBIAN" "$t/opt/$n"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: evmpkg <evmpkg@localhost>\nDescription: concurrency test\n' \
		"$n" "$v" > "$t/DEBIAN/control"
	for i in $(seq 1 "$2"); do echo "$n $i version $v" > "$t/opt/$n/f$i"; done
	if [ -n "${3:-}" ]; then
		printf '#!/bin/sh\n: > %s/held\ncat %s/go > /dev/null\n' "$3" "$3" > "$t/DEBIAN/preinst"
		chmod 0755 "$t/DEBIAN/preinst"
	fi
	dpkg-deb -Zxz -b "$t" "$work/$n.unsigned.deb" >/dev/null 2>&1 &&
		"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" -o "$out" \
			"$work/$n.unsigned.deb" >"$work/$n.sign" 2>&1
}
for n in conchold conc1 conc2 conc3 conc4 concmany; do
	case $n in
	conchold) nf=40 ;;
	concmany) nf=$NMANY ;;
	*) nf=100 ;;
	esac
	h=
	[ "$n" = conchold ] && h=hold
	rpm_pkg "$n" "$nf" $h || setup_fail "rpm package $n: $(tail -n 2 "$work/$n.build" "$work/$n.sign" 2>/dev/null)"
done
deb_pkg dhold 40 "$work/dh" || setup_fail "deb dhold"
deb_pkg dsecond 60 || setup_fail "deb dsecond"
deb_pkg dthird 30 || setup_fail "deb dthird"
deb_pkg dsecond 60 "" 2 || setup_fail "deb dsecond version 2"
deb_pkg concmany "$NMANY" || setup_fail "deb concmany"
deb_pkg ahold 20 /hold || setup_fail "deb ahold"
deb_pkg asecond 20 || setup_fail "deb asecond"
ok "packages built and signed ($((SECONDS - started)) s)"

# --- rpm with the plugin: held in %pre, three wait, one without a terminal ---
mkdir -p "$work/plugins"
ln -s "$PWD/$B/rpm-plugin/zz_evmpkg.so" "$work/plugins/zz_evmpkg.so"
ln -s "$SYSPLUGINS/ima.so" "$work/plugins/ima.so"
RPMP=(rpm --dbpath /var/lib/rpm --nodeps $RPM_FORCE_DEBIAN
	--load "$PWD/$B/rpm-plugin/macros.transaction_zz_evmpkg"
	--define "__plugindir $work/plugins" --define "_evmpkg_policy enforce"
	--define "_evmpkg_certs $CERT")
RPMN=(rpm --dbpath /var/lib/rpm --nodeps --noplugins $RPM_FORCE_DEBIAN)
rpm_root() {	# rpm_root DIR: an empty root with an rpm database and /hold
	rm -rf "$1"
	mkdir -p "$1/etc" "$1/hold"
	rpm --root "$1" --dbpath /var/lib/rpm --initdb
}
R=$work/rpmroot
rpm_root "$R"
start_held "$R/hold" "$work/rh.out" "rpm: the first rpm is held in its %pre, holding rpm's transaction lock" \
	tty_run "$work/rh.log" "${RPMP[@]}" --root "$R" -i "$work/conchold.rpm"
hpid=$HPID
wpids=()
for n in conc1 conc2 conc3; do
	tty_run "$work/$n.log" "${RPMP[@]}" --root "$R" -i "$work/$n.rpm" &
	wpids+=($!)
	pids+=($!)
done
for n in conc1 conc2 conc3; do
	if wait_for 120 has_line "$work/$n.log" "waiting for transaction lock"; then
		ok "rpm -i $n (on a terminal) waits for the transaction lock"
	else
		not_ok "rpm -i $n waits for the lock" "$(tr -d '\r' < "$work/$n.log" | tail -n 3)"
	fi
done
"${RPMP[@]}" --root "$R" -i "$work/conc4.rpm" </dev/null >"$work/conc4.log" 2>&1
rc=$?
expect "rpm -i conc4 (no terminal) is refused while the lock is held: exit $rc" test "$rc" -ne 0
expect "... with rpm's message" grep -q "can't create transaction lock" "$work/conc4.log"
same "while held: nothing of the waiting or refused packages on disk" \
	"$(ls "$R/opt" 2>/dev/null | tr '\n' ' ')" ""
same "while held: the waiting rpms still wait" \
	"$(for p in "${wpids[@]}"; do running "$p" && echo -n w; done)" www
release "$R/hold"
waitrc "$hpid"
same "released: the held rpm completes" "$RC" 0
i=0
for n in conc1 conc2 conc3; do
	waitrc "${wpids[$i]}"
	same "released: rpm -i $n completes" "$RC" 0
	i=$((i + 1))
done
expect "rpm -i conc4 again, now the lock is free" "${RPMP[@]}" --root "$R" -i "$work/conc4.rpm"
expect "all five in rpm's database" rpm --root "$R" --dbpath /var/lib/rpm -q conchold conc1 conc2 conc3 conc4
same "every file of the five on disk" "$(count_files "$R/opt")" $((40 + 4 * 100))
for n in conchold conc1 conc2 conc3 conc4; do oracle_spread "rpm: $n verifies" "$R/opt/$n" 12; done
expect "rpm: evmpkg verify --root: every file as signed" V --root "$R"

# Four at once, left free: on terminals they queue on the lock, all install.
R=$work/rpmroot4
rpm_root "$R"
fpids=()
for n in conc1 conc2 conc3 conc4; do
	tty_run "$work/$n.free.log" "${RPMP[@]}" --root "$R" -i "$work/$n.rpm" &
	fpids+=($!)
	pids+=($!)
done
i=0
for n in conc1 conc2 conc3 conc4; do
	waitrc "${fpids[$i]}"
	same "four rpm -i at once: $n completes" "$RC" 0
	i=$((i + 1))
done
ok "four rpm -i at once: $(cat "$work"/conc?.free.log | grep -c 'waiting for transaction lock') of them waited for the lock"
expect "four at once: all in rpm's database" rpm --root "$R" --dbpath /var/lib/rpm -q conc1 conc2 conc3 conc4
same "four at once: every file on disk" "$(count_files "$R/opt")" $((4 * 100))
for n in conc1 conc4; do oracle_spread "four at once: $n verifies" "$R/opt/$n" 12; done
expect "four at once: evmpkg verify --root" V --root "$R"

# --- dpkg with the hooks: a second dpkg while the first is in its preinst ---
printf 'policy = enforce\ncerts = %s\n' "$CERT" > "$work/dpkg.conf"
dpkg_root() {	# dpkg_root DIR: an empty dpkg root
	rm -rf "$1"
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates"
	touch "$1/var/lib/dpkg/status"
}
dp() {	# dp ROOT dpkg-args...: dpkg with evmpkg's hooks
	local r=$1
	shift
	dpkg --root="$r" --admindir="$r/var/lib/dpkg" --force-script-chrootless --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK pre-invoke" \
		--post-invoke="EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK post-unpack" "$@"
}
D=$work/dpkgroot
dpkg_root "$D"
# A package unpacked (its signatures applied) and not configured yet: the
# pass of the pre-invoke hook before --configure works on it.
expect "dpkg: a package unpacked beforehand" dp "$D" --unpack "$work/dthird.deb"
xattrs_of() { getfattr -R -h --absolute-names -d -m security -e hex "$1" 2>/dev/null | sha256sum; }
third=$(xattrs_of "$D/opt/dthird")
start_held "$work/dh" "$work/dh.log" "dpkg: the first dpkg --unpack is held in its preinst" \
	dp "$D" --unpack "$work/dhold.deb"
hpid=$HPID
dp "$D" --unpack "$work/dsecond.deb" </dev/null >"$work/ds.log" 2>&1
same "dpkg: a second dpkg --unpack meanwhile: refused (exit 2)" "$?" 2
expect "... by dpkg's lock, in dpkg's words" grep -q "dpkg frontend lock was locked by another process" "$work/ds.log"
dp "$D" --configure -a </dev/null >"$work/dc.log" 2>&1
same "dpkg: dpkg --configure -a meanwhile (its pre-invoke hook runs first): refused (exit 2)" "$?" 2
expect "... by dpkg's lock" grep -q "lock was locked by another process" "$work/dc.log"
same "while held: nothing of the second package on disk" "$(ls "$D/opt" 2>/dev/null | tr '\n' ' ')" "dthird "
same "while held: the unpacked package's values unchanged by that hook pass" "$(xattrs_of "$D/opt/dthird")" "$third"
oracle_spread "while held: the unpacked package verifies" "$D/opt/dthird" 30
release "$work/dh"
waitrc "$hpid"
same "released: the held dpkg --unpack completes" "$RC" 0
expect "then dpkg --configure -a" dp "$D" --configure -a
same "the second package is not installed" "$(dpkg --admindir="$D/var/lib/dpkg" -s dsecond 2>/dev/null | grep -c '^Status: install ok')" 0
same "every file of the first on disk" "$(count_files "$D/opt/dhold")" 40
expect "both configured" sh -c "dpkg --admindir='$D/var/lib/dpkg' -s dhold dthird | grep -c '^Status: install ok installed' | grep -qx 2"
oracle_spread "dpkg: every file of the first verifies" "$D/opt/dhold" 40
second() { dp "$D" --unpack "$work/dsecond.deb" && dp "$D" --configure -a; }
expect "dpkg: the second package afterwards" second
oracle_spread "dpkg: the second package verifies" "$D/opt/dsecond" 12
expect "dpkg: evmpkg verify --root" V --root "$D"

# dpkg lets its lock go before its post-invoke hooks run: the hook of one
# dpkg is held mid-way (before its 20th security.evm) while another dpkg
# configures, or upgrades, the same package with its own hooks.
two_hooks() {	# two_hooks NAME DPKG-ARGS...: the second dpkg run
	local name=$1 D2=$work/dpkg2 h=$work/hh hpid
	shift
	dpkg_root "$D2"
	start_held "$h" "$work/hh.log" "$name: the first dpkg's post-unpack hook is held mid-way" \
		dpkg --root="$D2" --admindir="$D2/var/lib/dpkg" --force-script-chrootless --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK pre-invoke" \
		--post-invoke="LD_PRELOAD=$work/hold.so HOLD_DIR=$h HOLD_NTH=20 EVMPKG_DPKG_CONF=$work/dpkg.conf $HOOK post-unpack" \
		--unpack "$work/dsecond.deb"
	hpid=$HPID
	dp "$D2" "$@" </dev/null >"$work/hh2.log" 2>&1
	same "$name: the second dpkg runs meanwhile (dpkg's lock is free)" "$?" 0
	release "$h"
	waitrc "$hpid"
	HOOKRC=$RC
	expect "$name: no security.evm that does not verify" no_bad_evm "$D2"
	oracle_spread "$name: every file verifies" "$D2/opt/dsecond" 60
	expect "$name: evmpkg verify --root" V --root "$D2"
}
no_bad_evm() {	# no_bad_evm DIR: every security.evm under DIR verifies (evmctl)
	local f
	while IFS= read -r f; do
		evmctl verify --key "$CERT" "$f" >/dev/null 2>&1 || { echo "$f"; return 1; }
	done < <(getfattr -R -h --absolute-names -m security.evm "$1" 2>/dev/null | sed -n 's/^# file: //p')
}
two_hooks "two hooks, configure" --configure -a
same "two hooks, configure: the held hook completes" "$HOOKRC" 0
two_hooks "two hooks, upgrade" --unpack "$work/dsecond-2.deb"
ok "two hooks, upgrade: the held hook of version 1 exits $HOOKRC (files replaced under it are refused, never written)"
expect "two hooks, upgrade: version 2 in place" grep -qx 'dsecond 1 version 2' "$work/dpkg2/opt/dsecond/f1"

# --- apply against apply on one root ------------------------------------------
# Roots installed without hooks or plugin, NMANY files; a pristine copy
# each round, so every round writes every value.
P0=$work/dpkg-pristine
dpkg_root "$P0"
dpkg --root="$P0" --force-script-chrootless --log=/dev/null -i "$work/concmany.deb" >"$work/p0.log" 2>&1
same "dpkg --root (no hooks) installs $NMANY files" "$(count_files "$P0/opt/concmany")" "$NMANY"
Q0=$work/rpm-pristine
rpm_root "$Q0"
"${RPMN[@]}" --root "$Q0" -i "$work/concmany.rpm" >"$work/q0.log" 2>&1
same "rpm --root --noplugins installs $NMANY files" "$(count_files "$Q0/opt/concmany")" "$NMANY"
expect "no security.evm in either before apply" sh -c "[ -z \"\$(getfattr -R -h -m security.evm '$P0' '$Q0' 2>/dev/null)\" ]"

fresh() { rm -rf "$2" && cp -a "$1" "$2"; }	# fresh PRISTINE ROOT

# The first apply held before its 100th security.evm write, lock held.
held_apply() {	# held_apply KIND PRISTINE LOCKWORDS
	local kind=$1 X=$work/$1-held h=$work/ah-$1 apid rc
	fresh "$2" "$X"
	start_held "$h" "$work/$kind.a1.log" "$kind: the first apply is held mid-way (before its 100th security.evm)" \
		env LD_PRELOAD="$work/hold.so" HOLD_DIR="$h" HOLD_NTH=100 \
		"$EVMPKG" apply --cert "$CERT" --root "$X" --all
	apid=$HPID
	A --root "$X" --all </dev/null >"$work/$kind.a2.log" 2>&1
	rc=$?
	same "$kind: a second apply meanwhile is refused (exit 2)" "$rc" 2
	expect "... by the lock: $(head -n 1 "$work/$kind.a2.log")" grep -q "$3" "$work/$kind.a2.log"
	release "$h"
	waitrc "$apid"
	same "$kind: released, the first apply completes" "$RC" 0
	expect "$kind: evmpkg verify --root after both" V --root "$X"
	oracle_spread "$kind: files verify after both" "$X/opt/concmany" 40
}
held_apply dpkg "$P0" "dpkg frontend lock was locked by another process"
held_apply rpm "$Q0" "cannot take rpm's transaction lock"

# Rounds left free: both at once; one refused by the lock or both in turn.
free_rounds() {	# free_rounds KIND PRISTINE LOCKWORDS
	local kind=$1 X=$work/$1-free r p1 p2 rc1 rc2 outcomes= bad=0
	for r in $(seq 1 "$ROUNDS"); do
		fresh "$2" "$X"
		A --root "$X" --all </dev/null >"$work/$kind.f1.log" 2>&1 &
		p1=$!
		A --root "$X" --all </dev/null >"$work/$kind.f2.log" 2>&1 &
		p2=$!
		pids+=("$p1" "$p2")
		waitrc "$p1"
		rc1=$RC
		waitrc "$p2"
		rc2=$RC
		outcomes="$outcomes $rc1/$rc2"
		case "$rc1/$rc2" in
		0/0) ;;
		0/2) grep -q "$3" "$work/$kind.f2.log" || { bad=1; echo "round $r: refusal without the lock: $(head -n 2 "$work/$kind.f2.log")"; } ;;
		2/0) grep -q "$3" "$work/$kind.f1.log" || { bad=1; echo "round $r: refusal without the lock: $(head -n 2 "$work/$kind.f1.log")"; } ;;
		*) bad=1; echo "round $r: exits $rc1 and $rc2: $(tail -n 2 "$work/$kind.f1.log" "$work/$kind.f2.log")" ;;
		esac
		V --root "$X" >"$work/$kind.fv.log" 2>&1 || { bad=1; echo "round $r: verify: $(head -n 3 "$work/$kind.fv.log")"; }
		oracle_spread "$kind: round $r ($rc1/$rc2), files verify" "$X/opt/concmany" 4
	done
	same "$kind: $ROUNDS rounds of two applies at once, each applied or refused by the lock, every file verifying (exits:$outcomes)" "$bad" 0
}
free_rounds dpkg "$P0" "dpkg frontend lock was locked by another process"
free_rounds rpm "$Q0" "cannot take rpm's transaction lock"
# On terminals rpm's lock is waited for: two applies at once both complete.
X=$work/rpm-free
fresh "$Q0" "$X"
tty_run "$work/t1.log" "$EVMPKG" apply --cert "$CERT" --root "$X" --all &
p1=$!
tty_run "$work/t2.log" "$EVMPKG" apply --cert "$CERT" --root "$X" --all &
p2=$!
pids+=("$p1" "$p2")
waitrc "$p1"
same "rpm: two applies at once on terminals: the first completes" "$RC" 0
waitrc "$p2"
same "rpm: ... and the second ($(cat "$work/t1.log" "$work/t2.log" | grep -c 'waiting for transaction lock') waited for the lock)" "$RC" 0
expect "rpm: ... evmpkg verify --root after both" V --root "$X"
oracle_spread "rpm: ... files verify after both" "$X/opt/concmany" 20

# --- apply while a package manager is held mid-run -----------------------------
# apply_refused NAME ROOT LOCKWORDS: evmpkg apply without a terminal is
# refused by the lock: exit 2, the lock named, nothing written.
apply_refused() {
	A --root "$2" --all </dev/null >"$work/refused.log" 2>&1
	same "$1: refused (exit 2)" "$?" 2
	expect "$1: the lock named: $(head -n 1 "$work/refused.log")" grep -q "$3" "$work/refused.log"
	expect "$1: nothing written" no_evm "$2"
}
X=$work/dpkg-during
fresh "$P0" "$X"
start_held "$work/dh" "$work/xd.log" "dpkg --unpack (no hooks) held in its preinst" \
	dpkg --root="$X" --force-script-chrootless --log=/dev/null --unpack "$work/dhold.deb"
apply_refused "apply during a dpkg run" "$X" "dpkg frontend lock was locked by another process"
release "$work/dh"
waitrc "$HPID"
same "released: dpkg completes" "$RC" 0
expect "then apply completes" A --root "$X" --all
oracle_spread "after the dpkg run: the installed package verifies" "$X/opt/concmany" 20
oracle_spread "after the dpkg run: the package it unpacked verifies" "$X/opt/dhold" 10
expect "after the dpkg run: evmpkg verify --root" V --root "$X"

X=$work/rpm-during
fresh "$Q0" "$X"
start_held "$X/hold" "$work/xr.log" "rpm -i (no plugin) held in its %pre" \
	"${RPMN[@]}" --root "$X" -i "$work/conchold.rpm"
hpid=$HPID
apply_refused "apply during an rpm run (no terminal)" "$X" "cannot take rpm's transaction lock"
tty_run "$work/xrw.log" "$EVMPKG" apply --cert "$CERT" --root "$X" --all &
wpid=$!
pids+=("$wpid")
expect "apply on a terminal waits for rpm's lock" wait_for 120 has_line "$work/xrw.log" "waiting for transaction lock"
expect "... having written nothing" no_evm "$X"
release "$X/hold"
waitrc "$hpid"
same "released: rpm completes" "$RC" 0
waitrc "$wpid"
same "released: the waiting apply completes" "$RC" 0
oracle_spread "after the rpm run: the installed package verifies" "$X/opt/concmany" 20
oracle_spread "after the rpm run: the package rpm installed, applied too" "$X/opt/conchold" 10
expect "after the rpm run: evmpkg verify --root" V --root "$X"

# --- apt in a Debian 12 chroot: a second apt-get while the first is held ----
aptroot_base >/dev/null 2>"$work/base.err" || setup_fail "no Debian base: $(tr '\n' ' ' < "$work/base.err")"
T=$work/aptroot
{ aptroot_new "$T" && aptroot_hooks "$T" "policy = enforce" "certs = /etc/evmpkg/cert.der" &&
	aptroot_repo "$T" "$work/ahold.deb" "$work/asecond.deb"; } 2>"$work/apt.setup" ||
	setup_fail "apt root: $(tr '\n' ' ' < "$work/apt.setup")"
start_held "$T/hold" "$work/apt1.log" "apt: the first apt-get install is held in the preinst" \
	aptroot_apt "$T" install ahold
hpid=$HPID
aptroot_apt "$T" install asecond </dev/null >"$work/apt2.log" 2>&1
same "apt: a second apt-get install meanwhile: refused (exit 100)" "$?" 100
expect "... by apt's lock" grep -q "Could not get lock /var/lib/dpkg/lock-frontend" "$work/apt2.log"
expect "... nothing of it on disk" test ! -e "$T/opt/asecond"
release "$T/hold"
waitrc "$hpid"
same "apt: released, the first completes" "$RC" 0
expect "apt: then the second installs" aptroot_apt "$T" install asecond
oracle_spread "apt: the first package verifies" "$T/opt/ahold" 20
oracle_spread "apt: the second package verifies" "$T/opt/asecond" 20
expect "apt: dpkg --audit is clean" sh -c "[ -z \"\$(chroot '$T' dpkg --audit 2>&1)\" ]"

ok "wall time $((SECONDS - started)) s"
finish
