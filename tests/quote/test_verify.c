/* Tests of quote verification (sgxra/verify.h): every bundle of
 * ../shared/vectors/dcap/bundles must give exactly its expected.json at its
 * verification time (return, verdict, collateral-expired flag, advisory IDs
 * in order, matched TCB level, PCK fields), through the verifier and the
 * one-shot call; and each damaged input must fail at its own check with
 * its own code. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <time.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/crypto.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/timeutil.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#define B01 "sgx-01-phala-v3"
#define B02 "sgx-02-automata-v3-2025-08"
#define B26 "sgx-26-occlum-teekit-tcbinfo-2025-09-expired-qeid"
#define T01 1751328000 /* 2025-07-01T00:00:00Z */

static sgxra_collateral *load(sgxra_ctx *cx, const char *bundle) {
  sgxra_collateral *c = NULL;
  if (sgxra_collateral_load_dir(cx, tu_bundle_dir(bundle), &c) != SGXRA_OK)
    fail_msg("%s: load: %s", bundle, sgxra_ctx_message(cx));
  return c;
}

static sgxra_verifier *verifier_at(sgxra_ctx *cx, sgxra_collateral *c,
                                   int64_t now) {
  if (sgxra_collateral_validate(cx, c, NULL, now) != SGXRA_OK)
    fail_msg("validate: %s [%s]", sgxra_ctx_message(cx),
             sgxra_err_name(sgxra_ctx_error(cx)));
  sgxra_verifier *v = NULL;
  assert_int_equal(sgxra_verifier_new(cx, c, &v), SGXRA_OK);
  return v;
}

/* Compare a verdict with expected.json. */
static void match_expected(const char *bundle, const sgxra_verdict *vd,
                           json_t *exp) {
  const char *want_ret = json_string_value(json_object_get(exp, "qve_return"));
  if (strcmp(sgxra_ql_result_name(vd->ql_return), want_ret) != 0)
    fail_msg("%s: return %s (want %s): %s", bundle,
             sgxra_ql_result_name(vd->ql_return), want_ret, vd->reason);
  assert_string_equal(vd->qv_result, json_string_value(json_object_get(
                                         exp, "quote_verification_result")));
  assert_int_equal(vd->err, SGXRA_OK);
  assert_int_equal(vd->stage, SGXRA_STAGE_DONE);
  assert_int_equal(
      vd->collateral_expired,
      json_integer_value(json_object_get(exp, "collateral_expiration_status")));
  unsigned long hexcode = strtoul(
      json_string_value(json_object_get(exp, "quote_verification_result_hex")),
      NULL, 16);
  assert_int_equal(vd->qv_result_code, hexcode);
  json_t *adv = json_object_get(exp, "advisory_ids");
  if (vd->advisory_count != json_array_size(adv))
    fail_msg("%s: %zu advisories, want %zu", bundle, vd->advisory_count,
             json_array_size(adv));
  for (size_t i = 0; i < vd->advisory_count; i++)
    assert_string_equal(vd->advisory_ids[i],
                        json_string_value(json_array_get(adv, i)));
  json_t *lv = json_object_get(exp, "matched_tcb_level");
  assert_true(vd->has_tcb_level);
  json_t *comps = json_object_get(lv, "sgx_components");
  for (size_t i = 0; i < 16; i++)
    assert_int_equal(vd->tcb_svn[i],
                     json_integer_value(json_array_get(comps, i)));
  assert_int_equal(vd->tcb_pcesvn,
                   json_integer_value(json_object_get(lv, "pcesvn")));
  assert_string_equal(sgxra_tcb_status_name(vd->tcb_status),
                      json_string_value(json_object_get(lv, "status")));
  char date[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(vd->tcb_date, date);
  assert_string_equal(date, json_string_value(json_object_get(lv, "tcb_date")));
  json_t *qe = json_object_get(exp, "qe_identity_tcb_level");
  assert_true(vd->has_qe_level);
  assert_int_equal(vd->qe_level_isvsvn,
                   json_integer_value(json_array_get(qe, 0)));
  assert_string_equal(sgxra_tcb_status_name(vd->qe_status),
                      json_string_value(json_array_get(qe, 1)));
  json_t *pck = json_object_get(exp, "pck");
  char fm[13];
  assert_true(vd->has_pck);
  sgxra_hex_encode(vd->pck.fmspc, 6, fm);
  assert_string_equal(fm, json_string_value(json_object_get(pck, "fmspc")));
  assert_int_equal(vd->pck.pcesvn,
                   json_integer_value(json_object_get(pck, "pcesvn")));
  assert_int_equal(
      vd->pck_platform_ca,
      strstr(json_string_value(json_object_get(pck, "ca")), "Platform") != 0);
  assert_true(vd->has_quote);
  assert_int_equal(vd->header.version,
                   json_integer_value(json_object_get(exp, "quote_version")));
}

static void test_all_bundles(void **state) {
  (void)state;
  DIR *d = opendir(tu_vector_path("dcap/bundles"));
  assert_non_null(d);
  struct dirent *de;
  int seen = 0;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.') continue;
    char bundle[256];
    snprintf(bundle, sizeof bundle, "%s", de->d_name);
    size_t n, qn;
    uint8_t *ej = tu_read_bundle(bundle, "expected.json", &n);
    json_error_t jerr;
    json_t *exp = json_loadb((const char *)ej, n, 0, &jerr);
    assert_non_null(exp);
    int64_t now =
        json_integer_value(json_object_get(exp, "verification_time_unix"));
    uint8_t *quote = tu_read_bundle(bundle, "quote.bin", &qn);
    sgxra_ctx *cx = sgxra_ctx_new();

    /* the verifier, twice: the second time the PCK chain is cached */
    sgxra_collateral *c = load(cx, bundle);
    sgxra_verifier *v = verifier_at(cx, c, now);
    for (int round = 0; round < 2; round++) {
      sgxra_verdict vd;
      assert_int_equal(sgxra_verifier_verify(cx, v, quote, qn, now, &vd),
                       SGXRA_OK);
      match_expected(bundle, &vd, exp);
      assert_int_equal(sgxra_verifier_cache_size(v), 1);
    }
    sgxra_verifier_free(v);
    sgxra_collateral_free(c);

    /* the one-shot call on fresh collateral */
    c = load(cx, bundle);
    sgxra_verdict vd;
    assert_int_equal(sgxra_verify_quote(cx, quote, qn, c, NULL, now, &vd),
                     SGXRA_OK);
    match_expected(bundle, &vd, exp);
    sgxra_collateral_free(c);

    sgxra_ctx_free(cx);
    json_decref(exp);
    free(quote);
    free(ej);
    seen++;
  }
  closedir(d);
  assert_int_equal(seen, 13);
}

/* ---- negatives on sgx-01 --------------------------------------------------
 */

typedef struct fixture {
  sgxra_ctx *cx;
  sgxra_collateral *coll;
  sgxra_verifier *v;
  uint8_t *quote;
  size_t n;
} fixture;

static int setup01(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->cx = sgxra_ctx_new();
  f->coll = load(f->cx, B01);
  f->v = verifier_at(f->cx, f->coll, T01);
  f->quote = tu_read_bundle(B01, "quote.bin", &f->n);
  *state = f;
  return 0;
}

static int teardown01(void **state) {
  fixture *f = *state;
  sgxra_verifier_free(f->v);
  sgxra_collateral_free(f->coll);
  sgxra_ctx_free(f->cx);
  free(f->quote);
  free(f);
  return 0;
}

/* Verify a copy of the quote with byte `off` xor'ed. */
static void flipped(fixture *f, size_t off, sgxra_verdict *vd) {
  uint8_t *c = malloc(f->n);
  memcpy(c, f->quote, f->n);
  c[off] ^= 0x01;
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, c, f->n, T01, vd),
                   SGXRA_OK);
  free(c);
}

static void expect(const sgxra_verdict *vd, const char *ret, sgxra_err err,
                   sgxra_verify_stage stage) {
  if (strcmp(sgxra_ql_result_name(vd->ql_return), ret) != 0 || vd->err != err ||
      vd->stage != stage)
    fail_msg("got %s / %s / %s (%s), want %s / %s / %s",
             sgxra_ql_result_name(vd->ql_return), sgxra_err_name(vd->err),
             sgxra_verify_stage_name(vd->stage), vd->reason, ret,
             sgxra_err_name(err), sgxra_verify_stage_name(stage));
  /* any non-success return carries Intel's UNSPECIFIED verdict */
  assert_string_equal(vd->qv_result, "SGX_QL_QV_RESULT_UNSPECIFIED");
  assert_int_equal(vd->qv_result_code, 0xA006);
  assert_true(strlen(vd->reason) > 10);
}

