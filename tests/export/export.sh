#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# evmpkg export: a root with a signed .deb installed by plain dpkg --root
# and a signed rpm installed by rpm --root without the plugin (no
# security.* xattrs anywhere in it), exported as a pax tar and as a
# debugfs script; each image made from them is read back and compared
# with what `evmpkg inspect --json` says the packages signed:
#   tar --xattrs -tvv lists the records; the tar extracted as root by GNU
#   tar on ext4, every signed file checked with getfattr and with evmctl
#   ima_verify and verify (the independent oracle); an ext4 image made by
#   mke2fs -d ROOT and the debugfs script, read back with debugfs (byte
#   for byte) and loop-mounted for evmctl; a squashfs image made by
#   tar2sqfs (squashfs-tools-ng) from the tar, read back with sqfs2tar
#   and with unsquashfs -d, then evmctl;
# a file changed in the root is reported and exported without
# signatures; the export run as nobody over a tree nobody owns (the
# rootless case) gives the same signed values; mmdebstrap with a
# customize hook running evmpkg apply and evmpkg export.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
. tests/debdemo.sh
. tests/debcheck.sh
. tests/rpmdebian.sh
T_NAME=export
B=${B:-build}
EVMPKG="$PWD/$B/evmpkg"

work=$(mktemp -d /var/tmp/evmpkg-export.XXXXXX)
chmod 0755 "$work"
trap '[ -n "${KEEP:-}" ] || { umount "$work/mnt" 2>/dev/null; rm -rf "$work"; }' EXIT
keys=$work/keys
setup_fail() { not_ok setup "$1"; finish; exit 1; }
[ "$(id -u)" = 0 ] || setup_fail "needs root (dpkg --root, rpm --root, chown, security.* xattrs)"
for t in mmdebstrap apt-ftparchive dpkg dpkg-deb rpm rpmbuild evmctl getfattr getcap jq tar mke2fs debugfs \
	tar2sqfs sqfs2tar unsquashfs setpriv; do
	command -v "$t" >/dev/null || setup_fail "needs $t (make deps)"
done
[ -x "$EVMPKG" ] || setup_fail "build first (make B=$B)"
tests/keys.sh "$keys" >/dev/null 2>&1 || setup_fail "tests/keys.sh failed"
CERT=$keys/rsa2048.der
debcheck_accounts
printf 'evmuser:x:1234:1234::/:/bin/sh\n' >> "$work/passwd"
printf 'evmuser:x:1234:\n' >> "$work/group"

# --- the root: a signed .deb by dpkg, a signed rpm by rpm, no hooks -------
P=$work/pkg
debdemo_tree "$P"
printf 'odd "name"\n' > "$P/opt/demo/data/with space \"é\".txt"
dpkg-deb -Zxz --build "$P" "$work/demo.deb" >/dev/null 2>&1 || setup_fail "dpkg-deb --build"
printf '/usr/bin/demo(-link)?\t--\tsystem_u:object_r:bin_t:s0\n' > "$work/file_contexts"
sign "$work/demo.deb" "$work/demo-signed.deb" --sign-config --file-contexts "$work/file_contexts" \
	--caps /usr/sbin/demo-ping=cap_net_raw+ep || setup_fail "evmpkg sign (.deb): $(tail -n 3 "$work/sign.log")"
rpmbuild --quiet --define "_topdir $work/top" --define "ver 1" -bb tests/rpm/pkgs/evmdemo.spec \
	>"$work/rpmbuild.log" 2>&1 || setup_fail "rpmbuild: $(tail -n 3 "$work/rpmbuild.log")"
"$EVMPKG" sign --key "$keys/rsa2048.pem" --cert "$CERT" --passwd "$work/passwd" \
	--group "$work/group" --sign-config -o "$work/evmdemo-signed.rpm" \
	"$work"/top/RPMS/noarch/evmdemo-1-1.noarch.rpm >>"$work/sign.log" 2>&1 ||
	setup_fail "evmpkg sign (.rpm): $(tail -n 3 "$work/sign.log")"
