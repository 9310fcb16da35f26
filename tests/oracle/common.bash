# SPDX-License-Identifier: GPL-2.0-or-later
# Shared setup for the oracle tiers (sourced, not a tier itself: it has no
# .sh suffix so tests/check.sh does not run it). The caller sets T_NAME,
# cds to the repository root and sources tests/lib.sh first.
# Sets: E (absolute path of evmpkg), W (scratch dir on a filesystem with
# security.* xattrs, removed on exit), K (key dir from tests/keys.sh;
# reuses $EVMPKG_TEST_KEYS when set).

B=${B:-build}
E=$(cd "$B" 2>/dev/null && pwd)/evmpkg

# oracle_setup: returns non-zero (after counting a failure) if the tier
# cannot run at all.
oracle_setup() {
	if [ ! -x "$E" ]; then
		not_ok setup "$B/evmpkg not built (run make)"
		return 1
	fi
	if ! command -v evmctl >/dev/null || ! command -v getfattr >/dev/null ||
		! command -v setcap >/dev/null || ! command -v jq >/dev/null ||
		! command -v xxd >/dev/null; then
		not_ok setup "needs evmctl (ima-evm-utils), getfattr/setfattr (attr), setcap (libcap2-bin), jq, xxd"
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		not_ok setup "must run as root (security.* xattrs, chown)"
		return 1
	fi
	# /var/tmp, not /tmp: /tmp may be tmpfs, where evmctl 1.4's
	# FS_IOC_GETVERSION and some xattrs fail.
	W=$(mktemp -d /var/tmp/evmpkg-oracle.XXXXXX) || {
		not_ok setup "mktemp"
		return 1
	}
	trap 'rm -rf "$W"' EXIT
	chmod 0755 "$W"
	: >"$W/probe"
	if ! setfattr -n security.evmpkgprobe -v 1 "$W/probe" 2>/dev/null; then
		not_ok setup "$W: filesystem refuses security.* xattrs"
		return 1
	fi
	rm -f "$W/probe"
	K=${EVMPKG_TEST_KEYS:-$W/keys}
	if ! out=$(bash tests/keys.sh "$K" 2>&1); then
		not_ok setup "tests/keys.sh: $out"
		return 1
	fi
	return 0
}

# xa FILE NAME: the xattr's value in lowercase hex, empty if absent.
xa() {
	getfattr --absolute-names -n "$2" -e hex "$1" 2>/dev/null |
		sed -n "s/^$2=0x//p"
}

# xdump FILE ARRAY: all security.* xattrs of FILE into the associative
# ARRAY (name -> lowercase hex), with one getfattr.
xdump() {
	local -n _m=$2
	local line
	_m=()
	while IFS= read -r line; do
		case $line in
		security.*=0x*) _m[${line%%=*}]=${line#*=0x} ;;
		esac
	done < <(getfattr --absolute-names -d -m '^security\.' -e hex "$1" 2>/dev/null)
}

# label_hex LABEL: hex of LABEL with its terminating NUL, as SELinux
# stores labels (and as evmctl --selinux hashes them).
label_hex() {
	printf '%s\0' "$1" | xxd -p | tr -d '\n'
}

# keyid_of CERT.der: last 4 bytes of the certificate's SKID, lowercase hex.
keyid_of() {
	openssl x509 -inform DER -in "$1" -noout -ext subjectKeyIdentifier |
		tail -n 1 | tr -d ' :\n' | tr 'A-F' 'a-f' | tail -c 8
}

# algo_byte NAME: the hash_algo number in signature headers, in hex.
algo_byte() {
	case $1 in
	sha256) echo 04 ;;
	sha384) echo 05 ;;
	sha512) echo 06 ;;
	esac
}

# same_x NAME GOT WANT: like `same`, but an empty value never passes
# (two missing xattrs are not a match).
same_x() {
	if [ -z "$2" ]; then
		not_ok "$1" "value missing (want '${3:0:40}...')"
	else
		same "$1" "$2" "$3"
	fi
}
