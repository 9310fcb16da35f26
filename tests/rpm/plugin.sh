#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rpm integration: real packages built with rpmbuild, signed with
# `evmpkg sign`, checked with rpm -K, installed into scratch roots with
# `rpm --root` and the plugin, and every file checked with getfattr and
# evmctl (the independent oracle), then upgrade, reinstall, erase, the stock
# ima plugin alone, and the refusals of enforce mode and warn mode.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/rpmdebian.sh
T_NAME=rpm
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"
TAMPER="$PWD/$B/tests/rpm-tamper"
SYSPLUGINS=$(rpm --eval '%{__plugindir}')
[ -d "$SYSPLUGINS" ] || SYSPLUGINS=/usr/lib/$(gcc -print-multiarch)/rpm-plugins

work=$(mktemp -d /var/tmp/evmpkg-rpm.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }

# The target system's accounts: evmuser has a fixed id, nosuchuser none.
mkdir -p "$work/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nevmuser:x:1234:1234::/:/bin/sh\n' > "$work/etc/passwd"
printf 'root:x:0:\nevmuser:x:1234:\n' > "$work/etc/group"

build() {	# build VERSION
	rpmbuild --quiet --define "_topdir $work/top" --define "ver $1" \
		-bb tests/rpm/pkgs/evmdemo.spec >"$work/build-$1.log" 2>&1 &&
		cp "$work"/top/RPMS/noarch/evmdemo-"$1"-1.noarch.rpm "$work/v$1.rpm"
}
expect "rpmbuild version 1" build 1
expect "rpmbuild version 2" build 2

sign() {	# sign IN OUT [options]
	local in=$1 out=$2
	shift 2
	"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$keys/rsa2048.der" \
		--passwd "$work/etc/passwd" --group "$work/etc/group" -o "$out" "$@" "$in"
}
sign "$work/v1.rpm" "$work/s1.rpm" >"$work/sign1.out" 2>&1
same "sign v1 exit status" "$?" 0
expect "sign v2" sign "$work/v2.rpm" "$work/s2.rpm"
expect "sign reports the unmapped owner" grep -q "owned-by-unmapped: no EVM signature: owner 'nosuchuser'" "$work/sign1.out"
expect "sign reports %config files" grep -q "plain.conf: no EVM signature: %config" "$work/sign1.out"
refuse "sign --strict fails on an unmapped owner" sign "$work/v1.rpm" "$work/strict.rpm" --strict
[ -e "$work/strict.rpm" ] && not_ok "--strict leaves no output" "$work/strict.rpm exists" || ok "--strict leaves no output"

expect "rpm -K accepts the signed package" sh -c "rpm -K '$work/s1.rpm' | grep -q 'digests OK'"
same "payload byte-identical" "$(rpm2cpio "$work/s1.rpm" | sha256sum)" "$(rpm2cpio "$work/v1.rpm" | sha256sum)"
sigs=$(rpm -qp --qf '[%{filenames} %{filesignatures}\n]' "$work/s1.rpm" 2>/dev/null)
expect "RPMTAG_FILESIGNATURES readable by rpm --qf" sh -c "printf '%s\n' \"\$1\" | grep -q '^/usr/bin/evmdemo 030204'" _ "$sigs"
expect "inspect verifies every signature" "$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/s1.rpm"
refuse "inspect with another key reports unknown keys" "$EVMPKG" inspect --cert "$keys/other.der" "$work/s1.rpm"

# --sign-config: %config files get an IMA signature, never an EVM one.
expect "sign --sign-config" sign "$work/v1.rpm" "$work/cfg.rpm" --sign-config
cfgsig=$(rpm -qp --qf '[%{filenames} %{filesignatures}\n]' "$work/cfg.rpm" 2>/dev/null | awk '$1 == "/etc/evmdemo/plain.conf" {print $2}')
expect "--sign-config: %config file has an IMA signature" test -n "$cfgsig"
nocfg=$(printf '%s\n' "$sigs" | awk '$1 == "/etc/evmdemo/plain.conf" {print $2}')
same "without --sign-config: %config file unsigned" "$nocfg" ""
expect "--sign-config: still no EVM entry for %config" sh -c "'$EVMPKG' inspect --json '$work/cfg.rpm' | grep plain.conf | grep -q '\"signed\":\"ima\"'"