static void test_flipped_bytes(void **state) {
  fixture *f = *state;
  sgxra_verdict vd;
  /* header: version -> unusable quote; user data -> ISV signature */
  flipped(f, 0, &vd);
  expect(&vd, "SGX_QL_QUOTE_FORMAT_UNSUPPORTED", SGXRA_E_QUOTE_VERSION,
         SGXRA_STAGE_QUOTE);
  flipped(f, 12, &vd);
  expect(&vd, "SGX_QL_QUOTE_FORMAT_UNSUPPORTED", SGXRA_E_QUOTE_QE_VENDOR,
         SGXRA_STAGE_QUOTE);
  flipped(f, 30, &vd);
  expect(&vd, "SGX_QL_RESULT_INVALID_SIGNATURE", SGXRA_E_VERIFY_QUOTE_SIGNATURE,
         SGXRA_STAGE_QUOTE_SIG);
  /* report body: MRENCLAVE and REPORTDATA */
  flipped(f, 48 + 64, &vd);
  expect(&vd, "SGX_QL_RESULT_INVALID_SIGNATURE", SGXRA_E_VERIFY_QUOTE_SIGNATURE,
         SGXRA_STAGE_QUOTE_SIG);
  assert_true(vd.has_quote); /* the parsed (altered) body is still shown */
  flipped(f, 48 + 383, &vd);
  expect(&vd, "SGX_QL_RESULT_INVALID_SIGNATURE", SGXRA_E_VERIFY_QUOTE_SIGNATURE,
         SGXRA_STAGE_QUOTE_SIG);
  /* ISV signature r and s */
  flipped(f, 436, &vd);
  expect(&vd, "SGX_QL_RESULT_INVALID_SIGNATURE", SGXRA_E_VERIFY_QUOTE_SIGNATURE,
         SGXRA_STAGE_QUOTE_SIG);
  flipped(f, 436 + 63, &vd);
  expect(&vd, "SGX_QL_RESULT_INVALID_SIGNATURE", SGXRA_E_VERIFY_QUOTE_SIGNATURE,
         SGXRA_STAGE_QUOTE_SIG);
  /* attestation key: no longer what the QE report data binds */
  flipped(f, 500 + 10, &vd);
  expect(&vd, "SGX_QL_ERROR_UNEXPECTED", SGXRA_E_VERIFY_QE_REPORT_DATA,
         SGXRA_STAGE_QE_REPORT_DATA);
  /* QE report: its MRSIGNER and its report data */
  flipped(f, 564 + 128, &vd);
  expect(&vd, "SGX_QL_QE_REPORT_INVALID_SIGNATURE",
         SGXRA_E_VERIFY_QE_REPORT_SIGNATURE, SGXRA_STAGE_QE_REPORT_SIG);
  flipped(f, 564 + 320, &vd);
  expect(&vd, "SGX_QL_QE_REPORT_INVALID_SIGNATURE",
         SGXRA_E_VERIFY_QE_REPORT_SIGNATURE, SGXRA_STAGE_QE_REPORT_SIG);
  /* QE report signature */
  flipped(f, 948 + 5, &vd);
  expect(&vd, "SGX_QL_QE_REPORT_INVALID_SIGNATURE",
         SGXRA_E_VERIFY_QE_REPORT_SIGNATURE, SGXRA_STAGE_QE_REPORT_SIG);
  /* QE auth data (32 bytes at 1014) */
  flipped(f, 1014, &vd);
  expect(&vd, "SGX_QL_ERROR_UNEXPECTED", SGXRA_E_VERIFY_QE_REPORT_DATA,
         SGXRA_STAGE_QE_REPORT_DATA);
  flipped(f, 1014 + 31, &vd);
  expect(&vd, "SGX_QL_ERROR_UNEXPECTED", SGXRA_E_VERIFY_QE_REPORT_DATA,
         SGXRA_STAGE_QE_REPORT_DATA);
  /* certification data type 5 -> 3 */
  flipped(f, 1046 + 1 - 1, &vd); /* 5 ^ 1 = 4: PCK certificate in clear */
  expect(&vd, "SGX_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED",
         SGXRA_E_QUOTE_CERT_DATA_TYPE, SGXRA_STAGE_CERT_DATA);
  /* the type's high byte (5 -> 0x0105): outside 1..5, so Intel's QVL
   * Quote::validate refuses the quote (format unsupported), not the
   * certification data */
  flipped(f, 1047, &vd);
  expect(&vd, "SGX_QL_QUOTE_FORMAT_UNSUPPORTED", SGXRA_E_QUOTE_FORMAT,
         SGXRA_STAGE_QUOTE);
  /* the cache holds only the good chain */
  assert_int_equal(sgxra_verifier_cache_size(f->v), 1);
}

static void test_pck_leaf_signature(void **state) {
  fixture *f = *state;
  /* a base64 digit inside the leaf's signature value (just before the
   * first END line) */
  uint8_t *c = malloc(f->n);
  memcpy(c, f->quote, f->n);
  const char *end = strstr((const char *)c + 1052, "-----END");
  assert_non_null(end);
  size_t off = (size_t)(end - (const char *)c) - 12;
  c[off] = c[off] == 'A' ? 'B' : 'A';
  sgxra_verdict vd;
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, c, f->n, T01, &vd),
                   SGXRA_OK);
  expect(&vd, "SGX_QL_PCK_CERT_CHAIN_ERROR", SGXRA_E_VERIFY_PCK_CHAIN,
         SGXRA_STAGE_PCK_CHAIN);
  free(c);
}

static void expect_success_as_bundle(const sgxra_verdict *vd) {
  if (strcmp(sgxra_ql_result_name(vd->ql_return), "SGX_QL_SUCCESS") != 0)
    fail_msg("%s: %s", sgxra_ql_result_name(vd->ql_return), vd->reason);
  assert_string_equal(vd->qv_result,
                      "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED");
  assert_int_equal(vd->collateral_expired, 0);
  assert_int_equal(vd->advisory_count, 2);
}

static void test_truncated_every_length(void **state) {
  fixture *f = *state;
  for (size_t k = 0; k < f->n; k++) {
    uint8_t *c = malloc(k ? k : 1);
    memcpy(c, f->quote, k);
    sgxra_verdict vd;
    assert_int_equal(
        sgxra_verifier_verify(f->cx, f->v, k ? c : NULL, k, T01, &vd),
        SGXRA_OK);
    if (vd.err !=
        (k < 1020 ? SGXRA_E_INVALID_ARGUMENT : SGXRA_E_QUOTE_TRUNCATED))
      fail_msg("length %zu: %s", k, sgxra_err_name(vd.err));
    /* Intel's QvE refuses a quote shorter than QUOTE_MIN_SIZE (1020) as an
     * invalid parameter before parsing it (sgx_qve_verify_quote); longer
     * truncated quotes fail Quote::parse (format unsupported) */
    assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                        k < 1020 ? "SGX_QL_ERROR_INVALID_PARAMETER"
                                 : "SGX_QL_QUOTE_FORMAT_UNSUPPORTED");
    assert_int_equal(vd.stage, SGXRA_STAGE_QUOTE);
    assert_string_equal(vd.qv_result, "SGX_QL_QV_RESULT_UNSPECIFIED");
    assert_false(vd.has_quote);
    free(c);
  }
}

static void put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* sgx-01's quote with `pad` zero bytes appended, the signature data length
 * grown by sig_delta and the certification data size by cert_delta. */
static void sized(fixture *f, size_t pad, int sig_delta, int cert_delta,
                  sgxra_verdict *vd) {
  uint8_t *c = calloc(1, f->n + pad);
  memcpy(c, f->quote, f->n);
  put_u32(c + 432, (uint32_t)((int64_t)get_u32(c + 432) + sig_delta));
  put_u32(c + 1048, (uint32_t)((int64_t)get_u32(c + 1048) + cert_delta));
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, c, f->n + pad, T01, vd),
                   SGXRA_OK);
  free(c);
}

/* v3 auth data: Intel's QVL reads the certification data by its own size
 * and ignores the rest of the signature data (Ecdsa256BitQuoteV3AuthData);
 * answers as Intel's oracle gives them on every dev bundle. */
static void test_v3_auth_slack(void **state) {
  fixture *f = *state;
  sgxra_verdict vd;
  assert_int_equal(get_u32(f->quote + 432) + 436, f->n);
  assert_int_equal(get_u32(f->quote + 1048) + 1052, f->n);
  /* certification data one byte shorter (the PEM's final newline) */
  sized(f, 0, 0, -1, &vd);
  expect_success_as_bundle(&vd);
  /* 16 zero bytes of slack after the certification data */
  sized(f, 16, 16, 0, &vd);
  expect_success_as_bundle(&vd);
  /* 40 bytes shorter: the last END line is cut, two certificates left */
  sized(f, 0, 0, -40, &vd);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                      "SGX_QL_PCK_CERT_CHAIN_ERROR");
  assert_string_equal(vd.qv_result, "SGX_QL_QV_RESULT_UNSPECIFIED");
  /* the signature data one byte short of the certification data */
  sized(f, 0, -1, 0, &vd);
  expect(&vd, "SGX_QL_QUOTE_FORMAT_UNSUPPORTED", SGXRA_E_QUOTE_TRUNCATED,
         SGXRA_STAGE_QUOTE);
}

static void test_eppid_quote(void **state) {
  fixture *f = *state;
  size_t n;
  uint8_t *q =
      tu_read_vector("dcap/negative/quote_v3_ecdsa_p256_eppid.bin", &n);
  sgxra_verdict vd;
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, q, n, T01, &vd),
                   SGXRA_OK);
  expect(&vd, "SGX_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED",
         SGXRA_E_QUOTE_CERT_DATA_TYPE, SGXRA_STAGE_CERT_DATA);
  assert_non_null(strstr(vd.reason, "type 3"));
  /* and through the one-shot call */
  sgxra_collateral *c = load(f->cx, B01);
  assert_int_equal(sgxra_verify_quote(f->cx, q, n, c, NULL, T01, &vd),
                   SGXRA_OK);
  expect(&vd, "SGX_QL_QUOTE_CERTIFICATION_DATA_UNSUPPORTED",
         SGXRA_E_QUOTE_CERT_DATA_TYPE, SGXRA_STAGE_CERT_DATA);
  sgxra_collateral_free(c);
  free(q);
}

static void test_wrong_trust_root(void **state) {
  fixture *f = *state;
  /* the TCB signing certificate as the trust root */
  size_t n;
  uint8_t *pem = tu_read_bundle(B01, "tcb_info_issuer_chain.pem", &n);
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx, pem, n, &ch), SGXRA_OK);
  sgxra_collateral *c = load(f->cx, B01);
  sgxra_verdict vd;
  assert_int_equal(sgxra_verify_quote(f->cx, f->quote, f->n, c,
                                      sgxra_x509_chain_get(ch, 0), T01, &vd),
                   SGXRA_OK);
  expect(&vd, "SGX_QL_PCK_CERT_CHAIN_ERROR", SGXRA_E_VERIFY_TRUST_ROOT,
         SGXRA_STAGE_TRUST_ROOT);
  sgxra_collateral_free(c);
  sgxra_x509_chain_free(ch);
  free(pem);
}

/* Collateral of sgx-01 with one file replaced by `data`. */
static sgxra_collateral *load_with(sgxra_ctx *cx, const char *bundle,
                                   const char *tcb_info, size_t tcb_len) {
  static const char *const names[] = {"pck_crl_issuer_chain.pem",
                                      "root_ca_crl.der",
                                      "pck_crl.der",
                                      "tcb_info.json",
                                      "tcb_info_issuer_chain.pem",
                                      "qe_identity.json",
                                      "qe_identity_issuer_chain.pem"};
  uint8_t *buf[7];
  size_t len[7];
  for (size_t i = 0; i < 7; i++)
    buf[i] = tu_read_bundle(bundle, names[i], &len[i]);
  sgxra_collateral_buffers b;
  memset(&b, 0, sizeof b);
  b.pck_crl_issuer_chain = buf[0];
  b.pck_crl_issuer_chain_len = len[0];
  b.root_ca_crl = buf[1];
  b.root_ca_crl_len = len[1];
  b.pck_crl = buf[2];
  b.pck_crl_len = len[2];
  b.tcb_info = tcb_info ? (const uint8_t *)tcb_info : buf[3];
  b.tcb_info_len = tcb_info ? tcb_len : len[3];
  b.tcb_info_issuer_chain = buf[4];
  b.tcb_info_issuer_chain_len = len[4];
  b.qe_identity = buf[5];
  b.qe_identity_len = len[5];
  b.qe_identity_issuer_chain = buf[6];
  b.qe_identity_issuer_chain_len = len[6];
  sgxra_collateral *c = NULL;
  if (sgxra_collateral_load(cx, &b, &c) != SGXRA_OK)
    fail_msg("load: %s", sgxra_ctx_message(cx));
  for (size_t i = 0; i < 7; i++) free(buf[i]);
  return c;
}

