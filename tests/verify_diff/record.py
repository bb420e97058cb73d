#!/usr/bin/env python3
"""Record Intel's answers for the differential corpus (run by hand, never by ctest).

usage:
  record.py run ORACLE MANIFEST RAW.jsonl     run the oracle on every variant
  record.py write RAW.jsonl EXPECTED_DIR      write EXPECTED_DIR/<bundle>.json

ORACLE is Intel's verifier built outside the project (QVL + QvE's
sgx_qve_verify_quote, invoked as `ORACLE QUOTE DIR TIME [--root-ca ROOT]`,
the root being the manifest's 6th column unless '-', printing JSON with
return, verdict, collateral_expired, advisory_ids).  Intel's code never enters
sgxra: only its answers are committed, as facts.  See docs/VERIFY.md.
"""
import json, os, subprocess, sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rules import rule_for  # noqa: E402


def run(oracle, manifest, raw):
    done = set()
    if os.path.exists(raw):
        for line in open(raw):
            r = json.loads(line)
            done.add((r['bundle'], r['id']))
    with open(raw, 'a') as out:
        for line in open(manifest):
            bn, vid, quote, coll, t, root = line.rstrip('\n').split('\t')
            if (bn, vid) in done:
                continue
            p = subprocess.run(['nice', '-n', '19', oracle, quote, coll, t] +
                               (['--root-ca', root] if root != '-' else []),
                               capture_output=True, text=True, timeout=120)
            if p.returncode != 0:
                sys.exit('record.py: oracle failed on %s %s: %s' % (bn, vid, p.stderr[:300]))
            o = json.loads(p.stdout)
            ok = o['return'] == 'SGX_QL_SUCCESS'
            rec = dict(bundle=bn, id=vid, **{'return': o['return']}, verdict=o['verdict'],
                       collateral_expired=bool(o['collateral_expired']) if ok else None,
                       advisory_ids=o['advisory_ids'] if ok else [])
            out.write(json.dumps(rec) + '\n')
            out.flush()


def write(raw, outdir):
    per = {}
    for line in open(raw):
        r = json.loads(line)
        e = {'return': r['return'], 'verdict': r['verdict'],
             'collateral_expired': r['collateral_expired'], 'advisory_ids': r['advisory_ids'],
             'rule': rule_for(r['id'], r['return'])}
        per.setdefault(r['bundle'], {})[r['id']] = e
    os.makedirs(outdir, exist_ok=True)
    for bn, m in per.items():
        with open(os.path.join(outdir, bn + '.json'), 'w') as f:
            f.write('{\n')
            items = list(m.items())
            for i, (vid, e) in enumerate(items):
                f.write('%s:%s%s\n' % (json.dumps(vid), json.dumps(e, separators=(',', ':')),
                                       ',' if i + 1 < len(items) else ''))
            f.write('}\n')


if __name__ == '__main__':
    a = sys.argv[1:]
    if len(a) == 4 and a[0] == 'run':
        run(a[1], a[2], a[3])
    elif len(a) == 3 and a[0] == 'write':
        write(a[1], a[2])
    else:
        sys.exit(__doc__)
