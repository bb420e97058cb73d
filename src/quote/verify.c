/* Quote verification with Intel's semantics: see sgxra/verify.h for the
 * order of the checks and the mapping of outcomes.
 *
 * Intel's step order (QvE DCAP_1.23 qve.cpp sgx_qve_verify_quote, lines
 * 1704-2156, and QVL 7e5b2a1; the first failing step decides the return,
 * which matters when an input has more than one fault) and where sgxra
 * runs each step:
 *   1  output pointers, supplemental size          (API misuse: misuse())
 *   2  parameters (qve.cpp 1784-1797): quote size >= QUOTE_MIN_SIZE,
 *      text collateral NUL-terminated at size-1 (is_collateral_deep_
 *      copied), no zero-size buffer, expiration_check_date > 0
 *                                  -> check_parameters, then the deferred
 *                                     load error of step PARAMETERS
 *   3-4 collateral version, getCurrentTime (cannot fail here)
 *   5  extract_chain_from_quote (1855): QVL Quote::parse/validate, the
 *      certification data type 5      -> parse_into, sgxra_quote_pck_chain
 *   6  TcbInfo::parse (1864)           -> deferred load error, step TCB_INFO
 *   7  the quote's PCK chain parses and holds 3 certificates (1877)
 *   9  its root: self-signed, Intel's key (1922-1955)
 *                                      -> sgxra_verify_quote, before the
 *                                         collateral is validated
 *  10  qve_get_collateral_dates (1962, 788): QE Identity chain, TCB Info
 *      chain, QE Identity, versions, root CA CRL, PCK CRL, PCK CRL chain
 *                                      -> collateral.c load_pieces order;
 *                                         the error is raised by
 *                                         validate_into (step DATES)
 *  11  expired = earliest expiration <= t (1981)
 *  12  sgxAttestationVerifyPCKCertificate (1990; QVL PckCertVerifier::
 *      verify): the chain's roles and links, then the root CA CRL and the
 *      PCK CRL signatures, revocation, expiry statuses (only the flag)
 *                                      -> collateral.c validate(): the
 *                                         pck_step callback (pck_first_
 *                                         step), then the CRLs
 *  13  sgxAttestationVerifyTCBInfo (2003): its chain (2 certificates),
 *      signer, signature               -> validate(), TCB Info part
 *  14  sgxAttestationVerifyEnclaveIdentity (2016) -> validate(), QE part
 *  15  sgxAttestationVerifyQuote (2029; QVL QuoteVerifier::verify): FMSPC/
 *      PCE-ID, QE report signature, QE report data, QE Identity, quote
 *      signature, TCB level, convergence  -> verify_parsed
 *  16  qve_set_quote_supplemental_data (2054): advisory IDs -> add_advisories
 *  17  a failure resets the verdict to UNSPECIFIED (verdict.c)
 * A verifier (sgxra_verifier_new) holds collateral that passed steps 10,
 * 12 (CRLs), 13 and 14 already, so only the per-quote steps remain in
 * sgxra_verifier_verify.  Left: inside step 12 sgxra's PCK chain check
 * (pckchain.c) tests the CA's revocation before the leaf's link, and QVL
 * tests all links before any CRL. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "quote/collateral_internal.h"
#include "quote/verdict_internal.h"
#include "quote/x509_internal.h"
#include "sgxra/crypto.h"
#include "sgxra/hex.h"
#include "sgxra/timeutil.h"

/* The raw offsets the QE Identity check reads are the report body's
 * fields. */
_Static_assert(offsetof(sgxra_report_body, miscselect) ==
                   SGXRA_REPORT_BODY_MISCSELECT_OFFSET,
               "MISCSELECT offset");
_Static_assert(offsetof(sgxra_report_body, attributes) ==
                   SGXRA_REPORT_BODY_ATTRIBUTES_OFFSET,
               "ATTRIBUTES offset");
_Static_assert(sizeof(sgxra_attributes) == SGXRA_REPORT_BODY_ATTRIBUTES_SIZE,
               "ATTRIBUTES size");

/* Intel's PCK chains are leaf, PCK CA, root (QvE's
 * EXPECTED_CERTIFICATE_COUNT_IN_PCK_CHAIN). */
#define PCK_CHAIN_COUNT 3

/* A PCK chain already checked against this verifier's collateral. */
typedef struct pck_entry {
  uint8_t hash[SGXRA_SHA256_SIZE]; /* SHA-256 of the PEM bytes */
  sgxra_p256_key *key;             /* the PCK public key */
  sgxra_pck_ext ext;
  int platform_ca;
  int64_t not_after_min; /* earliest notAfter across the chain */
  /* The last attestation key seen with this PCK (a QE keeps its key until
   * it restarts), so a repeat quote skips building the key. */
  uint8_t ak_raw[SGXRA_P256_PUBLIC_SIZE];
  sgxra_p256_key *ak;
} pck_entry;

static void entry_clear(pck_entry *e) {
  sgxra_p256_free(e->key);
  sgxra_p256_free(e->ak);
  memset(e, 0, sizeof *e);
}

struct sgxra_verifier {
  const sgxra_collateral *coll;
  const sgxra_tcbinfo *tcb;
  const sgxra_qeidentity *qeid;
  /* trust root, PCK CA and CRLs of the validated collateral */
  const sgxra__pck_anchor *anchor;
  /* TCB levels in the order Intel's QVL walks them (see tcb_order) */
  size_t *level_order;
  size_t level_count;
  pck_entry *cache;
  size_t cache_count;
  size_t cache_cap;  /* grows 8, 16, ... up to SGXRA_VERIFIER_CACHE_MAX */
  size_t cache_next; /* round-robin replacement once full */
  /* 1 while a call uses the cache (sgxra/verify.h, Thread-safety): taken
   * by compare-exchange on entry, released on exit; a second thread that
   * finds it taken is refused with SGXRA_E_VERIFIER_BUSY instead of
   * corrupting the cache. */
  atomic_uint in_use;
};

