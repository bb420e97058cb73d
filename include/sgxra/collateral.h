/*
 * sgxra/collateral.h -- Intel's verification collateral for SGX ECDSA
 * quotes: TCB Info, QE Identity, their signing chain, the CRLs, and a
 * collateral set validated once and then shared by many quote
 * verifications.
 *
 * Formats follow Intel's PCS API (v3/v4) response bodies, verbatim:
 *
 *   {"tcbInfo":{...},"signature":"<128 hex digits: r||s>"}
 *   {"enclaveIdentity":{...},"signature":"<128 hex digits: r||s>"}
 *
 * TCB Info version 2 (sgxtcbcompNNsvn members) and version 3 (id "SGX",
 * sgxtcbcomponents array) are accepted; id "TDX" is refused with
 * SGXRA_E_TCBINFO_ID.  QE Identity version 2, id "QE" (also "QVE", "TD_QE"
 * parse).  The JSON is read as Intel's QVL reads it with rapidjson: of
 * duplicate member names the FIRST wins (another JSON reader may take the
 * last; `sgxra verify --strict` reports them).  Otherwise validation is
 * strict: hex of exact length, tcbStatus one of Intel's strings, every
 * required member present with its JSON type, integers within range;
 * unknown members are ignored, as Intel's parser does.  Dates: the first
 * 20 characters are read as "YYYY-MM-DDThh:mm:ssZ" and any text after them
 * is ignored, as QVL's qvlStringToTime does (--strict reports it).
 *
 * The signature is ECDSA P-256/SHA-256 by the TCB Signing certificate over
 * the "tcbInfo" / "enclaveIdentity" value re-written the way Intel's QVL
 * hashes it (rapidjson's Writer): no whitespace, member order and
 * duplicates kept, numbers as written, strings decoded and re-escaped
 * (only '"', '\\' and control characters), so a "\u002f" escape verifies
 * as the "/" it stands for.  A compact PCS body verifies over its exact
 * bytes, and pretty-printed copies still verify.
 *
 * Collateral expiry follows Intel's QvE: the collateral is "expired" at
 * `now` when the earliest expiration date across the collateral (notAfter
 * of every certificate of the PCK CRL issuer chain, TCB Info issuer chain
 * and QE Identity issuer chain; nextUpdate of the root CA CRL and PCK CRL;
 * nextUpdate of TCB Info and QE Identity) is <= now.  The quote verifier
 * (sgxra/verify.h) adds the quote's PCK chain and, as Intel's CRL validity
 * is two-sided, a `now` before the root CA CRL's or the PCK CRL's
 * thisUpdate; a certificate's notBefore and a JSON issueDate are never
 * compared with `now` (Intel's verifiers do not).  Expiry is not a
 * failure: the verdict is still given with the flag set.
 *
 * Conventions: bytes travel as (pointer, length); NULL only with length 0.
 * Times are unix seconds (UTC).  On error outputs are zeroed / NULL.
 *
 * Thread-safety: parsed TCB Info / QE Identity and a validated
 * sgxra_collateral are immutable and may be shared by threads; each call
 * needs its own sgxra_ctx.  sgxra_collateral_validate() must not run
 * concurrently with readers of the same object.
 */
#ifndef SGXRA_COLLATERAL_H
#define SGXRA_COLLATERAL_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/ctx.h"
#include "sgxra/tcbstatus.h"
#include "sgxra/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_TCB_SVN_COUNT 16
#define SGXRA_FMSPC_SIZE 6
#define SGXRA_PCEID_SIZE 2
#define SGXRA_COLLATERAL_SIG_SIZE 64
/* Cap on any collateral file read from disk. */
#define SGXRA_COLLATERAL_FILE_MAX (4u << 20)

/* ---- TCB Info -------------------------------------------------------------
 */

/* One TCB level of TCB Info. */
typedef struct sgxra_tcb_level {
  uint8_t sgx_svn[SGXRA_TCB_SVN_COUNT]; /* components 01..16, each 0..255 */
  uint16_t pcesvn;
  int64_t tcb_date; /* unix seconds */
  sgxra_tcb_status status;
  /* Advisory IDs in JSON order ("INTEL-SA-00615"); none in version 2.
   * Owned by the sgxra_tcbinfo. */
  char **advisory_ids;
  size_t advisory_count;
} sgxra_tcb_level;

