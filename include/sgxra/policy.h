/*
 * sgxra/policy.h -- the service provider's appraisal: Intel's verdict on a
 * quote (sgxra/verify.h) + the reference values the SP registered before
 * anything ran (a registry view: sgxra/store.h or expected values in
 * memory) + an appraisal policy -> a decision, trusted or not, with every
 * reason.  The model, the order of the checks and every reason code with an
 * example message: docs/APPRAISAL.md; the policy document: docs/POLICY.md.
 *
 * Fail closed: a decision is "trusted" only when every check passed; any
 * failing check makes it "not trusted" and adds its reason (all of them,
 * not the first).  When the appraisal cannot be made -- no registry, a
 * policy that does not parse, a database error, a missing input the policy
 * needs -- the call returns an error and the decision is zeroed, which
 * reads "not trusted" too (trusted == 0).
 *
 * Reason codes are stable strings ("MRENCLAVE_NOT_REGISTERED") from one
 * X-list, SGXRA_APPRAISAL_REASONS below; scripts may depend on them.
 *
 * Memory: sgxra_policy and sgxra_decision are plain caller-owned data (no
 * pointers, nothing to free; a decision is about 16 KiB).  The in-memory
 * registry is one allocation freed with sgxra_registry_memory_free; JSON
 * text comes back malloc'ed (free with free()).
 *
 * Time: the library never reads the clock; `now` (unix seconds) is given.
 *
 * Thread-safety: sgxra_policy is immutable once parsed and may be shared.
 * A registry view is as thread-safe as what it reads: a store handle is for
 * one thread at a time (sgxra/store.h); an in-memory registry may be read
 * by many threads once filled.  Each call needs its own sgxra_ctx.
 */
#ifndef SGXRA_POLICY_H
#define SGXRA_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/collateral.h"
#include "sgxra/crypto.h"
#include "sgxra/ctx.h"
#include "sgxra/sgx.h"
#include "sgxra/store.h"
#include "sgxra/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the policy document ---------------------------------------------------
 *
 * A small versioned JSON object (docs/POLICY.md), e.g.
 *
 *   {"sgxra_policy": 1,
 *    "accept_tcb_status": ["UpToDate", "SWHardeningNeeded"],
 *    "advisories": {"allow": ["INTEL-SA-00615"], "deny": []},
 *    "out_of_date_grace_days": null,
 *    "allow_debug": false,
 *    "allow_expired_collateral": false,
 *    "max_collateral_age_days": null,
 *    "require_report_data": false,
 *    "comment": "production, 2026-01"}
 *
 * Every key but "sgxra_policy" is optional; the defaults are the strict
 * choice (UpToDate only, no DEBUG enclave, no expired collateral). */

/* The format version this build reads ("sgxra_policy": 1). */
#define SGXRA_POLICY_FORMAT 1
/* The largest document parsed (as the store's cap). */
#define SGXRA_POLICY_DOC_MAX SGXRA_STORE_DOC_MAX
/* Entries in each advisory list, and the longest ID (Intel's QvE allows 20
 * characters; the buffer has room for its NUL). */
#define SGXRA_POLICY_ADVISORY_MAX 128
#define SGXRA_POLICY_ADVISORY_SIZE SGXRA_VERDICT_ADVISORY_SIZE
#define SGXRA_POLICY_ADVISORY_ID_MAX 20
/* Upper bound of the day counts. */
#define SGXRA_POLICY_DAYS_MAX 3650
/* The document of the default policy, and what sgxra_policy_default
 * parses. */
#define SGXRA_POLICY_DEFAULT_DOC "{\"sgxra_policy\":1}"

