# sgxra measure / inspect / registry add on the Intel SGX SDK signed
# enclaves of ../shared/vectors/sdk: EVERY *.so there (a vector added later
# is tested too) re-measures to the ENCLAVEHASH its SIGSTRUCT carries and
# to expected.json's mrenclave; damaged copies (a flipped byte in a
# loadable segment, in the patch table, in a layout entry) are a mismatch,
# exit 1 with both values; malformed metadata (a truncated note, a record
# size that lies, a layout entry outside the enclave, overlapping layout
# entries, a layout page on a segment's page, an all-zero note) and what
# sgxra does not reproduce (DT_TEXTREL, ELRANGE metadata) are exit 2 with
# the library's precise message, never a crash; `registry add` refuses a
# damaged copy and registers the original.  Values:
# ../shared/vectors/sdk/README.md and expected.json.
. "$(dirname "$0")/lib.sh"
SDK="$V/sdk"
export SGXRA_ACTOR=tester
unset SGXRA_DB
if [ ! -f "$SDK/expected.json" ]; then
  if [ "${SGXRA_REQUIRE_VECTORS:-0}" = 1 ]; then
    echo "FAIL: $SDK/expected.json not found (SGXRA_REQUIRE_VECTORS=1)" >&2
    exit 1
  fi
  echo "skipped: SDK vectors not found at $SDK"
  exit 77
fi

# The checks run from one python3 process (a python3 start per check made
# the test take minutes on a loaded machine).  It reads the ELF and the
# metadata of each vector independently of sgxra, makes the damaged copies,
# runs sgxra, and prints "FAIL: ..." per failed check, "SKIPPED: ..." and
# last "PASSED n".
cat > "$T/sdk.py" <<'PYEOF'
import glob, json, os, re, struct, subprocess, sys

SGXRA, SDK, T = sys.argv[1], sys.argv[2], sys.argv[3]
MAGIC = 0x86A80294635D0E4C
passes = 0

def ok():
    global passes
    passes += 1

def bad(msg):
    print('FAIL: ' + msg, flush=True)

def check(cond, msg):
    ok() if cond else bad(msg)

def run(*args):
    p = subprocess.run([SGXRA] + list(args), capture_output=True)
    return p.returncode, p.stdout.decode(errors='replace'), p.stderr.decode(errors='replace')

def expect(status, *args):
    rc, out, err = run(*args)
    check(rc == status, 'exit %d (want %d): sgxra %s\n%s' % (rc, status, ' '.join(args), err))
    return out, err

def expect_json(status, *args):
    out, err = expect(status, *args)
    try:
        return json.loads(out), err
    except ValueError:
        bad('not JSON: sgxra %s: %r' % (' '.join(args), out[:200]))
        return {}, err

def eq(what, got, want):
    check(got == want, '%s = %r, want %r' % (what, got, want))

# ---- the ELF and the metadata, read without sgxra ----------------------------

def parse(d):
    phoff, shoff = struct.unpack_from('<QQ', d, 32)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from('<HHHHH', d, 54)
    loads = []
    for i in range(phnum):
        t, fl, off, va, pa, fs, ms, al = struct.unpack_from('<IIQQQQQQ', d, phoff + i * phentsize)
        if t == 1:
            loads.append(dict(flags=fl, offset=off, vaddr=va, filesz=fs, memsz=ms))
    stro = struct.unpack_from('<IIQQQQIIQQ', d, shoff + shstrndx * shentsize)[4]
    note = None
    for i in range(shnum):
        sh = struct.unpack_from('<IIQQQQIIQQ', d, shoff + i * shentsize)
        if d[stro + sh[0]:d.index(b'\0', stro + sh[0])] == b'.note.sgxmeta':
            note = dict(shdr=shoff + i * shentsize, offset=sh[4], size=sh[5])
    namesz, descsz = struct.unpack_from('<II', d, note['offset'])
    note['descsz'] = descsz
    recs = []
    off = note['offset'] + 12 + namesz
    end = off + descsz
    while off + 64 <= end:
        magic, minor, major, size = struct.unpack_from('<QIII', d, off)
        if magic != MAGIC or size == 0:
            break
        po, ps, lo, ls = struct.unpack_from('<IIII', d, off + 1872)
        ens, = struct.unpack_from('<Q', d, off + 40)
        recs.append(dict(offset=off, major=major, minor=minor, size=size,
                         patch=(po, ps), layout=(lo, ls), enclave_size=ens))
        off += size
    return loads, note, recs

