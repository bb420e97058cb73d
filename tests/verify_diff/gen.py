#!/usr/bin/env python3
"""Variant generator of the differential corpus (issue 13; docs/VERIFY.md).

usage: gen.py [--append] BUNDLES_DIR OUT_DIR [BUNDLE...]

For every dev bundle under BUNDLES_DIR (read-only; only those named when given),
writes every variant into OUT_DIR/<bundle>/ and one line per variant to
OUT_DIR/manifest.tsv:

    bundle <TAB> id <TAB> quote file <TAB> collateral dir <TAB> unix time <TAB> root

root is the trust root's PEM file, or '-' for the Intel SGX Root CA.  A bundle
with a root_ca.pem is an emulated one (tests/verify_diff/emu.sh): its root is
that file.  --append adds to OUT_DIR/manifest.tsv instead of replacing it.

A variant is a quote, a collateral folder in sgxra's layout and a verification
time.  Its id, "<class>/<name>", is stable: it depends only on the bundle, not
on OUT_DIR or the order of the run, and tests/verify_diff/expected/<bundle>.json
holds Intel's answer for each id.  Collateral variants are folders with the
unchanged files symlinked to the bundle.

The classes (times, chain files, JSON files, CRL encodings, quote fields,
quote PCK chain and sizes, collateral files swapped in from the other
bundles) are listed in docs/VERIFY.md.  Needs python3 with
the `cryptography` package (only to read certificate and CRL dates).
"""
import base64, datetime, json, os, re, shutil, struct, sys
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

FILES = ['pck_crl_issuer_chain.pem', 'root_ca_crl.der', 'pck_crl.der', 'tcb_info.json',
         'tcb_info_issuer_chain.pem', 'qe_identity.json', 'qe_identity_issuer_chain.pem']
CHAINS = ['tcb_info_issuer_chain.pem', 'qe_identity_issuer_chain.pem', 'pck_crl_issuer_chain.pem']
JSONS = ['tcb_info.json', 'qe_identity.json']
CRLS = ['pck_crl.der', 'root_ca_crl.der']
PEM_RE = re.compile(rb'-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----', re.S)


def ts(d):
    return int(d.replace(tzinfo=datetime.timezone.utc).timestamp()) if d.tzinfo is None else int(d.timestamp())


def when(obj, name):
    """A certificate or CRL date; cryptography < 42 (Debian 12 has 38) only
    has the naive-UTC attribute, newer ones warn on it and add *_utc."""
    utc = getattr(obj, name + '_utc', None)
    return ts(utc if utc is not None else getattr(obj, name))


def parse_time(s):
    return int(datetime.datetime.strptime(s, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc).timestamp())


def certs_of(blob):
    return [m.group(0) for m in PEM_RE.finditer(blob)]


def load_crl(data):
    if data.lstrip().startswith(b'-----BEGIN'):
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def quote_fields(q):
    """(name, start, end) for the fields of an SGX v3/v4/v5 quote."""
    f = []
    ver = struct.unpack_from('<H', q, 0)[0]
    f.append(('header.version', 0, 2)); f.append(('header.att_key_type', 2, 4)); f.append(('header.tee_type', 4, 8))
    f.append(('header.reserved', 8, 12)); f.append(('header.qe_vendor_id', 12, 28)); f.append(('header.user_data', 28, 48))
    off = 48
    if ver == 5:
        f.append(('body.type', 48, 50)); f.append(('body.size', 50, 54)); off = 54
    rb = off
    for n, l in [('cpusvn', 16), ('miscselect', 4), ('reserved1', 28), ('attributes', 16), ('mrenclave', 32),
                 ('reserved2', 32), ('mrsigner', 32), ('reserved3', 96), ('isvprodid', 2), ('isvsvn', 2),
                 ('reserved4', 60), ('reportdata', 64)]:
        f.append(('report.' + n, off, off + l)); off += l
    f.append(('sig_data_len', off, off + 4)); off += 4
    f.append(('signature', off, off + 64)); off += 64
    f.append(('attest_key', off, off + 64)); off += 64
    if ver >= 4:
        f.append(('outer_cert.type', off, off + 2)); f.append(('outer_cert.size', off + 2, off + 6)); off += 6
    qr = off
    for n, l in [('cpusvn', 16), ('miscselect', 4), ('reserved1', 28), ('attributes', 16), ('mrenclave', 32),
                 ('reserved2', 32), ('mrsigner', 32), ('reserved3', 96), ('isvprodid', 2), ('isvsvn', 2),
                 ('reserved4', 60), ('reportdata', 64)]:
        f.append(('qe_report.' + n, off, off + l)); off += l
    f.append(('qe_report_sig', off, off + 64)); off += 64
    al = struct.unpack_from('<H', q, off)[0]
    f.append(('qe_auth_len', off, off + 2)); off += 2
    if al:
        f.append(('qe_auth_data', off, off + al))
    off += al
    f.append(('cert.type', off, off + 2)); off += 2
    cl = struct.unpack_from('<I', q, off)[0]
    f.append(('cert.size', off, off + 4)); off += 4
    # inside the PEM chain: each certificate
    blob = q[off:off + cl]
    for i, m in enumerate(PEM_RE.finditer(blob)):
        f.append((f'cert.pem{i}', off + m.start(), off + m.end()))
    f.append(('cert.data_end', off + cl, off + cl))
    return ver, f


