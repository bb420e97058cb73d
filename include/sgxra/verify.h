/*
 * sgxra/verify.h -- SGX ECDSA quote verification with Intel's semantics,
 * and the verdict it gives.
 *
 * The checks and their order follow Intel's QvE sgx_qve_verify_quote() and
 * QVL QuoteVerifier::verify() (SGXDataCenterAttestationPrimitives,
 * QuoteVerification/), section numbers of Intel's "ECDSA Quote Verification"
 * flow in brackets:
 *
 *   0. parameters: a time <= 0, or a quote under 1020 bytes (before it is
 *      parsed), is SGX_QL_ERROR_INVALID_PARAMETER
 *   1. quote parsed; certification data type 5 (PEM PCK chain of 3, in
 *      any order: leaf, CA and root are found by content); a v3 quote's
 *      certification data is read by its own size, the rest of its
 *      authentication data and bytes after the signature data are ignored
 *   2. the chain's root has the trust root's public key
 *   3. collateral valid (sgxra/collateral.h: TCB Info / QE Identity issuer
 *      chains read as sets, the PCK CRL issuer chain only for its dates,
 *      CRLs, TCB Info / QE Identity signatures); collateral that did not
 *      parse (sgxra_collateral_load_deferred) gives its Intel code here;
 *      expiry only sets collateral_expired: set when the time is at or
 *      after the earliest notAfter / nextUpdate (the quote's chain
 *      included), or before the root CA CRL's or the PCK CRL's thisUpdate
 *   4. PCK chain: leaf issued and signed by the PCK CA that issued the PCK
 *      CRL (the other PCK CA's CRL: SGX_QL_ERROR_UNEXPECTED), the CA by the
 *      root; neither revoked                                 [4.1.2.4.7]
 *   5. PCK SGX extension parsed; FMSPC and PCE-ID equal TCB Info's [4.1.2.4.10]
 *   6. QE report signature by the PCK key                  [4.1.2.4.12]
 *   7. QE report data starts with SHA-256(attestation key || QE auth
 *      data); the 32 bytes after it (zero from Intel's QE) are not
 *      compared, as in Intel's QVL                          [4.1.2.4.13]
 *   8. QE report vs QE Identity: MISCSELECT and ATTRIBUTES under their
 *      masks, MRSIGNER, ISVPRODID; ISVSVN picks the QE TCB level (first in
 *      JSON order at or below it)                           [4.1.2.4.15]
 *   9. ISV quote signature over header || report body by the attestation
 *      key                                                  [4.1.2.4.16]
 *  10. TCB level: the first level, in the order Intel's QVL keeps them
 *      (16 SGX component SVNs lexicographically, then PCESVN, highest
 *      first; a repeated key counts once -- the JSON order of PCS
 *      collateral), whose SVNs and PCESVN are all <= the PCK certificate's
 *      [4.1.2.4.17]; none -> TCB not supported; its status merged with the
 *      QE TCB status (QE OutOfDate turns UpToDate / SWHardeningNeeded into
 *      OutOfDate and ConfigurationNeeded / ConfigurationAndSWHardeningNeeded
 *      into OutOfDateConfigurationNeeded; QE Revoked -> Revoked; no QE level
 *      at or below the QE's ISVSVN -> TCB not supported).
 *
 * The outcome maps to Intel's quote3_error_t (`ql_return`, see
 * sgxra/qlresult.h) and sgx_ql_qv_result_t (`qv_result`) exactly as the
 * QvE does (one table, in src/quote/verdict.c): non-terminal
 * statuses (UpToDate, SWHardeningNeeded, ConfigurationNeeded,
 * ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded)
 * return SGX_QL_SUCCESS with their verdict; anything else returns its error
 * and the verdict SGX_QL_QV_RESULT_UNSPECIFIED.  Revoked TCB gives
 * SGX_QL_TCB_REVOKED, a revoked PCK SGX_QL_PCK_REVOKED.
 *
 * Advisory IDs are those of the matched TCB level, in JSON order (the QvE's
 * sa_list; the QE identity level's are not added). A level with more than
 * 20 IDs fails the verification (SGX_QL_ERROR_UNEXPECTED,
 * SGXRA_E_TCBINFO_FIELD); otherwise the list stops, as the QvE's does, at
 * the first ID over 20 characters or the first that would take the list
 * ("ID," each) past 320 bytes, and the verification still succeeds
 * (sgxra_verify_strict below reports such a cut list).
 *
 * These and Intel's other surprising answers, each with its Intel source
 * and the sgxra step, are listed in docs/VERIFY.md ("Surprising rules of
 * Intel's verifier that sgxra follows").
 *
 * Cost: a verifier is made once from validated collateral; each quote then
 * costs the QE report and ISV signature checks plus, for a PCK certificate
 * not seen before, one signature check of the leaf (its CA and the root were
 * checked with the collateral).  Seen PCK chains are cached by SHA-256 of
 * their bytes (up to SGXRA_VERIFIER_CACHE_MAX entries).
 *
 * Thread-safety: a verifier may be used by one thread at a time (its PCK
 * chain cache is not locked); make one per thread from the same
 * collateral, which is immutable and may be shared.  Sharing one is
 * DETECTED, not made safe: every call that reads or changes the cache
 * takes an atomic in-use flag (compare-exchange on entry, released on
 * exit), and a call that finds it taken by another thread does nothing
 * and fails: sgxra_verifier_verify returns SGXRA_E_VERIFIER_BUSY with a
 * verdict that is never success (ql_return SGX_QL_ERROR_UNEXPECTED,
 * out->err SGXRA_E_VERIFIER_BUSY, stage NONE), sgxra_verifier_cache_size
 * returns SIZE_MAX, and sgxra_verifier_free leaves the verifier allocated
 * (a leak, not a use-after-free) -- the verifier stays intact and the
 * thread that held it gets its correct verdict.  (A lock was not chosen:
 * verification reads a cache entry's keys for its whole length, so a lock
 * would have to be held that long and would serialise the threads anyway.)
 * Collateral validated again (sgxra_collateral_validate) and failing
 * while a verifier over it exists is refused too: sgxra_verifier_verify
 * returns SGXRA_E_COLLATERAL_NOT_VALIDATED (verdict not success) until the
 * collateral validates again.  Not detectable: using a verifier after
 * sgxra_verifier_free returned, freeing its collateral first, or
 * validating the collateral while another thread verifies with it (which
 * sgxra/collateral.h forbids).
 */