/* Take the verifier for one call: 1 when it was free, 0 when another
 * thread holds it. */
static int verifier_enter(sgxra_verifier *v) {
  unsigned expected = 0;
  return atomic_compare_exchange_strong_explicit(
      &v->in_use, &expected, 1u, memory_order_acquire, memory_order_relaxed);
}

static void verifier_leave(sgxra_verifier *v) {
  atomic_store_explicit(&v->in_use, 0u, memory_order_release);
}

size_t sgxra_verifier_cache_size(const sgxra_verifier *v) {
  if (!v) return 0;
  /* The count is read under the flag too; the flag is the only mutable
   * part a const verifier has. */
  sgxra_verifier *w = (sgxra_verifier *)v;
  if (!verifier_enter(w)) return SIZE_MAX;
  size_t n = w->cache_count;
  verifier_leave(w);
  return n;
}

/* Intel's QVL keeps TCB Info's levels in a std::set ordered by
 * TcbLevel::operator> -- the 16 SGX component SVNs compared
 * lexicographically, then PCESVN, highest first -- and walks them in that
 * order; a level equal in both to one before it is not kept.  Intel
 * publishes the levels in this order, so for PCS collateral it is the
 * JSON order too. */
static int level_cmp(const sgxra_tcb_level *a, const sgxra_tcb_level *b) {
  int c = memcmp(a->sgx_svn, b->sgx_svn, SGXRA_TCB_SVN_COUNT);
  if (c) return c;
  return (a->pcesvn > b->pcesvn) - (a->pcesvn < b->pcesvn);
}

static sgxra_err tcb_order(sgxra_ctx *cx, sgxra_verifier *v) {
  const sgxra_tcbinfo *t = v->tcb;
  v->level_order =
      malloc((t->level_count ? t->level_count : 1) * sizeof *v->level_order);
  if (!v->level_order)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "verifier: out of memory");
  size_t n = 0;
  for (size_t i = 0; i < t->level_count; i++) {
    /* insertion into a descending list, refusing equal keys */
    size_t at = 0;
    int dup = 0;
    while (at < n) {
      int c = level_cmp(&t->levels[i], &t->levels[v->level_order[at]]);
      if (c == 0) dup = 1;
      if (c >= 0) break;
      at++;
    }
    if (dup) continue;
    memmove(v->level_order + at + 1, v->level_order + at,
            (n - at) * sizeof *v->level_order);
    v->level_order[at] = i;
    n++;
  }
  v->level_count = n;
  return SGXRA_OK;
}

sgxra_err sgxra_verifier_new(sgxra_ctx *cx, const sgxra_collateral *coll,
                             sgxra_verifier **out_verifier) {
  if (out_verifier) *out_verifier = NULL;
  if (!coll || !out_verifier) {
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_new: NULL argument");
  }
  if (!sgxra_collateral_is_validated(coll)) {
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_NOT_VALIDATED,
                       "verifier: the collateral has not been validated: "
                       "call sgxra_collateral_validate() first");
  }
  sgxra_verifier *v = calloc(1, sizeof *v);
  if (!v) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "verifier: out of memory");
  atomic_init(&v->in_use, 0u);
  v->coll = coll;
  v->tcb = sgxra_collateral_tcbinfo(coll);
  v->qeid = sgxra_collateral_qeidentity(coll);
  v->anchor = sgxra__collateral_anchor(coll);
  /* anchor->pck_ca may be NULL: the PCK CRL is then checked against each
   * quote's own CA (pckchain_internal.h). */
  if (!v->tcb || !v->qeid || !v->anchor || !v->anchor->root ||
      !v->anchor->pck_crl || !v->anchor->root_crl ||
      !sgxra_x509_cert_public_key(v->anchor->root)) {
    free(v);
    return sgxra__fail(cx, SGXRA_E_INTERNAL,
                       "verifier: validated collateral lacks a piece (TCB "
                       "Info, QE Identity, root, PCK CA or a CRL)");
  }
  sgxra_err err = tcb_order(cx, v);
  if (err) {
    sgxra_verifier_free(v);
    return err;
  }
  *out_verifier = v;
  return SGXRA_OK;
}

void sgxra_verifier_free(sgxra_verifier *v) {
  if (!v) return;
  /* Freed while another thread is inside a call on it: leave it (a leak)
   * rather than free memory that call is using. */
  if (!verifier_enter(v)) return;
  for (size_t i = 0; i < v->cache_count; i++) entry_clear(&v->cache[i]);
  free(v->cache);
  free(v->level_order);
  free(v);
}

/* ---- the PCK chain ------------------------------------------------------ */

/* A failed PCK chain check in the verdict: the unit's step outcome gives
 * the stage and code (Intel's value then comes from the one table); here
 * only the message is made. */
