/* Tests of QE Identity parsing and its signature (sgxra/collateral.h) on
 * the bundles' real PCS bodies: values, signed span, edits that break the
 * signature, and one code per kind of malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/timeutil.h"

static const char *const B1 = "sgx-01-phala-v3";

static sgxra_x509_chain *signer(const char *bundle) {
  size_t n;
  uint8_t *p = tu_read_bundle(bundle, "qe_identity_issuer_chain.pem", &n);
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(NULL, p, n, &ch), SGXRA_OK);
  free(p);
  return ch;
}

static int64_t t(const char *s) {
  int64_t v;
  assert_int_equal(sgxra_time_parse_rfc3339(NULL, s, strlen(s), &v), SGXRA_OK);
  return v;
}

static sgxra_err edited(const char *from, const char *to) {
  size_t n, m;
  uint8_t *p = tu_read_bundle(B1, "qe_identity.json", &n);
  uint8_t *q = tu_replace(p, n, from, to, &m);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_qeidentity *id = NULL;
  sgxra_err e = sgxra_qeidentity_parse(cx, q, m, &id);
  if (e == SGXRA_OK) {
    sgxra_x509_chain *ch = signer(B1);
    e = sgxra_qeidentity_verify(
        cx, id, sgxra_x509_cert_public_key(sgxra_x509_chain_get(ch, 0)));
    sgxra_x509_chain_free(ch);
  } else {
    assert_null(id);
  }
  if (e != SGXRA_OK)
    print_message("  %s -> %s: %s\n", from, sgxra_err_name(e),
                  sgxra_ctx_message(cx));
  sgxra_qeidentity_free(id);
  sgxra_ctx_free(cx);
  free(p);
  free(q);
  return e;
}

static void test_values_and_signature(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = tu_read_bundle(B1, "qe_identity.json", &n);
  sgxra_qeidentity *id = NULL;
  assert_int_equal(sgxra_qeidentity_parse(NULL, p, n, &id), SGXRA_OK);
  assert_int_equal(id->version, 2);
  assert_string_equal(id->id, "QE");
  assert_int_equal(id->issue_date, t("2025-06-19T10:01:18Z"));
  assert_int_equal(id->next_update, t("2025-07-19T10:01:18Z"));
  assert_int_equal(id->miscselect, 0);
  assert_int_equal(id->miscselect_mask, 0xffffffffu);
  tu_assert_hex(id->attributes, 16, "11000000000000000000000000000000");
  tu_assert_hex(id->attributes_mask, 16, "fbffffffffffffff0000000000000000");
  assert_int_equal(id->isvprodid, 1);
  assert_int_equal(id->level_count, 6);
  assert_int_equal(id->levels[1].isvsvn, 6);
  assert_int_equal(id->levels[1].status, SGXRA_TCB_OUT_OF_DATE);
  assert_int_equal(id->levels[1].tcb_date, t("2021-11-10T00:00:00Z"));
  assert_int_equal(id->levels[1].advisory_count, 1);
  assert_string_equal(id->levels[1].advisory_ids[0], "INTEL-SA-00615");
  tu_assert_hex(id->signature, 4, "f130961c");
  const char *start = strstr((const char *)p, "{\"id\":\"QE\"");
  const char *end = strstr((const char *)p, ",\"signature\":");
  assert_int_equal(id->signed_len, (size_t)(end - start));
  assert_memory_equal(id->signed_body, start, id->signed_len);
  sgxra_x509_chain *ch = signer(B1);
  const sgxra_p256_key *k =
      sgxra_x509_cert_public_key(sgxra_x509_chain_get(ch, 0));
  assert_int_equal(sgxra_qeidentity_verify(NULL, id, k), SGXRA_OK);
  id->signature[63] ^= 0x80;
  assert_int_equal(sgxra_qeidentity_verify(NULL, id, k),
                   SGXRA_E_QEID_SIGNATURE);
  sgxra_x509_chain_free(ch);
  sgxra_qeidentity_free(id);
  free(p);
}

/* Every bundle's QE Identity parses and verifies. */
static void test_all_bundles(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    size_t n;
    uint8_t *p = tu_read_bundle(tu_bundles[i], "qe_identity.json", &n);
    sgxra_qeidentity *id = NULL;
    sgxra_ctx *cx = sgxra_ctx_new();
    if (sgxra_qeidentity_parse(cx, p, n, &id) != SGXRA_OK)
      fail_msg("%s: %s", tu_bundles[i], sgxra_ctx_message(cx));
    sgxra_x509_chain *ch = signer(tu_bundles[i]);
    assert_int_equal(
        sgxra_qeidentity_verify(
            cx, id, sgxra_x509_cert_public_key(sgxra_x509_chain_get(ch, 0))),
        SGXRA_OK);
    /* Intel's QE: MRSIGNER of Intel's production signing key. */
    tu_assert_hex(
        id->mrsigner, 32,
        "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
    sgxra_x509_chain_free(ch);
    sgxra_qeidentity_free(id);
    sgxra_ctx_free(cx);
    free(p);
  }
}