static void test_pcesvn_edited(void **state) {
  fixture *f = *state;
  size_t n;
  char *t = (char *)tu_read_bundle(B01, "tcb_info.json", &n);
  /* the first level's pcesvn (13 -> 12): the signature no longer holds */
  char *p = strstr(t, "\"pcesvn\":13");
  assert_non_null(p);
  p[10] = '2';
  sgxra_collateral *c = load_with(f->cx, B01, t, n);
  sgxra_verdict vd;
  assert_int_equal(sgxra_verify_quote(f->cx, f->quote, f->n, c, NULL, T01, &vd),
                   SGXRA_OK);
  expect(&vd, "SGX_QL_TCBINFO_CHAIN_ERROR", SGXRA_E_TCBINFO_SIGNATURE,
         SGXRA_STAGE_COLLATERAL);
  sgxra_collateral_free(c);
  free(t);
}

static void test_other_fmspc(void **state) {
  fixture *f = *state;
  /* sgx-26's quote (FMSPC 30606a000000) against sgx-02's collateral (FMSPC
   * 00606a000000, same Platform CA) */
  size_t n;
  uint8_t *q = tu_read_bundle(B26, "quote.bin", &n);
  sgxra_collateral *c = load(f->cx, B02);
  sgxra_verifier *v = verifier_at(f->cx, c, 1755236700);
  sgxra_verdict vd;
  assert_int_equal(sgxra_verifier_verify(f->cx, v, q, n, 1755236700, &vd),
                   SGXRA_OK);
  expect(&vd, "SGX_QL_TCBINFO_MISMATCH", SGXRA_E_VERIFY_TCB_INFO_MISMATCH,
         SGXRA_STAGE_TCB_INFO_MATCH);
  assert_non_null(strstr(vd.reason, "30606a000000"));
  sgxra_verifier_free(v);
  sgxra_collateral_free(c);
  free(q);
}

static void test_expired(void **state) {
  fixture *f = *state;
  /* just before and at the earliest nextUpdate (2025-07-19T10:01:18Z) */
  int64_t edge = 1752919278;
  sgxra_verdict vd;
  assert_int_equal(
      sgxra_verifier_verify(f->cx, f->v, f->quote, f->n, edge - 1, &vd),
      SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  assert_int_equal(vd.collateral_expired, 0);
  assert_int_equal(
      sgxra_verifier_verify(f->cx, f->v, f->quote, f->n, edge, &vd), SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  assert_string_equal(vd.qv_result,
                      "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED");
  assert_int_equal(vd.collateral_expired, 1);
  /* before the PCK certificate's notBefore (2023-09-20T21:53:43Z), which
   * is also before both CRLs' thisUpdate: a CRL is valid from thisUpdate
   * to nextUpdate (Intel's QVL PckParser Validity::isValid,
   * CrlStore::expired -> STATUS_SGX_CRL_EXPIRED, which QvE's
   * is_expiration_error turns into the flag), so expired */
  assert_int_equal(
      sgxra_verifier_verify(f->cx, f->v, f->quote, f->n, 1695246823 - 1, &vd),
      SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  assert_int_equal(vd.collateral_expired, 1);
  /* the PCK CRL's thisUpdate (2025-06-19T10:23:18Z, after the root CA
   * CRL's): one second before it expired, at it not (Intel's oracle: the
   * same); the certificates' notBefore are long before and do not count */
  int64_t pck_this = 1750328598;
  assert_int_equal(
      sgxra_verifier_verify(f->cx, f->v, f->quote, f->n, pck_this - 1, &vd),
      SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  assert_int_equal(vd.collateral_expired, 1);
  assert_int_equal(
      sgxra_verifier_verify(f->cx, f->v, f->quote, f->n, pck_this, &vd),
      SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  assert_int_equal(vd.collateral_expired, 0);
  /* 400 days before the bundle's time: expired, still a verdict */
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, f->quote, f->n,
                                         T01 - 400 * 86400, &vd),
                   SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  assert_string_equal(vd.qv_result,
                      "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED");
  assert_int_equal(vd.collateral_expired, 1);
  /* time 1: expired; time 0 and below: Intel's QvE refuses the time as an
   * invalid parameter (sgx_qve_verify_quote's parameter check), in both
   * entry points */
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, f->quote, f->n, 1, &vd),
                   SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  assert_int_equal(vd.collateral_expired, 1);
  for (int64_t t = 0; t >= -1; t--) {
    assert_int_equal(sgxra_verifier_verify(f->cx, f->v, f->quote, f->n, t, &vd),
                     SGXRA_OK);
    expect(&vd, "SGX_QL_ERROR_INVALID_PARAMETER", SGXRA_E_INVALID_ARGUMENT,
           SGXRA_STAGE_NONE);
    assert_false(vd.has_quote);
    assert_int_equal(
        sgxra_verify_quote(f->cx, f->quote, f->n, f->coll, NULL, t, &vd),
        SGXRA_OK);
    expect(&vd, "SGX_QL_ERROR_INVALID_PARAMETER", SGXRA_E_INVALID_ARGUMENT,
           SGXRA_STAGE_NONE);
    assert_non_null(strstr(vd.reason, "time"));
  }
  /* a year later: still a verdict, still expired */
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, f->quote, f->n,
                                         T01 + 365 * 86400, &vd),
                   SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  assert_int_equal(vd.collateral_expired, 1);
}

static void test_misuse(void **state) {
  fixture *f = *state;
  sgxra_verdict vd;
  assert_int_equal(sgxra_verifier_verify(f->cx, NULL, f->quote, f->n, T01, &vd),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, NULL, 10, T01, &vd),
                   SGXRA_E_INVALID_ARGUMENT);
  /* a misused call still leaves a defined verdict, never a zeroed one
   * (whose 0 would read as SGX_QL_SUCCESS) */
  assert_int_equal(vd.ql_return, SGXRA_QL_ERROR_INVALID_PARAMETER);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                      "SGX_QL_ERROR_INVALID_PARAMETER");
  assert_string_equal(vd.qv_result, "SGX_QL_QV_RESULT_UNSPECIFIED");
  assert_int_equal(vd.err, SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(vd.stage, SGXRA_STAGE_NONE);
  assert_false(vd.has_quote);
  memset(&vd, 0, sizeof vd);
  assert_int_equal(
      sgxra_verify_quote(f->cx, f->quote, f->n, NULL, NULL, T01, &vd),
      SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(vd.ql_return, SGXRA_QL_ERROR_INVALID_PARAMETER);
  assert_string_equal(vd.qv_result, "SGX_QL_QV_RESULT_UNSPECIFIED");
  assert_int_equal(vd.qv_result_code, 0xA006);
  /* unvalidated collateral */
  sgxra_collateral *c = load(f->cx, B01);
  sgxra_verifier *v = (sgxra_verifier *)1;
  assert_int_equal(sgxra_verifier_new(f->cx, c, &v),
                   SGXRA_E_COLLATERAL_NOT_VALIDATED);
  assert_null(v);
  sgxra_collateral_free(c);
  assert_string_equal(sgxra_verify_stage_name(SGXRA_STAGE_QE_IDENTITY),
                      "QE identity");
}

/* sgxra_verify_quote only reads the collateral: an unvalidated one stays
 * unvalidated, and a validated one keeps its trust root, its expired flag
 * and its verifiers working while one-shot calls at other times run on the
 * same object (before, it was validated in place: a data race with the
 * verifiers of other threads, and a freed trust root under them). */
static void test_verify_quote_leaves_collateral(void **state) {
  fixture *f = *state;
  sgxra_verdict vd;
  sgxra_collateral *c = load(f->cx, B01);
  assert_int_equal(sgxra_verify_quote(f->cx, f->quote, f->n, c, NULL, T01, &vd),
                   SGXRA_OK);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  assert_false(sgxra_collateral_is_validated(c));
  assert_null(sgxra_collateral_root(c));
  sgxra_collateral_free(c);

  const sgxra_x509_cert *root = sgxra_collateral_root(f->coll);
  assert_non_null(root);
  assert_int_equal(sgxra_collateral_expired(f->coll), 0);
  int64_t later = T01 + 5 * 365 * 86400; /* past every nextUpdate */
  assert_int_equal(
      sgxra_verify_quote(f->cx, f->quote, f->n, f->coll, NULL, later, &vd),
      SGXRA_OK);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  assert_int_equal(vd.collateral_expired, 1);
  assert_true(sgxra_collateral_is_validated(f->coll));
  assert_ptr_equal(sgxra_collateral_root(f->coll), root);
  assert_int_equal(sgxra_collateral_expired(f->coll), 0);
  /* the verifier made before still works on the same collateral */
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, f->quote, f->n, T01, &vd),
                   SGXRA_OK);
  assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
  assert_int_equal(vd.collateral_expired, 0);
}

/* sgx-01's quote with its certification data replaced by `pem`. */
static uint8_t *with_chain(const fixture *f, const char *pem, size_t *out_n) {
  size_t pl = strlen(pem);
  size_t n = 1052 + pl; /* type at 1046, size at 1048, data at 1052 */
  uint8_t *c = malloc(n);
  memcpy(c, f->quote, 1052);
  uint32_t sig = (uint32_t)(n - 436);
  c[432] = (uint8_t)sig;
  c[433] = (uint8_t)(sig >> 8);
  c[434] = (uint8_t)(sig >> 16);
  c[435] = 0;
  c[1048] = (uint8_t)pl;
  c[1049] = (uint8_t)(pl >> 8);
  c[1050] = (uint8_t)(pl >> 16);
  c[1051] = 0;
  memcpy(c + 1052, pem, pl);
  *out_n = n;
  return c;
}

/* The i-th PEM block (0-based) of text, as a new string. */
static char *pem_block(const char *text, int i) {
  const char *b = text;
  for (int k = 0; k <= i; k++) {
    b = strstr(k ? b + 1 : b, "-----BEGIN CERTIFICATE-----");
    assert_non_null(b);
  }
  const char *e = strstr(b, "-----END CERTIFICATE-----");
  assert_non_null(e);
  e += strlen("-----END CERTIFICATE-----\n");
  char *o = malloc((size_t)(e - b) + 1);
  memcpy(o, b, (size_t)(e - b));
  o[e - b] = 0;
  return o;
}

/* Chains that are not the collateral's CA and root take the full X.509
 * path: each wrong link gives its own error. */
