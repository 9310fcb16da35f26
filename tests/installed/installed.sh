#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# evmpkg verify, apply and status on real roots: signed packages installed
# without the hooks or the plugin by `dpkg --root`, `rpm --root` and
# `dnf --installroot` from a local repository (createrepo_c); verify reports
# what is missing, apply writes it, evmctl (the independent oracle) checks
# every file, and the damage an administrator meets (content changed after
# install, a wrong owner, a missing file, another portable signature, a
# file re-signed by a trusted key) is reported, never overwritten.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/debdemo.sh
. tests/debcheck.sh
. tests/rpmdebian.sh
T_NAME=${INSTALLED_TIER:-installed}
B=${B:-build}
EVMPKG=${EVMPKG:-$PWD/$B/evmpkg}

work=$(mktemp -d /var/tmp/evmpkg-installed.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
for t in dpkg dpkg-deb rpm rpmbuild evmctl getfattr setfattr jq keyctl createrepo_c dnf; do
	command -v "$t" >/dev/null || { not_ok setup "needs $t (make deps)"; finish; exit 1; }
done
[ "$(id -u)" = 0 ] || { not_ok setup "needs root (security.* xattrs, chown)"; finish; exit 1; }
CERT=$keys/rsa2048.der
debcheck_accounts

xattr() {	# xattr NAME FILE: hex value, or nothing
	getfattr --absolute-names -e hex -n "$1" "$2" 2>/dev/null | sed -n "s/^$1=0x//p"
}
# oracle NAME ROOT FILE...: evmctl accepts each file's IMA and EVM values.
oracle() {
	local name=$1 R=$2 f bad=
	shift 2
	for f in "$@"; do
		evmctl ima_verify --key "$CERT" "$R$f" >/dev/null 2>&1 &&
			evmctl verify --key "$CERT" "$R$f" >/dev/null 2>&1 || bad="$bad $f"
	done
	[ -z "$bad" ] && ok "$name" || not_ok "$name" "evmctl refuses:$bad"
}
V() { "$EVMPKG" verify --cert "$CERT" "$@"; }
A() { "$EVMPKG" apply --cert "$CERT" "$@"; }

# --- dpkg --root, no hooks ------------------------------------------------
P=$work/pkg
debdemo_tree "$P"
dpkg-deb -Zxz --build "$P" "$work/v1.deb" >/dev/null 2>&1
expect "sign the .deb" "$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" -o "$work/s1.deb" "$work/v1.deb"
debfiles="/usr/bin/demo /usr/bin/demo-link /usr/bin/demo-suid /usr/sbin/demo-ping /opt/demo/data/owned"

newdeb() {	# newdeb ROOT: the signed .deb installed by plain dpkg
	rm -rf "$1"
	mkdir -p "$1/var/lib/dpkg/info" "$1/var/lib/dpkg/updates"
	touch "$1/var/lib/dpkg/status"
	dpkg --root="$1" --force-script-chrootless --log=/dev/null -i "$work/s1.deb" >/dev/null 2>&1
}
R=$work/deb
newdeb "$R"
same "dpkg --root installs the package" "$?" 0
V --root "$R" >"$work/v.out" 2>"$work/v.err"
same "verify before apply: exit 1" "$?" 1
same "verify before apply: a line per signed file" "$(grep -c ' /' "$work/v.out")" 5
expect "verify: codes say security.ima and security.evm absent, kernel would refuse" \
	grep -qx '......IEV    /usr/bin/demo' "$work/v.out"
V --root "$R" --json >"$work/v.json" 2>/dev/null
same "verify --json: bad count" "$(jq .bad "$work/v.json")" 5
same "verify --json: package and path" "$(jq -r '.problems[0] | .package + " " + .path' "$work/v.json")" "evmdemo /opt/demo/data/owned"
same "verify --json: message names package, file and field" \
	"$(jq -r '.problems[0].message' "$work/v.json")" "evmdemo: /opt/demo/data/owned: security.ima is absent"
A --root "$R" --all >"$work/a.out" 2>&1
same "apply --all: exit 0" "$?" 0
expect "apply: summary line" grep -q '1 signed packages, 5 files' "$work/a.out"
oracle "apply: evmctl verifies every signed file" "$R" $debfiles
same "apply: capabilities from the manifest" "$(xattr security.capability "$R/usr/sbin/demo-ping")" ""
expect "verify after apply: exit 0" V --root "$R"
expect "verify by package name" V --root "$R" evmdemo
expect "verify by name:arch" V --root "$R" evmdemo:all
V --root "$R" nosuchpkg >/dev/null 2>"$work/nopkg.err"
same "verify of a package not installed: exit 2" "$?" 2
expect "verify of a package not installed: says so" grep -q "nosuchpkg: not installed" "$work/nopkg.err"
before=$(getfattr --absolute-names -d -m - -e hex "$R/usr/bin/demo" | sha256sum)
A --root "$R" --all >"$work/a2.out" 2>&1
same "apply again: exit 0 (idempotent)" "$?" 0
same "apply again: values unchanged" "$(getfattr --absolute-names -d -m - -e hex "$R/usr/bin/demo" | sha256sum)" "$before"
expect "apply again: the package's own values count as in place, not as kept" \
	grep -q '5 files: 5 applied or in place, 0 kept with their own verified values' "$work/a2.out"
refuse "apply without --all or names is refused" A --root "$R"
refuse "apply --policy off is refused" A --root "$R" --all --policy off

# Damage after install.
printf 'changed\n' >> "$R/usr/bin/demo-suid"
chown 1:1 "$R/opt/demo/data/owned"
rm "$R/usr/sbin/demo-ping"
V --root "$R" -v >"$work/d.out" 2>&1
same "damaged: verify exit 1" "$?" 1
expect "changed content: 5 and V" grep -qx '5.......V    /usr/bin/demo-suid' "$work/d.out"
expect "changed content: why" grep -q "evmdemo: /usr/bin/demo-suid: its content is not what was signed" "$work/d.out"
expect "wrong owner: U G and V" grep -qx '..UG....V    /opt/demo/data/owned' "$work/d.out"
expect "missing file" grep -qx 'missing      /usr/sbin/demo-ping' "$work/d.out"
evm_before=$(xattr security.evm "$R/opt/demo/data/owned")
A --root "$R" --all >"$work/d.apply" 2>&1
same "apply on damage: exit 1" "$?" 1
expect "apply names the changed file" grep -q "demo-suid" "$work/d.apply"
expect "apply names the wrong owner" grep -q "owned: owner 1:1" "$work/d.apply"
same "apply left the wrong-owner file's security.evm as it was" "$(xattr security.evm "$R/opt/demo/data/owned")" "$evm_before"

# A changed file in a root never applied gets no signatures at all.
R2=$work/deb2
newdeb "$R2"
printf 'changed\n' >> "$R2/usr/bin/demo-suid"
A --root "$R2" --all >"$work/t.out" 2>&1
same "tampered before apply: exit 1" "$?" 1
same "tampered file: no security.evm written" "$(xattr security.evm "$R2/usr/bin/demo-suid")" ""
same "tampered file: no security.ima written" "$(xattr security.ima "$R2/usr/bin/demo-suid")" ""
oracle "the other files are applied" "$R2" /usr/bin/demo /usr/bin/demo-link /usr/sbin/demo-ping
A --root "$R2" --all --policy enforce >"$work/t2.out" 2>&1
same "enforce: exit 1" "$?" 1

# Another portable signature (untrusted key) is reported and never replaced.
R3=$work/deb3
newdeb "$R3"
evmctl sign --portable --imasig --key "$keys/other.pem" "$R3/usr/bin/demo" >/dev/null 2>&1
foreign=$(xattr security.evm "$R3/usr/bin/demo")
A --root "$R3" --all >"$work/f.out" 2>&1
same "foreign portable signature: exit 1" "$?" 1
expect "foreign portable signature: reported" grep -q "another EVM portable signature" "$work/f.out"
same "foreign portable signature: left as it was" "$(xattr security.evm "$R3/usr/bin/demo")" "$foreign"
# Re-signed by another trusted key (other bytes): kept.
evmctl sign --portable --imasig --key "$keys/rsa4096.pem" "$R3/usr/sbin/demo-ping" >/dev/null 2>&1
own=$(xattr security.evm "$R3/usr/sbin/demo-ping")
A --root "$R3" demo-nothing >/dev/null 2>&1
same "apply of an unknown package: exit 2" "$?" 2
A --root "$R3" --cert "$keys/rsa4096.der" evmdemo >/dev/null 2>&1
same "a file whose own values verify is kept" "$(xattr security.evm "$R3/usr/sbin/demo-ping")" "$own"
V --root "$R3" --cert "$keys/rsa4096.der" >"$work/k.out" 2>&1
expect "kept file: verify says other values, the kernel accepts them (no V)" \
	grep -qx '......IE.    /usr/sbin/demo-ping' "$work/k.out"
V --root "$R3" >"$work/k2.out" 2>&1
expect "the same file without that key trusted: V" \
	grep -qx '......IEV    /usr/sbin/demo-ping' "$work/k2.out"

# Statoverride: IMA only, as the hooks do.
R4=$work/deb4
newdeb "$R4"
dpkg-statoverride --root "$R4" --update --add nobody nogroup 0700 /usr/bin/demo-suid 2>/dev/null
A --root "$R4" --all >"$work/so.out" 2>&1
same "statoverride: apply exit 0" "$?" 0
expect "statoverride: security.ima written" evmctl ima_verify --key "$CERT" "$R4/usr/bin/demo-suid"
same "statoverride: no security.evm" "$(xattr security.evm "$R4/usr/bin/demo-suid")" ""

# A signed SELinux label: written by apply (no installer labelled the root).
printf '/usr/sbin/demo-ping\t--\tsystem_u:object_r:bin_t:s0\n' > "$work/file_contexts"
"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" --file-contexts "$work/file_contexts" \
	-o "$work/label.deb" "$work/v1.deb" >/dev/null 2>&1
R6=$work/deb6
rm -rf "$R6"
mkdir -p "$R6/var/lib/dpkg/info" "$R6/var/lib/dpkg/updates"
touch "$R6/var/lib/dpkg/status"
dpkg --root="$R6" --force-script-chrootless --log=/dev/null -i "$work/label.deb" >/dev/null 2>&1
expect "label: apply" A --root "$R6" --all
same "label: security.selinux written" "$(getfattr --absolute-names --only-values -n security.selinux "$R6/usr/sbin/demo-ping" 2>/dev/null | tr -d '\0')" \
	"system_u:object_r:bin_t:s0"
oracle "label: evmctl verifies the labelled file" "$R6" /usr/sbin/demo-ping
expect "label: verify" V --root "$R6"

# A directory of the root planted as a symlink out of it: dpkg follows it,
# evmpkg neither writes nor reads there.
R7=$work/deb7
rm -rf "$R7" "$work/outside"
mkdir -p "$R7/var/lib/dpkg/info" "$R7/var/lib/dpkg/updates" "$R7/opt" "$work/outside"
touch "$R7/var/lib/dpkg/status"
ln -s "$work/outside" "$R7/opt/demo"
dpkg --root="$R7" --force-script-chrootless --log=/dev/null -i "$work/s1.deb" >/dev/null 2>&1
expect "symlinked directory: dpkg wrote through it" test -f "$work/outside/data/owned"
A --root "$R7" --all >"$work/out7.out" 2>&1
same "symlinked directory: apply exit 1" "$?" 1
expect "symlinked directory: reported" grep -q "/opt/demo/data/owned leads out of the root" "$work/out7.out"
same "symlinked directory: nothing written outside the root" "$(xattr security.ima "$work/outside/data/owned")$(xattr security.evm "$work/outside/data/owned")" ""
oracle "symlinked directory: the root's own files applied" "$R7" /usr/bin/demo /usr/sbin/demo-ping
V --root "$R7" >"$work/out7v.out" 2>&1
same "symlinked directory: verify exit 1" "$?" 1

# A local diversion: dpkg puts the file at the diverted name, apply follows it.
R5=$work/deb5
rm -rf "$R5"
mkdir -p "$R5/var/lib/dpkg/info" "$R5/var/lib/dpkg/updates" "$R5/usr/bin"
touch "$R5/var/lib/dpkg/status"
dpkg-divert --root "$R5" --local --divert /usr/bin/demo.distrib --add /usr/bin/demo >/dev/null 2>&1
dpkg --root="$R5" --force-script-chrootless --log=/dev/null -i "$work/s1.deb" >/dev/null 2>&1
expect "diversion: dpkg put the file at the diverted name" test -f "$R5/usr/bin/demo.distrib"
expect "diversion: apply" A --root "$R5" --all
oracle "diversion: the diverted file is signed" "$R5" /usr/bin/demo.distrib
expect "diversion: verify" V --root "$R5"

# A package an interrupted dpkg run left half-installed (as dpkg records
# it): its files cannot be checked, which verify and apply say, with or
# without its name (dpkg --audit names it too).
R9=$work/deb9
newdeb "$R9"
sed -i 's/^Status: install ok installed$/Status: install reinstreq half-installed/' "$R9/var/lib/dpkg/status"
expect "half-installed: dpkg --audit names it" sh -c "dpkg --root='$R9' --audit | grep -q evmdemo"
V --root "$R9" >"$work/h.out" 2>"$work/h.err"
same "half-installed: verify exit 1" "$?" 1
expect "half-installed: verify says so" grep -q "evmpkg: evmdemo: half-installed (a dpkg run was interrupted): its files cannot be checked" "$work/h.err"
V --root "$R9" --json >"$work/h.json" 2>/dev/null
same "half-installed: verify --json names it" "$(jq -r '.problems[0] | .package + ": " + .message' "$work/h.json" | cut -c1-30)" "evmdemo: half-installed (a dpk"
V --root "$R9" evmdemo >/dev/null 2>&1
same "half-installed: verify by name: exit 1, not 'not installed'" "$?" 1
A --root "$R9" --all >"$work/h.out" 2>&1
same "half-installed: apply exit 1" "$?" 1
expect "half-installed: apply says so" grep -q "evmdemo: half-installed" "$work/h.out"
same "half-installed: apply writes nothing" "$(xattr security.evm "$R9/usr/bin/demo")" ""

# dpkg's lock: apply refuses while another dpkg or apt holds it, verify reads on.
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[2], "w").close(); time.sleep(30)' \
	"$R5/var/lib/dpkg/lock-frontend" "$work/locked" &
