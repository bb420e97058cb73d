/* Tests of the verdict's Intel mapping (sgxra/qlresult.h and
 * quote/verdict_internal.h): Intel's quote3_error_t names and numbers as
 * sgx_ql_lib_common.h gives them, one row per failed step / sgxra code
 * with the value Intel's QvE returns for it (status_error_to_quote3_error
 * in QvE/Enclave/qve.cpp, or the QvE's own check), and the QE TCB status
 * merge of QVL's convergeTcbStatusWithQeTcbStatus (TcbLevelCheck.cpp). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "quote/verdict_internal.h"
#include "sgxra/qlresult.h"
#include "sgxra/verify.h"

/* Intel's values, typed in from sgx_ql_lib_common.h (SGX_QL_MK_ERROR(x) =
 * 0xE000 | x), not derived from sgxra's list. */
static const struct {
  sgxra_ql_result r;
  const char *name;
  unsigned number;
} intel[] = {
    {SGXRA_QL_SUCCESS, "SGX_QL_SUCCESS", 0x0000},
    {SGXRA_QL_ERROR_UNEXPECTED, "SGX_QL_ERROR_UNEXPECTED", 0xE001},
    {SGXRA_QL_ERROR_INVALID_PARAMETER, "SGX_QL_ERROR_INVALID_PARAMETER",
     0xE002},
    {SGXRA_QL_ERROR_OUT_OF_MEMORY, "SGX_QL_ERROR_OUT_OF_MEMORY", 0xE003},
    {SGXRA_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED,
     "SGX_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED", 0xE01C},
    {SGXRA_QL_QUOTE_FORMAT_UNSUPPORTED, "SGX_QL_QUOTE_FORMAT_UNSUPPORTED",
     0xE01D},
    {SGXRA_QL_QE_REPORT_INVALID_SIGNATURE, "SGX_QL_QE_REPORT_INVALID_SIGNATURE",
     0xE01F},
    {SGXRA_QL_PCK_CERT_UNSUPPORTED_FORMAT, "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT",
     0xE021},
    {SGXRA_QL_PCK_CERT_CHAIN_ERROR, "SGX_QL_PCK_CERT_CHAIN_ERROR", 0xE022},
    {SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT, "SGX_QL_TCBINFO_UNSUPPORTED_FORMAT",
     0xE023},
    {SGXRA_QL_TCBINFO_MISMATCH, "SGX_QL_TCBINFO_MISMATCH", 0xE024},
    {SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT,
     "SGX_QL_QEIDENTITY_UNSUPPORTED_FORMAT", 0xE025},
    {SGXRA_QL_QEIDENTITY_MISMATCH, "SGX_QL_QEIDENTITY_MISMATCH", 0xE026},
    {SGXRA_QL_PCK_REVOKED, "SGX_QL_PCK_REVOKED", 0xE031},
    {SGXRA_QL_TCB_REVOKED, "SGX_QL_TCB_REVOKED", 0xE032},
    {SGXRA_QL_CRL_UNSUPPORTED_FORMAT, "SGX_QL_CRL_UNSUPPORTED_FORMAT", 0xE038},
    {SGXRA_QL_QEIDENTITY_CHAIN_ERROR, "SGX_QL_QEIDENTITY_CHAIN_ERROR", 0xE039},
    {SGXRA_QL_TCBINFO_CHAIN_ERROR, "SGX_QL_TCBINFO_CHAIN_ERROR", 0xE03A},
    {SGXRA_QL_TCB_NOT_SUPPORTED, "SGX_QL_TCB_NOT_SUPPORTED", 0xE066},
    {SGXRA_QL_RESULT_INVALID_SIGNATURE, "SGX_QL_RESULT_INVALID_SIGNATURE",
     0xE068},
};

static void test_names_and_numbers(void **state) {
  (void)state;
  size_t listed = 0;
#define COUNT(name, num) listed++;
  SGXRA_QL_RESULTS(COUNT)
#undef COUNT
  assert_int_equal(listed, sizeof intel / sizeof intel[0]);
  for (size_t i = 0; i < sizeof intel / sizeof intel[0]; i++) {
    assert_int_equal((unsigned)intel[i].r, intel[i].number);
    assert_string_equal(sgxra_ql_result_name(intel[i].r), intel[i].name);
  }
  assert_string_equal(sgxra_ql_result_name((sgxra_ql_result)0xE0FF), "");
}

