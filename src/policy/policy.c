/* The appraisal policy document: parse, defaults, the store's versions,
 * the effective policy as JSON.  The schema: docs/POLICY.md; the struct:
 * sgxra/policy.h.
 *
 * Parsing is strict on purpose: a policy decides what is trusted, so a key
 * misspelt ("accept_tcb_statuses") must not silently fall back to a
 * default, and a value of the wrong type must not be read as something
 * else.  Every message names the key path and what was found. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "policy/internal.h"
#include "sgxra/policy.h"

static const char *json_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a number with a fraction or exponent";
  case JSON_TRUE:
    return "true";
  case JSON_FALSE:
    return "false";
  case JSON_NULL:
    return "null";
  }
  return "?";
}

void sgxra__tcb_set_text(uint32_t set, char *out, size_t cap) {
  size_t o = 0;
  out[0] = '\0';
  for (int s = SGXRA_TCB_UP_TO_DATE; s <= SGXRA_TCB_REVOKED; s++) {
    if (!(set & SGXRA__TCB_BIT(s))) continue;
    int w = snprintf(out + o, cap - o, "%s%s", o ? ", " : "",
                     sgxra_tcb_status_name((sgxra_tcb_status)s));
    if (w < 0 || (size_t)w >= cap - o) return;
    o += (size_t)w;
  }
  if (o == 0) snprintf(out, cap, "none");
}

static sgxra_err want_bool(sgxra_ctx *cx, const char *key, const json_t *v,
                           int *out) {
  if (!json_is_boolean(v))
    return sgxra__fail(cx, SGXRA_E_POLICY_TYPE,
                       "policy: \"%s\": expected true or false, found %s", key,
                       json_type_name(v));
  *out = json_is_true(v);
  return SGXRA_OK;
}

/* null -> -1 (no limit), or an integer lo..hi. */
static sgxra_err want_days(sgxra_ctx *cx, const char *key, const json_t *v,
                           int64_t lo, int64_t *out) {
  if (json_is_null(v)) {
    *out = -1;
    return SGXRA_OK;
  }
  if (!json_is_integer(v))
    return sgxra__fail(cx, SGXRA_E_POLICY_TYPE,
                       "policy: \"%s\": expected a number of days "
                       "(%lld..%d) or null, found %s",
                       key, (long long)lo, SGXRA_POLICY_DAYS_MAX,
                       json_type_name(v));
  json_int_t n = json_integer_value(v);
  if (n < lo || n > SGXRA_POLICY_DAYS_MAX)
    return sgxra__fail(cx, SGXRA_E_POLICY_VALUE,
                       "policy: \"%s\": %lld days is out of range %lld..%d",
                       key, (long long)n, (long long)lo, SGXRA_POLICY_DAYS_MAX);
  *out = (int64_t)n;
  return SGXRA_OK;
}

static sgxra_err parse_accept(sgxra_ctx *cx, const json_t *v, uint32_t *out) {
  const char *key = "accept_tcb_status";
  if (!json_is_array(v))
    return sgxra__fail(cx, SGXRA_E_POLICY_TYPE,
                       "policy: \"%s\": expected an array of TCB status "
                       "names, found %s",
                       key, json_type_name(v));
  if (json_array_size(v) == 0)
    return sgxra__fail(cx, SGXRA_E_POLICY_VALUE,
                       "policy: \"%s\" is empty: no platform could ever be "
                       "trusted (write [\"UpToDate\"] for the strict choice)",
                       key);
  uint32_t set = 0;
  size_t i;
  json_t *s;
  json_array_foreach(v, i, s) {
    if (!json_is_string(s))
      return sgxra__fail(cx, SGXRA_E_POLICY_TYPE,
                         "policy: \"%s[%zu]\": expected a TCB status name, "
                         "found %s",
                         key, i, json_type_name(s));
    const char *name = json_string_value(s);
    sgxra_tcb_status st =
        sgxra_tcb_status_from_name(name, json_string_length(s));
    if (st == SGXRA_TCB_STATUS_INVALID)
      return sgxra__fail(
          cx, SGXRA_E_POLICY_VALUE,
          "policy: \"%s[%zu]\": \"%.64s\" is not a TCB status (UpToDate, "
          "SWHardeningNeeded, ConfigurationNeeded, "
          "ConfigurationAndSWHardeningNeeded, OutOfDate, "
          "OutOfDateConfigurationNeeded; names are case-sensitive)",
          key, i, name);
    if (st == SGXRA_TCB_REVOKED)
      return sgxra__fail(cx, SGXRA_E_POLICY_VALUE,
                         "policy: \"%s[%zu]\": Revoked cannot be accepted: "
                         "a revoked platform never verifies",
                         key, i);
    if (set & SGXRA__TCB_BIT(st))
      return sgxra__fail(cx, SGXRA_E_POLICY_VALUE,
                         "policy: \"%s[%zu]\": \"%s\" is listed twice", key, i,
                         name);
    set |= SGXRA__TCB_BIT(st);
  }
  *out = set;
  return SGXRA_OK;
}

