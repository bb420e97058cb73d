/* Tests of sgxra/supplemental.h on every real DCAP bundle: each value is
 * checked against what can be read from the bundle's files without sgxra
 * -- the CRL Numbers through OpenSSL's own CRL decoder (and `openssl crl
 * -text`, which prints 1 for every bundle's CRLs), tcbEvaluationDataNumber
 * of tcb_info.json and qe_identity.json through jansson, the validity
 * window (latest issue, earliest expiry) and the matched TCB level from
 * expected.json, the root key id as SHA-384 of Intel's root public key
 * (`openssl x509 -pubkey | openssl pkey -pubin -outform der | tail -c 65 |
 * openssl dgst -sha384`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/supplemental.h"
#include "sgxra/timeutil.h"

/* SHA-384 of Intel SGX Root CA's public key 0x04 || X || Y. */
#define INTEL_ROOT_KEY_ID                                                      \
  "46e403bd34f05a3f2817ab9badcaacc7ffc98e0f261008cd30dae936cace18d5dcf58eef3"  \
  "1463613de1570d516200993"

static int64_t date_of(const char *s) {
  int64_t t = 0;
  if (sgxra_time_parse_rfc3339(NULL, s, strlen(s), &t) != SGXRA_OK)
    fail_msg("bad date '%s'", s);
  return t;
}

/* The CRL Number of a DER CRL, by OpenSSL alone. */
static long crl_number(const char *bundle, const char *file) {
  size_t n;
  uint8_t *der = tu_read_bundle(bundle, file, &n);
  const unsigned char *p = der;
  X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)n);
  assert_non_null(crl);
  ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
  assert_non_null(num);
  long v = ASN1_INTEGER_get(num);
  ASN1_INTEGER_free(num);
  X509_CRL_free(crl);
  free(der);
  return v;
}

static json_int_t eval_number(const char *bundle, const char *file,
                              const char *body) {
  size_t n;
  uint8_t *p = tu_read_bundle(bundle, file, &n);
  json_t *j = json_loadb((const char *)p, n, 0, NULL);
  assert_non_null(j);
  json_int_t v = json_integer_value(
      json_object_get(json_object_get(j, body), "tcbEvaluationDataNumber"));
  json_decref(j);
  free(p);
  assert_true(v > 0);
  return v;
}

