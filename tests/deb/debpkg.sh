#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Tests pkg/deb (the .deb package I/O of `evmpkg sign`) on packages built
# with dpkg-deb, with dpkg's own tools as the oracle: dpkg-deb -c and tar
# --numeric-owner (file list, modes, owners, links), dpkg-deb -x and
# sha256sum (content digests), dpkg-deb -I/-f/-R/-b (control members and
# fields of the written package), apt-cache show and dpkg -i --root
# (installability; needs root). Prints one line per check and the summary
# "debpkg: N passed, N failed"; exits non-zero if any failed.
#
#   tests/deb/debpkg.sh [-n NFILES]     NFILES: size of the timing package (5000)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
B=${B:-build}
NFILES=5000
[ "${1:-}" = -n ] && NFILES=$2
T_NAME=debpkg
. "$TOP/tests/lib.sh"

TMP=$(mktemp -d /tmp/evmpkg-debtest.XXXXXX)
chmod 755 "$TMP"
cleanup() { chmod -R u+w "$TMP" 2>/dev/null; rm -rf "$TMP"; }
[ -n "${KEEP:-}" ] && echo "keeping $TMP" || trap cleanup EXIT

LAST_OK=0
check() { # check DESCRIPTION COMMAND...: passes when COMMAND exits 0
	local d=$1; shift
	if "$@" >"$TMP/out" 2>&1; then
		ok "$d"; LAST_OK=1
	else
		not_ok "$d" "see below"; LAST_OK=0
		sed 's/^/    /' "$TMP/out"
	fi
}
# What the last check printed, when it passed (a failure has shown it already).
show() { [ $LAST_OK = 0 ] || sed 's/^/    /' "$TMP/out"; }

T=$TMP/debpkg-selftest
if gcc -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter -D_FORTIFY_SOURCE=2 -O2 -Werror \
	-I"$TOP/common/include" -I"$TOP/pkg/deb" -o "$T" "$HERE/debpkg-selftest.c" \
	"$TOP/$B/libevmpkg-deb.a" "$TOP/$B/libevmpkg.a" \
	$(pkg-config --libs libarchive) -lcrypto -lcap -lpthread; then
	ok "selftest builds warning-free (-Werror)"
else
	not_ok "selftest build" "see the compiler output"
	finish
	exit 1
fi
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# ---- a package with one of everything ----
R=$TMP/tree
LONGDIR=usr/share/evmtest/$(printf 'd%.0s' {1..60})/$(printf 'e%.0s' {1..60})
mkdir -p "$R/DEBIAN" "$R/usr/bin" "$R/etc/evmtest" "$R/usr/share/evmtest/with space" \
	"$R/usr/share/evmtest/emptydir" "$R/var/lib/evmtest" "$R/$LONGDIR"
cat >"$R/DEBIAN/control" <<'EOF'
Package: evmtest
Version: 1:1.2-3
Architecture: all
Maintainer: evmpkg tests <test@example.invalid>
Description: evmpkg test package
 with one of every kind of entry
EOF
echo /etc/evmtest/evmtest.conf >"$R/DEBIAN/conffiles"
printf '#!/bin/sh\nset -e\nexit 0\n' >"$R/DEBIAN/postinst"
chmod 755 "$R/DEBIAN/postinst"
printf '#!/bin/sh\necho tool\n' >"$R/usr/bin/evmtest-tool"
chmod 755 "$R/usr/bin/evmtest-tool"
head -c 3000 /dev/urandom >"$R/usr/bin/evmtest-suid"
chmod 4755 "$R/usr/bin/evmtest-suid"
ln "$R/usr/bin/evmtest-tool" "$R/usr/bin/evmtest-hard1"
ln "$R/usr/bin/evmtest-tool" "$R/usr/bin/evmtest-hard2"
ln -s evmtest-tool "$R/usr/bin/evmtest-sym"
ln -s "/$LONGDIR/target-of-a-long-link" "$R/usr/bin/evmtest-longsym"
echo 'key = value' >"$R/etc/evmtest/evmtest.conf"
echo 'spaces' >"$R/usr/share/evmtest/with space/file name.txt"
echo 'non-ASCII' >"$R/usr/share/evmtest/café-ü.txt"
: >"$R/usr/share/evmtest/empty"
head -c 70000 /dev/urandom >"$R/$LONGDIR/long-named-file"
echo owned >"$R/var/lib/evmtest/owned"
chmod 640 "$R/var/lib/evmtest/owned"
[ $ROOT = 1 ] && chown 1234:1234 "$R/var/lib/evmtest/owned" "$R/var/lib/evmtest"