static void test_edits_and_formats(void **state) {
  (void)state;
  assert_int_equal(
      edited("{\"enclaveIdentity\":{", "{\n  \"enclaveIdentity\" : {\n  "),
      SGXRA_OK);
  assert_int_equal(edited("\"isvprodid\":1", "\"isvprodid\":2"),
                   SGXRA_E_QEID_SIGNATURE);
  assert_int_equal(edited("{\"isvsvn\":8}", "{\"isvsvn\":9}"),
                   SGXRA_E_QEID_SIGNATURE);
  assert_int_equal(edited("\"miscselectMask\":\"FFFFFFFF\"",
                          "\"miscselectMask\":\"FFFFFFFE\""),
                   SGXRA_E_QEID_SIGNATURE);
  assert_int_equal(edited("\"issueDate\":\"2025-06-19T10:01:18Z\"",
                          "\"issueDate\":\"2025-06-19T10:01:18\""),
                   SGXRA_E_QEID_DATE);
  assert_int_equal(edited("\"tcbDate\":\"2024-03-13T00:00:00Z\"",
                          "\"tcbDate\":\"2024-13-13T00:00:00Z\""),
                   SGXRA_E_QEID_DATE);
  /* uppercase T and Z only, seconds 00..59, as Intel's PCS writes them */
  assert_int_equal(edited("\"issueDate\":\"2025-06-19T10:01:18Z\"",
                          "\"issueDate\":\"2025-06-19t10:01:18Z\""),
                   SGXRA_E_QEID_DATE);
  assert_int_equal(edited("\"issueDate\":\"2025-06-19T10:01:18Z\"",
                          "\"issueDate\":\"2025-06-19T10:01:18z\""),
                   SGXRA_E_QEID_DATE);
  assert_int_equal(edited("\"tcbDate\":\"2024-03-13T00:00:00Z\"",
                          "\"tcbDate\":\"2024-03-13T23:59:60Z\""),
                   SGXRA_E_QEID_DATE);
  assert_int_equal(edited("\"tcbDate\":\"2024-03-13T00:00:00Z\"",
                          "\"tcbDate\":\"2024-03-13T23:59:59Z\""),
                   SGXRA_E_QEID_SIGNATURE);
  assert_int_equal(edited("\"mrsigner\":\"8C4F", "\"mrsigner\":\"8C4"),
                   SGXRA_E_QEID_HEX);
  assert_int_equal(
      edited("\"miscselect\":\"00000000\"", "\"miscselect\":\"0000000x\""),
      SGXRA_E_QEID_HEX);
  assert_int_equal(
      edited("\"tcbStatus\":\"UpToDate\"", "\"tcbStatus\":\"UPTODATE\""),
      SGXRA_E_QEID_STATUS);
  assert_int_equal(edited("\"version\":2", "\"version\":3"),
                   SGXRA_E_QEID_VERSION);
  assert_int_equal(edited("\"id\":\"QE\"", "\"id\":\"PCE\""), SGXRA_E_QEID_ID);
  /* isvprodid is any uint32 for Intel (QVL EnclaveIdentityV2 parse): 65536
   * parses, so only the signature fails; 2^32 does not parse */
  assert_int_equal(edited("\"isvprodid\":1", "\"isvprodid\":65536"),
                   SGXRA_E_QEID_SIGNATURE);
  assert_int_equal(edited("\"isvprodid\":1", "\"isvprodid\":4294967296"),
                   SGXRA_E_QEID_FIELD);
  assert_int_equal(edited("\"isvprodid\":1,", ""), SGXRA_E_QEID_FIELD);
  assert_int_equal(edited("{\"isvsvn\":8}", "{\"isvsvn\":-1}"),
                   SGXRA_E_QEID_FIELD);
  assert_int_equal(edited("\"tcbLevels\":[", "\"tcbLevels\":[],\"x\":["),
                   SGXRA_E_QEID_FIELD);
  assert_int_equal(edited("{\"enclaveIdentity\":", "{\"enclaveidentity\":"),
                   SGXRA_E_QEID_FORMAT);
  assert_int_equal(edited("{\"enclaveIdentity\":", "{{\"enclaveIdentity\":"),
                   SGXRA_E_QEID_FORMAT);
}