static void pck_chain_verdict(sgxra_ctx *cx, const sgxra_verifier *v,
                              const sgxra__pck_chain *r, sgxra_err err,
                              sgxra_verdict *out) {
  sgxra_verify_stage stage;
  sgxra_err code;
  sgxra__pck_step_outcome(r->failed, err, &stage, &code);
  char msg[SGXRA_VERDICT_REASON_SIZE];
  switch (r->failed) {
  case SGXRA__PCK_COUNT:
    snprintf(msg, sizeof msg,
             "quote's PCK certificate chain has %zu certificates, expected 3 "
             "(PCK, PCK CA, root)",
             r->count);
    break;
  case SGXRA__PCK_ROOT:
    snprintf(msg, sizeof msg,
             "the quote's root CA '%s' does not have the trust root's public "
             "key ('%s'): the quote is not from a platform certified by that "
             "root; check --trust-root",
             r->root_cn, sgxra_x509_cert_subject_cn(v->anchor->root));
    break;
  case SGXRA__PCK_CA_NAME:
    snprintf(msg, sizeof msg,
             "the quote's PCK CA is '%s' but the collateral's PCK CRL is "
             "issued by '%s': fetch the PCK CRL (and chain) for the quote's CA",
             r->ca_cn, sgxra_crl_issuer_cn(v->anchor->pck_crl));
    break;
  case SGXRA__PCK_CA_LINK:
    snprintf(msg, sizeof msg,
             "the quote's PCK CA '%s' is not a CA signed by the trust root "
             "(%s)",
             r->ca_cn, sgxra_ctx_message(cx));
    break;
  case SGXRA__PCK_CA_REVOKED:
    snprintf(msg, sizeof msg,
             "the quote's PCK CA '%s' is revoked by the root CA CRL", r->ca_cn);
    break;
  case SGXRA__PCK_LEAF_LINK:
    snprintf(msg, sizeof msg,
             "the PCK certificate '%s' is not issued and signed by '%s' (%s)",
             r->leaf_cn, r->ca_cn, sgxra_ctx_message(cx));
    break;
  case SGXRA__PCK_LEAF_REVOKED: {
    char serial[2 * SGXRA_X509_SERIAL_MAX + 1];
    sgxra_hex_encode(r->serial, r->serial_len, serial);
    snprintf(msg, sizeof msg,
             "the PCK certificate (serial %s) is revoked by the PCK CRL of "
             "'%s'",
             serial, sgxra_crl_issuer_cn(v->anchor->pck_crl));
    break;
  }
  case SGXRA__PCK_PARSE:
  case SGXRA__PCK_OK:
  default:
    snprintf(msg, sizeof msg, "quote's PCK certificate chain: %s",
             sgxra_ctx_message(cx));
    break;
  }
  sgxra__verdict_fail(out, stage, code, "%s", msg);
}

/* What the verifier needs of a PCK certificate the chain check passed:
 * the leaf's name, its SGX extension and its key (e->key set on success,
 * else the verdict says why). */
static void pck_entry_fill(sgxra_ctx *cx, const sgxra__pck_chain *r,
                           pck_entry *e, sgxra_verdict *out) {
  /* Intel's QVL also requires "SGX PCK Certificate" in the leaf's CN. */
  if (!strstr(r->leaf_cn, "SGX PCK Certificate")) {
    sgxra__verdict_fail(out, SGXRA_STAGE_PCK_CHAIN, SGXRA_E_VERIFY_PCK_CERT,
                        "the leaf's common name '%s' does not contain 'SGX "
                        "PCK Certificate'",
                        r->leaf_cn);
    return;
  }
  uint8_t raw[SGXRA_P256_PUBLIC_SIZE];
  if (r->chain) {
    const sgxra_x509_cert *leaf = sgxra_x509_chain_get(r->chain, 0);
    const uint8_t *ev;
    size_t en;
    sgxra_err err = sgxra_x509_cert_extension(
        cx, leaf, SGXRA_X509_OID_SGX_EXTENSION, &ev, &en);
    if (err == SGXRA_E_X509_EXT_MISSING) err = SGXRA_E_PCKEXT_MISSING;
    if (!err) err = sgxra_pck_ext_parse(cx, ev, en, &e->ext);
    if (err) {
      sgxra__verdict_fail(out, SGXRA_STAGE_PCK_EXTENSION, err, "%s",
                          sgxra_ctx_message(cx));
      return;
    }
    sgxra_p256_public_raw(sgxra_x509_cert_public_key(leaf), raw);
  } else {
    e->ext = r->walk.ext;
    memcpy(raw, r->walk.public_key, sizeof raw);
  }
  e->platform_ca = strstr(r->ca_cn, "Platform") != NULL;
  e->not_after_min = r->not_after_min;
  if (sgxra_p256_from_public(cx, raw, &e->key) != SGXRA_OK) {
    sgxra__verdict_fail(out, SGXRA_STAGE_PCK_CHAIN, SGXRA_E_VERIFY_PCK_CERT,
                        "PCK public key: %s", sgxra_ctx_message(cx));
  }
}

/* The cached entry for this chain, checking and adding it when new; NULL
 * when the chain failed (the verdict then says why). */
static pck_entry *pck_lookup(sgxra_ctx *cx, sgxra_verifier *v, const char *pem,
                             size_t pem_len, sgxra_verdict *out) {
  uint8_t h[SGXRA_SHA256_SIZE];
  if (sgxra_sha256(cx, pem, pem_len, h) != SGXRA_OK) {
    sgxra__verdict_fail(out, SGXRA_STAGE_PCK_CHAIN, sgxra_ctx_error(cx), "%s",
                        sgxra_ctx_message(cx));
    return NULL;
  }
  for (size_t i = 0; i < v->cache_count; i++)
    if (memcmp(v->cache[i].hash, h, sizeof h) == 0) return &v->cache[i];
  pck_entry e;
  memset(&e, 0, sizeof e);
  memcpy(e.hash, h, sizeof h);
  sgxra__pck_chain r;
  sgxra_err err =
      sgxra__pck_check_pem(cx, v->anchor, (const uint8_t *)pem, pem_len, 1, &r);
  if (err)
    pck_chain_verdict(cx, v, &r, err, out);
  else
    pck_entry_fill(cx, &r, &e, out);
  sgxra__pck_chain_clear(&r);
  if (!e.key) return NULL;
  if (v->cache_count == v->cache_cap &&
      v->cache_cap < SGXRA_VERIFIER_CACHE_MAX) {
    size_t cap = v->cache_cap ? 2 * v->cache_cap : 8;
    if (cap > SGXRA_VERIFIER_CACHE_MAX) cap = SGXRA_VERIFIER_CACHE_MAX;
    pck_entry *grown = realloc(v->cache, cap * sizeof *grown);
    if (grown) {
      v->cache = grown;
      v->cache_cap = cap;
    }
    if (!grown) {
      entry_clear(&e);
      sgxra__verdict_fail(out, SGXRA_STAGE_PCK_CHAIN, SGXRA_E_NO_MEMORY,
                          "out of memory");
      return NULL;
    }
  }
  size_t slot;
  if (v->cache_count < SGXRA_VERIFIER_CACHE_MAX) {
    slot = v->cache_count++;
  } else {
    slot = v->cache_next;
    v->cache_next = (v->cache_next + 1) % SGXRA_VERIFIER_CACHE_MAX;
    entry_clear(&v->cache[slot]);
  }
  v->cache[slot] = e;
  return &v->cache[slot];
}