def coll_dates(bundle, quote):
    """Every date the verification depends on: (label, unix)."""
    out = []
    for fn in CHAINS:
        for i, pem in enumerate(certs_of(open(os.path.join(bundle, fn), 'rb').read())):
            c = x509.load_pem_x509_certificate(pem)
            out.append((f'{fn}[{i}].notBefore', when(c, 'not_valid_before')))
            out.append((f'{fn}[{i}].notAfter', when(c, 'not_valid_after')))
    for fn in CRLS:
        c = load_crl(open(os.path.join(bundle, fn), 'rb').read())
        out.append((f'{fn}.thisUpdate', when(c, 'last_update')))
        out.append((f'{fn}.nextUpdate', when(c, 'next_update')))
    for fn, key in [('tcb_info.json', 'tcbInfo'), ('qe_identity.json', 'enclaveIdentity')]:
        j = json.load(open(os.path.join(bundle, fn)))[key]
        out.append((f'{fn}.issueDate', parse_time(j['issueDate'])))
        out.append((f'{fn}.nextUpdate', parse_time(j['nextUpdate'])))
    q = open(quote, 'rb').read()
    for i, pem in enumerate(certs_of(q)):
        c = x509.load_pem_x509_certificate(pem)
        out.append((f'quote_pck_chain[{i}].notBefore', when(c, 'not_valid_before')))
        out.append((f'quote_pck_chain[{i}].notAfter', when(c, 'not_valid_after')))
    return out