/* An advisory ID as Intel writes them ("INTEL-SA-00615"): 1..20 of
 * [A-Za-z0-9-]; the QvE refuses longer IDs. */
static int advisory_id_ok(const char *s, size_t n) {
  if (n == 0 || n > SGXRA_POLICY_ADVISORY_ID_MAX) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-'))
      return 0;
  }
  return 1;
}

static int in_list(char (*list)[SGXRA_POLICY_ADVISORY_SIZE], size_t n,
                   const char *id) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i], id) == 0) return 1;
  return 0;
}

static sgxra_err parse_ids(sgxra_ctx *cx, const char *key, const json_t *v,
                           char (*list)[SGXRA_POLICY_ADVISORY_SIZE],
                           size_t *count) {
  if (!json_is_array(v))
    return sgxra__fail(cx, SGXRA_E_POLICY_TYPE,
                       "policy: \"advisories.%s\": expected an array of "
                       "advisory IDs, found %s",
                       key, json_type_name(v));
  if (json_array_size(v) > SGXRA_POLICY_ADVISORY_MAX)
    return sgxra__fail(cx, SGXRA_E_POLICY_VALUE,
                       "policy: \"advisories.%s\": %zu IDs, at most %d", key,
                       json_array_size(v), SGXRA_POLICY_ADVISORY_MAX);
  size_t i;
  json_t *s;
  json_array_foreach(v, i, s) {
    if (!json_is_string(s))
      return sgxra__fail(cx, SGXRA_E_POLICY_TYPE,
                         "policy: \"advisories.%s[%zu]\": expected an "
                         "advisory ID string, found %s",
                         key, i, json_type_name(s));
    const char *id = json_string_value(s);
    if (!advisory_id_ok(id, json_string_length(s)))
      return sgxra__fail(cx, SGXRA_E_POLICY_VALUE,
                         "policy: \"advisories.%s[%zu]\": \"%.40s\" is not "
                         "an advisory ID (1..%d of A-Z a-z 0-9 -, e.g. "
                         "\"INTEL-SA-00615\")",
                         key, i, id, SGXRA_POLICY_ADVISORY_ID_MAX);
    if (in_list(list, *count, id))
      return sgxra__fail(cx, SGXRA_E_POLICY_VALUE,
                         "policy: \"advisories.%s[%zu]\": \"%s\" is listed "
                         "twice",
                         key, i, id);
    snprintf(list[*count], SGXRA_POLICY_ADVISORY_SIZE, "%s", id);
    (*count)++;
  }
  return SGXRA_OK;
}

static sgxra_err parse_advisories(sgxra_ctx *cx, const json_t *v,
                                  sgxra_policy *p) {
  if (!json_is_object(v))
    return sgxra__fail(cx, SGXRA_E_POLICY_TYPE,
                       "policy: \"advisories\": expected an object with "
                       "\"allow\" and/or \"deny\", found %s",
                       json_type_name(v));
  const char *k;
  json_t *x;
  json_object_foreach((json_t *)v, k, x) {
    sgxra_err e;
    if (strcmp(k, "allow") == 0) {
      p->has_advisory_allow = 1;
      e = parse_ids(cx, "allow", x, p->advisory_allow,
                    &p->advisory_allow_count);
    } else if (strcmp(k, "deny") == 0) {
      e = parse_ids(cx, "deny", x, p->advisory_deny, &p->advisory_deny_count);
    } else {
      e = sgxra__fail(cx, SGXRA_E_POLICY_UNKNOWN_KEY,
                      "policy: unknown key \"advisories.%.64s\" (known: "
                      "allow, deny)",
                      k);
    }
    if (e) return e;
  }
  for (size_t i = 0; i < p->advisory_deny_count; i++)
    if (in_list(p->advisory_allow, p->advisory_allow_count,
                p->advisory_deny[i]))
      return sgxra__fail(cx, SGXRA_E_POLICY_VALUE,
                         "policy: \"%s\" is in both advisories.allow and "
                         "advisories.deny",
                         p->advisory_deny[i]);
  return SGXRA_OK;
}

