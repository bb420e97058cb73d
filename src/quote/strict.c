/* sgxra's stricter readings of a verification (sgxra/verify.h,
 * sgxra_verify_strict): checks that run on top of Intel's verdict where
 * Intel's reading can hide something from a service provider.  They read
 * the verdict, the quote and the collateral and never change the verdict;
 * the verifier (verify.c) does not call them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "quote/collateral_internal.h"
#include "sgxra/timeutil.h"
#include "sgxra/verify.h"

/* Intel's QvE copy limits of the advisory-ID list
 * (qve_set_quote_supplemental_data), as verify.c applies them. */
#define SA_SIZE_MAX 20
#define SA_LIST_SIZE_MAX 320

/* The length of a date as Intel's PCS writes it: "YYYY-MM-DDThh:mm:ssZ". */
#define DATE_LEN 20

static const char *const check_names[SGXRA_STRICT__END] = {
    [SGXRA_STRICT_ADVISORY_LIST_CUT] = "advisory_list_cut",
    [SGXRA_STRICT_NOT_YET_VALID] = "not_yet_valid",
    [SGXRA_STRICT_DATE_TRAILING_TEXT] = "date_trailing_text",
    [SGXRA_STRICT_DUPLICATE_MEMBER] = "duplicate_member",
    [SGXRA_STRICT_QUOTE_UNREAD_BYTES] = "quote_unread_bytes",
};

const char *sgxra_strict_check_name(sgxra_strict_check c) {
  if ((int)c <= 0 || c >= SGXRA_STRICT__END) return NULL;
  return check_names[c];
}

static void finding(sgxra_strict_report *r, sgxra_strict_check c,
                    const char *fmt, ...) SGXRA__PRINTF(3, 4);

static void finding(sgxra_strict_report *r, sgxra_strict_check c,
                    const char *fmt, ...) {
  if (r->count == SGXRA_STRICT_FINDINGS_MAX) {
    r->dropped++;
    return;
  }
  sgxra_strict_finding *f = &r->findings[r->count++];
  f->check = c;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->message, sizeof f->message, fmt, ap);
  va_end(ap);
}

/* ---- advisory_list_cut ---------------------------------------------------
 */

/* The TCB level the verdict matched: the first in JSON order with its SVNs
 * and PCESVN (of levels with one key, Intel's QVL keeps one). */
static const sgxra_tcb_level *matched_level(const sgxra_tcbinfo *ti,
                                            const sgxra_verdict *vd) {
  for (size_t i = 0; i < ti->level_count; i++) {
    const sgxra_tcb_level *lv = &ti->levels[i];
    if (lv->pcesvn == vd->tcb_pcesvn &&
        !memcmp(lv->sgx_svn, vd->tcb_svn, SGXRA_TCB_SVN_COUNT))
      return lv;
  }
  return NULL;
}

static void check_advisories(const sgxra_collateral *coll,
                             const sgxra_verdict *vd, sgxra_strict_report *r) {
  const sgxra_tcbinfo *ti = sgxra_collateral_tcbinfo(coll);
  if (!ti || !vd->has_tcb_level || vd->ql_return != SGXRA_QL_SUCCESS) return;
  const sgxra_tcb_level *lv = matched_level(ti, vd);
  if (!lv || lv->advisory_count <= vd->advisory_count) return;
  /* where Intel's copy stopped, and why */
  size_t i = vd->advisory_count;
  const char *id = lv->advisory_ids[i];
  size_t len = strlen(id), used = 0;
  for (size_t k = 0; k <= i; k++) used += strlen(lv->advisory_ids[k]) + 1;
  if (len > SA_SIZE_MAX)
    finding(r, SGXRA_STRICT_ADVISORY_LIST_CUT,
            "the matched TCB level lists %zu advisory IDs, Intel's verdict "
            "carries %zu: its copy stopped at ID %zu '%.40s%s' (%zu "
            "characters, over %d)",
            lv->advisory_count, vd->advisory_count, i + 1, id,
            len > 40 ? "..." : "", len, SA_SIZE_MAX);
  else
    finding(r, SGXRA_STRICT_ADVISORY_LIST_CUT,
            "the matched TCB level lists %zu advisory IDs, Intel's verdict "
            "carries %zu: its copy stopped at ID %zu '%s', which would take "
            "the list to %zu bytes (over %d)",
            lv->advisory_count, vd->advisory_count, i + 1, id, used,
            SA_LIST_SIZE_MAX);
}

