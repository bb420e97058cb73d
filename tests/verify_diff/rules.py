"""The Intel rule that decides a variant's answer, named by Intel's source
(QvE DCAP_1.23 qve.cpp and QVL 7e5b2a1; file and function), in our words.
Used by record.py for the `rule` member of expected/<bundle>.json."""

QVE = 'QvE qve.cpp sgx_qve_verify_quote'


def rule_for(vid, ret):
    cls, name = vid.split('/', 1)
    r = ret[len('SGX_QL_'):] if ret.startswith('SGX_QL_') else ret
    if r == 'ERROR_INVALID_PARAMETER':
        if cls == 'time':
            return QVE + ': parameter check, expiration_check_date <= 0'
        if cls == 'quote:truncate':
            return QVE + ': parameter check, quote_size < QUOTE_MIN_SIZE (1020)'
        if name == 'empty_file':
            return QVE + ': parameter check, zero-size collateral buffer'
        return 'QvE qve.cpp is_collateral_deep_copied: text collateral must be NUL-terminated exactly at size-1 (a NUL inside)'
    if r == 'SUCCESS':
        if cls == 'time':
            return ('QvE qve.cpp qve_get_collateral_dates: expired = earliest expiration <= t; '
                    'QVL PckParser Validity::isValid / CrlStore::expired: t before a CRL thisUpdate = expired; '
                    'is_expiration_error keeps SUCCESS')
        if cls.startswith('chain:pck_crl_issuer'):
            return 'QvE qve.cpp qve_get_collateral_dates: the PCK CRL issuer chain is only parsed for its dates, never verified'
        if cls.startswith('chain:'):
            return 'QVL CertificateChain::parse: issuer chain read as a set of PEM certificates, any order, text around them ignored'
        if cls.startswith('crl:'):
            return 'QvE qve.cpp check_pem_crl / check_hex_crl / byte_to_hexstring, QVL str2X509Crl: PEM at byte 0, all-hex, else DER (trailing bytes ignored)'
        if cls.startswith('json:'):
            return 'QVL JsonParser (rapidjson): first member of a duplicate wins, whitespace/escapes/key order free; signature over the re-serialised body'
        if cls == 'quote:chain':
            return 'QvE qve.cpp extract_chain_from_quote, QVL CertificateChain: the quote PCK chain in any order'
        if cls == 'quote:sizes':
            if name.startswith('sig_data_padded'):
                return 'QVL Quote::parse, Ecdsa256BitQuoteV4AuthData::insert (QuoteStructures.cpp): v4 type-6 data read by its own size, rest of the signature data ignored'
            return 'QVL Quote::parse (QuoteStructures.cpp): v3 certification data read by its own size, rest of the auth data ignored'
        if cls.startswith('swap:'):
            return 'QVL sgxAttestationVerifyPCKCertificate/TCBInfo/EnclaveIdentity/Quote: another bundle\'s genuine file verifies; its dates feed qve_get_collateral_dates'
        if cls == 'quote:append':
            return 'QVL Quote::parse: bytes after the signature data are ignored'
        return QVE + ': success; verdict status_error_to_ql_qve_result, advisories qve_set_quote_supplemental_data'
    if r == 'ERROR_UNEXPECTED' and cls.startswith('swap:pck_crl'):
        return 'QVL PckCertVerifier / PckCrlVerifier::verify against the quote\'s PCK CA: STATUS_SGX_CRL_UNKNOWN_ISSUER, outside qve.cpp status_error_to_quote3_error\'s switch'
    if r == 'ERROR_UNEXPECTED':
        return 'QvE qve.cpp status_error_to_quote3_error: a QVL status outside its switch (e.g. *_MISSING, *_INVALID_ISSUER, CRL_UNKNOWN_ISSUER)'
    if r == 'PCK_CERT_UNSUPPORTED_FORMAT':
        return 'QVL QuoteVerification.cpp sgxAttestationVerifyTCBInfo/VerifyEnclaveIdentity: issuer chain of exactly 2 certificates'
    if r == 'PCK_CERT_CHAIN_ERROR':
        return ('QvE qve.cpp extract_chain_from_quote / qve_get_collateral_dates: a chain that does not parse, '
                'quote PCK chain not 3 certificates or its root not Intel\'s key')
    if r == 'CRL_UNSUPPORTED_FORMAT':
        return 'QvE qve.cpp qve_get_collateral_dates: CRL does not parse (check_pem_crl / check_hex_crl, QVL str2X509Crl)'
    if r == 'TCBINFO_UNSUPPORTED_FORMAT':
        return 'QVL TcbInfo::parse (JsonParser) in sgx_qve_verify_quote / qve_get_collateral_dates'
    if r == 'QEIDENTITY_UNSUPPORTED_FORMAT':
        return 'QVL EnclaveIdentityParser::parse in qve_get_collateral_dates'
    if r == 'QUOTE_FORMAT_UNSUPPORTED' and cls == 'quote:sizes' and name.startswith('outer_'):
        return 'QVL QEReportCertificationData::insert (QuoteStructures.cpp): the type-6 data must end exactly after its type-5 data'
    if r in ('QUOTE_FORMAT_UNSUPPORTED', 'QUOTE_CERTIFICATION_DATA_UNSUPPORTED'):
        return 'QVL Quote::parse / Quote::validate (QuoteStructures.cpp) via qve.cpp extract_chain_from_quote'
    if r in ('TCBINFO_CHAIN_ERROR', 'QEIDENTITY_CHAIN_ERROR'):
        return 'QVL TCBInfoVerifier / EnclaveIdentityVerifier: signature over the body -> status_error_to_quote3_error'
    return 'QVL QuoteVerifier::verify / PckCertVerifier -> qve.cpp status_error_to_quote3_error'
