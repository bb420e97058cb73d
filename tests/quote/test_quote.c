/* Tests of sgxra_quote_parse / sgxra_quote_pck_chain on the real DCAP v3
 * quotes of the vectors, on v4/v5 quotes rebuilt from them (same parts, the
 * v4/v5 framing), and on damaged copies: truncation at every length, each
 * header field, sizes that disagree, certification data types.
 * The encoder (sgxra_quote_encode) is checked against the same real quote.
 * Expected values were read independently from the quote bytes (Python
 * struct at the offsets of Intel's Quote Library API, appendix A.4). */
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
#include "sgxra/quote.h"

#define Q01 "dcap/bundles/sgx-01-phala-v3/quote.bin"
#define Q26                                                                    \
  "dcap/bundles/sgx-26-occlum-teekit-tcbinfo-2025-09-expired-qeid/quote.bin"
#define QNEG "dcap/negative/quote_v3_ecdsa_p256_eppid.bin"

static int zeroed(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i]) return 0;
  return 1;
}

static void test_v3_fields(void **state) {
  (void)state;
  size_t n;
  uint8_t *buf = tu_read_vector(Q01, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_quote q;
  assert_int_equal(sgxra_quote_parse(cx, buf, n, &q), SGXRA_OK);
  assert_int_equal(q.header.version, 3);
  assert_int_equal(q.header.att_key_type, 2);
  assert_int_equal(q.header.tee_type, 0);
  assert_int_equal(q.header.qe_svn, 10);
  assert_int_equal(q.header.pce_svn, 15);
  tu_assert_hex(q.header.qe_vendor_id, 16, "939a7233f79c4ca9940a0db3957f0607");
  tu_assert_hex(
      q.report_body.mrenclave, 32,
      "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  tu_assert_hex(
      q.report_body.mrsigner, 32,
      "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  assert_int_equal(q.report_body.attributes.flags, 5);
  assert_int_equal(q.report_body.attributes.xfrm, 0xe7);
  assert_memory_equal(q.report_body.reportdata, "Hello, world!", 13);
  assert_ptr_equal(q.report_body_raw, buf + 48);
  assert_ptr_equal(q.signed_data, buf);
  assert_int_equal(q.signed_len, 432);
  assert_memory_equal(q.signature, buf + 436, 64);
  assert_memory_equal(q.attest_key, buf + 500, 64);
  assert_ptr_equal(q.qe_report_raw, buf + 564);
  tu_assert_hex(
      q.qe_report.mrsigner, 32,
      "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
  assert_int_equal(q.qe_report.isvprodid, 1);
  assert_int_equal(q.qe_report.isvsvn, 10);
  assert_memory_equal(q.qe_report_signature, buf + 948, 64);
  assert_int_equal(q.qe_auth_data_len, 32);
  assert_ptr_equal(q.qe_auth_data, buf + 1014);
  assert_int_equal(q.cert_type, 5);
  assert_int_equal(q.cert_data_len, 3548);
  assert_int_equal(q.size, 4600);
  const char *pem;
  size_t pem_len;
  assert_int_equal(sgxra_quote_pck_chain(cx, &q, &pem, &pem_len), SGXRA_OK);
  assert_int_equal(pem_len, 3548);
  assert_memory_equal(pem, "-----BEGIN CERTIFICATE-----", 27);
  sgxra_ctx_free(cx);
  free(buf);
}

static void test_v3_sgx26(void **state) {
  (void)state;
  size_t n;
  uint8_t *buf = tu_read_vector(Q26, &n);
  sgxra_quote q;
  assert_int_equal(sgxra_quote_parse(NULL, buf, n, &q), SGXRA_OK);
  tu_assert_hex(
      q.report_body.mrenclave, 32,
      "9c90fd81f6e9fe64b46b14f0623523a52d6a5678482988c408f6adffe6301e2c");
  assert_int_equal(q.report_body.isvprodid, 4000);
  assert_int_equal(q.report_body.isvsvn, 5000);
  assert_int_equal(q.report_body.attributes.flags, 0x85);
  assert_int_equal(q.qe_report.isvsvn, 8);
  assert_int_equal(q.cert_data_len, 3681);
  assert_int_equal(q.size, 4733);
  free(buf);
}

static void test_all_bundles_parse(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    size_t n;
    uint8_t *buf = tu_read_bundle(tu_bundles[i], "quote.bin", &n);
    sgxra_quote q;
    sgxra_ctx *cx = sgxra_ctx_new();
    if (sgxra_quote_parse(cx, buf, n, &q) != SGXRA_OK)
      fail_msg("%s: %s", tu_bundles[i], sgxra_ctx_message(cx));
    assert_int_equal(q.size, n);
    assert_int_equal(q.cert_type, 5);
    sgxra_ctx_free(cx);
    free(buf);
  }
}

/* Every proper prefix is refused as truncated, with the output zeroed. */
static void test_truncated_every_length(void **state) {
  (void)state;
  size_t n;
  uint8_t *buf = tu_read_vector(Q01, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t k = 0; k < n; k++) {
    /* a fresh heap copy of exactly k bytes so ASan sees any over-read */
    uint8_t *cut = malloc(k ? k : 1);
    assert_non_null(cut);
    memcpy(cut, buf, k);
    sgxra_quote q;
    memset(&q, 0xa5, sizeof q);
    sgxra_err e = sgxra_quote_parse(cx, k ? cut : NULL, k, &q);
    if (e != SGXRA_E_QUOTE_TRUNCATED)
      fail_msg("length %zu: got %s (%s)", k, sgxra_err_name(e),
               sgxra_ctx_message(cx));
    assert_true(zeroed(&q, sizeof q));
    free(cut);
  }
  assert_non_null(
      strstr(sgxra_ctx_message(cx), "signature data needs 4164 bytes"));
  sgxra_ctx_free(cx);
  free(buf);
}

static sgxra_err parse_copy(sgxra_ctx *cx, const uint8_t *buf, size_t n,
                            size_t off, uint8_t val, sgxra_quote *q) {
  uint8_t *c = malloc(n);
  memcpy(c, buf, n);
  c[off] = val;
  sgxra_err e = sgxra_quote_parse(cx, c, n, q);
  free(c);
  return e;
}

static void test_header_fields(void **state) {
  (void)state;
  size_t n;
  uint8_t *buf = tu_read_vector(Q01, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_quote q;
  assert_int_equal(parse_copy(cx, buf, n, 0, 2, &q), SGXRA_E_QUOTE_VERSION);
  assert_int_equal(parse_copy(cx, buf, n, 0, 6, &q), SGXRA_E_QUOTE_VERSION);
  assert_int_equal(parse_copy(cx, buf, n, 2, 3, &q), SGXRA_E_QUOTE_KEY_TYPE);
  assert_int_equal(parse_copy(cx, buf, n, 4, 0x81, &q), SGXRA_E_QUOTE_TEE_TYPE);
  assert_non_null(strstr(sgxra_ctx_message(cx), "TDX"));
  assert_int_equal(parse_copy(cx, buf, n, 12, 0x94, &q),
                   SGXRA_E_QUOTE_QE_VENDOR);
  assert_int_equal(parse_copy(cx, buf, n, 27, 0x00, &q),
                   SGXRA_E_QUOTE_QE_VENDOR);
  assert_true(zeroed(&q, sizeof q));
  /* user data and SVNs are not checked by the parser */
  assert_int_equal(parse_copy(cx, buf, n, 30, 0x55, &q), SGXRA_OK);
  sgxra_ctx_free(cx);
  free(buf);
}

static void test_trailing_and_slack(void **state) {
  (void)state;
  size_t n;
  uint8_t *buf = tu_read_vector(Q01, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_quote q;
  uint8_t *c = calloc(1, n + 16);
  memcpy(c, buf, n);
  /* bytes after the declared signature data are ignored */
  assert_int_equal(sgxra_quote_parse(cx, c, n + 16, &q), SGXRA_OK);
  assert_int_equal(q.size, n);
  /* v3: a signature data length larger than its parts is slack after the
   * certification data, which Intel's QVL ignores (the certification data
   * is read by its own size, Ecdsa256BitQuoteV3AuthData) */
  c[432] = (uint8_t)(c[432] + 1);
  assert_int_equal(sgxra_quote_parse(cx, c, n + 16, &q), SGXRA_OK);
  assert_int_equal(q.size, n + 1);
  assert_int_equal(q.cert_type, 5);
  c[432] = (uint8_t)(c[432] + 15);
  assert_int_equal(sgxra_quote_parse(cx, c, n + 16, &q), SGXRA_OK);
  assert_int_equal(q.size, n + 16);
  /* ... but not past the end of the quote */
  c[432] = (uint8_t)(c[432] + 1);
  assert_int_equal(sgxra_quote_parse(cx, c, n + 16, &q),
                   SGXRA_E_QUOTE_TRUNCATED);
  c[432] = (uint8_t)(c[432] - 17);
  /* a certification data size one smaller leaves one byte of slack: the
   * certification data is one byte shorter, the rest is ignored */
  size_t cs = 1046 + 2; /* u32 size after the type */
  uint32_t size = (uint32_t)c[cs] | (uint32_t)c[cs + 1] << 8 |
                  (uint32_t)c[cs + 2] << 16 | (uint32_t)c[cs + 3] << 24;
  assert_int_equal(1046 + 6 + size, n);
  c[cs] = (uint8_t)(c[cs] - 1);
  assert_int_equal(sgxra_quote_parse(cx, c, n + 16, &q), SGXRA_OK);
  assert_int_equal(q.cert_data_len, size - 1);
  assert_int_equal(q.size, n);
  c[cs] = (uint8_t)(c[cs] + 1);
  /* a signature data length one smaller: the certification data no
   * longer fits */
  c[432] = (uint8_t)(c[432] - 1);
  assert_int_equal(sgxra_quote_parse(cx, c, n + 16, &q),
                   SGXRA_E_QUOTE_TRUNCATED);
  free(c);
  sgxra_ctx_free(cx);
  free(buf);
}

static void test_cert_types(void **state) {
  (void)state;
  size_t n;
  uint8_t *buf = tu_read_vector(QNEG, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_quote q;
  /* type 3 parses ... */
  assert_int_equal(sgxra_quote_parse(cx, buf, n, &q), SGXRA_OK);
  assert_int_equal(q.cert_type, 3);
  assert_int_equal(q.cert_data_len, 404);
  assert_int_equal(q.size, n);
  /* ... but carries no PCK chain */
  const char *pem = "x";
  size_t len = 9;
  assert_int_equal(sgxra_quote_pck_chain(cx, &q, &pem, &len),
                   SGXRA_E_QUOTE_CERT_DATA_TYPE);
  assert_null(pem);
  assert_int_equal(len, 0);
  assert_non_null(strstr(sgxra_ctx_message(cx), "type 3"));
  /* types 0, 6 and 7 are not allowed in a v3 quote (type at 1046): a
   * malformed quote, as Intel's QVL Quote::validate refuses them
   * (STATUS_UNSUPPORTED_QUOTE_FORMAT), not unsupported certification data */
  assert_int_equal(parse_copy(cx, buf, n, 1046, 0, &q), SGXRA_E_QUOTE_FORMAT);
  assert_int_equal(parse_copy(cx, buf, n, 1046, 6, &q), SGXRA_E_QUOTE_FORMAT);
  assert_int_equal(parse_copy(cx, buf, n, 1046, 7, &q), SGXRA_E_QUOTE_FORMAT);
  /* the type's high byte (5 -> 0x0105) */
  assert_int_equal(parse_copy(cx, buf, n, 1047, 1, &q), SGXRA_E_QUOTE_FORMAT);
  for (uint8_t t = 1; t <= 5; t++)
    assert_int_equal(parse_copy(cx, buf, n, 1046, t, &q), SGXRA_OK);
  assert_string_equal(sgxra_quote_cert_type_name(5), "PCK certificate chain");
  assert_string_equal(sgxra_quote_cert_type_name(99), "unknown");
  free(buf);
  sgxra_ctx_free(cx);
}

static void test_v4_v5(void **state) {
  (void)state;
  size_t n;
  uint8_t *buf = tu_read_vector(Q01, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_quote v3, q;
  assert_int_equal(sgxra_quote_parse(cx, buf, n, &v3), SGXRA_OK);
  for (int version = 4; version <= 5; version++) {
    size_t m;
    uint8_t *b = tu_quote_v3_as(buf, n, version, &m);
    if (sgxra_quote_parse(cx, b, m, &q) != SGXRA_OK)
      fail_msg("v%d: %s", version, sgxra_ctx_message(cx));
    assert_int_equal(q.header.version, version);
    assert_int_equal(q.signed_len, version == 5 ? 438 : 432);
    assert_memory_equal(&q.report_body, &v3.report_body, sizeof q.report_body);
    assert_memory_equal(&q.qe_report, &v3.qe_report, sizeof q.qe_report);
    assert_memory_equal(q.signature, v3.signature, 64);
    assert_memory_equal(q.attest_key, v3.attest_key, 64);
    assert_memory_equal(q.qe_report_signature, v3.qe_report_signature, 64);
    assert_int_equal(q.qe_auth_data_len, 32);
    assert_memory_equal(q.qe_auth_data, v3.qe_auth_data, 32);
    assert_int_equal(q.cert_type, 5);
    assert_int_equal(q.cert_data_len, v3.cert_data_len);
    assert_memory_equal(q.cert_data, v3.cert_data, v3.cert_data_len);
    assert_int_equal(q.size, m);
    size_t outer = 48 + (version == 5 ? 6 : 0) + 384 + 4 + 128;
    /* outer type must be 6, else a malformed quote (Quote::validate) */
    b[outer] = 5;
    assert_int_equal(sgxra_quote_parse(cx, b, m, &q), SGXRA_E_QUOTE_FORMAT);
    b[outer] = 6;
    /* outer size larger than its parts (and the signature data) */
    b[outer + 2] = (uint8_t)(b[outer + 2] + 1);
    assert_int_equal(sgxra_quote_parse(cx, b, m, &q), SGXRA_E_QUOTE_TRUNCATED);
    b[outer + 2] = (uint8_t)(b[outer + 2] - 2);
    assert_int_equal(sgxra_quote_parse(cx, b, m, &q), SGXRA_E_QUOTE_TRUNCATED);
    b[outer + 2] = (uint8_t)(b[outer + 2] + 1);
    /* Slack (measured with Intel's verifier, tests/verify_diff emu-v4
     * quote:sizes): QVL's Ecdsa256BitQuoteV4AuthData::insert reads the type-6
     * data by its own size and ignores the rest of the signature data, but
     * QEReportCertificationData::insert refuses bytes after the type-5 data
     * inside the type-6 data ("additional, not expected data"). */
    uint8_t *c = calloc(1, m + 16);
    assert_non_null(c);
    memcpy(c, b, m);
    size_t sl = outer - 132; /* the signature data length */
    c[sl] = (uint8_t)(c[sl] + 16);
    if (sgxra_quote_parse(cx, c, m + 16, &q) != SGXRA_OK)
      fail_msg("v%d slack after type 6: %s", version, sgxra_ctx_message(cx));
    assert_int_equal(q.size, m + 16);
    assert_int_equal(q.cert_type, 5);
    assert_int_equal(q.cert_data_len, v3.cert_data_len);
    assert_memory_equal(q.cert_data, v3.cert_data, v3.cert_data_len);
    c[outer + 2] = (uint8_t)(c[outer + 2] + 16);
    assert_int_equal(sgxra_quote_parse(cx, c, m + 16, &q),
                     SGXRA_E_QUOTE_FORMAT);
    assert_non_null(strstr(sgxra_ctx_message(cx), "QE report certification"));
    free(c);
    /* every truncation */
    for (size_t k = 0; k < m; k += (k < 1100 ? 1 : 97)) {
      sgxra_err e = sgxra_quote_parse(cx, b, k, &q);
      if (e != SGXRA_E_QUOTE_TRUNCATED)
        fail_msg("v%d length %zu: %s", version, k, sgxra_err_name(e));
    }
    if (version == 5) {
      b[48] = 2; /* TD 1.0 body */
      assert_int_equal(sgxra_quote_parse(cx, b, m, &q),
                       SGXRA_E_QUOTE_BODY_TYPE);
      b[48] = 1;
      b[50] = 0x81; /* size 385 */
      assert_int_equal(sgxra_quote_parse(cx, b, m, &q), SGXRA_E_QUOTE_FORMAT);
    }
    free(b);
  }
  sgxra_ctx_free(cx);
  free(buf);
}

static void test_arguments(void **state) {
  (void)state;
  sgxra_quote q;
  assert_int_equal(sgxra_quote_parse(NULL, NULL, 5, &q),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_quote_parse(NULL, NULL, 0, &q),
                   SGXRA_E_QUOTE_TRUNCATED);
  const char *pem;
  size_t len;
  assert_int_equal(sgxra_quote_pck_chain(NULL, NULL, &pem, &len),
                   SGXRA_E_INVALID_ARGUMENT);
}

/* The encoder (sgxra_quote_encode) writes a real Intel v3 quote back byte
 * for byte from its parsed parts, and v4 in the framing the parser reads. */
static void test_encode_real(void **state) {
  (void)state;
  size_t n;
  uint8_t *buf = tu_read_vector(Q01, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_quote q;
  assert_int_equal(sgxra_quote_parse(cx, buf, n, &q), SGXRA_OK);
  assert_int_equal(q.cert_type, SGXRA_QUOTE_CERT_PCK_CHAIN);
  sgxra_quote_parts p;
  memset(&p, 0, sizeof p);
  p.version = q.header.version;
  p.qe_svn = q.header.qe_svn;
  p.pce_svn = q.header.pce_svn;
  memcpy(p.user_data, q.header.user_data, sizeof p.user_data);
  memcpy(p.report_body, q.report_body_raw, sizeof p.report_body);
  memcpy(p.isv_signature, q.signature, sizeof p.isv_signature);
  memcpy(p.attest_key, q.attest_key, sizeof p.attest_key);
  memcpy(p.qe_report_body, q.qe_report_raw, sizeof p.qe_report_body);
  memcpy(p.qe_report_signature, q.qe_report_signature,
         sizeof p.qe_report_signature);
  p.qe_auth_data = q.qe_auth_data;
  p.qe_auth_data_len = q.qe_auth_data_len;
  p.pck_chain_pem = (const char *)q.cert_data;
  p.pck_chain_len = q.cert_data_len;
  uint8_t *e = NULL;
  size_t en = 0;
  assert_int_equal(sgxra_quote_encode(cx, &p, &e, &en), SGXRA_OK);
  assert_int_equal(en, q.size);
  assert_memory_equal(e, buf, en);
  uint8_t sb[SGXRA_QUOTE_SIGNED_SIZE];
  assert_int_equal(sgxra_quote_signed_bytes(cx, &p, sb), SGXRA_OK);
  assert_memory_equal(sb, q.signed_data, q.signed_len);
  free(e);

  /* v4: the same parts behind an outer certification data of type 6. */
  p.version = 4;
  assert_int_equal(sgxra_quote_encode(cx, &p, &e, &en), SGXRA_OK);
  assert_int_equal(en, q.size + 6);
  sgxra_quote q4;
  assert_int_equal(sgxra_quote_parse(cx, e, en, &q4), SGXRA_OK);
  assert_int_equal(q4.header.version, 4);
  assert_memory_equal(q4.qe_report_raw, q.qe_report_raw, 384);
  assert_int_equal(q4.cert_data_len, q.cert_data_len);
  assert_memory_equal(q4.cert_data, q.cert_data, q.cert_data_len);
  free(e);
  sgxra_ctx_free(cx);
  free(buf);
}

/* The encoder's own refusals, and its layout checked field by field. */
static void test_encode_layout(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_quote_parts p;
  memset(&p, 0, sizeof p);
  p.version = 3;
  p.pck_chain_pem = "chain";
  p.pck_chain_len = 5;
  p.qe_auth_data_len = 0;
  for (int i = 0; i < 384; i++) p.report_body[i] = (uint8_t)i;
  uint8_t *q = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_quote_encode(cx, &p, &q, &n), SGXRA_OK);
  /* 432 signed + 4 + 64 + 64 + 384 + 64 + 2 + 0 + 2 + 4 + 5 */
  assert_int_equal(n, 1025);
  assert_int_equal(q[0], 3);
  assert_int_equal(q[2], 2);
  assert_int_equal(q[48 + 383], 383 & 0xff);
  assert_int_equal(q[432] | (q[433] << 8), 1025 - 436);
  assert_int_equal(q[n - 11] | (q[n - 10] << 8), 5); /* cert type */
  assert_memory_equal(q + n - 5, "chain", 5);
  free(q);
  p.version = 4;
  assert_int_equal(sgxra_quote_encode(cx, &p, &q, &n), SGXRA_OK);
  assert_int_equal(n, 1031);
  assert_int_equal(q[436 + 128] | (q[437 + 128] << 8), 6); /* type 6 */
  free(q);
  p.version = 5;
  assert_int_equal(sgxra_quote_encode(cx, &p, &q, &n), SGXRA_E_QUOTE_ENCODE);
  assert_int_equal(SGXRA_E_QUOTE_ENCODE, 408); /* 855 until it moved here */
  assert_null(q);
  uint8_t sb[SGXRA_QUOTE_SIGNED_SIZE];
  memset(sb, 0xaa, sizeof sb);
  assert_int_equal(sgxra_quote_signed_bytes(cx, &p, sb), SGXRA_E_QUOTE_ENCODE);
  assert_true(zeroed(sb, sizeof sb));
  p.version = 3;
  p.pck_chain_len = 0;
  assert_int_equal(sgxra_quote_encode(cx, &p, &q, &n), SGXRA_E_QUOTE_ENCODE);
  p.pck_chain_len = SGXRA_QUOTE_MAX_CHAIN + 1;
  assert_int_equal(sgxra_quote_encode(cx, &p, &q, &n), SGXRA_E_QUOTE_ENCODE);
  /* a chain of exactly the cap is accepted: the bound is inclusive */
  char *big = malloc(SGXRA_QUOTE_MAX_CHAIN);
  assert_non_null(big);
  memset(big, 'A', SGXRA_QUOTE_MAX_CHAIN);
  p.pck_chain_pem = big;
  p.pck_chain_len = SGXRA_QUOTE_MAX_CHAIN;
  assert_int_equal(sgxra_quote_encode(cx, &p, &q, &n), SGXRA_OK);
  assert_int_equal(n, 1020 + SGXRA_QUOTE_MAX_CHAIN);
  assert_memory_equal(q + n - SGXRA_QUOTE_MAX_CHAIN, big,
                      SGXRA_QUOTE_MAX_CHAIN);
  free(q);
  q = NULL;
  free(big);
  p.pck_chain_pem = "chain";
  p.pck_chain_len = 5;
  p.qe_auth_data_len = SGXRA_QUOTE_MAX_AUTH_DATA + 1;
  p.qe_auth_data = p.report_body;
  assert_int_equal(sgxra_quote_encode(cx, &p, &q, &n), SGXRA_E_QUOTE_ENCODE);
  assert_null(q);
  assert_int_equal(n, 0);
  p.qe_auth_data_len = 1;
  p.qe_auth_data = NULL;
  assert_int_equal(sgxra_quote_encode(cx, &p, &q, &n), SGXRA_E_QUOTE_ENCODE);
  assert_int_equal(sgxra_quote_encode(cx, NULL, &q, &n),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_quote_encode(cx, &p, NULL, &n),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_v3_fields),
      cmocka_unit_test(test_v3_sgx26),
      cmocka_unit_test(test_all_bundles_parse),
      cmocka_unit_test(test_truncated_every_length),
      cmocka_unit_test(test_header_fields),
      cmocka_unit_test(test_trailing_and_slack),
      cmocka_unit_test(test_cert_types),
      cmocka_unit_test(test_v4_v5),
      cmocka_unit_test(test_arguments),
      cmocka_unit_test(test_encode_real),
      cmocka_unit_test(test_encode_layout),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