/* ---- not_yet_valid -------------------------------------------------------
 */

static void not_yet(sgxra_strict_report *r, const char *what, const char *name,
                    const char *field, int64_t t, int64_t now) {
  char a[SGXRA_TIME_TEXT_SIZE], b[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(t, a);
  sgxra_time_format(now, b);
  finding(r, SGXRA_STRICT_NOT_YET_VALID,
          "%s%s%s%s: %s %s is after the verification time %s", what,
          name ? " '" : "", name ? name : "", name ? "'" : "", field, a, b);
}

static void chain_not_yet(sgxra_strict_report *r, const char *what,
                          const sgxra_x509_chain *ch, int64_t now) {
  size_t n = ch ? sgxra_x509_chain_count(ch) : 0;
  for (size_t i = 0; i < n; i++) {
    const sgxra_x509_cert *c = sgxra_x509_chain_get(ch, i);
    int64_t nb = sgxra_x509_cert_not_before(c);
    if (now < nb)
      not_yet(r, what, sgxra_x509_cert_subject_cn(c), "notBefore", nb, now);
  }
}

static void check_not_yet_valid(const sgxra_quote *q,
                                const sgxra_collateral *coll, int64_t now,
                                sgxra_strict_report *r) {
  if (now <= 0) return; /* Intel's INVALID_PARAMETER already */
  if (q) {
    const char *pem;
    size_t pem_len;
    sgxra_x509_chain *ch = NULL;
    if (sgxra_quote_pck_chain(NULL, q, &pem, &pem_len) == SGXRA_OK &&
        sgxra_x509_chain_parse_pem(NULL, (const uint8_t *)pem, pem_len, &ch) ==
            SGXRA_OK) {
      chain_not_yet(r, "quote's PCK chain: certificate", ch, now);
      sgxra_x509_chain_free(ch);
    }
  }
  if (!coll || sgxra_collateral_load_error(coll) != SGXRA_OK) return;
  const sgxra_x509_chain *pck, *tcb, *qe;
  sgxra__collateral_chains(coll, &pck, &tcb, &qe);
  chain_not_yet(r, "PCK CRL issuer chain: certificate", pck, now);
  chain_not_yet(r, "TCB Info issuer chain: certificate", tcb, now);
  chain_not_yet(r, "QE Identity issuer chain: certificate", qe, now);
  const sgxra_crl *crl = sgxra_collateral_root_crl(coll);
  if (crl && now < sgxra_crl_this_update(crl))
    not_yet(r, "root CA CRL", NULL, "thisUpdate", sgxra_crl_this_update(crl),
            now);
  crl = sgxra_collateral_pck_crl(coll);
  if (crl && now < sgxra_crl_this_update(crl))
    not_yet(r, "PCK CRL", NULL, "thisUpdate", sgxra_crl_this_update(crl), now);
  const sgxra_tcbinfo *ti = sgxra_collateral_tcbinfo(coll);
  if (ti && now < ti->issue_date)
    not_yet(r, "TCB Info", NULL, "issueDate", ti->issue_date, now);
  const sgxra_qeidentity *qi = sgxra_collateral_qeidentity(coll);
  if (qi && now < qi->issue_date)
    not_yet(r, "QE Identity", NULL, "issueDate", qi->issue_date, now);
}

/* ---- date_trailing_text, duplicate_member --------------------------------
 */

static void date_text(sgxra_strict_report *r, const char *file,
                      const json_t *obj, const char *path, const char *key) {
  const json_t *v = json_object_get(obj, key);
  if (!json_is_string(v)) return; /* the parser's business */
  const char *s = json_string_value(v);
  size_t n = json_string_length(v);
  if (n == DATE_LEN && s[DATE_LEN - 1] == 'Z') return;
  finding(r, SGXRA_STRICT_DATE_TRAILING_TEXT,
          "%s: %s.%s '%.48s%s' is not exactly YYYY-MM-DDThh:mm:ssZ (Intel "
          "reads its first %d characters)",
          file, path, key, s, n > 48 ? "..." : "", DATE_LEN);
}

static void check_json(const uint8_t *p, size_t n, const char *file,
                       const char *body_key, sgxra_strict_report *r) {
  if (!p || !n) return;
  json_error_t err;
  json_t *root = json_loadb((const char *)p, n, 0, &err);
  if (!root) return; /* does not parse: Intel's verdict says so */
  json_t *dup = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &err);
  if (dup)
    json_decref(dup);
  else
    finding(r, SGXRA_STRICT_DUPLICATE_MEMBER,
            "%s: %s (line %d): Intel reads the first of the repeated "
            "members, other JSON readers may read the last",
            file, err.text, err.line);
  const json_t *body = json_object_get(root, body_key);
  if (json_is_object(body)) {
    date_text(r, file, body, body_key, "issueDate");
    date_text(r, file, body, body_key, "nextUpdate");
    const json_t *lv = json_object_get(body, "tcbLevels");
    for (size_t i = 0; json_is_array(lv) && i < json_array_size(lv); i++) {
      char path[64];
      snprintf(path, sizeof path, "%s.tcbLevels[%zu]", body_key, i);
      const json_t *one = json_array_get(lv, i);
      if (json_is_object(one)) date_text(r, file, one, path, "tcbDate");
    }
  }
  json_decref(root);
}

