/*
 * sgxra/supplemental.h -- Intel's supplemental data of a quote
 * verification (sgx_ql_qv_supplemental_t, version 3.3), computed from the
 * quote, its collateral and the verdict.
 *
 * The semantics follow Intel's QvE (QuoteVerification/QvE/Enclave/qve.cpp:
 * qve_get_collateral_dates and qve_set_quote_supplemental_data; the
 * structure in QuoteVerification/QvE/Include/sgx_qve_header.h):
 *
 *   earliest_issue_date       min over: root CA CRL and PCK CRL thisUpdate,
 *                             notBefore of every certificate of the PCK CRL
 *                             issuer chain, of the quote's PCK chain, of the
 *                             TCB Info and QE Identity issuer chains, and
 *                             TCB Info / QE Identity issueDate
 *   latest_issue_date         max over the same
 *   earliest_expiration_date  min over the matching expiry dates (nextUpdate,
 *                             notAfter); sgxra adds which item that is
 *                             (earliest_expiration_item, first in the
 *                             order above on a tie)
 *   tcb_level_date_tag        tcbDate of the matched TCB Info level
 *   qe_iden_tcb_level_date_tag tcbDate of the matched QE Identity level
 *   pck_crl_num, root_ca_crl_num  the CRLs' CRL Number extension
 *   tcb_eval_ref_num          the lower tcbEvaluationDataNumber of TCB Info
 *                             and QE Identity
 *   root_key_id               SHA-384 of the root CA public key of the
 *                             quote's PCK chain, as the certificate carries
 *                             it (uncompressed point: 0x04 || X || Y)
 *   tcb_cpusvn, tcb_pce_isvsvn, pce_id, sgx_type  the PCK certificate's
 *   platform_instance_id, dynamic_platform, cached_keys, smt_enabled
 *                             only for SGX type Scalable or
 *                             ScalableWithIntegrity, as Intel fills them:
 *                             dynamic_platform and cached_keys are TRUE or
 *                             UNDEFINED (never FALSE), smt_enabled TRUE or
 *                             FALSE; UNDEFINED otherwise
 *   sa_list                   the matched TCB level's advisory IDs, comma
 *                             separated (the verdict's list)
 * Intel's pck_ppid is deliberately not part of this structure: the PPID
 * identifies a platform and has no use in an appraisal.  Intel's pce_id is
 * a uint16 holding only the first byte of the PCE-ID; sgxra keeps both
 * bytes as the certificate has them.  tee_type is the quote header's;
 * qe_iden_status and tcb_status are the verdict's QE Identity level status
 * and final TCB status (sgxra/tcbstatus.h).
 *
 * Thread-safety: pure function on caller-owned memory; the collateral is
 * only read.
 */
#ifndef SGXRA_SUPPLEMENTAL_H
#define SGXRA_SUPPLEMENTAL_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/collateral.h"
#include "sgxra/ctx.h"
#include "sgxra/quote.h"
#include "sgxra/tcbstatus.h"
#include "sgxra/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of Intel's structure these semantics follow (3.3). */
#define SGXRA_SUPPLEMENTAL_MAJOR_VERSION 3
#define SGXRA_SUPPLEMENTAL_MINOR_VERSION 3
/* SHA-384 (Intel's ROOT_KEY_ID_SIZE). */
#define SGXRA_SUPPLEMENTAL_ROOT_KEY_ID_SIZE 48
/* Intel's MAX_SA_LIST_SIZE, NUL included. */
#define SGXRA_SUPPLEMENTAL_SA_LIST_SIZE 320
#define SGXRA_SUPPLEMENTAL_ITEM_SIZE 128

/* Intel's pck_cert_flag_enum_t. */
typedef enum sgxra_pck_flag {
  SGXRA_PCK_FLAG_FALSE = 0,
  SGXRA_PCK_FLAG_TRUE = 1,
  SGXRA_PCK_FLAG_UNDEFINED = 2
} sgxra_pck_flag;

typedef struct sgxra_supplemental {
  uint16_t major_version;      /* 3 */
  uint16_t minor_version;      /* 3 */
  int64_t earliest_issue_date; /* unix seconds, UTC */
  int64_t latest_issue_date;
  int64_t earliest_expiration_date;
  /* "TCB Info nextUpdate", "PCK CRL issuer chain: Intel SGX PCK Platform
   * CA notAfter", ... */
  char earliest_expiration_item[SGXRA_SUPPLEMENTAL_ITEM_SIZE];
  int64_t tcb_level_date_tag;
  int64_t qe_iden_tcb_level_date_tag;
  uint32_t pck_crl_num;
  uint32_t root_ca_crl_num;
  uint32_t tcb_eval_ref_num;
  uint32_t qe_iden_tcb_eval_ref_num;
  uint8_t root_key_id[SGXRA_SUPPLEMENTAL_ROOT_KEY_ID_SIZE];
  uint8_t tcb_cpusvn[SGXRA_CPUSVN_SIZE];
  uint16_t tcb_pce_isvsvn;
  uint8_t pce_id[SGXRA_PCKEXT_PCEID_SIZE];
  uint32_t tee_type; /* 0x00 SGX */
  uint8_t sgx_type;  /* 0 Standard, 1 Scalable, 2 ScalableWithIntegrity */
  int has_platform_instance_id;
  uint8_t platform_instance_id[SGXRA_PCKEXT_PLATFORM_INSTANCE_ID_SIZE];
  sgxra_pck_flag dynamic_platform;
  sgxra_pck_flag cached_keys;
  sgxra_pck_flag smt_enabled;
  sgxra_tcb_status qe_iden_status;
  sgxra_tcb_status tcb_status;
  char sa_list[SGXRA_SUPPLEMENTAL_SA_LIST_SIZE]; /* "INTEL-SA-00289,..." */
} sgxra_supplemental;

/* Fill *out for `quote` verified against `coll` with verdict `vd` (from
 * sgxra_verify_quote or sgxra_verifier_verify on the same quote and
 * collateral).  The verdict must have reached the TCB level (vd->has_pck
 * and vd->has_tcb_level: Intel returns supplemental data only then).
 * Errors: SGXRA_E_INVALID_ARGUMENT (NULL, or a verdict without a TCB
 * level), the quote parser's codes, SGXRA_E_X509_* for its PCK chain,
 * SGXRA_E_CRL_EXTENSIONS (a CRL Number missing or over 32 bits),
 * SGXRA_E_NO_MEMORY.  *out zeroed on error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_supplemental_fill(sgxra_ctx *cx, const uint8_t *quote, size_t quote_len,
                        const sgxra_collateral *coll, const sgxra_verdict *vd,
                        sgxra_supplemental *out);

/* "Standard", "Scalable", "ScalableWithIntegrity" (Intel's names of the
 * PCK certificate's SGX type); "unknown" otherwise. */
SGXRA_API const char *sgxra_sgx_type_name(uint8_t sgx_type);

#ifdef __cplusplus
}
#endif
#endif
