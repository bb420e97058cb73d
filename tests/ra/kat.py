#!/usr/bin/env python3
"""Known-answer values of the RA protocol, computed independently of sgxra.

Everything here comes from the published algorithm (Intel's sample service
provider, sgx_ra key derivation: KDK = AES-CMAC(0^128, Gab.x little-endian),
KEY = AES-CMAC(KDK, 01 || label || 00 || 80 00)) and the wire formats of
docs/RA.md, computed with Python's standard library and the `openssl`
command line (P-256 keys, ECDH, ECDSA, CMAC, GMAC) -- no sgxra code.

  kat.py check FILE      recompute every value and compare it with FILE
                         (tests/ra/kat.txt, which test_ra.c reads too);
                         exit 0 when all match
  kat.py generate FILE   write FILE (once; the ECDSA signature in msg2 is
                         made here by openssl and only verified afterwards)
"""
import hashlib
import os
import subprocess
import sys
import tempfile

# P-256 private scalars, big-endian.  sp is Intel's sample SP key
# (service_provider.cpp g_sp_priv_key, stored there little-endian).
INTEL_SP_PRIV_LE = "90e76cbb2d52a1ce3b66de11439c87ec1f866a3b65b6aeeaad573453d1038c01"
# Intel's isv_enclave.cpp g_sp_pub_key: gx then gy, each little-endian.
INTEL_SP_PUB_WIRE = (
    "72128a7a17526ebf85d03a623730aead3e3daaee9c60731db05be8621c4beb38"
    "d48140d950e2577b26eeb741e7c614e224b7bdc903f29a28a83cc81011145e06")
GA_PRIV = "7b5a2c4d1e0f9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203"
GB_PRIV = "3d1c0b9a8f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4a392817160514"
MSG4_IV = "000102030405060708090a0b"
QUOTE_TYPE = 3
REASON = 3  # any sgxra_reason_code other than NONE


def rev(b):
    return bytes(reversed(b))


def wire(xy):
    """Big-endian X||Y (or r||s) -> each half little-endian."""
    return rev(xy[:32]) + rev(xy[32:])


def run(args, data=None):
    r = subprocess.run([os.environ.get("OPENSSL", "openssl")] + args, input=data, capture_output=True)
    if r.returncode != 0:
        sys.exit("openssl %s failed: %s" % (" ".join(args), r.stderr.decode()))
    return r.stdout


def sec1_der(d_hex):
    """ECPrivateKey (RFC 5915) without the public key: openssl computes it."""
    d = bytes.fromhex(d_hex)
    oid = bytes.fromhex("06082a8648ce3d030107")  # prime256v1
    body = (bytes.fromhex("020101") + b"\x04\x20" + d + b"\xa0" +
            bytes([len(oid)]) + oid)
    return b"\x30" + bytes([len(body)]) + body


class Keys:
    def __init__(self, tmp, name, d_hex):
        self.der = os.path.join(tmp, name + ".der")
        with open(self.der, "wb") as f:
            f.write(sec1_der(d_hex))
        self.pem = os.path.join(tmp, name + ".pem")
        run(["pkey", "-inform", "DER", "-in", self.der, "-out", self.pem])
        self.pub = os.path.join(tmp, name + ".pub.pem")
        run(["pkey", "-in", self.pem, "-pubout", "-out", self.pub])
        spki = run(["pkey", "-in", self.pem, "-pubout", "-outform", "DER"])
        assert spki[-65] == 4, "uncompressed point expected"
        self.xy = spki[-64:]


def cmac(key, msg, tmp):
    path = os.path.join(tmp, "cmac.in")
    with open(path, "wb") as f:
        f.write(msg)
    out = run(["mac", "-cipher", "AES-128-CBC", "-macopt",
               "hexkey:" + key.hex(), "-in", path, "CMAC"])
    return bytes.fromhex(out.decode().strip())


def gmac(key, iv, aad, tmp):
    path = os.path.join(tmp, "gmac.in")
    with open(path, "wb") as f:
        f.write(aad)
    out = run(["mac", "-cipher", "AES-128-GCM", "-macopt",
               "hexkey:" + key.hex(), "-macopt", "hexiv:" + iv.hex(),
               "-in", path, "GMAC"])
    return bytes.fromhex(out.decode().strip())


def der_to_rs(der):
    # SEQUENCE { INTEGER r, INTEGER s }, short lengths (P-256)
    assert der[0] == 0x30
    i = 2
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        v = der[i + 2:i + 2 + n].lstrip(b"\x00")
        out += v.rjust(32, b"\x00")
        i += 2 + n
    return out


def rs_to_der(rs):
    def integer(v):
        v = v.lstrip(b"\x00") or b"\x00"
        if v[0] & 0x80:
            v = b"\x00" + v
        return b"\x02" + bytes([len(v)]) + v
    body = integer(rs[:32]) + integer(rs[32:])
    return b"\x30" + bytes([len(body)]) + body


