/* The appraisal: verdict + registry view + policy -> decision with every
 * reason.  The order of the checks and what each compares:
 * docs/APPRAISAL.md and sgxra_appraise in sgxra/policy.h.
 *
 * Fail closed: the decision starts zeroed (trusted == 0) and is set to
 * trusted only at the very end, when no check added a reason and no lookup
 * failed; on any error the caller gets the error and a zeroed decision. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "policy/internal.h"
#include "sgxra/hex.h"
#include "sgxra/policy.h"
#include "sgxra/sigstruct.h"
#include "sgxra/timeutil.h"

/* ---- reason codes ----------------------------------------------------------
 */

static const struct {
  const char *name, *text;
} reasons[] = {{"", ""},
#define SGXRA__REASON_ROW(name, text) {#name, text},
               SGXRA_APPRAISAL_REASONS(SGXRA__REASON_ROW)
#undef SGXRA__REASON_ROW
};

/* Each code can be added at most once, so this many always fit. */
_Static_assert(SGXRA_REASON__END - 1 <= SGXRA_DECISION_REASON_MAX,
               "SGXRA_DECISION_REASON_MAX below the number of reason codes");

const char *sgxra_reason_name(sgxra_reason_code code) {
  if ((int)code <= 0 || (int)code >= SGXRA_REASON__END) return "";
  return reasons[code].name;
}

const char *sgxra_reason_text(sgxra_reason_code code) {
  if ((int)code <= 0 || (int)code >= SGXRA_REASON__END) return "";
  return reasons[code].text;
}

sgxra_reason_code sgxra_reason_from_name(const char *name) {
  if (!name) return SGXRA_REASON_NONE;
  for (int i = 1; i < SGXRA_REASON__END; i++)
    if (strcmp(reasons[i].name, name) == 0) return (sgxra_reason_code)i;
  return SGXRA_REASON_NONE;
}

int sgxra_decision_has(const sgxra_decision *d, sgxra_reason_code code) {
  if (!d) return 0;
  for (size_t i = 0; i < d->reason_count && i < SGXRA_DECISION_REASON_MAX; i++)
    if (d->reasons[i].code == code) return 1;
  return 0;
}

/* ---- the verdict's outcome
 * ---------------------------------------------------
 *
 * The one place that reads sgxra_verdict.ql_return / qv_result. */

static int verdict_is_success(const sgxra_verdict *v) {
  return v->err == SGXRA_OK && v->ql_return == SGXRA_QL_SUCCESS;
}

static void verdict_names(const sgxra_verdict *v,
                          char ql[SGXRA_DECISION_NAME_SIZE],
                          char qv[SGXRA_DECISION_NAME_SIZE]) {
  snprintf(ql, SGXRA_DECISION_NAME_SIZE, "%s",
           sgxra_ql_result_name(v->ql_return));
  snprintf(qv, SGXRA_DECISION_NAME_SIZE, "%s",
           v->qv_result ? v->qv_result : "");
}

/* ---- options
 * ------------------------------------------------------------------ */

sgxra_err sgxra_appraise_options_report_data(sgxra_ctx *cx,
                                             sgxra_appraise_options *o,
                                             const uint8_t *p, size_t n) {
  if (!o || (!p && n))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "REPORTDATA: NULL options or data");
  if (n != SGXRA_REPORTDATA_SIZE && n != SGXRA_REPORTDATA_SIZE / 2)
    return sgxra__fail(cx, SGXRA_E_POLICY_HEX,
                       "REPORTDATA: expected 64 bytes, or 32 bytes (then "
                       "padded with 32 zero bytes), found %zu",
                       n);
  memset(o->report_data, 0, sizeof(o->report_data));
  memcpy(o->report_data, p, n);
  o->has_report_data = 1;
  return SGXRA_OK;
}

