/* Verdict names and Intel's result mapping: see sgxra/verify.h and
 * sgxra/qlresult.h. */
#include <stdarg.h>
#include <stdio.h>

#include "quote/verdict_internal.h"

const char *sgxra_ql_result_name(sgxra_ql_result r) {
  switch (r) {
#define SGXRA__QL_NAME(name, num)                                              \
  case SGXRA_QL_##name:                                                        \
    return "SGX_QL_" #name;
    SGXRA_QL_RESULTS(SGXRA__QL_NAME)
#undef SGXRA__QL_NAME
  }
  return "";
}

const char *sgxra_verify_stage_name(sgxra_verify_stage s) {
  switch (s) {
  case SGXRA_STAGE_NONE: /* the call's parameters (Intel's QvE checks) */
    return "parameters";
  case SGXRA_STAGE_QUOTE:
    return "quote";
  case SGXRA_STAGE_CERT_DATA:
    return "certification data";
  case SGXRA_STAGE_TRUST_ROOT:
    return "trust root";
  case SGXRA_STAGE_COLLATERAL:
    return "collateral";
  case SGXRA_STAGE_PCK_CHAIN:
    return "PCK chain";
  case SGXRA_STAGE_PCK_EXTENSION:
    return "PCK SGX extension";
  case SGXRA_STAGE_TCB_INFO_MATCH:
    return "TCB Info match";
  case SGXRA_STAGE_QE_REPORT_SIG:
    return "QE report signature";
  case SGXRA_STAGE_QE_REPORT_DATA:
    return "QE report data";
  case SGXRA_STAGE_QE_IDENTITY:
    return "QE identity";
  case SGXRA_STAGE_QUOTE_SIG:
    return "quote signature";
  case SGXRA_STAGE_TCB_LEVEL:
    return "TCB level";
  case SGXRA_STAGE_DONE:
    return "done";
  }
  return "unknown";
}

void sgxra__verdict_qv(sgxra_verdict *v, sgxra_tcb_status s) {
  /* sgx_ql_qv_result_t values (sgx_qve_header.h). */
  switch (s) {
  case SGXRA_TCB_UP_TO_DATE:
    v->qv_result = "SGX_QL_QV_RESULT_OK";
    v->qv_result_code = 0x0000;
    return;
  case SGXRA_TCB_CONFIGURATION_NEEDED:
    v->qv_result = "SGX_QL_QV_RESULT_CONFIG_NEEDED";
    v->qv_result_code = 0xA001;
    return;
  case SGXRA_TCB_OUT_OF_DATE:
    v->qv_result = "SGX_QL_QV_RESULT_OUT_OF_DATE";
    v->qv_result_code = 0xA002;
    return;
  case SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED:
    v->qv_result = "SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED";
    v->qv_result_code = 0xA003;
    return;
  case SGXRA_TCB_SW_HARDENING_NEEDED:
    v->qv_result = "SGX_QL_QV_RESULT_SW_HARDENING_NEEDED";
    v->qv_result_code = 0xA007;
    return;
  case SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED:
    v->qv_result = "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED";
    v->qv_result_code = 0xA008;
    return;
  default:
    v->qv_result = "SGX_QL_QV_RESULT_UNSPECIFIED";
    v->qv_result_code = 0xA006;
    return;
  }
}

/* ---- the one mapping: failed step -> Intel's quote3_error_t -------------
 *
 * Intel's QvE (SGXDataCenterAttestationPrimitives, QuoteVerification/QvE/
 * Enclave/qve.cpp) returns status_error_to_quote3_error() of the QVL's
 * Status (QVL Src/AttestationLibrary/include/SgxEcdsaAttestation/
 * AttestationStatus.h), except for the checks it makes itself in
 * sgx_qve_verify_quote().  Each row names the Status or the qve.cpp check
 * it follows.  The first matching row wins; ANY matches every stage /
 * code.  No row: SGX_QL_ERROR_UNEXPECTED (the QvE's default). */

#define ANY (-1)

typedef struct ql_row {
  int stage; /* sgxra_verify_stage or ANY */
  int err;   /* sgxra_err or ANY */
  sgxra_ql_result ql;
} ql_row;