# --file-contexts: labels from the target policy's file_contexts.
printf '/usr/bin/evmdemo\t--\tsystem_u:object_r:bin_t:s0\n/opt/evmdemo(/.*)?\tsystem_u:object_r:usr_t:s0\n' > "$work/file_contexts"
expect "sign --file-contexts" sign "$work/v1.rpm" "$work/fc.rpm" --file-contexts "$work/file_contexts"
expect "--file-contexts: label in the manifest" sh -c "'$EVMPKG' inspect --json --cert '$keys/rsa2048.der' '$work/fc.rpm' | grep '\"/usr/bin/evmdemo\"' | grep -q '\"label\":\"system_u:object_r:bin_t:s0\"'"

# The pipeline: evmpkg sign, then rpmsign --addsign; and the other way round.
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key 'evmpkg test <test@evmpkg.invalid>' rsa2048 sign never >/dev/null 2>&1
cp "$work/s1.rpm" "$work/pgp.rpm"
expect "rpmsign --addsign after evmpkg sign" rpmsign --define "_gpg_name evmpkg test" --define "__gpg $(command -v gpg)" --addsign "$work/pgp.rpm"
# rpm 6 says "Header OpenPGP V4 RSA/SHA512 signature", 4.x "Header V4 ... Signature".
expect "rpm -K: digests and signature present" sh -c "rpm -Kv '$work/pgp.rpm' | grep -qE 'Header (OpenPGP )?V4 RSA/SHA[0-9]* [Ss]ignature'"
same "rpmsign keeps the IMA signatures" "$(rpm -qp --qf '[%{filesignatures}\n]' "$work/pgp.rpm" 2>/dev/null | sort | md5sum)" \
	"$(rpm -qp --qf '[%{filesignatures}\n]' "$work/s1.rpm" 2>/dev/null | sort | md5sum)"
sign "$work/pgp.rpm" "$work/resigned.rpm" >/dev/null 2>"$work/resign.err"
expect "signing an OpenPGP-signed package warns that the signature is dropped" grep -q "OpenPGP signature was dropped" "$work/resign.err"
refuse "the dropped signature is gone" sh -c "rpm -Kv '$work/resigned.rpm' | grep -q 'Header V4 RSA'"
expect "the re-signed package verifies" "$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/resigned.rpm"

# In place, atomically: a failure leaves the original untouched.
cp "$work/v1.rpm" "$work/inplace.rpm"
expect "sign in place" "$EVMPKG" sign --key "$keys/rsa2048.pem" --passwd "$work/etc/passwd" --group "$work/etc/group" "$work/inplace.rpm"
expect "in place: signed" "$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/inplace.rpm"
head -c 3000 "$work/v1.rpm" > "$work/trunc.rpm"
before=$(sha256sum < "$work/trunc.rpm")
"$EVMPKG" sign --key "$keys/rsa2048.pem" "$work/trunc.rpm" >/dev/null 2>"$work/trunc.err"
same "truncated package: refused" "$?" 1
expect "truncated package: message names it" grep -q "trunc.rpm" "$work/trunc.err"
same "truncated package: file untouched" "$(sha256sum < "$work/trunc.rpm")" "$before"
same "no temporary file left" "$(ls -A "$work" | grep -c 'trunc.rpm.evmpkg-')" 0

# Plugin directories: ours with the stock ima plugin, and the stock one alone.
mkdir -p "$work/plugins-evm" "$work/plugins-ima"
ln -s "$PWD/$B/rpm-plugin/zz_evmpkg.so" "$work/plugins-evm/zz_evmpkg.so"
ln -s "$SYSPLUGINS/ima.so" "$work/plugins-evm/ima.so"
ln -s "$SYSPLUGINS/ima.so" "$work/plugins-ima/ima.so"
# As rpm without its ima plugin (Debian 13's) loads evmpkg.
mkdir -p "$work/plugins-noima"
ln -s "$PWD/$B/rpm-plugin/zz_evmpkg.so" "$work/plugins-noima/zz_evmpkg.so"

