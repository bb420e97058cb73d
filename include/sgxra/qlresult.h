/*
 * sgxra/qlresult.h -- Intel's quote3_error_t: the return of quote
 * verification, with Intel's names and numbers.
 *
 * Source: Intel SGXDataCenterAttestationPrimitives,
 * QuoteGeneration/quote_wrapper/common/inc/sgx_ql_lib_common.h
 * (SGX_QL_MK_ERROR(x) = 0xE000 | x).  Listed are the values sgxra's
 * verifier gives, each under Intel's name without the "SGX_" prefix
 * (SGXRA_QL_PCK_REVOKED is Intel's SGX_QL_PCK_REVOKED, 0xE031); the enum's
 * value is Intel's number.  Which outcome gives which value is the QvE's
 * status_error_to_quote3_error() (sgxra/verify.h; docs/VERIFY.md).
 *
 * Note that SGXRA_QL_SUCCESS is 0, as in Intel's header: a verdict is only
 * meaningful when sgxra_verifier_verify() / sgxra_verify_quote() returned
 * SGXRA_OK.
 *
 * Thread-safety: pure functions over static text.
 */
#ifndef SGXRA_QLRESULT_H
#define SGXRA_QLRESULT_H

#include "sgxra/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name without "SGX_QL_", Intel's number) */
#define SGXRA_QL_RESULTS(X)                                                    \
  X(SUCCESS, 0x0000)                                                           \
  X(ERROR_UNEXPECTED, 0xE001)                                                  \
  X(ERROR_INVALID_PARAMETER, 0xE002)                                           \
  X(ERROR_OUT_OF_MEMORY, 0xE003)                                               \
  X(QUOTE_CERTIFICATION_DATA_UNSUPPORTED, 0xE01C)                              \
  X(QUOTE_FORMAT_UNSUPPORTED, 0xE01D)                                          \
  X(QE_REPORT_INVALID_SIGNATURE, 0xE01F)                                       \
  X(PCK_CERT_UNSUPPORTED_FORMAT, 0xE021)                                       \
  X(PCK_CERT_CHAIN_ERROR, 0xE022)                                              \
  X(TCBINFO_UNSUPPORTED_FORMAT, 0xE023)                                        \
  X(TCBINFO_MISMATCH, 0xE024)                                                  \
  X(QEIDENTITY_UNSUPPORTED_FORMAT, 0xE025)                                     \
  X(QEIDENTITY_MISMATCH, 0xE026)                                               \
  X(PCK_REVOKED, 0xE031)                                                       \
  X(TCB_REVOKED, 0xE032)                                                       \
  X(CRL_UNSUPPORTED_FORMAT, 0xE038)                                            \
  X(QEIDENTITY_CHAIN_ERROR, 0xE039)                                            \
  X(TCBINFO_CHAIN_ERROR, 0xE03A)                                               \
  X(TCB_NOT_SUPPORTED, 0xE066)                                                 \
  X(RESULT_INVALID_SIGNATURE, 0xE068)

typedef enum sgxra_ql_result {
#define SGXRA__QL_ENUM(name, num) SGXRA_QL_##name = num,
  SGXRA_QL_RESULTS(SGXRA__QL_ENUM)
#undef SGXRA__QL_ENUM
} sgxra_ql_result;

/* Intel's name ("SGX_QL_PCK_REVOKED"); "" for a value not listed. */
SGXRA_API const char *sgxra_ql_result_name(sgxra_ql_result r);

#ifdef __cplusplus
}
#endif
#endif
