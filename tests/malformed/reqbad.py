#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Damages an evmpkg signing request or signatures file (docs/signing.md,
"The request and signatures formats, version 1") for the tests.

usage: reqbad.py IN OUT OP [ARG...] [-- OP [ARG...]]...

The input is decoded into its fields, changed, and encoded again; the
ops are applied in order. A FIELD is a header field (magic version algo
ima_kind keyid key_type packages), a package field (id files; of package
0, or P:id for package P) or FILE:NAME for a file's field (request: path
evm digest uid gid mode label caps; signatures: path ima evm). FILE is
the file's path or its index in the package.

  trunc FIELD [K]     cut the bytes K into FIELD (default 1); trunc -N
                      cuts the last N bytes
  set FIELD N         an integer field (counts and flags included) to N
  len FIELD N         a string field's length prefix to N, bytes kept
  text FIELD TEXT     a string field to TEXT (its length follows)
  hex FIELD HEX       a string field to those bytes
  resize FIELD N      a string field cut or zero-padded to N bytes
  byte FIELD I HEX    byte I of a string field to HEX
  dup FILE            the file's entry twice
  drop FILE           the file's entry removed
  rename FILE PATH    the file's path changed
  swap F1 F2 NAME     NAME exchanged between two files' entries
  values-keyid        every value's key id set to the header's
  dup-pkg             package 0 twice
  trailing HEX        bytes after the last package
  from OTHER FIELD    FIELD (header or package) copied from file OTHER