/* ---- QE identity -------------------------------------------------------- */

/* QE report against QE Identity (Intel's EnclaveReportVerifier): returns 0
 * and the QE TCB level, or -1 with the verdict filled. */
static int check_qe_identity(const sgxra_verifier *v, const sgxra_quote *q,
                             sgxra_verdict *out) {
  const sgxra_qeidentity *id = v->qeid;
  if (strcmp(id->id, "QE") != 0) {
    sgxra__verdict_fail(out, SGXRA_STAGE_QE_IDENTITY,
                        SGXRA_E_VERIFY_QE_IDENTITY_MISMATCH,
                        "the enclave identity is for '%s', an SGX quote needs "
                        "the QE's ('QE'): fetch /sgx/certification/v4/qe/"
                        "identity",
                        id->id);
    return -1;
  }
  const sgxra_report_body *r = &q->qe_report;
  /* MISCSELECT: Intel's QVL reads the identity's 8 hex digits as 4 bytes
   * in the report's byte order (EnclaveReportVerifier::vectorToUint32
   * swaps them), so the text "01000000" matches MISCSELECT = 1.  The
   * collateral gives the digits as a big-endian number: compare bytes. */
  const uint8_t *misc = q->qe_report_raw + SGXRA_REPORT_BODY_MISCSELECT_OFFSET;
  uint8_t misc_want[SGXRA_REPORT_BODY_MISCSELECT_SIZE],
      misc_mask[SGXRA_REPORT_BODY_MISCSELECT_SIZE];
  for (int i = 0; i < SGXRA_REPORT_BODY_MISCSELECT_SIZE; i++) {
    misc_want[i] = (uint8_t)(id->miscselect >> (24 - 8 * i));
    misc_mask[i] = (uint8_t)(id->miscselect_mask >> (24 - 8 * i));
  }
  for (int i = 0; i < SGXRA_REPORT_BODY_MISCSELECT_SIZE; i++) {
    if ((misc[i] & misc_mask[i]) != misc_want[i]) {
      sgxra__verdict_fail(out, SGXRA_STAGE_QE_IDENTITY,
                          SGXRA_E_VERIFY_QE_IDENTITY_MISMATCH,
                          "QE MISCSELECT bytes %02x%02x%02x%02x under the mask "
                          "%08X do not give the QE Identity's %08X",
                          misc[0], misc[1], misc[2], misc[3],
                          id->miscselect_mask, id->miscselect);
      return -1;
    }
  }
  /* ATTRIBUTES as the 16 bytes at offset 48 of the report body, which is
   * the byte order of QE Identity's hex text. */
  const uint8_t *attr = q->qe_report_raw + SGXRA_REPORT_BODY_ATTRIBUTES_OFFSET;
  for (size_t i = 0; i < SGXRA_REPORT_BODY_ATTRIBUTES_SIZE; i++) {
    if ((attr[i] & id->attributes_mask[i]) != id->attributes[i]) {
      char got[2 * SGXRA_REPORT_BODY_ATTRIBUTES_SIZE + 1],
          want[2 * SGXRA_REPORT_BODY_ATTRIBUTES_SIZE + 1];
      sgxra_hex_encode(attr, SGXRA_REPORT_BODY_ATTRIBUTES_SIZE, got);
      sgxra_hex_encode(id->attributes, SGXRA_REPORT_BODY_ATTRIBUTES_SIZE, want);
      sgxra__verdict_fail(out, SGXRA_STAGE_QE_IDENTITY,
                          SGXRA_E_VERIFY_QE_IDENTITY_MISMATCH,
                          "QE ATTRIBUTES %s do not match the QE Identity's %s "
                          "under its mask (byte %zu)",
                          got, want, i);
      return -1;
    }
  }
  if (memcmp(r->mrsigner, id->mrsigner, SGXRA_HASH_SIZE) != 0) {
    char got[2 * SGXRA_HASH_SIZE + 1], want[2 * SGXRA_HASH_SIZE + 1];
    sgxra_hex_encode(r->mrsigner, 32, got);
    sgxra_hex_encode(id->mrsigner, 32, want);
    sgxra__verdict_fail(
        out, SGXRA_STAGE_QE_IDENTITY, SGXRA_E_VERIFY_QE_IDENTITY_MISMATCH,
        "QE MRSIGNER %s is not the QE Identity's %s", got, want);
    return -1;
  }
  if (r->isvprodid != id->isvprodid) {
    sgxra__verdict_fail(out, SGXRA_STAGE_QE_IDENTITY,
                        SGXRA_E_VERIFY_QE_IDENTITY_MISMATCH,
                        "QE ISVPRODID %u is not the QE Identity's %u",
                        r->isvprodid, id->isvprodid);
    return -1;
  }
  /* ISVSVN: the first level in JSON order at or below the QE's; its status
   * counts as UpToDate, Revoked, or else OutOfDate (EnclaveReportVerifier).
   * No such level leaves has_qe_level 0: Intel's QVL then reports
   * STATUS_SGX_ENCLAVE_REPORT_ISVSVN_NOT_SUPPORTED, goes on with the quote
   * signature and the TCB level, and converges to TCB_NOT_SUPPORTED (see
   * verify_parsed). */
  out->qe_status = SGXRA_TCB_STATUS_INVALID;
  for (size_t i = 0; i < id->level_count; i++) {
    const sgxra_qe_tcb_level *l = &id->levels[i];
    if (r->isvsvn >= l->isvsvn) {
      out->has_qe_level = 1;
      out->qe_level_isvsvn = l->isvsvn;
      out->qe_tcb_date = l->tcb_date;
      out->qe_status = l->status == SGXRA_TCB_UP_TO_DATE ? SGXRA_TCB_UP_TO_DATE
                       : l->status == SGXRA_TCB_REVOKED  ? SGXRA_TCB_REVOKED
                                                        : SGXRA_TCB_OUT_OF_DATE;
      break;
    }
  }
  return 0;
}

