/* Tests of sgxra/sgx.h: REPORT body, REPORT, TARGETINFO, KEYREQUEST,
 * ATTRIBUTES names.  Real bytes come from the DCAP quotes in the vectors
 * (the enclave's REPORT body at quote offset 48 and the QE's at 564). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "sgxra/sgx.h"

#define QUOTE01 "dcap/bundles/sgx-01-phala-v3/quote.bin"
#define QE_REPORT_OFF 564 /* 48 header + 384 body + 4 len + 64 sig + 64 key */

static int all_zero(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    if (b[i]) return 0;
  return 1;
}

static void test_report_body_from_quote(void **state) {
  (void)state;
  size_t n;
  uint8_t *q = tu_read_vector(QUOTE01, &n);
  assert_true(n > QE_REPORT_OFF + SGXRA_REPORT_BODY_SIZE);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_report_body b;
  assert_int_equal(
      sgxra_report_body_decode(cx, q + 48, SGXRA_REPORT_BODY_SIZE, &b),
      SGXRA_OK);
  tu_assert_hex(b.cpusvn, 16, "0b0b1a18ffff04000000000000000000");
  assert_int_equal(b.miscselect, 0);
  assert_int_equal(b.attributes.flags, 0x5); /* INIT | MODE64BIT */
  assert_int_equal(b.attributes.xfrm, 0xe7);
  tu_assert_hex(
      b.mrenclave, 32,
      "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  tu_assert_hex(
      b.mrsigner, 32,
      "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  assert_int_equal(b.isvprodid, 0);
  assert_int_equal(b.isvsvn, 0);
  assert_memory_equal(b.reportdata, "Hello, world!", 14);
  assert_int_equal(sgxra_report_body_check_reserved(cx, &b), SGXRA_OK);
  char txt[64];
  assert_int_equal(
      sgxra_attributes_flags_text(b.attributes.flags, txt, sizeof txt), 14);
  assert_string_equal(txt, "INIT|MODE64BIT");

  uint8_t enc[SGXRA_REPORT_BODY_SIZE];
  sgxra_report_body_encode(&b, enc);
  assert_memory_equal(enc, q + 48, SGXRA_REPORT_BODY_SIZE);

  /* The QE's REPORT body: Intel's QE signer, ISVPRODID 1. */
  assert_int_equal(sgxra_report_body_decode(cx, q + QE_REPORT_OFF,
                                            SGXRA_REPORT_BODY_SIZE, &b),
                   SGXRA_OK);
  tu_assert_hex(
      b.mrsigner, 32,
      "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
  assert_int_equal(b.isvprodid, 1);
  assert_int_equal(b.attributes.flags & SGXRA_ATTR_DEBUG, 0);
  assert_int_equal(sgxra_report_body_check_reserved(cx, &b), SGXRA_OK);
  sgxra_report_body_encode(&b, enc);
  assert_memory_equal(enc, q + QE_REPORT_OFF, SGXRA_REPORT_BODY_SIZE);
  sgxra_ctx_free(cx);
  free(q);
}

/* Every wrong length is refused with SGX_SIZE and a zeroed output. */
static void test_sizes(void **state) {
  (void)state;
  static uint8_t buf[600];
  memset(buf, 0x5a, sizeof buf);
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t n = 0; n < sizeof buf; n++) {
    sgxra_report_body b;
    sgxra_report r;
    sgxra_targetinfo t;
    sgxra_keyrequest k;
    memset(&b, 0xff, sizeof b);
    memset(&r, 0xff, sizeof r);
    memset(&t, 0xff, sizeof t);
    memset(&k, 0xff, sizeof k);
    sgxra_err e = sgxra_report_body_decode(cx, buf, n, &b);
    assert_int_equal(e, n == 384 ? SGXRA_OK : SGXRA_E_SGX_SIZE);
    if (e) assert_true(all_zero(&b, sizeof b));
    e = sgxra_report_decode(cx, buf, n, &r);
    assert_int_equal(e, n == 432 ? SGXRA_OK : SGXRA_E_SGX_SIZE);
    if (e) assert_true(all_zero(&r, sizeof r));
    e = sgxra_targetinfo_decode(cx, buf, n, &t);
    assert_int_equal(e, n == 512 ? SGXRA_OK : SGXRA_E_SGX_SIZE);
    if (e) assert_true(all_zero(&t, sizeof t));
    e = sgxra_keyrequest_decode(cx, buf, n, &k);
    assert_int_equal(e, n == 512 ? SGXRA_OK : SGXRA_E_SGX_SIZE);
    if (e) assert_true(all_zero(&k, sizeof k));
  }
  sgxra_report_body b;
  assert_int_equal(sgxra_report_body_decode(cx, buf, 383, &b),
                   SGXRA_E_SGX_SIZE);
  assert_string_equal(sgxra_ctx_message(cx),
                      "REPORT body must be 384 bytes, got 383 (truncated?)");
  assert_int_equal(sgxra_report_body_decode(cx, NULL, 0, &b), SGXRA_E_SGX_SIZE);
  sgxra_ctx_free(cx);
}

/* A byte flipped in each reserved region is caught; one flipped in a
 * field next to it is not. */
static void test_report_body_reserved(void **state) {
  (void)state;
  size_t n;
  uint8_t *q = tu_read_vector(QUOTE01, &n);
  sgxra_ctx *cx = sgxra_ctx_new();
  static const size_t reserved[][2] = {
      {20, 12}, {96, 32}, {160, 32}, {262, 42}};
  for (size_t i = 0; i < 4; i++) {
    for (size_t off = reserved[i][0]; off < reserved[i][0] + reserved[i][1];
         off++) {
      uint8_t body[384];
      memcpy(body, q + 48, 384);
      body[off] ^= 0x01;
      sgxra_report_body b;
      assert_int_equal(sgxra_report_body_decode(cx, body, 384, &b), SGXRA_OK);
      assert_int_equal(sgxra_report_body_check_reserved(cx, &b),
                       SGXRA_E_SGX_RESERVED);
      /* and the decoded bytes are kept as read */
      uint8_t enc[384];
      sgxra_report_body_encode(&b, enc);
      assert_memory_equal(enc, body, 384);
    }
  }
  /* a reserved ATTRIBUTES flag bit (bit 3) */
  uint8_t body[384];
  memcpy(body, q + 48, 384);
  body[48] |= 0x08;
  sgxra_report_body b;
  assert_int_equal(sgxra_report_body_decode(cx, body, 384, &b), SGXRA_OK);
  assert_int_equal(sgxra_report_body_check_reserved(cx, &b),
                   SGXRA_E_SGX_RESERVED);
  /* ISVPRODID and REPORTDATA are not reserved */
  memcpy(body, q + 48, 384);
  body[256] = 7;
  body[383] = 0xff;
  assert_int_equal(sgxra_report_body_decode(cx, body, 384, &b), SGXRA_OK);
  assert_int_equal(b.isvprodid, 7);
  assert_int_equal(sgxra_report_body_check_reserved(cx, &b), SGXRA_OK);
  sgxra_ctx_free(cx);
  free(q);
}

static void test_report(void **state) {
  (void)state;
  size_t n;
  uint8_t *q = tu_read_vector(QUOTE01, &n);
  uint8_t raw[SGXRA_REPORT_SIZE];
  memcpy(raw, q + 48, 384);
  for (int i = 0; i < 32; i++) raw[384 + i] = (uint8_t)(0xa0 + i);
  for (int i = 0; i < 16; i++) raw[416 + i] = (uint8_t)(0x10 + i);
  sgxra_report r;
  assert_int_equal(sgxra_report_decode(NULL, raw, sizeof raw, &r), SGXRA_OK);
  assert_int_equal(r.keyid[0], 0xa0);
  assert_int_equal(r.keyid[31], 0xa0 + 31);
  assert_int_equal(r.mac[0], 0x10);
  assert_int_equal(r.mac[15], 0x1f);
  assert_int_equal(r.body.attributes.xfrm, 0xe7);
  uint8_t enc[SGXRA_REPORT_SIZE];
  sgxra_report_encode(&r, enc);
  assert_memory_equal(enc, raw, sizeof raw);
  free(q);
}

/* TARGETINFO laid out by hand from the SDM's offsets. */
static void test_targetinfo(void **state) {
  (void)state;
  uint8_t raw[512] = {0};
  for (int i = 0; i < 32; i++) raw[i] = (uint8_t)(i + 1); /* MEASUREMENT */
  raw[32] = 0x07;                                         /* FLAGS */
  raw[40] = 0xe7;                                         /* XFRM */
  raw[48] = 0x02;                                         /* CET_ATTRIBUTES */
  raw[50] = 0x34;
  raw[51] = 0x12; /* CONFIGSVN 0x1234 */
  raw[52] = 0x01; /* MISCSELECT 1 */
  raw[64] = 0xcc; /* CONFIGID[0] */
  raw[127] = 0xdd;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_targetinfo t;
  assert_int_equal(sgxra_targetinfo_decode(cx, raw, 512, &t), SGXRA_OK);
  assert_int_equal(t.mrenclave[0], 1);
  assert_int_equal(t.mrenclave[31], 32);
  assert_int_equal(t.attributes.flags, 7);
  assert_int_equal(t.attributes.xfrm, 0xe7);
  assert_int_equal(t.ceattributes, 2);
  assert_int_equal(t.configsvn, 0x1234);
  assert_int_equal(t.miscselect, 1);
  assert_int_equal(t.configid[0], 0xcc);
  assert_int_equal(t.configid[63], 0xdd);
  assert_int_equal(sgxra_targetinfo_check_reserved(cx, &t), SGXRA_OK);
  uint8_t enc[512];
  sgxra_targetinfo_encode(&t, enc);
  assert_memory_equal(enc, raw, 512);
  static const size_t offs[] = {49, 56, 63, 128, 300, 511};
  for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
    uint8_t bad[512];
    memcpy(bad, raw, 512);
    bad[offs[i]] = 0x80;
    assert_int_equal(sgxra_targetinfo_decode(cx, bad, 512, &t), SGXRA_OK);
    assert_int_equal(sgxra_targetinfo_check_reserved(cx, &t),
                     SGXRA_E_SGX_RESERVED);
  }
  sgxra_ctx_free(cx);
}