"$EVMPKG" inspect --json --cert "$CERT" "$work/demo-signed.deb" > "$work/deb.json" 2>/dev/null
"$EVMPKG" inspect --json --cert "$CERT" "$work/evmdemo-signed.rpm" > "$work/rpm.json" 2>/dev/null
cat "$work/deb.json" "$work/rpm.json" > "$work/all.json"

R=$work/root
mkdir -p "$R/etc" "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
touch "$R/var/lib/dpkg/status"
cp "$work/passwd" "$work/group" "$R/etc/"
mkfifo "$R/fifo"
mknod "$R/null" c 1 3
dpkg --root="$R" --admindir="$R/var/lib/dpkg" --force-script-chrootless --log=/dev/null \
	-i "$work/demo-signed.deb" >"$work/dpkg.out" 2>&1 || setup_fail "dpkg -i: $(tail -n 3 "$work/dpkg.out")"
rpm --root "$R" --dbpath /var/lib/rpm --initdb
rpm --root "$R" --dbpath /var/lib/rpm --nodeps --noplugins $RPM_FORCE_DEBIAN \
	-i "$work/evmdemo-signed.rpm" >"$work/rpm.out" 2>&1 || setup_fail "rpm -i: $(tail -n 3 "$work/rpm.out")"
same "the root has no security.ima or security.evm (nothing applied them)" \
	"$(getfattr -R -h -m 'security\.(ima|evm)' "$R" 2>/dev/null | grep -c '^security')" 0

# The expected values: path, kind, uid, gid, mode (octal), ima, evm.
jq -r '[.path, .signed, (.uid // "-"), (.gid // "-"), (.mode // "-"), .ima_value, (.evm_value // "-")] | @tsv' \
	"$work/all.json" | awk -F'\t' '$2 == "ima" || $2 == "ima+evm"' > "$work/expected.tsv"
n_evm=$(awk -F'\t' '$2 == "ima+evm"' "$work/expected.tsv" | wc -l)
n_ima=$(awk -F'\t' '$2 == "ima"' "$work/expected.tsv" | wc -l)
expect "the packages sign files for IMA and EVM ($n_evm) and for IMA only ($n_ima)" \
	test "$n_evm" -ge 10 -a "$n_ima" -ge 3

# --- export ------------------------------------------------------------------
X=$work/out
mkdir -p "$X"
"$EVMPKG" export --root "$R" --cert "$CERT" --sign-config --all --tar "$X/root.tar" \
	--debugfs "$X/root.debugfs" >"$work/export.out" 2>&1
same "export: exit status" "$?" 0
expect "export: summary counts both packages and every signed file" \
	grep -q "^evmpkg: export: 2 signed packages, $((n_evm + n_ima)) files exported with their signatures, 0 problems" "$work/export.out"
same "export: no temporary file left" "$(ls -A "$X")" "$(printf 'root.debugfs\nroot.tar')"
tar --xattrs --xattrs-include='security.*' -tvvf "$X/root.tar" >"$work/list" 2>"$work/list.err"
same "tar -tvv: exit status" "$?" 0
same "tar -tvv: no complaint about the archive" "$(cat "$work/list.err")" ""
for p in usr/bin/evmdemo opt/demo/data/owned usr/sbin/demo-symlink fifo null var/lib/dpkg/info/evmdemo.evmsig; do
	expect "tar holds /$p" grep -q " $p\( \|$\)" "$work/list"
done
expect "tar holds the name with a space, quotes and é" grep -qF 'opt/demo/data/with space "é".txt' "$work/list"

# Records per signed path: security.ima always, security.evm for EVM ones,
# in the listing right after the path's line (a hard link's records are
# those of the first name, which carries the data).
# names() LISTING: "/path<TAB>xattr name" per record of a tar -tvv listing.
names() {
	sed -E -e '/^[-dlcbhp]/{s/^([^ ]+ +){5}//; s/ link to .*//; s|^\./||; s|^|N/|}' -e '/^  x: [0-9]+ security\./s/^  x: [0-9]+ /X/' "$1" |
		awk '/^N/ {name = substr($0, 2)} /^X/ {print name "\t" substr($0, 2)}'
}
listed=$(names "$work/list")
recs_ok=1
while IFS=$'\t' read -r path kind _; do
	printf '%s\n' "$listed" | grep -qxF "$path"$'\tsecurity.ima' || { recs_ok=0; echo "no security.ima record for $path"; }
	if [ "$kind" = ima+evm ]; then
		printf '%s\n' "$listed" | grep -qxF "$path"$'\tsecurity.evm' || { recs_ok=0; echo "no security.evm record for $path"; }
	fi