# Compares our list with dpkg-deb -c (names, modes, owner names, sizes,
# links, hardlink groups), tar --numeric-owner (uid/gid) and conffiles.
cmp_list() { # cmp_list DEB
	"$T" list "$1" >"$TMP/ours" || return 1
	dpkg-deb -c "$1" >"$TMP/theirs" || return 1
	dpkg-deb --fsys-tarfile "$1" | tar -tv --numeric-owner >"$TMP/numeric" || return 1
	dpkg-deb -I "$1" conffiles >"$TMP/conffiles" 2>/dev/null || : >"$TMP/conffiles"
	python3 - "$TMP/ours" "$TMP/theirs" "$TMP/numeric" "$TMP/conffiles" <<'EOF'
import codecs, re, sys
ours = [l.rstrip(b'\n').split(b'|') for l in open(sys.argv[1], 'rb').read().splitlines(True)[1:]]
line = re.compile(rb'^(\S+) (\S+)/(\S+) +(\d+) \S+ \S+ (.*)$')
def tarv(path):
    out = []
    for l in open(path, 'rb').read().splitlines():
        m = line.match(l)
        perms, user, group, size, rest = m.groups()
        link = None
        sep = {b'l': b' -> ', b'h': b' link to '}.get(perms[:1])
        if sep:
            rest, link = rest.split(sep, 1)
            link = codecs.escape_decode(link)[0]
        name = codecs.escape_decode(rest)[0]
        out.append((perms, user, group, int(size), name, link))
    return out
def norm(n):
    n = n[2:] if n.startswith(b'./') else n
    return b'/' + n.rstrip(b'/')
theirs, numeric = tarv(sys.argv[2]), tarv(sys.argv[3])
conf = set(l.strip() for l in open(sys.argv[4], 'rb') if l.strip())
bad = 0
if len(ours) != len(theirs):
    print('entries: ours %d, dpkg-deb -c %d' % (len(ours), len(theirs))); sys.exit(1)
index = {}
for i, (o, t, n) in enumerate(zip(ours, theirs, numeric)):
    idx, grp, isconf, isreg, typ, perms, owner, ids, mode, size, path, link = o
    path = path if path == b'/' else path
    index[path] = i
    want_owner = t[1] + b'/' + t[2]
    probs = []
    if norm(t[4]) != path: probs.append('path %r' % norm(t[4]))
    if perms != t[0]: probs.append('perms %s vs %s' % (perms, t[0]))
    # tar prints the numeric id when the header has no name
    u, g = owner.split(b'/'); nu, ng = ids.split(b'/')
    if (u or nu) + b'/' + (g or ng) != want_owner: probs.append('owner %s vs %s' % (owner, want_owner))
    if ids != n[1] + b'/' + n[2]: probs.append('ids %s vs %s' % (ids, n[1] + b'/' + n[2]))
    if typ == b'hardlink':
        tgt = index.get(norm(t[5]))
        if tgt is None or link != norm(t[5]): probs.append('hardlink target %r' % t[5])
        else:
            tg = int(ours[tgt][1]); want = tg if tg >= 0 else tgt
            if int(grp) != want or int(ours[tgt][1]) != want: probs.append('group %s, want %d' % (grp, want))
            if int(size) != int(ours[tgt][9]): probs.append('size %s' % size)
        if isreg != b'1': probs.append('hardlink not is_reg')
    else:
        if int(size) != t[3]: probs.append('size %s vs %d' % (size, t[3]))
        if typ == b'symlink' and link != t[5]: probs.append('symlink %r vs %r' % (link, t[5]))
    if (isconf == b'1') != (path in conf): probs.append('is_conffile %s' % isconf)
    if probs:
        bad = 1
        print(i, path, '; '.join(probs))
print('%d entries, %d hardlinked, %d conffiles: %s' % (len(ours),
      sum(1 for o in ours if o[4] == b'hardlink'), sum(1 for o in ours if o[2] == b'1'),
      'same as dpkg-deb -c' if not bad else 'DIFFER'))
sys.exit(bad)
EOF
}

