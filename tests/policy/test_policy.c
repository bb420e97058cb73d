/* Tests of the policy document and the appraisal's inputs (sgxra/policy.h):
 * defaults, every key, every parse error with its code and the key it
 * names, the document's SHA-256, the effective policy as JSON; expected
 * REPORTDATA and expected values (sizes, hex, missing pieces); reason code
 * names.  The appraisal matrix itself is tests/policy/test_policy_appraise.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "common/testutil.h"
#include "sgxra/policy.h"

#define BIT(s) (1u << (s))

static sgxra_err parse(sgxra_ctx *cx, const char *doc, sgxra_policy *p) {
  return sgxra_policy_parse(cx, doc, strlen(doc), p);
}

static void test_defaults(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_policy p;
  assert_int_equal(sgxra_policy_default(cx, &p), SGXRA_OK);
  assert_int_equal(p.accept_tcb, BIT(SGXRA_TCB_UP_TO_DATE));
  assert_int_equal(p.allow_debug, 0);
  assert_int_equal(p.has_advisory_allow, 0);
  assert_int_equal(p.advisory_deny_count, 0);
  assert_int_equal(p.out_of_date_grace_days, -1);
  assert_int_equal(p.allow_expired_collateral, 0);
  assert_int_equal(p.max_collateral_age_days, -1);
  assert_int_equal(p.require_report_data, 0);
  assert_int_equal(p.version, 0);
  /* SHA-256 of the 18 bytes {"sgxra_policy":1}, computed by OpenSSL */
  uint8_t want[32];
  unsigned int wl = 0;
  EVP_Digest("{\"sgxra_policy\":1}", 18, want, &wl, EVP_sha256(), NULL);
  assert_memory_equal(p.sha256, want, 32);
  /* whitespace is part of the document: another hash, same policy */
  sgxra_policy q;
  assert_int_equal(parse(cx, "{ \"sgxra_policy\": 1 }", &q), SGXRA_OK);
  assert_int_equal(q.accept_tcb, p.accept_tcb);
  assert_memory_not_equal(q.sha256, p.sha256, 32);
  sgxra_ctx_free(cx);
}

static const char FULL[] =
    "{\"sgxra_policy\": 1,\n"
    " \"accept_tcb_status\": [\"UpToDate\", \"SWHardeningNeeded\", "
    "\"OutOfDate\"],\n"
    " \"advisories\": {\"allow\": [\"INTEL-SA-00615\", \"INTEL-SA-00289\"],\n"
    "                \"deny\": [\"INTEL-SA-00334\"]},\n"
    " \"out_of_date_grace_days\": 30,\n"
    " \"allow_debug\": true,\n"
    " \"allow_expired_collateral\": true,\n"
    " \"max_collateral_age_days\": 7,\n"
    " \"require_report_data\": true,\n"
    " \"comment\": \"test\"}";