/* A level's isvsvn is any unsigned 32-bit integer for Intel (QVL
 * EnclaveIdentityV2 level parse); one above 65535 is never the QE's (16-bit
 * ISVSVN; EnclaveIdentityV2::getTcbStatus takes the first level, in file
 * order, whose isvsvn <= the QE's), so sgxra drops it: Intel answers with
 * the next level (tests/verify_diff synth/qe_isvsvn_65536). */
static void test_unreachable_levels(void **state) {
  (void)state;
  size_t n, m;
  uint8_t *p = tu_read_bundle(B1, "qe_identity.json", &n);
  static const char *const to[] = {"{\"isvsvn\":65536}", "{\"isvsvn\":65535}",
                                   "{\"isvsvn\":4294967295}"};
  static const size_t count[] = {5, 6, 5};
  static const unsigned second[] = {5, 65535, 5};
  for (int i = 0; i < 3; i++) {
    uint8_t *q = tu_replace(p, n, "{\"isvsvn\":6}", to[i], &m);
    sgxra_qeidentity *id = NULL;
    assert_int_equal(sgxra_qeidentity_parse(NULL, q, m, &id), SGXRA_OK);
    assert_int_equal(id->level_count, count[i]);
    assert_int_equal(id->levels[0].isvsvn, 8);
    assert_int_equal(id->levels[1].isvsvn, second[i]);
    sgxra_qeidentity_free(id);
    free(q);
  }
  free(p);
  assert_int_equal(edited("{\"isvsvn\":8}", "{\"isvsvn\":4294967296}"),
                   SGXRA_E_QEID_FIELD);
}

/* Intel's QVL reads the JSON with rapidjson and hashes the body as
 * rapidjson's Writer writes it back (issue 13 class G; Intel's QvE answers
 * SGX_QL_SUCCESS to both): the first of duplicate names wins, and escapes
 * are decoded before the hash ("\u0051E" is "QE"), while a change of the
 * decoded text still breaks the signature. */