#ifndef SGXRA_VERIFY_H
#define SGXRA_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/collateral.h"
#include "sgxra/ctx.h"
#include "sgxra/qlresult.h"
#include "sgxra/quote.h"
#include "sgxra/sgx.h"
#include "sgxra/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_VERDICT_ADVISORY_MAX 64
#define SGXRA_VERDICT_ADVISORY_SIZE 32
#define SGXRA_VERDICT_REASON_SIZE 768
#define SGXRA_VERIFIER_CACHE_MAX 256

/* Fields of a REPORT body (SDM table 38-21) the QE Identity check reads
 * from the QE report's raw bytes, as Intel's QVL does (sgxra/sgx.h draws
 * the whole layout). */
#define SGXRA_REPORT_BODY_MISCSELECT_OFFSET 16
#define SGXRA_REPORT_BODY_MISCSELECT_SIZE 4
#define SGXRA_REPORT_BODY_ATTRIBUTES_OFFSET 48
#define SGXRA_REPORT_BODY_ATTRIBUTES_SIZE 16

/* Where verification stopped (SGXRA_STAGE_DONE when it ran to the end). */
typedef enum sgxra_verify_stage {
  SGXRA_STAGE_NONE = 0,
  SGXRA_STAGE_QUOTE,          /* parsing the quote */
  SGXRA_STAGE_CERT_DATA,      /* certification data type */
  SGXRA_STAGE_TRUST_ROOT,     /* quote's root vs trust root */
  SGXRA_STAGE_COLLATERAL,     /* collateral validation */
  SGXRA_STAGE_PCK_CHAIN,      /* PCK chain and revocation */
  SGXRA_STAGE_PCK_EXTENSION,  /* SGX extension of the PCK certificate */
  SGXRA_STAGE_TCB_INFO_MATCH, /* FMSPC / PCE-ID */
  SGXRA_STAGE_QE_REPORT_SIG,  /* QE report signature */
  SGXRA_STAGE_QE_REPORT_DATA, /* attestation key binding */
  SGXRA_STAGE_QE_IDENTITY,    /* QE report vs QE Identity */
  SGXRA_STAGE_QUOTE_SIG,      /* ISV quote signature */
  SGXRA_STAGE_TCB_LEVEL,      /* TCB level selection and status */
  SGXRA_STAGE_DONE
} sgxra_verify_stage;