typedef struct sgxra_tcbinfo {
  unsigned version; /* 2 or 3 */
  char id[8];       /* "SGX" (version 3); "" when absent (version 2) */
  int64_t issue_date;
  int64_t next_update;
  uint8_t fmspc[SGXRA_FMSPC_SIZE];
  uint8_t pce_id[SGXRA_PCEID_SIZE]; /* as the hex text reads: "0000" */
  uint32_t tcb_type;
  uint32_t tcb_evaluation_data_number;
  /* Levels in JSON order (Intel publishes them newest first). */
  sgxra_tcb_level *levels;
  size_t level_count;
  uint8_t signature[SGXRA_COLLATERAL_SIG_SIZE]; /* r||s */
  /* The bytes the signature covers (compact "tcbInfo" object). */
  uint8_t *signed_body;
  size_t signed_len;
} sgxra_tcbinfo;

/* Parse a PCS TCB Info body.  Errors: SGXRA_E_TCBINFO_FORMAT (not JSON, or
 * not {"tcbInfo":...,"signature":...}), SGXRA_E_TCBINFO_FIELD,
 * SGXRA_E_TCBINFO_DATE, SGXRA_E_TCBINFO_HEX, SGXRA_E_TCBINFO_STATUS,
 * SGXRA_E_TCBINFO_VERSION, SGXRA_E_TCBINFO_ID; each message names the
 * member ("tcbLevels[3].tcbStatus") and what was found. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_tcbinfo_parse(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_tcbinfo **out_info);

/* Check the signature with the TCB Signing certificate's key:
 * SGXRA_OK or SGXRA_E_TCBINFO_SIGNATURE. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_tcbinfo_verify(
    sgxra_ctx *cx, const sgxra_tcbinfo *info, const sgxra_p256_key *key);

SGXRA_API void sgxra_tcbinfo_free(sgxra_tcbinfo *info);

/* ---- QE Identity ------------------------------------------------------------
 */

typedef struct sgxra_qe_tcb_level {
  uint16_t isvsvn;
  int64_t tcb_date;
  sgxra_tcb_status status;
  char **advisory_ids; /* JSON order; owned by the sgxra_qeidentity */
  size_t advisory_count;
} sgxra_qe_tcb_level;

typedef struct sgxra_qeidentity {
  unsigned version; /* 2 */
  char id[8];       /* "QE", "QVE" or "TD_QE" */
  int64_t issue_date;
  int64_t next_update;
  uint32_t tcb_evaluation_data_number;
  /* miscselect / mask: the number the 8 hex digits spell (big-endian
   * text), to compare with the report's MISCSELECT read as a
   * little-endian uint32. */
  uint32_t miscselect;
  uint32_t miscselect_mask;
  /* attributes / mask: 16 bytes in the order of the text, which is the
   * byte order of the report's ATTRIBUTES field (flags first). */
  uint8_t attributes[16];
  uint8_t attributes_mask[16];
  uint8_t mrsigner[32];
  uint32_t isvprodid; /* any uint32 (as Intel); above 65535 no QE matches */
  sgxra_qe_tcb_level *levels; /* JSON order */
  size_t level_count;
  uint8_t signature[SGXRA_COLLATERAL_SIG_SIZE];
  uint8_t *signed_body; /* compact "enclaveIdentity" object */
  size_t signed_len;
} sgxra_qeidentity;

/* Parse a PCS QE Identity body.  Errors as for TCB Info with the QEID_
 * codes (SGXRA_E_QEID_FORMAT, _FIELD, _DATE, _HEX, _STATUS, _VERSION,
 * _ID). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_qeidentity_parse(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_qeidentity **out_id);

/* SGXRA_OK or SGXRA_E_QEID_SIGNATURE. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_qeidentity_verify(
    sgxra_ctx *cx, const sgxra_qeidentity *id, const sgxra_p256_key *key);

SGXRA_API void sgxra_qeidentity_free(sgxra_qeidentity *id);

/* ---- the collateral set
 * ------------------------------------------------------ */

typedef struct sgxra_collateral sgxra_collateral;

/* The collateral as bytes, one member per file of a bundle directory.
 * root_ca may be NULL/0 (optional). */
typedef struct sgxra_collateral_buffers {
  const uint8_t *pck_crl_issuer_chain; /* PEM: PCK CA then root */
  size_t pck_crl_issuer_chain_len;
  const uint8_t *root_ca_crl; /* DER, PEM or hex */
  size_t root_ca_crl_len;
  const uint8_t *pck_crl; /* DER, PEM or hex */
  size_t pck_crl_len;
  const uint8_t *tcb_info; /* JSON */
  size_t tcb_info_len;
  const uint8_t *tcb_info_issuer_chain; /* PEM: TCB signing cert then root */
  size_t tcb_info_issuer_chain_len;
  const uint8_t *qe_identity; /* JSON */
  size_t qe_identity_len;
  const uint8_t *qe_identity_issuer_chain; /* PEM */
  size_t qe_identity_issuer_chain_len;
  const uint8_t *root_ca; /* optional PEM of the root the bundle names */
  size_t root_ca_len;
} sgxra_collateral_buffers;