static void check_bundle(const char *bundle) {
  sgxra_ctx *cx = sgxra_ctx_new();
  json_t *exp = tu_bundle_expected(bundle);
  int64_t now =
      json_integer_value(json_object_get(exp, "verification_time_unix"));
  size_t qn;
  uint8_t *quote = tu_read_bundle(bundle, "quote.bin", &qn);
  sgxra_collateral *coll = NULL;
  assert_int_equal(sgxra_collateral_load_dir(cx, tu_bundle_dir(bundle), &coll),
                   SGXRA_OK);
  sgxra_verdict vd;
  assert_int_equal(sgxra_verify_quote(cx, quote, qn, coll, NULL, now, &vd),
                   SGXRA_OK);
  sgxra_supplemental s;
  if (sgxra_supplemental_fill(cx, quote, qn, coll, &vd, &s) != SGXRA_OK)
    fail_msg("%s: %s", bundle, sgxra_ctx_message(cx));

  assert_int_equal(s.major_version, 3);
  assert_int_equal(s.minor_version, 3);
  /* CRL Numbers: OpenSSL's reading, and 1 as `openssl crl -text` shows */
  assert_int_equal(s.pck_crl_num, crl_number(bundle, "pck_crl.der"));
  assert_int_equal(s.root_ca_crl_num, crl_number(bundle, "root_ca_crl.der"));
  assert_int_equal(s.pck_crl_num, 1);
  assert_int_equal(s.root_ca_crl_num, 1);
  /* the lower evaluation number of the two */
  json_int_t te = eval_number(bundle, "tcb_info.json", "tcbInfo");
  json_int_t qe = eval_number(bundle, "qe_identity.json", "enclaveIdentity");
  assert_int_equal(s.tcb_eval_ref_num, te < qe ? te : qe);
  assert_int_equal(s.qe_iden_tcb_eval_ref_num, qe);
  tu_assert_hex(s.root_key_id, sizeof s.root_key_id, INTEL_ROOT_KEY_ID);
  /* the window expected.json gives (latest issue, earliest expiry) */
  json_t *win = json_object_get(exp, "all_collateral_valid_window");
  if (json_is_array(win)) {
    assert_int_equal(s.latest_issue_date,
                     date_of(json_string_value(json_array_get(win, 0))));
    assert_int_equal(s.earliest_expiration_date,
                     date_of(json_string_value(json_array_get(win, 1))));
  }
  /* Intel SGX Root CA's notBefore is the earliest issue of all */
  assert_int_equal(s.earliest_issue_date, date_of("2018-05-21T10:45:10Z"));
  assert_true(s.earliest_expiration_item[0] != 0);
  assert_true(s.earliest_issue_date <= s.latest_issue_date);
  /* the matched TCB level and the PCK certificate */
  json_t *lvl = json_object_get(exp, "matched_tcb_level");
  assert_int_equal(
      s.tcb_level_date_tag,
      date_of(json_string_value(json_object_get(lvl, "tcb_date"))));
  json_t *pck = json_object_get(exp, "pck");
  assert_int_equal(s.tcb_pce_isvsvn,
                   json_integer_value(json_object_get(pck, "pcesvn")));
  json_t *comps = json_object_get(pck, "comps");
  for (size_t i = 0; i < SGXRA_CPUSVN_SIZE; i++)
    assert_int_equal(s.tcb_cpusvn[i],
                     json_integer_value(json_array_get(comps, i)));
  assert_int_equal(s.tee_type, 0);
  assert_string_equal(sgxra_tcb_status_name(s.tcb_status),
                      json_string_value(json_object_get(lvl, "status")));
  json_t *qel = json_object_get(exp, "qe_identity_tcb_level");
  assert_string_equal(sgxra_tcb_status_name(s.qe_iden_status),
                      json_string_value(json_array_get(qel, 1)));
  /* the SA list: expected.json's advisory IDs joined by commas */
  char sa[SGXRA_SUPPLEMENTAL_SA_LIST_SIZE] = "";
  json_t *adv = json_object_get(exp, "advisory_ids");
  for (size_t i = 0; i < json_array_size(adv); i++) {
    if (i) strcat(sa, ",");
    strcat(sa, json_string_value(json_array_get(adv, i)));
  }
  assert_string_equal(s.sa_list, sa);
  /* multi-package flags only for scalable SGX */
  if (s.sgx_type == 0) {
    assert_int_equal(s.has_platform_instance_id, 0);
    assert_int_equal(s.dynamic_platform, SGXRA_PCK_FLAG_UNDEFINED);
    assert_int_equal(s.cached_keys, SGXRA_PCK_FLAG_UNDEFINED);
    assert_int_equal(s.smt_enabled, SGXRA_PCK_FLAG_UNDEFINED);
  } else {
    assert_int_not_equal(s.smt_enabled, SGXRA_PCK_FLAG_UNDEFINED);
    assert_int_not_equal(s.dynamic_platform, SGXRA_PCK_FLAG_FALSE);
    assert_int_not_equal(s.cached_keys, SGXRA_PCK_FLAG_FALSE);
  }
  /* the Processor CA issues Standard, the Platform CA Scalable PCKs here */
  const char *ca = json_string_value(json_object_get(pck, "ca"));
  assert_int_equal(s.sgx_type, strstr(ca, "Platform") ? 1 : 0);

  sgxra_collateral_free(coll);
  free(quote);
  json_decref(exp);
  sgxra_ctx_free(cx);
}

static void test_every_bundle(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) check_bundle(tu_bundles[i]);
}

/* Values read off the files by hand, for the bundles where they differ
 * from the rule's other input: sgx-12's TCB Info is evaluation 19, its QE
 * Identity 17 (the lower wins); sgx-02's Platform CA PCK has a platform
 * instance id, dynamic platform TRUE, cached keys FALSE (which Intel
 * leaves UNDEFINED), SMT FALSE; sgx-01's earliest expiry is its QE
 * Identity's nextUpdate, sgx-10's its PCK CRL's. */