def version(r):
    return '%d.%d' % (r['major'], r['minor'])

def selected(recs):
    """The copy Intel's loader takes on an EDMM CPU (urts get_metadata):
    2.x copies skipped, majors above 3 skipped, the highest version."""
    ok = [i for i, r in enumerate(recs) if r['major'] % 10 != 2 and r['major'] % 10 <= 3]
    pool = ok or list(range(len(recs)))
    return max(pool, key=lambda i: (recs[i]['major'], recs[i]['minor']))

def layout_entries(d, r):
    lo, ls = r['layout']
    for i in range(ls // 32):
        at = r['offset'] + lo + 32 * i
        eid, attr, pc, rva, cs, co, si = struct.unpack_from('<HHIQIIQ', d, at)
        yield i, at, dict(id=eid, attr=attr, pages=pc, rva=rva, content_size=cs,
                          content_offset=co, si_flags=si)

def patches(d, r):
    po, ps = r['patch']
    return [struct.unpack_from('<QII', d, r['offset'] + po + 32 * i) for i in range(ps // 32)]

def readme_row(name):
    """The "Further fields" row of README.md for this file, or None."""
    head = None
    for l in open(os.path.join(SDK, 'README.md'), encoding='utf-8'):
        if not l.startswith('|'):
            continue
        cells = [c.strip() for c in l.strip().strip('|').split('|')]
        if 'static TCS' in cells:
            head = cells
        elif head and cells and cells[0] == name and len(cells) == len(head):
            return dict(zip(head, cells))
    return None

# ---- damaged copies -----------------------------------------------------------

def mutate(kind, src, dst, copy=None):
    """Write a damaged copy of src (in metadata copy `copy`, by default the
    one Intel's loader takes); returns what changed."""
    d = bytearray(open(src, 'rb').read())
    loads, note, recs = parse(d)
    r = recs[selected(recs) if copy is None else copy]
    patched = set()
    for pd, _, sz in patches(d, r):
        patched.update(range(pd, pd + sz))
    what = None
    if kind == 'segment':
        # a byte in the middle of the first executable PT_LOAD, one no patch
        # rewrites
        seg = [l for l in loads if l['flags'] & 1 and l['filesz']][0]
        at = seg['offset'] + seg['filesz'] // 2
        while at in patched:
            at += 1
        d[at] ^= 0x01
        what = 'file offset 0x%x (PT_LOAD at 0x%x)' % (at, seg['vaddr'])
    elif kind == 'patch-entry':
        # the first patch entry of 16+ bytes lands 8 bytes further on
        for i, (pd, ps_, sz) in enumerate(patches(d, r)):
            if sz >= 16:
                struct.pack_into('<Q', d, r['offset'] + r['patch'][0] + 32 * i, pd ^ 8)
                what = 'patch %d dst 0x%x -> 0x%x' % (i, pd, pd ^ 8)
                break
    elif kind == 'patch-data':
        pd, ps_, sz = patches(d, r)[0]
        d[r['offset'] + ps_] ^= 0x01
        what = 'byte 0 of the bytes patch 0 copies to file offset 0x%x' % pd
    elif kind == 'layout':
        # a measured fill value (0xCCCCCCCC stacks), else a TCS template byte
        for i, at, e in layout_entries(d, r):
            if not e['id'] & 0x1000 and e['attr'] & 3 == 3 and \
               e['content_offset'] == 0 and e['content_size']:
                struct.pack_into('<I', d, at + 16, e['content_size'] ^ 1)
                what = 'layout %d content_size 0x%x' % (i, e['content_size'] ^ 1)
                break
        else:
            for i, at, e in layout_entries(d, r):
                if e['si_flags'] == 0x100 and e['content_offset']:
                    d[r['offset'] + e['content_offset'] + 32] ^= 1
                    what = 'layout %d TCS template byte 32' % i
                    break
    elif kind == 'trunc-note':
        # the section ends 1000 bytes into the last metadata record
        cut = recs[-1]['offset'] + 1000 - note['offset']
        struct.pack_into('<Q', d, note['shdr'] + 32, cut)
        what = '.note.sgxmeta sh_size 0x%x of 0x%x' % (cut, note['size'])
    elif kind == 'lie-size':
        # the record claims more bytes than the note holds
        big = note['descsz'] + 0x1000
        struct.pack_into('<I', d, r['offset'] + 16, big)
        what = 'metadata %s size 0x%x' % (version(r), big)
    elif kind == 'textrel':
        # text relocations: the first DT_NULL of PT_DYNAMIC becomes DT_TEXTREL
        phoff, = struct.unpack_from('<Q', d, 32)
        phentsize, phnum = struct.unpack_from('<HH', d, 54)
        for i in range(phnum):
            t, fl, off, va, pa, fs, ms, al = struct.unpack_from('<IIQQQQQQ', d, phoff + i * phentsize)
            if t == 2:
                for k in range(fs // 16 - 1):
                    if struct.unpack_from('<q', d, off + 16 * k)[0] == 0:
                        struct.pack_into('<q', d, off + 16 * k, 0x16)
                        what = 'PT_DYNAMIC entry %d DT_NULL -> DT_TEXTREL' % k
                        break
                break
    elif kind == 'elrange':
        # the copy's major version 11: an ELRANGE layout
        struct.pack_into('<I', d, r['offset'] + 12, 11)
        what = 'metadata %s major 11' % version(r)
    elif kind == 'zero-note':
        # built, never signed: the metadata is all zero
        at = note['offset'] + 25
        d[at:at + note['descsz']] = bytes(note['descsz'])
        what = '.note.sgxmeta descriptor zeroed'
    elif kind == 'outside':
        # the TCS entry moved to the enclave's end
        for i, at, e in layout_entries(d, r):
            if e['si_flags'] == 0x100 and e['attr'] & 1:
                struct.pack_into('<Q', d, at + 8, r['enclave_size'])
                what = 'layout %d (TCS) rva 0x%x' % (i, r['enclave_size'])
                break
    elif kind == 'overlap-layout':
        # the TCS entry moved onto the first page another entry adds
        ents = list(layout_entries(d, r))
        first = [e for i, at, e in ents if not e['id'] & 0x1000 and e['attr'] & 1][0]
        for i, at, e in ents:
            if e['si_flags'] == 0x100 and e['attr'] & 1:
                struct.pack_into('<Q', d, at + 8, first['rva'])
                what = 'layout %d (TCS) rva 0x%x' % (i, first['rva'])
                break
    elif kind == 'overlap-segment':
        # the first added entry that no group replays moved onto the first
        # segment's first page: layout entries stay apart, the pages do not
        ents = list(layout_entries(d, r))
        replayed = set()
        for i, at, e in ents:
            if e['id'] & 0x1000:
                cnt = struct.unpack_from('<H', d, at + 2)[0]
                replayed.update(range(i - cnt, i))
        rva = loads[0]['vaddr'] & ~0xfff
        for i, at, e in ents:
            if not e['id'] & 0x1000 and e['attr'] & 1 and i not in replayed:
                end = rva + 4096 * e['pages']
                if any(o['rva'] < end and j != i and not o['id'] & 0x1000 for j, _, o in ents):
                    continue
                struct.pack_into('<Q', d, at + 8, rva)
                what = 'layout %d rva 0x%x' % (i, rva)
                break
    if what is None:
        raise ValueError('%s: no place for the %s mutation' % (src, kind))
    open(dst, 'wb').write(d)
    return what

# ---- the checks ---------------------------------------------------------------

rows = {e['file']: e for e in json.load(open(os.path.join(SDK, 'expected.json')))}
db = 'sqlite:' + os.path.join(T, 'registry.db')
nvec = 0
errors = []
for so in sorted(glob.glob(os.path.join(SDK, '*.so'))):
    f = os.path.basename(so)
    print('== ' + f, flush=True)
    e = rows.get(f)
    if e is None:
        # not in expected.json: it must still re-measure to its own hash
        j, _ = expect_json(0, 'measure', so, '--json')
        eq(f + ' match', j.get('match'), True)
        print('SKIPPED: %s: no row in expected.json, checked against its SIGSTRUCT only' % f)
        continue
    nvec += 1
    mre = e['mrenclave']
    d = open(so, 'rb').read()
    loads, note, recs = parse(d)
    sel = version(recs[selected(recs)])
    vers = [version(r) for r in recs]
    eq(f + ' metadata versions (expected.json)', vers, e['metadata_versions'])

    # -- re-measured: match, exit 0, every copy --------------------------------
    j, _ = expect_json(0, 'measure', so, '--json')
    for k, want in (('match', True), ('measured_mrenclave', mre),
                    ('signed_mrenclave', mre), ('mrenclave', mre),
                    ('metadata_version', sel), ('metadata_versions', vers),
                    ('eadd', e['eadd_records']), ('eextend', e['eextend_records']),
                    ('size', e['enclave_size']), ('ssaframesize', e['ssa_frame_size']),
                    ('re_measured', True), ('isvsvn', e['isvsvn']),
                    ('mrsigner', e['mrsigner'])):
        eq('%s measure %s' % (f, k), j.get(k), want)
    cps = j.get('copies', [])
    eq(f + ' copies', [(c['version'], c['measured_mrenclave'], c['signed_mrenclave'],
                        c['match'], c['selected']) for c in cps],
       [(v, mre, mre, True, v == sel) for v in vers])
    out, _ = expect(0, 'measure', so)
    check(re.search(r'^mrenclave +%s\nsigned +%s\nresult +match\n' % (mre, mre), out, re.M),
          '%s human: %s' % (f, out[:400]))
    check("metadata         %s of %s (the copy Intel's loader takes on an EDMM CPU)\n"
          % (sel, ', '.join(vers)) in out, '%s metadata line: %s' % (f, out[:600]))
    # every copy alone
    for v in vers:
        j, _ = expect_json(0, 'measure', so, '--metadata', v, '--json')
        eq('%s --metadata %s version' % (f, v), j.get('metadata_version'), v)
        eq('%s --metadata %s measured' % (f, v), j.get('measured_mrenclave'), mre)
        eq('%s --metadata %s copies' % (f, v), [c['version'] for c in j.get('copies', [])], [v])

    # -- --log: ECREATE, then one EADD line per page; the same every run --------
    out1, _ = expect(0, 'measure', so, '--log')
    out2, _ = expect(0, 'measure', so, '--log')
    log1 = [l for l in out1.splitlines() if l.startswith(('ECREATE ', 'EADD '))]
    log2 = [l for l in out2.splitlines() if l.startswith(('ECREATE ', 'EADD '))]
    eq(f + ' log line 1', log1[:1], ['ECREATE size=%s ssaframesize=%d' % (e['enclave_size'], e['ssa_frame_size'])])
    pat = re.compile(r'EADD offset=0x[0-9a-f]+ flags=0x[0-9a-f]+ (measured|unmeasured) sha256=[0-9a-f]{64} \S')
    eadd = [l for l in log1 if pat.match(l)]
    eq(f + ' well-formed EADD lines', len(eadd), e['eadd_records'])
    eq(f + ' measured pages x 16', 16 * sum(' measured ' in l for l in eadd), e['eextend_records'])
    eq(f + ' EADD lines', len(log1), 1 + len(eadd))
    check(log1 == log2, f + ' --log differs between two runs')
    j, _ = expect_json(0, 'measure', so, '--log', '--json')
    check(j.get('log') == log1, f + ' --json "log" is not the text log')

    # -- inspect: the metadata a reviewer reads ----------------------------------
    j, _ = expect_json(0, 'inspect', so, '--json')
    date = e['date']
    for k, want in (('mrenclave', mre), ('isvsvn', e['isvsvn']),
                    ('debug_launch_allowed', e['debug_allowed']),
                    ('metadata_version', sel), ('metadata_versions', vers),
                    ('enclave_size', e['enclave_size']),
                    ('ssa_frame_size', e['ssa_frame_size']),
                    ('signing_date', '%s-%s-%s' % (date[:4], date[4:6], date[6:]))):
        eq('%s inspect %s' % (f, k), j.get(k), want)
    row = readme_row(f)
    if row:
        eq(f + ' inspect tcs_count', j.get('tcs_count'), int(row['static TCS']))
        eq(f + ' inspect tcs_policy', j.get('tcs_policy'),
           'unbound' if row['TCS policy'] == '1' else 'bound')
    try:
        hi, hm = int(j['heap_init'], 16), int(j['heap_max'], 16)
        sx, sn = int(j['stack_max'], 16), int(j['stack_min'], 16)
        check(hm >= hi > 0 and hi % 4096 == 0, '%s heap init %#x max %#x' % (f, hi, hm))
        check(sx >= sn > 0 and sx % 4096 == 0, '%s stack max %#x min %#x' % (f, sx, sn))
        check(j['nssa'] >= 1 and j['tcs_dynamic'] >= 0, '%s nssa %r' % (f, j['nssa']))
    except (KeyError, ValueError, TypeError) as x:
        bad('%s inspect layout fields: %r' % (f, x))
    out, _ = expect(0, 'inspect', so)
    check(re.search(r'tcs_count.*debug_launch_allowed.*sgxra measure', out, re.S),
          '%s inspect human: %s' % (f, out[-800:]))

    # -- damaged copies: mismatch, exit 1, both values -------------------------
    seg_measured = None
    for k in ('segment', 'patch-entry', 'patch-data', 'layout'):
        m = os.path.join(T, 'm-%s.so' % k)
        what = mutate(k, so, m)
        j, err = expect_json(1, 'measure', m, '--json')
        got = j.get('measured_mrenclave', '')
        eq('%s %s (%s) match' % (f, k, what), j.get('match'), False)
        eq('%s %s signed' % (f, k), j.get('signed_mrenclave'), mre)
        check(len(got) == 64 and got != mre, '%s %s measured %r' % (f, k, got))
        check('mismatch: content does not match its SIGSTRUCT (metadata %s): measured %s, signed %s'
              % (sel, got, mre) in err, '%s %s stderr: %s' % (f, k, err))
        if k == 'segment':
            seg_measured = got
            out, _ = expect(1, 'measure', m)
            check(re.search(r'^mrenclave +%s\nsigned +%s\nresult +mismatch\n' % (got, mre), out, re.M),
                  '%s %s human: %s' % (f, k, out[:400]))

    # -- another copy than the one shown damaged: still a mismatch, named -----
    for i, rc_ in enumerate(recs):
        if version(rc_) == sel:
            continue
        m = os.path.join(T, 'm-copy.so')
        what = mutate('patch-data', so, m, copy=i)
        j, err = expect_json(1, 'measure', m, '--json')
        v = version(rc_)
        eq('%s copy %s (%s) match' % (f, v, what), j.get('match'), False)
        eq('%s copy %s measured (the shown copy)' % (f, v), j.get('measured_mrenclave'), mre)
        bad_copies = [c['version'] for c in j.get('copies', []) if not c['match']]
        eq('%s copy %s: copies that differ' % (f, v), bad_copies, [v])
        check('mismatch: content does not match its SIGSTRUCT (metadata %s): measured ' % v in err,
              '%s copy %s stderr: %s' % (f, v, err))
        out, _ = expect(1, 'measure', m)
        check(re.search(r'^result +mismatch \(metadata copy %s differs\)\n' % re.escape(v), out, re.M) and
              re.search(r'^metadata %s +mismatch: measures [0-9a-f]{64}\n' % re.escape(v), out, re.M),
              '%s copy %s human: %s' % (f, v, out[:600]))
        out, err = expect(2, 'registry', 'add', m, '--db', db, '--allow-debug-signer')
        check('content does not match its SIGSTRUCT (metadata copy %s): measured ' % v in err,
              '%s copy %s registry: %s' % (f, v, err))
        break

    # -- registry add: a damaged copy refused, the original registered ---------
    m = os.path.join(T, 'm-segment.so')
    out, err = expect(2, 'registry', 'add', m, '--db', db, '--allow-debug-signer')
    check('registry add: %s: content does not match its SIGSTRUCT: measured %s, signed %s; not registered'
          % (m, seg_measured, mre) in err, '%s registry stderr: %s' % (f, err))
    j, _ = expect_json(0, 'registry', 'add', so, '--db', db, '--allow-debug-signer', '--json')
    eq(f + ' registry mrenclave', j.get('mrenclave'), mre)
    eq(f + ' registry source', j.get('source'), 'sigstruct')

    # -- malformed metadata: exit 2, the precise reason, never a crash ---------
    # the values that make each message precise, in its order, and the code
    last, r = recs[-1], recs[selected(recs)]
    nbase = note['offset'] + 12 + 13
    def words(*parts):
        return '.*'.join(re.escape(x) for x in parts)
    want = {
        'trunc-note': words('.note.sgxmeta truncated', 'needs %d bytes' % note['descsz'],
                            'only %d remain' % (last['offset'] + 1000 - note['offset'] - 25),
                            '[SGXRA_E_SGXMETA_FORMAT]'),
        'lie-size': words('metadata record at ', 'offset %d declares size %d, outside 1888..%d'
                          % (r['offset'] - note['offset'], note['descsz'] + 0x1000,
                             nbase + note['descsz'] - r['offset']),
                          '[SGXRA_E_SGXMETA_FORMAT]'),
        'outside': words('metadata %s: layout entry ' % sel, 'rva 0x%x' % r['enclave_size'],
                         'beyond the enclave size 0x%x' % r['enclave_size'],
                         '[SGXRA_E_SGXMETA_FORMAT]'),
        'overlap-layout': words('metadata %s: layout entry ' % sel, 'overlaps layout entry ',
                                "(Intel's loader refuses overlapping layout entries)",
                                '[SGXRA_E_SGXMETA_FORMAT]'),
        'overlap-segment': words('metadata %s cannot be re-measured: metadata %s: layout entry ' % (sel, sel),
                                 'EADD at offset 0x%x: that page was already added' % (loads[0]['vaddr'] & ~0xfff),
                                 '[SGXRA_E_MEASURE_DUPLICATE]'),
    }
    want['textrel'] = words('cannot be re-measured', '(DT_TEXTREL)', '[SGXRA_E_SGXMETA_UNSUPPORTED]')
    want['elrange'] = words('metadata 11.%d' % r['minor'], 'ELRANGE', '[SGXRA_E_SGXMETA_UNSUPPORTED]')
    want['zero-note'] = re.escape('unsigned SDK enclave: the %d-byte metadata of its .note.sgxmeta is all zero; sign it'
                                  % note['descsz'])
    for k in ('trunc-note', 'lie-size', 'outside', 'overlap-layout', 'overlap-segment',
              'zero-note', 'textrel', 'elrange'):
        m = os.path.join(T, 'e-%s.so' % k)
        what = mutate(k, so, m)
        rc, out, err = run('measure', m, '--json')
        eq('%s %s (%s) exit' % (f, k, what), rc, 2)
        eq('%s %s output' % (f, k), out, '')
        check(re.search(want[k], err), '%s %s (%s): stderr %r, want /%s/' % (f, k, what, err, want[k]))
        errors.append('%s %s (%s): %s' % (f, k, what, err.strip()))
        for verb in (['inspect', m], ['registry', 'add', m, '--db', db]):
            rc, _, _ = run(*verb)
            check(0 <= rc < 128, '%s %s: sgxra %s crashed (%d)' % (f, k, verb[0], rc))

check(nvec > 0, 'no SDK enclave with an expected.json row in ' + SDK)
# the registry holds one entry per vector, each from its SIGSTRUCT
j, _ = expect_json(0, 'registry', 'list', '--db', db, '--json')
eq('registry entries', len(j.get('enclaves', [])), nvec)
print('\n'.join(errors))
print('PASSED %d' % passes)
PYEOF

python3 "$T/sdk.py" "$SGXRA" "$SDK" "$T" > "$T/out.txt"
rc=$?
cat "$T/out.txt"
[ "$rc" = 0 ] || bad "the checks stopped: exit $rc"
n=$(sed -n 's/^PASSED //p' "$T/out.txt")
[ -n "$n" ] && passes=$((passes + n)) || bad "no PASSED line"
fails=$((fails + $(grep -c '^FAIL: ' "$T/out.txt")))
skips=$((skips + $(grep -c '^SKIPPED: ' "$T/out.txt")))
finish
