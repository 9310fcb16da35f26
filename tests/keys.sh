#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/keys.sh DIR: creates, once, the test keys and self-signed
# certificates the oracle, rpm and kernel tiers share. Every certificate
# carries subjectKeyIdentifier=hash, so the 4-byte key id in signatures is
# the tail of its SKID. For each NAME below DIR holds:
#   NAME.pem      private key (PEM, unencrypted)
#   NAME.crt.pem  self-signed certificate (PEM)
#   NAME.der      the same certificate (DER)
# Names: rsa2048, rsa4096, ec256 (P-256), other (an rsa2048 key nobody
# trusts), and enc (rsa2048; enc.pem is encrypted with the password
# "secret", enc.plain.pem is the same key unencrypted).
# Existing complete sets are kept; a partial set is made again.
set -eu

dir=${1:?usage: tests/keys.sh DIR}
mkdir -p "$dir"
umask 077

have() {
	local n=$1
	[ -s "$dir/$n.pem" ] && [ -s "$dir/$n.crt.pem" ] && [ -s "$dir/$n.der" ]
}

# cert NAME KEYFILE [PASSARGS...]: self-signed certificate for the key.
cert() {
	local n=$1 key=$2
	shift 2
	openssl req -new -x509 -key "$key" "$@" -sha256 -days 36500 \
		-subj "/O=evmpkg test/CN=evmpkg test $n" \
		-addext "subjectKeyIdentifier=hash" \
		-addext "basicConstraints=critical,CA:FALSE" \
		-addext "keyUsage=critical,digitalSignature" \
		-addext "extendedKeyUsage=codeSigning" \
		-out "$dir/$n.crt.pem.tmp"
	openssl x509 -in "$dir/$n.crt.pem.tmp" -outform DER -out "$dir/$n.der.tmp"
	mv "$dir/$n.crt.pem.tmp" "$dir/$n.crt.pem"
	mv "$dir/$n.der.tmp" "$dir/$n.der"
}

# plain NAME GENPKEY-ARGS...: unencrypted key and its certificate.
plain() {
	local n=$1
	shift
	have "$n" && return 0
	rm -f "$dir/$n.pem" "$dir/$n.crt.pem" "$dir/$n.der"
	openssl genpkey "$@" -out "$dir/$n.pem.tmp" 2>/dev/null
	mv "$dir/$n.pem.tmp" "$dir/$n.pem"
	cert "$n" "$dir/$n.pem"
}

plain rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
plain rsa4096 -algorithm RSA -pkeyopt rsa_keygen_bits:4096
plain ec256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-pkeyopt ec_param_enc:named_curve
plain other -algorithm RSA -pkeyopt rsa_keygen_bits:2048

# The encrypted key: enc.plain.pem is the clear key, enc.pem the same key
# encrypted with "secret" (PKCS#8, AES-256-CBC).
if ! have enc || [ ! -s "$dir/enc.plain.pem" ]; then
	rm -f "$dir/enc.pem" "$dir/enc.plain.pem" "$dir/enc.crt.pem" "$dir/enc.der"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$dir/enc.plain.pem.tmp" 2>/dev/null
	openssl pkey -in "$dir/enc.plain.pem.tmp" -aes256 -passout pass:secret \
		-out "$dir/enc.pem.tmp"
	mv "$dir/enc.plain.pem.tmp" "$dir/enc.plain.pem"
	mv "$dir/enc.pem.tmp" "$dir/enc.pem"
	cert enc "$dir/enc.pem" -passin pass:secret
fi
chmod 0644 "$dir"/*.crt.pem "$dir"/*.der