#define Q(x) SGXRA_QL_##x
#define E(x) SGXRA_E_##x
#define S(x) SGXRA_STAGE_##x

/* One row per (step, sgxra code) the verifier records, with Intel's value
 * and the place in Intel's code it comes from. */
static const struct {
  sgxra_verify_stage stage;
  sgxra_err err;
  sgxra_ql_result want;
} rows[] = {
    /* STATUS_OK */
    {S(DONE), SGXRA_OK, Q(SUCCESS)},
    /* qve.cpp argument checks, STATUS_MISSING_PARAMETERS */
    {S(NONE), E(INVALID_ARGUMENT), Q(ERROR_INVALID_PARAMETER)},
    /* qve.cpp malloc failure */
    {S(PCK_CHAIN), E(NO_MEMORY), Q(ERROR_OUT_OF_MEMORY)},
    {S(COLLATERAL), E(NO_MEMORY), Q(ERROR_OUT_OF_MEMORY)},
    /* STATUS_UNSUPPORTED_QUOTE_FORMAT */
    /* qve.cpp parameter checks: quote_size < QUOTE_MIN_SIZE (1020) */
    {S(QUOTE), E(INVALID_ARGUMENT), Q(ERROR_INVALID_PARAMETER)},
    {S(QUOTE), E(QUOTE_TRUNCATED), Q(QUOTE_FORMAT_UNSUPPORTED)},
    {S(QUOTE), E(QUOTE_VERSION), Q(QUOTE_FORMAT_UNSUPPORTED)},
    {S(QUOTE), E(QUOTE_KEY_TYPE), Q(QUOTE_FORMAT_UNSUPPORTED)},
    {S(QUOTE), E(QUOTE_TEE_TYPE), Q(QUOTE_FORMAT_UNSUPPORTED)},
    {S(QUOTE), E(QUOTE_QE_VENDOR), Q(QUOTE_FORMAT_UNSUPPORTED)},
    {S(QUOTE), E(QUOTE_FORMAT), Q(QUOTE_FORMAT_UNSUPPORTED)},
    {S(QUOTE), E(QUOTE_BODY_TYPE), Q(QUOTE_FORMAT_UNSUPPORTED)},
    /* extract_chain_from_quote: type != 5 */
    {S(CERT_DATA), E(QUOTE_CERT_DATA_TYPE),
     Q(QUOTE_CERTIFICATION_DATA_UNSUPPORTED)},
    /* qve.cpp: root public key != Intel's -> PCK_CERT_CHAIN_ERROR */
    {S(TRUST_ROOT), E(VERIFY_TRUST_ROOT), Q(PCK_CERT_CHAIN_ERROR)},
    /* qve.cpp: chain.parse() fails or length != 3 */
    {S(PCK_CHAIN), E(X509_PEM), Q(PCK_CERT_CHAIN_ERROR)},
    {S(PCK_CHAIN), E(X509_PARSE), Q(PCK_CERT_CHAIN_ERROR)},
    {S(PCK_CHAIN), E(X509_KEY), Q(PCK_CERT_CHAIN_ERROR)},
    {S(PCK_CHAIN), E(X509_CHAIN_LENGTH), Q(PCK_CERT_CHAIN_ERROR)},
    /* PckCertVerifier: STATUS_SGX_INTERMEDIATE_CA_MISSING (default) */
    {S(PCK_CHAIN), E(X509_NOT_CA), Q(ERROR_UNEXPECTED)},
    /* STATUS_SGX_PCK_CERT_CHAIN_UNTRUSTED */
    {S(PCK_CHAIN), E(VERIFY_PCK_CHAIN), Q(PCK_CERT_CHAIN_ERROR)},
    /* STATUS_INVALID_PCK_CERT (CN, public key) */
    {S(PCK_CHAIN), E(VERIFY_PCK_CERT), Q(PCK_CERT_CHAIN_ERROR)},
    /* STATUS_PCK_REVOKED, STATUS_SGX_INTERMEDIATE_CA_REVOKED */
    {S(PCK_CHAIN), E(VERIFY_PCK_REVOKED), Q(PCK_REVOKED)},
    /* PckCertificate::parse FormatException ->
     * STATUS_UNSUPPORTED_PCK_CERT_FORMAT */
    {S(PCK_EXTENSION), E(PCKEXT_MISSING), Q(PCK_CERT_UNSUPPORTED_FORMAT)},
    {S(PCK_EXTENSION), E(PCKEXT_FORMAT), Q(PCK_CERT_UNSUPPORTED_FORMAT)},
    {S(PCK_EXTENSION), E(PCKEXT_COUNT), Q(PCK_CERT_UNSUPPORTED_FORMAT)},
    {S(PCK_EXTENSION), E(X509_PARSE), Q(PCK_CERT_UNSUPPORTED_FORMAT)},
    /* STATUS_TCB_INFO_MISMATCH */
    {S(TCB_INFO_MATCH), E(VERIFY_TCB_INFO_MISMATCH), Q(TCBINFO_MISMATCH)},
    /* STATUS_INVALID_QE_REPORT_SIGNATURE */
    {S(QE_REPORT_SIG), E(VERIFY_QE_REPORT_SIGNATURE),
     Q(QE_REPORT_INVALID_SIGNATURE)},
    /* STATUS_INVALID_QE_REPORT_DATA: the QvE's default */
    {S(QE_REPORT_DATA), E(VERIFY_QE_REPORT_DATA), Q(ERROR_UNEXPECTED)},
    {S(QE_REPORT_DATA), E(CRYPTO), Q(ERROR_UNEXPECTED)},
    /* STATUS_QE_IDENTITY_MISMATCH, STATUS_SGX_ENCLAVE_REPORT_*_MISMATCH */
    {S(QE_IDENTITY), E(VERIFY_QE_IDENTITY_MISMATCH), Q(QEIDENTITY_MISMATCH)},
    /* QuoteVerifier: attestation key not a point ->
     * STATUS_UNSUPPORTED_QUOTE_FORMAT */
    {S(QUOTE_SIG), E(VERIFY_ATTEST_KEY), Q(QUOTE_FORMAT_UNSUPPORTED)},
    /* STATUS_INVALID_QUOTE_SIGNATURE */
    {S(QUOTE_SIG), E(VERIFY_QUOTE_SIGNATURE), Q(RESULT_INVALID_SIGNATURE)},
    /* STATUS_TCB_NOT_SUPPORTED */
    {S(TCB_LEVEL), E(VERIFY_TCB_NOT_SUPPORTED), Q(TCB_NOT_SUPPORTED)},
    /* STATUS_TCB_REVOKED, STATUS_SGX_ENCLAVE_REPORT_ISVSVN_REVOKED */
    {S(TCB_LEVEL), E(VERIFY_TCB_REVOKED), Q(TCB_REVOKED)},
    /* qve_set_quote_supplemental_data: advisory list too long */
    {S(TCB_LEVEL), E(TCBINFO_FIELD), Q(ERROR_UNEXPECTED)},
    /* STATUS_TCB_UNRECOGNIZED_STATUS: the QvE's default */
    {S(TCB_LEVEL), E(INTERNAL), Q(ERROR_UNEXPECTED)},
    /* collateral: issuer chains (qve_get_collateral_dates chain.parse) */
    {S(COLLATERAL), E(X509_PARSE), Q(PCK_CERT_CHAIN_ERROR)},
    {S(COLLATERAL), E(X509_NOT_CA), Q(PCK_CERT_CHAIN_ERROR)},
    {S(COLLATERAL), E(COLLATERAL_ROOT_MISMATCH), Q(PCK_CERT_CHAIN_ERROR)},
    {S(COLLATERAL), E(COLLATERAL_PCK_CA), Q(PCK_CERT_CHAIN_ERROR)},
    /* the TCB Info / QE Identity issuer chains: QuoteVerification.cpp, a
     * length other than 2 -> STATUS_UNSUPPORTED_CERT_FORMAT;
     * TCBSigningChain::verify: STATUS_SGX_ROOT_CA_MISSING,
     * STATUS_SGX_TCB_SIGNING_CERT_MISSING, *_INVALID_ISSUER (not in the
     * QvE's switch), STATUS_SGX_TCB_SIGNING_CERT_CHAIN_UNTRUSTED */
    {S(COLLATERAL), E(X509_CHAIN_LENGTH), Q(PCK_CERT_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(X509_CHAIN_LINK), Q(ERROR_UNEXPECTED)},
    {S(COLLATERAL), E(X509_SIGNATURE), Q(ERROR_UNEXPECTED)},
    {S(COLLATERAL), E(COLLATERAL_TCB_SIGNER), Q(ERROR_UNEXPECTED)},
    {S(COLLATERAL), E(X509_UNTRUSTED_ROOT), Q(TCBINFO_CHAIN_ERROR)},
    /* STATUS_SGX_TCB_SIGNING_CERT_REVOKED, _INTERMEDIATE_CA_REVOKED */
    {S(COLLATERAL), E(COLLATERAL_SIGNER_REVOKED), Q(PCK_REVOKED)},
    {S(COLLATERAL), E(X509_REVOKED), Q(PCK_REVOKED)},
    /* qve_get_collateral_dates: CRL does not parse */
    {S(COLLATERAL), E(CRL_PARSE), Q(CRL_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(CRL_FORMAT), Q(CRL_UNSUPPORTED_FORMAT)},
    /* PckCrlVerifier::verify: STATUS_SGX_CRL_INVALID_EXTENSIONS,
     * STATUS_SGX_CRL_UNKNOWN_ISSUER (not in the QvE's switch) */
    {S(COLLATERAL), E(CRL_EXTENSIONS), Q(ERROR_UNEXPECTED)},
    {S(COLLATERAL), E(CRL_ISSUER), Q(ERROR_UNEXPECTED)},
    {S(PCK_CHAIN), E(CRL_ISSUER), Q(ERROR_UNEXPECTED)},
    /* STATUS_SGX_CRL_INVALID_SIGNATURE */
    {S(COLLATERAL), E(CRL_SIGNATURE), Q(RESULT_INVALID_SIGNATURE)},
    /* STATUS_SGX_TCB_INFO_INVALID / _UNSUPPORTED_FORMAT */
    {S(COLLATERAL), E(TCBINFO_FORMAT), Q(TCBINFO_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(TCBINFO_DATE), Q(TCBINFO_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(TCBINFO_HEX), Q(TCBINFO_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(TCBINFO_STATUS), Q(TCBINFO_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(TCBINFO_VERSION), Q(TCBINFO_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(TCBINFO_ID), Q(TCBINFO_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(TCBINFO_FIELD), Q(TCBINFO_UNSUPPORTED_FORMAT)},
    /* STATUS_TCB_INFO_INVALID_SIGNATURE */
    {S(COLLATERAL), E(TCBINFO_SIGNATURE), Q(TCBINFO_CHAIN_ERROR)},
    /* qve_get_collateral_dates: QE identity does not parse */
    {S(COLLATERAL), E(QEID_FORMAT), Q(QEIDENTITY_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(QEID_DATE), Q(QEIDENTITY_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(QEID_HEX), Q(QEIDENTITY_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(QEID_STATUS), Q(QEIDENTITY_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(QEID_VERSION), Q(QEIDENTITY_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(QEID_ID), Q(QEIDENTITY_UNSUPPORTED_FORMAT)},
    {S(COLLATERAL), E(QEID_FIELD), Q(QEIDENTITY_UNSUPPORTED_FORMAT)},
    /* STATUS_SGX_ENCLAVE_IDENTITY_INVALID_SIGNATURE */
    {S(COLLATERAL), E(QEID_SIGNATURE), Q(QEIDENTITY_CHAIN_ERROR)},
    /* anything else: the QvE's default */
    {S(COLLATERAL), E(INTERNAL), Q(ERROR_UNEXPECTED)},
};

static void test_mapping(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    sgxra_ql_result got = sgxra__ql_result_for(rows[i].stage, rows[i].err);
    if (got != rows[i].want)
      fail_msg("row %zu: %s at '%s' gives %s, Intel's QvE gives %s", i,
               sgxra_err_name(rows[i].err),
               sgxra_verify_stage_name(rows[i].stage),
               sgxra_ql_result_name(got), sgxra_ql_result_name(rows[i].want));
  }
}

/* A failure recorded in a verdict carries the table's value and Intel's
 * UNSPECIFIED verdict. */
static void test_fail_records(void **state) {
  (void)state;
  sgxra_verdict v;
  sgxra__verdict_init(&v);
  assert_int_equal(v.ql_return, SGXRA_QL_ERROR_UNEXPECTED);
  sgxra__verdict_fail(&v, SGXRA_STAGE_PCK_CHAIN, SGXRA_E_VERIFY_PCK_REVOKED,
                      "serial %d", 7);
  assert_int_equal(v.ql_return, SGXRA_QL_PCK_REVOKED);
  assert_int_equal(v.err, SGXRA_E_VERIFY_PCK_REVOKED);
  assert_int_equal(v.stage, SGXRA_STAGE_PCK_CHAIN);
  assert_string_equal(v.reason, "PCK chain: serial 7");
  assert_string_equal(v.qv_result, "SGX_QL_QV_RESULT_UNSPECIFIED");
  assert_int_equal(v.qv_result_code, 0xA006);
}

#define T(x) SGXRA_TCB_##x

/* QVL convergeTcbStatusWithQeTcbStatus: QE OutOfDate turns UpToDate and
 * SWHardeningNeeded into OutOfDate, ConfigurationNeeded and
 * ConfigurationAndSWHardeningNeeded into OutOfDateConfigurationNeeded, and
 * leaves the rest; QE Revoked gives Revoked; QE UpToDate leaves the
 * level's status. */
static void test_converge(void **state) {
  (void)state;
  static const struct {
    sgxra_tcb_status level, qe, want;
  } m[] = {
      {T(UP_TO_DATE), T(OUT_OF_DATE), T(OUT_OF_DATE)},
      {T(SW_HARDENING_NEEDED), T(OUT_OF_DATE), T(OUT_OF_DATE)},
      {T(CONFIGURATION_NEEDED), T(OUT_OF_DATE),
       T(OUT_OF_DATE_CONFIGURATION_NEEDED)},
      {T(CONFIGURATION_AND_SW_HARDENING_NEEDED), T(OUT_OF_DATE),
       T(OUT_OF_DATE_CONFIGURATION_NEEDED)},
      {T(OUT_OF_DATE), T(OUT_OF_DATE), T(OUT_OF_DATE)},
      {T(OUT_OF_DATE_CONFIGURATION_NEEDED), T(OUT_OF_DATE),
       T(OUT_OF_DATE_CONFIGURATION_NEEDED)},
      {T(REVOKED), T(OUT_OF_DATE), T(REVOKED)},
      {T(UP_TO_DATE), T(REVOKED), T(REVOKED)},
      {T(SW_HARDENING_NEEDED), T(REVOKED), T(REVOKED)},
      {T(CONFIGURATION_NEEDED), T(REVOKED), T(REVOKED)},
      {T(CONFIGURATION_AND_SW_HARDENING_NEEDED), T(REVOKED), T(REVOKED)},
      {T(OUT_OF_DATE), T(REVOKED), T(REVOKED)},
      {T(OUT_OF_DATE_CONFIGURATION_NEEDED), T(REVOKED), T(REVOKED)},
      {T(UP_TO_DATE), T(UP_TO_DATE), T(UP_TO_DATE)},
      {T(SW_HARDENING_NEEDED), T(UP_TO_DATE), T(SW_HARDENING_NEEDED)},
      {T(CONFIGURATION_NEEDED), T(UP_TO_DATE), T(CONFIGURATION_NEEDED)},
      {T(CONFIGURATION_AND_SW_HARDENING_NEEDED), T(UP_TO_DATE),
       T(CONFIGURATION_AND_SW_HARDENING_NEEDED)},
      {T(OUT_OF_DATE), T(UP_TO_DATE), T(OUT_OF_DATE)},
      {T(OUT_OF_DATE_CONFIGURATION_NEEDED), T(UP_TO_DATE),
       T(OUT_OF_DATE_CONFIGURATION_NEEDED)},
      {T(REVOKED), T(UP_TO_DATE), T(REVOKED)},
  };
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
    sgxra_tcb_status got = sgxra__tcb_status_converge(m[i].level, m[i].qe);
    if (got != m[i].want)
      fail_msg("level %s with QE %s gives %s, Intel's QVL gives %s",
               sgxra_tcb_status_name(m[i].level),
               sgxra_tcb_status_name(m[i].qe), sgxra_tcb_status_name(got),
               sgxra_tcb_status_name(m[i].want));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names_and_numbers),
      cmocka_unit_test(test_mapping),
      cmocka_unit_test(test_fail_records),
      cmocka_unit_test(test_converge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