done < <(grep -v -e '/usr/bin/demo-link' -e '/opt/evmdemo/h2' "$work/expected.tsv") > "$work/recs.err"
same "tar --xattrs -tvv: a SCHILY.xattr record for every signed value" "$recs_ok" 1
[ "$recs_ok" = 1 ] || cat "$work/recs.err"
expect "tar: security.capability of demo-ping and evmdemo-ping" \
	test "$(printf '%s\n' "$listed" | grep -c $'\tsecurity.capability')" = 2
expect "tar: security.selinux of /usr/bin/demo" grep -qxF $'/usr/bin/demo\tsecurity.selinux' <<<"$listed"
expect "tar: unsigned files carry no security.* record" \
	test "$(printf '%s\n' "$listed" | cut -f1 | sort -u | wc -l)" -le "$((n_evm + n_ima))"

hexattr() {	# hexattr NAME FILE
	getfattr --absolute-names -h -n "$1" -e hex "$2" 2>/dev/null | sed -n "s/^$1=0x//p"
}
# check_tree NAME DIR: every signed file under DIR as signed, by getfattr,
# stat and evmctl (the oracle).
check_tree() {
	local name=$1 dir=$2 path kind uid gid mode ima evm f bad=0 nv=0
	while IFS=$'\t' read -r path kind uid gid mode ima evm; do
		f=$dir$path
		[ "$(hexattr security.ima "$f")" = "$ima" ] || { bad=1; echo "$name: $path: security.ima differs"; }
		evmctl ima_verify --key "$CERT" "$f" >/dev/null 2>&1 || { bad=1; echo "$name: $path: evmctl ima_verify fails"; }
		if [ "$kind" = ima+evm ]; then
			[ "$(hexattr security.evm "$f")" = "$evm" ] || { bad=1; echo "$name: $path: security.evm differs"; }
			[ "$(stat -c '%u %g %a' "$f")" = "$uid $gid $(printf '%o' "$((8#$mode & 07777))")" ] ||
				{ bad=1; echo "$name: $path: owner/mode $(stat -c '%u %g %a' "$f"), signed $uid $gid $mode"; }
			evmctl verify --key "$CERT" "$f" >/dev/null 2>&1 || { bad=1; echo "$name: $path: evmctl verify fails"; }
			nv=$((nv + 1))
		else
			[ -z "$(hexattr security.evm "$f")" ] || { bad=1; echo "$name: $path: has a security.evm"; }
		fi
	done < "$work/expected.tsv" > "$work/$name.check"
	same "$name: every signed file's values, owner and mode as signed; evmctl ima_verify and verify ($nv EVM)" \
		"$bad$(cat "$work/$name.check")" 0
	same "$name: demo-ping's capability" "$(getcap "$dir/usr/sbin/demo-ping" | awk '{print $2}')" cap_net_raw=ep
	same "$name: evmdemo-ping's capability" "$(getcap "$dir/usr/sbin/evmdemo-ping" | awk '{print $2}')" cap_net_raw=ep
	same "$name: /usr/bin/demo's label" "$(getfattr --only-values -n security.selinux "$dir/usr/bin/demo" 2>/dev/null | tr -d '\0')" \
		system_u:object_r:bin_t:s0
	same "$name: hard links kept" "$(stat -c %i "$dir/opt/evmdemo/h1")" "$(stat -c %i "$dir/opt/evmdemo/h2")"
	same "$name: an unsigned file as the root has it" "$(stat -c '%u %g %a' "$dir/var/lib/dpkg/status")" "$(stat -c '%u %g %a' "$R/var/lib/dpkg/status")"
	same "$name: symlink" "$(readlink "$dir/usr/sbin/demo-symlink")" ../bin/demo
}

# --- tar, extracted by GNU tar as root on ext4 -------------------------------
T=$work/fromtar
mkdir -p "$T"
tar --xattrs --xattrs-include='*' -xpf "$X/root.tar" -C "$T" 2>"$work/untar.err"
same "tar --xattrs -xpf: exit status" "$?" 0
check_tree tar "$T"
same "tar: the fifo and the device" "$(stat -c %F "$T/fifo"; stat -c '%F %t,%T' "$T/null")" \
	"$(printf 'fifo\ncharacter special file 1,3')"

# --- ext4: mke2fs -d ROOT, then the debugfs script ---------------------------
cat "$X/root.debugfs" > /dev/null
mke2fs -q -F -t ext4 -d "$R" "$X/root.ext4" 64M >"$work/mke2fs.out" 2>&1
same "mke2fs -d ROOT: exit status" "$?" 0
debugfs -w -f "$X/root.debugfs" "$X/root.ext4" >"$work/debugfs.out" 2>&1
same "debugfs -w -f SCRIPT: exit status" "$?" 0
same "debugfs: no command failed" "$(grep -v -e '^debugfs' -e '^# evmpkg export' "$work/debugfs.out")" ""
dbg_bad=0
while IFS=$'\t' read -r path kind uid gid mode ima evm; do
	q=${path//\"/\"\"}
	for a in ima evm; do
		want=$ima
		[ $a = evm ] && want=$evm
		[ "$want" != - ] || continue
		got=$(debugfs -R "ea_get -x \"$q\" security.$a" "$X/root.ext4" 2>/dev/null |
			sed -n 's/^security\.[a-z]* ([0-9]*) = //p' | tr -d ' \n')
		[ "$got" = "$want" ] || { dbg_bad=1; echo "debugfs: $path: security.$a: $got"; }
	done
	if [ "$kind" = ima+evm ]; then
		st=$(debugfs -R "stat \"$q\"" "$X/root.ext4" 2>/dev/null | tr -s ' ' |
			sed -n 's/^Inode: [0-9]* Type: regular Mode: \([0-7]*\) .*/\1/p; s/^User: \([0-9]*\) Group: \([0-9]*\) .*/\1 \2/p' | tr '\n' ' ')
		[ "$st" = "$(printf '0%o' "$((8#$mode & 07777))") $uid $gid " ] ||
			{ dbg_bad=1; echo "debugfs: $path: mode, owner '$st'"; }
	fi
done < "$work/expected.tsv" > "$work/dbg.check"
same "ext4 image: debugfs ea_get gives every signed value byte for byte, stat the signed owner and mode" \
	"$dbg_bad$(cat "$work/dbg.check")" 0
mkdir -p "$work/mnt"
if mount -o loop,ro "$X/root.ext4" "$work/mnt" 2>"$work/mount.err"; then
	check_tree ext4 "$work/mnt"
	umount "$work/mnt"
else
	not_ok "ext4 image: loop mount" "$(cat "$work/mount.err")"
fi

# --- squashfs: tar2sqfs from the tar ------------------------------------------
tar2sqfs -q "$X/root.sqfs" < "$X/root.tar" >"$work/tar2sqfs.out" 2>&1
same "tar2sqfs: exit status" "$?" 0
sqfs2tar "$X/root.sqfs" > "$work/back.tar" 2>"$work/sqfs2tar.err"
same "sqfs2tar: exit status" "$?" 0
tar --xattrs --xattrs-include='security.*' -tvvf "$work/back.tar" > "$work/back.list" 2>/dev/null
names "$work/back.list" | sort > "$work/sq.list"
# A hard link set's records go with whichever name carries the data.
onename() { sed -e 's|^/usr/bin/demo-link\t|/usr/bin/demo\t|' -e 's|^/opt/evmdemo/h2\t|/opt/evmdemo/h1\t|' | sort -u; }
same "squashfs (sqfs2tar): the same security.* records as the export" \
	"$(onename < "$work/sq.list")" "$(printf '%s\n' "$listed" | onename)"
unsquashfs -q -n -d "$work/fromsqfs" "$X/root.sqfs" >"$work/unsquashfs.out" 2>&1
same "unsquashfs -d: exit status" "$?" 0
check_tree squashfs "$work/fromsqfs"

# --- a file changed in the root: reported, exported without signatures -------
cp -a "$R" "$work/tampered"
flip_byte "$work/tampered/usr/bin/demo-suid" 12
"$EVMPKG" export --root "$work/tampered" --cert "$CERT" --sign-config --all \
	--tar "$X/tampered.tar" --debugfs "$X/tampered.debugfs" >"$work/tamper.out" 2>&1
same "tampered: exit status 1" "$?" 1
expect "tampered: the file is named" grep -q "evmdemo.*/usr/bin/demo-suid: .*not what was signed.*exported without its signatures" "$work/tamper.out"
expect "tampered: one problem" grep -q "files exported with their signatures, 1 problems" "$work/tamper.out"
tar --xattrs --xattrs-include='security.*' -tvvf "$X/tampered.tar" > "$work/tamper.list" 2>/dev/null
same "tampered: no security.* record for it in the tar" \
	"$(sed -n '/ usr\/bin\/demo-suid$/,/^[^ ]/p' "$work/tamper.list" | grep -c '^  x:')" 0
expect "tampered: the other files keep theirs" grep -A2 ' usr/bin/evmdemo-suid$' "$work/tamper.list"
same "tampered: not in the debugfs script" "$(grep -c '"/usr/bin/demo-suid"' "$X/tampered.debugfs")" 0
refuse "tampered: the tar is written (all the same)" test ! -s "$X/tampered.tar"

# --- the output inside the root (mmdebstrap's unshare recipe) -----------------
mkdir -p "$R/tmp"
"$EVMPKG" export --root "$R" --cert "$CERT" --sign-config --all --tar "$R/tmp/self.tar" >"$work/self.out" 2>&1
same "output under the root: exit status" "$?" 0
same "output under the root: the tar leaves itself out" \
	"$(tar -tf "$R/tmp/self.tar" | grep -c '^tmp/.')" 0
rm -rf "$R/tmp"

# --- a tar is not written to a terminal ---------------------------------------------
script -qec "'$EVMPKG' export --root '$R' --cert '$CERT' --all --tar -" /dev/null > "$work/tty.out" 2>&1
same "--tar - on a terminal: exit status 2" "$?" 2
expect "--tar - on a terminal: says why" grep -q "standard output is a terminal" "$work/tty.out"

# --- no certificate: refused, nothing written ----------------------------------
"$EVMPKG" export --root "$R" --all --tar "$X/nocert.tar" >"$work/nocert.out" 2>&1
same "without a certificate: exit status 2" "$?" 2
expect "without a certificate: says why" grep -q "no trusted certificate" "$work/nocert.out"
expect "without a certificate: nothing written" test ! -e "$X/nocert.tar"

# --- rootless: nobody exports a tree nobody owns --------------------------------
U=$work/user
mkdir -p "$U"
cp -a "$R" "$U/root"
chown -R nobody:nogroup "$U"
setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
	"$EVMPKG" export --root "$U/root" --cert "$CERT" --sign-config --all --tar - \
	> "$work/user.tar" 2>"$work/user.err"
same "as nobody: exit status" "$?" 0
expect "as nobody: summary on stderr" grep -q "^evmpkg: export: 2 signed packages, $((n_evm + n_ima)) files" "$work/user.err"
U2=$work/fromuser
mkdir -p "$U2"
tar --xattrs --xattrs-include='*' -xpf "$work/user.tar" -C "$U2"
same "as nobody: an unsigned file keeps the tree's owner (nobody)" "$(stat -c %U "$U2/var/lib/dpkg/status")" nobody
bad=0
while IFS=$'\t' read -r path kind uid gid mode ima evm; do
	[ "$(hexattr security.ima "$U2$path")" = "$ima" ] || bad=1
	[ "$kind" = ima+evm ] || continue
	[ "$(stat -c '%u %g' "$U2$path")" = "$uid $gid" ] || bad=1
	evmctl verify --key "$CERT" "$U2$path" >/dev/null 2>&1 || bad=1
done < "$work/expected.tsv"
same "as nobody: signed files get the signed owner and values; evmctl verify" "$bad" 0

# --- mmdebstrap: customize hooks apply and export -------------------------------
# The essential set is unpacked by mmdebstrap itself (no dpkg hook sees
# it); the signed package comes in through apt from a local repository
# (file:, mounted into the chroot by mmdebstrap's file-mirror-automount
# hooks), then `evmpkg apply`
# writes its signatures and `evmpkg export` writes the image tar. apt's
# downloads are kept in $MMCACHE between runs (mmdebstrap's sync-in and
# sync-out), so only the indices are fetched again.
MMCACHE=${APTROOT_CACHE:-/var/cache/evmpkg-tests}/mmdebstrap-archives
mkdir -p "$MMCACHE"
# Signed without a label (labels through apply are tested in the
# installed tier).
mkdir -p "$work/repo"
sign "$work/demo.deb" "$work/repo/evmdemo.deb" --caps /usr/sbin/demo-ping=cap_net_raw+ep ||
	not_ok "mmdebstrap: sign the package" "$(tail -n 3 "$work/sign.log")"
"$EVMPKG" inspect --json --cert "$CERT" "$work/repo/evmdemo.deb" > "$work/mm.json" 2>/dev/null
(cd "$work/repo" && apt-ftparchive packages . > Packages && apt-ftparchive release . > Release) 2>/dev/null
mmdebstrap --variant=essential --include=evmdemo --skip=essential/unlink \
	--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
	--setup-hook='mkdir -p "$1"/var/cache/apt/archives/' \
	--setup-hook="sync-in $MMCACHE /var/cache/apt/archives/" \
	--customize-hook="sync-out /var/cache/apt/archives $MMCACHE" \
	--customize-hook="'$EVMPKG' apply --root \"\$1\" --all --cert '$CERT'" \
	--customize-hook="'$EVMPKG' export --root \"\$1\" --all --cert '$CERT' --tar '$work/mm.tar'" \
	bookworm "$work/mmroot" "deb http://deb.debian.org/debian bookworm main" \
	"deb [trusted=yes] file://$work/repo ./" >"$work/mmdebstrap.out" 2>&1
same "mmdebstrap with evmpkg apply and export as customize hooks: exit status" "$?" 0
expect "mmdebstrap: evmpkg apply ran in the hook" grep -q "^evmpkg: apply: 1 signed packages" "$work/mmdebstrap.out"
bad=0 n=0
while IFS= read -r path; do
	n=$((n + 1))
	evmctl verify --key "$CERT" "$work/mmroot$path" >/dev/null 2>&1 &&
		evmctl ima_verify --key "$CERT" "$work/mmroot$path" >/dev/null 2>&1 || { bad=1; echo "mmdebstrap: $path"; }
done < <(jq -r 'select(.signed == "ima+evm") | .path' "$work/mm.json")
same "mmdebstrap: evmdemo's $n files with EVM signatures verify with evmctl (ima_verify, verify)" "$bad" 0
expect "mmdebstrap: evmpkg verify --root finds nothing wrong" "$EVMPKG" verify --root "$work/mmroot" --all --cert "$CERT"
tar --xattrs --xattrs-include='security.*' -tvvf "$work/mm.tar" > "$work/mm.list" 2>/dev/null
expect "mmdebstrap: the exported tar holds the system (usr/bin/dpkg)" grep -q ' usr/bin/dpkg$' "$work/mm.list"
same "mmdebstrap: the exported tar carries evmdemo's records" \
	"$(names "$work/mm.list" | grep -c $'\tsecurity.evm')" \
	"$(jq -r 'select(.signed == "ima+evm") | .path' "$work/mm.json" | wc -l)"
rm -rf "$work/mmroot" "$work/mm.tar"

finish