sgxra_err sgxra_appraise_options_report_data_hex(sgxra_ctx *cx,
                                                 sgxra_appraise_options *o,
                                                 const char *s, size_t n) {
  if (!o || (!s && n))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "REPORTDATA: NULL options or text");
  if (n != 2 * SGXRA_REPORTDATA_SIZE && n != SGXRA_REPORTDATA_SIZE)
    return sgxra__fail(cx, SGXRA_E_POLICY_HEX,
                       "REPORTDATA: expected 128 hex digits (64 bytes) or 64 "
                       "(32 bytes, then padded with zeros), found %zu",
                       n);
  uint8_t buf[SGXRA_REPORTDATA_SIZE];
  sgxra_err e = sgxra_hex_decode(cx, s, n, buf, n / 2);
  if (e) return sgxra__context(cx, e, "REPORTDATA");
  return sgxra_appraise_options_report_data(cx, o, buf, n / 2);
}

/* ---- ATTRIBUTES -------------------------------------------------------------
 */

int sgxra_attributes_match(const sgxra_attributes *registered,
                           const sgxra_attributes *quote) {
  if (!registered || !quote) return 0;
  const uint64_t ignore = SGXRA_ATTR_INIT | SGXRA_ATTR_DEBUG;
  if ((registered->flags & ~ignore) != (quote->flags & ~ignore)) return 0;
  return (quote->xfrm & registered->xfrm) == registered->xfrm;
}

/* ---- helpers
 * ------------------------------------------------------------------ */

static void add(sgxra_decision *d, sgxra_reason_code code, const char *fmt, ...)
    SGXRA__PRINTF(3, 4);
static void add(sgxra_decision *d, sgxra_reason_code code, const char *fmt,
                ...) {
  if (d->reason_count >= SGXRA_DECISION_REASON_MAX) return; /* cannot be */
  sgxra_reason *r = &d->reasons[d->reason_count++];
  r->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->message, sizeof(r->message), fmt, ap);
  va_end(ap);
}

static void hex32(const uint8_t *p, char out[65]) {
  sgxra_hex_encode(p, SGXRA_HASH_SIZE, out);
}

static int is_out_of_date(sgxra_tcb_status s) {
  return s == SGXRA_TCB_OUT_OF_DATE ||
         s == SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
}

/* Append "a, b, c" of the IDs for which keep(id) holds; returns how many. */
static size_t id_list(const sgxra_verdict *v, const sgxra_policy *p,
                      int want_denied, char *out, size_t cap) {
  size_t n = 0, o = 0;
  out[0] = '\0';
  for (size_t i = 0; i < v->advisory_count && i < SGXRA_VERDICT_ADVISORY_MAX;
       i++) {
    const char *id = v->advisory_ids[i];
    int denied = 0, allowed = 0;
    for (size_t j = 0; j < p->advisory_deny_count; j++)
      if (strcmp(p->advisory_deny[j], id) == 0) denied = 1;
    for (size_t j = 0; j < p->advisory_allow_count; j++)
      if (strcmp(p->advisory_allow[j], id) == 0) allowed = 1;
    /* a denied ID is reported as denied only, not also as not allowed */
    int hit = want_denied ? denied : (!denied && !allowed);
    if (!hit) continue;
    n++;
    int w = snprintf(out + o, cap - o, "%s%s", o ? ", " : "", id);
    if (w > 0 && (size_t)w < cap - o) o += (size_t)w;
  }
  return n;
}

/* Why is the platform below UpToDate: the TCB components and PCESVN of its
 * PCK certificate that are short of the newest UpToDate level of TCB Info
 * (Intel publishes levels newest first; some FMSPCs have no UpToDate level
 * at all since INTEL-SA-00615, then the newest level), and the QE's ISVSVN
 * against the newest UpToDate QE level. */