# Content digests equal sha256sum of the files dpkg-deb -x extracts.
cmp_digests() { # cmp_digests DEB
	local x=$TMP/x.$$
	rm -rf "$x"
	mkdir "$x"
	dpkg-deb -x "$1" "$x" || return 1
	(cd "$x" && find . -type f -print0 | xargs -0 sha256sum) | LC_ALL=C sort >"$TMP/sums"
	"$T" digests "$1" >"$TMP/ours.raw" || return 1
	LC_ALL=C sort "$TMP/ours.raw" >"$TMP/ours.sums"
	rm -rf "$x"
	echo "$(wc -l <"$TMP/sums") files"
	diff "$TMP/sums" "$TMP/ours.sums"
}

ctl_member() { ar t "$1" | grep '^control\.tar'; }
data_member() { ar t "$1" | grep '^data\.tar'; }
same_data() { # the data member's name and bytes are the same
	local a b
	[ "$(data_member "$1")" = "$(data_member "$2")" ] || { echo "data member renamed"; return 1; }
	a=$(ar p "$1" "$(data_member "$1")" | sha256sum)
	b=$(ar p "$2" "$(data_member "$2")" | sha256sum)
	echo "$(data_member "$1"): $a / $b"
	[ "$a" = "$b" ]
}
same_ctl_comp() { # control.tar has the same name and its content that compression
	local m
	m=$(ctl_member "$2")
	[ "$(ctl_member "$1")" = "$m" ] || { echo "$(ctl_member "$1") became $m"; return 1; }
	case $m in
	*.gz) ar p "$2" "$m" | gzip -t ;;
	*.xz) ar p "$2" "$m" | xz -t ;;
	*.zst) ar p "$2" "$m" | zstd -qt ;;
	*) ar p "$2" "$m" | tar -t >/dev/null ;;
	esac
}
ctl_list() { dpkg-deb --ctrl-tarfile "$1" | tar -t | LC_ALL=C sort; }
members_kept() { # dpkg-deb -I lists MEMBER and every member of the input
	dpkg-deb -I "$2" >"$TMP/info" || return 1
	grep -qw "$3" "$TMP/info" || { echo "no $3 in dpkg-deb -I"; return 1; }
	for m in $(ctl_list "$1"); do
		[ "$m" = ./ ] && continue
		grep -qw "${m#./}" "$TMP/info" || { echo "lost ${m#./}"; return 1; }
		[ "${m#./}" = "$3" ] && continue
		cmp <(dpkg-deb --ctrl-tarfile "$1" | tar -xO "$m") \
			<(dpkg-deb --ctrl-tarfile "$2" | tar -xO "$m") || return 1
	done
	cat "$TMP/info"
}
member_is() { # member_is DEB NAME FILE: dpkg-deb reads NAME with FILE's bytes
	dpkg-deb --ctrl-tarfile "$1" | tar -xO "./$2" | cmp - "$3"
}
no_temp() { ! ls -a "$1" | grep -q 'evmpkg-'; }

head -c 5000 /dev/urandom >"$TMP/sig1"
head -c 777 /dev/urandom >"$TMP/sig2"

# ---- the four compressions dpkg-deb writes, and bzip2 data ----
for comp in gzip xz zstd none; do
	P=$TMP/in-$comp.deb
	O=$TMP/out-$comp.deb
	if ! dpkg-deb --build --root-owner-group -Z$comp "$R" "$P" >"$TMP/out" 2>&1; then
		not_ok "$comp: dpkg-deb --build" "$(cat "$TMP/out")"
		continue
	fi
	check "$comp: file list, modes, owners, links and hardlink groups match dpkg-deb -c" cmp_list "$P"
	[ $comp = xz ] && show
	check "$comp: content digests match sha256sum of dpkg-deb -x" cmp_digests "$P"
	[ $comp = xz ] && show
	check "$comp: fields and name" bash -c \
		"$T list $P | head -1 | grep -qx 'name evmtest_1.2-3_all package evmtest version 1:1.2-3 arch all files 26 debsigs 0'"
	check "$comp: write member evmsig, re-open: same files, member reads back" \
		"$T" write "$P" "$O" evmsig "$TMP/sig1"
	check "$comp: data member byte-identical (ar p)" same_data "$P" "$O"
	check "$comp: control.tar in the same compression" same_ctl_comp "$P" "$O"
	check "$comp: dpkg-deb -I lists evmsig and the old members, unchanged" members_kept "$P" "$O" evmsig
	[ $comp = gzip ] && show
	check "$comp: dpkg-deb reads evmsig's bytes" member_is "$O" evmsig "$TMP/sig1"
	check "$comp: dpkg-deb -f fields unchanged" cmp <(dpkg-deb -f "$P") <(dpkg-deb -f "$O")
	check "$comp: dpkg-deb -c unchanged" cmp <(dpkg-deb -c "$P") <(dpkg-deb -c "$O")
