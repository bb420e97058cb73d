/* sgxra's stricter readings (sgxra_verify_strict, sgxra/verify.h): each
 * check fires on a variant of a real DCAP bundle of
 * ../shared/vectors/dcap/bundles and stays quiet on the bundle itself, and
 * Intel's verdict is the same with or without them (they only read it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/verify.h"

#define B01 "sgx-01-phala-v3"
#define T01 1751328000 /* 2025-07-01T00:00:00Z, the bundle's time */

typedef struct fix {
  const char *bundle;
  uint8_t *quote;
  size_t qn;
  int64_t now;
  sgxra_collateral_buffers raw;
  sgxra_collateral *coll;
  sgxra_ctx *cx;
} fix;

static void fix_open(fix *f, const char *bundle) {
  memset(f, 0, sizeof *f);
  f->bundle = bundle;
  f->cx = sgxra_ctx_new();
  assert_non_null(f->cx);
  f->quote = tu_read_bundle(bundle, "quote.bin", &f->qn);
  json_t *exp = tu_bundle_expected(bundle);
  f->now = (int64_t)json_integer_value(
      json_object_get(exp, "verification_time_unix"));
  json_decref(exp);
  assert_true(f->now > 0);
  assert_int_equal(
      sgxra_collateral_read_dir(f->cx, tu_bundle_dir(bundle), &f->raw),
      SGXRA_OK);
  assert_int_equal(sgxra_collateral_load_deferred(f->cx, &f->raw, &f->coll),
                   SGXRA_OK);
}

static void fix_close(fix *f) {
  sgxra_collateral_free(f->coll);
  sgxra_collateral_buffers_free(&f->raw);
  free(f->quote);
  sgxra_ctx_free(f->cx);
}

static void verify(fix *f, const uint8_t *q, size_t qn,
                   const sgxra_collateral *c, int64_t now, sgxra_verdict *vd) {
  assert_int_equal(sgxra_verify_quote(f->cx, q, qn, c, NULL, now, vd),
                   SGXRA_OK);
}

static void strict(fix *f, const uint8_t *q, size_t qn,
                   const sgxra_collateral *c,
                   const sgxra_collateral_buffers *raw, int64_t now,
                   const sgxra_verdict *vd, sgxra_strict_report *r) {
  assert_int_equal(sgxra_verify_strict(f->cx, q, qn, c, raw, now, vd, r),
                   SGXRA_OK);
}

/* The index of the first finding of check `c` (fails when there is none). */
static size_t find(const sgxra_strict_report *r, sgxra_strict_check c,
                   const char *needle) {
  for (size_t i = 0; i < r->count; i++)
    if (r->findings[i].check == c &&
        (!needle || strstr(r->findings[i].message, needle)))
      return i;
  for (size_t i = 0; i < r->count; i++)
    print_message("finding %s: %s\n",
                  sgxra_strict_check_name(r->findings[i].check),
                  r->findings[i].message);
  fail_msg("no %s finding containing '%s'", sgxra_strict_check_name(c),
           needle ? needle : "");
  return 0;
}

static void assert_quiet(const sgxra_strict_report *r, const char *what) {
  for (size_t i = 0; i < r->count; i++)
    print_message("%s: %s: %s\n", what,
                  sgxra_strict_check_name(r->findings[i].check),
                  r->findings[i].message);
  assert_int_equal(r->count, 0);
  assert_int_equal(r->dropped, 0);
}

/* Every bundle at its own time: Intel's answer, and nothing strict. */
static void test_bundles_quiet(void **state) {
  (void)state;
  for (size_t b = 0; b < TU_BUNDLE_COUNT; b++) {
    fix f;
    fix_open(&f, tu_bundles[b]);
    sgxra_verdict vd;
    verify(&f, f.quote, f.qn, f.coll, f.now, &vd);
    json_t *exp = tu_bundle_expected(tu_bundles[b]);
    assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                        json_string_value(json_object_get(exp, "qve_return")));
    json_decref(exp);
    sgxra_strict_report r;
    strict(&f, f.quote, f.qn, f.coll, &f.raw, f.now, &vd, &r);
    assert_quiet(&r, tu_bundles[b]);
    fix_close(&f);
  }
}

/* The matched level of a verdict in the parsed TCB Info (the test edits
 * its advisory IDs in memory: the signature is checked over the bytes of
 * the JSON text, not over the parsed levels, so the verdict then reads
 * the edited list as Intel's would read such a signed list). */