static void explain_tcb(const sgxra_verdict *v, const sgxra_collateral *coll,
                        char *out, size_t cap) {
  out[0] = '\0';
  if (!coll || !v->has_pck || !v->has_tcb_level ||
      v->final_status == SGXRA_TCB_UP_TO_DATE)
    return;
  const sgxra_tcbinfo *ti = sgxra_collateral_tcbinfo(coll);
  const sgxra_qeidentity *qi = sgxra_collateral_qeidentity(coll);
  size_t o = 0;
  int w;
#define SGXRA__PUT(...)                                                        \
  do {                                                                         \
    w = snprintf(out + o, cap - o, __VA_ARGS__);                               \
    if (w < 0 || (size_t)w >= cap - o) return;                                 \
    o += (size_t)w;                                                            \
  } while (0)
  /* The newest UpToDate level; when TCB Info has none (every level of
   * some FMSPCs needs software hardening), the newest level. */
  const sgxra_tcb_level *best = NULL;
  for (size_t i = 0; ti && i < ti->level_count; i++)
    if (ti->levels[i].status == SGXRA_TCB_UP_TO_DATE) {
      best = &ti->levels[i];
      break;
    }
  int has_up_to_date = best != NULL;
  if (!best && ti && ti->level_count) best = &ti->levels[0];
  char date[SGXRA_TIME_TEXT_SIZE];
  if (best) {
    sgxra_time_format(best->tcb_date, date);
    char level[200];
    if (has_up_to_date)
      snprintf(level, sizeof(level), "the newest UpToDate level (tcbDate %s)",
               date);
    else
      snprintf(level, sizeof(level),
               "the newest level (%s, tcbDate %s; TCB Info has no UpToDate "
               "level for this FMSPC)",
               sgxra_tcb_status_name(best->status), date);
    int short_n = 0;
    for (int c = 0; c < SGXRA_TCB_SVN_COUNT; c++)
      if (v->pck.comp_svn[c] < best->sgx_svn[c]) {
        SGXRA__PUT("%s%d: %u < %u", short_n ? ", " : "CPUSVN components ",
                   c + 1, v->pck.comp_svn[c], best->sgx_svn[c]);
        short_n++;
      }
    if (v->pck.pcesvn < best->pcesvn) {
      SGXRA__PUT("%sPCESVN %u < %u", short_n ? "; " : "", v->pck.pcesvn,
                 best->pcesvn);
      short_n++;
    }
    if (short_n)
      SGXRA__PUT(" short of %s", level);
    else
      SGXRA__PUT("TCB SVNs reach %s; the matched level is %s", level,
                 sgxra_tcb_status_name(v->tcb_status));
  }
  if (qi && v->has_qe_level && v->qe_status != SGXRA_TCB_UP_TO_DATE) {
    for (size_t i = 0; i < qi->level_count; i++)
      if (qi->levels[i].status == SGXRA_TCB_UP_TO_DATE) {
        sgxra_time_format(qi->levels[i].tcb_date, date);
        SGXRA__PUT("; QE ISVSVN %u < %u (the newest UpToDate QE level, "
                   "tcbDate %s)",
                   v->qe_report.isvsvn, qi->levels[i].isvsvn, date);
        break;
      }
  }
#undef SGXRA__PUT
}

/* The date an OutOfDate platform's grace is counted from: the matched TCB
 * level's tcbDate when that level is out of date, the QE TCB level's when
 * the QE made the platform out of date, the earlier when both are. */
static int64_t grace_start(const sgxra_verdict *v) {
  int64_t t = INT64_MAX;
  if (is_out_of_date(v->tcb_status)) t = v->tcb_date;
  if (v->has_qe_level && v->qe_status != SGXRA_TCB_UP_TO_DATE &&
      v->qe_tcb_date < t)
    t = v->qe_tcb_date;
  return t == INT64_MAX ? v->tcb_date : t;
}

/* ---- the checks
 * ----------------------------------------------------------------- */