newroot() {	# newroot DIR: an empty target with its accounts and rpmdb
	mkdir -p "$1/etc"
	cp "$work/etc/passwd" "$work/etc/group" "$1/etc/"
	rpm --root "$1" --dbpath /var/lib/rpm --initdb
}

# rpmr ROOT PLUGINDIR POLICY CERT rpm-args...
# The test packages carry no OpenPGP signature: upstream rpm 6 requires
# one by default (%_pkgverify_level all; Debian's rpm 6 keeps digest), so
# the level is stated.
rpmr() {
	local root=$1 pdir=$2 policy=$3 cert=$4
	shift 4
	rpm --root "$root" --dbpath /var/lib/rpm --nodeps $RPM_FORCE_DEBIAN \
		--define '_pkgverify_level digest' \
		--load "$PWD/$B/rpm-plugin/macros.transaction_zz_evmpkg" \
		--define "__plugindir $pdir" --define "_evmpkg_policy $policy" \
		--define "_evmpkg_certs $cert" "$@"
}

signed_files="/usr/bin/evmdemo /usr/bin/evmdemo-suid /usr/sbin/evmdemo-ping /opt/evmdemo/h1 /opt/evmdemo/h2 /opt/evmdemo/data/owned-by-evmuser"
spaced="/opt/evmdemo/data/with space é ü.txt"

# check_installed ROOT VERSION: every file as the manifest says, by evmctl.
check_installed() {
	local R=$1 v=$2 f
	for f in $signed_files "$spaced"; do
		if evmctl ima_verify --key "$keys/rsa2048.der" "$R$f" >/dev/null 2>&1 &&
		   evmctl verify --key "$keys/rsa2048.der" "$R$f" >/dev/null 2>&1; then
			ok "v$v $f: evmctl ima_verify and verify"
		else
			not_ok "v$v $f: evmctl ima_verify and verify" "$(getfattr -d -m security -e hex "$R$f" 2>&1 | head -4)"
		fi
	done
	expect "v$v evmpkg verify-file agrees" "$EVMPKG" verify-file --cert "$keys/rsa2048.der" \
		$(for f in $signed_files; do printf '%s ' "$R$f"; done)
	same "v$v setuid kept" "$(stat -c %a "$R/usr/bin/evmdemo-suid")" 4755
	same "v$v caps kept" "$(getcap "$R/usr/sbin/evmdemo-ping" | awk '{print $2}')" "cap_net_raw=ep"
	same "v$v owner mapped" "$(stat -c %u:%g "$R/opt/evmdemo/data/owned-by-evmuser")" 1234:1234
	same "v$v content" "$(cat "$R/opt/evmdemo/h2")" "linked $v"
	refuse "v$v unmapped owner has no security.evm" getfattr -n security.evm "$R/opt/evmdemo/data/owned-by-unmapped"
	expect "v$v unmapped owner still has security.ima" getfattr -n security.ima "$R/opt/evmdemo/data/owned-by-unmapped"
	refuse "v$v %config has no security.evm" getfattr -n security.evm "$R/etc/evmdemo/plain.conf"
	refuse "v$v symlink has no security.evm" getfattr -h -n security.evm "$R/opt/evmdemo/link"
	refuse "v$v directory has no security.evm" getfattr -n security.evm "$R/opt/evmdemo"
}

R=$work/root1
newroot "$R"
expect "install v1 with the plugin (enforce)" rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" -i "$work/s1.rpm"
check_installed "$R" 1
expect "upgrade to v2" rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" -U "$work/s2.rpm"
check_installed "$R" 2
expect "reinstall v2" rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" --reinstall "$work/s2.rpm"
check_installed "$R" 2
expect "erase" rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" -e evmdemo
[ -e "$R/usr/bin/evmdemo" ] && not_ok "erase removed the files" || ok "erase removed the files"
expect "--noplugins installs without xattrs" rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" --noplugins -i "$work/s1.rpm"
refuse "--noplugins: no security.evm" getfattr -n security.evm "$R/usr/bin/evmdemo"