"""
import struct
import sys

HDR = [("magic", "7s"), ("version", "B"), ("algo", "B"), ("ima_kind", "B"),
       ("keyid", "I"), ("key_type", "B"), ("packages", "I")]
REQ_FILE = [("path", "s"), ("evm", "B"), ("digest", "s"), ("uid", "I"),
            ("gid", "I"), ("mode", "I"), ("label", "s"), ("caps", "s")]
SIG_FILE = [("path", "s"), ("ima", "s"), ("evm", "s")]


class Reader:
    def __init__(self, b):
        self.b, self.off = b, 0

    def get(self, kind):
        if kind == "s":
            (n,) = struct.unpack_from(">H", self.b, self.off)
            v = self.b[self.off + 2:self.off + 2 + n]
            assert len(v) == n, "string past the end"
            self.off += 2 + n
            return v
        v = struct.unpack_from(">" + kind, self.b, self.off)[0]
        self.off += struct.calcsize(kind)
        return v


def decode(b):
    rd = Reader(b)
    hdr = {name: rd.get(kind) for name, kind in HDR}
    assert hdr["magic"] in (b"EVMPKGR", b"EVMPKGS"), "not a request or signatures"
    layout = REQ_FILE if hdr["magic"] == b"EVMPKGR" else SIG_FILE
    pkgs = []
    for _ in range(hdr["packages"]):
        p = {"id": rd.get("s"), "files": rd.get("I")}
        p["f"] = [{name: rd.get(kind) for name, kind in layout}
                  for _ in range(p["files"])]
        pkgs.append(p)
    assert rd.off == len(b), "bytes after the last package"
    return {"hdr": hdr, "layout": layout, "pkgs": pkgs, "tail": b"", "cut": None,
            "lens": {}}


def encode(m):
    """The bytes, and where each field starts: (name, offset)."""
    out, where = bytearray(), []

    def put(name, kind, v):
        where.append((name, len(out)))
        if kind == "s":
            out.extend(struct.pack(">H", m["lens"].get(name, len(v))) + v)
        else:
            out.extend(struct.pack(">" + kind, v))

    for name, kind in HDR:
        put(name, kind, m["hdr"][name])
    for i, p in enumerate(m["pkgs"]):
        put("%d:id" % i, "s", p["id"])
        put("%d:files" % i, "I", p["files"])
        for j, f in enumerate(p["f"]):
            for name, kind in m["layout"]:
                put("%d:%d:%s" % (i, j, name), kind, f[name])
    out.extend(m["tail"])
    return bytes(out), where


def file_index(p, sel):
    if sel.isdigit():
        return int(sel)
    for j, f in enumerate(p["f"]):
        if f["path"] == sel.encode():
            return j
    sys.exit("reqbad.py: no file %s" % sel)


def locate(m, field):
    """(container dict, key, canonical name) of a field."""
    if field in m["hdr"]:
        return m["hdr"], field, field
    parts = field.rsplit(":", 2)
    if len(parts) == 1 or (len(parts) == 2 and parts[0].isdigit() and
                           parts[1] in ("id", "files")):
        pi = int(parts[0]) if len(parts) == 2 else 0
        return m["pkgs"][pi], parts[-1], "%d:%s" % (pi, parts[-1])
    sel, name = field.rsplit(":", 1)
    p = m["pkgs"][0]
    j = file_index(p, sel)
    return p["f"][j], name, "0:%d:%s" % (j, name)


def kind_of(m, name):
    for n, k in HDR + m["layout"] + [("id", "s"), ("files", "I")]:
        if n == name:
            return k
    sys.exit("reqbad.py: no field %s" % name)


def apply(m, op, a):
    if op == "trunc":
        if a[0].startswith("-"):
            m["cut"] = ("end", -int(a[0]))
        else:
            m["cut"] = (locate(m, a[0])[2], int(a[1]) if len(a) > 1 else 1)
    elif op in ("set", "text", "hex", "resize", "byte"):
        c, k, _ = locate(m, a[0])
        if op == "set":
            c[k] = int(a[1], 0)
        elif op == "text":
            c[k] = a[1].encode()
        elif op == "hex":
            c[k] = bytes.fromhex(a[1])
        elif op == "resize":
            n = int(a[1])
            c[k] = c[k][:n] + bytes(max(0, n - len(c[k])))
        else:
            v = bytearray(c[k])
            v[int(a[1])] = int(a[2], 16)
            c[k] = bytes(v)
    elif op == "len":
        m["lens"][locate(m, a[0])[2]] = int(a[1], 0)
    elif op in ("dup", "drop", "rename"):
        p = m["pkgs"][0]
        j = file_index(p, a[0])
        if op == "dup":
            p["f"].insert(j + 1, dict(p["f"][j]))
            p["files"] += 1
        elif op == "drop":
            del p["f"][j]
            p["files"] -= 1
        else:
            p["f"][j]["path"] = a[1].encode()
    elif op == "swap":
        p = m["pkgs"][0]
        f1, f2 = p["f"][file_index(p, a[0])], p["f"][file_index(p, a[1])]
        f1[a[2]], f2[a[2]] = f2[a[2]], f1[a[2]]
    elif op == "values-keyid":
        kid = struct.pack(">I", m["hdr"]["keyid"])
        for f in m["pkgs"][0]["f"]:
            for k in ("ima", "evm"):
                if f[k][:1] in (b"\x03", b"\x05"):
                    f[k] = f[k][:3] + kid + f[k][7:]
    elif op == "dup-pkg":
        m["pkgs"].append(m["pkgs"][0])
        m["hdr"]["packages"] += 1
    elif op == "trailing":
        m["tail"] += bytes.fromhex(a[0])
    elif op == "from":
        other = decode(open(a[0], "rb").read())
        c, k, _ = locate(m, a[1])
        oc, ok, _ = locate(other, a[1])
        c[k] = oc[ok]
    else:
        sys.exit("reqbad.py: unknown op %s" % op)


def main():
    src, dst, ops = sys.argv[1], sys.argv[2], sys.argv[3:]
    m = decode(open(src, "rb").read())
    while ops:
        n = ops.index("--") if "--" in ops else len(ops)
        apply(m, ops[0], ops[1:n])
        ops = ops[n + 1:]
    b, where = encode(m)
    if m["cut"]:
        name, k = m["cut"]
        b = b[:-k] if name == "end" else b[:dict(where)[name] + k]
    open(dst, "wb").write(b)


if __name__ == "__main__":
    main()