/* ---- quote_unread_bytes --------------------------------------------------
 */

static void check_quote_bytes(const uint8_t *quote, size_t n,
                              const sgxra_quote *q, sgxra_strict_report *r) {
  if (q->cert_data && q->cert_data >= quote && q->cert_data <= quote + n) {
    size_t end = (size_t)(q->cert_data - quote) + q->cert_data_len;
    if (end < q->size)
      finding(r, SGXRA_STRICT_QUOTE_UNREAD_BYTES,
              "quote: %zu bytes of the authentication data after the "
              "certification data (bytes %zu..%zu) are read by no check",
              q->size - end, end, q->size - 1);
  }
  if (n > q->size)
    finding(r, SGXRA_STRICT_QUOTE_UNREAD_BYTES,
            "quote: %zu bytes after the signature data (from byte %zu) are "
            "read by no check",
            n - q->size, q->size);
}

sgxra_err sgxra_verify_strict(sgxra_ctx *cx, const uint8_t *quote, size_t n,
                              const sgxra_collateral *coll,
                              const sgxra_collateral_buffers *raw, int64_t now,
                              const sgxra_verdict *vd,
                              sgxra_strict_report *out) {
  if (out) memset(out, 0, sizeof *out);
  if (!vd || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verify_strict: the verdict and the report are "
                       "required");
  sgxra_quote q;
  int have_q = quote && n && sgxra_quote_parse(NULL, quote, n, &q) == SGXRA_OK;
  if (coll && sgxra_collateral_load_error(coll) == SGXRA_OK)
    check_advisories(coll, vd, out);
  check_not_yet_valid(have_q ? &q : NULL, coll, now, out);
  if (raw) {
    check_json(raw->tcb_info, raw->tcb_info_len, SGXRA_COLLATERAL_FILE_TCB_INFO,
               "tcbInfo", out);
    check_json(raw->qe_identity, raw->qe_identity_len,
               SGXRA_COLLATERAL_FILE_QE_IDENTITY, "enclaveIdentity", out);
  }
  if (have_q) check_quote_bytes(quote, n, &q, out);
  return SGXRA_OK;
}
