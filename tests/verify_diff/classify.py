#!/usr/bin/env python3
"""Rebuild known_divergences.txt from a checker report (maintenance aid).

usage: classify.py REPORT.tsv > known_divergences.txt

REPORT.tsv is what verify_diff_check writes as its 4th argument (bundle, id,
sgxra's answer, Intel's answer).  Each divergence gets its issue-13 class
letter (docs/VERIFY.md; /work/notes/issue13/diff/RESULTS.md): the letter is
the class of the Intel rule that sgxra does not follow yet.
"""
import json, sys

HEADER = """\
# tests/verify_diff/known_divergences.txt -- variants where sgxra's answer
# differs from Intel's today (issue 13), one per line:
#     <class letter> <bundle> <variant id>
# The classes A..P are those of docs/VERIFY.md ("Differences from Intel's
# verifier, and how they are tested").  ctest `verify_diff` fails when a
# variant outside this list differs from Intel, and when a listed variant
# agrees: remove the lines of a class when its fix lands.
# THIS LIST MUST BE EMPTY WHEN ISSUE 13 IS RESOLVED.
# Rebuild: VERIFY_DIFF_REPORT=/tmp/r.tsv ctest -R verify_diff; then
#     python3 tests/verify_diff/classify.py /tmp/r.tsv
"""


def letter(vid, got, exp):
    cls, name = vid.split('/', 1)
    g, x = got.get('return') or '', exp.get('return') or ''
    if cls == 'time':
        return "A'" if x == 'SGX_QL_ERROR_INVALID_PARAMETER' else 'A'
    if cls.startswith('swap:'):
        if x == 'SGX_QL_ERROR_UNEXPECTED' and cls.startswith('swap:pck_crl'):
            return 'L'  # the other PCK CA's CRL
        if x == g == 'SGX_QL_SUCCESS' and exp.get('collateral_expired') != got.get('collateral_expired'):
            return 'A'  # a donor CRL whose thisUpdate is after the time
        if cls == 'swap:pck_crl_issuer_chain.pem':
            return 'C'
        return '?'
    if name == 'trailing_nul' and x == 'SGX_QL_ERROR_INVALID_PARAMETER':
        return 'F'
    if g.startswith('LOAD:') and x != 'SGX_QL_SUCCESS' and cls.split(':')[0] in ('chain', 'json', 'crl'):
        return 'D'  # Intel answers a code where sgxra refuses to load
    if cls.startswith('chain:pck_crl_issuer'):
        return 'C'
    if cls.startswith('chain:'):
        return 'B'
    if cls.startswith('crl:'):
        return 'E'
    if cls.startswith('json:'):
        return 'G' if name in ('duplicate_signature_key', 'unicode_escaped_slash') else 'D'
    if cls == 'quote:truncate':
        return 'H' if x == 'SGX_QL_ERROR_INVALID_PARAMETER' else 'I'
    if cls == 'quote:sizes':
        return 'J'
    if cls == 'quote:chain':
        return 'K'
    if cls == 'quote:flip':
        if '.cert.size.' in vid or 'qe_auth' in vid or 'sig_data_len' in vid:
            return 'J'
        return 'I'
    return '?'


def main():
    rows = []
    for line in open(sys.argv[1]):
        b, vid, got, exp = line.rstrip('\n').split('\t')
        rows.append((letter(vid, json.loads(got), json.loads(exp)), b, vid))
    sys.stdout.write(HEADER)
    for r in rows:
        sys.stdout.write('%-2s %s %s\n' % r)


if __name__ == '__main__':
    main()