def compute(tmp, sign_wire=None):
    v = {}
    sp_priv = rev(bytes.fromhex(INTEL_SP_PRIV_LE)).hex()
    sp = Keys(tmp, "sp", sp_priv)
    ga = Keys(tmp, "ga", GA_PRIV)
    gb = Keys(tmp, "gb", GB_PRIV)
    v["sp_private"] = sp_priv
    v["ga_private"] = GA_PRIV
    v["gb_private"] = GB_PRIV
    v["sp_public_wire"] = wire(sp.xy).hex()
    if v["sp_public_wire"] != INTEL_SP_PUB_WIRE:
        sys.exit("Intel's sample SP key: the public key in wire form is "
                 "not Intel's g_sp_pub_key")
    v["ga_wire"] = wire(ga.xy).hex()
    v["gb_wire"] = wire(gb.xy).hex()

    # ECDH both ways: the shared X, big-endian as openssl gives it.
    x1 = run(["pkeyutl", "-derive", "-inkey", ga.pem, "-peerkey", gb.pub])
    x2 = run(["pkeyutl", "-derive", "-inkey", gb.pem, "-peerkey", ga.pub])
    assert x1 == x2 and len(x1) == 32
    v["shared_x_be"] = x1.hex()

    kdk = cmac(bytes(16), rev(x1), tmp)
    v["kdk"] = kdk.hex()
    keys = {}
    for label in ("SMK", "SK", "MK", "VK"):
        m = b"\x01" + label.encode() + b"\x00\x80\x00"
        keys[label] = cmac(kdk, m, tmp)
        v[label.lower()] = keys[label].hex()

    ga_w, gb_w = wire(ga.xy), wire(gb.xy)
    v["binding"] = (hashlib.sha256(ga_w + gb_w + keys["VK"]).digest() +
                    bytes(32)).hex()
    spid = hashlib.sha256(wire(sp.xy)).digest()[:16]
    v["spid"] = spid.hex()
    # The SP's session key (sgxra's own, sgxra/ra.h).
    v["session_key"] = hashlib.sha256(b"sgxra sp session key v1" +
                                      bytes.fromhex(sp_priv)).digest()[:16].hex()

    # msg2 with the SP's signature over Gb||Ga (wire forms).
    gbga = os.path.join(tmp, "gbga")
    with open(gbga, "wb") as f:
        f.write(gb_w + ga_w)
    sig_der = os.path.join(tmp, "sig.der")
    if sign_wire is None:
        run(["dgst", "-sha256", "-sign", sp.pem, "-out", sig_der, gbga])
        with open(sig_der, "rb") as f:
            sign_wire = wire(der_to_rs(f.read()))
    with open(sig_der, "wb") as f:
        f.write(rs_to_der(wire(sign_wire)))
    run(["dgst", "-sha256", "-verify", sp.pub, "-signature", sig_der, gbga])
    head = (gb_w + spid + QUOTE_TYPE.to_bytes(2, "little") +
            (1).to_bytes(2, "little") + sign_wire)
    assert len(head) == 148
    msg2 = head + cmac(keys["SMK"], head, tmp) + bytes(4)
    v["msg2"] = msg2.hex()

    # msg4, not trusted (one reason) and trusted with no secret: GCM over an
    # empty plaintext is GMAC over the AAD.
    iv = bytes.fromhex(MSG4_IV)
    for name, trusted, reasons in (("msg4_refused", 0, [REASON]),
                                   ("msg4_trusted", 1, [])):
        aad = ((1).to_bytes(2, "little") + bytes([trusted, 0]) +
               len(reasons).to_bytes(4, "little") +
               b"".join(r.to_bytes(2, "little") for r in reasons) +
               (0).to_bytes(4, "little"))
        tag = gmac(keys["SK"], iv, aad, tmp)
        body = aad + iv + tag
        v[name] = (body + cmac(keys["MK"], body, tmp)).hex()
    return v


def read(path):
    v = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                k, _, val = line.partition("=")
                v[k.strip()] = val.strip()
    return v


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "generate"):
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        if sys.argv[1] == "generate":
            v = compute(tmp)
            with open(sys.argv[2], "w") as f:
                f.write("# RA known-answer values: tests/ra/kat.py computes "
                        "them with openssl;\n# test_ra.c checks sgxra "
                        "against them.  Hex, big-endian scalars.\n")
                for k, val in v.items():
                    f.write("%s = %s\n" % (k, val))
            return
        want = read(sys.argv[2])
        sign = bytes.fromhex(want["msg2"])[84:148]
        got = compute(tmp, sign)
        bad = [k for k in got if want.get(k) != got[k]]
        bad += [k for k in want if k not in got]
        for k in bad:
            print("MISMATCH %s:\n  file     %s\n  computed %s" %
                  (k, want.get(k), got.get(k)))
        if bad:
            sys.exit(1)
        print("kat: %d values match (%s)" % (len(got), ", ".join(got)))


if __name__ == "__main__":
    main()