lockpid=$!
for i in $(seq 1 100); do [ -e "$work/locked" ] && break; sleep 0.1; done
A --root "$R5" --all >"$work/lock.out" 2>&1
same "apply while dpkg's lock is held: refused" "$?" 2
expect "apply names dpkg's lock" grep -q "lock" "$work/lock.out"
expect "verify reads while the lock is held" V --root "$R5"
kill "$lockpid" 2>/dev/null; wait "$lockpid" 2>/dev/null

# --- rpm --root, no plugin --------------------------------------------------
mkdir -p "$work/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nevmuser:x:1234:1234::/:/bin/sh\n' > "$work/etc/passwd"
printf 'root:x:0:\nevmuser:x:1234:\n' > "$work/etc/group"
rpmbuild --quiet --define "_topdir $work/top" --define "ver 1" -bb tests/rpm/pkgs/evmdemo.spec \
	>"$work/rpmbuild.log" 2>&1 && cp "$work"/top/RPMS/noarch/evmdemo-1-1.noarch.rpm "$work/v1.rpm"
expect "rpmbuild" test -s "$work/v1.rpm"
expect "sign the rpm" "$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" \
	--passwd "$work/etc/passwd" --group "$work/etc/group" -o "$work/s1.rpm" "$work/v1.rpm"