done

# bzip2 data.tar (dpkg reads it; dpkg-deb 1.21 no longer writes it).
mkdir "$TMP/bz"
ar p "$TMP/in-xz.deb" debian-binary >"$TMP/bz/debian-binary"
ar p "$TMP/in-xz.deb" control.tar.xz >"$TMP/bz/control.tar.xz"
dpkg-deb --fsys-tarfile "$TMP/in-xz.deb" | bzip2 >"$TMP/bz/data.tar.bz2"
(cd "$TMP/bz" && ar rc ../in-bz2.deb debian-binary control.tar.xz data.tar.bz2)
check "bzip2 data.tar: file list matches dpkg-deb -c" cmp_list "$TMP/in-bz2.deb"
check "bzip2 data.tar: content digests match" cmp_digests "$TMP/in-bz2.deb"
check "bzip2 data.tar: write, data byte-identical" bash -c \
	"$T write $TMP/in-bz2.deb $TMP/out-bz2.deb evmsig $TMP/sig1 >/dev/null && ar p $TMP/in-bz2.deb data.tar.bz2 | cmp - <(ar p $TMP/out-bz2.deb data.tar.bz2)"

P=$TMP/in-xz.deb
O=$TMP/out-xz.deb

# dpkg-deb -R then -b keeps the member.
check "dpkg-deb -R, then -b: evmsig kept" bash -c \
	"dpkg-deb -R $O $TMP/rb && dpkg-deb -b $TMP/rb $TMP/rb.deb >/dev/null && dpkg-deb --ctrl-tarfile $TMP/rb.deb | tar -xO ./evmsig | cmp - $TMP/sig1"
check "apt-cache show ./out.deb accepts it" bash -c \
	"cd $TMP && apt-cache show ./out-xz.deb | grep -qx 'Package: evmtest'"

# Replace, remove, in place.
check "replace evmsig in the output" "$T" write "$O" "$TMP/re.deb" evmsig "$TMP/sig2"
check "replaced: dpkg-deb reads the new bytes" member_is "$TMP/re.deb" evmsig "$TMP/sig2"
check "replaced: evmsig once in control.tar" bash -c "[ \$(dpkg-deb --ctrl-tarfile $TMP/re.deb | tar -t | grep -c evmsig) = 1 ]"
check "remove evmsig (len 0)" "$T" write "$TMP/re.deb" "$TMP/rm.deb" evmsig -
check "removed: control.tar lists what the input's does" cmp <(ctl_list "$P") <(ctl_list "$TMP/rm.deb")
check "removed: data byte-identical" same_data "$P" "$TMP/rm.deb"
cp "$P" "$TMP/inplace.deb"
chmod 640 "$TMP/inplace.deb"
check "in place (outpath == input)" "$T" write "$TMP/inplace.deb" "$TMP/inplace.deb" evmsig "$TMP/sig1"
check "in place: mode 0640 kept" bash -c "[ \$(stat -c %a $TMP/inplace.deb) = 640 ]"
check "in place: dpkg-deb reads evmsig" member_is "$TMP/inplace.deb" evmsig "$TMP/sig1"
check "no temporary file left" no_temp "$TMP"

