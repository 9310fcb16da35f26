#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the certificate and key files of the malformed-input catalogue
into DIR: expired.der (the test key rsa2048's, valid in 2001 only),
noskid.der (the same key, no subjectKeyIdentifier), ed25519.der and
ed25519.pem (a key type the kernel does not verify), dsa.der and dsa.pem,
garbage.pem (PEM armour around bytes that are not DER), empty.der,
truncated.der (the first half of rsa2048.der), rsa2048.pub.pem (a public
key where a certificate belongs).

usage: certs.py KEYS DIR   (KEYS: tests/keys.sh's directory)"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ed25519
from cryptography.x509.oid import NameOID

keys, out = sys.argv[1], sys.argv[2]
rsa = serialization.load_pem_private_key(open(keys + "/rsa2048.pem", "rb").read(), None)


def cert(key, name, start, end, skid=True, algo=hashes.SHA256()):
    subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    b = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(start).not_valid_after(end))
    if skid:
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    return b.sign(key, algo).public_bytes(serialization.Encoding.DER)


def write(name, data):
    open(out + "/" + name, "wb").write(data)


now = datetime.datetime.now(datetime.timezone.utc)
write("expired.der", cert(rsa, "evmpkg test expired", datetime.datetime(2001, 1, 1),
                          datetime.datetime(2001, 12, 31)))
write("noskid.der", cert(rsa, "evmpkg test no skid", now, now + datetime.timedelta(days=3650),
                         skid=False))
ed = ed25519.Ed25519PrivateKey.generate()
write("ed25519.der", cert(ed, "evmpkg test ed25519", now, now + datetime.timedelta(days=3650), algo=None))
write("ed25519.pem", ed.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
ds = dsa.generate_private_key(2048)
write("dsa.der", cert(ds, "evmpkg test dsa", now, now + datetime.timedelta(days=3650)))
write("dsa.pem", ds.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
write("garbage.pem", b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n")
write("garbage-key.pem", b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n")
write("empty.der", b"")
der = open(keys + "/rsa2048.der", "rb").read()
write("truncated.der", der[:len(der) // 2])
write("rsa2048.pub.pem", rsa.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