static sgxra_err parse_object(sgxra_ctx *cx, const json_t *root,
                              sgxra_policy *p) {
  if (!json_is_object(root))
    return sgxra__fail(cx, SGXRA_E_POLICY_FORMAT,
                       "policy: expected a JSON object, found %s",
                       json_type_name(root));
  const json_t *fmt = json_object_get(root, "sgxra_policy");
  if (!fmt)
    return sgxra__fail(cx, SGXRA_E_POLICY_FORMAT,
                       "policy: \"sgxra_policy\" is missing: a policy "
                       "document starts {\"sgxra_policy\": %d, ...}",
                       SGXRA_POLICY_FORMAT);
  if (!json_is_integer(fmt))
    return sgxra__fail(cx, SGXRA_E_POLICY_TYPE,
                       "policy: \"sgxra_policy\": expected the integer %d, "
                       "found %s",
                       SGXRA_POLICY_FORMAT, json_type_name(fmt));
  if (json_integer_value(fmt) != SGXRA_POLICY_FORMAT)
    return sgxra__fail(cx, SGXRA_E_POLICY_VERSION,
                       "policy: \"sgxra_policy\": format %lld is not "
                       "supported by this build (it reads %d)",
                       (long long)json_integer_value(fmt), SGXRA_POLICY_FORMAT);

  const char *k;
  json_t *v;
  json_object_foreach((json_t *)root, k, v) {
    sgxra_err e = SGXRA_OK;
    if (strcmp(k, "sgxra_policy") == 0) {
      continue;
    } else if (strcmp(k, "accept_tcb_status") == 0) {
      e = parse_accept(cx, v, &p->accept_tcb);
    } else if (strcmp(k, "advisories") == 0) {
      e = parse_advisories(cx, v, p);
    } else if (strcmp(k, "out_of_date_grace_days") == 0) {
      e = want_days(cx, k, v, 0, &p->out_of_date_grace_days);
    } else if (strcmp(k, "allow_debug") == 0) {
      e = want_bool(cx, k, v, &p->allow_debug);
    } else if (strcmp(k, "allow_expired_collateral") == 0) {
      e = want_bool(cx, k, v, &p->allow_expired_collateral);
    } else if (strcmp(k, "max_collateral_age_days") == 0) {
      e = want_days(cx, k, v, 1, &p->max_collateral_age_days);
    } else if (strcmp(k, "require_report_data") == 0) {
      e = want_bool(cx, k, v, &p->require_report_data);
    } else if (strcmp(k, "comment") == 0) {
      if (!json_is_string(v))
        e = sgxra__fail(cx, SGXRA_E_POLICY_TYPE,
                        "policy: \"comment\": expected a string, found %s",
                        json_type_name(v));
    } else {
      e = sgxra__fail(
          cx, SGXRA_E_POLICY_UNKNOWN_KEY,
          "policy: unknown key \"%.64s\" (known: sgxra_policy, "
          "accept_tcb_status, advisories, out_of_date_grace_days, "
          "allow_debug, allow_expired_collateral, max_collateral_age_days, "
          "require_report_data, comment; see docs/POLICY.md)",
          k);
    }
    if (e) return e;
  }
  uint32_t ood = SGXRA__TCB_BIT(SGXRA_TCB_OUT_OF_DATE) |
                 SGXRA__TCB_BIT(SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
  if (p->out_of_date_grace_days >= 0 && !(p->accept_tcb & ood))
    return sgxra__fail(cx, SGXRA_E_POLICY_VALUE,
                       "policy: \"out_of_date_grace_days\" is set but "
                       "\"accept_tcb_status\" accepts neither OutOfDate nor "
                       "OutOfDateConfigurationNeeded: add one, or remove "
                       "the grace period");
  return SGXRA_OK;
}

sgxra_err sgxra_policy_parse(sgxra_ctx *cx, const char *doc, size_t n,
                             sgxra_policy *out) {
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "policy: no output");
  memset(out, 0, sizeof(*out));
  if (!doc && n)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "policy: NULL document of length %zu", n);
  if (n > SGXRA_POLICY_DOC_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE, "policy: %zu bytes, at most %d",
                       n, SGXRA_POLICY_DOC_MAX);
  sgxra_policy p;
  memset(&p, 0, sizeof(p));
  p.accept_tcb = SGXRA__TCB_BIT(SGXRA_TCB_UP_TO_DATE);
  p.out_of_date_grace_days = -1;
  p.max_collateral_age_days = -1;

  json_error_t jerr;
  json_t *root = json_loadb(doc ? doc : "", n, JSON_REJECT_DUPLICATES, &jerr);
  if (!root)
    return sgxra__fail(cx, SGXRA_E_POLICY_FORMAT,
                       "policy: not JSON: %s (line %d, column %d)", jerr.text,
                       jerr.line, jerr.column);
  sgxra_err e = parse_object(cx, root, &p);
  json_decref(root);
  if (!e) e = sgxra_sha256(cx, doc ? doc : "", n, p.sha256);
  if (e) return e;
  *out = p;
  return SGXRA_OK;
}

