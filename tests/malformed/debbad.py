#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Damages one structure of a .deb package file, for the tests.

usage: debbad.py IN OUT OP [ARG...]
A .deb is an ar archive ("!<arch>\\n", 60-byte member headers: name 16,
mtime 12, uid 6, gid 6, mode 8, size 10, "`\\n"; data padded to even
length) of debian-binary, control.tar[.COMP] and data.tar[.COMP]. Ops on
control.tar rewrite it with Python's tarfile in the member's compression."""
import gzip
import io
import lzma
import sys
import tarfile


def members(b):
    assert b[:8] == b"!<arch>\n", "not an ar archive"
    off, out = 8, []
    while off + 60 <= len(b):
        h = b[off:off + 60]
        size = int(h[48:58].decode().strip())
        out.append([h[:16].decode().strip().rstrip("/"), h, b[off + 60:off + 60 + size]])
        off += 60 + size + (size & 1)
    return out


def header(name, size, h=None):
    base = h if h is not None else b"%-16s%-12s%-6s%-6s%-8s%-10s`\n" % (b"", b"0", b"0", b"0", b"100644", b"0")
    return b"%-16s" % name.encode() + base[16:48] + b"%-10d" % size + b"`\n"


def archive(ms, sizes=None):
    out = bytearray(b"!<arch>\n")
    for i, (name, h, data) in enumerate(ms):
        size = sizes.get(i, len(data)) if sizes else len(data)
        out += header(name, size, h) + data
        if len(data) & 1:
            out += b"\n"
    return bytes(out)


def decompress(name, data):
    if name.endswith(".xz"):
        return lzma.decompress(data)
    if name.endswith(".gz"):
        return gzip.decompress(data)
    return data


def compress(name, data):
    if name.endswith(".xz"):
        return lzma.compress(data)
    if name.endswith(".gz"):
        return gzip.compress(data)
    return data


def control_op(ms, fn):
    for m in ms:
        if m[0].startswith("control.tar"):
            src = tarfile.open(fileobj=io.BytesIO(decompress(m[0], m[2])))
            buf = io.BytesIO()
            dst = tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT)
            fn(src, dst)
            dst.close()
            m[2] = compress(m[0], buf.getvalue())
            return
    sys.exit("debbad.py: no control member")


def copy_except(src, dst, skip):
    for ti in src.getmembers():
        if ti.name.lstrip("./") == skip:
            continue
        dst.addfile(ti, src.extractfile(ti) if ti.isfile() else None)


def add(dst, name, typ=tarfile.REGTYPE, data=b"", linkname="", size=None):
    ti = tarfile.TarInfo(name)
    ti.type = typ
    ti.mode = 0o644 if typ != tarfile.DIRTYPE else 0o755
    ti.linkname = linkname
    ti.size = len(data) if size is None else size
    dst.addfile(ti, io.BytesIO(data) if typ == tarfile.REGTYPE else None)


def main():
    src, dst, op, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    b = open(src, "rb").read()
    ms = members(b)
    out = None
    if op == "trunc":               # N | -N | member:NAME (cut in its middle)
        a = args[0]
        if a.startswith("member:"):
            off = 8
            for name, h, data in ms:
                if name.startswith(a[7:]):
                    out = b[:off + 60 + len(data) // 2]
                    break
                off += 60 + len(data) + (len(data) & 1)
        else:
            n = int(a)
            out = b[:n] if n >= 0 else b[:len(b) + n]
    elif op == "magic":
        out = b"!<arch>X" + b[8:]
    elif op == "swap":              # I J: member order
        i, j = int(args[0]), int(args[1])
        ms[i], ms[j] = ms[j], ms[i]
        out = archive(ms)
    elif op == "drop":              # I: a member removed
        del ms[int(args[0])]
        out = archive(ms)
    elif op == "rename":            # I NAME: e.g. control.tar.foo
        ms[int(args[0])][0] = args[1]
        out = archive(ms)
    elif op == "size":              # I SIZE: the ar header's size field
        out = archive(ms, {int(args[0]): int(args[1])})
    elif op == "binary":            # debian-binary's text
        ms[0][2] = args[0].encode().decode("unicode_escape").encode()
        out = archive(ms)
    elif op == "extra":             # an extra member after data.tar
        ms.append(["_extra", None, b"x"])
        out = archive(ms)
    elif op == "ctl-traversal":     # evmsig stored as ../evmsig
        def f(s, d):
            data = s.extractfile("./evmsig").read()
            copy_except(s, d, "evmsig")
            add(d, "./../evmsig", data=data)
        control_op(ms, f)
        out = archive(ms)
    elif op == "ctl-absolute":
        def f(s, d):
            data = s.extractfile("./evmsig").read()
            copy_except(s, d, "evmsig")
            add(d, "/evmsig", data=data)
        control_op(ms, f)
        out = archive(ms)
    elif op == "ctl-symlink":       # evmsig a symlink (to ARG)
        def f(s, d):
            copy_except(s, d, "evmsig")
            add(d, "./evmsig", tarfile.SYMTYPE, linkname=args[0])
        control_op(ms, f)
        out = archive(ms)
    elif op == "ctl-hardlink":
        def f(s, d):
            copy_except(s, d, "evmsig")
            add(d, "./evmsig", tarfile.LNKTYPE, linkname="./control")
        control_op(ms, f)
        out = archive(ms)
    elif op == "ctl-dir":           # evmsig a directory
        def f(s, d):
            copy_except(s, d, "evmsig")
            add(d, "./evmsig", tarfile.DIRTYPE)
        control_op(ms, f)
        out = archive(ms)
    elif op == "ctl-twice":         # evmsig twice
        def f(s, d):
            data = s.extractfile("./evmsig").read()
            copy_except(s, d, "")
            add(d, "./evmsig", data=data)
        control_op(ms, f)
        out = archive(ms)
    elif op == "ctl-huge":          # evmsig of N bytes (zeros after the manifest)
        def f(s, d):
            data = s.extractfile("./evmsig").read()
            copy_except(s, d, "evmsig")
            add(d, "./evmsig", data=data + bytes(int(args[0]) - len(data)))
        control_op(ms, f)
        out = archive(ms)
    elif op == "ctl-size-lie":      # a tar header claiming more than the member holds
        def f(s, d):
            copy_except(s, d, "evmsig")
            ti = tarfile.TarInfo("./evmsig")
            ti.size = 1 << 33
            d.fileobj.write(ti.tobuf(tarfile.GNU_FORMAT))
        control_op(ms, f)
        out = archive(ms)
    elif op == "ctl-garbage":       # the control member not a compressed tar at all
        for m in ms:
            if m[0].startswith("control.tar"):
                m[2] = b"\x00garbage" * 64
        out = archive(ms)
    elif op == "ctl-nocontrol":     # control.tar without its control file
        control_op(ms, lambda s, d: copy_except(s, d, "control"))
        out = archive(ms)
    else:
        sys.exit("debbad.py: unknown op " + op)
    open(dst, "wb").write(out)


main()
