#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier hsm: signing keys in a PKCS#11 token (SoftHSM2), reached through
# OpenSSL 3 (pkcs11-provider where installed, else the pkcs11 engine).
# Keys generated inside the token sign loose files and packages; RSA
# values are byte-identical to evmctl's through the same token and to the
# same key as a PEM file (imported into the token), ECDSA values are
# cross-verified with evmctl; signed packages install with rpm (the
# plugin) and dpkg (the hooks); --jobs through one token gives the
# single-thread values; PINs from every --pass source, the URI, and
# refusals; the signing-host flow (--request, --sign-request with the
# token, --attach) and a wrong, missing, swapped or foreign value refused
# with the package left as it was. The token lives in a private directory
# (SOFTHSM2_CONF); tests never run in parallel against it.
set -u
cd "$(dirname "$0")/../.." || exit 1
T_NAME=hsm
. tests/lib.sh
. tests/rpmdebian.sh
. tests/debdemo.sh

B=${B:-build}
BD=$(cd "$B" 2>/dev/null && pwd)
E=$BD/evmpkg
if [ ! -x "$E" ]; then
	not_ok setup "$B/evmpkg not built (run make)"
	finish
	exit 1
fi
MOD=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
	[ -f "$m" ] && MOD=$m && break
done
for t in softhsm2-util pkcs11-tool evmctl getfattr openssl rpmbuild dpkg-deb python3; do
	command -v "$t" >/dev/null || MISSING="${MISSING:-} $t"
done
if [ -z "$MOD" ] || [ -n "${MISSING:-}" ]; then
	not_ok setup "needs softhsm2, opensc (pkcs11-tool), ima-evm-utils, attr, rpm, dpkg-dev, python3:${MISSING:-} ${MOD:-libsofthsm2.so}"
	finish
	exit 1
fi
ENGDIR=$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"/\1/p')
MODDIR=$(openssl version -m | sed -n 's/^MODULESDIR: "\(.*\)"/\1/p')
if [ -f "$MODDIR/pkcs11.so" ]; then
	VIA=pkcs11-provider
	OSSL_TOKEN=(-provider pkcs11 -provider default)
elif [ -f "$ENGDIR/pkcs11.so" ]; then
	VIA="pkcs11 engine"
	OSSL_TOKEN=(-engine pkcs11 -keyform engine)
else
	not_ok setup "neither pkcs11-provider ($MODDIR/pkcs11.so) nor libengine-pkcs11-openssl ($ENGDIR/pkcs11.so)"
	finish
	exit 1
fi

W=$(mktemp -d /var/tmp/evmpkg-hsm.XXXXXX) || exit 1
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
chmod 0755 "$W"
bash tests/keys.sh "$W/keys" >/dev/null 2>&1 || { not_ok setup "tests/keys.sh"; finish; exit 1; }
K=$W/keys

# The token: private to this run; the engine and the provider load
# SoftHSM directly (not through p11-kit, which may not be installed).
mkdir -p "$W/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$W/tokens" > "$W/softhsm2.conf"
export SOFTHSM2_CONF=$W/softhsm2.conf PKCS11_MODULE_PATH=$MOD PKCS11_PROVIDER_MODULE=$MOD
unset EVMPKG_KEY_PASSWORD
PIN=1234
printf '%s\n' "$PIN" > "$W/pin"
chmod 0600 "$W/pin"
p11() { pkcs11-tool --module "$MOD" --token-label evmtest --login --pin "$PIN" "$@"; }
expect "token initialised" softhsm2-util --init-token --free --label evmtest \
	--so-pin 5678 --pin "$PIN"
expect "RSA-2048 key generated in the token" \
	p11 --keypairgen --key-type rsa:2048 --id 01 --label rsagen --usage-sign
expect "EC P-256 key generated in the token" \
	p11 --keypairgen --key-type EC:prime256v1 --id 02 --label ecgen --usage-sign
# The same RSA key as the PEM file: imported, with its certificate.
openssl pkey -in "$K/rsa2048.pem" -outform DER -out "$W/imp.key.der"
expect "RSA-2048 PEM key imported into the token" \
	p11 --write-object "$W/imp.key.der" --type privkey --id 03 --label rsaimp --usage-sign
expect "its certificate stored beside it" \
	p11 --write-object "$K/rsa2048.der" --type cert --id 03 --label rsaimp