/* A parsed policy.  Plain data. */
typedef struct sgxra_policy {
  /* Accepted final TCB statuses (sgxra_verdict.final_status): bit
   * (1u << status) per sgxra_tcb_status.  Default: UpToDate only. */
  uint32_t accept_tcb;
  /* 1: "advisories.allow" given: every advisory ID of the verdict must be
   * in it.  0: absent: an accepted status is accepted with the advisories
   * it carries (only the deny list applies). */
  int has_advisory_allow;
  size_t advisory_allow_count;
  char advisory_allow[SGXRA_POLICY_ADVISORY_MAX][SGXRA_POLICY_ADVISORY_SIZE];
  /* Any of these in the verdict refuses, whatever the status. */
  size_t advisory_deny_count;
  char advisory_deny[SGXRA_POLICY_ADVISORY_MAX][SGXRA_POLICY_ADVISORY_SIZE];
  /* OutOfDate / OutOfDateConfigurationNeeded (when accepted) only while
   * now <= tcbDate + days * 86400; -1: no limit (null, the default). */
  int64_t out_of_date_grace_days;
  int allow_debug;              /* ATTRIBUTES.DEBUG enclaves; default 0 */
  int allow_expired_collateral; /* Intel's expiration flag; default 0 */
  /* Refuse when the earlier issueDate of TCB Info and QE Identity is more
   * than this many days before now; -1: no limit (the default). */
  int64_t max_collateral_age_days;
  /* 1: an appraisal without expected REPORTDATA is refused. */
  int require_report_data;

  /* Which document this is: named in every decision. */
  int64_t version; /* the store's policy version; 0 when not from a store */
  uint8_t sha256[SGXRA_SHA256_SIZE]; /* of the exact document bytes */
} sgxra_policy;

/* Parse a policy document doc[0..n) (not necessarily NUL-terminated).
 * version is set to 0 and sha256 to the SHA-256 of exactly these bytes.
 * Errors, each message naming the key ("advisories.allow[2]") and what was
 * found:
 *   SGXRA_E_POLICY_FORMAT       not JSON (line and column), not an object,
 *                               a key twice, "sgxra_policy" missing
 *   SGXRA_E_POLICY_VERSION      "sgxra_policy" other than 1
 *   SGXRA_E_POLICY_UNKNOWN_KEY  a key this format does not define
 *   SGXRA_E_POLICY_TYPE         a value of the wrong JSON type
 *   SGXRA_E_POLICY_VALUE        an unknown TCB status name, a number out of
 *                               range, an advisory ID that is not one, a
 *                               duplicate, an empty accept list, an ID both
 *                               allowed and denied, a grace period with no
 *                               OutOfDate status accepted
 *   SGXRA_E_TOO_LARGE           above SGXRA_POLICY_DOC_MAX
 * *out is zeroed on error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_policy_parse(sgxra_ctx *cx,
                                                        const char *doc,
                                                        size_t n,
                                                        sgxra_policy *out);

/* The default policy: SGXRA_POLICY_DEFAULT_DOC parsed (its SHA-256 names
 * it in decisions). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_policy_default(sgxra_ctx *cx,
                                                          sgxra_policy *out);

/* The store's policy `version` (0: the current one), parsed; version and
 * sha256 are the store's.  SGXRA_E_STORE_NOT_FOUND when the store has no
 * such version (the message says so: set one with the policy verb), the
 * store's errors, the parse errors prefixed "policy version N: ". */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_policy_load_store(sgxra_ctx *cx,
                                                             sgxra_store *st,
                                                             int64_t version,
                                                             sgxra_policy *out);

/* The effective policy as a JSON document of format 1 with every key
 * written out (defaults included), keys sorted, two-space indent: what
 * `sgxra policy show --effective` prints.  Parsing it gives the same
 * policy (other than the hash).  *out_json: free with free(). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_policy_to_json(sgxra_ctx *cx,
                                                          const sgxra_policy *p,
                                                          char **out_json);

/* ---- registry views
 * ----------------------------------------------------------
 *
 * The appraisal reads reference values through three lookups.  Each
 * returns SGXRA_OK with *out_found / *out_denied 0 or 1 ("not registered"
 * is an answer), or an error when it cannot answer (a database failure),
 * which the appraisal returns as is.
 *
 * An enclave entry names which of its fields are compared with the quote
 * (*out_fields, SGXRA_REF_* bits): a store entry compares all of them
 * (SGXRA_REF_ALL); a quick check may give only some (`sgxra verify
 * --mrenclave X`). */