static void test_chain_substitutions(void **state) {
  fixture *f = *state;
  char *qpem = strndup((const char *)f->quote + 1052, f->n - 1052);
  size_t tn;
  char *tcb = (char *)tu_read_bundle(B01, "tcb_info_issuer_chain.pem", &tn);
  char *leaf = pem_block(qpem, 0), *ca = pem_block(qpem, 1),
       *root = pem_block(qpem, 2), *signer = pem_block(tcb, 0);
  struct {
    const char *a, *b, *c, *d;
    const char *ret;
    sgxra_err err;
    sgxra_verify_stage stage;
  } cases[] = {
      /* the root replaced by the TCB signing certificate */
      {leaf, ca, signer, "", "SGX_QL_PCK_CERT_CHAIN_ERROR",
       SGXRA_E_VERIFY_TRUST_ROOT, SGXRA_STAGE_TRUST_ROOT},
      /* the CA replaced: not the CA that issued the PCK CRL (Intel:
       * PckCertVerifier finds no intermediate CA, INTERMEDIATE_CA_MISSING,
       * or PckCrlVerifier STATUS_SGX_CRL_UNKNOWN_ISSUER; neither is in the
       * QvE's switch) */
      {leaf, signer, root, "", "SGX_QL_ERROR_UNEXPECTED", SGXRA_E_X509_NOT_CA,
       SGXRA_STAGE_PCK_CHAIN},
      /* four certificates */
      {leaf, ca, root, root, "SGX_QL_PCK_CERT_CHAIN_ERROR",
       SGXRA_E_VERIFY_PCK_CHAIN, SGXRA_STAGE_PCK_CHAIN},
      /* the CA as leaf: no SGX extension */
      {ca, ca, root, "", "SGX_QL_PCK_CERT_CHAIN_ERROR",
       SGXRA_E_VERIFY_PCK_CHAIN, SGXRA_STAGE_PCK_CHAIN},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char pem[8192];
    snprintf(pem, sizeof pem, "%s%s%s%s", cases[i].a, cases[i].b, cases[i].c,
             cases[i].d);
    size_t n;
    uint8_t *q = with_chain(f, pem, &n);
    sgxra_verdict vd;
    assert_int_equal(sgxra_verifier_verify(f->cx, f->v, q, n, T01, &vd),
                     SGXRA_OK);
    expect(&vd, cases[i].ret, cases[i].err, cases[i].stage);
    free(q);
  }
  /* the original chain re-assembled still verifies */
  char pem[8192];
  snprintf(pem, sizeof pem, "%s%s%s", leaf, ca, root);
  size_t n;
  uint8_t *q = with_chain(f, pem, &n);
  sgxra_verdict vd;
  assert_int_equal(sgxra_verifier_verify(f->cx, f->v, q, n, T01, &vd),
                   SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  free(q);
  free(leaf);
  free(ca);
  free(root);
  free(signer);
  free(tcb);
  free(qpem);
}

/* ---- a test PKI in Intel's place ------------------------------------------
 *
 * To reach outcomes that real collateral never shows (a revoked PCK, a
 * Revoked TCB level, QE identity levels that force the status merge), the
 * tests below re-create Intel's PKI with test keys: a root, a PCK CA, a TCB
 * signing certificate and a PCK certificate carrying sgx-01's SGX
 * extension.  sgx-01's quote gets this PCK chain and a QE report signature
 * by the test PCK key (its attestation key, QE report data and ISV
 * signature stay valid); sgx-01's TCB Info and QE Identity are edited and
 * re-signed with the test TCB signing key. */

typedef struct test_pki {
  const char *leaf_cn; /* NULL: "Intel SGX PCK Certificate" */
  EVP_PKEY *root_key, *ca_key, *tcb_key, *pck_key;
  X509 *root, *ca, *tcb, *pck;
  char *root_pem, *ca_pem, *tcb_pem, *pck_pem;
} test_pki;

static char *x509_pem(X509 *x) {
  BIO *b = BIO_new(BIO_s_mem());
  assert_int_equal(PEM_write_bio_X509(b, x), 1);
  char *d;
  long n = BIO_get_mem_data(b, &d);
  char *o = strndup(d, (size_t)n);
  BIO_free(b);
  return o;
}

static void add_ext_ctx(X509 *x, X509V3_CTX *ctx, int nid, const char *value) {
  X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
  assert_non_null(e);
  assert_int_equal(X509_add_ext(x, e, -1), 1);
  X509_EXTENSION_free(e);
}

static X509 *make_cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer,
                       EVP_PKEY *issuer_key, int ca, const uint8_t *sgx_ext,
                       size_t sgx_len) {
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_NAME *name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const uint8_t *)cn, -1,
                             -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(T01 - 365 * 86400));
  ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(T01 + 365 * 86400));
  X509_set_pubkey(x, key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
  add_ext_ctx(x, &ctx, NID_subject_key_identifier, "hash");
  add_ext_ctx(x, &ctx, NID_authority_key_identifier, "keyid:always");
  if (ca) {
    add_ext_ctx(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_ext_ctx(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext_ctx(x, &ctx, NID_basic_constraints, "critical,CA:FALSE");
  }
  if (sgx_ext) {
    ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(os, sgx_ext, (int)sgx_len);
    X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
  }
  assert_true(X509_sign(x, issuer_key, EVP_sha256()) > 0);
  return x;
}

/* The SGX extension value of sgx-01's real PCK certificate. */
static uint8_t *sgx01_extension(const fixture *f, size_t *n) {
  const char *pem = (const char *)f->quote + 1052;
  BIO *b = BIO_new_mem_buf(pem, (int)(f->n - 1052));
  X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
  assert_non_null(x);
  ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
  int i = X509_get_ext_by_OBJ(x, obj, -1);
  ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(X509_get_ext(x, i));
  *n = (size_t)ASN1_STRING_length(os);
  uint8_t *v = malloc(*n);
  memcpy(v, ASN1_STRING_get0_data(os), *n);
  ASN1_OBJECT_free(obj);
  X509_free(x);
  BIO_free(b);
  return v;
}

static void pki_make(const fixture *f, test_pki *k) {
  k->root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  k->ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  k->tcb_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  k->pck_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  k->root = make_cert("sgxra TEST SGX Root CA", 1, k->root_key, NULL,
                      k->root_key, 1, NULL, 0);
  k->ca = make_cert("sgxra TEST PCK Processor CA", 2, k->ca_key, k->root,
                    k->root_key, 1, NULL, 0);
  k->tcb = make_cert("sgxra TEST SGX TCB Signing", 3, k->tcb_key, k->root,
                     k->root_key, 0, NULL, 0);
  size_t en;
  uint8_t *ext = sgx01_extension(f, &en);
  k->pck = make_cert(k->leaf_cn ? k->leaf_cn : "Intel SGX PCK Certificate",
                     0x1234567, k->pck_key, k->ca, k->ca_key, 0, ext, en);
  free(ext);
  k->root_pem = x509_pem(k->root);
  k->ca_pem = x509_pem(k->ca);
  k->tcb_pem = x509_pem(k->tcb);
  k->pck_pem = x509_pem(k->pck);
}

static void pki_free(test_pki *k) {
  EVP_PKEY_free(k->root_key);
  EVP_PKEY_free(k->ca_key);
  EVP_PKEY_free(k->tcb_key);
  EVP_PKEY_free(k->pck_key);
  X509_free(k->root);
  X509_free(k->ca);
  X509_free(k->tcb);
  X509_free(k->pck);
  free(k->root_pem);
  free(k->ca_pem);
  free(k->tcb_pem);
  free(k->pck_pem);
}

/* DER CRL by `issuer`, listing `serial` when nonzero. */
static uint8_t *make_crl(X509 *issuer, EVP_PKEY *key, long serial,
                         int64_t this_update, size_t *n) {
  X509_CRL *c = X509_CRL_new();
  X509_CRL_set_version(c, 1);
  X509_CRL_set_issuer_name(c, X509_get_subject_name(issuer));
  ASN1_TIME *t =
      ASN1_TIME_set(NULL, (time_t)(this_update ? this_update : T01 - 86400));
  X509_CRL_set1_lastUpdate(c, t);
  ASN1_TIME_set(t, (time_t)(T01 + 30 * 86400));
  X509_CRL_set1_nextUpdate(c, t);
  if (serial) {
    X509_REVOKED *r = X509_REVOKED_new();
    ASN1_INTEGER *sn = ASN1_INTEGER_new();
    ASN1_INTEGER_set(sn, serial);
    X509_REVOKED_set_serialNumber(r, sn);
    ASN1_TIME_set(t, (time_t)(T01 - 3600));
    X509_REVOKED_set_revocationDate(r, t);
    X509_CRL_add0_revoked(c, r);
    ASN1_INTEGER_free(sn);
  }
  ASN1_TIME_free(t);
  ASN1_INTEGER *num = ASN1_INTEGER_new();
  ASN1_INTEGER_set(num, 1);
  X509_CRL_add1_ext_i2d(c, NID_crl_number, num, 0, 0);
  ASN1_INTEGER_free(num);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, NULL, NULL, c, 0);
  X509_EXTENSION *aki = X509V3_EXT_conf_nid(
      NULL, &ctx, NID_authority_key_identifier, "keyid:always");
  assert_non_null(aki);
  X509_CRL_add_ext(c, aki, -1);
  X509_EXTENSION_free(aki);
  X509_CRL_sort(c);
  assert_true(X509_CRL_sign(c, key, EVP_sha256()) > 0);
  unsigned char *der = NULL;
  int len = i2d_X509_CRL(c, &der);
  assert_true(len > 0);
  uint8_t *o = malloc((size_t)len);
  memcpy(o, der, (size_t)len);
  OPENSSL_free(der);
  X509_CRL_free(c);
  *n = (size_t)len;
  return o;
}

/* Replace the first `from` in *json by `to` (must exist). */
static void edit(char **json, const char *from, const char *to) {
  char *at = strstr(*json, from);
  if (!at) fail_msg("edit: '%s' not found", from);
  size_t pre = (size_t)(at - *json), fl = strlen(from), tl = strlen(to);
  size_t rest = strlen(at + fl);
  char *o = malloc(pre + tl + rest + 1);
  memcpy(o, *json, pre);
  memcpy(o + pre, to, tl);
  memcpy(o + pre + tl, at + fl, rest + 1);
  free(*json);
  *json = o;
}

/* Re-sign the compact body {"<member>":{...},"signature":"..."} with key. */
static void resign(char *json, const char *member, EVP_PKEY *key) {
  char head[64];
  snprintf(head, sizeof head, "{\"%s\":", member);
  assert_memory_equal(json, head, strlen(head));
  char *body = json + strlen(head);
  char *sig = strstr(json, ",\"signature\":\"");
  assert_non_null(sig);
  sgxra_p256_key *k = NULL;
  assert_int_equal(sgxra_p256_from_evp(NULL, key, &k), SGXRA_OK);
  uint8_t rs[64];
  assert_int_equal(sgxra_p256_sign(NULL, k, body, (size_t)(sig - body), rs),
                   SGXRA_OK);
  sgxra_p256_free(k);
  char hex[129];
  sgxra_hex_encode(rs, 64, hex);
  memcpy(sig + strlen(",\"signature\":\""), hex, 128);
}

typedef struct pki_case {
  char *tcb_info;
  char *qe_identity;
  long revoked;            /* serial in the PCK CRL, 0 for none */
  const uint8_t *ak;       /* another attestation key (QE report redone) */
  sgxra_p256_key *ak_priv; /* its private key: the ISV signature redone */
  int version;             /* 3 (default), 4 or 5: the layout rebuilt */
  int qe_isvsvn;           /* >= 0: the QE report's ISVSVN replaced */
  const uint8_t *qe_misc;  /* the QE report's 4 MISCSELECT bytes replaced */
  int qe_rd_tail;          /* >= 0: QE report data byte 32 replaced */
  int64_t root_crl_from;   /* root CA CRL thisUpdate (0: T01 - 1 day) */
  int64_t at;              /* verification time (0: T01) */
} pki_case;

/* The test PKI's collateral for this case (TCB Info and QE Identity
 * re-signed first). */
/* The collateral of a case, re-signed; the load's code in *err when err
 * is not NULL (else a failed load fails the test). */
static sgxra_collateral *pki_collateral_err(fixture *f, test_pki *k,
                                            const pki_case *pc, sgxra_err *err);

static sgxra_collateral *pki_collateral(fixture *f, test_pki *k,
                                        const pki_case *pc) {
  return pki_collateral_err(f, k, pc, NULL);
}

static sgxra_collateral *pki_collateral_err(fixture *f, test_pki *k,
                                            const pki_case *pc,
                                            sgxra_err *err) {
  resign(pc->tcb_info, "tcbInfo", k->tcb_key);
  resign(pc->qe_identity, "enclaveIdentity", k->tcb_key);
  size_t rn, pn;
  uint8_t *root_crl = make_crl(k->root, k->root_key, 0, pc->root_crl_from, &rn);
  uint8_t *pck_crl = make_crl(k->ca, k->ca_key, pc->revoked, 0, &pn);
  char pck_chain[8192], tcb_chain[8192];
  snprintf(pck_chain, sizeof pck_chain, "%s%s", k->ca_pem, k->root_pem);
  snprintf(tcb_chain, sizeof tcb_chain, "%s%s", k->tcb_pem, k->root_pem);
  sgxra_collateral_buffers b;
  memset(&b, 0, sizeof b);
  b.pck_crl_issuer_chain = (const uint8_t *)pck_chain;
  b.pck_crl_issuer_chain_len = strlen(pck_chain);
  b.root_ca_crl = root_crl;
  b.root_ca_crl_len = rn;
  b.pck_crl = pck_crl;
  b.pck_crl_len = pn;
  b.tcb_info = (const uint8_t *)pc->tcb_info;
  b.tcb_info_len = strlen(pc->tcb_info);
  b.tcb_info_issuer_chain = (const uint8_t *)tcb_chain;
  b.tcb_info_issuer_chain_len = strlen(tcb_chain);
  b.qe_identity = (const uint8_t *)pc->qe_identity;
  b.qe_identity_len = strlen(pc->qe_identity);
  b.qe_identity_issuer_chain = (const uint8_t *)tcb_chain;
  b.qe_identity_issuer_chain_len = strlen(tcb_chain);
  sgxra_collateral *c = NULL;
  sgxra_err e = sgxra_collateral_load(f->cx, &b, &c);
  if (err)
    *err = e;
  else if (e != SGXRA_OK)
    fail_msg("test PKI collateral: %s", sgxra_ctx_message(f->cx));
  free(root_crl);
  free(pck_crl);
  return c;
}

/* sgx-01's quote with the test PKI's chain for `pck_pem` (issued for
 * pck_key) and its QE report signed by that key. */
static uint8_t *pki_quote(fixture *f, test_pki *k, const pki_case *pc,
                          const char *pck_pem, EVP_PKEY *pck_key,
                          size_t *out_n) {
  char quote_chain[8192];
  snprintf(quote_chain, sizeof quote_chain, "%s%s%s", pck_pem, k->ca_pem,
           k->root_pem);
  size_t qn;
  uint8_t *q = with_chain(f, quote_chain, &qn);
  if (pc->ak) {
    /* new key, QE report data = SHA-256(key || auth data) || zeros */
    memcpy(q + 500, pc->ak, 64);
    uint8_t buf[96];
    memcpy(buf, q + 500, 64);
    memcpy(buf + 64, q + 1014, 32);
    assert_int_equal(sgxra_sha256(NULL, buf, sizeof buf, q + 564 + 320),
                     SGXRA_OK);
  }
  if (pc->qe_isvsvn >= 0) {
    q[564 + 258] = (uint8_t)pc->qe_isvsvn;
    q[564 + 259] = (uint8_t)(pc->qe_isvsvn >> 8);
  }
  if (pc->qe_misc) memcpy(q + 564 + 16, pc->qe_misc, 4);
  if (pc->qe_rd_tail >= 0) q[564 + 320 + 32] = (uint8_t)pc->qe_rd_tail;
  sgxra_p256_key *pk = NULL;
  assert_int_equal(sgxra_p256_from_evp(NULL, pck_key, &pk), SGXRA_OK);
  assert_int_equal(sgxra_p256_sign(NULL, pk, q + 564, 384, q + 948), SGXRA_OK);
  sgxra_p256_free(pk);
  if (pc->version != 3) {
    uint8_t *r = tu_quote_v3_as(q, qn, pc->version, &qn);
    free(q);
    q = r;
  }
  if (pc->ak_priv) {
    size_t signed_len = pc->version == 5 ? 438 : 432;
    assert_int_equal(
        sgxra_p256_sign(NULL, pc->ak_priv, q, signed_len, q + signed_len + 4),
        SGXRA_OK);
  }
  *out_n = qn;
  return q;
}

static void pki_verify(fixture *f, test_pki *k, const pki_case *pc,
                       sgxra_verdict *vd) {
  sgxra_collateral *c = pki_collateral(f, k, pc);
  size_t qn;
  uint8_t *q = pki_quote(f, k, pc, k->pck_pem, k->pck_key, &qn);
  sgxra_x509_chain *root = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx,
                                              (const uint8_t *)k->root_pem,
                                              strlen(k->root_pem), &root),
                   SGXRA_OK);
  assert_int_equal(sgxra_verify_quote(f->cx, q, qn, c,
                                      sgxra_x509_chain_get(root, 0),
                                      pc->at ? pc->at : T01, vd),
                   SGXRA_OK);
  sgxra_x509_chain_free(root);
  sgxra_collateral_free(c);
  free(q);
}