rm -f "$W/imp.key.der"

T="pkcs11:token=evmtest"
# tcert LABEL ID: a self-signed certificate (SKID from the key) made by
# openssl through the token, stored in the token beside its key. Debian
# 13's openssl with pkcs11-provider and SoftHSM crashes at exit after
# writing the certificate: the certificate is checked instead of its
# exit status.
tcert() {
	openssl req -new -x509 "${OSSL_TOKEN[@]}" \
		-key "$T;object=$1;type=private;pin-value=$PIN" -sha256 -days 3650 \
		-subj "/CN=evmpkg token $1" -addext subjectKeyIdentifier=hash \
		-addext basicConstraints=critical,CA:FALSE \
		-addext keyUsage=critical,digitalSignature -outform DER \
		-out "$W/$1.der" >"$W/req-$1.log" 2>&1
	openssl x509 -inform DER -in "$W/$1.der" -out "$W/$1.crt.pem" &&
		p11 --write-object "$W/$1.der" --type cert --id "$2" --label "$1" >/dev/null 2>&1
}
expect "certificate of the RSA token key" tcert rsagen 01
expect "certificate of the EC token key" tcert ecgen 02
RSA="$T;object=rsagen;type=private"
EC="$T;object=ecgen;type=private"
IMP="$T;object=rsaimp;type=private"

xa() { getfattr --absolute-names -n "$2" -e hex "$1" 2>/dev/null | sed -n "s/^$2=0x//p"; }
mkfiles() {	# mkfiles DIR N: N files of different sizes
	mkdir -p "$1"
	for i in $(seq 1 "$2"); do head -c $((i * 37 % 9000)) /dev/urandom > "$1/f$i"; done
}