#define SGXRA_REF_MRSIGNER 0x01u   /* quote MRSIGNER == entry's */
#define SGXRA_REF_ISVPRODID 0x02u  /* quote ISVPRODID == entry's */
#define SGXRA_REF_ISVSVN 0x04u     /* quote ISVSVN == entry's */
#define SGXRA_REF_MIN_ISVSVN 0x08u /* quote ISVSVN >= entry's isvsvn */
#define SGXRA_REF_ATTRIBUTES 0x10u /* see sgxra_attributes_match */
#define SGXRA_REF_ALL                                                          \
  (SGXRA_REF_MRSIGNER | SGXRA_REF_ISVPRODID | SGXRA_REF_ISVSVN |               \
   SGXRA_REF_ATTRIBUTES)

typedef struct sgxra_registry_view {
  void *user; /* passed to each lookup */
  /* The non-revoked deny entry for MRENCLAVE. */
  sgxra_err (*deny_check)(sgxra_ctx *cx, void *user,
                          const uint8_t mrenclave[SGXRA_HASH_SIZE],
                          int *out_denied, sgxra_store_deny *out);
  /* The non-revoked enclave entry for MRENCLAVE, and the fields to
   * compare. */
  sgxra_err (*enclave_find)(sgxra_ctx *cx, void *user,
                            const uint8_t mrenclave[SGXRA_HASH_SIZE],
                            int *out_found, sgxra_store_enclave *out,
                            unsigned *out_fields);
  /* The non-revoked signer entry for (MRSIGNER, ISVPRODID). */
  sgxra_err (*signer_find)(sgxra_ctx *cx, void *user,
                           const uint8_t mrsigner[SGXRA_HASH_SIZE],
                           uint16_t isvprodid, int *out_found,
                           sgxra_store_signer *out);
} sgxra_registry_view;

/* A view over an open store (borrowed; it must stay open while the view is
 * used).  Enclave entries compare SGXRA_REF_ALL. */
SGXRA_API sgxra_registry_view sgxra_registry_view_store(sgxra_store *st);

/* Reference values held in memory: the same three kinds of entry, without
 * a database (quick checks, tests, an SP that loads its values from its
 * own configuration).  Capped at SGXRA_REGISTRY_MEMORY_MAX entries of each
 * kind. */
#define SGXRA_REGISTRY_MEMORY_MAX 10000
typedef struct sgxra_registry_memory sgxra_registry_memory;

SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_registry_memory_new(sgxra_ctx *cx, sgxra_registry_memory **out_mem);
SGXRA_API void sgxra_registry_memory_free(sgxra_registry_memory *mem);

/* Add entries (copied).  Like the store: at most one enclave entry per
 * MRENCLAVE, one signer entry per (MRSIGNER, ISVPRODID), one deny entry
 * per MRENCLAVE (SGXRA_E_STORE_DUPLICATE); revoked entries
 * (meta.revoked) are refused (SGXRA_E_INVALID_ARGUMENT); above the cap
 * SGXRA_E_TOO_LARGE.  `fields`: the SGXRA_REF_* bits this enclave entry
 * compares (SGXRA_REF_ALL as the store does; ISVSVN and MIN_ISVSVN
 * together are refused). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_registry_memory_add_enclave(
    sgxra_ctx *cx, sgxra_registry_memory *mem, const sgxra_store_enclave *e,
    unsigned fields);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_registry_memory_add_signer(
    sgxra_ctx *cx, sgxra_registry_memory *mem, const sgxra_store_signer *s);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_registry_memory_add_deny(
    sgxra_ctx *cx, sgxra_registry_memory *mem, const sgxra_store_deny *d);

/* Expected values as a command line gives them (`sgxra verify --mrenclave
 * HEX --mrsigner HEX --isvprodid N --min-isvsvn N`), turned into entries:
 *   MRENCLAVE given  -> an enclave entry comparing MRENCLAVE and whichever
 *                       of MRSIGNER, ISVPRODID, MIN_ISVSVN are given;
 *   MRSIGNER only    -> a signer entry: ISVPRODID required (a signer is
 *                       trusted per product), min ISVSVN default 0.
 * Hex: exactly 64 digits (SGXRA_E_POLICY_HEX naming the field and the
 * count found; SGXRA_E_HEX for a non-hex character).  Nothing given, or
 * MRSIGNER without ISVPRODID, or ISVPRODID / min ISVSVN alone:
 * SGXRA_E_POLICY_INPUT. */