static const ql_row ql_rows[] = {
    /* success: STATUS_OK and the non-terminal TCB statuses */
    {ANY, SGXRA_OK, SGXRA_QL_SUCCESS},
    /* misuse: STATUS_MISSING_PARAMETERS; the QvE's own parameter checks
     * (verify.c check_parameters): expiration_check_date <= 0, and
     * quote_size < QUOTE_MIN_SIZE (1020) before the quote is parsed */
    {ANY, SGXRA_E_INVALID_ARGUMENT, SGXRA_QL_ERROR_INVALID_PARAMETER},
    /* qve.cpp: a failed allocation */
    {ANY, SGXRA_E_NO_MEMORY, SGXRA_QL_ERROR_OUT_OF_MEMORY},

    /* The step decides before the code: */
    /* QVL sgxAttestationVerifyQuote: PckCertificate::parse throws
     * FormatException -> STATUS_UNSUPPORTED_PCK_CERT_FORMAT */
    {SGXRA_STAGE_PCK_EXTENSION, ANY, SGXRA_QL_PCK_CERT_UNSUPPORTED_FORMAT},
    /* qve_set_quote_supplemental_data: an advisory ID over MAX_SA_SIZE or
     * a list over MAX_SA_LIST_SIZE -> SGX_QL_ERROR_UNEXPECTED */
    {SGXRA_STAGE_TCB_LEVEL, SGXRA_E_TCBINFO_FIELD, SGXRA_QL_ERROR_UNEXPECTED},

    /* the TCB Info / QE Identity issuer chains (collateral stage), read as
     * a set: QuoteVerification.cpp sgxAttestationVerifyTCBInfo /
     * sgxAttestationVerifyEnclaveIdentity, a chain whose length is not 2 ->
     * STATUS_UNSUPPORTED_CERT_FORMAT; TCBSigningChain::verify, no
     * self-signed root (STATUS_SGX_ROOT_CA_MISSING), no signer
     * (STATUS_SGX_TCB_SIGNING_CERT_MISSING) or a bad issuer or signature
     * (*_INVALID_ISSUER): not in the QvE's switch -> default; a root that
     * is not the quote's (STATUS_SGX_TCB_SIGNING_CERT_CHAIN_UNTRUSTED) ->
     * TCBINFO_CHAIN_ERROR, for the QE Identity chain too */
    {SGXRA_STAGE_COLLATERAL, SGXRA_E_X509_CHAIN_LENGTH,
     SGXRA_QL_PCK_CERT_UNSUPPORTED_FORMAT},
    {SGXRA_STAGE_COLLATERAL, SGXRA_E_X509_CHAIN_LINK,
     SGXRA_QL_ERROR_UNEXPECTED},
    {SGXRA_STAGE_COLLATERAL, SGXRA_E_X509_SIGNATURE, SGXRA_QL_ERROR_UNEXPECTED},
    {SGXRA_STAGE_COLLATERAL, SGXRA_E_COLLATERAL_TCB_SIGNER,
     SGXRA_QL_ERROR_UNEXPECTED},
    {SGXRA_STAGE_COLLATERAL, SGXRA_E_X509_UNTRUSTED_ROOT,
     SGXRA_QL_TCBINFO_CHAIN_ERROR},

    /* the quote's PCK chain without a PCK CA: PckCertVerifier
     * STATUS_SGX_INTERMEDIATE_CA_MISSING, not in the QvE's switch */
    {SGXRA_STAGE_PCK_CHAIN, SGXRA_E_X509_NOT_CA, SGXRA_QL_ERROR_UNEXPECTED},

    /* the quote: extract_chain_from_quote, STATUS_UNSUPPORTED_QUOTE_FORMAT,
     * STATUS_UNSUPPORTED_QE_CERTIFICATION_DATA_TYPE */
    {ANY, SGXRA_E_QUOTE_CERT_DATA_TYPE,
     SGXRA_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED},
    {ANY, SGXRA_E_QUOTE_TRUNCATED, SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED},
    {ANY, SGXRA_E_QUOTE_VERSION, SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED},
    {ANY, SGXRA_E_QUOTE_KEY_TYPE, SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED},
    {ANY, SGXRA_E_QUOTE_TEE_TYPE, SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED},
    {ANY, SGXRA_E_QUOTE_QE_VENDOR, SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED},
    {ANY, SGXRA_E_QUOTE_FORMAT, SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED},
    {ANY, SGXRA_E_QUOTE_BODY_TYPE, SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED},
    /* QuoteVerifier: the attestation key is not a P-256 point ->
     * STATUS_UNSUPPORTED_QUOTE_FORMAT */
    {ANY, SGXRA_E_VERIFY_ATTEST_KEY, SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED},

    /* certificates: qve.cpp chain.parse() of the quote's chain and of the
     * issuer chains (qve_get_collateral_dates) -> PCK_CERT_CHAIN_ERROR;
     * STATUS_SGX_PCK_CERT_CHAIN_UNTRUSTED, STATUS_SGX_ROOT_CA_UNTRUSTED,
     * STATUS_INVALID_PCK_CERT (QuoteVerifier: no "SGX PCK Certificate" in
     * the CN, a public key that does not parse); qve.cpp's root public key
     * comparison */
    {ANY, SGXRA_E_X509_PARSE, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_X509_PEM, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_X509_KEY, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_X509_CHAIN_LENGTH, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_X509_CHAIN_LINK, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_X509_SIGNATURE, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_X509_NOT_CA, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_X509_UNTRUSTED_ROOT, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_COLLATERAL_ROOT_MISMATCH, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_COLLATERAL_PCK_CA, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_COLLATERAL_TCB_SIGNER, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_VERIFY_TRUST_ROOT, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_VERIFY_PCK_CHAIN, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    {ANY, SGXRA_E_VERIFY_PCK_CERT, SGXRA_QL_PCK_CERT_CHAIN_ERROR},
    /* STATUS_PCK_REVOKED, STATUS_SGX_PCK_REVOKED,
     * STATUS_SGX_INTERMEDIATE_CA_REVOKED,
     * STATUS_SGX_TCB_SIGNING_CERT_REVOKED */
    {ANY, SGXRA_E_X509_REVOKED, SGXRA_QL_PCK_REVOKED},
    {ANY, SGXRA_E_COLLATERAL_SIGNER_REVOKED, SGXRA_QL_PCK_REVOKED},
    {ANY, SGXRA_E_VERIFY_PCK_REVOKED, SGXRA_QL_PCK_REVOKED},
    /* the SGX extension (at any other step too): as the stage row above */
    {ANY, SGXRA_E_PCKEXT_MISSING, SGXRA_QL_PCK_CERT_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_PCKEXT_FORMAT, SGXRA_QL_PCK_CERT_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_PCKEXT_COUNT, SGXRA_QL_PCK_CERT_UNSUPPORTED_FORMAT},

    /* CRLs: qve_get_collateral_dates (a CRL that does not parse) ->
     * CRL_UNSUPPORTED_FORMAT; STATUS_SGX_CRL_INVALID_SIGNATURE ->
     * RESULT_INVALID_SIGNATURE; PckCrlVerifier::verify's
     * STATUS_SGX_CRL_UNKNOWN_ISSUER (the CRL of another CA, e.g. the other
     * PCK CA) and STATUS_SGX_CRL_INVALID_EXTENSIONS are not in the QvE's
     * switch -> default */
    {ANY, SGXRA_E_CRL_PARSE, SGXRA_QL_CRL_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_CRL_FORMAT, SGXRA_QL_CRL_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_CRL_EXTENSIONS, SGXRA_QL_ERROR_UNEXPECTED},
    {ANY, SGXRA_E_CRL_ISSUER, SGXRA_QL_ERROR_UNEXPECTED},
    {ANY, SGXRA_E_CRL_SIGNATURE, SGXRA_QL_RESULT_INVALID_SIGNATURE},

    /* TCB Info: STATUS_SGX_TCB_INFO_INVALID,
     * STATUS_SGX_TCB_INFO_UNSUPPORTED_FORMAT -> TCBINFO_UNSUPPORTED_FORMAT;
     * STATUS_TCB_INFO_INVALID_SIGNATURE -> TCBINFO_CHAIN_ERROR */
    {ANY, SGXRA_E_TCBINFO_FORMAT, SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_TCBINFO_DATE, SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_TCBINFO_HEX, SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_TCBINFO_STATUS, SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_TCBINFO_VERSION, SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_TCBINFO_ID, SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_TCBINFO_FIELD, SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_TCBINFO_SIGNATURE, SGXRA_QL_TCBINFO_CHAIN_ERROR},

    /* QE Identity: qve_get_collateral_dates (does not parse) ->
     * QEIDENTITY_UNSUPPORTED_FORMAT;
     * STATUS_SGX_ENCLAVE_IDENTITY_INVALID_SIGNATURE -> QEIDENTITY_CHAIN_ERROR
     */
    {ANY, SGXRA_E_QEID_FORMAT, SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_QEID_DATE, SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_QEID_HEX, SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_QEID_STATUS, SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_QEID_VERSION, SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_QEID_ID, SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_QEID_FIELD, SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
    {ANY, SGXRA_E_QEID_SIGNATURE, SGXRA_QL_QEIDENTITY_CHAIN_ERROR},

    /* the per-quote checks (QuoteVerifier::verify) */
    /* STATUS_TCB_INFO_MISMATCH */
    {ANY, SGXRA_E_VERIFY_TCB_INFO_MISMATCH, SGXRA_QL_TCBINFO_MISMATCH},
    /* STATUS_INVALID_QE_REPORT_SIGNATURE */
    {ANY, SGXRA_E_VERIFY_QE_REPORT_SIGNATURE,
     SGXRA_QL_QE_REPORT_INVALID_SIGNATURE},
    /* STATUS_INVALID_QE_REPORT_DATA: not in the QvE's switch -> default */
    {ANY, SGXRA_E_VERIFY_QE_REPORT_DATA, SGXRA_QL_ERROR_UNEXPECTED},
    /* STATUS_QE_IDENTITY_MISMATCH, STATUS_SGX_ENCLAVE_REPORT_*_MISMATCH */
    {ANY, SGXRA_E_VERIFY_QE_IDENTITY_MISMATCH, SGXRA_QL_QEIDENTITY_MISMATCH},
    /* STATUS_INVALID_QUOTE_SIGNATURE */
    {ANY, SGXRA_E_VERIFY_QUOTE_SIGNATURE, SGXRA_QL_RESULT_INVALID_SIGNATURE},
    /* STATUS_TCB_NOT_SUPPORTED */
    {ANY, SGXRA_E_VERIFY_TCB_NOT_SUPPORTED, SGXRA_QL_TCB_NOT_SUPPORTED},
    /* STATUS_TCB_REVOKED, STATUS_SGX_ENCLAVE_REPORT_ISVSVN_REVOKED */
    {ANY, SGXRA_E_VERIFY_TCB_REVOKED, SGXRA_QL_TCB_REVOKED},
};

sgxra_ql_result sgxra__ql_result_for(sgxra_verify_stage stage, sgxra_err err) {
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(ql_rows); i++) {
    const ql_row *r = &ql_rows[i];
    if ((r->stage == ANY || r->stage == (int)stage) &&
        (r->err == ANY || r->err == (int)err))
      return r->ql;
  }
  return SGXRA_QL_ERROR_UNEXPECTED;
}

sgxra_tcb_status sgxra__tcb_status_converge(sgxra_tcb_status level,
                                            sgxra_tcb_status qe) {
  if (qe == SGXRA_TCB_OUT_OF_DATE) {
    if (level == SGXRA_TCB_UP_TO_DATE || level == SGXRA_TCB_SW_HARDENING_NEEDED)
      return SGXRA_TCB_OUT_OF_DATE;
    if (level == SGXRA_TCB_CONFIGURATION_NEEDED ||
        level == SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED)
      return SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
  }
  if (qe == SGXRA_TCB_REVOKED) return SGXRA_TCB_REVOKED;
  return level;
}

void sgxra__verdict_init(sgxra_verdict *v) {
  memset(v, 0, sizeof *v);
  v->ql_return = SGXRA_QL_ERROR_UNEXPECTED;
  v->err = SGXRA_E_INTERNAL;
  sgxra__verdict_qv(v, SGXRA_TCB_STATUS_INVALID);
}

void sgxra__verdict_fail(sgxra_verdict *v, sgxra_verify_stage stage,
                         sgxra_err err, const char *fmt, ...) {
  v->stage = stage;
  v->ql_return = sgxra__ql_result_for(stage, err);
  v->err = err;
  /* Intel's QvE reports UNSPECIFIED whenever the return is not success. */
  sgxra__verdict_qv(v, SGXRA_TCB_STATUS_INVALID);
  int k = snprintf(v->reason, sizeof v->reason,
                   "%s: ", sgxra_verify_stage_name(stage));
  if (k < 0 || (size_t)k >= sizeof v->reason) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->reason + k, sizeof v->reason - (size_t)k, fmt, ap);
  va_end(ap);
}