static void test_keyrequest(void **state) {
  (void)state;
  uint8_t raw[512] = {0};
  raw[0] = SGXRA_KEYNAME_SEAL;
  raw[2] = SGXRA_KEYPOLICY_MRSIGNER;
  raw[4] = 0x02;
  raw[5] = 0x01; /* ISVSVN 0x0102 */
  raw[8] = 0x0b; /* CPUSVN[0] */
  raw[24] = 0x03;
  raw[31] = 0xff; /* ATTRIBUTEMASK.FLAGS = 0xff00000000000003 */
  raw[32] = 0x1b;
  raw[40] = 0x42; /* KEYID[0] */
  raw[72] = 0xff;
  raw[75] = 0xf0; /* MISCMASK 0xf00000ff */
  raw[76] = 0x09; /* CONFIGSVN 9 */
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_keyrequest k;
  assert_int_equal(sgxra_keyrequest_decode(cx, raw, 512, &k), SGXRA_OK);
  assert_int_equal(k.keyname, SGXRA_KEYNAME_SEAL);
  assert_int_equal(k.keypolicy, SGXRA_KEYPOLICY_MRSIGNER);
  assert_int_equal(k.isvsvn, 0x0102);
  assert_int_equal(k.cpusvn[0], 0x0b);
  assert_true(k.attributemask.flags == 0xff00000000000003ULL);
  assert_int_equal(k.attributemask.xfrm, 0x1b);
  assert_int_equal(k.keyid[0], 0x42);
  assert_int_equal(k.miscmask, 0xf00000ff);
  assert_int_equal(k.configsvn, 9);
  assert_int_equal(sgxra_keyrequest_check_reserved(cx, &k), SGXRA_OK);
  uint8_t enc[512];
  sgxra_keyrequest_encode(&k, enc);
  assert_memory_equal(enc, raw, 512);

  static const size_t offs[] = {6, 7, 78, 200, 511};
  for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
    uint8_t bad[512];
    memcpy(bad, raw, 512);
    bad[offs[i]] = 1;
    assert_int_equal(sgxra_keyrequest_decode(cx, bad, 512, &k), SGXRA_OK);
    assert_int_equal(sgxra_keyrequest_check_reserved(cx, &k),
                     SGXRA_E_SGX_RESERVED);
  }
  uint8_t bad[512];
  memcpy(bad, raw, 512);
  bad[0] = 5; /* KEYNAME 5 is undefined */
  assert_int_equal(sgxra_keyrequest_decode(cx, bad, 512, &k), SGXRA_OK);
  assert_int_equal(sgxra_keyrequest_check_reserved(cx, &k),
                   SGXRA_E_SGX_RESERVED);
  memcpy(bad, raw, 512);
  bad[2] = 0x40; /* KEYPOLICY bit 6 is reserved */
  assert_int_equal(sgxra_keyrequest_decode(cx, bad, 512, &k), SGXRA_OK);
  assert_int_equal(sgxra_keyrequest_check_reserved(cx, &k),
                   SGXRA_E_SGX_RESERVED);
  sgxra_ctx_free(cx);
}