typedef struct sgxra_expected {
  const char *mrenclave_hex; /* NULL: not checked */
  const char *mrsigner_hex;  /* NULL: not checked */
  int32_t isvprodid;         /* -1: not checked, else 0..65535 */
  int32_t min_isvsvn;        /* -1: not checked, else 0..65535 */
  int allow_debug_signer;    /* as the store's entries */
} sgxra_expected;
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_registry_memory_add_expected(
    sgxra_ctx *cx, sgxra_registry_memory *mem, const sgxra_expected *x);

/* A view over an in-memory registry (borrowed). */
SGXRA_API sgxra_registry_view
sgxra_registry_view_memory(sgxra_registry_memory *mem);

/* ATTRIBUTES "as registered" (docs/APPRAISAL.md): FLAGS equal except INIT
 * (set in every report, never in a SIGSTRUCT) and DEBUG (its own check,
 * under the policy's allow_debug); every XFRM bit registered is set in the
 * quote (the platform may enable more XSAVE features than the enclave was
 * registered with; a feature the enclave needs may not be missing).
 * Returns 1 when the quote's attributes match the registered ones. */
SGXRA_API int sgxra_attributes_match(const sgxra_attributes *registered,
                                     const sgxra_attributes *quote);

/* ---- the appraisal --------------------------------------------------------
 */

/* The reason codes, in the order the checks run.  X(NAME, "what it
 * means"); docs/APPRAISAL.md gives an example message for each. */
#define SGXRA_APPRAISAL_REASONS(X)                                             \
  X(MRENCLAVE_DENIED, "the MRENCLAVE is on the deny list")                     \
  X(QUOTE_NOT_GENUINE, "Intel's verification did not succeed")                 \
  X(TCB_STATUS_NOT_ACCEPTED, "the platform's TCB status is not accepted")      \
  X(TCB_GRACE_EXCEEDED, "the OutOfDate grace period has passed")               \
  X(ADVISORY_DENIED, "the platform is affected by a denied advisory")          \
  X(ADVISORY_NOT_ALLOWED, "an advisory is not in the policy's allow list")     \
  X(COLLATERAL_EXPIRED, "Intel's collateral has expired")                      \
  X(COLLATERAL_TOO_OLD, "the collateral is older than the policy allows")      \
  X(DEBUG_ENCLAVE, "the enclave runs in DEBUG mode")                           \
  X(MRSIGNER_MISMATCH, "the MRSIGNER differs from the registered one")         \
  X(ISVPRODID_MISMATCH, "the ISVPRODID differs from the registered one")       \
  X(ISVSVN_MISMATCH, "the ISVSVN differs from the registered one")             \
  X(ATTRIBUTES_MISMATCH, "the ATTRIBUTES differ from the registered ones")     \
  X(ISVSVN_BELOW_MINIMUM, "the ISVSVN is below the registered minimum")        \
  X(MRENCLAVE_NOT_REGISTERED, "neither the enclave nor its signer is "         \
                              "registered")                                    \
  X(DEBUG_SIGNER, "the enclave is signed with a well-known public key")        \
  X(REPORT_DATA_MISMATCH, "REPORTDATA differs from the expected value")        \
  X(REPORT_DATA_NOT_GIVEN, "the policy requires a REPORTDATA check")

typedef enum sgxra_reason_code {
  SGXRA_REASON_NONE = 0,
#define SGXRA__REASON_ENUM(name, text) SGXRA_REASON_##name,
  SGXRA_APPRAISAL_REASONS(SGXRA__REASON_ENUM)
#undef SGXRA__REASON_ENUM
      SGXRA_REASON__END /* one past the last */
} sgxra_reason_code;

/* "MRENCLAVE_NOT_REGISTERED"; "" for NONE or an unknown value. */
SGXRA_API const char *sgxra_reason_name(sgxra_reason_code code);
/* The generic text of a code; "" for an unknown value. */
SGXRA_API const char *sgxra_reason_text(sgxra_reason_code code);
/* The code for a name; SGXRA_REASON_NONE when it is none. */
SGXRA_API sgxra_reason_code sgxra_reason_from_name(const char *name);