/* Bundle directory file names. */
#define SGXRA_COLLATERAL_FILE_PCK_CRL_CHAIN "pck_crl_issuer_chain.pem"
#define SGXRA_COLLATERAL_FILE_ROOT_CRL "root_ca_crl.der"
#define SGXRA_COLLATERAL_FILE_PCK_CRL "pck_crl.der"
#define SGXRA_COLLATERAL_FILE_TCB_INFO "tcb_info.json"
#define SGXRA_COLLATERAL_FILE_TCB_CHAIN "tcb_info_issuer_chain.pem"
#define SGXRA_COLLATERAL_FILE_QE_IDENTITY "qe_identity.json"
#define SGXRA_COLLATERAL_FILE_QE_CHAIN "qe_identity_issuer_chain.pem"
#define SGXRA_COLLATERAL_FILE_ROOT_CA "root_ca.pem"

/* The items of sgxra_collateral_buffers in one fixed order (the order
 * of the members above): 0 pck_crl_issuer_chain, 1 root_ca_crl, 2 pck_crl,
 * 3 tcb_info, 4 tcb_info_issuer_chain, 5 qe_identity,
 * 6 qe_identity_issuer_chain, 7 root_ca (the only optional one). */
#define SGXRA_COLLATERAL_ITEMS 8

/* Item i's member name ("tcb_info") and bundle file name
 * (SGXRA_COLLATERAL_FILE_TCB_INFO); NULL for i >= SGXRA_COLLATERAL_ITEMS. */
SGXRA_API const char *sgxra_collateral_item_name(unsigned i);
SGXRA_API const char *sgxra_collateral_item_file(unsigned i);

/* Where item i of *b lives: its pointer member (returned) and its length
 * member (*out_len); NULL for i >= SGXRA_COLLATERAL_ITEMS. */
SGXRA_API const uint8_t **sgxra_collateral_item_at(sgxra_collateral_buffers *b,
                                                   unsigned i,
                                                   size_t **out_len);

/* Read a bundle directory's files into *out, owned by the caller
 * (sgxra_collateral_buffers_free); errors as sgxra_collateral_load_dir,
 * and *out is empty after one. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_collateral_read_dir(
    sgxra_ctx *cx, const char *dir, sgxra_collateral_buffers *out);

/* Free buffers filled by sgxra_collateral_read_dir and zero them. */
SGXRA_API void sgxra_collateral_buffers_free(sgxra_collateral_buffers *b);

/* Write *b as a bundle directory DIR (the files named above, 0644; root_ca
 * only when present): made complete in a temporary sibling, then renamed
 * into place, so DIR is either absent or whole.  DIR must not exist or be
 * an empty directory (SGXRA_E_IO otherwise); an empty required item is
 * SGXRA_E_INVALID_ARGUMENT. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_collateral_write_dir(
    sgxra_ctx *cx, const char *dir, const sgxra_collateral_buffers *b);

/* Parse every piece (no signature or chain check yet).  Errors: the
 * parsers' codes, with the message prefixed by the piece ("TCB Info: ...",
 * "PCK CRL: ..."); SGXRA_E_COLLATERAL_MISSING for an empty required
 * buffer. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_collateral_load(sgxra_ctx *cx, const sgxra_collateral_buffers *b,
                      sgxra_collateral **out_coll);

/* The same from a bundle directory holding the files named above
 * (root_ca.pem optional).  Each file is opened once and read:
 * SGXRA_E_COLLATERAL_MISSING names a required file that does not exist;
 * SGXRA_E_IO "cannot read FILE: permission denied" or with the system's
 * reason for any other failure; SGXRA_E_TOO_LARGE over
 * SGXRA_COLLATERAL_FILE_MAX. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_collateral_load_dir(
    sgxra_ctx *cx, const char *dir, sgxra_collateral **out_coll);

/* As sgxra_collateral_load / sgxra_collateral_load_dir, for verification
 * with Intel's answers: content that does not parse (a chain, a CRL, the
 * TCB Info or QE Identity, read as Intel's QvE reads them: a CRL is PEM
 * only when "-----BEGIN X509 CRL-----" is at byte 0, hex only when every
 * byte is a hex digit, otherwise DER whose trailing bytes are ignored; a
 * NUL byte inside a text file or an empty CRL is SGXRA_E_INVALID_ARGUMENT)
 * still loads.  The first such error, in the QvE's order, is kept:
 * sgxra_collateral_validate() returns it, so sgxra_verify_quote() makes it
 * the verdict with Intel's code (SGX_QL_TCBINFO_UNSUPPORTED_FORMAT,
 * SGX_QL_CRL_UNSUPPORTED_FORMAT, SGX_QL_PCK_CERT_CHAIN_ERROR,
 * SGX_QL_ERROR_INVALID_PARAMETER ...).  Such a collateral holds no pieces
 * (its accessors return NULL).  A file that is absent or unreadable, a bad
 * root_ca.pem and lack of memory still fail here. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_collateral_load_deferred(sgxra_ctx *cx, const sgxra_collateral_buffers *b,
                               sgxra_collateral **out_coll);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_collateral_load_dir_deferred(
    sgxra_ctx *cx, const char *dir, sgxra_collateral **out_coll);

/* The parse error kept by sgxra_collateral_load_deferred (SGXRA_OK when
 * the collateral parsed, or for NULL). */