static sgxra_tcb_level *level_of(const sgxra_collateral *c,
                                 const sgxra_verdict *vd) {
  sgxra_tcbinfo *ti = (sgxra_tcbinfo *)sgxra_collateral_tcbinfo(c);
  assert_non_null(ti);
  for (size_t i = 0; i < ti->level_count; i++)
    if (ti->levels[i].pcesvn == vd->tcb_pcesvn &&
        !memcmp(ti->levels[i].sgx_svn, vd->tcb_svn, SGXRA_TCB_SVN_COUNT))
      return &ti->levels[i];
  fail_msg("matched level not found");
  return NULL;
}

static void set_ids(sgxra_tcb_level *lv, size_t n, const char *const *ids) {
  for (size_t i = 0; i < lv->advisory_count; i++) free(lv->advisory_ids[i]);
  free(lv->advisory_ids);
  lv->advisory_ids = calloc(n ? n : 1, sizeof *lv->advisory_ids);
  assert_non_null(lv->advisory_ids);
  for (size_t i = 0; i < n; i++) lv->advisory_ids[i] = strdup(ids[i]);
  lv->advisory_count = n;
}

/* (i) Intel's QvE copy stops at an ID over 20 characters or a list over 320
 * bytes, and still succeeds (qve_set_quote_supplemental_data): strict says
 * the verdict lost advisories. */
static void test_advisory_list_cut(void **state) {
  (void)state;
  fix f;
  fix_open(&f, B01);
  sgxra_verdict vd;
  sgxra_strict_report r;
  verify(&f, f.quote, f.qn, f.coll, f.now, &vd);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  assert_int_equal(vd.advisory_count, 2);
  sgxra_tcb_level *lv = level_of(f.coll, &vd);

  /* second ID of 21 characters: Intel keeps the first only */
  static const char *const long2[] = {"INTEL-SA-00289",
                                      "INTEL-SA-006150000000"};
  set_ids(lv, 2, long2);
  verify(&f, f.quote, f.qn, f.coll, f.now, &vd);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  assert_int_equal(vd.advisory_count, 1);
  strict(&f, f.quote, f.qn, f.coll, &f.raw, f.now, &vd, &r);
  assert_int_equal(r.count, 1);
  size_t i = find(&r, SGXRA_STRICT_ADVISORY_LIST_CUT, "ID 2 ");
  assert_non_null(strstr(r.findings[i].message, "21 characters"));

  /* 16 IDs of 20 characters: 16 x 21 = 336 bytes, Intel keeps 15 */
  const char *many[16];
  char buf[16][24];
  for (int k = 0; k < 16; k++) {
    snprintf(buf[k], sizeof buf[k], "INTEL-SA-0000000%04d", k);
    many[k] = buf[k];
  }
  set_ids(lv, 16, many);
  verify(&f, f.quote, f.qn, f.coll, f.now, &vd);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  assert_int_equal(vd.advisory_count, 15);
  strict(&f, f.quote, f.qn, f.coll, &f.raw, f.now, &vd, &r);
  assert_int_equal(r.count, 1);
  i = find(&r, SGXRA_STRICT_ADVISORY_LIST_CUT, "336 bytes");

  /* 15 IDs of 20 characters (315 bytes): all kept, nothing strict */
  set_ids(lv, 15, many);
  verify(&f, f.quote, f.qn, f.coll, f.now, &vd);
  assert_int_equal(vd.advisory_count, 15);
  strict(&f, f.quote, f.qn, f.coll, &f.raw, f.now, &vd, &r);
  assert_quiet(&r, "15 IDs");
  fix_close(&f);
}

/* (ii) a time before a CRL's thisUpdate, TCB Info's issueDate, a
 * certificate's notBefore: Intel answers success (the expired flag for a
 * CRL), strict says the collateral is not yet valid. */