# 1. Loose files, the generated RSA key, against evmctl through the token.
mkfiles "$W/a" 3
cp -a "$W/a" "$W/b"
out=$("$E" sign-file --key "$RSA" --cert "$T;object=rsagen;type=cert" \
	--pass "file:$W/pin" "$W"/a/* 2>&1)
same "sign-file with the token key (cert as a pkcs11: URI)" "$?" 0
case $out in
*"through the $VIA"*) ok "the key is reached through the $VIA" ;;
*) not_ok "the key is reached through the $VIA" "$out" ;;
esac
for f in "$W"/b/*; do
	EVMCTL_KEY_PASSWORD=$PIN evmctl ima_sign --key "$RSA" --keyid-from-cert "$W/rsagen.der" \
		"$f" >>"$W/evmctl.log" 2>&1
	EVMCTL_KEY_PASSWORD=$PIN evmctl sign --portable --generation 0 --key "$RSA" \
		--keyid-from-cert "$W/rsagen.der" "$f" >>"$W/evmctl.log" 2>&1
done
for i in 1 2 3; do
	same "f$i security.ima = evmctl's through the token" "$(xa "$W/a/f$i" security.ima)" \
		"$(xa "$W/b/f$i" security.ima)"
	same "f$i security.evm = evmctl's through the token" "$(xa "$W/a/f$i" security.evm)" \
		"$(xa "$W/b/f$i" security.evm)"
done
expect "evmctl ima_verify and verify accept them" bash -c "for f in $W/a/*; do
	evmctl ima_verify --key $W/rsagen.der \$f && evmctl verify --key $W/rsagen.der \$f || exit 1; done"
expect "verify-file accepts them" "$E" verify-file --cert "$W/rsagen.der" "$W"/a/*
# Without --cert the token's certificate beside the key names the key.
mkfiles "$W/c" 1
id=$("$E" sign-file -n --key "$RSA" --pass "file:$W/pin" "$W/c/f1" 2>/dev/null)
same "without --cert: the key id of the token's certificate" "$id" \
	"$W/c/f1: would sign (key $(openssl x509 -inform DER -in "$W/rsagen.der" -noout -ext subjectKeyIdentifier |
		tail -n 1 | tr -d ' :' | tr 'A-F' 'a-f' | tail -c 9))"

# 2. The imported key: through the token = the PEM file, byte for byte,
# with 8 threads on one token against one thread on the PEM key.
mkfiles "$W/many" 200
"$E" sign-file -n --json -j 8 --key "$IMP" --pass "file:$W/pin" "$W"/many/* \
	> "$W/tok.json" 2>"$W/tok.err"
same "200 files through the token, 8 threads" "$?" 0
"$E" sign-file -n --json -j 1 --key "$K/rsa2048.pem" "$W"/many/* > "$W/pem.json" 2>/dev/null
same "the same values as the PEM key (one thread)" "$(sha256sum < "$W/tok.json")" \
	"$(sha256sum < "$W/pem.json")"
same "one line per file, none interleaved" "$(grep -c '^{"path":.*"security.evm":"[0-9a-f]*"}$' "$W/tok.json")" 200

# 3. ECDSA generated in the token: cross-verified with evmctl both ways.
mkfiles "$W/e" 2
expect "sign-file with the EC token key" "$E" sign-file --key "$EC" --cert "$W/ecgen.der" \
	--pass "file:$W/pin" "$W"/e/*
expect "evmctl verifies the ECDSA values" bash -c "for f in $W/e/*; do
	evmctl ima_verify --key $W/ecgen.der \$f && evmctl verify --key $W/ecgen.der \$f || exit 1; done"
mkfiles "$W/e2" 1
EVMCTL_KEY_PASSWORD=$PIN evmctl ima_sign --key "$EC" --keyid-from-cert "$W/ecgen.der" \
	"$W/e2/f1" >>"$W/evmctl.log" 2>&1
EVMCTL_KEY_PASSWORD=$PIN evmctl sign --portable --generation 0 --key "$EC" \
	--keyid-from-cert "$W/ecgen.der" "$W/e2/f1" >>"$W/evmctl.log" 2>&1
expect "evmpkg verifies evmctl's ECDSA values through the token" \
	"$E" verify-file --cert "$W/ecgen.der" "$W/e2/f1"

# 4. PINs and refusals.
mkfiles "$W/p" 1
expect "PIN from env:" env TPIN=$PIN "$E" sign-file -n --key "$IMP" --pass env:TPIN "$W/p/f1"
expect "PIN from fd:" bash -c "'$E' sign-file -n --key '$IMP' --pass fd:3 '$W/p/f1' 3<'$W/pin'"
expect "PIN from stdin" bash -c "'$E' sign-file -n --key '$IMP' --pass stdin '$W/p/f1' <'$W/pin'"
expect "PIN from EVMPKG_KEY_PASSWORD" env EVMPKG_KEY_PASSWORD=$PIN \
	"$E" sign-file -n --key "$IMP" "$W/p/f1"
expect "PIN as the URI's pin-value" "$E" sign-file -n --key "$IMP;pin-value=$PIN" "$W/p/f1" \
	</dev/null
out=$("$E" sign-file -n --key "$IMP" "$W/p/f1" 2>&1 </dev/null)
same "no PIN and no terminal: refused" "$?" 2
case $out in
*"the token needs its PIN"*) ok "... saying the token needs its PIN" ;;
*) not_ok "... saying the token needs its PIN" "$out" ;;
esac
out=$(printf '0000\n' | "$E" sign-file -n --key "$IMP" --pass stdin "$W/p/f1" 2>&1)
same "wrong PIN: refused" "$?" 2
case $out in
*"PIN"*) ok "... naming the PIN, not printing it" ;;
*) not_ok "... naming the PIN" "$out" ;;
esac
case $out in *0000*) not_ok "the PIN is not shown" "$out" ;; *) ok "the PIN is not shown" ;; esac
out=$("$E" sign-file -n --key "$T;object=nosuchkey;type=private" --pass "file:$W/pin" \
	"$W/p/f1" 2>&1)
same "no such object: refused" "$?" 2
out=$("$E" sign-file -n --key "$IMP" --cert "$K/other.der" --pass "file:$W/pin" "$W/p/f1" 2>&1)
same "a certificate of another key: refused" "$?" 2
case $out in *"does not match"*) ok "... saying it does not match" ;;
*) not_ok "... saying it does not match" "$out" ;; esac
mkdir -p "$W/empty"
out=$(OPENSSL_ENGINES=$W/empty OPENSSL_MODULES=$W/empty "$E" sign-file -n --key "$IMP" \
	--pass "file:$W/pin" "$W/p/f1" 2>&1)
same "neither the provider nor the engine: refused" "$?" 2
case $out in
*pkcs11-provider*libengine-pkcs11-openssl*) ok "... naming both packages" ;;
*) not_ok "... naming both packages" "$out" ;;
esac

# 5. Packages through the token: the same bytes as with the PEM key, and
# installed by rpm with the plugin and by dpkg with the hooks.
printf 'root:x:0:0:root:/root:/bin/sh\nevmuser:x:1234:1234::/:/bin/sh\n' > "$W/passwd"
printf 'root:x:0:\nevmuser:x:1234:\n' > "$W/group"
ACCT=(--passwd "$W/passwd" --group "$W/group")
rpmbuild --quiet --define "_topdir $W/top" --define "ver 1" \
	-bb tests/rpm/pkgs/evmdemo.spec >"$W/rpmbuild.log" 2>&1
cp "$W"/top/RPMS/noarch/evmdemo-1-1.noarch.rpm "$W/v1.rpm" 2>/dev/null
debdemo_tree "$W/debtree"
dpkg-deb --root-owner-group -b "$W/debtree" "$W/d.deb" >/dev/null 2>&1
expect "rpm and .deb built" test -s "$W/v1.rpm" -a -s "$W/d.deb"
for p in v1.rpm d.deb; do
	"$E" sign --key "$IMP" --cert "$T;object=rsaimp;type=cert" --pass "file:$W/pin" \
		"${ACCT[@]}" -j 4 -o "$W/tok-$p" "$W/$p" >"$W/sign-$p.log" 2>&1
	same "$p signed through the token" "$?" 0
	"$E" sign --key "$K/rsa2048.pem" --cert "$K/rsa2048.der" "${ACCT[@]}" \
		-o "$W/pem-$p" "$W/$p" >/dev/null 2>&1
	expect "$p: byte-identical to the PEM key's" cmp "$W/tok-$p" "$W/pem-$p"
done
# (This system's accounts: evmuser's files get IMA signatures only.)
expect "rpm package signed with the generated token key" "$E" sign --key "$RSA" \
	--cert "$W/rsagen.der" --pass "file:$W/pin" -o "$W/gen.rpm" "$W/v1.rpm"
expect "rpm -K accepts it" rpm -K --nosignature "$W/gen.rpm"
expect "inspect checks it with the token's certificate" "$E" inspect --cert "$W/rsagen.der" \
	"$W/gen.rpm"

# rpm --root with rpm's ima plugin (where this rpm has one) and evmpkg's.
if [ -f "$BD/rpm-plugin/zz_evmpkg.so" ]; then
	plugins=$(rpm --eval '%{__plugindir}')
	[ -d "$plugins" ] || plugins=/usr/lib/$(gcc -print-multiarch)/rpm-plugins
	mkdir -p "$W/plugins"
	[ -f "$plugins/ima.so" ] && ln -s "$plugins/ima.so" "$W/plugins/ima.so"
	ln -s "$BD/rpm-plugin/zz_evmpkg.so" "$W/plugins/zz_evmpkg.so"
	rpm --root "$W/rroot" --dbpath /var/lib/rpm --initdb
	rpm --root "$W/rroot" --dbpath /var/lib/rpm --nodeps $RPM_FORCE_DEBIAN \
		--load "$BD/rpm-plugin/macros.transaction_zz_evmpkg" \
		--define "__plugindir $W/plugins" --define "_evmpkg_certs $W/rsagen.der" \
		-i "$W/gen.rpm" >"$W/rpm-i.log" 2>&1
	same "rpm -i with the plugin installs it" "$?" 0
	expect "installed files verify (evmctl)" bash -c "for f in $W/rroot/usr/bin/*; do
		evmctl ima_verify --key $W/rsagen.der \$f && evmctl verify --key $W/rsagen.der \$f || exit 1; done"
else
	not_ok "rpm -i with the plugin" "$B/rpm-plugin/zz_evmpkg.so not built"
fi
HOOK=$BD/dpkg-hook/evmpkg-dpkg-hook
if [ -x "$HOOK" ]; then
	"$E" sign --key "$RSA" --cert "$W/rsagen.der" --pass "file:$W/pin" \
		-o "$W/gen.deb" "$W/d.deb" >/dev/null 2>&1
	DR=$W/droot
	mkdir -p "$DR/var/lib/dpkg/info" "$DR/var/lib/dpkg/updates"
	: > "$DR/var/lib/dpkg/status"
	printf 'policy = enforce\ncerts = %s\n' "$W/rsagen.der" > "$W/dpkg.conf"
	EVMPKG_DPKG_HOOK=$HOOK EVMPKG_DPKG_CONF=$W/dpkg.conf "$E" dpkg-install \
		--root="$DR" --force-script-chrootless --log=/dev/null \
		--pre-invoke="EVMPKG_DPKG_CONF=$W/dpkg.conf $HOOK pre-invoke" \
		--post-invoke="EVMPKG_DPKG_CONF=$W/dpkg.conf $HOOK post-unpack" \
		"$W/gen.deb" >"$W/dpkg-i.log" 2>&1
	same "dpkg with the hooks installs the .deb" "$?" 0
	expect "installed files verify (evmctl)" bash -c "for f in $DR/usr/bin/demo $DR/usr/bin/demo-suid; do
		evmctl ima_verify --key $W/rsagen.der \$f && evmctl verify --key $W/rsagen.der \$f || exit 1; done"
else
	not_ok "dpkg with the hooks" "$HOOK not built"
fi

# 6. The signing host: request on the build host (certificate only),
# signatures made with the token, attached and verified on the build host.
expect "--request for both packages (cert as a pkcs11: URI)" "$E" sign --request "$W/req" \
	--cert "$T;object=rsaimp;type=cert" "${ACCT[@]}" "$W/v1.rpm" "$W/d.deb"
expect "the packages are not changed by --request" bash -c \
	"cmp '$W/v1.rpm' '$W/top/RPMS/noarch/evmdemo-1-1.noarch.rpm'"
expect "--sign-request with the token key" "$E" sign --sign-request "$W/req" --key "$IMP" \
	--pass "file:$W/pin" -j 4 -o "$W/sigs"
cp "$W/v1.rpm" "$W/att.rpm"
cp "$W/d.deb" "$W/att.deb"
expect "--attach to both" "$E" sign --attach "$W/sigs" --cert "$K/rsa2048.der" "${ACCT[@]}" \
	"$W/att.rpm" "$W/att.deb"
expect "rpm: attached = signed directly" cmp "$W/att.rpm" "$W/pem-v1.rpm"
expect "deb: attached = signed directly" cmp "$W/att.deb" "$W/pem-d.deb"
refuse "--sign-request with another key" "$E" sign --sign-request "$W/req" \
	--key "$K/other.pem" -o "$W/sigs-other"
"$E" sign --request "$W/req-other" --cert "$K/other.der" "${ACCT[@]}" "$W/v1.rpm" >/dev/null 2>&1
"$E" sign --sign-request "$W/req-other" --key "$K/other.pem" -o "$W/sigs-other" >/dev/null 2>&1
# bad NAME SIGS PATTERN: --attach refused, the message names what is wrong,
# and the package is the same bytes afterwards.
bad() {
	local name=$1 sigs=$2 pat=$3 before out rc
	cp "$W/v1.rpm" "$W/bad.rpm"
	before=$(sha256sum < "$W/bad.rpm")
	out=$("$E" sign --attach "$sigs" --cert "$K/rsa2048.der" "${ACCT[@]}" "$W/bad.rpm" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && printf '%s' "$out" | grep -q -- "$pat" &&
		[ "$(sha256sum < "$W/bad.rpm")" = "$before" ]; then
		ok "attach refuses $name, naming it, package unchanged"
	else
		not_ok "attach refuses $name" "exit $rc: $(printf '%s' "$out" | tail -n 2)"
	fi
}
python3 tests/hsm/sigs.py "$W/sigs" "$W/s-flip" flip /usr/bin/evmdemo
bad "a wrong security.evm" "$W/s-flip" "/usr/bin/evmdemo: security.evm"
python3 tests/hsm/sigs.py "$W/sigs" "$W/s-swap" swap /usr/bin/evmdemo /usr/bin/evmdemo-suid
bad "two files' values swapped" "$W/s-swap" "/usr/bin/evmdemo: security.ima"
python3 tests/hsm/sigs.py "$W/sigs" "$W/s-drop" drop /usr/bin/evmdemo-suid
bad "a missing value" "$W/s-drop" "/usr/bin/evmdemo-suid: no signature returned"
bad "values of another key" "$W/sigs-other" "made for key"
head -c 100 "$W/sigs" > "$W/s-short"
bad "a truncated file" "$W/s-short" "$W/s-short: rpm:evmdemo-1-1.noarch: 8 files cannot fit"
bad "a request instead of signatures" "$W/req" "a signing request, not signatures"

finish