rpmfiles="/usr/bin/evmdemo /usr/bin/evmdemo-suid /usr/sbin/evmdemo-ping /opt/evmdemo/h1 /opt/evmdemo/h2 /opt/evmdemo/data/owned-by-evmuser"
RR=$work/rpmroot
mkdir -p "$RR/etc"
cp "$work/etc/passwd" "$work/etc/group" "$RR/etc/"
rpm --root "$RR" --dbpath /var/lib/rpm --initdb
rpm --root "$RR" --dbpath /var/lib/rpm --nodeps --noplugins $RPM_FORCE_DEBIAN -i "$work/s1.rpm" >/dev/null 2>&1
same "rpm --root --noplugins installs" "$?" 0
V --root "$RR" >"$work/r.out" 2>&1
same "rpm root: verify before apply exit 1" "$?" 1
expect "rpm root: found in rpm's database" grep -q ' /usr/bin/evmdemo$' "$work/r.out"
A --root "$RR" --all >"$work/ra.out" 2>&1
same "rpm root: apply exit 0" "$?" 0
oracle "rpm root: evmctl verifies every signed file" "$RR" $rpmfiles
expect "rpm root: verify after apply" V --root "$RR"
expect "rpm root: verify with an explicit --dbpath" V --root "$RR" --dbpath /var/lib/rpm evmdemo
expect "rpm root: the IMA-only file (unmapped owner) has security.ima" \
	evmctl ima_verify --key "$CERT" "$RR/opt/evmdemo/data/owned-by-unmapped"
