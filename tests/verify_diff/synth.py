#!/usr/bin/env python3
"""Synthetic, validly re-signed collateral for the differential corpus (issue 13).

usage: synth.py EMU_BUNDLE CA_DIR OUT_DIR [--name NAME] [--time UNIX]

EMU_BUNDLE is a bundle of sgxra's emulated platform (`sgxra platform
collateral` + `sgxra platform quote`, with root_ca.pem); CA_DIR is the
simulated Intel CA's folder (root_ca_key.pem, tcb_signing_key.pem,
platform_ca_key.pem, processor_ca_key.pem; src/emu/intelca.c).  Intel's
rules that genuine bundles cannot reach need a TCB Info, a QE Identity or a
CRL edited and signed again: this writes OUT_DIR/<scenario>/ (a full
collateral folder with quote.bin and root_ca.pem) for each scenario below,
edited and re-signed with the CA's keys, and prints one manifest line per
scenario (bundle NAME, `synth/<scenario>`, quote, folder, TIME, trust root
PEM; tab-separated).  NAME defaults to the bundle folder's name, TIME to
2026-01-02T00:00:00Z.  Works with Debian 12's python3-cryptography 38.

Each scenario names the Intel rule it reaches (QVL 7e5b2a1 / QvE DCAP_1.23
sources, in our words).  A scenario is kept only when Intel's answer is the
same for bundles made with fresh keys (synth.sh twice, record.py).
"""
import argparse, copy, json, os, sys

sys.dont_write_bytecode = True
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

FILES = ('quote.bin', 'pck_crl.der', 'pck_crl_issuer_chain.pem', 'root_ca_crl.der',
         'tcb_info.json', 'tcb_info_issuer_chain.pem', 'qe_identity.json',
         'qe_identity_issuer_chain.pem', 'root_ca.pem')


def read(p):
    with open(p, 'rb') as f:
        return f.read()


def load_key(p):
    return serialization.load_pem_private_key(read(p), None)


def certs(pem):
    return x509.load_pem_x509_certificates(pem) if hasattr(x509, 'load_pem_x509_certificates') \
        else [x509.load_pem_x509_certificate(b'-----BEGIN CERTIFICATE-----' + c)
              for c in pem.split(b'-----BEGIN CERTIFICATE-----')[1:]]


def pub(k):
    return k.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def crl_date(crl, name):
    """thisUpdate / nextUpdate: *_utc where cryptography has it (>= 42,
    which deprecates the naive property), else the naive UTC one (Debian
    12's 38)."""
    d = getattr(crl, name + '_utc', None)
    return d if d is not None else getattr(crl, name)


def resign_crl(crl, key, revoke=()):
    """The CRL with the same names, dates and extensions, plus `revoke`d serials, signed by key."""
    b = (x509.CertificateRevocationListBuilder().issuer_name(crl.issuer)
         .last_update(crl_date(crl, 'last_update'))
         .next_update(crl_date(crl, 'next_update')))
    for e in crl.extensions:
        b = b.add_extension(e.value, e.critical)
    for r in crl:
        b = b.add_revoked_certificate(r)
    for s in revoke:
        b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(s)
                                      .revocation_date(crl_date(crl, 'last_update')).build())
    return b.sign(key, hashes.SHA256()).public_bytes(Encoding.DER)


def signed_doc(member, body, key):
    """{member: body, signature: hex(r||s)} with the signature over the compact body."""
    text = json.dumps(body, separators=(',', ':')).encode()
    r, s = decode_dss_signature(key.sign(text, ec.ECDSA(hashes.SHA256())))
    sig = (r.to_bytes(32, 'big') + s.to_bytes(32, 'big')).hex()
    return json.dumps({member: body, 'signature': sig}, separators=(',', ':')).encode()


def tcb_v2(t):
    """The same TCB Info in format version 2 (sgxtcbcompNNsvn members, no id)."""
    t2 = {k: v for k, v in t.items() if k != 'id'}
    t2['version'] = 2
    lv = []
    for lev in t['tcbLevels']:
        tcb = {'sgxtcbcomp%02dsvn' % (i + 1): c['svn']
               for i, c in enumerate(lev['tcb']['sgxtcbcomponents'])}
        tcb['pcesvn'] = lev['tcb']['pcesvn']
        lv.append({'tcb': tcb, 'tcbDate': lev['tcbDate'], 'tcbStatus': lev['tcbStatus']})
    t2['tcbLevels'] = lv
    return t2