# Owners of the build tree (no --root-owner-group), and installation.
if [ $ROOT = 1 ]; then
	dpkg-deb --build "$R" "$TMP/owners.deb" >/dev/null
	check "owners kept by dpkg-deb: 1234:1234 file and list match dpkg-deb -c" cmp_list "$TMP/owners.deb"
	check "owners: /var/lib/evmtest/owned is uid 1234, gid 1234, 0640" bash -c \
		"$T list $TMP/owners.deb | grep -q '|reg|-rw-r-----|/|1234/1234|100640|6|/var/lib/evmtest/owned|$'"
	check "owners: write" "$T" write "$TMP/owners.deb" "$TMP/owners-out.deb" evmsig "$TMP/sig1"
	D=$TMP/root
	mkdir -p "$D/var/lib/dpkg/info" "$D/var/lib/dpkg/updates" "$D/var/lib/dpkg/triggers"
	: >"$D/var/lib/dpkg/status"
	check "dpkg --root -i installs the written package (postinst chrootless)" \
		dpkg --root="$D" --force-script-chrootless --force-not-root -i "$TMP/owners-out.deb"
	check "installed: info/evmtest.evmsig has the member's bytes" \
		cmp "$D/var/lib/dpkg/info/evmtest.evmsig" "$TMP/sig1"
	check "installed: dpkg-query --control-show reads it" bash -c \
		"dpkg-query --root=$D --control-show evmtest evmsig | cmp - $TMP/sig1"
	check "installed: owner 1234:1234, setuid bit, hard links share an inode" bash -c \
		"[ \$(stat -c %u:%g:%a $D/var/lib/evmtest/owned) = 1234:1234:640 ] &&
		 [ \$(stat -c %a $D/usr/bin/evmtest-suid) = 4755 ] &&
		 [ \$(stat -c %i $D/usr/bin/evmtest-tool) = \$(stat -c %i $D/usr/bin/evmtest-hard2) ]"
else
	not_ok "owners and dpkg -i" "need root (chown in the build tree, dpkg --root)"
fi
check "dpkg -x extracts the written package" dpkg -x "$O" "$TMP/xo"

# debsigs: _gpg members dropped and reported; other '_' members kept.
cp "$O" "$TMP/signed.deb"
echo 'not really a signature' >"$TMP/_gpgorigin"
echo extra >"$TMP/_extra"
(cd "$TMP" && ar q signed.deb _gpgorigin _extra)
check "debsigs member: has_debsigs 1" bash -c "$T list $TMP/signed.deb | head -1 | grep -q 'debsigs 1$'"
check "debsigs member: write reports dropped_debsigs=1" bash -c \
	"$T write $TMP/signed.deb $TMP/unsigned.deb evmsig $TMP/sig2 | grep -qx dropped_debsigs=1"
check "debsigs member: _gpgorigin gone, _extra kept, data byte-identical" bash -c \
	"ar t $TMP/unsigned.deb | tr '\n' ' ' | grep -qx 'debian-binary control.tar.xz data.tar.xz _extra ' &&
	 ar p $TMP/unsigned.deb _extra | cmp - $TMP/_extra && ar p $TMP/signed.deb data.tar.xz | cmp - <(ar p $TMP/unsigned.deb data.tar.xz)"
check "no debsigs: dropped_debsigs=0" bash -c "$T write $P $TMP/x.deb evmsig $TMP/sig2 | grep -qx dropped_debsigs=0"

# ---- refusals, each naming the package ----
mkdir "$TMP/bad"
BAD=$TMP/bad
mkdeb() { # mkdeb OUT DIR MEMBER...: an ar of DIR's files in that order
	local out=$1 dir=$2; shift 2
	rm -f "$out"
	(cd "$dir" && ar rc "$out" "$@")
}
refused() { # refused WHAT DEB PATTERN: open fails with a message matching PATTERN
	"$T" openfail "$2" >"$TMP/out" 2>&1 && grep -q -- "$3" "$TMP/out"
}
mkdir "$BAD/parts"
cp "$TMP/bz/debian-binary" "$TMP/bz/control.tar.xz" "$BAD/parts/"
ar p "$P" data.tar.xz >"$BAD/parts/data.tar.xz"
sz=$(stat -c %s "$P")
echo 'not a package' >"$BAD/text.deb"
head -c $((sz - 100)) "$P" >"$BAD/truncated.deb"
head -c 70 "$P" >"$BAD/short-header.deb"
printf '3.0\n' >"$BAD/parts/debian-binary"
mkdeb "$BAD/version.deb" "$BAD/parts" debian-binary control.tar.xz data.tar.xz
cp "$TMP/bz/debian-binary" "$BAD/parts/"
cp "$BAD/parts/data.tar.xz" "$BAD/parts/data.tar.lzma"
mkdeb "$BAD/lzma.deb" "$BAD/parts" debian-binary control.tar.xz data.tar.lzma
cp "$BAD/parts/control.tar.xz" "$BAD/parts/control.tar.bz2"
mkdeb "$BAD/ctlbz2.deb" "$BAD/parts" debian-binary control.tar.bz2 data.tar.xz
mkdeb "$BAD/order.deb" "$BAD/parts" debian-binary data.tar.xz control.tar.xz
mkdir "$BAD/parts/gz-as-xz" "$BAD/parts/short"
ar p "$TMP/in-gzip.deb" data.tar.gz >"$BAD/parts/gz-as-xz/data.tar.xz"
head -c 3000 "$BAD/parts/data.tar.xz" >"$BAD/parts/short/data.tar.xz"
for k in gz-as-xz short; do
	cp "$BAD/parts/debian-binary" "$BAD/parts/control.tar.xz" "$BAD/parts/$k/"