static void test_every_key(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_policy p;
  assert_int_equal(parse(cx, FULL, &p), SGXRA_OK);
  assert_int_equal(p.accept_tcb, BIT(SGXRA_TCB_UP_TO_DATE) |
                                     BIT(SGXRA_TCB_SW_HARDENING_NEEDED) |
                                     BIT(SGXRA_TCB_OUT_OF_DATE));
  assert_int_equal(p.has_advisory_allow, 1);
  assert_int_equal(p.advisory_allow_count, 2);
  assert_string_equal(p.advisory_allow[0], "INTEL-SA-00615");
  assert_string_equal(p.advisory_allow[1], "INTEL-SA-00289");
  assert_int_equal(p.advisory_deny_count, 1);
  assert_string_equal(p.advisory_deny[0], "INTEL-SA-00334");
  assert_int_equal(p.out_of_date_grace_days, 30);
  assert_int_equal(p.allow_debug, 1);
  assert_int_equal(p.allow_expired_collateral, 1);
  assert_int_equal(p.max_collateral_age_days, 7);
  assert_int_equal(p.require_report_data, 1);

  /* the effective policy parses back to the same policy */
  char *j = NULL;
  assert_int_equal(sgxra_policy_to_json(cx, &p, &j), SGXRA_OK);
  assert_non_null(strstr(j, "\"out_of_date_grace_days\": 30"));
  sgxra_policy q;
  assert_int_equal(parse(cx, j, &q), SGXRA_OK);
  free(j);
  memcpy(q.sha256, p.sha256, 32);
  assert_memory_equal(&q, &p, sizeof(p));

  /* the default written out: every key, nulls for no limit */
  assert_int_equal(sgxra_policy_default(cx, &p), SGXRA_OK);
  assert_int_equal(sgxra_policy_to_json(cx, &p, &j), SGXRA_OK);
  assert_string_equal(j, "{\n"
                         "  \"accept_tcb_status\": [\n"
                         "    \"UpToDate\"\n"
                         "  ],\n"
                         "  \"advisories\": {\n"
                         "    \"deny\": []\n"
                         "  },\n"
                         "  \"allow_debug\": false,\n"
                         "  \"allow_expired_collateral\": false,\n"
                         "  \"max_collateral_age_days\": null,\n"
                         "  \"out_of_date_grace_days\": null,\n"
                         "  \"require_report_data\": false,\n"
                         "  \"sgxra_policy\": 1\n"
                         "}");
  free(j);
  /* an empty allow list is a list: no advisory at all is tolerated */
  assert_int_equal(
      parse(cx, "{\"sgxra_policy\":1,\"advisories\":{\"allow\":[]}}", &p),
      SGXRA_OK);
  assert_int_equal(p.has_advisory_allow, 1);
  assert_int_equal(p.advisory_allow_count, 0);
  /* null = no limit */
  assert_int_equal(parse(cx,
                         "{\"sgxra_policy\":1,\"accept_tcb_status\":["
                         "\"OutOfDate\"],\"out_of_date_grace_days\":null}",
                         &p),
                   SGXRA_OK);
  assert_int_equal(p.out_of_date_grace_days, -1);
  sgxra_ctx_free(cx);
}

/* Each bad document: its code and a phrase the message must contain (the
 * key it names). */