/* "quote", "PCK chain", ... */
SGXRA_API const char *sgxra_verify_stage_name(sgxra_verify_stage s);

/* Everything a verification found.  Plain data: no pointers, nothing to
 * free; copy it freely. */
typedef struct sgxra_verdict {
  /* Intel's quote3_error_t (its number; sgxra_ql_result_name() gives
   * "SGX_QL_SUCCESS") and sgx_ql_qv_result_t. */
  sgxra_ql_result ql_return;
  const char *qv_result;   /* "SGX_QL_QV_RESULT_OUT_OF_DATE", static text */
  uint32_t qv_result_code; /* 0x0000, 0xA001 .. 0xA008 */
  int collateral_expired;  /* Intel's collateral_expiration_status */

  /* sgxra's view: SGXRA_OK when ql_return is SGX_QL_SUCCESS, else the code
   * of the failed check (SGXRA_E_VERIFY_*, a quote parse code, a collateral
   * code), the stage, and the reason chain ("QE report signature: ...").*/
  sgxra_err err;
  sgxra_verify_stage stage;
  char reason[SGXRA_VERDICT_REASON_SIZE];

  /* Platform TCB. */
  int has_tcb_level;             /* a TCB level was matched */
  sgxra_tcb_status tcb_status;   /* the matched level's own status */
  sgxra_tcb_status final_status; /* after merging the QE TCB status */
  int64_t tcb_date;
  uint8_t tcb_svn[SGXRA_TCB_SVN_COUNT];
  uint16_t tcb_pcesvn;
  int has_qe_level;
  sgxra_tcb_status qe_status;
  uint16_t qe_level_isvsvn;
  int64_t qe_tcb_date;
  size_t advisory_count;
  char advisory_ids[SGXRA_VERDICT_ADVISORY_MAX][SGXRA_VERDICT_ADVISORY_SIZE];

  /* The PCK certificate's SGX extension (when parsed). */
  int has_pck;
  sgxra_pck_ext pck;
  int pck_platform_ca; /* 1: "Intel SGX PCK Platform CA", 0: Processor */

  /* The quote (when parsed). */
  int has_quote;
  sgxra_quote_header header;
  sgxra_report_body report; /* the ISV enclave's report body */
  sgxra_report_body qe_report;
} sgxra_verdict;

typedef struct sgxra_verifier sgxra_verifier;

/* A verifier over collateral that sgxra_collateral_validate() accepted
 * (SGXRA_E_COLLATERAL_NOT_VALIDATED otherwise).  The collateral is
 * borrowed and must outlive the verifier. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_verifier_new(
    sgxra_ctx *cx, const sgxra_collateral *coll, sgxra_verifier **out_verifier);

SGXRA_API void sgxra_verifier_free(sgxra_verifier *v);

/* Verify one quote at time `now`.  The return value says whether a verdict
 * was produced: SGXRA_OK whenever *out holds Intel's outcome, success or
 * not (read out->ql_return / out->err); an error only for misuse (NULL
 * arguments: SGXRA_E_INVALID_ARGUMENT, and *out, when given, says
 * SGXRA_QL_ERROR_INVALID_PARAMETER), a verifier in use by another thread
 * (SGXRA_E_VERIFIER_BUSY, *out not success; see Thread-safety above),
 * collateral that failed a later validation
 * (SGXRA_E_COLLATERAL_NOT_VALIDATED, *out not success) or lack of memory.  A
 * malformed quote is an outcome too (SGX_QL_QUOTE_FORMAT_UNSUPPORTED, out->err
 * = SGXRA_E_QUOTE_TRUNCATED ...).
 */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_verifier_verify(sgxra_ctx *cx, sgxra_verifier *v, const uint8_t *quote,
                      size_t n, int64_t now, sgxra_verdict *out);

/* Number of PCK chains in the verifier's cache (SIZE_MAX while another
 * thread is inside a call on the verifier: see Thread-safety above). */
SGXRA_API size_t sgxra_verifier_cache_size(const sgxra_verifier *v);

