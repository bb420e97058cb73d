/* Intel's supplemental data of a quote verification: see
 * sgxra/supplemental.h. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "quote/collateral_internal.h"
#include "quote/x509_internal.h"
#include "sgxra/supplemental.h"

const char *sgxra_sgx_type_name(uint8_t sgx_type) {
  switch (sgx_type) {
  case 0:
    return "Standard";
  case 1:
    return "Scalable";
  case 2:
    return "ScalableWithIntegrity";
  default:
    return "unknown";
  }
}

/* The dates walk: Intel's items in Intel's order, each with its issue and
 * expiry date; the first strictly earliest expiry names the item. */
typedef struct dates {
  sgxra_supplemental *out;
  int first;
} dates;

static void add(dates *d, int64_t issue, int64_t expiry, const char *what,
                const char *cn, const char *field) {
  sgxra_supplemental *o = d->out;
  int earliest = d->first || expiry < o->earliest_expiration_date;
  if (d->first) {
    o->earliest_issue_date = o->latest_issue_date = issue;
    o->earliest_expiration_date = expiry;
    d->first = 0;
  } else {
    if (issue < o->earliest_issue_date) o->earliest_issue_date = issue;
    if (issue > o->latest_issue_date) o->latest_issue_date = issue;
    if (expiry < o->earliest_expiration_date)
      o->earliest_expiration_date = expiry;
  }
  if (earliest)
    snprintf(o->earliest_expiration_item, sizeof o->earliest_expiration_item,
             "%s%s%s %s", what, cn ? ": " : "", cn ? cn : "", field);
}

static void add_chain(dates *d, const sgxra_x509_chain *ch, const char *what) {
  for (size_t i = 0; i < sgxra_x509_chain_count(ch); i++) {
    const sgxra_x509_cert *c = sgxra_x509_chain_get(ch, i);
    add(d, sgxra_x509_cert_not_before(c), sgxra_x509_cert_not_after(c), what,
        sgxra_x509_cert_subject_cn(c), "notAfter");
  }
}

