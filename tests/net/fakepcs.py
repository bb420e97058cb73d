#!/usr/bin/env python3
"""A test double of Intel's PCS API v4 that serves RECORDED real collateral.

Each bundle directory (the layout of ../shared/vectors/dcap/bundles/<case>/:
tcb_info.json, qe_identity.json, pck_crl.der, root_ca_crl.der and the three
issuer-chain PEM files) is served as Intel's PCS sends those items: the body
verbatim, the issuer chain URL-encoded in its response header.  A bundle
folder is served under its own base URL

    http://HOST:PORT/<case>/sgx/certification/v4/

and, when --bundles names a single bundle, also under /sgx/certification/v4/.

Routes (GET): tcb?fmspc=HEX[&update=standard|early],
qe/identity[?update=...], pckcrl?ca=processor|platform[&encoding=der|pem],
rootcacrl.  Every response carries Request-ID; 4xx carry Error-Code and
Error-Message, as the PCS's do.

Faults, to test a client (--fault ROUTE=MODE, ROUTE in tcb qe pckcrl
rootcacrl all):
    404 429 500 503     that status (429 with Retry-After: 1)
    timeout             hold the connection 30 s without answering
    truncate            announce the full Content-Length, send half, close
    badchain            another route's issuer chain in the header
    badsig              TCB Info / QE Identity re-signed by a fresh P-256 key
    reset               close the connection at once (TCP RST)
    MODE@N              only the first N requests of that route
Control: GET /_stats -> {"tcb": n, "qe": n, "pckcrl": n, "rootcacrl": n}
(requests received, faulted or not); POST /_fault?route=R&mode=M changes a
fault while running (mode=none clears it).

Prints "listening on http://HOST:PORT/" once ready; SIGTERM/SIGINT stop it,
and so does the end of the process that started it (checked twice a second),
so that a test that dies without stopping it leaves nothing behind.
Test code only: uses the openssl command for the badsig re-signing.
"""
import argparse
import base64
import json
import os
import secrets
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PREFIX = "/sgx/certification/v4/"
ROUTES = ("tcb", "qe", "pckcrl", "rootcacrl")
MODES = ("404", "429", "500", "503", "timeout", "truncate", "badchain",
         "badsig", "reset")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def first_cert_cn(pem_path):
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-subject", "-nameopt", "multiline",
         "-in", pem_path], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("commonName"):
            return line.split("=", 1)[1].strip()
    return ""


def inner_object_span(text, member):
    """Byte span of the value of top-level member `member` (an object)."""
    key = ('"%s"' % member).encode()
    i = text.find(key)
    if i < 0:
        raise ValueError("no member " + member)
    i = text.index(b"{", i + len(key))
    depth, j, in_str, esc = 0, i, False, False
    while j < len(text):
        c = text[j:j + 1]
        if in_str:
            if esc:
                esc = False
            elif c == b"\\":
                esc = True
            elif c == b'"':
                in_str = False
        elif c == b'"':
            in_str = True
        elif c == b"{":
            depth += 1
        elif c == b"}":
            depth -= 1
            if depth == 0:
                return i, j + 1
        j += 1
    raise ValueError("unterminated object")


def compact(raw):
    """Remove whitespace outside strings (what Intel signs)."""
    out, in_str, esc = bytearray(), False, False
    for b in raw:
        c = bytes([b])
        if in_str:
            out += c
            if esc:
                esc = False
            elif c == b"\\":
                esc = True
            elif c == b'"':
                in_str = False
        elif c == b'"':
            in_str = True
            out += c
        elif c not in b" \t\r\n":
            out += c
    return bytes(out)


def der_ecdsa_to_raw(der):
    def integer(buf, k):
        if buf[k] != 0x02:
            raise ValueError("not an INTEGER")
        n = buf[k + 1]
        v = int.from_bytes(buf[k + 2:k + 2 + n], "big")
        return v, k + 2 + n
    if der[0] != 0x30:
        raise ValueError("not a SEQUENCE")
    k = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    r, k = integer(der, k)
    s, _ = integer(der, k)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def resign(body, member, workdir):
    """The same JSON body with its signature made by a fresh P-256 key."""
    a, b = inner_object_span(body, member)
    signed = compact(body[a:b])
    key = os.path.join(workdir, "fresh.pem")
    if not os.path.exists(key):
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey",
                        "-noout", "-out", key], check=True,
                       capture_output=True)
    der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                         input=signed, check=True, capture_output=True).stdout
    sig = der_ecdsa_to_raw(der).hex().encode()
    s = body.rindex(b'"signature"')
    q1 = body.index(b'"', s + len(b'"signature"'))
    q2 = body.index(b'"', q1 + 1)
    return body[:q1 + 1] + sig + body[q2:]


