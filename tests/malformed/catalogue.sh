#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The malformed-input catalogue (tests/malformed/cases): each damaged
# package, manifest, certificate and key is made from good ones by the
# generators beside this script, then met by every tool that reads it:
# `evmpkg inspect`, `evmpkg sign`, the rpm plugin under real rpm (rpm's
# own digest and signature checks off, so the bytes reach the plugin),
# and the apt hook (apt-verify, as apt runs it). Each must refuse it with
# the catalogue's message, name the package, and write nothing: no output
# package, the input as it was, no file in the target root and no rpmdb
# entry. Damaged signing requests and signatures (reqbad.py) meet the
# signing-host flow: `evmpkg sign --sign-request` writes no signatures,
# `evmpkg sign --attach` leaves the packages as they were with nothing
# beside them. CASES=ID,ID... runs only those; CATALOGUE_JOBS=N runs the
# cases in N shards side by side (default: one per CPU).
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/rpmdebian.sh
T_NAME=malformed
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"
HOOK=$PWD/$B/dpkg-hook/evmpkg-dpkg-hook
RPM_MF="$PWD/$B/tests/rpm-mf"
G=tests/malformed
SYSPLUGINS=$(rpm --eval '%{__plugindir}')
[ -d "$SYSPLUGINS" ] || SYSPLUGINS=/usr/lib/$(gcc -print-multiarch)/rpm-plugins

[ "$(id -u)" = 0 ] || { not_ok setup "needs root (rpm --root, xattrs)"; finish; exit 1; }
for t in rpm rpmbuild dpkg-deb python3 "$RPM_MF" "$HOOK" "$EVMPKG"; do
	command -v "$t" >/dev/null || { not_ok setup "needs $t (make deps; make check builds the tools)"; finish; exit 1; }
done
python3 -c 'import cryptography' 2>/dev/null || { not_ok setup "needs python3-cryptography"; finish; exit 1; }
work=$(mktemp -d /var/tmp/evmpkg-malformed.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work" "$work".s*' EXIT
keys=$work/keys
tests/keys.sh "$keys" >/dev/null 2>&1 || { not_ok keys "tests/keys.sh failed"; finish; exit 1; }
CERT=$keys/rsa2048.der

# --- the good inputs -------------------------------------------------------
printf 'root:x:0:0::/:/bin/sh\nevmuser:x:1234:1234::/:/bin/sh\nnosuchuser:x:1235:1235::/:/bin/sh\n' > "$work/passwd"
printf 'root:x:0:\nevmuser:x:1234:\nnosuchuser:x:1235:\n' > "$work/group"
rpmbuild --quiet --define "_topdir $work/top" --define "ver 1" \
	-bb tests/rpm/pkgs/evmdemo.spec >"$work/build.log" 2>&1
"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" --passwd "$work/passwd" --group "$work/group" \
	-o "$work/good.rpm" "$work/top/RPMS/noarch/evmdemo-1-1.noarch.rpm" >"$work/sign.log" 2>&1
expect "the good rpm package verifies" "$EVMPKG" inspect --cert "$CERT" "$work/good.rpm"
"$RPM_MF" get "$work/good.rpm" "$work/good-rpm.mf"
. tests/debdemo.sh
debdemo_tree "$work/debtree"
dpkg-deb -Zxz --build "$work/debtree" "$work/v.deb" >/dev/null 2>&1
"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" -o "$work/good.deb" "$work/v.deb" >>"$work/sign.log" 2>&1
expect "the good .deb verifies" "$EVMPKG" inspect --cert "$CERT" "$work/good.deb"
dpkg-deb -R "$work/good.deb" "$work/debx"
cp "$work/debx/DEBIAN/evmsig" "$work/good-deb.mf"
mkdir -p "$work/c"
expect "certificates and keys made" python3 $G/certs.py "$keys" "$work/c"

# The signing-host flow's good inputs, from the unsigned packages: a
# request and its signatures for each (rpm.req, rpm.sigs, deb.req,
# deb.sigs), and the rpm's made for other keys (other.*, ec.*).
REQOPTS=(--sign-config --passwd "$work/passwd" --group "$work/group")
cp "$work/top/RPMS/noarch/evmdemo-1-1.noarch.rpm" "$work/u.rpm"
pkgfile() { case $1 in rpm) echo "$work/u.rpm" ;; deb) echo "$work/v.deb" ;; esac; }
# signing_host NAME PKG CERTKEY: NAME.req for PKG and key CERTKEY, and NAME.sigs.
signing_host() {
	"$EVMPKG" sign --request "$work/$1.req" --cert "$keys/$3.der" "${REQOPTS[@]}" "$(pkgfile "$2")" &&
		"$EVMPKG" sign --sign-request "$work/$1.req" --key "$keys/$3.pem" -o "$work/$1.sigs"
} >>"$work/sign.log" 2>&1
for s in "rpm rpm rsa2048" "deb deb rsa2048" "other rpm other" "ec rpm ec256"; do
	# shellcheck disable=SC2086
	expect "control: request and signatures made ($s)" signing_host $s