static sgxra_err fill(sgxra_ctx *cx, const sgxra_quote *q,
                      const sgxra_collateral *coll, const sgxra_verdict *vd,
                      const sgxra_x509_chain *pck_chain,
                      sgxra_supplemental *out) {
  const sgxra_tcbinfo *tcb = sgxra_collateral_tcbinfo(coll);
  const sgxra_qeidentity *qe = sgxra_collateral_qeidentity(coll);
  const sgxra_crl *root_crl = sgxra_collateral_root_crl(coll);
  const sgxra_crl *pck_crl = sgxra_collateral_pck_crl(coll);
  const sgxra_x509_chain *pck_crl_chain, *tcb_chain, *qe_chain;
  sgxra__collateral_chains(coll, &pck_crl_chain, &tcb_chain, &qe_chain);
  if (!tcb || !qe || !root_crl || !pck_crl)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "supplemental data: the collateral lacks a piece");

  out->major_version = SGXRA_SUPPLEMENTAL_MAJOR_VERSION;
  out->minor_version = SGXRA_SUPPLEMENTAL_MINOR_VERSION;

  /* qve_get_collateral_dates, in its order. */
  dates d = {out, 1};
  add(&d, sgxra_crl_this_update(root_crl), sgxra_crl_next_update(root_crl),
      "root CA CRL", NULL, "nextUpdate");
  add(&d, sgxra_crl_this_update(pck_crl), sgxra_crl_next_update(pck_crl),
      "PCK CRL", NULL, "nextUpdate");
  add_chain(&d, pck_crl_chain, "PCK CRL issuer chain");
  add_chain(&d, pck_chain, "quote's PCK certificate chain");
  add_chain(&d, tcb_chain, "TCB Info issuer chain");
  add_chain(&d, qe_chain, "QE Identity issuer chain");
  add(&d, tcb->issue_date, tcb->next_update, "TCB Info", NULL, "nextUpdate");
  add(&d, qe->issue_date, qe->next_update, "QE Identity", NULL, "nextUpdate");

  out->tcb_level_date_tag = vd->tcb_date;
  out->qe_iden_tcb_level_date_tag = vd->has_qe_level ? vd->qe_tcb_date : 0;

  sgxra_err e = sgxra__crl_number(cx, pck_crl, &out->pck_crl_num);
  if (e) return sgxra__context(cx, e, "supplemental data: PCK CRL");
  e = sgxra__crl_number(cx, root_crl, &out->root_ca_crl_num);
  if (e) return sgxra__context(cx, e, "supplemental data: root CA CRL");
  out->qe_iden_tcb_eval_ref_num = qe->tcb_evaluation_data_number;
  out->tcb_eval_ref_num =
      qe->tcb_evaluation_data_number <= tcb->tcb_evaluation_data_number
          ? qe->tcb_evaluation_data_number
          : tcb->tcb_evaluation_data_number;

  /* SHA-384 of the public key of the root of the quote's chain, in the
   * form the certificate carries it (Intel hashes getPubKey(): 0x04 || X
   * || Y). */
  const sgxra_x509_cert *root =
      sgxra_x509_chain_get(pck_chain, sgxra_x509_chain_count(pck_chain) - 1);
  uint8_t point[1 + SGXRA_P256_PUBLIC_SIZE];
  point[0] = 0x04;
  sgxra_p256_public_raw(sgxra_x509_cert_public_key(root), point + 1);
  size_t md_len = 0;
  if (!EVP_Q_digest(sgxra__libctx(cx), "SHA384", NULL, point, sizeof point,
                    out->root_key_id, &md_len) ||
      md_len != sizeof out->root_key_id)
    return sgxra__fail_ossl(cx, SGXRA_E_INTERNAL, "SHA-384 of the root key");

  const sgxra_pck_ext *x = &vd->pck;
  memcpy(out->tcb_cpusvn, x->cpusvn, sizeof out->tcb_cpusvn);
  out->tcb_pce_isvsvn = x->pcesvn;
  memcpy(out->pce_id, x->pceid, sizeof out->pce_id);
  out->tee_type = q->header.tee_type;
  out->sgx_type = x->sgx_type;
  out->dynamic_platform = out->cached_keys = out->smt_enabled =
      SGXRA_PCK_FLAG_UNDEFINED;
  if (x->sgx_type == 1 || x->sgx_type == 2) {
    /* Intel: the flags of multi-package platforms, set only from a
     * Platform CA certificate's configuration; dynamic platform and
     * cached keys only ever become TRUE. */
    out->has_platform_instance_id = x->has_platform_instance_id;
    memcpy(out->platform_instance_id, x->platform_instance_id,
           sizeof out->platform_instance_id);
    if (x->has_configuration) {
      if (x->dynamic_platform == 1) out->dynamic_platform = SGXRA_PCK_FLAG_TRUE;
      if (x->cached_keys == 1) out->cached_keys = SGXRA_PCK_FLAG_TRUE;
      out->smt_enabled =
          x->smt_enabled == 1 ? SGXRA_PCK_FLAG_TRUE : SGXRA_PCK_FLAG_FALSE;
    }
  }
  out->qe_iden_status = vd->qe_status;
  out->tcb_status = vd->final_status ? vd->final_status : vd->tcb_status;

  /* The SA list: IDs joined by commas (Intel's format; the verifier has
   * already refused a list over Intel's 320 bytes). */
  size_t o = 0;
  for (size_t i = 0; i < vd->advisory_count; i++) {
    size_t len = strnlen(vd->advisory_ids[i], SGXRA_VERDICT_ADVISORY_SIZE);
    if (o + len + 1 > sizeof out->sa_list)
      return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                         "supplemental data: advisory list over %zu bytes",
                         sizeof out->sa_list);
    if (o) out->sa_list[o - 1] = ',';
    memcpy(out->sa_list + o, vd->advisory_ids[i], len);
    o += len + 1;
    out->sa_list[o - 1] = 0;
  }
  return SGXRA_OK;
}

sgxra_err sgxra_supplemental_fill(sgxra_ctx *cx, const uint8_t *quote,
                                  size_t quote_len,
                                  const sgxra_collateral *coll,
                                  const sgxra_verdict *vd,
                                  sgxra_supplemental *out) {
  if (out) memset(out, 0, sizeof *out);
  if (!quote || !coll || !vd || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "supplemental data: NULL argument");
  if (!vd->has_pck || !vd->has_tcb_level)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "supplemental data: the verification stopped at the "
                       "%s stage, before a TCB level was matched",
                       sgxra_verify_stage_name(vd->stage));
  sgxra_quote q;
  sgxra_err e = sgxra_quote_parse(cx, quote, quote_len, &q);
  if (e) return e;
  const char *pem;
  size_t pem_len;
  if ((e = sgxra_quote_pck_chain(cx, &q, &pem, &pem_len)) != SGXRA_OK) return e;
  sgxra_x509_chain *chain = NULL;
  e = sgxra_x509_chain_parse_pem(cx, (const uint8_t *)pem, pem_len, &chain);
  if (e) return sgxra__context(cx, e, "supplemental data: PCK chain");
  e = fill(cx, &q, coll, vd, chain, out);
  sgxra_x509_chain_free(chain);
  if (e) memset(out, 0, sizeof *out);
  return e;
}