static void check_platform(const sgxra_verdict *v, const sgxra_policy *p,
                           const sgxra_collateral *coll, int64_t now,
                           sgxra_decision *d) {
  char set[160], date[SGXRA_TIME_TEXT_SIZE], until[SGXRA_TIME_TEXT_SIZE],
      at[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(now, at);
  const char *why = d->tcb_explanation;
  sgxra_tcb_status st = v->final_status;
  const char *stn = sgxra_tcb_status_name(st);
  if (!(p->accept_tcb & SGXRA__TCB_BIT(st))) {
    sgxra__tcb_set_text(p->accept_tcb, set, sizeof(set));
    add(d, SGXRA_REASON_TCB_STATUS_NOT_ACCEPTED,
        "platform TCB status %s is not accepted (the policy accepts %s)%s%s",
        stn[0] ? stn : "(none)", set, why[0] ? ": " : "", why);
  } else if (is_out_of_date(st) && p->out_of_date_grace_days >= 0) {
    int64_t from = grace_start(v);
    int64_t end = from + p->out_of_date_grace_days * SGXRA__DAY;
    if (now > end) {
      sgxra_time_format(from, date);
      sgxra_time_format(end, until);
      add(d, SGXRA_REASON_TCB_GRACE_EXCEEDED,
          "%s platform accepted for %lld days after its TCB level's tcbDate "
          "%s, until %s; it is now %s%s%s",
          stn, (long long)p->out_of_date_grace_days, date, until, at,
          why[0] ? ": " : "", why);
    }
  }

  char ids[SGXRA_DECISION_MESSAGE_SIZE - 160];
  size_t n = id_list(v, p, 1, ids, sizeof(ids));
  if (n)
    add(d, SGXRA_REASON_ADVISORY_DENIED,
        "the platform (TCB status %s) is affected by %s %s, denied by the "
        "policy",
        stn, n == 1 ? "advisory" : "advisories", ids);
  if (p->has_advisory_allow) {
    n = id_list(v, p, 0, ids, sizeof(ids));
    if (n)
      add(d, SGXRA_REASON_ADVISORY_NOT_ALLOWED,
          "the platform (TCB status %s) is affected by %s %s, not in the "
          "policy's advisories.allow list",
          stn, n == 1 ? "advisory" : "advisories", ids);
  }

  if (v->collateral_expired && !p->allow_expired_collateral) {
    if (coll) {
      sgxra_time_format(sgxra_collateral_dates(coll).earliest_expiry, date);
      add(d, SGXRA_REASON_COLLATERAL_EXPIRED,
          "Intel's collateral expired %s (earliest nextUpdate / notAfter), "
          "before %s: fetch fresh collateral, or set "
          "allow_expired_collateral",
          date, at);
    } else {
      add(d, SGXRA_REASON_COLLATERAL_EXPIRED,
          "Intel's collateral has expired at %s "
          "(collateral_expiration_status 1): fetch fresh collateral, or set "
          "allow_expired_collateral",
          at);
    }
  }

  if (p->max_collateral_age_days >= 0 && coll) {
    const sgxra_tcbinfo *ti = sgxra_collateral_tcbinfo(coll);
    const sgxra_qeidentity *qi = sgxra_collateral_qeidentity(coll);
    const char *which = "TCB Info";
    int64_t issued = ti->issue_date;
    if (qi->issue_date < issued) {
      issued = qi->issue_date;
      which = "QE Identity";
    }
    if (now - issued > p->max_collateral_age_days * SGXRA__DAY) {
      sgxra_time_format(issued, date);
      add(d, SGXRA_REASON_COLLATERAL_TOO_OLD,
          "%s was issued %s, %lld days before %s; the policy allows %lld "
          "(max_collateral_age_days): fetch fresh collateral",
          which, date, (long long)((now - issued) / SGXRA__DAY), at,
          (long long)p->max_collateral_age_days);
    }
  }
}

static void flags_text(const sgxra_attributes *a, char *out, size_t cap) {
  char f[128];
  sgxra_attributes_flags_text(a->flags, f, sizeof(f));
  snprintf(out, cap, "flags %s (0x%llx) xfrm 0x%llx", f,
           (unsigned long long)a->flags, (unsigned long long)a->xfrm);
}

static sgxra_err check_identity(sgxra_ctx *cx, const sgxra_verdict *v,
                                const sgxra_registry_view *view,
                                sgxra_decision *d) {
  const sgxra_report_body *r = &v->report;
  char me[65], ms[65], other[65];
  hex32(r->mrenclave, me);
  hex32(r->mrsigner, ms);
  int found = 0;
  unsigned fields = 0;
  sgxra_err e = view->enclave_find(cx, view->user, r->mrenclave, &found,
                                   &d->enclave, &fields);
  if (e) return e;
  int allow_debug_signer = 0;
  long long entry = 0;
  if (found) {
    const sgxra_store_enclave *en = &d->enclave;
    d->match = SGXRA_MATCH_ENCLAVE;
    d->match_fields = fields;
    entry = (long long)en->meta.id;
    allow_debug_signer = en->allow_debug_signer;
    if ((fields & SGXRA_REF_MRSIGNER) &&
        memcmp(en->mrsigner, r->mrsigner, SGXRA_HASH_SIZE) != 0) {
      hex32(en->mrsigner, other);
      add(d, SGXRA_REASON_MRSIGNER_MISMATCH,
          "MRENCLAVE %s is registered (entry #%lld) with MRSIGNER %s; the "
          "quote's MRSIGNER is %s",
          me, entry, other, ms);
    }
    if ((fields & SGXRA_REF_ISVPRODID) && en->isvprodid != r->isvprodid)
      add(d, SGXRA_REASON_ISVPRODID_MISMATCH,
          "MRENCLAVE %s is registered (entry #%lld) with ISVPRODID %u; the "
          "quote has ISVPRODID %u",
          me, entry, en->isvprodid, r->isvprodid);
    if ((fields & SGXRA_REF_ISVSVN) && en->isvsvn != r->isvsvn)
      add(d, SGXRA_REASON_ISVSVN_MISMATCH,
          "MRENCLAVE %s is registered (entry #%lld) with ISVSVN %u; the "
          "quote has ISVSVN %u",
          me, entry, en->isvsvn, r->isvsvn);
    if ((fields & SGXRA_REF_MIN_ISVSVN) && r->isvsvn < en->isvsvn)
      add(d, SGXRA_REASON_ISVSVN_BELOW_MINIMUM,
          "MRENCLAVE %s is expected (entry #%lld) from ISVSVN %u; this "
          "enclave has ISVSVN %u",
          me, entry, en->isvsvn, r->isvsvn);
    if ((fields & SGXRA_REF_ATTRIBUTES) &&
        !sgxra_attributes_match(&en->attributes, &r->attributes)) {
      char want[200], got[200];
      flags_text(&en->attributes, want, sizeof(want));
      flags_text(&r->attributes, got, sizeof(got));
      add(d, SGXRA_REASON_ATTRIBUTES_MISMATCH,
          "MRENCLAVE %s is registered (entry #%lld) with ATTRIBUTES %s; the "
          "quote has %s (FLAGS must be equal but for INIT and DEBUG, and "
          "every registered XFRM bit set)",
          me, entry, want, got);
    }
  } else {
    memset(&d->enclave, 0, sizeof(d->enclave));
    e = view->signer_find(cx, view->user, r->mrsigner, r->isvprodid, &found,
                          &d->signer);
    if (e) return e;
    if (found) {
      const sgxra_store_signer *s = &d->signer;
      d->match = SGXRA_MATCH_SIGNER;
      entry = (long long)s->meta.id;
      allow_debug_signer = s->allow_debug_signer;
      if (r->isvsvn < s->min_isvsvn)
        add(d, SGXRA_REASON_ISVSVN_BELOW_MINIMUM,
            "MRENCLAVE %s is not registered; MRSIGNER %s is trusted for "
            "ISVPRODID %u from ISVSVN %u (entry #%lld), this enclave has "
            "ISVSVN %u",
            me, ms, s->isvprodid, s->min_isvsvn, entry, r->isvsvn);
    } else {
      add(d, SGXRA_REASON_MRENCLAVE_NOT_REGISTERED,
          "MRENCLAVE %s is not registered, and MRSIGNER %s is not trusted "
          "for ISVPRODID %u: register the enclave from its SIGSTRUCT or "
          "image if it is one you expect",
          me, ms, r->isvprodid);
    }
  }

  const char *keyname = NULL;
  if (sgxra_mrsigner_is_debug_key(r->mrsigner, &keyname) &&
      !allow_debug_signer) {
    char entry_text[64];
    if (d->match != SGXRA_MATCH_NONE)
      snprintf(entry_text, sizeof(entry_text),
               "registry entry #%lld does not allow it", entry);
    else
      snprintf(entry_text, sizeof(entry_text), "no registry entry allows it");
    add(d, SGXRA_REASON_DEBUG_SIGNER,
        "MRSIGNER %s is the %s, a well-known public key: anyone can sign any "
        "enclave with it; %s (allow_debug_signer)",
        ms, keyname, entry_text);
  }
  return SGXRA_OK;
}

/* ---- sgxra_appraise
 * ---------------------------------------------------------- */

static void copy_verdict(const sgxra_verdict *v, sgxra_decision *d) {
  verdict_names(v, d->ql_return, d->qv_result);
  d->collateral_expired = v->collateral_expired;
  if (v->has_quote) {
    d->has_quote = 1;
    memcpy(d->mrenclave, v->report.mrenclave, SGXRA_HASH_SIZE);
    memcpy(d->mrsigner, v->report.mrsigner, SGXRA_HASH_SIZE);
    d->isvprodid = v->report.isvprodid;
    d->isvsvn = v->report.isvsvn;
    d->attributes = v->report.attributes;
  }
  if (v->has_pck) {
    d->has_pck = 1;
    memcpy(d->fmspc, v->pck.fmspc, SGXRA_FMSPC_SIZE);
  }
  if (v->has_tcb_level) {
    d->tcb_status = v->final_status;
    d->tcb_date = v->tcb_date;
  }
  d->advisory_count = v->advisory_count <= SGXRA_VERDICT_ADVISORY_MAX
                          ? v->advisory_count
                          : SGXRA_VERDICT_ADVISORY_MAX;
  memcpy(d->advisory_ids, v->advisory_ids, sizeof(d->advisory_ids));
}

static sgxra_err appraise(sgxra_ctx *cx, const sgxra_verdict *v,
                          const sgxra_registry_view *view,
                          const sgxra_policy *p,
                          const sgxra_appraise_options *o, int64_t now,
                          sgxra_decision *d) {
  const sgxra_collateral *coll = o ? o->collateral : NULL;
  int genuine = verdict_is_success(v);
  char me[65];

  /* Inputs the policy needs, before anything is looked up. */
  if (genuine && p->max_collateral_age_days >= 0 && !coll)
    return sgxra__fail(cx, SGXRA_E_POLICY_INPUT,
                       "the policy sets max_collateral_age_days (%lld) but "
                       "no collateral was given to read its issue dates "
                       "from",
                       (long long)p->max_collateral_age_days);
  if (genuine && coll && v->has_pck) {
    const sgxra_tcbinfo *ti = sgxra_collateral_tcbinfo(coll);
    if (!ti || memcmp(ti->fmspc, v->pck.fmspc, SGXRA_FMSPC_SIZE) != 0) {
      char a[13] = "", b[13];
      if (ti) sgxra_hex_encode(ti->fmspc, SGXRA_FMSPC_SIZE, a);
      sgxra_hex_encode(v->pck.fmspc, SGXRA_FMSPC_SIZE, b);
      return sgxra__fail(cx, SGXRA_E_POLICY_INPUT,
                         "the collateral given is for FMSPC %s, the quote's "
                         "platform has FMSPC %s: pass the collateral the "
                         "verdict was made with",
                         a, b);
    }
  }

  copy_verdict(v, d);
  d->policy_version = p->version;
  memcpy(d->policy_sha256, p->sha256, SGXRA_SHA256_SIZE);
  d->at = now;

  /* 1. The deny list wins over everything else. */
  if (v->has_quote) {
    hex32(v->report.mrenclave, me);
    int denied = 0;
    sgxra_err e = view->deny_check(cx, view->user, v->report.mrenclave, &denied,
                                   &d->deny);
    if (e) return e;
    if (denied) {
      char when[SGXRA_TIME_TEXT_SIZE];
      sgxra_time_format(d->deny.meta.added_at, when);
      d->denied = 1;
      add(d, SGXRA_REASON_MRENCLAVE_DENIED,
          "MRENCLAVE %s is denied (entry #%lld, by %s at %s): %.200s", me,
          (long long)d->deny.meta.id,
          d->deny.meta.added_by[0] ? d->deny.meta.added_by : "?", when,
          d->deny.reason);
    } else {
      memset(&d->deny, 0, sizeof(d->deny));
    }
  }

  /* 2. Intel's outcome. */
  if (!genuine) {
    add(d, SGXRA_REASON_QUOTE_NOT_GENUINE,
        "Intel's verification returned %s (stage %s): %.300s",
        d->ql_return[0] ? d->ql_return : "no result",
        sgxra_verify_stage_name(v->stage), v->reason);
  } else {
    /* 3..5. The platform. */
    explain_tcb(v, coll, d->tcb_explanation, sizeof(d->tcb_explanation));
    check_platform(v, p, coll, now, d);
  }

  if (v->has_quote) {
    /* 6. DEBUG. */
    if ((v->report.attributes.flags & SGXRA_ATTR_DEBUG) && !p->allow_debug)
      add(d, SGXRA_REASON_DEBUG_ENCLAVE,
          "MRENCLAVE %s runs in DEBUG mode (ATTRIBUTES.DEBUG set): its "
          "memory and secrets are open to the platform's owner; the policy "
          "does not allow_debug",
          me);
    /* 7, 8. Identity and signer key, unless the caller checks no
     * identity (a verifier, not a registry: `sgxra verify`). */
    if (!(o && o->identity_not_checked)) {
      sgxra_err e = check_identity(cx, v, view, d);
      if (e) return e;
    }
    /* 9. REPORTDATA. */
    if (o && o->has_report_data) {
      if (!sgxra_ct_equal(o->report_data, v->report.reportdata,
                          SGXRA_REPORTDATA_SIZE)) {
        char got[2 * SGXRA_REPORTDATA_SIZE + 1],
            want[2 * SGXRA_REPORTDATA_SIZE + 1];
        sgxra_hex_encode(v->report.reportdata, SGXRA_REPORTDATA_SIZE, got);
        sgxra_hex_encode(o->report_data, SGXRA_REPORTDATA_SIZE, want);
        add(d, SGXRA_REASON_REPORT_DATA_MISMATCH,
            "REPORTDATA %s differs from the expected %s", got, want);
      }
    } else if (p->require_report_data) {
      add(d, SGXRA_REASON_REPORT_DATA_NOT_GIVEN,
          "the policy requires a REPORTDATA check (require_report_data) and "
          "no expected REPORTDATA was given");
    }
  }
  return SGXRA_OK;
}

sgxra_err sgxra_appraise(sgxra_ctx *cx, const sgxra_verdict *verdict,
                         const sgxra_registry_view *view,
                         const sgxra_policy *policy,
                         const sgxra_appraise_options *options, int64_t now,
                         sgxra_decision *out) {
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "appraise: no output");
  memset(out, 0, sizeof(*out));
  if (!verdict || !policy)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "appraise: no %s given",
                       verdict ? "policy" : "verdict");
  if (!view || !view->deny_check || !view->enclave_find || !view->signer_find)
    return sgxra__fail(cx, SGXRA_E_POLICY_NO_REGISTRY,
                       "appraise: no registry to compare the enclave with "
                       "(open a store, or give expected values)");
  sgxra_err e = appraise(cx, verdict, view, policy, options, now, out);
  if (e) {
    memset(out, 0, sizeof(*out));
    return e;
  }
  out->trusted = out->reason_count == 0;
  return SGXRA_OK;
}