def scenarios(tcb, qe, k, serials):
    """name -> (Intel rule, {file: bytes}) over the base files."""
    tk, rk, pk, other_pk = k['tcb'], k['root'], k['pck_ca'], k['other_pck_ca']
    pckcrl, rootcrl = k['pck_crl'], k['root_crl']

    def T(f, key=None):
        t2 = copy.deepcopy(tcb)
        f(t2)
        return {'tcb_info.json': signed_doc('tcbInfo', t2, key or tk)}

    def Q(f, key=None):
        q2 = copy.deepcopy(qe)
        f(q2)
        return {'qe_identity.json': signed_doc('enclaveIdentity', q2, key or tk)}

    def lvl0(**kw):
        return lambda t2: t2['tcbLevels'][0].update(**kw)

    def qlvl0(**kw):
        return lambda q2: q2['tcbLevels'][0].update(**kw)

    def sa(ids):
        return T(lvl0(advisoryIDs=ids))

    def drop(key):
        return lambda d: d.pop(key)

    first = tcb['tcbLevels'][0]
    S = {}
    # --- baseline
    S['baseline'] = ('QvE sgx_qve_verify_quote: the emulated bundle as made, re-signed unchanged', {})
    # --- M: advisory IDs (QvE qve.cpp qve_set_quote_supplemental_data; QVL TcbLevel/advisoryIDs)
    S['sa_20_ids'] = ('QvE qve_set_quote_supplemental_data: up to 20 advisory IDs are returned', sa(['INTEL-SA-%05d' % i for i in range(20)]))
    S['sa_21_ids'] = ('QvE qve_set_quote_supplemental_data: more than MAX_SA_NUMBER_PER_TCB (20) IDs -> SGX_QL_ERROR_UNEXPECTED', sa(['INTEL-SA-%05d' % i for i in range(21)]))
    S['sa_id_20_chars'] = ('QvE qve_set_quote_supplemental_data: an ID of up to MAX_SA_SIZE-1 characters is kept', sa(['INTEL-SA-0000000001X']))
    S['sa_id_21_chars'] = ('QvE qve_set_quote_supplemental_data: an ID longer than MAX_SA_SIZE-1 is skipped, not an error', sa(['INTEL-SA-0000000001XY']))
    S['sa_id_long_among_short'] = ('QvE qve_set_quote_supplemental_data: only the over-long ID is skipped', sa(['INTEL-SA-00001', 'INTEL-SA-0000000001XYZ', 'INTEL-SA-00002']))
    S['sa_16x20_chars'] = ('QvE qve_set_quote_supplemental_data: the comma-joined list is cut to the supplemental buffer (MAX_SA_LIST_SIZE)', sa(['INTEL-SA-%011d' % i for i in range(16)]))
    S['sa_15x20_chars'] = ('QvE qve_set_quote_supplemental_data: a list that fits the buffer is returned whole', sa(['INTEL-SA-%011d' % i for i in range(15)]))
    S['sa_empty_list'] = ('QVL TcbLevel: an empty advisoryIDs array is no advisory', sa([]))
    S['sa_on_uptodate'] = ('QVL TcbLevel / QvE: advisories of an UpToDate level are reported with verdict OK', sa(['INTEL-SA-00077']))
    S['sa_qe_level'] = ('QvE qve_set_quote_supplemental_data: only the TCB level\'s advisory IDs are reported, a QE level\'s are not', Q(qlvl0(advisoryIDs=['INTEL-SA-00500'])))
    S['sa_both_levels'] = ('QvE qve_set_quote_supplemental_data: with TCB and QE level advisories, only the TCB level\'s', {**sa(['INTEL-SA-00001']), **Q(qlvl0(advisoryIDs=['INTEL-SA-00002']))})
    S['sa_duplicate_in_both'] = ('QvE qve_set_quote_supplemental_data: an ID in both levels is reported once (the TCB level\'s)', {**sa(['INTEL-SA-00003']), **Q(qlvl0(advisoryIDs=['INTEL-SA-00003']))})
    # --- TCB level statuses (QVL TcbLevel::tcbStatus, QuoteVerifier::verify, qve.cpp status_error_to_ql_qve_result)
    for st in ('Revoked', 'OutOfDate', 'ConfigurationNeeded', 'OutOfDateConfigurationNeeded',
               'SWHardeningNeeded', 'ConfigurationAndSWHardeningNeeded'):
        S['tcb_level_' + st] = ('QVL QuoteVerifier::verify: the matched TCB level status %s -> its QvE verdict' % st, T(lvl0(tcbStatus=st)))
    S['tcb_level_unknown_status'] = ('QVL TcbLevel parse: a tcbStatus outside the known strings -> TCBINFO_UNSUPPORTED_FORMAT', T(lvl0(tcbStatus='Bogus')))
    S['tcb_level_status_lowercase'] = ('QVL TcbLevel parse: status strings are case-sensitive', T(lvl0(tcbStatus='uptodate')))
    S['tcb_no_matching_level'] = ('QVL QuoteVerifier getMatchingTcbLevel: no level <= the platform -> TCB_NOT_SUPPORTED', T(lambda t2: t2.update(tcbLevels=[dict(first, tcb=dict(first['tcb'], pcesvn=65535))])))
    S['tcb_pcesvn_lower_only'] = ('QVL getMatchingTcbLevel: a level whose PCESVN is below the platform\'s matches', T(lambda t2: t2.update(tcbLevels=[dict(first, tcb=dict(first['tcb'], pcesvn=1))])))
    S['tcb_levels_reversed'] = ('QVL TcbInfo: levels kept as a set ordered by TCB, so the file order does not matter', T(lambda t2: t2['tcbLevels'].reverse()))
    S['tcb_first_level_lower_date'] = ('QVL QvE: tcb_level_date_tag / verdict from the matched level only', T(lvl0(tcbDate='2020-01-01T00:00:00Z')))
    # --- N: TCB Info format and versions (QVL TcbInfo::parse, TcbLevel parse)
    S['tcb_version_1'] = ('QVL TcbInfo::parse: version other than 2 or 3 -> TCBINFO_UNSUPPORTED_FORMAT', T(lambda t2: t2.update(version=1)))
    S['tcb_version_2_with_v3_body'] = ('QVL TcbInfo::parse: version 2 needs sgxtcbcompNNsvn members', T(lambda t2: t2.update(version=2)))
    S['tcb_version_2_valid'] = ('QVL TcbInfo::parse: a well-formed version 2 TCB Info', T(lambda t2: (t2.clear(), t2.update(tcb_v2(tcb)))))
    S['tcb_version_4'] = ('QVL TcbInfo::parse: version 4 unsupported -> TCBINFO_UNSUPPORTED_FORMAT', T(lambda t2: t2.update(version=4)))
    S['tcb_version_string'] = ('QVL TcbInfo::parse: version must be an integer', T(lambda t2: t2.update(version='3')))
    S['tcb_id_tdx'] = ('QVL TcbInfo::parse / QuoteVerifier: an SGX quote with a TDX TCB Info', T(lambda t2: t2.update(id='TDX')))
    S['tcb_id_other'] = ('QVL TcbInfo::parse: id other than SGX/TDX', T(lambda t2: t2.update(id='XYZ')))
    S['tcb_id_missing'] = ('QVL TcbInfo::parse: version 3 requires id', T(drop('id')))
    S['tcb_fmspc_other'] = ('QVL QuoteVerifier: TCB Info FMSPC differs from the PCK certificate\'s -> TCBINFO_MISMATCH', T(lambda t2: t2.update(fmspc='00906ED50001')))
    S['tcb_fmspc_lowercase'] = ('QVL TcbInfo::parse: hex read case-insensitively', T(lambda t2: t2.update(fmspc=t2['fmspc'].lower())))
    S['tcb_fmspc_short'] = ('QVL TcbInfo::parse: fmspc must be 12 hex digits', T(lambda t2: t2.update(fmspc='00906ED500')))
    S['tcb_pceid_other'] = ('QVL QuoteVerifier: TCB Info pceId differs from the PCK certificate\'s -> TCBINFO_MISMATCH', T(lambda t2: t2.update(pceId='0001')))
    S['tcb_fmspc_missing'] = ('QVL TcbInfo::parse: fmspc is required', T(drop('fmspc')))
    S['tcb_levels_empty'] = ('QVL TcbInfo::parse: an empty tcbLevels -> TCBINFO_UNSUPPORTED_FORMAT', T(lambda t2: t2.update(tcbLevels=[])))
    S['tcb_levels_missing'] = ('QVL TcbInfo::parse: tcbLevels is required', T(drop('tcbLevels')))
    S['tcb_15_components'] = ('QVL TcbLevel parse: sgxtcbcomponents must have 16 entries', T(lambda t2: t2['tcbLevels'][0]['tcb']['sgxtcbcomponents'].pop()))
    S['tcb_component_svn_256'] = ('QVL TcbComponent::TcbComponent: an SVN is a uint32 cast to uint8_t (256 -> 0); the level then sorts lower and the next one matches', T(lambda t2: t2['tcbLevels'][0]['tcb']['sgxtcbcomponents'][0].update(svn=256)))
    S['tcb_pcesvn_negative'] = ('QVL TcbLevel parse: pcesvn must be a non-negative integer', T(lambda t2: t2['tcbLevels'][0]['tcb'].update(pcesvn=-1)))
    S['tcb_level_no_status'] = ('QVL TcbLevel parse: tcbStatus is required', T(lambda t2: t2['tcbLevels'][0].pop('tcbStatus')))
    S['tcb_level_no_date'] = ('QVL TcbLevel parse: tcbDate is required in version 3', T(lambda t2: t2['tcbLevels'][0].pop('tcbDate')))
    S['tcb_extra_field'] = ('QVL TcbInfo::parse: unknown members are ignored', T(lambda t2: t2.update(extra=1)))
    S['tcb_type_1'] = ('QVL TcbInfo::parsePartV2: tcbType other than 0 -> TCBINFO_UNSUPPORTED_FORMAT', T(lambda t2: t2.update(tcbType=1)))
    S['tcb_eval_number_0'] = ('QVL TcbInfo::parse: tcbEvaluationDataNumber 0 is accepted', T(lambda t2: t2.update(tcbEvaluationDataNumber=0)))
    S['tcb_eval_number_missing'] = ('QVL TcbInfo::parse: tcbEvaluationDataNumber is required in version 3', T(drop('tcbEvaluationDataNumber')))
    # --- O: dates (QVL TcbInfo::parse date members, QvE qve_get_collateral_dates)
    S['tcb_issue_date_bad'] = ('QVL TcbInfo::parse: issueDate not a valid date -> TCBINFO_UNSUPPORTED_FORMAT', T(lambda t2: t2.update(issueDate='2026-13-01T00:00:00Z')))
    S['tcb_issue_date_trailing'] = ('QVL TimeUtils (enclave) getTimeFromString: text after the date is ignored', T(lambda t2: t2.update(issueDate='2026-01-01T00:00:00Zjunk')))
    S['tcb_issue_date_no_z'] = ('QVL TimeUtils isValidTimeString: a date without its Z', T(lambda t2: t2.update(issueDate='2026-01-01T00:00:00')))
    S['tcb_issue_date_future'] = ('QvE qve_get_collateral_dates: an issueDate after the verification time is not checked', T(lambda t2: t2.update(issueDate='2026-01-20T00:00:00Z')))
    S['tcb_next_update_before_issue'] = ('QvE qve_get_collateral_dates: nextUpdate before the time -> collateral expired, SUCCESS', T(lambda t2: t2.update(nextUpdate='2025-12-01T00:00:00Z')))
    S['tcb_next_update_at_time'] = ('QvE qve_get_collateral_dates: expiration == time counts as expired', T(lambda t2: t2.update(nextUpdate='2026-01-02T00:00:00Z')))
    S['tcb_next_update_bad'] = ('QVL TcbInfo::parse: nextUpdate not a date', T(lambda t2: t2.update(nextUpdate='tomorrow')))
    S['tcb_tcbdate_bad'] = ('QVL TcbLevel parse: tcbDate not a date', T(lvl0(tcbDate='not a date')))
    S['qe_next_update_past'] = ('QvE qve_get_collateral_dates: QE Identity nextUpdate in the past -> expired', Q(lambda q2: q2.update(nextUpdate='2026-01-01T12:00:00Z')))
    S['qe_issue_date_bad'] = ('QVL EnclaveIdentityParser: issueDate not a date -> QEIDENTITY_UNSUPPORTED_FORMAT', Q(lambda q2: q2.update(issueDate='2026-02-30T00:00:00Z')))
    S['qe_tcbdate_bad'] = ('QVL EnclaveIdentityV2 TcbLevel parse: tcbDate not a date', Q(qlvl0(tcbDate='x')))
    # --- P: QE Identity levels (QVL EnclaveIdentityV2::getTcbStatus, QuoteVerifier)
    S['qe_isvsvn_above_all_levels'] = ('QVL EnclaveIdentityV2::getTcbStatus: QE ISVSVN below every level -> TCB_NOT_SUPPORTED', Q(lambda q2: q2.update(tcbLevels=[{'tcb': {'isvsvn': 200}, 'tcbDate': '2026-01-01T00:00:00Z', 'tcbStatus': 'UpToDate'}])))
    S['qe_isvsvn_between_levels'] = ('QVL EnclaveIdentityV2::getTcbStatus: the first level whose isvsvn <= the QE\'s', Q(lambda q2: q2.update(tcbLevels=[{'tcb': {'isvsvn': 9}, 'tcbDate': '2026-01-01T00:00:00Z', 'tcbStatus': 'UpToDate'}] + q2['tcbLevels'][1:])))
    S['qe_levels_reversed'] = ('QVL EnclaveIdentityV2::getTcbStatus: QE levels read in file order, the first whose isvsvn <= the QE\'s decides', Q(lambda q2: q2['tcbLevels'].reverse()))
    S['qe_level_revoked'] = ('QVL QuoteVerifier: QE level Revoked -> TCB_REVOKED', Q(qlvl0(tcbStatus='Revoked')))
    S['qe_level_outofdate'] = ('QVL QuoteVerifier: QE level OutOfDate -> verdict OUT_OF_DATE', Q(qlvl0(tcbStatus='OutOfDate')))
    S['qe_level_configneeded'] = ('QVL EnclaveIdentityV2 / QuoteVerifier: a QE level ConfigurationNeeded counts as out of date -> OUT_OF_DATE', Q(qlvl0(tcbStatus='ConfigurationNeeded')))
    S['qe_level_unknown_status'] = ('QVL EnclaveIdentityV2 parse: unknown QE level status', Q(qlvl0(tcbStatus='Bogus')))
    S['qe_outofdate_tcb_configneeded'] = ('QVL QuoteVerifier: QE OutOfDate with TCB ConfigurationNeeded -> OUT_OF_DATE_CONFIG_NEEDED', {**Q(qlvl0(tcbStatus='OutOfDate')), **T(lvl0(tcbStatus='ConfigurationNeeded'))})
    S['qe_outofdate_tcb_swhardening'] = ('QVL QuoteVerifier: QE OutOfDate with TCB SWHardeningNeeded -> OUT_OF_DATE (QE status wins)', {**Q(qlvl0(tcbStatus='OutOfDate')), **T(lvl0(tcbStatus='SWHardeningNeeded'))})
    S['qe_revoked_tcb_outofdate'] = ('QVL QuoteVerifier: QE Revoked wins over TCB OutOfDate', {**Q(qlvl0(tcbStatus='Revoked')), **T(lvl0(tcbStatus='OutOfDate'))})
    S['qe_outofdate_tcb_revoked'] = ('QVL QuoteVerifier: TCB Revoked with QE OutOfDate', {**Q(qlvl0(tcbStatus='OutOfDate')), **T(lvl0(tcbStatus='Revoked'))})
    S['qe_mrsigner_other'] = ('QVL QuoteVerifier verifyEnclaveReport: MRSIGNER differs -> QEIDENTITY_MISMATCH', Q(lambda q2: q2.update(mrsigner='00' * 32)))
    S['qe_mrsigner_lowercase'] = ('QVL EnclaveIdentityV2 parse: hex read case-insensitively', Q(lambda q2: q2.update(mrsigner=q2['mrsigner'].lower())))
    S['qe_isvprodid_other'] = ('QVL verifyEnclaveReport: ISVPRODID differs -> QEIDENTITY_MISMATCH', Q(lambda q2: q2.update(isvprodid=2)))
    S['qe_miscselect_mismatch'] = ('QVL verifyEnclaveReport: MISCSELECT under the mask differs', Q(lambda q2: q2.update(miscselect='00000001')))
    S['qe_miscselect_masked_out'] = ('QVL verifyEnclaveReport: the report\'s MISCSELECT under the mask must equal the identity\'s miscselect as written (0 & mask != 1)', Q(lambda q2: q2.update(miscselect='00000001', miscselectMask='FFFFFFFE')))
    S['qe_attributes_mismatch'] = ('QVL verifyEnclaveReport: ATTRIBUTES under the mask differ', Q(lambda q2: q2.update(attributes='13000000000000000000000000000000')))
    S['qe_attributes_mask_zero'] = ('QVL verifyEnclaveReport: the masked report ATTRIBUTES must equal the attributes as written (0 != FF..)', Q(lambda q2: q2.update(attributes='FF' * 16, attributesMask='00' * 16)))
    S['qe_id_tdqe'] = ('QVL QuoteVerifier: an SGX quote with a TD_QE identity -> QEIDENTITY_MISMATCH', Q(lambda q2: q2.update(id='TD_QE')))
    S['qe_id_qve'] = ('QVL QuoteVerifier: an SGX quote with a QVE identity', Q(lambda q2: q2.update(id='QVE')))
    S['qe_id_other'] = ('QVL EnclaveIdentityParser: id outside QE/QVE/TD_QE', Q(lambda q2: q2.update(id='XYZ')))
    S['qe_version_1'] = ('QVL EnclaveIdentityParser: version other than 2 -> QEIDENTITY_UNSUPPORTED_FORMAT', Q(lambda q2: q2.update(version=1)))
    S['qe_version_3'] = ('QVL EnclaveIdentityParser: version 3 -> QEIDENTITY_UNSUPPORTED_FORMAT', Q(lambda q2: q2.update(version=3)))
    S['qe_levels_empty'] = ('QVL EnclaveIdentityV2 parse: empty tcbLevels -> QEIDENTITY_UNSUPPORTED_FORMAT', Q(lambda q2: q2.update(tcbLevels=[])))
    S['qe_mrsigner_missing'] = ('QVL EnclaveIdentityV2 parse: mrsigner is required', Q(drop('mrsigner')))
    S['qe_mrsigner_short'] = ('QVL EnclaveIdentityV2 parse: mrsigner must be 64 hex digits', Q(lambda q2: q2.update(mrsigner=q2['mrsigner'][:62])))
    S['qe_extra_field'] = ('QVL EnclaveIdentityV2 parse: unknown members are ignored', Q(lambda q2: q2.update(extra='x')))
    S['qe_eval_number_differs'] = ('QvE: TCB Info and QE Identity evaluation numbers need not match', Q(lambda q2: q2.update(tcbEvaluationDataNumber=7)))
    # --- revocation (QVL PckCertVerifier / CrlStore; TCBInfoVerifier)
    S['pck_revoked'] = ('QVL PckCertVerifier: the PCK certificate is on the PCK CRL -> PCK_REVOKED', {'pck_crl.der': resign_crl(pckcrl, pk, [serials['pck']])})
    S['pck_ca_revoked'] = ('QVL PckCertVerifier: the PCK CA is on the root CA CRL -> PCK_REVOKED', {'root_ca_crl.der': resign_crl(rootcrl, rk, [serials['pck_ca']])})
    S['tcb_signer_revoked'] = ('QVL TCBInfoVerifier: the TCB signing certificate is on the root CA CRL -> PCK_REVOKED', {'root_ca_crl.der': resign_crl(rootcrl, rk, [serials['tcb']])})
    S['other_serial_revoked'] = ('QVL CrlStore::isRevoked: another serial on the PCK CRL is no revocation', {'pck_crl.der': resign_crl(pckcrl, pk, [serials['pck'] ^ 1])})
    # --- signer mix-ups (QVL PckCrlVerifier, TCBInfoVerifier, EnclaveIdentityVerifier)
    S['pck_crl_signed_by_root'] = ('QVL PckCrlVerifier: PCK CRL signature not by the PCK CA', {'pck_crl.der': resign_crl(pckcrl, rk)})
    S['pck_crl_signed_by_other_pck_ca'] = ('QVL PckCrlVerifier: PCK CRL signed by the other PCK CA\'s key', {'pck_crl.der': resign_crl(pckcrl, other_pk)})
    S['root_crl_signed_by_tcb_key'] = ('QVL CrlStore / root CA CRL signature not by the root', {'root_ca_crl.der': resign_crl(rootcrl, tk)})
    S['tcb_info_signed_by_root_key'] = ('QVL TCBInfoVerifier: TCB Info signature not by the TCB signing key -> TCBINFO_CHAIN_ERROR', T(lambda t2: None, rk))
    S['tcb_info_signed_by_pck_ca_key'] = ('QVL TCBInfoVerifier: TCB Info signed by a PCK CA key', T(lambda t2: None, pk))
    S['qe_identity_signed_by_root_key'] = ('QVL EnclaveIdentityVerifier: QE Identity signature not by the TCB signing key', Q(lambda q2: None, rk))
    # --- more format rules found with the oracle (QVL parsers, QvE)
    def sigdoc(member, body, f):
        d = json.loads(signed_doc(member, body, tk))
        d['signature'] = f(d['signature'])
        return json.dumps(d, separators=(',', ':')).encode()
    S['tcb_signature_uppercase'] = ('QVL TcbInfo::parse hexStringToBytes: signature hex in either case', {'tcb_info.json': sigdoc('tcbInfo', tcb, str.upper)})
    S['tcb_signature_short'] = ('QVL TcbInfo::parse: signature must be exactly 128 hex digits', {'tcb_info.json': sigdoc('tcbInfo', tcb, lambda x: x[:126])})
    S['tcb_signature_long'] = ('QVL TcbInfo::parse: signature must be exactly 128 hex digits', {'tcb_info.json': sigdoc('tcbInfo', tcb, lambda x: x + '00')})
    S['tcb_signature_zero'] = ('QVL TCBInfoVerifier: an all-zero r||s is no valid signature', {'tcb_info.json': sigdoc('tcbInfo', tcb, lambda x: '0' * 128)})
    S['qe_signature_short'] = ('QVL EnclaveIdentityParser: signature must be exactly 128 hex digits', {'qe_identity.json': (lambda d: (d.update(signature=d['signature'][:126]), json.dumps(d, separators=(',', ':')).encode())[1])(json.loads(signed_doc('enclaveIdentity', qe, tk)))})
    S['tcb_advisory_not_string'] = ('QVL TcbLevel parse getStringVecFieldOf: advisoryIDs must be an array of strings', sa([615]))
    S['tcb_advisory_not_array'] = ('QVL TcbLevel parse getStringVecFieldOf: advisoryIDs must be an array', sa('INTEL-SA-00001'))
    S['tcb_level_duplicate_revoked_after'] = ('QVL TcbInfo::parsePartV2: two levels with the same TCB (std::set emplace fails, "Detected duplicated TCB levels") -> TCBINFO_UNSUPPORTED_FORMAT', T(lambda t2: t2['tcbLevels'].insert(1, dict(first, tcbStatus='Revoked'))))
    S['tcb_level_duplicate_revoked_before'] = ('QVL TcbInfo::parsePartV2: two levels with the same TCB, whatever their order -> TCBINFO_UNSUPPORTED_FORMAT', T(lambda t2: t2['tcbLevels'].insert(0, dict(first, tcbStatus='Revoked'))))
    S['tcb_same_svns_pcesvn_order'] = ('QVL TcbLevel::operator>: equal SVNs order by PCESVN, higher first', T(lambda t2: t2['tcbLevels'].insert(0, dict(first, tcb=dict(first['tcb'], pcesvn=first['tcb']['pcesvn'] - 1), tcbStatus='OutOfDate'))))
    S['tcb_eval_number_max'] = ('QVL TcbInfo::parse: tcbEvaluationDataNumber is any uint32', T(lambda t2: t2.update(tcbEvaluationDataNumber=4294967295)))
    S['tcb_eval_number_negative'] = ('QVL TcbInfo::parse: tcbEvaluationDataNumber must be unsigned', T(lambda t2: t2.update(tcbEvaluationDataNumber=-1)))
    S['tcb_version_2_advisories'] = ('QVL TcbLevel parse: advisoryIDs are read in version 2 as well, and reported', T(lambda t2: (t2.clear(), t2.update(tcb_v2(tcb)), t2['tcbLevels'][0].update(advisoryIDs=['INTEL-SA-00009']))))
    S['tcb_version_2_no_tcbdate'] = ('QVL TcbLevel parse (v2): tcbDate is required', T(lambda t2: (t2.clear(), t2.update(tcb_v2(tcb)), t2['tcbLevels'][0].pop('tcbDate'))))
    S['tcb_body_not_object'] = ('QVL TcbInfo::parse: tcbInfo must be an object', T(lambda t2: (t2.clear(), t2.update(x=[]))))
    S['qe_isvsvn_string'] = ('QVL EnclaveIdentityV2 TcbLevel parse: isvsvn must be an integer', Q(qlvl0(tcb={'isvsvn': '8'})))
    S['qe_isvprodid_65537'] = ('QVL EnclaveIdentityV2 parse: isvprodid is any uint32; above 65535 it matches no QE -> QEIDENTITY_MISMATCH', Q(lambda q2: q2.update(isvprodid=65537)))
    S['qe_isvprodid_string'] = ('QVL EnclaveIdentityV2 parse: isvprodid must be an integer', Q(lambda q2: q2.update(isvprodid='1')))
    S['qe_attributes_short'] = ('QVL EnclaveIdentityV2 parse: attributes must be 32 hex digits', Q(lambda q2: q2.update(attributes=q2['attributes'][:30])))
    S['qe_miscselect_mask_lowercase'] = ('QVL EnclaveIdentityV2 parse: hex in either case', Q(lambda q2: q2.update(miscselectMask=q2['miscselectMask'].lower())))
    S['qe_level_duplicate_revoked_after'] = ('QVL EnclaveIdentityV2: QE levels in file order, the first with isvsvn <= QE\'s decides', Q(lambda q2: q2['tcbLevels'].insert(1, dict(q2['tcbLevels'][0], tcbStatus='Revoked'))))
    S['qe_level_duplicate_revoked_before'] = ('QVL EnclaveIdentityV2: QE levels in file order, the first with isvsvn <= QE\'s decides', Q(lambda q2: q2['tcbLevels'].insert(0, dict(q2['tcbLevels'][0], tcbStatus='Revoked'))))
    S['qe_eval_number_missing'] = ('QVL EnclaveIdentityV2 parse: tcbEvaluationDataNumber is required', Q(drop('tcbEvaluationDataNumber')))
    S['qe_next_update_bad'] = ('QVL EnclaveIdentityV2 parse: nextUpdate not a date', Q(lambda q2: q2.update(nextUpdate='2026-01-31')))
    S['tcb_pcesvn_65536'] = ('QVL TcbLevel::parseSvns: pcesvn is any uint32; a level above 65535 never matches, the next one does', T(lambda t2: t2['tcbLevels'][0]['tcb'].update(pcesvn=65536)))
    S['tcb_pcesvn_2p32'] = ('QVL TcbLevel::parseSvns: pcesvn beyond uint32 -> TCBINFO_UNSUPPORTED_FORMAT', T(lambda t2: t2['tcbLevels'][0]['tcb'].update(pcesvn=4294967296)))
    S['tcb_all_pcesvn_65536'] = ('QVL getMatchingTcbLevel: every level above the platform\'s 16-bit PCESVN -> TCB_NOT_SUPPORTED', T(lambda t2: [lv['tcb'].update(pcesvn=65536 + i) for i, lv in enumerate(t2['tcbLevels'])]))
    S['qe_isvsvn_65536'] = ('QVL EnclaveIdentityV2::getTcbStatus: a QE level isvsvn above 65535 never matches, the next level decides', Q(lambda q2: q2['tcbLevels'].insert(0, {'tcb': {'isvsvn': 65536}, 'tcbDate': '2026-01-01T00:00:00Z', 'tcbStatus': 'Revoked'})))
    S['qe_all_isvsvn_65536'] = ('QVL EnclaveIdentityV2::getTcbStatus: no QE level <= the QE\'s ISVSVN -> TCB_NOT_SUPPORTED', Q(lambda q2: q2.update(tcbLevels=[{'tcb': {'isvsvn': 65536}, 'tcbDate': '2026-01-01T00:00:00Z', 'tcbStatus': 'UpToDate'}])))
    S['pck_crl_extra_revoked_and_pck'] = ('QVL CrlStore::isRevoked: the PCK among other revoked serials -> PCK_REVOKED', {'pck_crl.der': resign_crl(pckcrl, pk, [serials['pck'] ^ 1, serials['pck'], serials['pck'] ^ 2])})
    return S