done
# attach_all SIGS DIR PKG...: the packages copied into DIR (nothing else
# there), and SIGS attached to them.
attach_all() {
	local sigs=$1 dir=$2 p files=()
	shift 2
	rm -rf "$dir"
	mkdir "$dir"
	for p in "$@"; do
		cp "$(pkgfile "$p")" "$dir/$p.$p"
		files+=("$dir/$p.$p")
	done
	"$EVMPKG" sign --attach "$sigs" --cert "$CERT" "${REQOPTS[@]}" "${files[@]}"
}
expect "control: the good signatures attach" attach_all "$work/rpm.sigs" "$work/att" rpm
expect "control: what they make verifies" "$EVMPKG" inspect --cert "$CERT" "$work/att/rpm.rpm"
expect "control: the good .deb signatures attach" attach_all "$work/deb.sigs" "$work/att" deb
expect "control: what they make verifies" "$EVMPKG" inspect --cert "$CERT" "$work/att/deb.deb"

mkdir -p "$work/plugins"
ln -s "$PWD/$B/rpm-plugin/zz_evmpkg.so" "$work/plugins/zz_evmpkg.so"
ln -s "$SYSPLUGINS/ima.so" "$work/plugins/ima.so"
R=$work/root
rpmi() {	# rpmi CERTS PKG: rpm -i into a fresh root, rpm's own checks off
	rm -rf "$R"
	mkdir -p "$R/etc"
	cp "$work/passwd" "$work/group" "$R/etc/"
	rpm --root "$R" --dbpath /var/lib/rpm --initdb
	rpm --root "$R" --dbpath /var/lib/rpm --nodeps $RPM_FORCE_DEBIAN \
		--nodigest --nosignature --define '_pkgverify_level none' \
		--load "$PWD/$B/rpm-plugin/macros.transaction_zz_evmpkg" \
		--define "__plugindir $work/plugins" --define "_evmpkg_policy enforce" \
		--define "_evmpkg_certs $1" -i "$2"
}
aptverify() {	# aptverify CERTS DEB: the apt hook as apt runs it
	printf 'policy = enforce\ncerts = %s\n' "$1" > "$work/dpkg.conf"
	printf 'VERSION 3\nAPT::Architecture=amd64\nDir::Etc::Parts=apt.conf.d\n\nevmdemo - - none < 1.0-1 all none %s\n' "$2" |
		EVMPKG_DPKG_CONF=$work/dpkg.conf "$HOOK" apt-verify
}
expect "control: the good rpm installs with the plugin, same options" rpmi "$CERT" "$work/good.rpm"
expect "control: the good .deb passes the apt hook" aptverify "$CERT" "$work/good.deb"