static const struct {
  const char *doc;
  sgxra_err code;
  const char *says;
} BAD[] = {
    {"", SGXRA_E_POLICY_FORMAT, "not JSON"},
    {"{\"sgxra_policy\":1", SGXRA_E_POLICY_FORMAT, "not JSON"},
    {"[1]", SGXRA_E_POLICY_FORMAT, "found an array"},
    {"{}", SGXRA_E_POLICY_FORMAT, "\"sgxra_policy\" is missing"},
    {"{\"sgxra_policy\":1,\"allow_debug\":true,\"allow_debug\":false}",
     SGXRA_E_POLICY_FORMAT, "duplicate"},
    {"{\"sgxra_policy\":2}", SGXRA_E_POLICY_VERSION, "format 2"},
    {"{\"sgxra_policy\":\"1\"}", SGXRA_E_POLICY_TYPE, "\"sgxra_policy\""},
    {"{\"sgxra_policy\":1,\"accept_tcb_statuses\":[]}",
     SGXRA_E_POLICY_UNKNOWN_KEY, "\"accept_tcb_statuses\""},
    {"{\"sgxra_policy\":1,\"advisories\":{\"alow\":[]}}",
     SGXRA_E_POLICY_UNKNOWN_KEY, "\"advisories.alow\""},
    {"{\"sgxra_policy\":1,\"allow_debug\":\"no\"}", SGXRA_E_POLICY_TYPE,
     "\"allow_debug\": expected true or false, found a string"},
    {"{\"sgxra_policy\":1,\"allow_debug\":0}", SGXRA_E_POLICY_TYPE,
     "\"allow_debug\""},
    {"{\"sgxra_policy\":1,\"allow_expired_collateral\":null}",
     SGXRA_E_POLICY_TYPE, "\"allow_expired_collateral\""},
    {"{\"sgxra_policy\":1,\"require_report_data\":1}", SGXRA_E_POLICY_TYPE,
     "\"require_report_data\""},
    {"{\"sgxra_policy\":1,\"comment\":5}", SGXRA_E_POLICY_TYPE, "\"comment\""},
    {"{\"sgxra_policy\":1,\"accept_tcb_status\":\"UpToDate\"}",
     SGXRA_E_POLICY_TYPE, "\"accept_tcb_status\""},
    {"{\"sgxra_policy\":1,\"accept_tcb_status\":[1]}", SGXRA_E_POLICY_TYPE,
     "\"accept_tcb_status[0]\""},
    {"{\"sgxra_policy\":1,\"accept_tcb_status\":[\"UpToDate\",\"uptodate\"]}",
     SGXRA_E_POLICY_VALUE, "\"accept_tcb_status[1]\": \"uptodate\" is not"},
    {"{\"sgxra_policy\":1,\"accept_tcb_status\":[\"Revoked\"]}",
     SGXRA_E_POLICY_VALUE, "Revoked cannot be accepted"},
    {"{\"sgxra_policy\":1,\"accept_tcb_status\":[\"OutOfDate\",\"OutOfDate\"]}",
     SGXRA_E_POLICY_VALUE, "listed twice"},
    {"{\"sgxra_policy\":1,\"accept_tcb_status\":[]}", SGXRA_E_POLICY_VALUE,
     "is empty"},
    {"{\"sgxra_policy\":1,\"out_of_date_grace_days\":-1,"
     "\"accept_tcb_status\":[\"OutOfDate\"]}",
     SGXRA_E_POLICY_VALUE, "\"out_of_date_grace_days\": -1 days"},
    {"{\"sgxra_policy\":1,\"out_of_date_grace_days\":3651,"
     "\"accept_tcb_status\":[\"OutOfDate\"]}",
     SGXRA_E_POLICY_VALUE, "3651 days is out of range 0..3650"},
    {"{\"sgxra_policy\":1,\"out_of_date_grace_days\":1.5}", SGXRA_E_POLICY_TYPE,
     "found a number with a fraction"},
    {"{\"sgxra_policy\":1,\"out_of_date_grace_days\":30}", SGXRA_E_POLICY_VALUE,
     "accepts neither OutOfDate"},
    {"{\"sgxra_policy\":1,\"max_collateral_age_days\":0}", SGXRA_E_POLICY_VALUE,
     "\"max_collateral_age_days\": 0 days"},
    {"{\"sgxra_policy\":1,\"max_collateral_age_days\":\"7\"}",
     SGXRA_E_POLICY_TYPE, "\"max_collateral_age_days\""},
    {"{\"sgxra_policy\":1,\"advisories\":[]}", SGXRA_E_POLICY_TYPE,
     "\"advisories\": expected an object"},
    {"{\"sgxra_policy\":1,\"advisories\":{\"deny\":\"INTEL-SA-00615\"}}",
     SGXRA_E_POLICY_TYPE, "\"advisories.deny\""},
    {"{\"sgxra_policy\":1,\"advisories\":{\"deny\":[\"INTEL SA 1\"]}}",
     SGXRA_E_POLICY_VALUE, "\"advisories.deny[0]\""},
    {"{\"sgxra_policy\":1,\"advisories\":{\"allow\":[\"\"]}}",
     SGXRA_E_POLICY_VALUE, "\"advisories.allow[0]\""},
    {"{\"sgxra_policy\":1,\"advisories\":{\"allow\":[\"INTEL-SA-000000000001"
     "5\"]}}",
     SGXRA_E_POLICY_VALUE, "is not an advisory ID"},
    {"{\"sgxra_policy\":1,\"advisories\":{\"allow\":[\"A\",\"B\",\"A\"]}}",
     SGXRA_E_POLICY_VALUE, "\"advisories.allow[2]\": \"A\" is listed twice"},
    {"{\"sgxra_policy\":1,\"advisories\":{\"allow\":[\"A\"],\"deny\":[\"A\"]}}",
     SGXRA_E_POLICY_VALUE, "in both"},
};

