#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# evmpkg's hooks under real apt: a minimal Debian 12 chroot (tests/aptroot.sh,
# made once with mmdebstrap and cached) with the hooks installed by `make
# install`, signed .debs published in a local file: repository, and
# `chroot ROOT apt-get` installing, upgrading, reinstalling, removing and
# purging them. Every installed file is checked with getfattr and evmctl
# (the independent oracle); enforce-mode refusals through apt; a
# statoverride and a diversion made before the install; and one apt run of
# many packages in which a later package's preinst executes a file of an
# earlier one, with apt driving dpkg itself (the file is not signed yet
# then) and through evmpkg-dpkg, which splits the unpack (it is).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/debdemo.sh
. tests/debcheck.sh
. tests/aptroot.sh
T_NAME=apt
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"

work=$(mktemp -d /var/tmp/evmpkg-apt.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
setup_fail() { not_ok setup "$1"; finish; exit 1; }
[ "$(id -u)" = 0 ] || setup_fail "needs root (chroot, security.* xattrs, chown)"
for t in mmdebstrap apt-ftparchive dpkg-deb evmctl getfattr setfattr jq chroot; do
	command -v "$t" >/dev/null || setup_fail "needs $t (make deps)"
done
[ -x "$EVMPKG" ] && [ -x "$B/dpkg-hook/evmpkg-dpkg-hook" ] || setup_fail "build first (make B=$B)"
tests/keys.sh "$keys" >/dev/null 2>&1 || setup_fail "tests/keys.sh failed"
CERT=$keys/rsa2048.der
APTROOT_CERT=$CERT
debcheck_accounts
aptroot_base >/dev/null 2>"$work/base.err" || setup_fail "no Debian base: $(tr '\n' ' ' < "$work/base.err")"
ok "Debian $APTROOT_SUITE base ($(basename "$(aptroot_base)"))"

# newroot NAME: R is a fresh chroot with the hooks in enforce mode trusting CERT.
newroot() {
	local r=$work/$1
	R=$r
	aptroot_new "$r" 2>"$work/$1.setup" &&
		aptroot_hooks "$r" "policy = enforce" "certs = /etc/evmpkg/cert.der" "sign-config = 1" \
			2>>"$work/$1.setup" ||
		setup_fail "root $1: $(tr '\n' ' ' < "$work/$1.setup")"
	: > "$r/var/log/dpkg.log"	# this test's dpkg runs only
}
publish() {	# publish ROOT DEB...
	aptroot_repo "$@" 2>"$work/publish.err" || setup_fail "repository: $(tr '\n' ' ' < "$work/publish.err")"
}
apt() {	# apt OUT ROOT ARGS...: apt-get in the chroot, output in $work/OUT.out
	local out=$work/$1.out r=$2
	shift 2
	aptroot_apt "$r" "$@" >"$out" 2>&1
}
status() { aptroot_run "$1" dpkg-query -W -f='${Status} ${Version}' "$2" 2>/dev/null; }
audit() { aptroot_run "$1" dpkg --audit 2>&1; }
inspect() { "$EVMPKG" inspect --json --cert "$CERT" "$1" > "$2" 2>/dev/null; }
debs=$work/debs
mkdir -p "$debs"
build() {	# build TREE NAME_VERSION: unsigned $debs/NAME_VERSION.unsigned
	dpkg-deb -Zxz --build "$1" "$debs/$2.unsigned" >/dev/null 2>&1 || setup_fail "dpkg-deb $2"
}
# signed NAME_VERSION [sign options]: $debs/NAME_VERSION_all.deb and its .json
signed() {
	local n=$1
	shift
	sign "$debs/$n.unsigned" "$debs/${n}_all.deb" "$@" || setup_fail "evmpkg sign $n"
	inspect "$debs/${n}_all.deb" "$debs/$n.json"
}

# --- the packages ----------------------------------------------------------
# evmdemo: executables, setuid, hardlinks, a conffile, a symlink, a fixed-id
# owner with no name, a name with a space and non-ASCII characters. Its
# postinst records what it sees of a signed file.
P=$work/evmdemo
debdemo_tree "$P"
echo spaced > "$P/opt/demo/data/with space é ü.txt"
printf '#!/bin/sh\n[ "$1" = configure ] || exit 0\ngetfattr --absolute-names -d -m security.evm /usr/bin/demo > /var/log/evmdemo-postinst-saw 2>&1\n' > "$P/DEBIAN/postinst"
chmod 0755 "$P/DEBIAN/postinst"
build "$P" evmdemo_1.0-1
signed evmdemo_1.0-1 --sign-config
sed -i 's/^Version: 1.0-1/Version: 2.0-1/' "$P/DEBIAN/control"
printf '#!/bin/sh\necho demo 2\n' > "$P/usr/bin/demo"
echo "setting=2" > "$P/etc/demo/demo.conf"
build "$P" evmdemo_2.0-1
signed evmdemo_2.0-1 --sign-config

# Refused ones: a flipped byte in the manifest; signed by a key nobody
# trusts; signed for a target whose daemon has another uid than Debian's.
dpkg-deb -R "$debs/evmdemo_1.0-1_all.deb" "$work/bad"
flip_byte "$work/bad/DEBIAN/evmsig" $(($(stat -c %s "$work/bad/DEBIAN/evmsig") - 1))
mkdir -p "$debs/tampered" "$debs/other"
dpkg-deb -b "$work/bad" "$debs/tampered/evmdemo_1.0-1_all.deb" >/dev/null 2>&1 || setup_fail "dpkg-deb tampered"
SIGN_KEY=$keys/other.pem SIGN_CERT=$keys/other.der \
	sign "$debs/evmdemo_1.0-1.unsigned" "$debs/other/evmdemo_1.0-1_all.deb" --sign-config ||
	setup_fail "evmpkg sign with the other key"
O=$work/evmowner
aptroot_small_tree "$O" evmowner 1.0 1
chown daemon:daemon "$O/usr/share/evmowner/data"
build "$O" evmowner_1.0
printf 'root:x:0:0::/:/bin/sh\ndaemon:x:4242:4242::/:/bin/sh\n' > "$work/passwd-4242"
SIGN_PASSWD=$work/passwd-4242 signed evmowner_1.0

# The run of many packages: evmuser depends on evmtool (plain Depends, so
# apt unpacks both in one dpkg run when it drives dpkg itself), and its
# preinst executes /usr/bin/evmtool and records whether the file was
# signed and verified then; with /etc/evmuser-strict it fails unless it was.
T=$work/evmtool
aptroot_small_tree "$T" evmtool 1.0 2
mkdir -p "$T/usr/bin"
printf '#!/bin/sh\necho evmtool ran\n' > "$T/usr/bin/evmtool"
chmod 0755 "$T/usr/bin/evmtool"
build "$T" evmtool_1.0
signed evmtool_1.0
U=$work/evmuser
aptroot_small_tree "$U" evmuser 1.0 2
echo "Depends: evmtool" >> "$U/DEBIAN/control"
cat > "$U/DEBIAN/preinst" <<'EOF'
#!/bin/sh
# What this preinst sees of /usr/bin/evmtool, unpacked earlier in this run.
f=/usr/bin/evmtool
saw=absent
ran=
if [ -e $f ]; then
	if getfattr -n security.evm $f >/dev/null 2>&1 &&
		evmctl ima_verify --key /etc/evmpkg/cert.der $f >/dev/null 2>&1 &&
		evmctl verify --key /etc/evmpkg/cert.der $f >/dev/null 2>&1; then
		saw=signed
	else
		saw=unsigned
	fi
	ran=$($f)
fi
echo "$1 $saw $ran" >> /var/log/evmuser-preinst
[ "$saw" = signed ] || [ ! -e /etc/evmuser-strict ]
EOF
chmod 0755 "$U/DEBIAN/preinst"
build "$U" evmuser_1.0
signed evmuser_1.0
many=(evmtool_1.0 evmuser_1.0)
for i in $(seq -w 1 10); do
	aptroot_small_tree "$work/evmsmall$i" "evmsmall$i" 1.0 3
	build "$work/evmsmall$i" "evmsmall${i}_1.0"
	signed "evmsmall${i}_1.0"
	many+=("evmsmall${i}_1.0")
done
ok "packages built and signed"

# check_all ROOT PKG JSON LABEL: check_signed, and every regular file dpkg
# lists for PKG that is not a conffile has security.evm (none left out).
check_all() {
	local r=$1 p=$2 json=$3 label=$4 f n=0 without=
	check_signed "$r" "$json" "$label"
	while IFS= read -r f; do
		[ -f "$r$f" ] && [ ! -L "$r$f" ] || continue
		grep -qxF "$f" "$r/var/lib/dpkg/info/$p.conffiles" 2>/dev/null && continue
		n=$((n + 1))
		[ -n "$(xattr security.evm "$r$f")" ] || without="$without $f"
	done < <(aptroot_run "$r" dpkg-query -L "$p" 2>/dev/null)
	same "$label: every regular file of $p has security.evm" "$without" ""
	same "$label: $p: files checked with evmctl = its regular files" "$CHECKED" "$n"
}

# --- install, upgrade, reinstall, remove, purge ----------------------------
newroot main
publish "$R" "$debs/evmdemo_1.0-1_all.deb" "$debs/evmdemo_2.0-1_all.deb"
apt install "$R" install evmdemo=1.0-1
same "apt-get install: exit status" "$?" 0
same "install: evmdemo installed" "$(status "$R" evmdemo)" "install ok installed 1.0-1"
check_all "$R" evmdemo "$debs/evmdemo_1.0-1.json" install
same "install: the name with a space and non-ASCII characters is signed" \
	"$(xattr security.evm "$R/opt/demo/data/with space é ü.txt")" \
	"$(jq -r 'select(.path == "/opt/demo/data/with space é ü.txt") | .evm_value' "$debs/evmdemo_1.0-1.json")"
same "install: owner by number kept" "$(stat -c %u:%g:%a "$R/opt/demo/data/owned")" "1234:1234:640"
same "install: setuid mode kept" "$(stat -c %u:%g:%a "$R/usr/bin/demo-suid")" "0:0:4755"
same "install: hardlinks share the inode" "$(stat -c %i "$R/usr/bin/demo")" "$(stat -c %i "$R/usr/bin/demo-link")"
expect "install: conffile: evmctl ima_verify" evmctl ima_verify --key "$CERT" "$R/etc/demo/demo.conf"
same "install: conffile: no security.evm" "$(xattr security.evm "$R/etc/demo/demo.conf")" ""
same "install: symlink untouched" "$(getfattr -h -d -m 'security\.(ima|evm)' "$R/usr/sbin/demo-symlink" 2>/dev/null)" ""
expect "install: the postinst saw security.evm on its files" grep -q '^security.evm=' "$R/var/log/evmdemo-postinst-saw"
same "install: dpkg --audit: nothing to report" "$(audit "$R")" ""

ino=$(stat -c %i "$R/usr/bin/demo")
apt upgrade "$R" upgrade
same "apt-get upgrade: exit status" "$?" 0
same "upgrade: version 2 installed" "$(status "$R" evmdemo)" "install ok installed 2.0-1"
same "upgrade: the new file is in place" "$(aptroot_run "$R" /usr/bin/demo)" "demo 2"
check_all "$R" evmdemo "$debs/evmdemo_2.0-1.json" upgrade
expect "upgrade: the new conffile: evmctl ima_verify" evmctl ima_verify --key "$CERT" "$R/etc/demo/demo.conf"
expect "upgrade: the new conffile is in place" grep -qx "setting=2" "$R/etc/demo/demo.conf"
same "upgrade: dpkg --audit: nothing to report" "$(audit "$R")" ""

ino=$(stat -c %i "$R/usr/bin/demo")
apt reinstall "$R" install --reinstall evmdemo
same "apt-get install --reinstall: exit status" "$?" 0
expect "reinstall: dpkg wrote the files again (new inode)" test "$(stat -c %i "$R/usr/bin/demo")" != "$ino"
check_all "$R" evmdemo "$debs/evmdemo_2.0-1.json" reinstall
same "reinstall: dpkg --audit: nothing to report" "$(audit "$R")" ""

apt remove "$R" remove evmdemo
same "apt-get remove: exit status" "$?" 0
same "remove: only the configuration is left" "$(status "$R" evmdemo)" "deinstall ok config-files 2.0-1"
same "remove: the package's files are gone" \
	"$(ls -d "$R/usr/bin/demo" "$R/usr/bin/demo-suid" "$R/usr/sbin/demo-ping" "$R/opt/demo" 2>/dev/null)" ""
expect "remove: the conffile stays" test -f "$R/etc/demo/demo.conf"
same "remove: dpkg --audit: nothing to report" "$(audit "$R")" ""
apt purge "$R" purge evmdemo
same "apt-get purge: exit status" "$?" 0
same "purge: dpkg knows nothing of it" "$(status "$R" evmdemo)" ""
same "purge: the conffile is gone" "$(ls -d "$R/etc/demo" 2>/dev/null)" ""
same "purge: dpkg --audit: nothing to report" "$(audit "$R")" ""

# --- a statoverride and a diversion made before apt installs ---------------
newroot override
publish "$R" "$debs/evmdemo_1.0-1_all.deb"
aptroot_run "$R" dpkg-statoverride --add root root 0755 /usr/bin/demo-suid
aptroot_run "$R" dpkg-divert --local --rename --divert /usr/sbin/demo-ping.distrib --add /usr/sbin/demo-ping >/dev/null
apt override "$R" install evmdemo
same "statoverride and diversion: apt-get install: exit status" "$?" 0
same "statoverride: dpkg applied it" "$(stat -c %u:%g:%a "$R/usr/bin/demo-suid")" "0:0:755"
expect "statoverride: evmctl ima_verify" evmctl ima_verify --key "$CERT" "$R/usr/bin/demo-suid"
same "statoverride: no security.evm" "$(xattr security.evm "$R/usr/bin/demo-suid")" ""
same "statoverride: said once" "$(grep -c 'demo-suid: has a dpkg-statoverride' "$work/override.out")" 1
same "diversion: nothing at the packaged name" "$(ls "$R/usr/sbin/demo-ping" 2>/dev/null)" ""
same "diversion: security.evm as signed on the diverted name" \
	"$(xattr security.evm "$R/usr/sbin/demo-ping.distrib")" \
	"$(jq -r 'select(.path == "/usr/sbin/demo-ping") | .evm_value' "$debs/evmdemo_1.0-1.json")"
expect "diversion: evmctl verify on the diverted name" evmctl verify --key "$CERT" "$R/usr/sbin/demo-ping.distrib"
expect "diversion: evmctl ima_verify on the diverted name" evmctl ima_verify --key "$CERT" "$R/usr/sbin/demo-ping.distrib"
expect "statoverride and diversion: the other files verify" evmctl verify --key "$CERT" "$R/usr/bin/demo"
same "statoverride and diversion: dpkg --audit: nothing to report" "$(audit "$R")" ""

# --- refusals in enforce mode ----------------------------------------------
newroot refuse
# refused LABEL PKG DEB: apt-get install fails naming PKG; none of it left.
refused() {
	local label=$1 p=$2
	publish "$R" "$3"
	apt "refuse-$p" "$R" install "$p"
	expect "$label: apt-get install fails" test $? -ne 0
	expect "$label: the refusal names the package" grep -q "^evmpkg: $p[_:]" "$work/refuse-$p.out"
	same "$label: $p is not installed" "$(status "$R" "$p")" ""
	same "$label: dpkg --audit: nothing to report" "$(audit "$R")" ""
}
refused "tampered manifest" evmdemo "$debs/tampered/evmdemo_1.0-1_all.deb"
same "tampered manifest: nothing of the package on disk" "$(ls -d "$R/usr/bin/demo" "$R/etc/demo" "$R/opt/demo" 2>/dev/null)" ""
refused "untrusted key" evmdemo "$debs/other/evmdemo_1.0-1_all.deb"
same "untrusted key: nothing of the package on disk" "$(ls -d "$R/usr/bin/demo" "$R/etc/demo" "$R/opt/demo" 2>/dev/null)" ""
expect "untrusted key: apt stopped before dpkg ran" grep -q "Failure running script.*evmpkg-dpkg-hook apt-verify" "$work/refuse-evmdemo.out"
expect "refusals before dpkg: no security.evm that does not verify" no_bad_evm "$R"
# The package verifies on its own, but dpkg would give daemon this
# system's uid: apt's check resolves the owner names as dpkg will and
# refuses it before dpkg runs.
publish "$R" "$debs/evmowner_1.0_all.deb"
apt refuse-evmowner "$R" install evmowner
expect "mismatched owner: apt-get install fails" test $? -ne 0
expect "mismatched owner: the refusal names the package, the file and why" \
	grep -q "^evmpkg: evmowner_1.0_all: /usr/share/evmowner/data: owner 1:1 on this system, 4242:1 signed" "$work/refuse-evmowner.out"
expect "mismatched owner: apt stopped before dpkg ran" grep -q "Failure running script.*evmpkg-dpkg-hook apt-verify" "$work/refuse-evmowner.out"
same "mismatched owner: not installed" "$(status "$R" evmowner)" ""
same "mismatched owner: nothing of the package on disk" "$(ls -d "$R/usr/share/evmowner" 2>/dev/null)" ""
same "mismatched owner: dpkg --audit: nothing to report" "$(audit "$R")" ""
# dpkg --unpack on its own (no apt): the post-unpack hook refuses it after
# dpkg unpacked it; it stays unpacked, never configured, with no
# security.evm, until it is removed (docs/dpkg.md).
cp "$debs/evmowner_1.0_all.deb" "$R/tmp/evmowner.deb"
aptroot_run "$R" dpkg --unpack /tmp/evmowner.deb >"$work/unpack-evmowner.out" 2>&1
expect "mismatched owner, dpkg --unpack: fails" test $? -ne 0
expect "... the post-unpack hook names the file and why" \
	grep -q "^evmpkg: evmowner: /usr/share/evmowner/data: owner 1:1 on disk, 4242:1 signed" "$work/unpack-evmowner.out"
same "... left unpacked, never configured" "$(status "$R" evmowner)" "install ok unpacked 1.0"
same "... dpkg --audit lists it" "$(audit "$R" | grep -c '^ evmowner ')" 1
same "... the file has no security.evm" "$(xattr security.evm "$R/usr/share/evmowner/data")" ""
expect "... no security.evm that does not verify" no_bad_evm "$R"
apt refuse-evmowner-rm "$R" remove evmowner
same "... apt-get remove gets rid of it" "$?" 0
same "... then nothing of the package on disk" \
	"$(ls -d "$R/usr/share/evmowner" "$R/usr/lib/evmowner" 2>/dev/null)" ""
same "... then dpkg --audit: nothing to report" "$(audit "$R")" ""
rm -f "$R/tmp/evmowner.deb"

# --- many packages in one apt run ------------------------------------------
manydebs=()
for n in "${many[@]}"; do manydebs+=("$debs/${n}_all.deb"); done
manypkgs=(evmuser)
for i in $(seq -w 1 10); do manypkgs+=("evmsmall$i"); done
# unpack_runs ROOT: for each package, the number of the dpkg --unpack run
# (dpkg.log "startup archives unpack") that unpacked it.
unpack_runs() {
	awk '$3 == "startup" && $5 == "unpack" { run++ }
	     $3 == "install" || $3 == "upgrade" { sub(/:.*/, "", $4); print $4, run }' "$1/var/log/dpkg.log"
}
run_of() { unpack_runs "$1" | awk -v p="$2" '$1 == p { print $2 }'; }
many_checked() {	# many_checked ROOT LABEL
	local n
	for n in "${many[@]}"; do
		check_all "$1" "${n%_*}" "$debs/$n.json" "$2"
	done
	same "$2: dpkg --audit: nothing to report" "$(audit "$1")" ""
}

# (a) apt drives dpkg itself (80evmpkg's Dir::Bin::dpkg overridden):
# evmtool and evmuser are unpacked by one
# dpkg --unpack, and its post-invoke signs them only after both; evmuser's
# preinst has executed evmtool while it was still unsigned. This asserts
# the window docs/dpkg.md describes.
newroot batch
publish "$R" "${manydebs[@]}"
apt batch "$R" -o Dir::Bin::dpkg=/usr/bin/dpkg install "${manypkgs[@]}"
same "one run, dpkg: apt-get install of 12 packages: exit status" "$?" 0
a=$(run_of "$R" evmtool) b=$(run_of "$R" evmuser)
expect "one run, dpkg: evmtool and evmuser unpacked by the same dpkg run ($a, $b)" \
	test -n "$a" -a "$a" = "$b"
same "one run, dpkg: evmuser's preinst ran evmtool while it was unsigned" \
	"$(cat "$R/var/log/evmuser-preinst" 2>/dev/null)" "install unsigned evmtool ran"
many_checked "$R" "one run, dpkg"

# (b) apt drives evmpkg-dpkg (what 80evmpkg sets), which starts a new dpkg
# run before each package whose unpack runs a script, and each run's
# post-invoke signs its packages: the strict preinst passes.
newroot perpkg
publish "$R" "${manydebs[@]}"
if [ ! -x "$R/usr/sbin/evmpkg-dpkg" ]; then
	not_ok "one run, evmpkg-dpkg" "make install put no /usr/sbin/evmpkg-dpkg into the root"
else
	touch "$R/etc/evmuser-strict"
	apt perpkg "$R" -o Dir::Bin::dpkg=/usr/sbin/evmpkg-dpkg install "${manypkgs[@]}"
	same "one run, evmpkg-dpkg: apt-get install of 12 packages: exit status" "$?" 0
	same "one run, evmpkg-dpkg: evmuser's preinst ran evmtool signed and verifying" \
		"$(cat "$R/var/log/evmuser-preinst" 2>/dev/null)" "install signed evmtool ran"
	a=$(run_of "$R" evmtool) b=$(run_of "$R" evmuser)
	expect "one run, evmpkg-dpkg: evmuser (a preinst) unpacked by a dpkg run after evmtool's ($a, $b)" \
		test -n "$a" -a -n "$b" -a "${a:-0}" -lt "${b:-0}"
	same "one run, evmpkg-dpkg: 12 packages unpacked" "$(unpack_runs "$R" | wc -l)" 12
	same "one run, evmpkg-dpkg: all 12 packages installed" \
		"$(aptroot_run "$R" dpkg-query -W -f='${db:Status-Abbrev}\n' evmtool "${manypkgs[@]}" 2>/dev/null | grep -c '^ii')" 12
	many_checked "$R" "one run, evmpkg-dpkg"
fi

finish
