# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by the tiers that install signed .debs (tests/dpkg/hooks.sh,
# tests/apt/apt.sh), after tests/lib.sh. They set EVMPKG (the evmpkg
# command), keys (tests/keys.sh's directory), CERT (the trusted DER
# certificate) and work (their scratch directory).

# debcheck_accounts: $work/passwd and $work/group, the target's accounts
# the packages are signed for (root and daemon, as on Debian).
debcheck_accounts() {
	printf 'root:x:0:0::/:/bin/sh\ndaemon:x:1:1::/:/bin/sh\n' > "$work/passwd"
	printf 'root:x:0:\ndaemon:x:1:\n' > "$work/group"
}

# sign IN OUT [options]: evmpkg sign with the trusted key for those
# accounts (SIGN_KEY and SIGN_CERT name another key), log in $work/sign.log.
sign() {
	local in=$1 out=$2
	shift 2
	"$EVMPKG" sign --key "${SIGN_KEY:-$keys/rsa2048.pem}" --cert "${SIGN_CERT:-$CERT}" \
		--passwd "${SIGN_PASSWD:-$work/passwd}" --group "$work/group" \
		-o "$out" "$@" "$in" >>"$work/sign.log" 2>&1
}

xattr() {	# xattr NAME FILE: hex value, or nothing
	getfattr --absolute-names -h -n "$1" -e hex "$2" 2>/dev/null | sed -n "s/^$1=0x//p"
}

# check_signed ROOT JSON [LABEL]: every file the package signs for IMA and
# EVM (JSON: evmpkg inspect --json of it) carries the signed values under
# ROOT, and evmctl, the independent oracle, verifies both against CERT and
# the file as it is. Sets CHECKED to the number of files.
check_signed() {
	local root=$1 json=$2 label=${3:+$3: } path ima evm f
	CHECKED=0
	while IFS=$'\t' read -r path ima evm; do
		f=$root$path
		CHECKED=$((CHECKED + 1))
		same "$label$path: security.ima as signed" "$(xattr security.ima "$f")" "$ima"
		same "$label$path: security.evm as signed" "$(xattr security.evm "$f")" "$evm"
		expect "$label$path: evmctl ima_verify" evmctl ima_verify --key "$CERT" "$f"
		expect "$label$path: evmctl verify (EVM over the installed metadata)" evmctl verify --key "$CERT" "$f"
	done < <(jq -r 'select(.signed == "ima+evm") | [.path, .ima_value, .evm_value] | @tsv' "$json")
}

no_bad_evm() {	# every security.evm under $1 verifies
	local f bad=0
	while IFS= read -r f; do
		evmctl verify --key "$CERT" "$f" >/dev/null 2>&1 || { bad=1; echo "$f"; }
	done < <(getfattr -R -h --absolute-names -m security.evm "$1" 2>/dev/null | sed -n 's/^# file: //p')
	return $bad
}
