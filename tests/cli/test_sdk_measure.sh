# sgxra measure / inspect / registry add on the Intel SGX SDK signed
# enclaves of ../shared/vectors/sdk: EVERY *.so there (a vector added later
# is tested too) re-measures to the ENCLAVEHASH its SIGSTRUCT carries and
# to expected.json's mrenclave; damaged copies (a flipped byte in a
# loadable segment, in the patch table, in a layout entry) are a mismatch,
# exit 1 with both values; malformed metadata (a truncated note, a record
# size that lies, a layout entry outside the enclave, overlapping pages)
# is exit 2 with the library's precise message, never a crash.  Values:
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

# The ELF and the metadata of a vector, read independently of sgxra, and
# the damaged copies:  sdk.py KIND IN OUT  (prints what it changed).
cat > "$T/sdk.py" <<'EOF'
import json, os, re, struct, sys

MAGIC = 0x86A80294635D0E4C

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
        name = d[stro + sh[0]:d.index(b'\0', stro + sh[0])]
        if name == b'.note.sgxmeta':
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

def selected(recs):
    """The copy Intel's loader takes on an EDMM CPU (urts get_metadata)."""
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

def patched(r, d):
    po, ps = r['patch']
    out = []
    for i in range(ps // 32):
        dst, src, sz = struct.unpack_from('<QII', d, r['offset'] + po + 32 * i)
        out.append((dst, src, sz))
    return out

def main():
    kind, src = sys.argv[1], sys.argv[2]
    d = bytearray(open(src, 'rb').read())
    loads, note, recs = parse(d)
    s = selected(recs)
    r = recs[s]
    if kind == 'info':  # selected version, all versions
        print('%d.%d' % (r['major'], r['minor']),
              ' '.join('%d.%d' % (x['major'], x['minor']) for x in recs))
        return
    if kind == 'readme':  # static TCS / TCS policy / SSA frame of README's table
        name = os.path.basename(sys.argv[3])
        rows = [l for l in open(src, encoding='utf-8') if l.startswith('|')]
        head = None
        for l in rows:
            cells = [c.strip() for c in l.strip().strip('|').split('|')]
            if 'static TCS' in cells:
                head = cells
            elif head and cells and cells[0] == name and len(cells) == len(head):
                row = dict(zip(head, cells))
                print(row['static TCS'], row['TCS policy'], row['SSA frame'])
                return
        print('- - -')
        return
    dst_path = sys.argv[3]
    patches = set()
    for dst, _, sz in patched(r, d):
        patches.update(range(dst, dst + sz))
    if kind == 'segment':
        # a byte in the middle of the first executable PT_LOAD that no patch
        # rewrites
        seg = [l for l in loads if l['flags'] & 1 and l['filesz']][0]
        at = seg['offset'] + seg['filesz'] // 2
        while at in patches:
            at += 1
        d[at] ^= 0x01
        what = 'file offset 0x%x (PT_LOAD vaddr 0x%x)' % (at, seg['vaddr'])
    elif kind == 'patch-entry':
        # the first patch entry of 16+ bytes lands 8 bytes further on
        po, ps = r['patch']
        for i, (dst, sr, sz) in enumerate(patched(r, d)):
            if sz >= 16:
                at = r['offset'] + po + 32 * i
                struct.pack_into('<Q', d, at, dst ^ 8)
                what = 'patch %d dst 0x%x -> 0x%x' % (i, dst, dst ^ 8)
                break
        else:
            sys.exit('no patch entry of 16 bytes or more')
    elif kind == 'patch-data':
        dst, sr, sz = patched(r, d)[0]
        d[r['offset'] + sr] ^= 0x01
        what = 'byte 0 of the data of patch 0 (to file 0x%x)' % dst
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
            else:
                sys.exit('no measured layout entry with content')
    elif kind == 'trunc-note':
        # the section ends in the middle of the last metadata record
        last = recs[-1]
        cut = last['offset'] + 1000 - note['offset']
        struct.pack_into('<Q', d, note['shdr'] + 32, cut)
        what = '.note.sgxmeta sh_size 0x%x' % cut
    elif kind == 'lie-size':
        # the selected record claims more bytes than the note holds
        big = note['descsz'] + 0x1000
        struct.pack_into('<I', d, r['offset'] + 16, big)
        what = 'metadata %d.%d size 0x%x' % (r['major'], r['minor'], big)
    elif kind == 'outside':
        # the TCS entry moved to the enclave's end
        for i, at, e in layout_entries(d, r):
            if e['si_flags'] == 0x100 and e['attr'] & 1:
                struct.pack_into('<Q', d, at + 8, r['enclave_size'])
                what = 'layout %d rva 0x%x' % (i, r['enclave_size'])
                break
    elif kind == 'overlap':
        # the TCS entry moved onto the first page of the first segment
        for i, at, e in layout_entries(d, r):
            if e['si_flags'] == 0x100 and e['attr'] & 1:
                struct.pack_into('<Q', d, at + 8, loads[0]['vaddr'] & ~0xfff)
                what = 'layout %d rva 0x%x' % (i, loads[0]['vaddr'] & ~0xfff)
                break
    else:
        sys.exit('unknown kind ' + kind)
    open(dst_path, 'wb').write(d)
    print(what)

main()
EOF
sdkpy() { python3 "$T/sdk.py" "$@"; }
# jv EXPR: a value of the JSON in $OUT (python expression over d)
jv() { printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); v=eval(sys.argv[1]); print(json.dumps(v) if not isinstance(v,str) else v)' "$1"; }

DB="sqlite:$T/registry.db"
nvec=0
while read -r f mre isvsvn dbg_allowed ens ssa date eadd eextend; do
  so="$SDK/$f"
  echo "== $f"
  if [ "$mre" = - ]; then
    # not in expected.json: it must still re-measure to its own ENCLAVEHASH
    expect_status 0 "$SGXRA" measure "$so" --json
    expect_json match true
    skipped "$f: no row in expected.json, only checked against its SIGSTRUCT"
    continue
  fi
  nvec=$((nvec + 1))
  read -r sel vers < <(sdkpy info "$so")
  read -r tcs policy ssaf < <(sdkpy readme "$SDK/README.md" "$f")

  # -- re-measured: match, exit 0, every copy -----------------------------------
  expect_status 0 "$SGXRA" measure "$so" --json
  expect_json match true
  expect_json measured_mrenclave "$mre"
  expect_json signed_mrenclave "$mre"
  expect_json mrenclave "$mre"
  expect_json metadata_version "$sel"
  [ "$(jv '" ".join(d["metadata_versions"])')" = "$vers" ] && ok || bad "$f: metadata_versions $(jv 'd["metadata_versions"]'), want $vers"
  [ "$(jv 'all(c["match"] and c["measured_mrenclave"] == c["signed_mrenclave"] for c in d["copies"]) and len(d["copies"]) == len(d["metadata_versions"])')" = true ] &&
    ok || bad "$f: copies $(jv 'd["copies"]')"
  expect_json eadd "$eadd"
  expect_json eextend "$eextend"
  expect_json size "$ens"
  expect_json re_measured true
  # human: both values, "match", the copy and why
  expect_status 0 "$SGXRA" measure "$so"
  case "$OUT" in "mrenclave"*"$mre"*"signed"*"$mre"*"result"*" match"*) ok ;; *) bad "$f human: $OUT" ;; esac
  case "$OUT" in *"metadata "*"$sel of "*"(the copy Intel's loader takes on an EDMM CPU)"*) ok ;; *) bad "$f metadata line: $OUT" ;; esac
  # every copy alone
  for v in $vers; do
    expect_status 0 "$SGXRA" measure "$so" --metadata "$v" --json
    expect_json metadata_version "$v"
    expect_json measured_mrenclave "$mre"
    [ "$(jv 'len(d["copies"])')" = 1 ] && ok || bad "$f --metadata $v: $(jv 'd["copies"]')"
  done

  # -- --log: ECREATE then one EADD line per page, the same every run ------------
  expect_status 0 "$SGXRA" measure "$so" --log
  printf '%s\n' "$OUT" | grep -E '^(ECREATE|EADD) ' > "$T/log1"
  "$SGXRA" measure "$so" --log 2>/dev/null | grep -E '^(ECREATE|EADD) ' > "$T/log2"
  n=$(grep -c '^EADD offset=0x[0-9a-f]* flags=0x[0-9a-f]* \(measured\|unmeasured\) sha256=[0-9a-f]\{64\} ' "$T/log1")
  [ "$n" = "$eadd" ] && ok || bad "$f --log: $n well-formed EADD lines, want $eadd"
  m=$(grep -c ' measured sha256=' "$T/log1")
  [ $((m * 16)) = "$eextend" ] && ok || bad "$f --log: $m measured pages, want $((eextend / 16))"
  [ "$(head -n1 "$T/log1")" = "ECREATE size=$ens ssaframesize=$ssa" ] && ok || bad "$f --log first line: $(head -n1 "$T/log1")"
  cmp -s "$T/log1" "$T/log2" && ok || bad "$f --log differs between two runs"
  # --json --log: the same lines as the array "log"
  expect_status 0 "$SGXRA" measure "$so" --log --json
  printf '%s' "$OUT" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)["log"]))' > "$T/logj"
  cmp -s "$T/log1" "$T/logj" && ok || bad "$f --json --log differs from the text log"

  # -- inspect: the metadata a reviewer reads --------------------------------------
  expect_status 0 "$SGXRA" inspect "$so" --json
  expect_json mrenclave "$mre"
  expect_json isvsvn "$isvsvn"
  expect_json debug_launch_allowed "$dbg_allowed"
  expect_json metadata_version "$sel"
  [ "$(jv '" ".join(d["metadata_versions"])')" = "$vers" ] && ok || bad "$f inspect metadata_versions"
  expect_json enclave_size "$ens"
  expect_json ssa_frame_size "$ssa"
  expect_json signing_date "${date:0:4}-${date:4:2}-${date:6:2}"
  if [ "$tcs" != - ]; then
    expect_json tcs_count "$tcs"
    expect_json tcs_policy "$([ "$policy" = 1 ] && echo unbound || echo bound)"
  fi
  [ "$(jv 'int(d["heap_max"], 16) >= int(d["heap_init"], 16) > 0 and int(d["stack_max"], 16) >= int(d["stack_min"], 16) > 0 and d["nssa"] >= 1')" = true ] &&
    ok || bad "$f inspect heap/stack/nssa: $OUT"
  expect_status 0 "$SGXRA" inspect "$so"
  case "$OUT" in *"tcs_count"*"debug_launch_allowed"*"sgxra measure"*) ok ;; *) bad "$f inspect human: $OUT" ;; esac

  # -- registry add: the original registered, a damaged copy refused -----------------
  sdkpy segment "$so" "$T/m.so" >/dev/null
  expect_status 1 "$SGXRA" measure "$T/m.so" --json
  got=$(jv 'd["measured_mrenclave"]')
  expect_status 2 "$SGXRA" registry add "$T/m.so" --db "$DB" --allow-debug-signer
  expect_err_contains "m.so: content does not match its SIGSTRUCT: measured $got, signed $mre; not registered"
  expect_status 0 "$SGXRA" registry add "$so" --db "$DB" --allow-debug-signer --json
  expect_json mrenclave "$mre"
  expect_json source sigstruct

  # -- damaged copies: mismatch, exit 1, both values --------------------------------
  for k in segment patch-entry patch-data layout; do
    what=$(sdkpy $k "$so" "$T/m.so") || { bad "$f: cannot make the $k mutation"; continue; }
    expect_status 1 "$SGXRA" measure "$T/m.so" --json
    expect_json match false
    expect_json signed_mrenclave "$mre"
    got=$(jv 'd["measured_mrenclave"]')
    [ "$got" != "$mre" ] && [ ${#got} = 64 ] && ok || bad "$f $k ($what): measured $got"
    expect_err_contains "mismatch: content does not match its SIGSTRUCT (metadata $sel): measured $got, signed $mre"
    expect_status 1 "$SGXRA" measure "$T/m.so"
    case "$OUT" in *"$got"*"$mre"*"mismatch"*) ok ;; *) bad "$f $k human: $OUT" ;; esac
  done

  # -- malformed metadata: exit 2, the precise reason, no crash ---------------------
  for k in trunc-note lie-size outside overlap; do
    what=$(sdkpy $k "$so" "$T/e.so") || { bad "$f: cannot make the $k mutation"; continue; }
    expect_status 2 "$SGXRA" measure "$T/e.so" --json
    [ -z "$OUT" ] && ok || bad "$f $k: JSON printed for unusable input"
    case "$k" in
    trunc-note) expect_err_contains "[SGXRA_E_SGXMETA_FORMAT]" ;;
    lie-size) expect_err_contains "[SGXRA_E_SGXMETA_FORMAT]" ;;
    outside) expect_err_contains "[SGXRA_E_SGXMETA_FORMAT]" ;;
    overlap) expect_err_contains "[SGXRA_E_MEASURE_DUPLICATE]" ;;
    esac
    printf '%s\n' "$f $k ($what): $ERR" >> "$T/errors.txt"
    "$SGXRA" inspect "$T/e.so" >/dev/null 2>&1
    [ $? -lt 128 ] && ok || bad "$f $k: inspect crashed"
  done
done < <(python3 -c 'import glob, json, os, sys
rows = {e["file"]: e for e in json.load(open(os.path.join(sys.argv[1], "expected.json")))}
for so in sorted(glob.glob(os.path.join(sys.argv[1], "*.so"))):
    f = os.path.basename(so); e = rows.get(f)
    if e is None:
        print(f, "- - - - - - - -"); continue
    print(f, e["mrenclave"], e["isvsvn"], json.dumps(e["debug_allowed"]), e["enclave_size"], e["ssa_frame_size"], e["date"], e["eadd_records"], e["eextend_records"])' "$SDK")
[ "$nvec" -gt 0 ] && ok || bad "no SDK enclave in $SDK"
# the registry holds one entry per vector, all from their SIGSTRUCT
expect_status 0 "$SGXRA" registry list --db "$DB" --json
[ "$(jv 'len(d["enclaves"])')" = "$nvec" ] && ok || bad "registry: $(jv 'len(d["enclaves"])') entries, want $nvec"

# the messages of the malformed files, for the log
cat "$T/errors.txt" 2>/dev/null
finish