# Signed with sha512 over a package whose header digests are sha256: the
# plugin hashes the written content itself.
expect "sign --hash sha512" sign "$work/v1.rpm" "$work/s512.rpm" --hash sha512
R=$work/root-512
newroot "$R"
expect "install the sha512-signed package (enforce)" rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" -i "$work/s512.rpm"
same "sha512: security.ima algorithm" "$(getfattr -n security.ima -e hex "$R/usr/bin/evmdemo" 2>/dev/null | sed -n 's/^security.ima=0x0302\(..\).*/\1/p')" 06
expect "sha512: evmctl verify" evmctl verify --key "$keys/rsa2048.der" "$R/usr/bin/evmdemo"

# A relocated install: signatures do not cover the path.
R=$work/root-reloc
newroot "$R"
expect "relocated install (enforce)" rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" \
	-i --badreloc --relocate /opt/evmdemo=/opt/moved "$work/s1.rpm"
expect "relocated file verifies (evmctl)" evmctl verify --key "$keys/rsa2048.der" "$R/opt/moved/h1"

if [ -e "$SYSPLUGINS/ima.so" ]; then
	R=$work/root-ima
	newroot "$R"
	expect "stock ima plugin alone installs" rpmr "$R" "$work/plugins-ima" enforce "$keys/rsa2048.der" -i "$work/s1.rpm"
	expect "stock ima plugin wrote our IMA signature (evmctl ima_verify)" evmctl ima_verify --key "$keys/rsa2048.der" "$R/usr/bin/evmdemo"
	refuse "stock ima plugin alone writes no security.evm" getfattr -n security.evm "$R/usr/bin/evmdemo"
else
	# Debian 13's and unstable's rpm ship no ima plugin (docs/platforms.md):
	# there the case is the next one, and rpm must not name one either.
	ima=$(rpm --eval '%{?__transaction_ima}' | awk '{print $1}')
	same "this rpm has no ima plugin: %__transaction_ima names no file" \
		"$([ -n "$ima" ] && [ -e "$ima" ] && echo "$ima")" ""
fi
R=$work/root-noima
newroot "$R"
expect "without rpm's ima plugin: installs" rpmr "$R" "$work/plugins-noima" enforce "$keys/rsa2048.der" -i "$work/s1.rpm"
expect "... evmpkg writes the security.ima of a file signed for IMA only (evmctl ima_verify)" \
	evmctl ima_verify --key "$keys/rsa2048.der" "$R/opt/evmdemo/data/owned-by-unmapped"
expect "... and both signatures of the others (evmctl verify)" evmctl verify --key "$keys/rsa2048.der" "$R/usr/bin/evmdemo"

# nothing_installed ROOT NAME: no file of the package, rpmdb unchanged.
nothing_installed() {
	local left
	left=$(cd "$1" && find usr opt etc/evmdemo -type f 2>/dev/null | head -3)
	same "$2: no file of the package on disk" "$left" ""
	refuse "$2: rpmdb unchanged" rpm --root "$1" --dbpath /var/lib/rpm -q evmdemo
}

# refused NAME PKG MESSAGE: enforce mode refuses PKG with MESSAGE (a grep
# pattern) in a fresh root, leaving no file of it and the rpmdb unchanged.
refused() {
	local name=$1 pkg=$2 msg=$3 R=$work/root-$1
	newroot "$R"
	rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" -i "$pkg" >"$work/$name.log" 2>&1
	same "$name: package refused" "$?" 1
	expect "$name: message names package, file and reason" grep -q "$msg" "$work/$name.log"
	nothing_installed "$R" "$name"
}

# enforce: a tampered signature.
"$TAMPER" "$work/s1.rpm" "$work/tampered.rpm" evm /usr/bin/evmdemo
refused tampered "$work/tampered.rpm" "evmpkg: evmdemo-1-1.noarch: /usr/bin/evmdemo: security.evm"
# A certificate list that names nothing that exists (a typo) fails the
# transaction in enforce mode and warns in warn mode, naming the macro.
R=$work/root-typo
newroot "$R"
rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" --define "_evmpkg_evm_certs $work/no-such.der" \
	-i "$work/s1.rpm" >"$work/typo.log" 2>&1