/* Intel's QvE lists a level's advisory IDs in a 320-byte "ID,ID,..."
 * buffer (qve_set_quote_supplemental_data: MAX_SA_NUMBER_PER_TCB,
 * MAX_SA_SIZE, MAX_SA_LIST_SIZE):
 *  - a level with more than 20 IDs fails the call (SGX_QL_ERROR_UNEXPECTED);
 *  - otherwise it copies the IDs in order and stops, still returning
 *    success, at the first ID longer than 20 characters or the first that
 *    would take the list (each ID and its comma) past 320 bytes.
 * sgxra's verdict holds at least that much. */
#define SA_COUNT_MAX 20
#define SA_SIZE_MAX 20
#define SA_LIST_SIZE_MAX 320
_Static_assert(SA_SIZE_MAX < SGXRA_VERDICT_ADVISORY_SIZE,
               "the verdict holds every advisory ID Intel's QvE copies");
_Static_assert(SA_COUNT_MAX <= SGXRA_VERDICT_ADVISORY_MAX,
               "the verdict holds as many advisory IDs as Intel's QvE");

/* Step "advisory IDs": copy the level's advisory IDs into the verdict as
 * Intel's QvE copies them into its list; returns -1 when the level has
 * more IDs than Intel's QvE accepts (nothing copied), else 0. */
static int add_advisories(const sgxra_tcb_level *lv, sgxra_verdict *out) {
  if (lv->advisory_count > SA_COUNT_MAX) return -1;
  size_t used = 0;
  for (size_t i = 0; i < lv->advisory_count; i++) {
    size_t len = strlen(lv->advisory_ids[i]);
    used += len + 1;
    if (len > SA_SIZE_MAX || used > SA_LIST_SIZE_MAX) break;
    memcpy(out->advisory_ids[out->advisory_count++], lv->advisory_ids[i],
           len + 1);
  }
  return 0;
}

/* ---- one quote ------------------------------------------------------------
 */