SGXRA_API sgxra_err sgxra_collateral_load_error(const sgxra_collateral *coll);

SGXRA_API void sgxra_collateral_free(sgxra_collateral *coll);

/* Validate once, at time `now`, against `root` (NULL: Intel SGX Root CA):
 *  - a bundled root_ca.pem, if any, is the root (SGXRA_E_COLLATERAL_ROOT_
 *    MISMATCH);
 *  - the TCB Info and QE Identity issuer chains are each read as a SET, as
 *    Intel's QVL does (CertificateChain): exactly 2 certificates in any
 *    order (else SGXRA_E_X509_CHAIN_LENGTH), a self-issued root among them
 *    (else SGXRA_E_X509_CHAIN_LINK), the other not self-issued (else
 *    SGXRA_E_COLLATERAL_TCB_SIGNER); that signer issued by the root and
 *    the root the trust root (X509 codes);
 *  - the signer is an end entity ("Intel SGX TCB Signing" under Intel's
 *    root; SGXRA_E_COLLATERAL_TCB_SIGNER);
 *  - the PCK CRL issuer chain is NOT verified: Intel's QvE only reads its
 *    dates (qve_get_collateral_dates), so its order, repeats, extra or
 *    missing certificates do not matter.  sgxra takes from it, in any
 *    position, the CA (not self-issued) whose subject CN is the PCK CRL's
 *    issuer CN, if it verifies to the trust root, to check the PCK CRL
 *    once here; without one the PCK CRL is checked against each quote's
 *    own PCK CA (sgxra_collateral_check_pck_chain), as Intel always does;
 *  - root CA CRL is issued and signed by the root; PCK CRL by that PCK CA
 *    (SGXRA_E_CRL_ISSUER, SGXRA_E_CRL_SIGNATURE);
 *  - both CRLs carry CRL Number and Authority Key Identifier
 *    (SGXRA_E_CRL_EXTENSIONS);
 *  - the TCB signing certificates and the PCK CA are not revoked by the
 *    root CA CRL (SGXRA_E_COLLATERAL_SIGNER_REVOKED);
 *  - TCB Info and QE Identity signatures verify with the TCB signing key
 *    (SGXRA_E_TCBINFO_SIGNATURE, SGXRA_E_QEID_SIGNATURE).
 * Then the validity window and the expired flag are computed.  Expiry does
 * not fail.  On failure the object stays unvalidated. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_collateral_validate(sgxra_ctx *cx, sgxra_collateral *coll,
                          const sgxra_x509_cert *root, int64_t now);

/* 1 after a successful sgxra_collateral_validate(). */
SGXRA_API int sgxra_collateral_is_validated(const sgxra_collateral *coll);

/* Issue / expiry dates across all collateral (see the top of this file). */
typedef struct sgxra_collateral_window {
  int64_t earliest_issue;
  int64_t latest_issue;
  int64_t earliest_expiry;
  int64_t latest_expiry;
} sgxra_collateral_window;

/* The window (computed by load; all zero for NULL). */
SGXRA_API sgxra_collateral_window
sgxra_collateral_dates(const sgxra_collateral *coll);

/* The window widened by a quote's PCK chain (leaf, CA, root): Intel's QvE
 * counts those certificates' notBefore/notAfter too. */
SGXRA_API sgxra_collateral_window sgxra_collateral_dates_with_chain(
    const sgxra_collateral *coll, const sgxra_x509_chain *pck_chain);