done
mkdeb "$BAD/mislabelled.deb" "$BAD/parts/gz-as-xz" debian-binary control.tar.xz data.tar.xz
mkdeb "$BAD/datatrunc.deb" "$BAD/parts/short" debian-binary control.tar.xz data.tar.xz
# Tars dpkg refuses: PAX headers, "..", absolute names; a dangling hard link.
python3 - "$BAD/parts" <<'EOF'
import io, lzma, os, sys, tarfile
out = sys.argv[1]
def tar(name, fmt, entries):
    os.makedirs(os.path.join(out, name), exist_ok=True)
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode='w', format=fmt) as t:
        for n, kind, extra in entries:
            i = tarfile.TarInfo(n)
            i.mode = 0o644
            if kind == 'pax':
                i.pax_headers = {'SCHILY.xattr.security.ima': 'x'}
            if kind == 'link':
                i.type, i.linkname = tarfile.LNKTYPE, extra
            if kind == 'dir':
                i.type, i.mode = tarfile.DIRTYPE, 0o755
            if kind == 'ids':    # past 8 octal digits: GNU base-256
                i.uid, i.gid, i.uname, i.gname = extra, extra + 1, 'big', ''
            data = b'content of ' + n.encode()
            i.size = len(data) if i.type == tarfile.REGTYPE else 0
            t.addfile(i, io.BytesIO(data) if i.size else None)
    open(os.path.join(out, name, 'data.tar.xz'), 'wb').write(lzma.compress(b.getvalue()))
tar('pax', tarfile.PAX_FORMAT, [('./', 'dir', None), ('./usr/bin/x', 'pax', None)])
tar('dotdot', tarfile.GNU_FORMAT, [('./', 'dir', None), ('./usr/../../etc/evil', 'file', None)])
tar('absolute', tarfile.GNU_FORMAT, [('/etc/evil', 'file', None)])
tar('dangling', tarfile.GNU_FORMAT, [('./usr/bin/a', 'link', './usr/bin/missing')])
# Accepted: POSIX ustar names split into prefix and name; base-256 ids.
deep = './usr/share/' + 'p' * 90 + '/' + 'q' * 40
tar('ustar', tarfile.USTAR_FORMAT, [('./', 'dir', None), ('./usr/short', 'file', None),
    (deep + '/', 'dir', None), (deep + '/file', 'file', None),
    (deep + '/hard', 'link', './usr/short')])
tar('bigids', tarfile.GNU_FORMAT, [('./', 'dir', None), ('./big', 'ids', 3000000000)])
EOF
for k in pax dotdot absolute dangling ustar bigids; do
	cp "$BAD/parts/debian-binary" "$BAD/parts/control.tar.xz" "$BAD/parts/$k/"
	mkdeb "$BAD/$k.deb" "$BAD/parts/$k" debian-binary control.tar.xz data.tar.xz