static void verify_parsed(sgxra_ctx *cx, sgxra_verifier *v,
                          const sgxra_quote *q, int64_t now,
                          sgxra_verdict *out) {
  const char *pem;
  size_t pem_len;
  sgxra_err err = sgxra_quote_pck_chain(cx, q, &pem, &pem_len);
  if (err) {
    sgxra__verdict_fail(out, SGXRA_STAGE_CERT_DATA, err, "%s",
                        sgxra_ctx_message(cx));
    return;
  }
  out->collateral_expired = sgxra_collateral_expired_at(v->coll, now);
  pck_entry *e = pck_lookup(cx, v, pem, pem_len, out);
  if (!e) return;
  /* Intel's flag: the earliest expiration date (the quote's chain
   * included) <= now; a certificate's notBefore after now does not count
   * (Intel's verifiers compare only notAfter with the time). */
  if (e->not_after_min <= now) out->collateral_expired = 1;
  /* (a CRL before its thisUpdate counts too: sgxra_collateral_expired_at) */
  out->has_pck = 1;
  out->pck = e->ext;
  out->pck_platform_ca = e->platform_ca;

  /* [4.1.2.4.10] the TCB Info is for this platform */
  if (memcmp(e->ext.fmspc, v->tcb->fmspc, SGXRA_FMSPC_SIZE) != 0 ||
      memcmp(e->ext.pceid, v->tcb->pce_id, SGXRA_PCEID_SIZE) != 0) {
    char f1[2 * SGXRA_FMSPC_SIZE + 1], f2[2 * SGXRA_FMSPC_SIZE + 1];
    char p1[2 * SGXRA_PCEID_SIZE + 1], p2[2 * SGXRA_PCEID_SIZE + 1];
    sgxra_hex_encode(e->ext.fmspc, SGXRA_FMSPC_SIZE, f1);
    sgxra_hex_encode(v->tcb->fmspc, SGXRA_FMSPC_SIZE, f2);
    sgxra_hex_encode(e->ext.pceid, SGXRA_PCEID_SIZE, p1);
    sgxra_hex_encode(v->tcb->pce_id, SGXRA_PCEID_SIZE, p2);
    sgxra__verdict_fail(out, SGXRA_STAGE_TCB_INFO_MATCH,
                        SGXRA_E_VERIFY_TCB_INFO_MISMATCH,
                        "the PCK certificate has FMSPC %s PCE-ID %s but the "
                        "TCB Info is for FMSPC %s PCE-ID %s: fetch the TCB "
                        "Info for fmspc=%s",
                        f1, p1, f2, p2, f1);
    return;
  }

  /* [4.1.2.4.12] QE report signed by the PCK key */
  err = sgxra_p256_verify(cx, e->key, q->qe_report_raw, SGXRA_REPORT_BODY_SIZE,
                          q->qe_report_signature);
  if (err) {
    sgxra__verdict_fail(out, SGXRA_STAGE_QE_REPORT_SIG,
                        SGXRA_E_VERIFY_QE_REPORT_SIGNATURE,
                        "the QE report signature does not verify with the PCK "
                        "certificate's key (%s)",
                        sgxra_ctx_message(cx));
    return;
  }

  /* [4.1.2.4.13] QE report data binds the attestation key */
  uint8_t h[SGXRA_SHA256_SIZE];
  sgxra_sha256_stream s = {0};
  if (sgxra_sha256_init(cx, &s) ||
      sgxra_sha256_update(cx, &s, q->attest_key, sizeof q->attest_key) ||
      sgxra_sha256_update(cx, &s, q->qe_auth_data, q->qe_auth_data_len) ||
      sgxra_sha256_final(cx, &s, h)) {
    sgxra_sha256_cleanup(&s);
    sgxra__verdict_fail(out, SGXRA_STAGE_QE_REPORT_DATA, sgxra_ctx_error(cx),
                        "%s", sgxra_ctx_message(cx));
    return;
  }
  sgxra_sha256_cleanup(&s);
  /* Intel's QVL compares the digest with the first 32 bytes only; the QE
   * writes zeros after it, but the other 32 bytes are covered by the PCK's
   * signature just checked, so they are not compared here either (a
   * stricter check would refuse quotes Intel accepts). */
  if (memcmp(h, q->qe_report.reportdata, sizeof h) != 0) {
    char want[2 * SGXRA_SHA256_SIZE + 1], got[2 * SGXRA_SHA256_SIZE + 1];
    sgxra_hex_encode(h, SGXRA_SHA256_SIZE, want);
    sgxra_hex_encode(q->qe_report.reportdata, SGXRA_SHA256_SIZE, got);
    sgxra__verdict_fail(out, SGXRA_STAGE_QE_REPORT_DATA,
                        SGXRA_E_VERIFY_QE_REPORT_DATA,
                        "QE report data starts with %s, expected SHA-256("
                        "attestation key || QE auth data) = %s: the "
                        "attestation key or QE auth data was altered",
                        got, want);
    return;
  }

  /* [4.1.2.4.15] QE report vs QE Identity */
  if (check_qe_identity(v, q, out) != 0) return;

  /* [4.1.2.4.16] ISV signature by the attestation key */
  if (!e->ak || memcmp(e->ak_raw, q->attest_key, sizeof e->ak_raw) != 0) {
    sgxra_p256_free(e->ak);
    e->ak = NULL;
    if (sgxra_p256_from_public(cx, q->attest_key, &e->ak) == SGXRA_OK)
      memcpy(e->ak_raw, q->attest_key, sizeof e->ak_raw);
  }
  if (!e->ak) {
    sgxra__verdict_fail(out, SGXRA_STAGE_QUOTE_SIG, SGXRA_E_VERIFY_ATTEST_KEY,
                        "the attestation key is not a P-256 point (%s)",
                        sgxra_ctx_message(cx));
    return;
  }
  err =
      sgxra_p256_verify(cx, e->ak, q->signed_data, q->signed_len, q->signature);
  if (err) {
    sgxra__verdict_fail(out, SGXRA_STAGE_QUOTE_SIG,
                        SGXRA_E_VERIFY_QUOTE_SIGNATURE,
                        "the quote signature over the header and report body "
                        "does not verify with the attestation key: the quote "
                        "was altered");
    return;
  }

  /* [4.1.2.4.17] TCB level: the first in Intel's order not above the
   * PCK's */
  const sgxra_tcb_level *lv = NULL;
  for (size_t i = 0; i < v->level_count && !lv; i++) {
    const sgxra_tcb_level *l = &v->tcb->levels[v->level_order[i]];
    int ok = e->ext.pcesvn >= l->pcesvn;
    for (size_t k = 0; ok && k < SGXRA_TCB_SVN_COUNT; k++)
      if (e->ext.comp_svn[k] < l->sgx_svn[k]) ok = 0;
    if (ok) lv = l;
  }
  if (!lv) {
    char svn[2 * SGXRA_TCB_SVN_COUNT + 1];
    sgxra_hex_encode(e->ext.comp_svn, SGXRA_TCB_SVN_COUNT, svn);
    sgxra__verdict_fail(out, SGXRA_STAGE_TCB_LEVEL,
                        SGXRA_E_VERIFY_TCB_NOT_SUPPORTED,
                        "no TCB level of the TCB Info is at or below the PCK "
                        "certificate's TCB (SVNs %s, PCESVN %u)",
                        svn, e->ext.pcesvn);
    return;
  }
  out->has_tcb_level = 1;
  out->tcb_status = lv->status;
  out->tcb_date = lv->tcb_date;
  memcpy(out->tcb_svn, lv->sgx_svn, sizeof out->tcb_svn);
  out->tcb_pcesvn = lv->pcesvn;
  /* Intel's convergeTcbStatusWithQeTcbStatus: a QE ISVSVN below every
   * QE Identity level (ISVSVN_NOT_SUPPORTED) gives TCB_NOT_SUPPORTED
   * unless the QE rule for OutOfDate applied first, which it cannot here. */
  if (!out->has_qe_level) {
    sgxra__verdict_fail(out, SGXRA_STAGE_TCB_LEVEL,
                        SGXRA_E_VERIFY_TCB_NOT_SUPPORTED,
                        "the QE's ISVSVN %u is below every TCB level of the "
                        "QE Identity: Intel's QVL reports the QE's TCB as not "
                        "supported",
                        q->qe_report.isvsvn);
    return;
  }
  sgxra_tcb_status st = sgxra__tcb_status_converge(lv->status, out->qe_status);
  out->final_status = st;
  if (st == SGXRA_TCB_REVOKED) {
    sgxra__verdict_fail(out, SGXRA_STAGE_TCB_LEVEL, SGXRA_E_VERIFY_TCB_REVOKED,
                        "the platform's TCB level is Revoked%s",
                        lv->status == SGXRA_TCB_REVOKED
                            ? ""
                            : " (the QE's TCB level is revoked)");
    return;
  }
  if (st < SGXRA_TCB_UP_TO_DATE ||
      st > SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED) {
    sgxra__verdict_fail(out, SGXRA_STAGE_TCB_LEVEL, SGXRA_E_INTERNAL,
                        "the matched TCB level has an unrecognised status");
    return;
  }
  /* Only the matched level's, and only after success: the QvE's sa_list
   * does not add the QE identity level's advisories
   * (qve_set_quote_supplemental_data). */
  if (add_advisories(lv, out) != 0) {
    sgxra__verdict_fail(out, SGXRA_STAGE_TCB_LEVEL, SGXRA_E_TCBINFO_FIELD,
                        "the matched TCB level has %zu advisory IDs: Intel's "
                        "QvE accepts at most %d per TCB level",
                        lv->advisory_count, SA_COUNT_MAX);
    return;
  }
  out->stage = SGXRA_STAGE_DONE;
  out->err = SGXRA_OK;
  out->ql_return = sgxra__ql_result_for(out->stage, out->err);
  sgxra__verdict_qv(out, st);
}

