#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Damages one structure of an rpm package file, for the tests.

usage: rpmbad.py IN OUT OP [ARG...]
The lead is 96 bytes; then the signature header (magic 8e ade8 01, 4 zero
bytes, il u32, dl u32, il 16-byte index entries tag/type/offset/count,
dl bytes of data, padded to 8) and the main header (the same, unpadded),
then the payload. Ops that change the main header in place recompute the
signature header's SHA1, SHA256 and MD5 digests, so the damage itself is
what a reader meets, not a digest mismatch (unless the op is 'nofix')."""
import hashlib
import struct
import sys

SIG_SHA1, SIG_SHA256, SIG_MD5 = 269, 273, 1004
TYPES = {6: 1, 8: 1, 9: 1}   # string types: counted by NUL-terminated strings


def header_at(b, off):
    assert b[off:off + 4] == b"\x8e\xad\xe8\x01", "no header magic at %d" % off
    il, dl = struct.unpack(">II", b[off + 8:off + 16])
    idx = off + 16
    data = idx + 16 * il
    ents = []
    for i in range(il):
        tag, typ, o, cnt = struct.unpack(">IIiI", b[idx + 16 * i:idx + 16 * i + 16])
        ents.append({"i": i, "tag": tag, "type": typ, "off": o, "count": cnt,
                     "at": idx + 16 * i})
    return {"start": off, "il": il, "dl": dl, "data": data, "end": data + dl, "ents": ents}


def layout(b):
    sig = header_at(b, 96)
    mstart = (sig["end"] + 7) & ~7
    main = header_at(b, mstart)
    return sig, main


def entry(h, tag):
    for e in h["ents"]:
        if e["tag"] == tag:
            return e
    sys.exit("rpmbad.py: tag %d not in the header" % tag)


def fix_digests(b, sig, main):
    hdr = bytes(b[main["start"]:main["end"]])
    payload = bytes(b[main["end"]:])
    for tag, val in ((SIG_SHA1, hashlib.sha1(hdr).hexdigest().encode()),
                     (SIG_SHA256, hashlib.sha256(hdr).hexdigest().encode()),
                     (SIG_MD5, hashlib.md5(hdr + payload).digest())):
        for e in sig["ents"]:
            if e["tag"] == tag:
                p = sig["data"] + e["off"]
                b[p:p + len(val)] = val


def put32(b, at, v):
    b[at:at + 4] = struct.pack(">I", v & 0xFFFFFFFF)


def main():
    src, dst, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    b = bytearray(open(src, "rb").read())
    sig, main_h = layout(b)
    fix = True
    where = {"sig": sig, "main": main_h}
    if op == "trunc":               # AT: lead|sig-index|sig-data|main-index|main-data|payload|-N|N
        a = args[0]
        pts = {"lead": 50, "sig-index": sig["start"] + 20, "sig-data": sig["data"] + 3,
               "main-index": main_h["start"] + 24, "main-data": (main_h["data"] + main_h["end"]) // 2,
               "payload": (main_h["end"] + len(b)) // 2}
        n = pts[a] if a in pts else len(b) + int(a) if a.startswith("-") else int(a)
        b = b[:n]
        fix = False
    elif op == "magic":             # lead|sig|main
        at = 0 if args[0] == "lead" else where[args[0]]["start"]
        b[at] ^= 0xFF
        fix = args[0] != "main"
    elif op in ("il", "dl"):        # sig|main VALUE
        h = where[args[0]]
        put32(b, h["start"] + (8 if op == "il" else 12), int(args[1], 0))
        fix = False
    elif op == "off":               # sig|main TAG VALUE: an index entry's offset
        e = entry(where[args[0]], int(args[1]))
        put32(b, e["at"] + 8, int(args[2], 0))
    elif op == "count":             # sig|main TAG DELTA|=VALUE
        e = entry(where[args[0]], int(args[1]))
        v = int(args[2][1:], 0) if args[2].startswith("=") else e["count"] + int(args[2])
        put32(b, e["at"] + 12, v)
    elif op == "type":              # sig|main TAG VALUE
        e = entry(where[args[0]], int(args[1]))
        put32(b, e["at"] + 4, int(args[2], 0))
    elif op == "tag":               # sig|main INDEX VALUE: an entry's tag number
        e = where[args[0]]["ents"][int(args[1])]
        put32(b, e["at"], int(args[2], 0))
    elif op == "region-trailer":    # sig|main: the region tag's trailer damaged
        h = where[args[0]]
        e = h["ents"][0]
        p = h["data"] + e["off"]
        b[p + 8:p + 12] = struct.pack(">i", -0x7FFFFFF0)
    elif op == "data-byte":         # sig|main TAG N: flip byte N of a tag's data
        h = where[args[0]]
        e = entry(h, int(args[1]))
        b[h["data"] + e["off"] + int(args[2])] ^= 0xFF
    elif op in ("hex-digit", "non-hex"):  # sig|main TAG K: the first character of
        h = where[args[0]]                  # a string array's K-th string (0: the
        e = entry(h, int(args[1]))          # first), another hex digit, or 'z'
        p = h["data"] + e["off"]
        for _ in range(int(args[2])):
            p = b.index(0, p) + 1
        b[p] = ord("z") if op == "non-hex" else ord("1") if b[p] == ord("0") else ord("0")
    elif op == "payload-byte":      # N from the payload's start, digests not fixed
        b[main_h["end"] + int(args[0])] ^= 0xFF
        fix = False
    elif op == "nofix-main-byte":   # a main header data byte, digests left as they were
        b[main_h["data"] + int(args[0])] ^= 0x01
        fix = False
    else:
        sys.exit("rpmbad.py: unknown op " + op)
    if fix:
        fix_digests(b, sig, main_h)
    open(dst, "wb").write(b)


main()
