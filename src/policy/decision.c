/* A decision as JSON (for the command and the audit log) and its audit
 * row.  The layout: docs/APPRAISAL.md, "JSON". */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "policy/internal.h"
#include "sgxra/hex.h"
#include "sgxra/policy.h"
#include "sgxra/timeutil.h"

static json_t *hexj(const uint8_t *p, size_t n) {
  char buf[2 * 64 + 1];
  if (n > 64) return json_null();
  sgxra_hex_encode(p, n, buf);
  return json_string(buf);
}

static json_t *timej(int64_t t) {
  char buf[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(t, buf);
  return json_string(buf);
}

static json_t *meta_json(json_t *j, const sgxra_store_meta *m) {
  json_object_set_new(j, "id", json_integer((json_int_t)m->id));
  json_object_set_new(j, "source",
                      json_string(sgxra_store_source_name(m->source)));
  if (m->product[0]) json_object_set_new(j, "product", json_string(m->product));
  if (m->note[0]) json_object_set_new(j, "note", json_string(m->note));
  if (m->added_by[0]) {
    json_object_set_new(j, "added_by", json_string(m->added_by));
    json_object_set_new(j, "added_at", timej(m->added_at));
  }
  return j;
}

static json_t *attributes_json(const sgxra_attributes *a) {
  uint8_t b[16];
  sgxra__st64(b, a->flags);
  sgxra__st64(b + 8, a->xfrm);
  return hexj(b, 16); /* the report's byte order, as the store keeps it */
}

static json_t *match_json(const sgxra_decision *d) {
  json_t *j = json_object();
  if (d->match == SGXRA_MATCH_ENCLAVE) {
    const sgxra_store_enclave *e = &d->enclave;
    json_object_set_new(j, "kind", json_string("enclave"));
    json_object_set_new(j, "mrenclave", hexj(e->mrenclave, 32));
    if (d->match_fields & SGXRA_REF_MRSIGNER)
      json_object_set_new(j, "mrsigner", hexj(e->mrsigner, 32));
    if (d->match_fields & SGXRA_REF_ISVPRODID)
      json_object_set_new(j, "isvprodid", json_integer(e->isvprodid));
    if (d->match_fields & SGXRA_REF_ISVSVN)
      json_object_set_new(j, "isvsvn", json_integer(e->isvsvn));
    if (d->match_fields & SGXRA_REF_MIN_ISVSVN)
      json_object_set_new(j, "min_isvsvn", json_integer(e->isvsvn));
    if (d->match_fields & SGXRA_REF_ATTRIBUTES)
      json_object_set_new(j, "attributes", attributes_json(&e->attributes));
    json_object_set_new(j, "allow_debug_signer",
                        json_boolean(e->allow_debug_signer));
    return meta_json(j, &e->meta);
  }
  const sgxra_store_signer *s = &d->signer;
  json_object_set_new(j, "kind", json_string("signer"));
  json_object_set_new(j, "mrsigner", hexj(s->mrsigner, 32));
  json_object_set_new(j, "isvprodid", json_integer(s->isvprodid));
  json_object_set_new(j, "min_isvsvn", json_integer(s->min_isvsvn));
  json_object_set_new(j, "allow_debug_signer",
                      json_boolean(s->allow_debug_signer));
  return meta_json(j, &s->meta);
}

static json_t *decision_json(const sgxra_decision *d) {
  json_t *j = json_object();
  json_object_set_new(j, "decision",
                      json_string(d->trusted ? "trusted" : "not_trusted"));
  json_t *rs = json_array();
  for (size_t i = 0; i < d->reason_count && i < SGXRA_DECISION_REASON_MAX;
       i++) {
    json_t *r = json_object();
    json_object_set_new(r, "code",
                        json_string(sgxra_reason_name(d->reasons[i].code)));
    json_object_set_new(r, "message", json_string(d->reasons[i].message));
    json_array_append_new(rs, r);
  }
  json_object_set_new(j, "reasons", rs);

  json_t *pol = json_object();
  json_object_set_new(pol, "version",
                      json_integer((json_int_t)d->policy_version));
  json_object_set_new(pol, "sha256", hexj(d->policy_sha256, 32));
  json_object_set_new(j, "policy", pol);
  json_object_set_new(j, "at", timej(d->at));

  json_object_set_new(
      j, "match", d->match == SGXRA_MATCH_NONE ? json_null() : match_json(d));
  if (d->denied) {
    json_t *dn = json_object();
    json_object_set_new(dn, "reason", json_string(d->deny.reason));
    json_object_set_new(j, "denied_by", meta_json(dn, &d->deny.meta));
  }

  json_t *id = json_null();
  if (d->has_quote) {
    id = json_object();
    json_object_set_new(id, "mrenclave", hexj(d->mrenclave, 32));
    json_object_set_new(id, "mrsigner", hexj(d->mrsigner, 32));
    json_object_set_new(id, "isvprodid", json_integer(d->isvprodid));
    json_object_set_new(id, "isvsvn", json_integer(d->isvsvn));
    json_object_set_new(id, "attributes", attributes_json(&d->attributes));
    json_object_set_new(
        id, "debug",
        json_boolean((d->attributes.flags & SGXRA_ATTR_DEBUG) != 0));
  }
  json_object_set_new(j, "identity", id);

  json_t *vd = json_object();
  json_object_set_new(vd, "return", json_string(d->ql_return));
  json_object_set_new(vd, "verdict", json_string(d->qv_result));
  json_object_set_new(vd, "collateral_expired",
                      json_boolean(d->collateral_expired));
  json_object_set_new(vd, "tcb_status",
                      d->tcb_status
                          ? json_string(sgxra_tcb_status_name(d->tcb_status))
                          : json_null());
  json_object_set_new(vd, "tcb_date",
                      d->tcb_status ? timej(d->tcb_date) : json_null());
  json_object_set_new(
      vd, "fmspc", d->has_pck ? hexj(d->fmspc, SGXRA_FMSPC_SIZE) : json_null());
  json_t *adv = json_array();
  for (size_t i = 0; i < d->advisory_count && i < SGXRA_VERDICT_ADVISORY_MAX;
       i++)
    json_array_append_new(adv, json_string(d->advisory_ids[i]));
  json_object_set_new(vd, "advisory_ids", adv);
  if (d->tcb_explanation[0])
    json_object_set_new(vd, "tcb_explanation", json_string(d->tcb_explanation));
  json_object_set_new(j, "verdict", vd);
  return j;
}

sgxra_err sgxra_decision_to_json(sgxra_ctx *cx, const sgxra_decision *d,
                                 int compact, char **out_json) {
  if (out_json) *out_json = NULL;
  if (!d || !out_json)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "decision: NULL decision or output");
  json_t *j = decision_json(d);
  char *s = j ? json_dumps(j, JSON_SORT_KEYS |
                                  (compact ? JSON_COMPACT : JSON_INDENT(2)))
              : NULL;
  json_decref(j);
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "decision: JSON text");
  *out_json = s;
  return SGXRA_OK;
}

sgxra_err sgxra_decision_audit(sgxra_ctx *cx, sgxra_store *st,
                               const sgxra_decision *d, const char *actor,
                               int64_t *out_seq) {
  if (out_seq) *out_seq = 0;
  if (!st || !d || !out_seq)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "decision audit: NULL store, decision or output");
  char *s = NULL;
  sgxra_err e = sgxra_decision_to_json(cx, d, 1, &s);
  if (e) return e;
  e = sgxra_store_audit_append(cx, st, SGXRA_DECISION_AUDIT_KIND, s, strlen(s),
                               actor, d->at, out_seq);
  free(s);
  return e;
}