/* Intel's step 12 for the one-shot call: the quote's PCK chain against
 * the collateral's CRLs, before the TCB Info and QE Identity (see
 * sgxra__collateral_validate_view).  On failure it fills the verdict as
 * verify_parsed would and stops the validation. */
typedef struct pck_first {
  const char *pem;
  size_t pem_len;
  sgxra_verdict *out;
  int failed;
} pck_first;

static sgxra_err pck_first_step(sgxra_ctx *cx, const sgxra__pck_anchor *a,
                                void *arg) {
  pck_first *p = arg;
  sgxra_verifier tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.anchor = a;
  sgxra__pck_chain r;
  pck_entry e;
  memset(&e, 0, sizeof e);
  sgxra_err err =
      sgxra__pck_check_pem(cx, a, (const uint8_t *)p->pem, p->pem_len, 1, &r);
  if (err)
    pck_chain_verdict(cx, &tmp, &r, err, p->out);
  else
    pck_entry_fill(cx, &r, &e, p->out);
  sgxra__pck_chain_clear(&r);
  p->failed = e.key == NULL;
  entry_clear(&e);
  if (!p->failed) return SGXRA_OK;
  return sgxra__fail(cx, p->out->err ? p->out->err : SGXRA_E_VERIFY_PCK_CERT,
                     "%s", p->out->reason);
}

/* A verdict for a call that was misused: Intel's INVALID_PARAMETER, never
 * a zeroed verdict (whose 0 would read as SGX_QL_SUCCESS). */
static sgxra_err misuse(sgxra_ctx *cx, sgxra_verdict *out, const char *what) {
  sgxra__verdict_init(out);
  sgxra__verdict_fail(out, SGXRA_STAGE_NONE, SGXRA_E_INVALID_ARGUMENT, "%s",
                      what);
  return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s", what);
}

/* Step "parameters": Intel's QvE checks its parameters before it parses
 * anything (sgx_qve_verify_quote): a verification time <= 0 or a quote
 * shorter than QUOTE_MIN_SIZE is SGX_QL_ERROR_INVALID_PARAMETER, whatever
 * the quote holds.  The short quote fails at the quote stage (unusable
 * input), the time at none.  Returns 0 when both pass, else -1 with the
 * verdict filled. */
#define QVE_QUOTE_MIN_SIZE 1020

static int check_parameters(size_t n, int64_t now, sgxra_verdict *out) {
  if (now <= 0) {
    sgxra__verdict_fail(
        out, SGXRA_STAGE_NONE, SGXRA_E_INVALID_ARGUMENT,
        "verification time %lld is not after 1970-01-01T00:00:00Z"
        ": Intel's QvE refuses a time <= 0 as an invalid "
        "parameter",
        (long long)now);
    return -1;
  }
  if (n < QVE_QUOTE_MIN_SIZE) {
    sgxra__verdict_fail(out, SGXRA_STAGE_QUOTE, SGXRA_E_INVALID_ARGUMENT,
                        "quote truncated: %zu bytes, and Intel's QvE refuses a "
                        "quote shorter than %d bytes (the smallest v3 ECDSA "
                        "quote) as an invalid parameter, before parsing it",
                        n, QVE_QUOTE_MIN_SIZE);
    return -1;
  }
  return 0;
}

/* A deferred collateral load error (sgxra_collateral_load_deferred) that
 * belongs to `step` of Intel's order: 1 with the verdict filled, else 0.
 * The same error at a later step is raised by the collateral's
 * validation. */
static int collateral_fault_at(const sgxra_collateral *coll,
                               sgxra__coll_step step, sgxra_verdict *out) {
  sgxra__coll_step at;
  const char *msg;
  sgxra_err e = sgxra__collateral_load_fault(coll, &at, &msg);
  if (e == SGXRA_OK || at != step) return 0;
  sgxra__verdict_fail(out, SGXRA_STAGE_COLLATERAL, e, "%s", msg);
  return 1;
}

static void parse_into(sgxra_ctx *cx, const uint8_t *quote, size_t n,
                       sgxra_quote *q, sgxra_verdict *out, int *ok) {
  *ok = 0;
  sgxra_err err = sgxra_quote_parse(cx, quote, n, q);
  if (err) {
    sgxra__verdict_fail(out, SGXRA_STAGE_QUOTE, err, "%s",
                        sgxra_ctx_message(cx));
    return;
  }
  out->has_quote = 1;
  out->header = q->header;
  out->report = q->report_body;
  out->qe_report = q->qe_report;
  *ok = 1;
}

#define BUSY_MESSAGE                                                           \
  "sgxra_verifier_verify: the verifier is in use by another thread: a "        \
  "verifier is not thread-safe; make one per thread from the same "            \
  "collateral (see sgxra/verify.h)"

#define NOT_VALIDATED_MESSAGE                                                  \
  "sgxra_verifier_verify: the verifier's collateral is no longer validated "   \
  "(sgxra_collateral_validate() was called on it again and failed): make "     \
  "a new verifier after validating it"

