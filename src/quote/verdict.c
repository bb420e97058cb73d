/* Verdict names and Intel's result mapping: see sgxra/verify.h. */
#include <stdarg.h>
#include <stdio.h>

#include "quote/verdict_internal.h"

const char *sgxra_verify_stage_name(sgxra_verify_stage s) {
  switch (s) {
  case SGXRA_STAGE_NONE:
    return "none";
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

void sgxra__verdict_fail(sgxra_verdict *v, sgxra_verify_stage stage,
                         const char *ql_return, sgxra_err err, const char *fmt,
                         ...) {
  v->stage = stage;
  v->ql_return = ql_return;
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

const char *sgxra__ql_return_for(sgxra_err err) {
  switch (err) {
  case SGXRA_E_QUOTE_CERT_DATA_TYPE:
    return "SGX_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED";
  case SGXRA_E_QUOTE_TRUNCATED:
  case SGXRA_E_QUOTE_VERSION:
  case SGXRA_E_QUOTE_KEY_TYPE:
  case SGXRA_E_QUOTE_TEE_TYPE:
  case SGXRA_E_QUOTE_QE_VENDOR:
  case SGXRA_E_QUOTE_FORMAT:
  case SGXRA_E_QUOTE_BODY_TYPE:
    return "SGX_QL_QUOTE_FORMAT_UNSUPPORTED";
  case SGXRA_E_TCBINFO_SIGNATURE:
    return "SGX_QL_TCBINFO_CHAIN_ERROR";
  case SGXRA_E_QEID_SIGNATURE:
    return "SGX_QL_QEIDENTITY_CHAIN_ERROR";
  case SGXRA_E_CRL_SIGNATURE:
    return "SGX_QL_RESULT_INVALID_SIGNATURE";
  case SGXRA_E_CRL_PARSE:
  case SGXRA_E_CRL_FORMAT:
  case SGXRA_E_CRL_EXTENSIONS:
  case SGXRA_E_CRL_ISSUER:
    return "SGX_QL_CRL_UNSUPPORTED_FORMAT";
  case SGXRA_E_TCBINFO_FORMAT:
  case SGXRA_E_TCBINFO_DATE:
  case SGXRA_E_TCBINFO_HEX:
  case SGXRA_E_TCBINFO_STATUS:
  case SGXRA_E_TCBINFO_VERSION:
  case SGXRA_E_TCBINFO_ID:
  case SGXRA_E_TCBINFO_FIELD:
    return "SGX_QL_TCBINFO_UNSUPPORTED_FORMAT";
  case SGXRA_E_QEID_FORMAT:
  case SGXRA_E_QEID_DATE:
  case SGXRA_E_QEID_HEX:
  case SGXRA_E_QEID_STATUS:
  case SGXRA_E_QEID_VERSION:
  case SGXRA_E_QEID_ID:
  case SGXRA_E_QEID_FIELD:
    return "SGX_QL_QEIDENTITY_UNSUPPORTED_FORMAT";
  case SGXRA_E_COLLATERAL_SIGNER_REVOKED:
  case SGXRA_E_X509_REVOKED:
  case SGXRA_E_VERIFY_PCK_REVOKED:
    return "SGX_QL_PCK_REVOKED";
  case SGXRA_E_X509_PARSE:
  case SGXRA_E_X509_PEM:
  case SGXRA_E_X509_KEY:
  case SGXRA_E_PCKEXT_MISSING:
  case SGXRA_E_PCKEXT_FORMAT:
  case SGXRA_E_PCKEXT_COUNT:
  case SGXRA_E_VERIFY_PCK_CERT:
    return "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT";
  case SGXRA_E_X509_CHAIN_LINK:
  case SGXRA_E_X509_SIGNATURE:
  case SGXRA_E_X509_NOT_CA:
  case SGXRA_E_X509_UNTRUSTED_ROOT:
  case SGXRA_E_X509_CHAIN_LENGTH:
  case SGXRA_E_COLLATERAL_ROOT_MISMATCH:
  case SGXRA_E_COLLATERAL_PCK_CA:
  case SGXRA_E_COLLATERAL_TCB_SIGNER:
  case SGXRA_E_VERIFY_TRUST_ROOT:
  case SGXRA_E_VERIFY_PCK_CHAIN:
    return "SGX_QL_PCK_CERT_CHAIN_ERROR";
  case SGXRA_E_VERIFY_TCB_INFO_MISMATCH:
    return "SGX_QL_TCBINFO_MISMATCH";
  case SGXRA_E_VERIFY_QE_REPORT_SIGNATURE:
    return "SGX_QL_QE_REPORT_INVALID_SIGNATURE";
  case SGXRA_E_VERIFY_QE_IDENTITY_MISMATCH:
    return "SGX_QL_QEIDENTITY_MISMATCH";
  case SGXRA_E_VERIFY_ATTEST_KEY:
    return "SGX_QL_QUOTE_FORMAT_UNSUPPORTED";
  case SGXRA_E_VERIFY_QUOTE_SIGNATURE:
    return "SGX_QL_RESULT_INVALID_SIGNATURE";
  case SGXRA_E_VERIFY_TCB_NOT_SUPPORTED:
    return "SGX_QL_TCB_NOT_SUPPORTED";
  case SGXRA_E_VERIFY_TCB_REVOKED:
    return "SGX_QL_TCB_REVOKED";
  default:
    /* Intel's QvE maps every other status (the QE report data check
     * among them) to SGX_QL_ERROR_UNEXPECTED. */
    return "SGX_QL_ERROR_UNEXPECTED";
  }
}