done
check "POSIX ustar tar (prefix + name): list matches dpkg-deb -c" cmp_list "$BAD/ustar.deb"
check "POSIX ustar tar: content digests match" cmp_digests "$BAD/ustar.deb"
check "base-256 uid and gid (3000000000): match tar --numeric-owner" cmp_list "$BAD/bigids.deb"
check "refused: not an ar archive" refused x "$BAD/text.deb" 'not an ar archive'
show
check "refused: truncated ar (member longer than the file)" refused x "$BAD/truncated.deb" 'truncated ar archive'
show
check "refused: truncated ar (inside a member header)" refused x "$BAD/short-header.deb" 'truncated ar archive'
show
check "refused: bad debian-binary" refused x "$BAD/version.deb" 'debian-binary: format version is not'
show
check "refused: unknown compression (data.tar.lzma)" refused x "$BAD/lzma.deb" 'unknown compression'
show
check "refused: unknown compression (control.tar.bz2)" refused x "$BAD/ctlbz2.deb" 'unknown compression'
show
check "refused: gzip data named data.tar.xz" refused x "$BAD/mislabelled.deb" 'not xz data'
show
check "refused: data.tar before control.tar" refused x "$BAD/order.deb" 'premature member'
show
check "refused: truncated data.tar.xz" refused x "$BAD/datatrunc.deb" 'truncated'
show
check "refused: PAX header (as dpkg does)" refused x "$BAD/pax.deb" 'PAX'
show
check "refused: \"..\" in a path" refused x "$BAD/dotdot.deb" '".." in the name'
show
check "refused: absolute path" refused x "$BAD/absolute.deb" 'absolute name'
show
check "refused: hard link to a file not in the package" refused x "$BAD/dangling.deb" 'not an earlier regular file'
show

# Bad member names; failures leave outpath and the directory alone.
echo keep >"$BAD/existing.deb"
for m in ev.sig control list 'a/b' "$(printf 'm%.0s' {1..101})"; do
	check "write refused: member name '${m:0:20}'" "$T" writefail "$P" "$BAD/existing.deb" "$m"
	show
done
check "refused writes: outpath untouched" bash -c "[ \"\$(cat $BAD/existing.deb)\" = keep ]"
check "refused writes: no temporary file left" no_temp "$BAD"

# Read-only directory, full file system: fails cleanly, no temporary file.
mkdir "$TMP/ro"
cp "$P" "$TMP/ro/p.deb"
sum=$(sha256sum <"$TMP/ro/p.deb")
chmod 555 "$TMP/ro"
if [ $ROOT = 1 ]; then
	check "read-only directory (EACCES, as nobody): fails cleanly" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$T" writefail "$TMP/ro/p.deb" "$TMP/ro/p.deb" evmsig
	show
else
	check "read-only directory (EACCES): fails cleanly" "$T" writefail "$TMP/ro/p.deb" "$TMP/ro/p.deb" evmsig
fi
check "read-only directory: package unchanged" bash -c "[ \"\$(sha256sum <$TMP/ro/p.deb)\" = \"$sum\" ]"
check "read-only directory: no temporary file" no_temp "$TMP/ro"

# ---- timing: NFILES small files ----
M=$TMP/many
mkdir -p "$M/DEBIAN"
printf 'Package: evmmany\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.invalid>\nDescription: many files\n' \
	>"$M/DEBIAN/control"
python3 - "$M" "$NFILES" <<'EOF'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(1)
# Half random bytes, half words: about as compressible as a package's binaries.
words = [bytes(rnd.randbytes(rnd.randint(2, 9)).hex(), 'ascii') for _ in range(500)]
for i in range(n):
    d = os.path.join(root, 'usr/share/evmmany/d%03d' % (i % 100))
    os.makedirs(d, exist_ok=True)
    size = rnd.randint(100, 4000)
    text = b' '.join(rnd.choice(words) for _ in range(size // 12))
    with open(os.path.join(d, 'f%05d' % i), 'wb') as f:
        f.write(rnd.randbytes(size // 2) + text)
EOF
for comp in xz gzip zstd; do
	if dpkg-deb --build --root-owner-group -Z$comp "$M" "$TMP/many-$comp.deb" >/dev/null 2>&1; then
		check "timing ($comp, $NFILES files): open + sha256 content digests" "$T" time "$TMP/many-$comp.deb"
		show
	else
		not_ok "timing ($comp): dpkg-deb --build"
	fi
done
check "timing package (xz): digests match sha256sum of dpkg-deb -x" cmp_digests "$TMP/many-xz.deb"
if [ $ROOT = 1 ] && unshare -m true 2>/dev/null; then
	check "full file system (ENOSPC mid-write): fails cleanly, target and directory untouched" \
		unshare -m sh -c "mount -t tmpfs -o size=256k tmpfs $BAD && echo keep >$BAD/out.deb &&
			$T writefail $TMP/many-xz.deb $BAD/out.deb evmsig &&
			! ls -a $BAD | grep -q evmpkg- && [ \"\$(cat $BAD/out.deb)\" = keep ]"
	show
fi

echo
finish
