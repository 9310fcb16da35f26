#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Rewrites an evmpkg signature manifest (docs/manifest.md) with one change,
for the tests: stripped entries, damaged fields, non-canonical encodings.

usage: mf.py IN OUT OP [ARG...]     (IN and OUT are raw manifest bytes)
OPs: see the table at the end; each writes what the docs say a decoder
must refuse, or a well-formed manifest with fewer entries."""
import struct
import sys


def parse(b):
    assert b[:7] == b"EVMPKGM", "not a manifest"
    ver = b[7]
    (n,) = struct.unpack(">I", b[8:12])
    off = 12
    ents = []

    def s16():
        nonlocal off
        (ln,) = struct.unpack(">H", b[off:off + 2])
        v = b[off + 2:off + 2 + ln]
        off += 2 + ln
        return v

    for _ in range(n):
        path = s16()
        uid, gid, mode = struct.unpack(">III", b[off:off + 12])
        off += 12
        label, caps, ima, evm = s16(), s16(), s16(), s16()
        ents.append([path, uid, gid, mode, label, caps, ima, evm])
    return ver, ents, b[off:]


def s16(v):
    return struct.pack(">H", len(v)) + v


def entry(e):
    return s16(e[0]) + struct.pack(">III", e[1], e[2], e[3]) + b"".join(s16(x) for x in e[4:8])


def encode(ver, ents, count=None, tail=b""):
    if ver is None:
        ver = 2 if any(not e[7] for e in ents) else 1
    n = len(ents) if count is None else count
    return b"EVMPKGM" + bytes([ver]) + struct.pack(">I", n) + b"".join(entry(e) for e in ents) + tail


def find(ents, path):
    for e in ents:
        if e[0] == path.encode():
            return e
    sys.exit("mf.py: %s not in the manifest" % path)


def main():
    src, dst, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    b = open(src, "rb").read()
    ver, ents, tail = parse(b)
    out = None
    if op == "empty":
        out = encode(1, [])
    elif op == "drop":
        ents.remove(find(ents, args[0]))
        out = encode(None, ents)
    elif op == "truncate":
        out = b[:int(args[0])]
    elif op == "count-huge":
        out = encode(ver, ents, count=0xFFFFFFFF)
    elif op == "count-more":
        out = encode(ver, ents, count=len(ents) + 1)
    elif op == "trailing":
        out = encode(ver, ents, tail=b"\0")
    elif op == "magic":
        out = b"EVMPKGX" + b[7:]
    elif op == "version":
        out = b[:7] + bytes([int(args[0])]) + b[8:]
    elif op == "duplicate":
        e = find(ents, args[0])
        ents.insert(ents.index(e), list(e))
        out = encode(ver, ents)
    elif op == "unsorted":
        ents[0], ents[1] = ents[1], ents[0]
        out = encode(ver, ents)
    elif op == "rename":            # PATH NEWPATH: entry for a path not in the package
        find(ents, args[0])[0] = args[1].encode()
        ents.sort(key=lambda e: e[0])
        out = encode(ver, ents)
    elif op in ("swap-evm", "swap-ima"):  # PATH1 PATH2: one value swapped between files
        a, c = find(ents, args[0]), find(ents, args[1])
        i = 7 if op == "swap-evm" else 6
        a[i], c[i] = c[i], a[i]
        out = encode(ver, ents)
    elif op == "set":               # PATH FIELD HEX|INT
        e = find(ents, args[0])
        idx = {"path": 0, "uid": 1, "gid": 2, "mode": 3, "label": 4, "caps": 5,
               "ima": 6, "evm": 7}[args[1]]
        if idx in (1, 2, 3):
            e[idx] = int(args[2], 0)
        elif idx == 0:
            e[0] = args[2].encode("utf-8", "surrogateescape")
        else:
            e[idx] = bytes.fromhex(args[2])
        out = encode(ver, ents)
    elif op == "evm-byte":          # PATH OFFSET HEXBYTE: one byte of security.evm
        e = find(ents, args[0])
        v = bytearray(e[7])
        v[int(args[1])] = int(args[2], 16)
        e[7] = bytes(v)
        out = encode(ver, ents)
    elif op == "ima-byte":
        e = find(ents, args[0])
        v = bytearray(e[6])
        v[int(args[1])] = int(args[2], 16)
        e[6] = bytes(v)
        out = encode(ver, ents)
    elif op == "len-over":          # the first entry's path length beyond the end
        out = b[:12] + struct.pack(">H", 0xFFFF) + b[14:]
    else:
        sys.exit("mf.py: unknown op " + op)
    open(dst, "wb").write(out)


main()