def make_coll(bundle, work, name, changes):
    """A collateral dir = bundle with `changes` {file: bytes or None (delete)}."""
    d = os.path.join(work, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    for fn in FILES:
        if fn in changes:
            if changes[fn] is not None:
                open(os.path.join(d, fn), 'wb').write(changes[fn])
        else:
            os.symlink(os.path.abspath(os.path.join(bundle, fn)), os.path.join(d, fn))
    return d


def reorder_json_keys(obj):
    if isinstance(obj, dict):
        return {k: reorder_json_keys(obj[k]) for k in reversed(list(obj.keys()))}
    if isinstance(obj, list):
        return [reorder_json_keys(x) for x in obj]
    return obj


def variants(bundle, work, t0, time_only=False, quick=False, emu=False):
    quote = os.path.join(bundle, 'quote.bin')
    os.makedirs(work, exist_ok=True)
    # ---- times
    yield dict(cls='time', name='at_verification_time', quote=quote, coll=bundle, time=t0)
    yield dict(cls='time', name='before_issue_-400d', quote=quote, coll=bundle, time=t0 - 400 * 86400)
    yield dict(cls='time', name='far_future_2100', quote=quote, coll=bundle, time=4102444800)
    for t, n in [(0, 'zero'), (-1, 'minus1'), (1, 'one')]:
        yield dict(cls='time', name='time_' + n, quote=quote, coll=bundle, time=t)
    seen = set()
    for label, d in coll_dates(bundle, quote):
        for delta in (-1, 0, 1):
            key = (label, delta)
            if key in seen:
                continue
            seen.add(key)
            yield dict(cls='time', name=f'{label}{delta:+d}s', quote=quote, coll=bundle, time=d + delta)
    if time_only:
        return
    t = t0
    # ---- chain files
    for fn in CHAINS:
        raw = open(os.path.join(bundle, fn), 'rb').read()
        cs = certs_of(raw)
        join = lambda lst, sep=b'\n': sep.join(lst) + sep
        others = [c for f2 in CHAINS if f2 != fn for c in certs_of(open(os.path.join(bundle, f2), 'rb').read()) if c not in cs]
        var = {
            'reversed': join(list(reversed(cs))),
            'root_removed': join(cs[:-1]) if len(cs) > 1 else None,
            'leaf_removed': join(cs[1:]) if len(cs) > 1 else None,
            'leaf_duplicated': join([cs[0]] + cs),
            'root_duplicated': join(cs + [cs[-1]]),
            'leaf_only_twice': join([cs[0], cs[0]]),
            'root_only': join([cs[-1]]),
            'extra_foreign_cert': join(cs + others[:1]) if others else None,
            'extra_foreign_cert_first': join(others[:1] + cs) if others else None,
            'crlf': raw.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n'),
            'bom': b'\xef\xbb\xbf' + raw,
            'trailing_garbage': raw + b'garbage\n',
            'trailing_nul': raw + b'\x00',
            'leading_text': b'subject=whatever\n' + raw,
            'no_final_newline': raw.rstrip(b'\n'),
            'blank_lines_between': join(cs, b'\n\n\n'),
            'empty_file': b'',
            'truncated_mid_cert': raw[:len(raw) // 2],
            'base64_wrapped_76': join([wrap76(c) for c in cs]),
            # a block without its END line: the last one (cut at the end of
            # the file), and the first one (followed by a whole block)
            'last_end_line_cut': join(cs)[:join(cs).rfind(b'-----END')],
            'first_end_line_removed': join([cs[0].replace(b'-----END CERTIFICATE-----', b'')] + cs[1:]),
        }
        for vn, data in var.items():
            if data is None:
                continue
            d = make_coll(bundle, work, f'{fn}.{vn}', {fn: data})
            yield dict(cls='chain:' + fn, name=vn, quote=quote, coll=d, time=t)
    # ---- JSON files
    for fn in JSONS:
        raw = open(os.path.join(bundle, fn), 'rb').read()
        obj = json.loads(raw)
        top = list(obj.keys())
        var = {
            'pretty_indent2': json.dumps(obj, indent=2).encode(),
            'compact': json.dumps(obj, separators=(',', ':')).encode(),
            'spaces_after_colon': json.dumps(obj, separators=(', ', ': ')).encode(),
            'top_keys_reversed': json.dumps({k: obj[k] for k in reversed(top)}, separators=(',', ':')).encode(),
            'body_keys_reversed': json.dumps({k: (reorder_json_keys(v) if k != 'signature' else v) for k, v in obj.items()}, separators=(',', ':')).encode(),
            'crlf_pretty': json.dumps(obj, indent=2).replace('\n', '\r\n').encode(),
            'bom': b'\xef\xbb\xbf' + raw,
            'trailing_newline': raw + b'\n',
            'trailing_garbage': raw + b'garbage',
            'trailing_nul': raw + b'\x00',
            'leading_whitespace': b'  \n' + raw,
            'unicode_escaped_slash': raw.replace(b'"id":"QE"', b'"id":"\\u0051E"'),
            'duplicate_signature_key': raw[:-1] + b',"signature":"00"}' if raw.rstrip().endswith(b'}') else None,
            'extra_top_field': raw.rstrip()[:-1] + b',"x":1}',
            'empty_file': b'',
        }
        for vn, data in var.items():
            if data is None or (vn == 'unicode_escaped_slash' and data == raw):
                continue
            d = make_coll(bundle, work, f'{fn}.{vn}', {fn: data})
            yield dict(cls='json:' + fn, name=vn, quote=quote, coll=d, time=t)
    # ---- CRLs
    for fn in CRLS:
        der = open(os.path.join(bundle, fn), 'rb').read()
        crl = load_crl(der)
        der = crl.public_bytes(Encoding.DER) if der.lstrip().startswith(b'-----') else der
        pem = crl.public_bytes(Encoding.PEM)
        var = {
            'pem': pem,
            'pem_crlf': pem.replace(b'\n', b'\r\n'),
            'pem_no_final_newline': pem.rstrip(b'\n'),
            'pem_bom': b'\xef\xbb\xbf' + pem,
            'pem_leading_newline': b'\n' + pem,
            'pem_trailing_garbage': pem + b'garbage\n',
            'hex_text': der.hex().encode(),
            'hex_text_upper': der.hex().upper().encode(),
            'hex_text_newline': der.hex().encode() + b'\n',
            'der_trailing_garbage': der + b'garbage',
            'der_trailing_nul': der + b'\x00',
            'der_truncated': der[:-10],
            'empty_file': b'',
        }
        for vn, data in var.items():
            d = make_coll(bundle, work, f'{fn}.{vn}', {fn: data})
            yield dict(cls='crl:' + fn, name=vn, quote=quote, coll=d, time=t)
    # ---- quote
    q = open(quote, 'rb').read()
    ver, fields = quote_fields(q)
    qdir = os.path.join(work, 'quotes')
    os.makedirs(qdir, exist_ok=True)

    def qv(name, data, cls):
        p = os.path.join(qdir, name + '.bin')
        open(p, 'wb').write(data)
        return dict(cls=cls, name=name, quote=p, coll=bundle, time=t)
    for (fname, s, e) in fields:
        if e > s:
            for where, pos in (('first', s), ('last', e - 1)):
                if where == 'last' and e - 1 == s:
                    continue
                b = bytearray(q); b[pos] ^= 0x01
                yield qv(f'flip.{fname}.{where}', bytes(b), 'quote:flip')
    if emu:
        # the offsets of an emulated quote depend on its fresh keys (the DER
        # signatures in its PEM chain vary in length): name the cut by field
        cuts = {}
        for (fname, s, e) in fields:
            cuts.setdefault(f'before.{fname}', s)
            if e - s > 1:
                cuts.setdefault(f'in.{fname}', (s + e) // 2)
        for n, b in cuts.items():
            if 0 < b < len(q):
                yield qv(f'truncate.{n}', q[:b], 'quote:truncate')
    else:
        bounds = sorted(set([s for _, s, _ in fields] + [e for _, _, e in fields] + [432, 436, 1000, 1019, 1020, 1021]))
        for b in bounds:
            if 0 < b < len(q):
                yield qv(f'truncate.{b}', q[:b], 'quote:truncate')
    yield qv('truncate.0', b'', 'quote:truncate')
    for n, extra in [('1_zero', b'\x00'), ('1_ff', b'\xff'), ('16_zero', b'\x00' * 16), ('4096_zero', b'\x00' * 4096), ('text', b'garbage')]:
        yield qv(f'append.{n}', q + extra, 'quote:append')
    yield from quote_chain_variants(bundle, work, t)


def wrap76(pem):
    lines = pem.split(b'\n')
    body = b''.join(lines[1:-1])
    out = [lines[0]] + [body[i:i + 76] for i in range(0, len(body), 76)] + [lines[-1]]
    return b'\n'.join(out)


def quote_chain_variants(bundle, work, t0):
    """Variants of the PCK chain inside a quote's certification data (type 5;
    in a v4 quote, inside the QE report certification data, type 6).  Neither
    the quote signature nor the QE report data covers it, so these are still
    validly signed quotes.  Sizes (cert data size, the type-6 data size, the
    signature data size) are fixed up."""
    quote = os.path.join(bundle, 'quote.bin')
    q = open(quote, 'rb').read()
    ver, fields = quote_fields(q)
    if ver not in (3, 4):
        return
    fd = {n: (s, e) for n, s, e in fields}
    cstart = fd['cert.size'][1]
    clen = struct.unpack_from('<I', q, fd['cert.size'][0])[0]
    blob = q[cstart:cstart + clen]
    tail = q[cstart + clen:]
    cs = certs_of(blob)
    sep = b'\n'
    qdir = os.path.join(work, 'quotes')
    os.makedirs(qdir, exist_ok=True)
    sig_at = fd['sig_data_len'][0]
    auth = struct.unpack_from('<I', q, sig_at)[0]
    outer_at = fd['outer_cert.size'][0] if ver == 4 else None
    outer = struct.unpack_from('<I', q, outer_at)[0] if ver == 4 else 0

    def build(newblob):
        b = bytearray(q[:cstart]) + newblob + tail
        struct.pack_into('<I', b, fd['cert.size'][0], len(newblob))
        struct.pack_into('<I', b, sig_at, auth + len(newblob) - len(blob))
        if ver == 4:
            struct.pack_into('<I', b, outer_at, outer + len(newblob) - len(blob))
        return bytes(b)
    nul = blob.endswith(b'\x00')
    def j(lst):
        out = sep.join(lst) + sep
        return out + (b'\x00' if nul else b'')
    var = {
        'same_rebuilt': j(cs),
        'reversed': j(list(reversed(cs))),
        'ca_first': j([cs[1], cs[0], cs[2]]),
        'leaf_duplicated': j([cs[0]] + cs),
        'root_removed': j(cs[:2]),
        'ca_removed': j([cs[0], cs[2]]),
        'root_duplicated_no_ca': j([cs[0], cs[2], cs[2]]),
        'crlf': j(cs).replace(b'\n', b'\r\n'),
        'trailing_garbage': j(cs) + b'garbage',
        'leading_text': b'x\n' + j(cs),
    }
    if ver == 4:
        var['nul_padded_16'] = blob + b'\x00' * 16
    for vn, nb in var.items():
        p = os.path.join(qdir, 'qchain.' + vn + '.bin')
        open(p, 'wb').write(build(nb))
        yield dict(cls='quote:chain', name=vn, quote=p, coll=bundle, time=t0)

    def sized(fname, name, data):
        p = os.path.join(qdir, 'qsize.' + fname + '.bin'); open(p, 'wb').write(bytes(data))
        return dict(cls='quote:sizes', name=name, quote=p, coll=bundle, time=t0)
    # sizes: certification data shorter than the room left in the auth data, and
    # auth data with padding after the certification data
    b = bytearray(q); struct.pack_into('<I', b, fd['cert.size'][0], clen - 1)
    yield sized('certsize_minus1', 'cert_size_minus1 (drops the final byte of the PEM)', b)
    b = bytearray(q); struct.pack_into('<I', b, fd['cert.size'][0], clen - 40)
    yield sized('certsize_minus40', 'cert_size_minus40 (cuts into the last END line)', b)
    b = bytearray(q[:cstart + clen]) + b'\x00' * 16 + tail
    struct.pack_into('<I', b, sig_at, auth + 16)
    if ver == 3:
        yield sized('authdata_padded16', 'auth_data_padded_16 (auth size +16, zeros after cert data)', b)
    else:
        # v4: the zeros are inside the type-6 data, after its type-5 data
        struct.pack_into('<I', b, outer_at, outer + 16)
        yield sized('outer_padded16', 'outer_data_padded_16 (type-6 size +16 and signature data size +16, zeros after the type-5 data)', b)
        b = bytearray(q) + b'\x00' * 16
        struct.pack_into('<I', b, sig_at, auth + 16)
        yield sized('sigdata_padded16', 'sig_data_padded_16 (signature data size +16, zeros after the type-6 data)', b)
        b = bytearray(q); struct.pack_into('<I', b, outer_at, outer - 1)
        yield sized('outer_minus1', 'outer_size_minus1', b)
        b = bytearray(q); struct.pack_into('<I', b, outer_at, outer + 1)
        yield sized('outer_plus1', 'outer_size_plus1', b)
        b = bytearray(q[:cstart + clen]) + b'\x00' * 16 + tail
        struct.pack_into('<I', b, outer_at, outer + 16)
        yield sized('outer_padded16_sig_same', 'outer_padded_16_sig_size_unchanged', b)
    b = bytearray(q); struct.pack_into('<I', b, sig_at, auth - 1)
    yield sized('authlen_minus1', 'auth_size_minus1', b)


def swap_variants(bundle, work, t0, all_bundles):
    """Each collateral file replaced by the same file of another bundle (other CA, FMSPC,
    dates, TCB Info version): mismatch and wrong-issuer paths with genuine Intel data."""
    quote = os.path.join(bundle, 'quote.bin')
    me = os.path.basename(bundle.rstrip('/'))
    for donor in all_bundles:
        dn = os.path.basename(donor.rstrip('/'))
        if dn == me:
            continue
        for fn in FILES:
            a = open(os.path.join(bundle, fn), 'rb').read()
            b = open(os.path.join(donor, fn), 'rb').read()
            if a == b:
                continue
            d = make_coll(bundle, work, f'swap.{fn}.from.{dn[:6]}', {fn: b})
            yield dict(cls='swap:' + fn, name='from_' + dn, quote=quote, coll=d, time=t0)
        # the PCK CRL together with its issuer chain (consistent pair from the donor)
        d = make_coll(bundle, work, f'swap.pckcrlpair.from.{dn[:6]}',
                      {'pck_crl.der': open(os.path.join(donor, 'pck_crl.der'), 'rb').read(),
                       'pck_crl_issuer_chain.pem': open(os.path.join(donor, 'pck_crl_issuer_chain.pem'), 'rb').read()})
        yield dict(cls='swap:pck_crl+chain', name='from_' + dn, quote=quote, coll=d, time=t0)


# ---- multi: two faults from different steps of Intel's order (issue 13, q13order)
# Each fault: (name, Intel step, kind, file or None, data maker).  The step numbers
# are those of docs/VERIFY.md's order of sgx_qve_verify_quote (qve.cpp); two faults
# from different steps tell which step Intel runs first.
MULTI_STEPS = [
    # (name, step, kind)  kind: time / quote / a collateral file name
    ('time0', 2.0, 'time'),
    ('tcb_info_nul', 2.1, 'tcb_info.json'),
    ('pck_crl_empty', 2.2, 'pck_crl.der'),
    ('quote_short', 2.3, 'quote'),
    ('quote_version', 5.0, 'quote'),
    ('quote_cert_type', 5.1, 'quote'),
    ('tcb_info_unparsable', 6.0, 'tcb_info.json'),
    ('quote_chain_2certs', 7.0, 'quote'),
    ('qe_chain_no_cert', 10.1, 'qe_identity_issuer_chain.pem'),
    ('tcb_chain_no_cert', 10.2, 'tcb_info_issuer_chain.pem'),
    ('qe_identity_unparsable', 10.3, 'qe_identity.json'),
    ('root_crl_unparsable', 10.6, 'root_ca_crl.der'),
    ('pck_crl_unparsable', 10.7, 'pck_crl.der'),
    ('pck_crl_chain_no_cert', 10.8, 'pck_crl_issuer_chain.pem'),
    ('pck_crl_bad_sig', 12.0, 'pck_crl.der'),
    ('root_crl_bad_sig', 12.1, 'root_ca_crl.der'),
    ('tcb_chain_root_removed', 13.0, 'tcb_info_issuer_chain.pem'),
    ('tcb_info_bad_sig', 13.1, 'tcb_info.json'),
    ('qe_chain_root_removed', 14.0, 'qe_identity_issuer_chain.pem'),
    ('qe_identity_bad_sig', 14.1, 'qe_identity.json'),
    ('qe_report_bad_sig', 15.0, 'quote'),
    ('quote_bad_sig', 15.1, 'quote'),
]


def _multi_json_bad_sig(raw):
    m = re.search(rb'"signature"\s*:\s*"([0-9a-fA-F]+)"', raw)
    i = m.end(1) - 1
    c = raw[i:i + 1]
    return raw[:i] + (b'1' if c != b'1' else b'2') + raw[i + 1:]


def _multi_crl_der(bundle, fn):
    data = open(os.path.join(bundle, fn), 'rb').read()
    return load_crl(data).public_bytes(Encoding.DER)


def _multi_fault(bundle, name, q, fields):
    """The fault's change: ('time', t) / ('quote', bytes) / ('file', fn, bytes)."""
    fd = {n: (s, e) for n, s, e in fields}
    rd = lambda fn: open(os.path.join(bundle, fn), 'rb').read()

    def flip(field):
        b = bytearray(q); b[fd[field][0]] ^= 0x01
        return bytes(b)
    if name == 'time0':
        return ('time', 0)
    if name == 'tcb_info_nul':
        return ('file', 'tcb_info.json', rd('tcb_info.json') + b'\x00')
    if name == 'pck_crl_empty':
        return ('file', 'pck_crl.der', b'')
    if name == 'quote_short':
        return ('quote', q[:1000])
    if name == 'quote_version':
        return ('quote', flip('header.version'))
    if name == 'quote_cert_type':
        return ('quote', flip('cert.type'))
    if name == 'tcb_info_unparsable':
        return ('file', 'tcb_info.json', b'{"tcbInfo":')
    if name == 'quote_chain_2certs':
        cstart = fd['cert.size'][1]
        clen = struct.unpack_from('<I', q, fd['cert.size'][0])[0]
        blob = q[cstart:cstart + clen]
        cs = certs_of(blob)
        nb = b'\n'.join(cs[:2]) + b'\n' + (b'\x00' if blob.endswith(b'\x00') else b'')
        b = bytearray(q[:cstart]) + nb + q[cstart + clen:]
        struct.pack_into('<I', b, fd['cert.size'][0], len(nb))
        auth = struct.unpack_from('<I', q, fd['sig_data_len'][0])[0]
        struct.pack_into('<I', b, fd['sig_data_len'][0], auth + len(nb) - len(blob))
        return ('quote', bytes(b))
    if name.endswith('_chain_no_cert'):
        fn = {'qe': 'qe_identity_issuer_chain.pem', 'tcb': 'tcb_info_issuer_chain.pem',
              'pck_crl': 'pck_crl_issuer_chain.pem'}[name[:-len('_chain_no_cert')]]
        return ('file', fn, b'no certificate here\n')
    if name == 'qe_identity_unparsable':
        return ('file', 'qe_identity.json', b'{"enclaveIdentity":')
    if name in ('root_crl_unparsable', 'pck_crl_unparsable'):
        fn = 'root_ca_crl.der' if name.startswith('root') else 'pck_crl.der'
        return ('file', fn, _multi_crl_der(bundle, fn)[:-10])
    if name in ('root_crl_bad_sig', 'pck_crl_bad_sig'):
        fn = 'root_ca_crl.der' if name.startswith('root') else 'pck_crl.der'
        der = bytearray(_multi_crl_der(bundle, fn)); der[-1] ^= 0x01
        return ('file', fn, bytes(der))
    if name.endswith('_chain_root_removed'):
        fn = 'tcb_info_issuer_chain.pem' if name.startswith('tcb') else 'qe_identity_issuer_chain.pem'
        cs = certs_of(rd(fn))
        return ('file', fn, b'\n'.join(cs[:-1]) + b'\n')
    if name in ('tcb_info_bad_sig', 'qe_identity_bad_sig'):
        fn = 'tcb_info.json' if name.startswith('tcb') else 'qe_identity.json'
        return ('file', fn, _multi_json_bad_sig(rd(fn)))
    if name == 'quote_chain_no_ca':
        # 3 certificates, the CA replaced by a second root: Intel's step 12
        # (QVL PckCertVerifier) fails, not the count (step 7)
        cstart = fd['cert.size'][1]
        clen = struct.unpack_from('<I', q, fd['cert.size'][0])[0]
        blob = q[cstart:cstart + clen]
        cs = certs_of(blob)
        nb = b'\n'.join([cs[0], cs[2], cs[2]]) + b'\n' + (b'\x00' if blob.endswith(b'\x00') else b'')
        b = bytearray(q[:cstart]) + nb + q[cstart + clen:]
        struct.pack_into('<I', b, fd['cert.size'][0], len(nb))
        auth = struct.unpack_from('<I', q, fd['sig_data_len'][0])[0]
        struct.pack_into('<I', b, fd['sig_data_len'][0], auth + len(nb) - len(blob))
        return ('quote', bytes(b))
    if name == 'qe_report_bad_sig':
        return ('quote', flip('qe_report_sig'))
    if name == 'quote_bad_sig':
        return ('quote', flip('report.mrenclave'))
    raise ValueError(name)


def multi_pairs():
    """The pairs: each fault with the next fault of a later (sub)step and with
    the next fault of a later whole step, when the two touch different inputs;
    and the time fault with faults of every later step."""
    out = []
    for i, (a, sa, ka) in enumerate(MULTI_STEPS):
        nxt = [(b, sb) for b, sb, kb in MULTI_STEPS[i + 1:] if sb != sa and kb != ka]
        picks = nxt[:1] + [x for x in nxt if int(x[1]) != int(sa)][:1]
        for b, _ in picks:
            if (a, b) not in out:
                out.append((a, b))
    for b in ('quote_chain_2certs', 'pck_crl_unparsable', 'pck_crl_bad_sig', 'tcb_info_bad_sig',
              'qe_identity_bad_sig', 'quote_bad_sig'):
        out.append(('time0', b))
    # the quote's PCK chain (step 12) against the CRLs (12) and the TCB Info
    # and QE Identity (13, 14); not in MULTI_STEPS so the pairs above keep
    # their ids
    for a in ('quote_chain_no_ca',):
        for b in ('pck_crl_bad_sig', 'tcb_chain_root_removed', 'tcb_info_bad_sig',
                  'qe_chain_root_removed', 'qe_identity_bad_sig', 'qe_identity_unparsable'):
            out.append((a, b))
    return out


def multi_variants(bundle, work, t0):
    """multi:<fault>+<fault>: two single faults from different steps."""
    quote = os.path.join(bundle, 'quote.bin')
    q = open(quote, 'rb').read()
    ver, fields = quote_fields(q)
    qdir = os.path.join(work, 'quotes')
    os.makedirs(qdir, exist_ok=True)
    for a, b in multi_pairs():
        t, qd, changes = t0, None, {}
        for f in (a, b):
            ch = _multi_fault(bundle, f, q, fields)
            if ch[0] == 'time':
                t = ch[1]
            elif ch[0] == 'quote':
                qd = ch[1]
            else:
                changes[ch[1]] = ch[2]
        name = a + '+' + b
        qp = quote
        if qd is not None:
            qp = os.path.join(qdir, 'multi.' + name + '.bin')
            open(qp, 'wb').write(qd)
        coll = make_coll(bundle, work, 'multi.' + name, changes) if changes else bundle
        yield dict(cls='multi', name=name, quote=qp, coll=coll, time=t)


def variant_id(v):
    """The stable id of a variant: class / name (the name up to its first space)."""
    return v['cls'] + '/' + v['name'].split(' ')[0]


def is_emu(bundle):
    """An emulated bundle (tests/verify_diff/emu.sh): its trust root is its own
    root_ca.pem, the simulated Intel root."""
    return os.path.isfile(os.path.join(bundle, 'root_ca.pem'))


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    append = argv[1] == '--append'
    if append:
        argv = argv[:1] + argv[2:]
    bdir, out = argv[1], argv[2]
    names = argv[3:] or sorted(n for n in os.listdir(bdir)
                               if os.path.isfile(os.path.join(bdir, n, 'expected.json')))
    os.makedirs(out, exist_ok=True)
    total = 0
    with open(os.path.join(out, 'manifest.tsv'), 'a' if append else 'w') as m:
        for bn in names:
            b = os.path.join(bdir, bn)
            emu = is_emu(b)
            root = os.path.abspath(os.path.join(b, 'root_ca.pem')) if emu else '-'
            t0 = json.load(open(os.path.join(b, 'expected.json')))['verification_time_unix']
            seen = set()
            gen = list(variants(b, os.path.join(out, bn), t0, emu=emu))
            # swaps only within the same trust root: dev bundles among dev bundles,
            # emulated ones among emulated ones (one simulated CA, see emu.sh)
            gen += swap_variants(b, os.path.join(out, bn), t0,
                                 [os.path.join(bdir, n) for n in names if is_emu(os.path.join(bdir, n)) == emu])
            if not emu:
                gen += multi_variants(b, os.path.join(out, bn), t0)
            for v in gen:
                vid = variant_id(v)
                if vid in seen or '\t' in vid or '\n' in vid:
                    sys.stderr.write('gen.py: %s: duplicate or bad id %r\n' % (bn, vid))
                    return 1
                seen.add(vid)
                if emu and (vid in EMU_UNSTABLE or not emu_kept(bn, v)):
                    continue
                m.write('%s\t%s\t%s\t%s\t%d\t%s\n' % (bn, vid, os.path.abspath(v['quote']),
                                                       os.path.abspath(v['coll']), v['time'], root))
                total += 1
    sys.stderr.write('gen.py: %d variants of %d bundles in %s\n' % (total, len(names), out))
    return 0


# Emulated bundles with every variant: the PCK Platform CA with a v3 quote,
# the PCK Processor CA with a v4 quote, and a revoked PCK.  The others (other
# TCB levels, TCB recovery, v4 under the Platform CA) repeat the same files
# and layouts, so to keep ctest `verify_diff` fast under ASan they get only
# the variants whose answer depends on their TCB level or quote: the fixed
# times and the TCB Info / QE Identity dates, the quote's chain and sizes,
# and the swaps between emulated bundles.
EMU_FULL = {'emu-v3-platform', 'emu-v4-processor', 'emu-revoked'}


def emu_kept(bn, v):
    if bn in EMU_FULL:
        return True
    cls, name = v['cls'], v['name']
    if cls in ('quote:chain', 'quote:sizes') or cls.startswith('swap:'):
        return True
    return cls == 'time' and (name.startswith(('tcb_info.json', 'qe_identity.json'))
                              or name in ('at_verification_time', 'before_issue_-400d', 'far_future_2100')
                              or name.startswith('time_'))


# Variants of emulated bundles whose Intel answer depends on the fresh keys
# of emu.sh (two runs gave two answers): not valid tests, left out.
EMU_UNSTABLE = {
}


if __name__ == '__main__':
    sys.exit(main(sys.argv))