static void case_init(pki_case *pc) {
  size_t n;
  pc->tcb_info = (char *)tu_read_bundle(B01, "tcb_info.json", &n);
  pc->qe_identity = (char *)tu_read_bundle(B01, "qe_identity.json", &n);
  pc->revoked = 0;
  pc->ak = NULL;
  pc->ak_priv = NULL;
  pc->version = 3;
  pc->qe_isvsvn = -1;
  pc->qe_misc = NULL;
  pc->qe_rd_tail = -1;
  pc->root_crl_from = 0;
  pc->at = 0;
}

static void case_free(pki_case *pc) {
  free(pc->tcb_info);
  free(pc->qe_identity);
}

static void expect_ok(const sgxra_verdict *vd, const char *qv,
                      sgxra_tcb_status final) {
  if (strcmp(sgxra_ql_result_name(vd->ql_return), "SGX_QL_SUCCESS") != 0)
    fail_msg("%s: %s [%s]", sgxra_ql_result_name(vd->ql_return), vd->reason,
             sgxra_err_name(vd->err));
  assert_string_equal(vd->qv_result, qv);
  assert_int_equal(vd->final_status, final);
}

static void test_pki_outcomes(void **state) {
  fixture *f = *state;
  test_pki k;
  memset(&k, 0, sizeof k);
  pki_make(f, &k);
  pki_case pc;
  sgxra_verdict vd;

  /* as sgx-01 itself: the chain and signatures of the test PKI hold */
  case_init(&pc);
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
            SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
  assert_int_equal(vd.advisory_count, 2);
  case_free(&pc);

  /* the root CA CRL issued after the PCK CRL: before its thisUpdate the
   * collateral counts as expired (two-sided CRL validity, Intel's QVL
   * Validity::isValid / STATUS_SGX_CRL_EXPIRED), from it on not */
  for (int d = -1; d <= 0; d++) {
    case_init(&pc);
    pc.root_crl_from = T01 - 3600;
    pc.at = T01 - 3600 + d;
    pki_verify(f, &k, &pc, &vd);
    expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
              SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
    assert_int_equal(vd.collateral_expired, d < 0);
    case_free(&pc);
  }

  /* QE report data: Intel's QVL compares SHA-256(attestation key || QE
   * auth data) with its first 32 bytes only, so a nonzero byte after the
   * digest (in a QE report the PCK key signed) changes nothing */
  case_init(&pc);
  pc.qe_rd_tail = 0x5a;
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
            SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
  assert_int_equal(vd.qe_report.reportdata[32], 0x5a);
  case_free(&pc);

  /* advisory IDs as Intel's QvE lists them: 20 characters at most (the
   * matched level's first ID is INTEL-SA-00289) */
  case_init(&pc);
  edit(&pc.tcb_info, "\"INTEL-SA-00289\"", "\"INTEL-SA-00289-ABCDE\"");
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
            SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
  assert_int_equal(vd.advisory_count, 2);
  assert_string_equal(vd.advisory_ids[0], "INTEL-SA-00289-ABCDE");
  assert_string_equal(vd.advisory_ids[1], "INTEL-SA-00615");
  case_free(&pc);
  /* 21 characters: Intel's QvE stops copying at that ID and still returns
   * success (qve_set_quote_supplemental_data breaks only its copy loop;
   * Intel's oracle: SUCCESS with an empty list), so the list is cut */
  case_init(&pc);
  edit(&pc.tcb_info, "\"INTEL-SA-00289\"", "\"INTEL-SA-00289-ABCDEF\"");
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
            SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
  assert_int_equal(vd.advisory_count, 0);
  case_free(&pc);
  /* ... and a long second ID keeps the first */
  case_init(&pc);
  edit(&pc.tcb_info, "\"INTEL-SA-00289\",\"INTEL-SA-00615\"",
       "\"INTEL-SA-00289\",\"INTEL-SA-00615-ABCDEF\"");
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
            SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
  assert_int_equal(vd.advisory_count, 1);
  assert_string_equal(vd.advisory_ids[0], "INTEL-SA-00289");
  case_free(&pc);
  /* N IDs of `len` characters: at most 20 IDs (MAX_SA_NUMBER_PER_TCB),
   * else UNEXPECTED; the list (each ID and a comma) stops before it would
   * pass 320 bytes (MAX_SA_LIST_SIZE), still a success */
  static const struct {
    int count, len, want; /* want < 0: SGX_QL_ERROR_UNEXPECTED */
  } sa[] = {{20, 14, 20}, {21, 14, -1}, {23, 14, -1},
            {15, 20, 15}, {16, 20, 15}, {20, 20, 15}};
  for (size_t i = 0; i < sizeof sa / sizeof sa[0]; i++) {
    case_init(&pc);
    char many[32 * 24 + 64] = "\"advisoryIDs\":[";
    for (int j = 0; j < sa[i].count; j++)
      snprintf(many + strlen(many), sizeof many - strlen(many),
               "%s\"INTEL-SA-%0*d\"", j ? "," : "", sa[i].len - 9, j);
    strcat(many, "]");
    edit(&pc.tcb_info,
         "\"advisoryIDs\":[\"INTEL-SA-00289\",\"INTEL-SA-00615\"]", many);
    pki_verify(f, &k, &pc, &vd);
    if (sa[i].want < 0) {
      expect(&vd, "SGX_QL_ERROR_UNEXPECTED", SGXRA_E_TCBINFO_FIELD,
             SGXRA_STAGE_TCB_LEVEL);
      char n[64];
      snprintf(n, sizeof n, "has %d advisory IDs", sa[i].count);
      assert_non_null(strstr(vd.reason, n));
    } else {
      expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
                SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
      if ((int)vd.advisory_count != sa[i].want)
        fail_msg("%d IDs of %d characters: %zu listed, want %d", sa[i].count,
                 sa[i].len, vd.advisory_count, sa[i].want);
      assert_int_equal(strlen(vd.advisory_ids[sa[i].want - 1]),
                       (size_t)sa[i].len);
    }
    case_free(&pc);
  }
  /* ... but a Revoked level is reported as revoked first, as the QvE
   * lists advisories only for a verdict it returns */
  case_init(&pc);
  edit(&pc.tcb_info, "\"INTEL-SA-00289\"", "\"INTEL-SA-00289-ABCDEF\"");
  edit(&pc.tcb_info, "\"tcbStatus\":\"ConfigurationAndSWHardeningNeeded\"",
       "\"tcbStatus\":\"Revoked\"");
  pki_verify(f, &k, &pc, &vd);
  expect(&vd, "SGX_QL_TCB_REVOKED", SGXRA_E_VERIFY_TCB_REVOKED,
         SGXRA_STAGE_TCB_LEVEL);
  case_free(&pc);

  /* the PCK certificate revoked by the PCK CRL */
  case_init(&pc);
  pc.revoked = 0x1234567;
  pki_verify(f, &k, &pc, &vd);
  expect(&vd, "SGX_QL_PCK_REVOKED", SGXRA_E_VERIFY_PCK_REVOKED,
         SGXRA_STAGE_PCK_CHAIN);
  assert_non_null(strstr(vd.reason, "01234567"));
  case_free(&pc);
  /* another serial revoked: no effect */
  case_init(&pc);
  pc.revoked = 0x1234568;
  pki_verify(f, &k, &pc, &vd);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  case_free(&pc);

  /* the matched level Revoked */
  case_init(&pc);
  edit(&pc.tcb_info, "\"tcbStatus\":\"ConfigurationAndSWHardeningNeeded\"",
       "\"tcbStatus\":\"Revoked\"");
  pki_verify(f, &k, &pc, &vd);
  expect(&vd, "SGX_QL_TCB_REVOKED", SGXRA_E_VERIFY_TCB_REVOKED,
         SGXRA_STAGE_TCB_LEVEL);
  case_free(&pc);

  /* a TCB level's pcesvn edited (13 -> 14) and re-signed: the level no
   * longer matches the PCK's PCESVN 13; the next one that does is the
   * fourth, OutOfDateConfigurationNeeded (the third needs component 7 at
   * 12, the PCK has 0) */
  case_init(&pc);
  edit(&pc.tcb_info,
       "{\"svn\":0},{\"svn\":0}],\"pcesvn\":13},\"tcbDate\":\"2024-03-13T00:"
       "00:00Z\",\"tcbStatus\":\"ConfigurationAndSWHardeningNeeded\"",
       "{\"svn\":0},{\"svn\":0}],\"pcesvn\":14},\"tcbDate\":\"2024-03-13T00:"
       "00:00Z\",\"tcbStatus\":\"ConfigurationAndSWHardeningNeeded\"");
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED",
            SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
  assert_int_equal(vd.tcb_svn[0], 10); /* 10,10,2,2,255,1,0.. pcesvn 13 */
  assert_int_equal(vd.tcb_svn[6], 0);
  case_free(&pc);

  /* every level above the platform: TCB not supported */
  case_init(&pc);
  {
    /* every "pcesvn":N of the levels becomes "pcesvn":99N (distinct levels
     * stay distinct: Intel refuses duplicate levels) */
    char *o = malloc(strlen(pc.tcb_info) * 2 + 1), *w = o;
    for (const char *r = pc.tcb_info; *r;) {
      if (strncmp(r, "\"pcesvn\":", 9) == 0) {
        memcpy(w, "\"pcesvn\":99", 11);
        w += 11;
        r += 9;
      } else {
        *w++ = *r++;
      }
    }
    *w = 0;
    free(pc.tcb_info);
    pc.tcb_info = o;
  }
  pki_verify(f, &k, &pc, &vd);
  expect(&vd, "SGX_QL_TCB_NOT_SUPPORTED", SGXRA_E_VERIFY_TCB_NOT_SUPPORTED,
         SGXRA_STAGE_TCB_LEVEL);
  case_free(&pc);

  /* QE OutOfDate (its ISVSVN 10 below the first level, now 11) merges
   * with ConfigurationAndSWHardeningNeeded into
   * OutOfDateConfigurationNeeded */
  case_init(&pc);
  edit(&pc.qe_identity, "{\"tcb\":{\"isvsvn\":8}", "{\"tcb\":{\"isvsvn\":11}");
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED",
            SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
  assert_int_equal(vd.qe_status, SGXRA_TCB_OUT_OF_DATE);
  assert_int_equal(vd.qe_level_isvsvn, 6);
  assert_int_equal(vd.tcb_status,
                   SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
  assert_int_equal(vd.advisory_count, 2); /* the platform level's */
  case_free(&pc);

  /* ... and with UpToDate into OutOfDate */
  case_init(&pc);
  edit(&pc.qe_identity, "{\"tcb\":{\"isvsvn\":8}", "{\"tcb\":{\"isvsvn\":11}");
  edit(&pc.tcb_info, "\"tcbStatus\":\"ConfigurationAndSWHardeningNeeded\"",
       "\"tcbStatus\":\"UpToDate\"");
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_OUT_OF_DATE", SGXRA_TCB_OUT_OF_DATE);
  case_free(&pc);

  /* a Revoked QE level revokes */
  case_init(&pc);
  edit(&pc.qe_identity,
       "{\"tcb\":{\"isvsvn\":8},\"tcbDate\":\"2024-03-13T00:00:00Z\","
       "\"tcbStatus\":\"UpToDate\"}",
       "{\"tcb\":{\"isvsvn\":8},\"tcbDate\":\"2024-03-13T00:00:00Z\","
       "\"tcbStatus\":\"Revoked\"}");
  pki_verify(f, &k, &pc, &vd);
  expect(&vd, "SGX_QL_TCB_REVOKED", SGXRA_E_VERIFY_TCB_REVOKED,
         SGXRA_STAGE_TCB_LEVEL);
  case_free(&pc);

  /* a QE ISVSVN below every QE Identity level: Intel's QVL reports
   * STATUS_SGX_ENCLAVE_REPORT_ISVSVN_NOT_SUPPORTED (EnclaveReportVerifier),
   * which TcbLevelCheck convergeTcbStatusWithQeTcbStatus turns into
   * STATUS_TCB_NOT_SUPPORTED (Intel's oracle: TCB_NOT_SUPPORTED) */
  case_init(&pc);
  pc.qe_isvsvn = 0;
  pki_verify(f, &k, &pc, &vd);
  expect(&vd, "SGX_QL_TCB_NOT_SUPPORTED", SGXRA_E_VERIFY_TCB_NOT_SUPPORTED,
         SGXRA_STAGE_TCB_LEVEL);
  assert_false(vd.has_qe_level);
  assert_non_null(strstr(vd.reason, "ISVSVN 0"));
  case_free(&pc);
  /* ... even when the platform's level is Revoked (the QE's status is
   * converged first) */
  case_init(&pc);
  pc.qe_isvsvn = 0;
  edit(&pc.tcb_info, "\"tcbStatus\":\"ConfigurationAndSWHardeningNeeded\"",
       "\"tcbStatus\":\"Revoked\"");
  pki_verify(f, &k, &pc, &vd);
  expect(&vd, "SGX_QL_TCB_NOT_SUPPORTED", SGXRA_E_VERIFY_TCB_NOT_SUPPORTED,
         SGXRA_STAGE_TCB_LEVEL);
  case_free(&pc);
  /* ... and at a lower OutOfDate level (ISVSVN 5): OutOfDate merge; the
   * advisories stay the platform level's (the QvE's sa_list does not add
   * the QE level's INTEL-SA-00477) */
  case_init(&pc);
  pc.qe_isvsvn = 5;
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED",
            SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
  assert_int_equal(vd.qe_level_isvsvn, 5);
  assert_int_equal(vd.advisory_count, 2);
  assert_string_equal(vd.advisory_ids[0], "INTEL-SA-00289");
  assert_string_equal(vd.advisory_ids[1], "INTEL-SA-00615");
  case_free(&pc);

  /* MISCSELECT: the identity's hex digits are the report's bytes in order
   * (Intel swaps them into a number): MISCSELECT 1 is "01000000" */
  static const uint8_t misc1[4] = {1, 0, 0, 0};
  case_init(&pc);
  pc.qe_misc = misc1;
  edit(&pc.qe_identity, "\"miscselect\":\"00000000\"",
       "\"miscselect\":\"01000000\"");
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
            SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
  case_free(&pc);
  /* Each of these makes the QE's report disagree with the QE Identity:
   * MISCSELECT in the wrong byte order (with and without the QE's own
   * MISCSELECT changed), another signer, another ISVPRODID, an attribute
   * bit inside the mask. */
  static const struct {
    const uint8_t *qe_misc;
    const char *from, *to;
  } mismatches[] = {
      {misc1, "\"miscselect\":\"00000000\"", "\"miscselect\":\"00000001\""},
      {NULL, "\"mrsigner\":\"8C4F", "\"mrsigner\":\"8C4E"},
      {NULL, "\"isvprodid\":1", "\"isvprodid\":2"},
      {NULL, "\"attributes\":\"1100", "\"attributes\":\"1500"},
      {NULL, "\"miscselect\":\"00000000\"", "\"miscselect\":\"00000001\""},
  };
  for (size_t i = 0; i < sizeof(mismatches) / sizeof(mismatches[0]); i++) {
    case_init(&pc);
    if (mismatches[i].qe_misc) pc.qe_misc = mismatches[i].qe_misc;
    edit(&pc.qe_identity, mismatches[i].from, mismatches[i].to);
    pki_verify(f, &k, &pc, &vd);
    expect(&vd, "SGX_QL_QEIDENTITY_MISMATCH",
           SGXRA_E_VERIFY_QE_IDENTITY_MISMATCH, SGXRA_STAGE_QE_IDENTITY);
    case_free(&pc);
  }

  /* v4 and v5 quotes (a test attestation key signs the rebuilt header and
   * body) reach the same verdict as v3 */
  for (int version = 3; version <= 5; version++) {
    case_init(&pc);
    sgxra_p256_key *ak = NULL;
    assert_int_equal(sgxra_p256_generate(NULL, &ak), SGXRA_OK);
    uint8_t ak_raw[64];
    sgxra_p256_public_raw(ak, ak_raw);
    pc.ak = ak_raw;
    pc.ak_priv = ak;
    pc.version = version;
    pki_verify(f, &k, &pc, &vd);
    expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
              SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
    assert_int_equal(vd.header.version, version);
    tu_assert_hex(
        vd.report.mrenclave, 32,
        "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
    sgxra_p256_free(ak);
    case_free(&pc);
  }

  /* an attestation key that is not a curve point (bound by a re-signed QE
   * report, so only the key itself is wrong) */
  case_init(&pc);
  uint8_t bad_ak[64];
  memset(bad_ak, 0x01, sizeof bad_ak);
  pc.ak = bad_ak;
  pki_verify(f, &k, &pc, &vd);
  expect(&vd, "SGX_QL_QUOTE_FORMAT_UNSUPPORTED", SGXRA_E_VERIFY_ATTEST_KEY,
         SGXRA_STAGE_QUOTE_SIG);
  case_free(&pc);

  pki_free(&k);

  /* a leaf whose common name is not a PCK certificate's */
  memset(&k, 0, sizeof k);
  k.leaf_cn = "sgxra TEST not a PCK";
  pki_make(f, &k);
  case_init(&pc);
  pki_verify(f, &k, &pc, &vd);
  expect(&vd, "SGX_QL_PCK_CERT_CHAIN_ERROR", SGXRA_E_VERIFY_PCK_CERT,
         SGXRA_STAGE_PCK_CHAIN);
  case_free(&pc);
  pki_free(&k);
}

/* Random damage anywhere in the quote (a fixed-seed xorshift, so a failure
 * replays): never a crash, always a verdict; a verdict of success only
 * when the bytes changed are outside everything signed and parsed (the
 * NUL after the PEM chain). */
static void test_random_damage(void **state) {
  fixture *f = *state;
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  uint8_t *c = malloc(f->n);
  for (int round = 0; round < 3000; round++) {
    memcpy(c, f->quote, f->n);
    int flips = 1 + (int)(x % 4);
    size_t last = 0;
    for (int i = 0; i < flips; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      last = (size_t)(x % f->n);
      c[last] ^= (uint8_t)(1u << (x >> 61));
    }
    size_t n = f->n;
    if (round % 5 == 0) n = (size_t)((x >> 20) % f->n);
    sgxra_verdict vd;
    assert_int_equal(sgxra_verifier_verify(f->cx, f->v, c, n, T01, &vd),
                     SGXRA_OK);
    assert_string_not_equal(sgxra_ql_result_name(vd.ql_return), "");
    if (vd.err == SGXRA_OK && memcmp(c, f->quote, f->n - 1) != 0) {
      /* success despite damage: only the PEM text's trailing NUL, or
       * whitespace/line breaks inside the PEM, may differ */
      for (size_t i = 0; i < 1052; i++)
        if (c[i] != f->quote[i]) fail_msg("round %d: byte %zu", round, i);
    }
    assert_true(sgxra_verifier_cache_size(f->v) <= SGXRA_VERIFIER_CACHE_MAX);
  }
  free(c);
}

/* More platforms than the verifier's cache holds: every quote verifies,
 * the cache stays at its cap, and an evicted platform is checked again. */
static void test_cache_eviction(void **state) {
  fixture *f = *state;
  test_pki k;
  memset(&k, 0, sizeof k);
  pki_make(f, &k);
  pki_case pc;
  case_init(&pc);
  sgxra_collateral *c = pki_collateral(f, &k, &pc);
  sgxra_x509_chain *root = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx,
                                              (const uint8_t *)k.root_pem,
                                              strlen(k.root_pem), &root),
                   SGXRA_OK);
  assert_int_equal(
      sgxra_collateral_validate(f->cx, c, sgxra_x509_chain_get(root, 0), T01),
      SGXRA_OK);
  sgxra_verifier *v = NULL;
  assert_int_equal(sgxra_verifier_new(f->cx, c, &v), SGXRA_OK);
  size_t ext_n;
  uint8_t *ext = sgx01_extension(f, &ext_n);
  uint8_t *first = NULL;
  size_t first_n = 0;
  const int platforms = SGXRA_VERIFIER_CACHE_MAX + 20;
  for (int i = 0; i < platforms; i++) {
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *leaf = make_cert("Intel SGX PCK Certificate", 1000 + i, key, k.ca,
                           k.ca_key, 0, ext, ext_n);
    char *pem = x509_pem(leaf);
    size_t qn;
    uint8_t *q = pki_quote(f, &k, &pc, pem, key, &qn);
    sgxra_verdict vd;
    assert_int_equal(sgxra_verifier_verify(f->cx, v, q, qn, T01, &vd),
                     SGXRA_OK);
    expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
              SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
    size_t want = (size_t)i + 1 < SGXRA_VERIFIER_CACHE_MAX
                      ? (size_t)i + 1
                      : SGXRA_VERIFIER_CACHE_MAX;
    assert_int_equal(sgxra_verifier_cache_size(v), want);
    if (i == 0) {
      first = q;
      first_n = qn;
    } else {
      free(q);
    }
    free(pem);
    X509_free(leaf);
    EVP_PKEY_free(key);
  }
  /* the first platform was evicted: checked again from scratch */
  sgxra_verdict vd;
  assert_int_equal(sgxra_verifier_verify(f->cx, v, first, first_n, T01, &vd),
                   SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return), "SGX_QL_SUCCESS");
  assert_int_equal(sgxra_verifier_cache_size(v), SGXRA_VERIFIER_CACHE_MAX);
  free(first);
  free(ext);
  sgxra_verifier_free(v);
  sgxra_x509_chain_free(root);
  sgxra_collateral_free(c);
  case_free(&pc);
  pki_free(&k);
}