static void test_bad_documents(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
    sgxra_policy p;
    memset(&p, 0xa5, sizeof(p));
    sgxra_err e = parse(cx, BAD[i].doc, &p);
    if (e != BAD[i].code)
      fail_msg("case %zu %s: %s, want %s (%s)", i, BAD[i].doc,
               sgxra_err_name(e), sgxra_err_name(BAD[i].code),
               sgxra_ctx_message(cx));
    if (!strstr(sgxra_ctx_message(cx), BAD[i].says))
      fail_msg("case %zu: message '%s' lacks '%s'", i, sgxra_ctx_message(cx),
               BAD[i].says);
    /* zeroed on error */
    sgxra_policy zero;
    memset(&zero, 0, sizeof(zero));
    assert_memory_equal(&p, &zero, sizeof(p));
  }
  /* too large */
  size_t big = SGXRA_POLICY_DOC_MAX + 1;
  char *b = malloc(big);
  memset(b, ' ', big);
  sgxra_policy p;
  assert_int_equal(sgxra_policy_parse(cx, b, big, &p), SGXRA_E_TOO_LARGE);
  free(b);
  /* a NUL inside the given length is not the end of the document */
  assert_int_equal(sgxra_policy_parse(cx, "{\"sgxra_policy\":1}\0x", 19, &p),
                   SGXRA_E_POLICY_FORMAT);
  assert_int_equal(sgxra_policy_parse(cx, NULL, 3, &p),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
}

static void test_report_data_options(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_appraise_options o;
  memset(&o, 0, sizeof(o));
  uint8_t b[64];
  for (int i = 0; i < 64; i++) b[i] = (uint8_t)(i + 1);
  assert_int_equal(sgxra_appraise_options_report_data(cx, &o, b, 64), SGXRA_OK);
  assert_int_equal(o.has_report_data, 1);
  assert_memory_equal(o.report_data, b, 64);
  /* 32 bytes: then 32 zeros */
  assert_int_equal(sgxra_appraise_options_report_data(cx, &o, b, 32), SGXRA_OK);
  assert_memory_equal(o.report_data, b, 32);
  uint8_t zero[32] = {0};
  assert_memory_equal(o.report_data + 32, zero, 32);
  assert_int_equal(sgxra_appraise_options_report_data(cx, &o, b, 33),
                   SGXRA_E_POLICY_HEX);
  assert_non_null(strstr(sgxra_ctx_message(cx), "found 33"));

  const char *h64 =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  assert_int_equal(
      sgxra_appraise_options_report_data_hex(cx, &o, h64, strlen(h64)),
      SGXRA_OK);
  assert_int_equal(o.report_data[31], 0x1f);
  assert_int_equal(o.report_data[32], 0);
  char h128[129];
  snprintf(h128, sizeof h128, "%s%s", h64, h64);
  assert_int_equal(sgxra_appraise_options_report_data_hex(cx, &o, h128, 128),
                   SGXRA_OK);
  assert_int_equal(o.report_data[63], 0x1f);
  assert_int_equal(sgxra_appraise_options_report_data_hex(cx, &o, h64, 62),
                   SGXRA_E_POLICY_HEX);
  assert_non_null(strstr(sgxra_ctx_message(cx), "found 62"));
  h128[5] = 'g';
  assert_int_equal(sgxra_appraise_options_report_data_hex(cx, &o, h128, 128),
                   SGXRA_E_HEX);
  sgxra_ctx_free(cx);
}