/* One shot, in Intel's order: parse the quote, check its root against
 * `root` (NULL: Intel SGX Root CA), validate `coll` at `now` (a failure
 * becomes the outcome: SGX_QL_TCBINFO_CHAIN_ERROR, ...), then verify.
 * Returns as sgxra_verifier_verify.  `coll` is only read: it is validated
 * into a private copy of its validation state, so it may be loaded once
 * and shared by threads (validated or not; its own validation state is
 * neither used nor changed). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_verify_quote(
    sgxra_ctx *cx, const uint8_t *quote, size_t n, const sgxra_collateral *coll,
    const sgxra_x509_cert *root, int64_t now, sgxra_verdict *out);

/* ---- sgxra's stricter readings (`sgxra verify --strict`) ------------------
 *
 * The verdict above is Intel's answer, also where Intel's reading is
 * surprising (docs/VERIFY.md, "Intel accepts X; sgxra follows").  Where that
 * reading can hide something from a service provider, these checks say so
 * ON TOP of the verdict, which they never change; a caller that asks for
 * them refuses the quote when any fires.  Each check:
 *
 *   advisory_list_cut     the matched TCB level lists advisory IDs that
 *                         Intel's verdict does not carry: Intel's QvE stops
 *                         copying at an ID over 20 characters or when the
 *                         list ("ID," each) would pass 320 bytes, and still
 *                         succeeds, so the service provider would miss an
 *                         advisory;
 *   not_yet_valid         the verification time is before the notBefore of
 *                         a certificate (the three issuer chains, the
 *                         quote's PCK chain), the thisUpdate of a CRL or the
 *                         issueDate of TCB Info / QE Identity: Intel answers
 *                         success (with collateral_expired only for a CRL);
 *                         strictly, collateral from the future is not valid;
 *   date_trailing_text    a date of TCB Info / QE Identity (issueDate,
 *                         nextUpdate, tcbDate) is not exactly
 *                         "YYYY-MM-DDThh:mm:ssZ": Intel reads its first 20
 *                         characters and ignores the rest (needs the raw
 *                         JSON);
 *   duplicate_member      a member name repeats in one object of TCB Info /
 *                         QE Identity: Intel reads the first, another JSON
 *                         reader may read the last (needs the raw JSON);
 *   quote_unread_bytes    bytes of the quote no step reads: a v3 quote's
 *                         authentication data after the certification data
 *                         (Intel reads the certification data by its own
 *                         size), or bytes after the declared signature data.
 *                         They are covered by no signature.
 */
typedef enum sgxra_strict_check {
  SGXRA_STRICT_ADVISORY_LIST_CUT = 1,
  SGXRA_STRICT_NOT_YET_VALID,
  SGXRA_STRICT_DATE_TRAILING_TEXT,
  SGXRA_STRICT_DUPLICATE_MEMBER,
  SGXRA_STRICT_QUOTE_UNREAD_BYTES,
  SGXRA_STRICT__END
} sgxra_strict_check;

#define SGXRA_STRICT_FINDINGS_MAX 16
#define SGXRA_STRICT_MESSAGE_SIZE 256

typedef struct sgxra_strict_finding {
  sgxra_strict_check check;
  char message[SGXRA_STRICT_MESSAGE_SIZE]; /* what was found, and where */
} sgxra_strict_finding;

/* Plain data, no pointers: findings in check order (at most
 * SGXRA_STRICT_FINDINGS_MAX; `dropped` counts those that did not fit). */
typedef struct sgxra_strict_report {
  size_t count;
  size_t dropped;
  sgxra_strict_finding findings[SGXRA_STRICT_FINDINGS_MAX];
} sgxra_strict_report;

/* "advisory_list_cut", ...; NULL for a value outside the enum. */
SGXRA_API const char *sgxra_strict_check_name(sgxra_strict_check c);

/* Run the strict checks on a verification's inputs and its verdict `vd`
 * (from sgxra_verify_quote with the same quote, collateral and time).
 * `raw` (may be NULL) is the collateral's bytes, for the checks that need
 * the JSON text; `coll` may be unvalidated (only its parsed pieces are
 * read).  A check skips what verification did not reach (no TCB level:
 * no advisory check; collateral that did not parse: no collateral check).
 * Returns SGXRA_OK with *out filled (count 0: nothing found), or
 * SGXRA_E_INVALID_ARGUMENT for NULL vd / out.  Reads its inputs only; safe
 * from any thread on shared collateral. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_verify_strict(
    sgxra_ctx *cx, const uint8_t *quote, size_t n, const sgxra_collateral *coll,
    const sgxra_collateral_buffers *raw, int64_t now, const sgxra_verdict *vd,
    sgxra_strict_report *out);

#ifdef __cplusplus
}
#endif
#endif