/* Intel's collateral_expiration_status at the `now` given to validate:
 * 1 when earliest_expiry <= now (or the trust root's notAfter < now), or
 * when `now` is before the thisUpdate of the root CA CRL or the PCK CRL
 * (QVL checks a CRL's validity on both sides and QvE counts that status
 * as expiry).  A certificate's notBefore or a JSON issueDate after `now`
 * does not set it, as in Intel's QvE (`sgxra verify --strict` reports
 * them: sgxra_verify_strict). */
SGXRA_API int sgxra_collateral_expired(const sgxra_collateral *coll);

/* The same question, with the same rules, for another time (no
 * re-validation). */
SGXRA_API int sgxra_collateral_expired_at(const sgxra_collateral *coll,
                                          int64_t now);

/* Parsed pieces (borrowed, valid while coll lives; NULL for NULL). */
SGXRA_API const sgxra_tcbinfo *
sgxra_collateral_tcbinfo(const sgxra_collateral *coll);
SGXRA_API const sgxra_qeidentity *
sgxra_collateral_qeidentity(const sgxra_collateral *coll);
/* PCK CA certificate: the CA of pck_crl_issuer_chain that issued the PCK
 * CRL (named like its issuer), in any position; without one, the first
 * certificate that is not self-issued (else the first). */
SGXRA_API const sgxra_x509_cert *
sgxra_collateral_pck_ca(const sgxra_collateral *coll);
/* The trust root validate used. */
SGXRA_API const sgxra_x509_cert *
sgxra_collateral_root(const sgxra_collateral *coll);
SGXRA_API const sgxra_crl *
sgxra_collateral_pck_crl(const sgxra_collateral *coll);
SGXRA_API const sgxra_crl *
sgxra_collateral_root_crl(const sgxra_collateral *coll);
/* TCB signing certificate: the one of tcb_info_issuer_chain that is not
 * self-issued, in either position (before validation: the first such,
 * else the first certificate). */
SGXRA_API const sgxra_x509_cert *
sgxra_collateral_tcb_signer(const sgxra_collateral *coll);

/* Per-quote PCK chain check against validated collateral (Intel QVL's
 * PCK certificate verification; the quote verifier runs the same code),
 * in this order:
 *  - the chain is taken in any order, as Intel's QVL does: a chain of 3 is
 *    put as leaf, PCK CA (the CA that is not self-issued; none:
 *    SGXRA_E_X509_NOT_CA), root (the last self-issued certificate); the
 *    root may be omitted (other lengths: SGXRA_E_X509_CHAIN_LENGTH) and
 *    has the trust root's key (SGXRA_E_X509_UNTRUSTED_ROOT);
 *  - the chain's CA has the same subject CN as the PCK CRL's issuer
 *    (SGXRA_E_CRL_ISSUER: "PCK CRL issuer CN 'Intel SGX PCK Platform CA'
 *    does not match the chain's CA 'Intel SGX PCK Processor CA'");
 *  - the CA verifies to the trust root (X509 codes; nothing to do when CA
 *    and root are the validated ones) and is not in the root CA CRL, the
 *    leaf is issued and signed by the CA and not listed in the PCK CRL
 *    (SGXRA_E_X509_REVOKED).
 * *out_expired is 1 when the window including the chain
 * (sgxra_collateral_dates_with_chain) has earliest_expiry <= now: Intel's
 * per-quote expiration flag (a notBefore after `now` does not count).
 * SGXRA_E_COLLATERAL_NOT_VALIDATED when validate has not succeeded. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_collateral_check_pck_chain(
    sgxra_ctx *cx, const sgxra_collateral *coll,
    const sgxra_x509_chain *pck_chain, int64_t now, int *out_expired);
/* (The PCK CRL: against the collateral's PCK CA when validate found one,
 * else against the chain's own CA, whose name must be the CRL's issuer.)*/

/* The same check straight from the quote's PEM chain (certification data
 * type 5), doing only the work that is new: when the chain's CA (and root,
 * if present) are byte for byte the collateral's validated PCK CA and
 * root, only the PCK certificate is parsed and one signature verified;
 * any other chain is parsed and checked in full.  On success *out_leaf is
 * a chain of one: the PCK certificate (its key and SGX extension are what
 * the quote verifier needs next; free with sgxra_x509_chain_free()).
 * Errors as sgxra_collateral_check_pck_chain(), plus the parse codes. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_collateral_check_pck_pem(
    sgxra_ctx *cx, const sgxra_collateral *coll, const uint8_t *pem, size_t n,
    int64_t now, int *out_expired, sgxra_x509_chain **out_leaf);

#ifdef __cplusplus
}
#endif
#endif