static void test_expected_values(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_registry_memory *m = NULL;
  assert_int_equal(sgxra_registry_memory_new(cx, &m), SGXRA_OK);
  const char *me =
      "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb";
  const char *ms =
      "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6";
  sgxra_expected x = {NULL, NULL, -1, -1, 0};
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &x),
                   SGXRA_E_POLICY_INPUT);
  x.isvprodid = 1;
  x.min_isvsvn = 2;
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &x),
                   SGXRA_E_POLICY_INPUT);
  x.isvprodid = -1;
  x.min_isvsvn = -1;
  x.mrsigner_hex = ms; /* MRSIGNER without ISVPRODID */
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &x),
                   SGXRA_E_POLICY_INPUT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "needs ISVPRODID"));
  x.isvprodid = 70000;
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &x),
                   SGXRA_E_POLICY_INPUT);
  x.isvprodid = 0;
  x.mrsigner_hex = "815f42f1"; /* wrong size */
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &x),
                   SGXRA_E_POLICY_HEX);
  assert_string_equal(sgxra_ctx_message(cx),
                      "MRSIGNER: expected 64 hex digits (32 bytes), found 8");
  x.mrsigner_hex = ms;
  x.mrenclave_hex = "33d8"; /* wrong size */
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &x),
                   SGXRA_E_POLICY_HEX);
  assert_non_null(strstr(sgxra_ctx_message(cx), "MRENCLAVE: expected 64"));
  char bad[65];
  snprintf(bad, sizeof bad, "%s", me);
  bad[10] = 'x';
  x.mrenclave_hex = bad;
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &x), SGXRA_E_HEX);
  x.mrenclave_hex = me;
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &x), SGXRA_OK);
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &x),
                   SGXRA_E_STORE_DUPLICATE);

  /* what the view answers for it */
  sgxra_registry_view v = sgxra_registry_view_memory(m);
  uint8_t mr[32];
  tu_hex(me, mr, 32);
  int found = 0;
  unsigned fields = 0;
  sgxra_store_enclave en;
  assert_int_equal(v.enclave_find(cx, v.user, mr, &found, &en, &fields),
                   SGXRA_OK);
  assert_int_equal(found, 1);
  assert_int_equal(fields, SGXRA_REF_MRSIGNER | SGXRA_REF_ISVPRODID);
  tu_assert_hex(en.mrsigner, 32, ms);
  assert_int_equal(en.meta.id, 1);
  mr[0] ^= 1;
  assert_int_equal(v.enclave_find(cx, v.user, mr, &found, &en, &fields),
                   SGXRA_OK);
  assert_int_equal(found, 0);

  /* signer only */
  sgxra_expected s = {NULL, ms, 3, 5, 1};
  assert_int_equal(sgxra_registry_memory_add_expected(cx, m, &s), SGXRA_OK);
  sgxra_store_signer sg;
  tu_hex(ms, mr, 32);
  assert_int_equal(v.signer_find(cx, v.user, mr, 3, &found, &sg), SGXRA_OK);
  assert_int_equal(found, 1);
  assert_int_equal(sg.min_isvsvn, 5);
  assert_int_equal(sg.allow_debug_signer, 1);
  assert_int_equal(v.signer_find(cx, v.user, mr, 4, &found, &sg), SGXRA_OK);
  assert_int_equal(found, 0);

  /* entry checks */
  memset(&en, 0, sizeof(en));
  assert_int_equal(sgxra_registry_memory_add_enclave(
                       cx, m, &en, SGXRA_REF_ISVSVN | SGXRA_REF_MIN_ISVSVN),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_registry_memory_add_enclave(cx, m, &en, 0x100),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_store_deny d;
  memset(&d, 0, sizeof(d));
  assert_int_equal(sgxra_registry_memory_add_deny(cx, m, &d),
                   SGXRA_E_INVALID_ARGUMENT); /* no reason */
  snprintf(d.reason, sizeof d.reason, "leaked key");
  assert_int_equal(sgxra_registry_memory_add_deny(cx, m, &d), SGXRA_OK);
  assert_int_equal(sgxra_registry_memory_add_deny(cx, m, &d),
                   SGXRA_E_STORE_DUPLICATE);
  sgxra_registry_memory_free(m);
  sgxra_registry_memory_free(NULL);
  sgxra_ctx_free(cx);
}