/* Inputs besides the verdict, registry and policy.  Zero-initialise. */
typedef struct sgxra_appraise_options {
  /* Expected REPORTDATA (the RA protocol's binding of a key or nonce):
   * compared with the quote's when has_report_data. */
  int has_report_data;
  uint8_t report_data[SGXRA_REPORTDATA_SIZE];
  /* The validated collateral the verdict was made with (optional): its
   * TCB Info explains a TCB status below UpToDate (which components are
   * short of the newest UpToDate level), and its issue dates are what
   * max_collateral_age_days needs (SGXRA_E_POLICY_INPUT without it). */
  const sgxra_collateral *collateral;
  /* 1: the enclave's identity is not checked: checks 7 and 8 below are
   * skipped (the view's enclave_find and signer_find are not called,
   * decision.match stays NONE), so any enclave passes them -- Intel's
   * verdict and the platform only, as `sgxra verify` without identity
   * flags.  The deny list (1), DEBUG (6) and REPORTDATA (9) still apply.
   * 0, the zero default: the identity is checked. */
  int identity_not_checked;
} sgxra_appraise_options;

/* Set the expected REPORTDATA from 64 bytes, or 32 bytes meaning those 32
 * followed by 32 zero bytes (a SHA-256 in the first half, as the SGX SDK's
 * and Intel's samples put it).  SGXRA_E_POLICY_HEX for another length. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_appraise_options_report_data(
    sgxra_ctx *cx, sgxra_appraise_options *o, const uint8_t *p, size_t n);
/* The same from hex text s[0..n): 128 or 64 digits (SGXRA_E_POLICY_HEX
 * naming the count found; SGXRA_E_HEX for a non-hex character). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_appraise_options_report_data_hex(
    sgxra_ctx *cx, sgxra_appraise_options *o, const char *s, size_t n);

#define SGXRA_DECISION_REASON_MAX 24
#define SGXRA_DECISION_MESSAGE_SIZE 512
#define SGXRA_DECISION_NAME_SIZE 64

typedef struct sgxra_reason {
  sgxra_reason_code code;
  char message[SGXRA_DECISION_MESSAGE_SIZE]; /* names the values */
} sgxra_reason;

/* Which registry entry the identity matched. */
typedef enum sgxra_match_kind {
  SGXRA_MATCH_NONE = 0,
  SGXRA_MATCH_ENCLAVE = 1, /* exact MRENCLAVE: decision.enclave */
  SGXRA_MATCH_SIGNER = 2   /* MRSIGNER + ISVPRODID: decision.signer */
} sgxra_match_kind;

/* The outcome.  Plain data: copy freely. */
typedef struct sgxra_decision {
  int trusted; /* 1 only when reason_count == 0 */
  size_t reason_count;
  sgxra_reason reasons[SGXRA_DECISION_REASON_MAX]; /* in check order */

  /* The policy applied. */
  int64_t policy_version; /* 0: not from a store */
  uint8_t policy_sha256[SGXRA_SHA256_SIZE];
  int64_t at; /* the `now` given */

  /* The registry entries consulted. */
  sgxra_match_kind match;
  unsigned match_fields; /* SGXRA_REF_* compared for an enclave match */
  sgxra_store_enclave enclave;
  sgxra_store_signer signer;
  int denied;
  sgxra_store_deny deny;

  /* What was appraised, copied from the verdict (for the record). */
  int has_quote; /* the identity fields below are set */
  uint8_t mrenclave[SGXRA_HASH_SIZE];
  uint8_t mrsigner[SGXRA_HASH_SIZE];
  uint16_t isvprodid;
  uint16_t isvsvn;
  sgxra_attributes attributes;
  int has_pck;
  uint8_t fmspc[SGXRA_FMSPC_SIZE];
  char ql_return[SGXRA_DECISION_NAME_SIZE]; /* Intel's quote3_error_t */
  char qv_result[SGXRA_DECISION_NAME_SIZE]; /* Intel's sgx_ql_qv_result_t */
  sgxra_tcb_status tcb_status;              /* final; 0 when none */
  int64_t tcb_date;
  int collateral_expired;
  size_t advisory_count;
  char advisory_ids[SGXRA_VERDICT_ADVISORY_MAX][SGXRA_VERDICT_ADVISORY_SIZE];
  /* For a TCB status below UpToDate with collateral given: which platform
   * TCB components (1..16 as Intel's sgxtcbcompNNsvn) and PCESVN of the
   * PCK certificate fall short of the newest UpToDate level of TCB Info
   * (the newest level when TCB Info has none), and the QE's ISVSVN against
   * the newest UpToDate QE level: "CPUSVN components 1: 11 < 14, 2: 11 <
   * 14; PCESVN 11 < 13 short of the newest UpToDate level (tcbDate
   * 2024-03-13T00:00:00Z)".  "" otherwise. */
  char tcb_explanation[SGXRA_DECISION_MESSAGE_SIZE];
} sgxra_decision;

