#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Rewrites the signatures a signing host returned (docs/signing.md,
# "EVMPKGS" version 1), to make the bad answers the hsm tier feeds to
# `evmpkg sign --attach`. Independent of evmpkg's own decoder.
#   sigs.py IN OUT swap PATH1 PATH2   the two files' values exchanged
#   sigs.py IN OUT drop PATH          the file left out
#   sigs.py IN OUT flip PATH          one byte of its security.evm inverted
#   sigs.py IN list                   the paths, one a line
import struct
import sys


def read(buf):
    assert buf[:7] == b"EVMPKGS" and buf[7] == 1, "not EVMPKGS version 1"
    head = buf[:8 + 1 + 1 + 4 + 1]
    pos = len(head)
    (npkg,) = struct.unpack_from(">I", buf, pos)
    pos += 4
    pkgs = []
    for _ in range(npkg):
        (il,) = struct.unpack_from(">H", buf, pos)
        pid = buf[pos + 2:pos + 2 + il]
        pos += 2 + il
        (nf,) = struct.unpack_from(">I", buf, pos)
        pos += 4
        files = []
        for _ in range(nf):
            vals = []
            for _ in range(3):
                (n,) = struct.unpack_from(">H", buf, pos)
                vals.append(bytearray(buf[pos + 2:pos + 2 + n]))
                pos += 2 + n
            files.append(vals)
        pkgs.append((pid, files))
    assert pos == len(buf), "trailing bytes"
    return head, pkgs


def write(head, pkgs):
    out = bytearray(head) + struct.pack(">I", len(pkgs))
    for pid, files in pkgs:
        out += struct.pack(">H", len(pid)) + pid + struct.pack(">I", len(files))
        for vals in files:
            for v in vals:
                out += struct.pack(">H", len(v)) + v
    return bytes(out)


def find(pkgs, path):
    for _, files in pkgs:
        for f in files:
            if f[0] == path.encode():
                return files, f
    sys.exit("no file " + path)


def main():
    src, dst, op = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else ""
    head, pkgs = read(open(src, "rb").read())
    if dst == "list":
        for _, files in pkgs:
            for f in files:
                print(f[0].decode())
        return
    if op == "swap":
        _, a = find(pkgs, sys.argv[4])
        _, b = find(pkgs, sys.argv[5])
        a[1:], b[1:] = b[1:], a[1:]
    elif op == "drop":
        files, f = find(pkgs, sys.argv[4])
        files.remove(f)
    elif op == "flip":
        _, f = find(pkgs, sys.argv[4])
        f[2][-1] ^= 0xFF
    else:
        sys.exit("unknown operation " + op)
    open(dst, "wb").write(write(head, pkgs))


main()