static void test_rapidjson_reading(void **state) {
  (void)state;
  assert_int_equal(edited("\"id\":\"QE\"", "\"id\":\"\\u0051E\""), SGXRA_OK);
  assert_int_equal(edited("\"id\":\"QE\"", "\"id\":\"\\u0051\\u0045\""),
                   SGXRA_OK);
  assert_int_equal(edited("\"mrsigner\":\"8", "\"mrsigner\":\"\\u0038"),
                   SGXRA_OK);
  assert_int_equal(edited("\"mrsigner\":\"8", "\"mrsigner\":\"\\u0039"),
                   SGXRA_E_QEID_SIGNATURE);
  /* a second "signature" member after the first: ignored */
  size_t n;
  uint8_t *p = tu_read_bundle(B1, "qe_identity.json", &n);
  while (n > 0 && p[n - 1] != '}') n--;
  assert_true(n > 0);
  const char tail[] = ",\"signature\":\"00\"}";
  uint8_t *q = malloc(n - 1 + sizeof tail);
  memcpy(q, p, n - 1);
  memcpy(q + n - 1, tail, sizeof tail - 1);
  sgxra_qeidentity *id = NULL;
  assert_int_equal(
      sgxra_qeidentity_parse(NULL, q, n - 1 + sizeof tail - 1, &id), SGXRA_OK);
  sgxra_x509_chain *ch = signer(B1);
  assert_int_equal(
      sgxra_qeidentity_verify(
          NULL, id, sgxra_x509_cert_public_key(sgxra_x509_chain_get(ch, 0))),
      SGXRA_OK);
  sgxra_qeidentity_free(id);
  /* the other way round, the bad signature is the one read */
  const char head[] = "{\"signature\":\"00\",";
  uint8_t *r = malloc(n - 1 + sizeof head);
  memcpy(r, head, sizeof head - 1);
  memcpy(r + sizeof head - 1, p + 1, n - 1);
  id = NULL;
  sgxra_err e = sgxra_qeidentity_parse(NULL, r, sizeof head - 1 + n - 1, &id);
  if (e == SGXRA_OK)
    e = sgxra_qeidentity_verify(
        NULL, id, sgxra_x509_cert_public_key(sgxra_x509_chain_get(ch, 0)));
  assert_int_not_equal(e, SGXRA_OK);
  sgxra_qeidentity_free(id);
  sgxra_x509_chain_free(ch);
  free(r);
  free(q);
  free(p);
}

static void test_truncation(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = tu_read_bundle(B1, "qe_identity.json", &n);
  for (size_t k = 0; k < n; k++) {
    sgxra_qeidentity *id = (sgxra_qeidentity *)1;
    uint8_t *q = malloc(k + 1);
    memcpy(q, p, k);
    assert_int_not_equal(sgxra_qeidentity_parse(NULL, q, k, &id), SGXRA_OK);
    assert_null(id);
    free(q);
  }
  free(p);
}

/* Every single-bit flip of a compact body is refused. */
static void test_every_byte_matters(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = tu_read_bundle(B1, "qe_identity.json", &n);
  sgxra_x509_chain *ch = signer(B1);
  const sgxra_p256_key *k =
      sgxra_x509_cert_public_key(sgxra_x509_chain_get(ch, 0));
  for (size_t i = 0; i < n; i++) {
    p[i] ^= 0x01;
    sgxra_qeidentity *id = NULL;
    sgxra_err e = sgxra_qeidentity_parse(NULL, p, n, &id);
    if (e == SGXRA_OK) {
      if (sgxra_qeidentity_verify(NULL, id, k) != SGXRA_E_QEID_SIGNATURE)
        fail_msg("flipping byte %zu went unnoticed", i);
    } else {
      assert_null(id);
    }
    sgxra_qeidentity_free(id);
    p[i] ^= 0x01;
  }
  sgxra_x509_chain_free(ch);
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_values_and_signature),
      cmocka_unit_test(test_all_bundles),
      cmocka_unit_test(test_edits_and_formats),
      cmocka_unit_test(test_unreachable_levels),
      cmocka_unit_test(test_rapidjson_reading),
      cmocka_unit_test(test_truncation),
      cmocka_unit_test(test_every_byte_matters),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