sgxra_err sgxra_policy_default(sgxra_ctx *cx, sgxra_policy *out) {
  return sgxra_policy_parse(cx, SGXRA_POLICY_DEFAULT_DOC,
                            strlen(SGXRA_POLICY_DEFAULT_DOC), out);
}

sgxra_err sgxra_policy_load_store(sgxra_ctx *cx, sgxra_store *st,
                                  int64_t version, sgxra_policy *out) {
  if (!out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "policy: no output");
  memset(out, 0, sizeof(*out));
  if (!st)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "policy: no store to load the policy from");
  sgxra_store_policy_info info;
  char *doc = NULL;
  sgxra_err e = sgxra_store_policy_get(cx, st, version, &info, &doc);
  if (e) return e;
  sgxra_policy p;
  e = sgxra_policy_parse(cx, doc, info.size, &p);
  sgxra_store_free(doc);
  if (e)
    return sgxra__context(cx, e, "policy version %lld in %s",
                          (long long)info.version, sgxra_store_name(st));
  /* The store hashed the same bytes when it stored them and checked them
   * again on reading; the parse hashed them a third time. */
  if (memcmp(p.sha256, info.sha256, SGXRA_SHA256_SIZE) != 0)
    return sgxra__fail(cx, SGXRA_E_INTERNAL,
                       "policy version %lld: digest differs from the "
                       "store's",
                       (long long)info.version);
  p.version = info.version;
  *out = p;
  return SGXRA_OK;
}

static json_t *days_json(int64_t d) {
  return d < 0 ? json_null() : json_integer((json_int_t)d);
}

sgxra_err sgxra_policy_to_json(sgxra_ctx *cx, const sgxra_policy *p,
                               char **out_json) {
  if (out_json) *out_json = NULL;
  if (!p || !out_json)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "policy: NULL policy or output");
  json_t *j = json_object();
  json_t *acc = json_array();
  json_t *adv = json_object();
  json_t *deny = json_array();
  for (int s = SGXRA_TCB_UP_TO_DATE; s <= SGXRA_TCB_REVOKED; s++)
    if (p->accept_tcb & SGXRA__TCB_BIT(s))
      json_array_append_new(
          acc, json_string(sgxra_tcb_status_name((sgxra_tcb_status)s)));
  if (p->has_advisory_allow) {
    json_t *allow = json_array();
    for (size_t i = 0; i < p->advisory_allow_count; i++)
      json_array_append_new(allow, json_string(p->advisory_allow[i]));
    json_object_set_new(adv, "allow", allow);
  }
  for (size_t i = 0; i < p->advisory_deny_count; i++)
    json_array_append_new(deny, json_string(p->advisory_deny[i]));
  json_object_set_new(adv, "deny", deny);
  json_object_set_new(j, "sgxra_policy", json_integer(SGXRA_POLICY_FORMAT));
  json_object_set_new(j, "accept_tcb_status", acc);
  json_object_set_new(j, "advisories", adv);
  json_object_set_new(j, "out_of_date_grace_days",
                      days_json(p->out_of_date_grace_days));
  json_object_set_new(j, "allow_debug", json_boolean(p->allow_debug));
  json_object_set_new(j, "allow_expired_collateral",
                      json_boolean(p->allow_expired_collateral));
  json_object_set_new(j, "max_collateral_age_days",
                      days_json(p->max_collateral_age_days));
  json_object_set_new(j, "require_report_data",
                      json_boolean(p->require_report_data));
  char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
  json_decref(j);
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "policy: JSON text");
  *out_json = s;
  return SGXRA_OK;
}