static void test_not_yet_valid(void **state) {
  (void)state;
  fix f;
  fix_open(&f, B01);
  sgxra_verdict vd;
  sgxra_strict_report r;
  int64_t t = sgxra_crl_this_update(sgxra_collateral_pck_crl(f.coll));
  assert_true(t > 0 && t <= f.now);
  /* from the latest issue date of the collateral on, nothing fires */
  int64_t latest = sgxra_collateral_dates(f.coll).latest_issue;
  assert_true(latest >= t && latest <= f.now);
  verify(&f, f.quote, f.qn, f.coll, latest, &vd);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  strict(&f, f.quote, f.qn, f.coll, &f.raw, latest, &vd, &r);
  assert_quiet(&r, "at the latest issue date");
  strict(&f, f.quote, f.qn, f.coll, &f.raw, latest - 1, &vd, &r);
  assert_true(r.count >= 1);
  assert_int_equal(r.findings[0].check, SGXRA_STRICT_NOT_YET_VALID);
  verify(&f, f.quote, f.qn, f.coll, t - 1, &vd);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  assert_int_equal(vd.collateral_expired, 1);
  strict(&f, f.quote, f.qn, f.coll, &f.raw, t - 1, &vd, &r);
  find(&r, SGXRA_STRICT_NOT_YET_VALID, "PCK CRL: thisUpdate");

  int64_t issue = sgxra_collateral_tcbinfo(f.coll)->issue_date;
  verify(&f, f.quote, f.qn, f.coll, issue - 1, &vd);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  strict(&f, f.quote, f.qn, f.coll, &f.raw, issue - 1, &vd, &r);
  find(&r, SGXRA_STRICT_NOT_YET_VALID, "TCB Info: issueDate");

  /* long before: the certificates too (Intel: success, expired flag set
   * by the CRLs) */
  int64_t early = 1000000000; /* 2001 */
  verify(&f, f.quote, f.qn, f.coll, early, &vd);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  strict(&f, f.quote, f.qn, f.coll, &f.raw, early, &vd, &r);
  find(&r, SGXRA_STRICT_NOT_YET_VALID,
       "quote's PCK chain: certificate 'Intel SGX PCK Certificate'");
  find(&r, SGXRA_STRICT_NOT_YET_VALID, "TCB Info issuer chain");
  find(&r, SGXRA_STRICT_NOT_YET_VALID, "QE Identity: issueDate");
  find(&r, SGXRA_STRICT_NOT_YET_VALID, "root CA CRL: thisUpdate");
  /* a time <= 0 is Intel's INVALID_PARAMETER: nothing to add */
  verify(&f, f.quote, f.qn, f.coll, -1, &vd);
  assert_int_equal(vd.ql_return, SGXRA_QL_ERROR_INVALID_PARAMETER);
  strict(&f, f.quote, f.qn, f.coll, &f.raw, -1, &vd, &r);
  assert_quiet(&r, "time -1");
  fix_close(&f);
}

/* (iii) dates with text after 'Z' (Intel reads 20 characters) and repeated
 * JSON members (Intel reads the first): read from the raw JSON. */
static void test_json_text(void **state) {
  (void)state;
  fix f;
  fix_open(&f, B01);
  sgxra_verdict vd;
  sgxra_strict_report r;
  verify(&f, f.quote, f.qn, f.coll, f.now, &vd);

  /* a second "signature" member after the first: Intel's answer is the
   * bundle's (class G, duplicate_signature_key) */
  const char *tj = (const char *)f.raw.tcb_info;
  size_t tn = f.raw.tcb_info_len;
  while (tn && tj[tn - 1] != '}') tn--;
  assert_true(tn > 1);
  char *dup = malloc(tn + 64);
  memcpy(dup, tj, tn - 1);
  size_t dn = tn - 1;
  dn += (size_t)sprintf(dup + dn, ",\"signature\":\"00\"}");
  sgxra_collateral_buffers raw = f.raw;
  raw.tcb_info = (const uint8_t *)dup;
  raw.tcb_info_len = dn;
  sgxra_collateral *c = NULL;
  assert_int_equal(sgxra_collateral_load_deferred(f.cx, &raw, &c), SGXRA_OK);
  sgxra_verdict vd2;
  verify(&f, f.quote, f.qn, c, f.now, &vd2);
  assert_int_equal(vd2.ql_return, vd.ql_return);
  assert_string_equal(vd2.qv_result, vd.qv_result);
  strict(&f, f.quote, f.qn, c, &raw, f.now, &vd2, &r);
  assert_int_equal(r.count, 1);
  size_t i = find(&r, SGXRA_STRICT_DUPLICATE_MEMBER, "tcb_info.json");
  assert_non_null(strstr(r.findings[i].message, "signature"));
  /* without the raw JSON the check cannot run */
  strict(&f, f.quote, f.qn, c, NULL, f.now, &vd2, &r);
  assert_quiet(&r, "no raw JSON");
  sgxra_collateral_free(c);
  free(dup);

  /* text after the 'Z' of QE Identity's nextUpdate */
  json_t *qe = json_loadb((const char *)f.raw.qe_identity,
                          f.raw.qe_identity_len, 0, NULL);
  assert_non_null(qe);
  const char *next = json_string_value(
      json_object_get(json_object_get(qe, "enclaveIdentity"), "nextUpdate"));
  assert_non_null(next);
  assert_int_equal(strlen(next), 20);
  char from[40], to[48];
  snprintf(from, sizeof from, "\"nextUpdate\":\"%s\"", next);
  snprintf(to, sizeof to, "\"nextUpdate\":\"%sjunk\"", next);
  json_decref(qe);
  size_t qn2;
  uint8_t *q2 =
      tu_replace(f.raw.qe_identity, f.raw.qe_identity_len, from, to, &qn2);
  raw = f.raw;
  raw.qe_identity = q2;
  raw.qe_identity_len = qn2;
  assert_int_equal(sgxra_collateral_load_deferred(f.cx, &raw, &c), SGXRA_OK);
  verify(&f, f.quote, f.qn, c, f.now, &vd2);
  strict(&f, f.quote, f.qn, c, &raw, f.now, &vd2, &r);
  i = find(&r, SGXRA_STRICT_DATE_TRAILING_TEXT,
           "qe_identity.json: enclaveIdentity.nextUpdate");
  assert_non_null(strstr(r.findings[i].message, "junk"));
  sgxra_collateral_free(c);
  free(q2);
  fix_close(&f);
}