static void test_pinned_values(void **state) {
  (void)state;
  static const struct {
    const char *bundle;
    uint32_t eval;
    const char *item;
    const char *expiry;
  } pins[] = {
      {"sgx-01-phala-v3", 17, "QE Identity nextUpdate", "2025-07-19T10:01:18Z"},
      {"sgx-03-dcaprs-v3-tcbinfo-v2", 17, "TCB Info nextUpdate",
       "2025-03-15T03:29:42Z"},
      {"sgx-10-mobilecoin-teepot-standard-eval17", 17, "PCK CRL nextUpdate",
       "2025-06-26T18:46:25Z"},
      {"sgx-12-mobilecoin-teepot-early-eval19", 17, "PCK CRL nextUpdate",
       "2025-06-26T18:46:25Z"},
      {"sgx-22-automata-quote-fortanix-eval19", 19, "PCK CRL nextUpdate",
       "2025-07-04T09:19:31Z"},
  };
  for (size_t i = 0; i < sizeof pins / sizeof pins[0]; i++) {
    sgxra_ctx *cx = sgxra_ctx_new();
    json_t *exp = tu_bundle_expected(pins[i].bundle);
    int64_t now =
        json_integer_value(json_object_get(exp, "verification_time_unix"));
    size_t qn;
    uint8_t *q = tu_read_bundle(pins[i].bundle, "quote.bin", &qn);
    sgxra_collateral *coll = NULL;
    assert_int_equal(
        sgxra_collateral_load_dir(cx, tu_bundle_dir(pins[i].bundle), &coll),
        SGXRA_OK);
    sgxra_verdict vd;
    assert_int_equal(sgxra_verify_quote(cx, q, qn, coll, NULL, now, &vd),
                     SGXRA_OK);
    sgxra_supplemental s;
    assert_int_equal(sgxra_supplemental_fill(cx, q, qn, coll, &vd, &s),
                     SGXRA_OK);
    assert_int_equal(s.tcb_eval_ref_num, pins[i].eval);
    assert_string_equal(s.earliest_expiration_item, pins[i].item);
    assert_int_equal(s.earliest_expiration_date, date_of(pins[i].expiry));
    sgxra_collateral_free(coll);
    free(q);
    json_decref(exp);
    sgxra_ctx_free(cx);
  }
  /* sgx-02: the Platform CA's flags as Intel fills them */
  const char *b = "sgx-02-automata-v3-2025-08";
  sgxra_ctx *cx = sgxra_ctx_new();
  size_t qn;
  uint8_t *q = tu_read_bundle(b, "quote.bin", &qn);
  sgxra_collateral *coll = NULL;
  assert_int_equal(sgxra_collateral_load_dir(cx, tu_bundle_dir(b), &coll),
                   SGXRA_OK);
  sgxra_verdict vd;
  assert_int_equal(sgxra_verify_quote(cx, q, qn, coll, NULL,
                                      date_of("2025-08-15T05:45:00Z"), &vd),
                   SGXRA_OK);
  sgxra_supplemental s;
  assert_int_equal(sgxra_supplemental_fill(cx, q, qn, coll, &vd, &s), SGXRA_OK);
  assert_int_equal(s.sgx_type, 1);
  assert_string_equal(sgxra_sgx_type_name(s.sgx_type), "Scalable");
  assert_int_equal(s.has_platform_instance_id, 1);
  tu_assert_hex(s.platform_instance_id, 16, "7f96822f9d6421e505d4f256f65c5338");
  assert_int_equal(s.dynamic_platform, SGXRA_PCK_FLAG_TRUE);
  assert_int_equal(s.cached_keys, SGXRA_PCK_FLAG_UNDEFINED);
  assert_int_equal(s.smt_enabled, SGXRA_PCK_FLAG_FALSE);
  tu_assert_hex(s.pce_id, 2, "0000");

  /* a verdict that never reached the TCB level gives no data */
  sgxra_verdict early = vd;
  early.has_tcb_level = 0;
  early.stage = SGXRA_STAGE_QE_REPORT_SIG;
  memset(&s, 0xa5, sizeof s);
  assert_int_equal(sgxra_supplemental_fill(cx, q, qn, coll, &early, &s),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_non_null(strstr(sgxra_ctx_message(cx), "QE report signature"));
  assert_int_equal(s.sgx_type, 0);
  assert_int_equal(s.pck_crl_num, 0);
  assert_int_equal(sgxra_supplemental_fill(cx, NULL, 0, coll, &vd, &s),
                   SGXRA_E_INVALID_ARGUMENT);
  /* a quote that does not parse: its parser's code */
  assert_int_equal(sgxra_supplemental_fill(cx, q, 100, coll, &vd, &s),
                   SGXRA_E_QUOTE_TRUNCATED);
  assert_int_equal(s.tcb_eval_ref_num, 0);
  assert_string_equal(sgxra_sgx_type_name(2), "ScalableWithIntegrity");
  assert_string_equal(sgxra_sgx_type_name(0), "Standard");
  assert_string_equal(sgxra_sgx_type_name(3), "unknown");
  sgxra_collateral_free(coll);
  free(q);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_bundle),
      cmocka_unit_test(test_pinned_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