/* Appraise one verdict at time `now`:
 *   1. deny list (MRENCLAVE_DENIED: wins over everything else);
 *   2. Intel's outcome not success: QUOTE_NOT_GENUINE (the platform checks
 *      3..6 are skipped: a failed verification has no TCB status);
 *   3. TCB status in accept_tcb, else TCB_STATUS_NOT_ACCEPTED; OutOfDate*
 *      accepted within the grace period, else TCB_GRACE_EXCEEDED;
 *   4. advisories: ADVISORY_DENIED, ADVISORY_NOT_ALLOWED;
 *   5. COLLATERAL_EXPIRED unless allowed; COLLATERAL_TOO_OLD;
 *   6. DEBUG_ENCLAVE unless allow_debug;
 *   7. identity: the exact MRENCLAVE entry (MRSIGNER_MISMATCH,
 *      ISVPRODID_MISMATCH, ISVSVN_MISMATCH / ISVSVN_BELOW_MINIMUM,
 *      ATTRIBUTES_MISMATCH), else a trusted signer (ISVSVN_BELOW_MINIMUM),
 *      else MRENCLAVE_NOT_REGISTERED;
 *   8. DEBUG_SIGNER: MRSIGNER is a well-known public key
 *      (sgxra_mrsigner_is_debug_key) and the matched entry does not allow
 *      it;
 *      (7 and 8 are skipped when options->identity_not_checked);
 *   9. REPORTDATA: REPORT_DATA_MISMATCH, or REPORT_DATA_NOT_GIVEN when the
 *      policy requires it and options give none.
 * Checks 1 and 6..9 need the quote's report body (a quote that did not
 * parse has none: only QUOTE_NOT_GENUINE then).  options may be NULL.
 * Errors (the decision is zeroed: not trusted): SGXRA_E_INVALID_ARGUMENT
 * (NULL verdict, policy or out), SGXRA_E_POLICY_NO_REGISTRY (NULL view or
 * a view without its three lookups), SGXRA_E_POLICY_INPUT (the policy
 * needs collateral dates and options give no collateral; collateral for
 * another FMSPC than the quote's platform), a lookup's error (store codes).
 */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_appraise(
    sgxra_ctx *cx, const sgxra_verdict *verdict,
    const sgxra_registry_view *view, const sgxra_policy *policy,
    const sgxra_appraise_options *options, int64_t now, sgxra_decision *out);

/* 1 when the decision has a reason with this code. */
SGXRA_API int sgxra_decision_has(const sgxra_decision *d,
                                 sgxra_reason_code code);

/* The decision as one JSON object (docs/APPRAISAL.md, "JSON"): decision,
 * reasons [{code, message}], policy {version, sha256}, match, identity,
 * platform, verdict, at.  Keys sorted; compact when `compact`, else
 * two-space indent.  *out_json: free with free(). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_decision_to_json(
    sgxra_ctx *cx, const sgxra_decision *d, int compact, char **out_json);

/* Record the decision in the store's audit log: one "decision" row (time
 * d->at, `actor` = who asked) whose payload is the compact JSON above.
 * *out_seq: the row's seq.  Errors: the store's (sgxra_store_audit_append).
 */
#define SGXRA_DECISION_AUDIT_KIND "decision"
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_decision_audit(sgxra_ctx *cx, sgxra_store *st, const sgxra_decision *d,
                     const char *actor, int64_t *out_seq);

#ifdef __cplusplus
}
#endif
#endif