/* Rebuild TCB Info's "tcbLevels" array from its own levels: order[] lists
 * the indexes of the levels to keep, in the new order (-2 stands for the
 * matched level (index 1) with status Revoked). */
static void relevel(char **json, const int *order, int n) {
  char *a = strstr(*json, "\"tcbLevels\":[");
  assert_non_null(a);
  a += strlen("\"tcbLevels\":[");
  const char *lv[64];
  size_t len[64];
  int count = 0, depth = 0;
  const char *r = a, *start = NULL;
  for (; *r && !(depth == 0 && *r == ']'); r++) {
    if (*r == '{' && depth++ == 0) start = r;
    if (*r == '}' && --depth == 0) {
      assert_true(count < 64);
      lv[count] = start;
      len[count++] = (size_t)(r + 1 - start);
    }
  }
  size_t cap = strlen(*json) * 2 + 256;
  char *o = malloc(cap), *w = o;
  memcpy(w, *json, (size_t)(a - *json));
  w += a - *json;
  for (int i = 0; i < n; i++) {
    if (i) *w++ = ',';
    if (order[i] == -2) {
      char *l = strndup(lv[1], len[1]);
      edit(&l, "ConfigurationAndSWHardeningNeeded", "Revoked");
      memcpy(w, l, strlen(l));
      w += strlen(l);
      free(l);
    } else {
      assert_true(order[i] < count);
      memcpy(w, lv[order[i]], len[order[i]]);
      w += len[order[i]];
    }
  }
  strcpy(w, r);
  free(*json);
  *json = o;
}