static void test_flags_text(void **state) {
  (void)state;
  char buf[160];
  assert_int_equal(sgxra_attributes_flags_text(0, buf, sizeof buf), 4);
  assert_string_equal(buf, "none");
  sgxra_attributes_flags_text(0x4, buf, sizeof buf);
  assert_string_equal(buf, "MODE64BIT");
  sgxra_attributes_flags_text(0x6, buf, sizeof buf);
  assert_string_equal(buf, "DEBUG|MODE64BIT");
  sgxra_attributes_flags_text(0x24, buf, sizeof buf);
  assert_string_equal(buf, "MODE64BIT|EINITTOKENKEY");
  sgxra_attributes_flags_text(0x14, buf, sizeof buf);
  assert_string_equal(buf, "MODE64BIT|PROVISIONKEY");
  sgxra_attributes_flags_text(0x4f7, buf, sizeof buf);
  assert_string_equal(buf, "INIT|DEBUG|MODE64BIT|PROVISIONKEY|EINITTOKENKEY|"
                           "CET|KSS|AEXNOTIFY");
  sgxra_attributes_flags_text(0x8000000000000005ULL, buf, sizeof buf);
  assert_string_equal(buf, "INIT|MODE64BIT|0x8000000000000000");
  /* snprintf-like truncation */
  char small[6];
  assert_int_equal(sgxra_attributes_flags_text(0x6, small, sizeof small), 15);
  assert_string_equal(small, "DEBUG");
  assert_int_equal(sgxra_attributes_flags_text(0x6, NULL, 0), 15);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_report_body_from_quote),
      cmocka_unit_test(test_sizes),
      cmocka_unit_test(test_report_body_reserved),
      cmocka_unit_test(test_report),
      cmocka_unit_test(test_targetinfo),
      cmocka_unit_test(test_keyrequest),
      cmocka_unit_test(test_flags_text),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