def main():
    ap = argparse.ArgumentParser(description='synthetic re-signed collateral scenarios')
    ap.add_argument('bundle')
    ap.add_argument('ca_dir')
    ap.add_argument('out')
    ap.add_argument('--name')
    ap.add_argument('--time', type=int, default=1767312000)
    ap.add_argument('--rules', help='also write {synth/<scenario>: Intel rule} as JSON here')
    a = ap.parse_args()
    name = a.name or os.path.basename(os.path.normpath(a.bundle))
    base = {f: read(os.path.join(a.bundle, f)) for f in FILES}
    key = {n: load_key(os.path.join(a.ca_dir, n + '_key.pem'))
           for n in ('root_ca', 'tcb_signing', 'platform_ca', 'processor_ca')}
    pck_ca_cert = certs(base['pck_crl_issuer_chain.pem'])[0]
    if pub(pck_ca_cert.public_key()) == pub(key['platform_ca'].public_key()):
        pk, other = key['platform_ca'], key['processor_ca']
    elif pub(pck_ca_cert.public_key()) == pub(key['processor_ca'].public_key()):
        pk, other = key['processor_ca'], key['platform_ca']
    else:
        sys.exit('synth.py: the PCK CRL issuer is neither of the CA\'s PCK CAs')
    quote_chain = certs(base['quote.bin'])
    leaf = [c for c in quote_chain if c.issuer == pck_ca_cert.subject and c.subject != pck_ca_cert.subject]
    if len(leaf) != 1:
        sys.exit('synth.py: no PCK certificate in the quote')
    serials = {'pck': leaf[0].serial_number, 'pck_ca': pck_ca_cert.serial_number,
               'tcb': certs(base['tcb_info_issuer_chain.pem'])[0].serial_number}
    k = {'tcb': key['tcb_signing'], 'root': key['root_ca'], 'pck_ca': pk, 'other_pck_ca': other,
         'pck_crl': x509.load_der_x509_crl(base['pck_crl.der']),
         'root_crl': x509.load_der_x509_crl(base['root_ca_crl.der'])}
    tcb = json.loads(base['tcb_info.json'])['tcbInfo']
    qe = json.loads(base['qe_identity.json'])['enclaveIdentity']
    out = os.path.abspath(a.out)
    S = scenarios(tcb, qe, k, serials)
    if a.rules:
        with open(a.rules, 'w') as fh:
            json.dump({'synth/' + sc: r for sc, (r, _) in S.items()}, fh, indent=1)
    for sc, (_rule, change) in S.items():
        d = os.path.join(out, sc)
        os.makedirs(d, exist_ok=True)
        for f, data in {**base, **change}.items():
            with open(os.path.join(d, f), 'wb') as fh:
                fh.write(data)
        print('\t'.join((name, 'synth/' + sc, os.path.join(d, 'quote.bin'), d, str(a.time),
                         os.path.join(d, 'root_ca.pem'))))


if __name__ == '__main__':
    main()