/* bytes of the quote that no check reads */
static void test_quote_unread_bytes(void **state) {
  (void)state;
  fix f;
  fix_open(&f, B01);
  sgxra_verdict vd;
  sgxra_strict_report r;
  uint8_t *q = malloc(f.qn + 16);
  memcpy(q, f.quote, f.qn);
  memset(q + f.qn, 0xA5, 16);
  verify(&f, q, f.qn + 16, f.coll, f.now, &vd);
  strict(&f, q, f.qn + 16, f.coll, &f.raw, f.now, &vd, &r);
  find(&r, SGXRA_STRICT_QUOTE_UNREAD_BYTES, "16 bytes after the signature");
  /* v3: the signature data declared 16 bytes longer, padded after the
   * certification data (Intel reads the certification data by its own
   * size: SUCCESS, QVL Ecdsa256BitQuoteV3AuthData) */
  uint32_t len = (uint32_t)q[432] | (uint32_t)q[433] << 8 |
                 (uint32_t)q[434] << 16 | (uint32_t)q[435] << 24;
  assert_int_equal(len + 436, f.qn);
  len += 16;
  for (int k = 0; k < 4; k++) q[432 + k] = (uint8_t)(len >> (8 * k));
  memset(q + f.qn, 0, 16);
  verify(&f, q, f.qn + 16, f.coll, f.now, &vd);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  strict(&f, q, f.qn + 16, f.coll, &f.raw, f.now, &vd, &r);
  assert_int_equal(r.count, 1);
  find(&r, SGXRA_STRICT_QUOTE_UNREAD_BYTES,
       "16 bytes of the authentication data after the certification data");
  free(q);
  fix_close(&f);
}

static void test_names_and_misuse(void **state) {
  (void)state;
  assert_string_equal(sgxra_strict_check_name(SGXRA_STRICT_ADVISORY_LIST_CUT),
                      "advisory_list_cut");
  assert_string_equal(sgxra_strict_check_name(SGXRA_STRICT_QUOTE_UNREAD_BYTES),
                      "quote_unread_bytes");
  assert_null(sgxra_strict_check_name((sgxra_strict_check)0));
  assert_null(sgxra_strict_check_name(SGXRA_STRICT__END));
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_strict_report r;
  assert_int_equal(sgxra_verify_strict(cx, NULL, 0, NULL, NULL, 1, NULL, &r),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(r.count, 0);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bundles_quiet),
      cmocka_unit_test(test_advisory_list_cut),
      cmocka_unit_test(test_not_yet_valid),
      cmocka_unit_test(test_json_text),
      cmocka_unit_test(test_quote_unread_bytes),
      cmocka_unit_test(test_names_and_misuse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