# refused NAME WANT OUTFILE RC: non-zero, the message, and a name in it.
refused() {
	local name=$1 want=$2 out=$3 rc=$4
	if [ "$rc" -eq 0 ]; then
		not_ok "$name" "accepted: $(tail -n 2 "$out")"
	elif [ -n "$want" ] && ! printf '%s\n' "$want" | sed 's/ OR /\n/g' | grep -qFf - "$out"; then
		not_ok "$name" "refused without '$want': $(grep -v '^  \|^/' "$out" | head -n 3)"
	else
		ok "$name"
	fi
}

# all_verify: every regular file rpmi installed carries a security.ima and
# a security.evm that evmctl verifies against the certificate.
all_verify() {
	local f n=0
	while IFS= read -r f; do
		case $f in */etc/evmdemo/*) continue ;; esac
		n=$((n + 1))
		evmctl ima_verify --key "$CERT" "$f" >/dev/null 2>&1 &&
			evmctl verify --key "$CERT" "$f" >/dev/null 2>&1 || { echo "$f"; return 1; }
	done < <(find "$R/usr" "$R/opt" -type f)
	[ "$n" -eq 8 ]
}

# make_case KIND OP...: the damaged input, as $X.
make_case() {
	local kind=$1
	shift
	case $kind in
	rpm) X=$work/x.rpm; python3 $G/rpmbad.py "$work/good.rpm" "$X" "$@" ;;
	rpmsig) X=$work/x.rpm; eval "set -- $*"; "$RPM_MF" sig "$work/good.rpm" "$1" "$2" "$X" ;;
	rpmmf) X=$work/x.rpm; python3 $G/mf.py "$work/good-rpm.mf" "$work/x.mf" "$@" &&
		"$RPM_MF" set "$work/good.rpm" "$work/x.mf" "$X" ;;
	deb) X=$work/x.deb; python3 $G/debbad.py "$work/good.deb" "$X" "$@" ;;
	debmf) X=$work/x.deb; python3 $G/mf.py "$work/good-deb.mf" "$work/debx/DEBIAN/evmsig" "$@" &&
		dpkg-deb -b "$work/debx" "$X" >/dev/null 2>&1 ;;
	cert|key) X=$work/c/$1; test -e "$X" ;;
	req|sigs)	# PKG [@FILE] [signed] OPS: @NAME is $work/NAME
		local in=$work/$1.$kind
		shift
		case ${1:-} in @*) in=$work/${1#@}; shift ;; esac
		X=$work/x.$kind
		if [ "${1:-}" = signed ]; then	# the request damaged, then signed
			shift
			python3 $G/reqbad.py "${in%.sigs}.req" "$work/x.req" "${@/#@/$work/}" &&
				"$EVMPKG" sign --sign-request "$work/x.req" --key "$keys/rsa2048.pem" -o "$X"
		else
			python3 $G/reqbad.py "$in" "$X" "${@/#@/$work/}"
		fi ;;
	reqpkgs) X=$work/x.req; PKGS=(); for p in "$@"; do PKGS+=("$(pkgfile "$p")"); done ;;
	esac
}

# run_cases SHARD JOBS: every JOBS-th case from the SHARD-th, in $work.
run_cases() {
local shard=$1 njobs=$2	# the cases' own `set --` replaces $1 and $2
ncases=0
while IFS='|' read -r id kind op msg other smsg; do
	id=$(echo $id); kind=$(echo $kind); other=$(echo $other); smsg=$(echo $smsg)
	msg=$(printf '%s' "$msg" | sed 's/^ //; s/ $//')
	case $id in ''|'#'*) continue ;; esac
	[ -n "${CASES:-}" ] && [[ ",$CASES," != *",$id,"* ]] && continue
	ncases=$((ncases + 1))
	[ $(((ncases - 1) % njobs)) -eq "$shard" ] || continue
	rm -f "$work/x.rpm" "$work/x.deb" "$work/out.pkg" "$work/x.req" "$work/x.sigs"
	# shellcheck disable=SC2086
	if ! make_case "$kind" $op >"$work/make.out" 2>&1; then
		not_ok "$id: made" "$(tail -n 2 "$work/make.out")"
		continue
	fi
	case $kind in
	rpm|rpmsig|rpmmf|deb|debmf)
		sum=$(sha256sum < "$X")
		if [ "$msg" = ACCEPT ]; then
			expect "$id: inspect accepts" "$EVMPKG" inspect --cert "$CERT" "$X"
			expect "$id: the rpm plugin installs" rpmi "$CERT" "$X"
			expect "$id: what it installed verifies (evmctl)" all_verify
			continue
		fi
		"$EVMPKG" inspect --cert "$CERT" "$X" >"$work/o" 2>&1
		refused "$id: inspect" "$msg" "$work/o" $?
		expect "$id: inspect names the package" grep -qE "x\.(rpm|deb)|evmdemo" "$work/o"
		if [ "$kind" = rpm ] || [ "$kind" = deb ]; then
			"$EVMPKG" sign --key "$keys/rsa2048.pem" -o "$work/out.pkg" "$X" >"$work/o" 2>&1
			refused "$id: sign" "${smsg:-$msg}" "$work/o" $?
			same "$id: sign writes no output" "$(ls "$work/out.pkg" "$work"/x.*.evmpkg-* 2>/dev/null)" ""
		fi
		same "$id: the input is as it was" "$(sha256sum < "$X")" "$sum"
		want=$msg
		[ "$other" = "=" ] || [ "$other" = rpm ] || want=$other
		[ "$other" = rpm ] && want=
		case $kind in
		rpm*)
			if [ "$other" = ok ]; then
				expect "$id: rpm with its checks off installs it" rpmi "$CERT" "$X"
				expect "$id: what it installed verifies (evmctl)" all_verify
				continue
			fi
			rpmi "$CERT" "$X" >"$work/o" 2>&1
			refused "$id: rpm plugin" "$want" "$work/o" $?
			same "$id: rpm leaves no file" "$(find "$R" -path "$R/var" -prune -o -type f -print | grep -v "^$R/etc/" | wc -l)" 0
			refuse "$id: not in the rpmdb" rpm --root "$R" --dbpath /var/lib/rpm -q evmdemo ;;
		deb*)
			aptverify "$CERT" "$X" >"$work/o" 2>&1
			refused "$id: apt hook" "$want" "$work/o" $? ;;
		esac ;;
	cert)
		"$EVMPKG" inspect --cert "$X" "$work/good.rpm" >"$work/o" 2>&1
		refused "$id: inspect --cert" "$msg" "$work/o" $?
		expect "$id: the message names the file" grep -qF "$X" "$work/o"
		rpmi "$X" "$work/good.rpm" >"$work/o" 2>&1
		refused "$id: rpm plugin, %_evmpkg_certs" "$msg" "$work/o" $?
		same "$id: rpm leaves no file" "$(find "$R" -path "$R/var" -prune -o -type f -print | grep -v "^$R/etc/" | wc -l)" 0
		aptverify "$X" "$work/good.deb" >"$work/o" 2>&1
		refused "$id: apt hook, certs =" "$msg" "$work/o" $? ;;
	key)
		"$EVMPKG" sign --key "$X" -o "$work/out.pkg" "$work/good.rpm" >"$work/o" 2>&1
		refused "$id: sign --key" "$msg" "$work/o" $?
		expect "$id: the message names the file" grep -qF "$X" "$work/o"
		same "$id: no output" "$(ls "$work/out.pkg" 2>/dev/null)" "" ;;
	req)
		sum=$(sha256sum < "$X")
		rm -rf "$work/so"
		mkdir "$work/so"
		"$EVMPKG" sign --sign-request "$X" --key "$keys/rsa2048.pem" -o "$work/so/x.sigs" >"$work/o" 2>&1
		refused "$id: sign --sign-request" "$msg" "$work/o" $?
		expect "$id: the message names the request" grep -qF "$X: " "$work/o"
		same "$id: no signatures written, no temporary file" "$(ls -A "$work/so")" ""
		same "$id: the request is as it was" "$(sha256sum < "$X")" "$sum" ;;
	sigs)	# attached to the package it names and the other one (to that
		# one alone when they are the other one's signatures)
		set -- $op
		other=rpm
		[ "$1" = rpm ] && other=deb
		pkgs=("$1" "$other")
		[ "${2:-}" = "@$other.sigs" ] && pkgs=("$1")
		attach_all "$X" "$work/att" "${pkgs[@]}" >"$work/o" 2>&1
		refused "$id: sign --attach" "$msg" "$work/o" $?
		expect "$id: the message names the signatures or the package" \
			grep -qF -e "$X: " -e "$work/att/$1.$1: " "$work/o"
		same "$id: the packages are as they were, nothing beside them" \
			"$(ls -A "$work/att"; for p in "${pkgs[@]}"; do sha256sum < "$work/att/$p.$p"; done)" \
			"$(for p in "${pkgs[@]}"; do echo "$p.$p"; done | sort
			   for p in "${pkgs[@]}"; do sha256sum < "$(pkgfile "$p")"; done)" ;;
	reqpkgs)
		rm -rf "$work/so"
		mkdir "$work/so"
		"$EVMPKG" sign --request "$work/so/x.req" --cert "$CERT" "${REQOPTS[@]}" \
			"${PKGS[@]}" >"$work/o" 2>&1
		refused "$id: sign --request" "$msg" "$work/o" $?
		expect "$id: the message names the request" grep -qF "$work/so/x.req: " "$work/o"
		same "$id: no request written, no temporary file" "$(ls -A "$work/so")" "" ;;
	*) not_ok "$id" "unknown kind '$kind'" ;;
	esac
done < $G/cases
}

# The shards side by side, each in a copy of the work directory (a case
# writes beside its inputs and into its own root); their lines in shard
# order, their counts added.
jobs=${CATALOGUE_JOBS:-$(nproc)}
base=$work
for ((k = 0; k < jobs; k++)); do
	cp -a "$base" "$base.s$k"
	(
		work=$base.s$k R=$base.s$k/root T_PASS=0 T_FAIL=0
		run_cases "$k" "$jobs"
		echo "$T_PASS $T_FAIL $ncases" > "$work/counts"
	) > "$base.s$k.out" 2>&1 &
done
wait
for ((k = 0; k < jobs; k++)); do
	cat "$base.s$k.out"
	ncases=0
	read -r p f ncases < "$base.s$k/counts" || { not_ok "shard $k" "ended early"; continue; }
	T_PASS=$((T_PASS + p))
	T_FAIL=$((T_FAIL + f))
done
work=$base
R=$work/root
[ -n "${CASES:-}" ] || expect "at least 60 cases in the catalogue ($ncases)" test "$ncases" -ge 60

# Accepted, as the kernel accepts them: an expired certificate (the kernel
# does not check validity dates of IMA/EVM keys), and one without a
# subjectKeyIdentifier, with a warning (the kernel cannot find it by the
# key id in signatures).
if [ -z "${CASES:-}" ]; then
	expect "expired certificate: inspect accepts (validity is not checked, as by the kernel)" \
		"$EVMPKG" inspect --cert "$work/c/expired.der" "$work/good.rpm"
	"$EVMPKG" inspect --cert "$work/c/noskid.der" "$work/good.rpm" >/dev/null 2>"$work/o"
	same "no subjectKeyIdentifier: inspect accepts" "$?" 0
	expect "... and warns" grep -q "warning: 1 certificate(s) without a subjectKeyIdentifier" "$work/o"
	rpmi "$work/c/noskid.der" "$work/good.rpm" >"$work/o" 2>&1
	same "no subjectKeyIdentifier: the rpm plugin installs" "$?" 0
	expect "... and warns" grep -q "without a subjectKeyIdentifier" "$work/o"
fi
finish