expect "%_evmpkg_evm_certs naming nothing, enforce: rpm fails" test $? -ne 0
expect "... naming the macro" grep -q "error: evmpkg: %_evmpkg_evm_certs names no certificate that exists ($work/no-such.der)" "$work/typo.log"
nothing_installed "$R" "%_evmpkg_evm_certs naming nothing"
rpmr "$R" "$work/plugins-evm" warn "$keys/rsa2048.der" --define "_evmpkg_evm_certs $work/no-such.der" \
	-i "$work/s1.rpm" >"$work/typo.log" 2>&1
same "... warn: rpm installs" "$?" 0
expect "... with a warning" grep -q "warning: evmpkg: %_evmpkg_evm_certs names no certificate that exists" "$work/typo.log"
expect "... and the other lists still verify: security.evm written (evmctl)" \
	evmctl verify --key "$keys/rsa2048.der" "$R/usr/bin/evmdemo"

# One verdict for the plugin and inspect: each malformed package is refused
# by both, before any file is committed. owned-by-unmapped is signed for
# IMA only (its owner did not map at signing time). (A non-hex value cannot
# be written with evmpkg's writer; the engine's unit tests cover it.)
U=/opt/evmdemo/data/owned-by-unmapped
while read -r what path path2 msg; do
	name=bad-$what-$(basename "$path")
	# shellcheck disable=SC2086
	if ! "$TAMPER" "$work/s1.rpm" "$work/$name.rpm" "$what" "$path" ${path2#-} >"$work/$name.tamper" 2>&1; then
		not_ok "$name: made" "$(cat "$work/$name.tamper")"
		continue
	fi
	refused "$name" "$work/$name.rpm" "evmpkg: evmdemo-1-1.noarch: .*$msg"
	"$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/$name.rpm" >"$work/$name.inspect" 2>&1
	same "$name: inspect refuses it too" "$?" 1
	expect "$name: inspect says why" grep -q "$msg" "$work/$name.inspect"
done <<CASES
ima-flip $U - security.ima
ima-short $U - security.ima
ima-type5 $U - security.ima
ima-swap $U /usr/bin/evmdemo security.ima
extra /opt/evmdemo/nosuchfile - signed in the manifest but not a file of the package
extra /opt/evmdemo/link - signed in the manifest but not a regular file
extra /opt/evmdemo - signed in the manifest but not a regular file
short-manifest - - signature manifest (tag 1000917)
CASES

# enforce: signed with a key the target does not trust.
expect "sign with an untrusted key" "$EVMPKG" sign --key "$keys/other.pem" --passwd "$work/etc/passwd" \
	--group "$work/etc/group" -o "$work/other.rpm" "$work/v1.rpm"
refused untrusted "$work/other.rpm" "evmdemo-1-1.noarch: /[^:]*: security.ima: no trusted certificate has key id"

# enforce: signed for evmuser=4321, but the target says 1234.
sed 's/1234/4321/g' "$work/etc/passwd" > "$work/passwd-wrong"
sed 's/1234/4321/g' "$work/etc/group" > "$work/group-wrong"
expect "sign for other ids" "$EVMPKG" sign --key "$keys/rsa2048.pem" --passwd "$work/passwd-wrong" \
	--group "$work/group-wrong" -o "$work/owner.rpm" "$work/v1.rpm"
refused owner "$work/owner.rpm" "owned-by-evmuser: owner 1234:1234 on disk, 4321:4321 signed"

# enforce: signed with an SELinux label this target does not set.
refused label "$work/fc.rpm" "evmdemo-1-1.noarch: /[^:]*: security.selinux on disk differs from the signed label"

# warn: the same package installs; the bad file gets IMA only, and a warning.
R=$work/root-warn
newroot "$R"
rpmr "$R" "$work/plugins-evm" warn "$keys/rsa2048.der" -i "$work/owner.rpm" >"$work/warn.log" 2>&1
same "warn mode installs" "$?" 0
expect "warn: warning printed" grep -q "warning: evmpkg: evmdemo-1-1.noarch: /opt/evmdemo/data/owned-by-evmuser" "$work/warn.log"
expect "warn: %pretrans ran" grep -q "evmdemo pretrans" "$work/warn.log"
same "warn: each problem reported once (psm_pre runs per stage)" \
	"$(grep -c 'evmpkg: evmdemo-1-1.noarch: /opt/evmdemo/data/owned-by-evmuser' "$work/warn.log")" 1
expect "warn: bad file has security.ima" getfattr -n security.ima "$R/opt/evmdemo/data/owned-by-evmuser"
refuse "warn: bad file has no security.evm" getfattr -n security.evm "$R/opt/evmdemo/data/owned-by-evmuser"
expect "warn: good files fully signed" evmctl verify --key "$keys/rsa2048.der" "$R/usr/bin/evmdemo"

# warn, tampered signature: reported once, by the prepare hook that waits
# for the file's verdict and withholds security.evm.
R=$work/root-warn-tampered
newroot "$R"
rpmr "$R" "$work/plugins-evm" warn "$keys/rsa2048.der" -i "$work/tampered.rpm" >"$work/warn-tampered.log" 2>&1
same "warn, tampered: installs" "$?" 0
same "warn, tampered: reported once" \
	"$(grep -c 'evmdemo: security.evm: signature does not verify.*mode 100755); security.evm not written$' "$work/warn-tampered.log")" 1
refuse "warn, tampered: no security.evm" getfattr -n security.evm "$R/usr/bin/evmdemo"

# A damaged payload: inspect checks it as rpm -K does, and refuses.
cp "$work/s1.rpm" "$work/payload-bad.rpm"
sz=$(stat -c %s "$work/payload-bad.rpm")
flip_byte "$work/payload-bad.rpm" $((sz - 64))
"$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/payload-bad.rpm" >"$work/payload-bad.out" 2>&1
same "damaged payload: inspect refuses it" "$?" 1
expect "damaged payload: inspect says so" grep -q "payload: does not match the main header's PAYLOADDIGEST" "$work/payload-bad.out"
# Several packages in one inspect (the dnf check): each row names its
# package, an unreadable one gets a row too, and the exit status is the worst.
"$EVMPKG" inspect --json --cert "$keys/rsa2048.der" "$work/s1.rpm" "$work/payload-bad.rpm" \
	"$work/s1.rpm" >"$work/multi.json" 2>"$work/multi.err"
same "inspect of three packages, one damaged: exit 1" "$?" 1
same "... the good package's rows twice, each naming it" \
	"$(jq -r 'select(.path == "/usr/bin/evmdemo") | .package' "$work/multi.json" | sort | uniq -c | awk '{print $1, $2}')" "2 $work/s1.rpm"
same "... the damaged one has one row, its problem" \
	"$(jq -r "select(.package == \"$work/payload-bad.rpm\") | .problem" "$work/multi.json" | grep -c PAYLOADDIGEST)" 1
"$EVMPKG" inspect --rpm-trust --cert "$keys/rsa2048.der" "$work/s1.rpm" >/dev/null 2>&1
same "inspect --rpm-trust with --cert: usage error" "$?" 2
# --rpm-trust: the plugin's lists kind by kind, from rpm's macros.
mkdir -p "$work/home-kinds"
printf '%s\n' "%_evmpkg_ima_certs $keys/rsa2048.der" "%_evmpkg_evm_certs %{nil}" > "$work/home-kinds/.rpmmacros"
HOME=$work/home-kinds "$EVMPKG" inspect --rpm-trust "$work/s1.rpm" >"$work/kinds.out" 2>&1
same "inspect --rpm-trust, the key trusted for IMA only: exit 1" "$?" 1
expect "... security.evm: no trusted certificate (for EVM signatures)" \
	grep -q "security.evm key .*: unknown-key" "$work/kinds.out"
printf '%s\n' "%_evmpkg_ima_certs $keys/rsa2048.der" "%_evmpkg_evm_certs $keys/rsa2048.der" > "$work/home-kinds/.rpmmacros"
expect "inspect --rpm-trust, the key trusted for each kind: verifies" \
	env HOME="$work/home-kinds" "$EVMPKG" inspect --rpm-trust "$work/s1.rpm"
printf '%s\n' "%_evmpkg_evm_certs $work/no-such.der" > "$work/home-kinds/.rpmmacros"
HOME=$work/home-kinds "$EVMPKG" inspect --rpm-trust "$work/s1.rpm" >"$work/kinds.out" 2>&1
same "inspect --rpm-trust, a list naming nothing that exists: exit 2" "$?" 2
expect "... naming the macro" grep -q "%_evmpkg_evm_certs names no certificate that exists" "$work/kinds.out"

# File digests of an algorithm the kernel has no id for (MD5): inspect
# hashes the payload and the plugin hashes the written file, so both still
# verify every signature, and both refuse a bad one.
rpmbuild --quiet --define "_topdir $work/top-md5" --define "ver 1" \
	--define "_binary_filedigest_algorithm 1" -bb tests/rpm/pkgs/evmdemo.spec >"$work/build-md5.log" 2>&1
cp "$work"/top-md5/RPMS/noarch/evmdemo-1-1.noarch.rpm "$work/md5.rpm"
# rpm leaves FILEDIGESTALGO out for MD5; the digests are 32 hex digits.
same "MD5 file digests in the header" "$(rpm -qp --qf '[%{filedigests}\n]' "$work/md5.rpm" 2>/dev/null | awk 'length($0) == 32' | head -1 | wc -l)" 1
expect "sign the MD5-digest package" sign "$work/md5.rpm" "$work/md5-signed.rpm"
expect "MD5 digests: inspect verifies on the payload's content" "$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/md5-signed.rpm"
"$EVMPKG" inspect --json --cert "$keys/rsa2048.der" "$work/md5-signed.rpm" >"$work/md5.json" 2>&1
same "MD5 digests: no file left unverified" "$(grep -c '"ima":"unverified"' "$work/md5.json")" 0
R=$work/root-md5
newroot "$R"
expect "MD5 digests: installs (enforce)" rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" -i "$work/md5-signed.rpm"
expect "MD5 digests: evmctl verify" evmctl verify --key "$keys/rsa2048.der" "$R/usr/bin/evmdemo"
"$TAMPER" "$work/md5-signed.rpm" "$work/md5-bad.rpm" ima-flip /opt/evmdemo/data/owned-by-unmapped
refused md5-bad "$work/md5-bad.rpm" "evmpkg: evmdemo-1-1.noarch: /opt/evmdemo/data/owned-by-unmapped: security.ima"
refuse "MD5 digests, bad IMA-only value: inspect refuses it too" "$EVMPKG" inspect --cert "$keys/rsa2048.der" "$work/md5-bad.rpm"

# Verification runs in the background while rpm writes; each prepare waits
# for its own file. rpm commits (renames) files only after every prepare,
# so a bad signature on the last file of a large package still leaves no
# file of it visible and the rpmdb unchanged.
rpmbuild --quiet --define "_topdir $work/top" --define "nfiles 2000" \
	-bb tests/rpm/specs/evmmany.spec >"$work/many.log" 2>&1
expect "rpmbuild a package of 2000 files" test -f "$work/top/RPMS/noarch/evmmany-1.0-1.noarch.rpm"
expect "sign it" sign "$work/top/RPMS/noarch/evmmany-1.0-1.noarch.rpm" "$work/many.rpm"
last=$(rpm -qp --qf '[%{filenames}\n]' "$work/many.rpm" 2>/dev/null | tail -1)
expect "tamper with its last file ($last)" "$TAMPER" "$work/many.rpm" "$work/many-bad.rpm" evm "$last"
R=$work/root-many
newroot "$R"
rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" -i "$work/many-bad.rpm" >"$work/many-bad.log" 2>&1
same "large package, bad last file: refused" "$?" 1
expect "large package: the message names the last file" grep -q "evmmany-1.0-1.noarch: $last: security.evm" "$work/many-bad.log"
same "large package: no file of it on disk" "$(find "$R/opt" -type f 2>/dev/null | wc -l)" 0
refuse "large package: rpmdb unchanged" rpm --root "$R" --dbpath /var/lib/rpm -q evmmany
expect "the untampered package installs" rpmr "$R" "$work/plugins-evm" enforce "$keys/rsa2048.der" -i "$work/many.rpm"
same "large package: every file has security.evm" \
	"$(getfattr -R -n security.evm "$R/opt/evmmany" 2>/dev/null | grep -c '^security.evm=')" 2000

finish