# rpm's transaction lock: apply refuses while another rpm holds it.
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[2], "w").close(); time.sleep(30)' \
	"$RR/var/lib/rpm/.rpm.lock" "$work/rlocked" &
lockpid=$!
for i in $(seq 1 100); do [ -e "$work/rlocked" ] && break; sleep 0.1; done
A --root "$RR" --all >"$work/rlock.out" 2>&1
same "apply while rpm's lock is held: refused" "$?" 2
expect "apply names rpm's lock" grep -q "cannot take rpm's transaction lock" "$work/rlock.out"
kill "$lockpid" 2>/dev/null; wait "$lockpid" 2>/dev/null
printf 'x' >> "$RR/opt/evmdemo/h1"
V --root "$RR" >"$work/r2.out" 2>&1
same "rpm root: a changed hardlinked file: exit 1" "$?" 1
expect "rpm root: both names of the changed inode reported" sh -c "grep -q '^5.* /opt/evmdemo/h1$' '$work/r2.out' && grep -q '^5.* /opt/evmdemo/h2$' '$work/r2.out'"

# --- dnf --installroot from a local repository, then apply -------------------
mkdir -p "$work/repo"
cp "$work/s1.rpm" "$work/repo/"
createrepo_c -q "$work/repo" >/dev/null 2>&1
DR=$work/dnfroot
mkdir -p "$DR/etc"
cp "$work/etc/passwd" "$work/etc/group" "$DR/etc/"
dnf -y -q --installroot "$DR" --releasever 1 --setopt=reposdir=/nonexistent \
	--setopt=cachedir="$work/dnfcache" --repofrompath "local,file://$work/repo" \
	--setopt=local.gpgcheck=0 --nogpgcheck --noplugins --setopt=tsflags=noscripts \
	install evmdemo >"$work/dnf.out" 2>&1