/* Levels are walked in Intel's order (SVNs, then PCESVN, highest first;
 * equal keys kept once), not in the order the JSON happens to list them. */
static void test_level_order(void **state) {
  fixture *f = *state;
  test_pki k;
  memset(&k, 0, sizeof k);
  pki_make(f, &k);
  pki_case pc;
  sgxra_verdict vd;
  /* level 3 (OutOfDateConfigurationNeeded, SVNs 10,10,..) listed first */
  static const int moved[] = {3, 0, 1, 2, 4, 5};
  case_init(&pc);
  relevel(&pc.tcb_info, moved, 6);
  pki_verify(f, &k, &pc, &vd);
  expect_ok(&vd, "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
            SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
  case_free(&pc);
  /* the matched level again, Revoked, after it or before it: Intel
   * refuses the TCB Info (QVL TcbInfo::parsePartV2, "Detected duplicated
   * TCB levels" -> TCBINFO_UNSUPPORTED_FORMAT; tests/verify_diff
   * synth/tcb_level_duplicate_*) */
  static const int dup_after[] = {0, 1, -2, 2, 3};
  static const int dup_before[] = {0, -2, 1, 2, 3};
  const int *dups[] = {dup_after, dup_before};
  for (int i = 0; i < 2; i++) {
    case_init(&pc);
    relevel(&pc.tcb_info, dups[i], 5);
    sgxra_err e = SGXRA_OK;
    sgxra_collateral *c = pki_collateral_err(f, &k, &pc, &e);
    assert_null(c);
    assert_int_equal(e, SGXRA_E_TCBINFO_FIELD);
    assert_non_null(strstr(sgxra_ctx_message(f->cx), "duplicate levels"));
    case_free(&pc);
  }
  pki_free(&k);
}

/* ---- two faults at once: Intel's step order ------------------------------ */

/* sgx-01's collateral, loaded deferred (as the CLI loads it), with the
 * named file replaced by data[0..len) (up to two replacements). */
typedef struct repl {
  const char *name;
  const uint8_t *data;
  size_t len;
} repl;

static sgxra_collateral *load_deferred_with(sgxra_ctx *cx, const repl *r,
                                            size_t nr) {
  static const char *const names[] = {"pck_crl_issuer_chain.pem",
                                      "root_ca_crl.der",
                                      "pck_crl.der",
                                      "tcb_info.json",
                                      "tcb_info_issuer_chain.pem",
                                      "qe_identity.json",
                                      "qe_identity_issuer_chain.pem"};
  uint8_t *buf[7];
  const uint8_t *use[7];
  size_t len[7];
  for (size_t i = 0; i < 7; i++) {
    buf[i] = tu_read_bundle(B01, names[i], &len[i]);
    use[i] = buf[i];
    for (size_t k = 0; k < nr; k++)
      if (strcmp(r[k].name, names[i]) == 0) {
        use[i] = r[k].data;
        len[i] = r[k].len;
      }
  }
  sgxra_collateral_buffers b;
  memset(&b, 0, sizeof b);
  b.pck_crl_issuer_chain = use[0];
  b.pck_crl_issuer_chain_len = len[0];
  b.root_ca_crl = use[1];
  b.root_ca_crl_len = len[1];
  b.pck_crl = use[2];
  b.pck_crl_len = len[2];
  b.tcb_info = use[3];
  b.tcb_info_len = len[3];
  b.tcb_info_issuer_chain = use[4];
  b.tcb_info_issuer_chain_len = len[4];
  b.qe_identity = use[5];
  b.qe_identity_len = len[5];
  b.qe_identity_issuer_chain = use[6];
  b.qe_identity_issuer_chain_len = len[6];
  sgxra_collateral *c = NULL;
  if (sgxra_collateral_load_deferred(cx, &b, &c) != SGXRA_OK)
    fail_msg("load deferred: %s", sgxra_ctx_message(cx));
  for (size_t i = 0; i < 7; i++) free(buf[i]);
  return c;
}

/* A bundle file of sgx-01 with byte `at` (negative: from the end) xor'ed
 * with x, or cut to `cut` bytes (0: not cut), or with `append` added. */
static uint8_t *b01_file(const char *name, long at, uint8_t x, size_t cut,
                         const char *append, size_t *out_n) {
  size_t n;
  uint8_t *d = tu_read_bundle(B01, name, &n);
  size_t an = append ? strlen(append) + (append[0] == 0) : 0;
  d = realloc(d, n + an + 1);
  if (append) memcpy(d + n, append, an);
  n += an;
  if (x) d[at < 0 ? (long)n + at : at] ^= x;
  if (cut) n = cut;
  *out_n = n;
  return d;
}

/* The issuer chain file `name` of sgx-01 without its root (the second
 * PEM block): one certificate, which Intel's QVL refuses with
 * STATUS_UNSUPPORTED_CERT_FORMAT in the chain's own step. */
static char *b01_chain_no_root(const char *name) {
  size_t n;
  char *t = (char *)tu_read_bundle(B01, name, &n);
  char *leaf = pem_block(t, 0);
  free(t);
  return leaf;
}

/* The answers are Intel's (the oracle of issue 13, recorded as the
 * multi/ ids of tests/verify_diff/expected/sgx-01-phala-v3.json): each
 * input holds two faults from two steps of sgx_qve_verify_quote, and the
 * earlier step decides. */
static void test_multi_fault_order(void **state) {
  fixture *f = *state;
  sgxra_verdict vd;
  size_t n1, n2;
  /* quote version flipped (step 5) */
  uint8_t *qver = malloc(f->n);
  memcpy(qver, f->quote, f->n);
  qver[0] ^= 0x01;

  /* step 2 (QvE's NUL-terminated text collateral) before step 5 */
  uint8_t *tcb_nul = b01_file("tcb_info.json", 0, 0, 0, "", &n1);
  repl r1[] = {{"tcb_info.json", tcb_nul, n1}};
  sgxra_collateral *c = load_deferred_with(f->cx, r1, 1);
  assert_int_equal(sgxra_verify_quote(f->cx, qver, f->n, c, NULL, T01, &vd),
                   SGXRA_OK);
  expect(&vd, "SGX_QL_ERROR_INVALID_PARAMETER", SGXRA_E_INVALID_ARGUMENT,
         SGXRA_STAGE_COLLATERAL);
  sgxra_collateral_free(c);
  free(tcb_nul);

  /* step 2 (zero-size CRL buffer) before step 5 */
  repl r2[] = {{"pck_crl.der", (const uint8_t *)"", 0}};
  c = load_deferred_with(f->cx, r2, 1);
  assert_int_equal(sgxra_verify_quote(f->cx, qver, f->n, c, NULL, T01, &vd),
                   SGXRA_OK);
  expect(&vd, "SGX_QL_ERROR_INVALID_PARAMETER", SGXRA_E_INVALID_ARGUMENT,
         SGXRA_STAGE_COLLATERAL);
  sgxra_collateral_free(c);

  /* step 5 (quote format) before step 6 (TcbInfo::parse) */
  static const char bad_tcb[] = "{\"tcbInfo\":";
  repl r3[] = {{"tcb_info.json", (const uint8_t *)bad_tcb, strlen(bad_tcb)}};
  c = load_deferred_with(f->cx, r3, 1);
  assert_int_equal(sgxra_verify_quote(f->cx, qver, f->n, c, NULL, T01, &vd),
                   SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                      "SGX_QL_QUOTE_FORMAT_UNSUPPORTED");
  /* step 6 (TcbInfo::parse) before step 7 (the quote's chain has 3) */
  char *qpem = strndup((const char *)f->quote + 1052, f->n - 1052);
  char *leaf = pem_block(qpem, 0), *ca = pem_block(qpem, 1);
  char two[8192];
  snprintf(two, sizeof two, "%s%s", leaf, ca);
  size_t qn;
  uint8_t *q2 = with_chain(f, two, &qn);
  assert_int_equal(sgxra_verify_quote(f->cx, q2, qn, c, NULL, T01, &vd),
                   SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                      "SGX_QL_TCBINFO_UNSUPPORTED_FORMAT");
  assert_int_equal(vd.stage, SGXRA_STAGE_COLLATERAL);
  sgxra_collateral_free(c);
  /* ... and the same two-certificate quote with good collateral is the
   * chain's error (the step-7 fault alone) */
  c = load_deferred_with(f->cx, NULL, 0);
  assert_int_equal(sgxra_verify_quote(f->cx, q2, qn, c, NULL, T01, &vd),
                   SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                      "SGX_QL_PCK_CERT_CHAIN_ERROR");
  sgxra_collateral_free(c);

  /* step 12 (PCK certificate: the CRLs' signatures) before step 13 (the
   * TCB Info issuer chain must hold 2 certificates) */
  char *tcb1 = b01_chain_no_root("tcb_info_issuer_chain.pem");
  const char *crls[] = {"pck_crl.der", "root_ca_crl.der"};
  for (int i = 0; i < 2; i++) {
    uint8_t *crl = b01_file(crls[i], -1, 0x01, 0, NULL, &n2);
    repl r4[] = {
        {crls[i], crl, n2},
        {"tcb_info_issuer_chain.pem", (const uint8_t *)tcb1, strlen(tcb1)}};
    c = load_deferred_with(f->cx, r4, 2);
    assert_int_equal(
        sgxra_verify_quote(f->cx, f->quote, f->n, c, NULL, T01, &vd), SGXRA_OK);
    assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                        "SGX_QL_RESULT_INVALID_SIGNATURE");
    sgxra_collateral_free(c);
    free(crl);
  }
  /* step 13 (TCB Info signature) before step 14 (QE Identity chain) */
  char *qe1 = b01_chain_no_root("qe_identity_issuer_chain.pem");
  uint8_t *tcb_sig = b01_file("tcb_info.json", -3, 0x01, 0, NULL, &n1);
  repl r5[] = {
      {"tcb_info.json", tcb_sig, n1},
      {"qe_identity_issuer_chain.pem", (const uint8_t *)qe1, strlen(qe1)}};
  c = load_deferred_with(f->cx, r5, 2);
  assert_int_equal(sgxra_verify_quote(f->cx, f->quote, f->n, c, NULL, T01, &vd),
                   SGXRA_OK);
  expect(&vd, "SGX_QL_TCBINFO_CHAIN_ERROR", SGXRA_E_TCBINFO_SIGNATURE,
         SGXRA_STAGE_COLLATERAL);
  sgxra_collateral_free(c);
  /* ... and without the TCB Info fault the QE chain's own error */
  repl r6[] = {
      {"qe_identity_issuer_chain.pem", (const uint8_t *)qe1, strlen(qe1)}};
  c = load_deferred_with(f->cx, r6, 1);
  assert_int_equal(sgxra_verify_quote(f->cx, f->quote, f->n, c, NULL, T01, &vd),
                   SGXRA_OK);
  assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                      "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT");
  sgxra_collateral_free(c);

  /* step 12 (the quote's PCK chain: here its CA is a second root, QVL
   * PckCertVerifier INTERMEDIATE_CA_MISSING, outside QvE's table) before
   * the CRLs' signatures (also step 12, after the chain) and before step
   * 13 (the TCB Info signature) */
  char *root = pem_block(qpem, 2);
  char no_ca[8192];
  snprintf(no_ca, sizeof no_ca, "%s%s%s", leaf, root, root);
  size_t nn;
  uint8_t *qnoca = with_chain(f, no_ca, &nn);
  uint8_t *pck_sig = b01_file("pck_crl.der", -1, 0x01, 0, NULL, &n2);
  repl r7[] = {{"tcb_info.json", tcb_sig, n1}};
  repl r8[] = {{"pck_crl.der", pck_sig, n2}};
  const repl *rs[] = {r7, r8};
  for (int i = 0; i < 2; i++) {
    c = load_deferred_with(f->cx, rs[i], 1);
    assert_int_equal(sgxra_verify_quote(f->cx, qnoca, nn, c, NULL, T01, &vd),
                     SGXRA_OK);
    assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                        "SGX_QL_ERROR_UNEXPECTED");
    assert_int_equal(vd.stage, SGXRA_STAGE_PCK_CHAIN);
    sgxra_collateral_free(c);
  }
  free(pck_sig);
  free(qnoca);
  free(root);
  free(tcb_sig);
  free(qe1);
  free(tcb1);
  free(q2);
  free(leaf);
  free(ca);
  free(qpem);
  free(qver);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_all_bundles),
      cmocka_unit_test_setup_teardown(test_flipped_bytes, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_pck_leaf_signature, setup01,
                                      teardown01),
      cmocka_unit_test_setup_teardown(test_truncated_every_length, setup01,
                                      teardown01),
      cmocka_unit_test_setup_teardown(test_v3_auth_slack, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_eppid_quote, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_wrong_trust_root, setup01,
                                      teardown01),
      cmocka_unit_test_setup_teardown(test_pcesvn_edited, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_other_fmspc, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_expired, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_misuse, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_verify_quote_leaves_collateral,
                                      setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_chain_substitutions, setup01,
                                      teardown01),
      cmocka_unit_test_setup_teardown(test_pki_outcomes, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_random_damage, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_cache_eviction, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_level_order, setup01, teardown01),
      cmocka_unit_test_setup_teardown(test_multi_fault_order, setup01,
                                      teardown01),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