static void test_reason_names(void **state) {
  (void)state;
  /* the names scripts depend on, spelled out */
  static const char *const names[] = {
      "MRENCLAVE_DENIED",    "QUOTE_NOT_GENUINE",    "TCB_STATUS_NOT_ACCEPTED",
      "TCB_GRACE_EXCEEDED",  "ADVISORY_DENIED",      "ADVISORY_NOT_ALLOWED",
      "COLLATERAL_EXPIRED",  "COLLATERAL_TOO_OLD",   "DEBUG_ENCLAVE",
      "MRSIGNER_MISMATCH",   "ISVPRODID_MISMATCH",   "ISVSVN_MISMATCH",
      "ATTRIBUTES_MISMATCH", "ISVSVN_BELOW_MINIMUM", "MRENCLAVE_NOT_REGISTERED",
      "DEBUG_SIGNER",        "REPORT_DATA_MISMATCH", "REPORT_DATA_NOT_GIVEN",
  };
  assert_int_equal(SGXRA_REASON__END - 1, sizeof(names) / sizeof(names[0]));
  for (int i = 1; i < SGXRA_REASON__END; i++) {
    assert_string_equal(sgxra_reason_name((sgxra_reason_code)i), names[i - 1]);
    assert_int_equal(sgxra_reason_from_name(names[i - 1]), i);
    assert_true(strlen(sgxra_reason_text((sgxra_reason_code)i)) > 10);
  }
  assert_string_equal(sgxra_reason_name(SGXRA_REASON_NONE), "");
  assert_string_equal(sgxra_reason_name(SGXRA_REASON__END), "");
  assert_int_equal(sgxra_reason_from_name("NOPE"), SGXRA_REASON_NONE);
  assert_string_equal(sgxra_err_name(SGXRA_E_POLICY_NO_REGISTRY),
                      "SGXRA_E_POLICY_NO_REGISTRY");
}

static void test_attributes_match(void **state) {
  (void)state;
  sgxra_attributes reg = {SGXRA_ATTR_MODE64BIT, 0x3};
  sgxra_attributes q = {SGXRA_ATTR_INIT | SGXRA_ATTR_MODE64BIT, 0x3};
  assert_int_equal(sgxra_attributes_match(&reg, &q), 1);
  q.flags |= SGXRA_ATTR_DEBUG; /* DEBUG has its own check */
  assert_int_equal(sgxra_attributes_match(&reg, &q), 1);
  q.xfrm = 0xe7; /* more XSAVE features than registered */
  assert_int_equal(sgxra_attributes_match(&reg, &q), 1);
  q.xfrm = 0x1; /* SSE missing */
  assert_int_equal(sgxra_attributes_match(&reg, &q), 0);
  q.xfrm = 0x3;
  q.flags |= SGXRA_ATTR_PROVISIONKEY; /* another flag */
  assert_int_equal(sgxra_attributes_match(&reg, &q), 0);
  q.flags = SGXRA_ATTR_INIT; /* MODE64BIT missing */
  assert_int_equal(sgxra_attributes_match(&reg, &q), 0);
  assert_int_equal(sgxra_attributes_match(NULL, &q), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_every_key),
      cmocka_unit_test(test_bad_documents),
      cmocka_unit_test(test_report_data_options),
      cmocka_unit_test(test_expected_values),
      cmocka_unit_test(test_reason_names),
      cmocka_unit_test(test_attributes_match),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