class Bundle:
    def __init__(self, path):
        self.name = os.path.basename(os.path.normpath(path))
        self.tcb = read(os.path.join(path, "tcb_info.json"))
        self.tcb_chain = read(os.path.join(path, "tcb_info_issuer_chain.pem"))
        self.qe = read(os.path.join(path, "qe_identity.json"))
        self.qe_chain = read(os.path.join(path,
                                          "qe_identity_issuer_chain.pem"))
        self.pckcrl = read(os.path.join(path, "pck_crl.der"))
        self.pck_chain = read(os.path.join(path, "pck_crl_issuer_chain.pem"))
        self.rootcrl = read(os.path.join(path, "root_ca_crl.der"))
        self.fmspc = json.loads(self.tcb)["tcbInfo"]["fmspc"].lower()
        cn = first_cert_cn(os.path.join(path, "pck_crl_issuer_chain.pem"))
        self.ca = "processor" if "Processor" in cn else "platform"


class State:
    def __init__(self, bundles, faults, workdir):
        self.bundles = bundles
        self.single = bundles[0] if len(bundles) == 1 else None
        self.lock = threading.Lock()
        self.stats = {r: 0 for r in ROUTES}
        self.faults = {}  # route -> [mode, remaining or None]
        self.workdir = workdir
        for f in faults:
            self.set_fault(*f.split("=", 1))

    def set_fault(self, route, mode):
        routes = ROUTES if route == "all" else (route,)
        for r in routes:
            if r not in ROUTES:
                raise ValueError("unknown route " + r)
        left = None
        if "@" in mode:
            mode, n = mode.split("@", 1)
            left = int(n)
        if mode != "none" and mode not in MODES:
            raise ValueError("unknown mode " + mode)
        with self.lock:
            for r in routes:
                if mode == "none":
                    self.faults.pop(r, None)
                else:
                    self.faults[r] = [mode, left]

    def take(self, route):
        """Count a request and return the fault to apply to it, if any."""
        with self.lock:
            self.stats[route] += 1
            f = self.faults.get(route)
            if not f:
                return None
            mode, left = f
            if left is not None:
                if left <= 0:
                    return None
                f[1] = left - 1
            return mode


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a held connection must not delay the exit

    def __init__(self, addr, handler, parent):
        super().__init__(addr, handler)
        self.parent = parent
        self.stopping = False

    def stop(self):
        if not self.stopping:
            self.stopping = True
            threading.Thread(target=self.shutdown, daemon=True).start()

    def service_actions(self):
        # serve_forever calls this at least every poll interval (0.5 s)
        if os.getppid() != self.parent:
            self.stop()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sgxra-fakepcs/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("fakepcs: %s\n" % (fmt % args))

    def reply(self, status, body=b"", ctype="text/plain", headers=None,
              truncate=False):
        self.send_response(status)
        self.send_header("Request-ID", secrets.token_hex(16))
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if truncate:
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def error(self, status, code, message, headers=None):
        h = {"Error-Code": code, "Error-Message": message}
        h.update(headers or {})
        self.reply(status, (message + "\n").encode(), headers=h)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        if url.path != "/_fault":
            return self.error(405, "MethodNotAllowed", "POST only on /_fault")
        try:
            self.server.state.set_fault(q.get("route", ""), q.get("mode", ""))
        except ValueError as e:
            return self.error(400, "InvalidParameter", str(e))
        self.reply(200, b"ok\n")

    def do_GET(self):
        st = self.server.state
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/_stats":
            with st.lock:
                body = json.dumps(st.stats).encode()
            return self.reply(200, body, "application/json")
        bundle, rest = None, None
        if url.path.startswith(PREFIX) and st.single:
            bundle, rest = st.single, url.path[len(PREFIX):]
        else:
            parts = url.path.split("/", 2)
            if len(parts) == 3 and ("/" + parts[2]).startswith(PREFIX):
                bundle = next((b for b in st.bundles if b.name == parts[1]),
                              None)
                rest = ("/" + parts[2])[len(PREFIX):]
        if bundle is None:
            return self.error(404, "NotFound", "no such path: " + url.path)
        route = {"tcb": "tcb", "qe/identity": "qe", "pckcrl": "pckcrl",
                 "rootcacrl": "rootcacrl"}.get(rest)
        if route is None:
            return self.error(404, "NotFound", "no such route: " + rest)
        if q.get("update", "standard") not in ("standard", "early"):
            return self.error(400, "InvalidParameter",
                              "update must be standard or early")
        fault = st.take(route)
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fault == "timeout":
            time.sleep(30)
            self.close_connection = True
            return
        if fault in ("404", "429", "500", "503"):
            extra = {"Retry-After": "1"} if fault == "429" else {}
            names = {"404": "NotFound", "429": "TooManyRequests",
                     "500": "InternalError", "503": "ServiceUnavailable"}
            return self.error(int(fault), names[fault],
                              "injected fault " + fault, extra)
        trunc = fault == "truncate"
        enc = lambda pem: urllib.parse.quote(pem.decode(), safe="")
        if route == "tcb":
            fm = q.get("fmspc", "")
            if len(fm) != 12:
                return self.error(400, "InvalidParameter",
                                  "fmspc must be 12 hex digits")
            if fm.lower() != bundle.fmspc:
                return self.error(404, "NotFound",
                                  "no TCB Info for fmspc " + fm)
            body = bundle.tcb
            if fault == "badsig":
                body = resign(body, "tcbInfo", st.workdir)
            chain = bundle.pck_chain if fault == "badchain" else \
                bundle.tcb_chain
            return self.reply(200, body, "application/json",
                              {"TCB-Info-Issuer-Chain": enc(chain)}, trunc)
        if route == "qe":
            body = bundle.qe
            if fault == "badsig":
                body = resign(body, "enclaveIdentity", st.workdir)
            chain = bundle.pck_chain if fault == "badchain" else \
                bundle.qe_chain
            return self.reply(
                200, body, "application/json",
                {"SGX-Enclave-Identity-Issuer-Chain": enc(chain)}, trunc)
        if route == "pckcrl":
            ca = q.get("ca", "")
            if ca not in ("processor", "platform"):
                return self.error(400, "InvalidParameter",
                                  "ca must be processor or platform")
            if ca != bundle.ca:
                return self.error(404, "NotFound", "no PCK CRL for ca " + ca)
            encoding = q.get("encoding", "pem")
            if encoding not in ("pem", "der"):
                return self.error(400, "InvalidParameter",
                                  "encoding must be der or pem")
            if encoding == "der":
                body, ctype = bundle.pckcrl, "application/pkix-crl"
            else:
                b64 = base64.encodebytes(bundle.pckcrl).decode()
                body = ("-----BEGIN X509 CRL-----\n%s-----END X509 CRL-----\n"
                        % b64).encode()
                ctype = "application/x-pem-file"
            chain = bundle.tcb_chain if fault == "badchain" else \
                bundle.pck_chain
            return self.reply(200, body, ctype,
                              {"SGX-PCK-CRL-Issuer-Chain": enc(chain)}, trunc)
        return self.reply(200, bundle.rootcrl, "application/pkix-crl",
                          None, trunc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundles", required=True,
                    help="a bundle folder, or a folder of bundle folders")
    ap.add_argument("--listen", default="127.0.0.1:0")
    ap.add_argument("--fault", action="append", default=[],
                    help="ROUTE=MODE[@N]")
    a = ap.parse_args()
    d = a.bundles
    if os.path.exists(os.path.join(d, "tcb_info.json")):
        dirs = [d]
    else:
        dirs = sorted(os.path.join(d, x) for x in os.listdir(d)
                      if os.path.exists(os.path.join(d, x, "tcb_info.json")))
    if not dirs:
        sys.exit("fakepcs: no bundle in " + d)
    host, port = a.listen.rsplit(":", 1)
    with tempfile.TemporaryDirectory(prefix="fakepcs.") as work:
        try:
            state = State([Bundle(x) for x in dirs], a.fault, work)
        except (ValueError, OSError, subprocess.CalledProcessError) as e:
            sys.exit("fakepcs: %s" % e)
        srv = Server((host, int(port)), Handler, os.getppid())
        srv.state = state
        signal.signal(signal.SIGTERM, lambda signum, frame: srv.stop())
        signal.signal(signal.SIGINT, lambda signum, frame: srv.stop())
        print("listening on http://%s:%d/" % srv.server_address[:2],
              flush=True)
        srv.serve_forever()
        srv.server_close()


if __name__ == "__main__":
    main()