sgxra_err sgxra_verifier_verify(sgxra_ctx *cx, sgxra_verifier *v,
                                const uint8_t *quote, size_t n, int64_t now,
                                sgxra_verdict *out) {
  if (!out) {
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_verify: out is NULL");
  }
  if (!v || (!quote && n))
    return misuse(cx, out, "sgxra_verifier_verify: NULL verifier or quote");
  sgxra__verdict_init(out);
  if (!verifier_enter(v)) {
    /* Never a verdict of success: the other thread may be changing the
     * cache this call would read. */
    sgxra__verdict_fail(out, SGXRA_STAGE_NONE, SGXRA_E_VERIFIER_BUSY, "%s",
                        BUSY_MESSAGE);
    return sgxra__fail(cx, SGXRA_E_VERIFIER_BUSY, "%s", BUSY_MESSAGE);
  }
  if (!sgxra_collateral_is_validated(v->coll)) {
    /* validated again since, and that failed: its trust root and CRLs,
     * which this verifier reads, are gone */
    verifier_leave(v);
    sgxra__verdict_fail(out, SGXRA_STAGE_COLLATERAL,
                        SGXRA_E_COLLATERAL_NOT_VALIDATED, "%s",
                        NOT_VALIDATED_MESSAGE);
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_NOT_VALIDATED, "%s",
                       NOT_VALIDATED_MESSAGE);
  }
  sgxra_quote q;
  int ok = 0;
  if (check_parameters(n, now, out) == 0)
    parse_into(cx, quote, n, &q, out, &ok);
  if (ok) verify_parsed(cx, v, &q, now, out);
  verifier_leave(v);
  if (out->err == SGXRA_E_NO_MEMORY) {
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "verification: out of memory");
  }
  sgxra_ctx_clear(cx);
  return SGXRA_OK;
}

sgxra_err sgxra_verify_quote(sgxra_ctx *cx, const uint8_t *quote, size_t n,
                             const sgxra_collateral *coll,
                             const sgxra_x509_cert *root, int64_t now,
                             sgxra_verdict *out) {
  if (!out) {
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verify_quote: out is NULL");
  }
  if (!coll || (!quote && n))
    return misuse(cx, out, "sgxra_verify_quote: NULL collateral or quote");
  sgxra__verdict_init(out);
  sgxra_quote q;
  int ok = 0;
  /* Intel's steps 1-2, then 5 (see the order at the top of this file) */
  if (check_parameters(n, now, out) == 0 &&
      !collateral_fault_at(coll, SGXRA__COLL_STEP_PARAMETERS, out))
    parse_into(cx, quote, n, &q, out, &ok);
  if (!ok) goto done;

  /* In the QvE's order the certification data and the quote's root are
   * checked before any collateral but the TCB Info. */
  const char *pem;
  size_t pem_len;
  sgxra_err err = sgxra_quote_pck_chain(cx, &q, &pem, &pem_len);
  if (err) {
    sgxra__verdict_fail(out, SGXRA_STAGE_CERT_DATA, err, "%s",
                        sgxra_ctx_message(cx));
    goto done;
  }
  /* step 6: TcbInfo::parse, before the quote's PCK chain */
  if (collateral_fault_at(coll, SGXRA__COLL_STEP_TCB_INFO, out)) goto done;
  sgxra_x509_chain *own_root = NULL;
  if (!root) {
    if ((err = sgxra_x509_intel_root(cx, &own_root)) != SGXRA_OK) {
      sgxra__verdict_fail(out, SGXRA_STAGE_TRUST_ROOT, err, "%s",
                          sgxra_ctx_message(cx));
      goto done;
    }
    root = sgxra_x509_chain_get(own_root, 0);
  }
  sgxra_x509_chain *chain = NULL;
  err = sgxra_x509_chain_parse_pem(cx, (const uint8_t *)pem, pem_len, &chain);
  if (!err) sgxra__pck_chain_order(chain); /* Intel: any order */
  if (err || sgxra_x509_chain_count(chain) != PCK_CHAIN_COUNT) {
    sgxra__verdict_fail(out, SGXRA_STAGE_PCK_CHAIN,
                        err ? err : SGXRA_E_VERIFY_PCK_CHAIN,
                        "quote's PCK certificate chain: %s",
                        err ? sgxra_ctx_message(cx)
                            : "expected 3 certificates (PCK, PCK CA, root)");
  } else if (!sgxra__x509_same_key(
                 sgxra_x509_chain_get(chain, PCK_CHAIN_COUNT - 1), root)) {
    sgxra__verdict_fail(
        out, SGXRA_STAGE_TRUST_ROOT, SGXRA_E_VERIFY_TRUST_ROOT,
        "the quote's root CA '%s' does not have the trust root's public "
        "key ('%s'): check --trust-root",
        sgxra_x509_cert_subject_cn(
            sgxra_x509_chain_get(chain, PCK_CHAIN_COUNT - 1)),
        sgxra_x509_cert_subject_cn(root));
  } else {
    /* Validated into a private view: `coll` is shared, read-only, and may
     * be in use by other threads' verifiers (sgxra/collateral.h). */
    sgxra_collateral *view = NULL;
    sgxra_verifier *v = NULL;
    pck_first pf = {pem, pem_len, out, 0};
    if ((err = sgxra__collateral_validate_view(
             cx, coll, root, now, pck_first_step, &pf, &view)) != SGXRA_OK ||
        (err = sgxra_verifier_new(cx, view, &v)) != SGXRA_OK) {
      if (!pf.failed) /* else pck_first_step gave the verdict */
        sgxra__verdict_fail(out, SGXRA_STAGE_COLLATERAL, err, "%s",
                            sgxra_ctx_message(cx));
    } else {
      verify_parsed(cx, v, &q, now, out);
    }
    sgxra_verifier_free(v);
    sgxra_collateral_free(view);
  }
  sgxra_x509_chain_free(chain);
  sgxra_x509_chain_free(own_root);
done:
  if (out->err == SGXRA_E_NO_MEMORY) {
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "verification: out of memory");
  }
  sgxra_ctx_clear(cx);
  return SGXRA_OK;
}