same "dnf --installroot installs from the local repository" "$?" 0
dbp=$(rpm --eval '%_dbpath')
V --root "$DR" >/dev/null 2>&1
same "dnf root: verify before apply exit 1 (database found)" "$?" 1
expect "dnf root: apply" A --root "$DR" --all
oracle "dnf root: evmctl verifies every signed file" "$DR" $rpmfiles

# --- status ---------------------------------------------------------------
mkdir -p "$work/home"
printf '%%__transaction_zz_evmpkg %s\n%%_evmpkg_policy warn\n%%_evmpkg_certs %s\n' \
	"$PWD/$B/rpm-plugin/zz_evmpkg.so" "$CERT" > "$work/home/.rpmmacros"
# A session keyring of its own holds _ima (the key) and _evm (empty).
HOME=$work/home keyctl session - sh -c "
	keyctl newring _ima @s >/dev/null && keyctl newring _evm @s >/dev/null &&
	keyctl padd asymmetric '' %keyring:_ima < '$CERT' >/dev/null &&
	'$EVMPKG' status --root '$RR' > '$work/st.out' && '$EVMPKG' status --json --root '$RR' > '$work/st.json'" \
	>/dev/null 2>&1
same "status: exit 0" "$?" 0
kid=$(openssl x509 -inform DER -in "$CERT" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :' | tr A-F a-f | tail -c 9)
expect "status lists the key in _ima" grep -q "^  $kid " "$work/st.out"
expect "status: plugin active with its policy" sh -c "grep -q '^rpm: evmpkg plugin: active' '$work/st.out' && grep -q 'policy warn' '$work/st.out'"
expect "status: the trusted key is missing from _evm" grep -q "key $kid for IMA+EVM: NOT in the kernel's _evm keyring" "$work/st.out"
same "status --json: _ima keys" "$(jq -r '.keyrings._ima.keys[0]' "$work/st.json")" "$kid"
same "status --json: rpm certificate not in the kernel" "$(jq -r '.rpm.certificates[0].in_kernel' "$work/st.json")" false
same "status --json: the root's rpm database" "$(jq -r '.rpmdb' "$work/st.json")" /var/lib/rpm
HOME=$work/home keyctl session - sh -c "
	keyctl newring _ima @s >/dev/null && keyctl newring _evm @s >/dev/null &&
	keyctl padd asymmetric '' %keyring:_ima < '$CERT' >/dev/null &&
	keyctl padd asymmetric '' %keyring:_evm < '$CERT' >/dev/null &&
	'$EVMPKG' status --json > '$work/st2.json'" >/dev/null 2>&1
same "status --json: with the key in both keyrings it is in the kernel" \
	"$(jq -r '.rpm.certificates[0].in_kernel' "$work/st2.json")" true
# Under the sanitizer build, any report in what the command printed fails.
if grep -lE 'Sanitizer|runtime error:' "$work"/*.out "$work"/*.err "$work"/*.json 2>/dev/null; then
	not_ok "no sanitizer report in the command's output" "see the files above"
else
	ok "no sanitizer report in the command's output"
fi
finish
