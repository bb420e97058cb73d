/* Tests of sgxra/hex.h: hex and base64 (RFC 4648 section 10 vectors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sgxra/hex.h"

static void test_hex_roundtrip(void **state) {
  (void)state;
  const uint8_t b[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  char s[13];
  sgxra_hex_encode(b, sizeof(b), s);
  assert_string_equal(s, "00017f80abff");
  uint8_t out[6];
  assert_int_equal(sgxra_hex_decode(NULL, "00017F80ABff", 12, out, 6),
                   SGXRA_OK);
  assert_memory_equal(out, b, 6);
  char e[1];
  sgxra_hex_encode(NULL, 0, e);
  assert_string_equal(e, "");
  uint8_t *buf = NULL;
  size_t n = 99;
  assert_int_equal(sgxra_hex_decode_alloc(NULL, "deadBEEF", 8, &buf, &n),
                   SGXRA_OK);
  assert_int_equal(n, 4);
  assert_int_equal(buf[0], 0xde);
  assert_int_equal(buf[3], 0xef);
  free(buf);
  assert_int_equal(sgxra_hex_decode_alloc(NULL, "", 0, &buf, &n), SGXRA_OK);
  assert_int_equal(n, 0);
  free(buf);
}

static void test_hex_errors(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t out[4];
  memset(out, 0x5a, sizeof(out));
  assert_int_equal(sgxra_hex_decode(cx, "0011223", 7, out, 4), SGXRA_E_HEX);
  assert_string_equal(sgxra_ctx_message(cx), "expected 8 hex digits, found 7");
  const uint8_t zero[4] = {0};
  assert_memory_equal(out, zero, 4);
  memset(out, 0x5a, sizeof(out));
  assert_int_equal(sgxra_hex_decode(cx, "00112g33", 8, out, 4), SGXRA_E_HEX);
  assert_string_equal(sgxra_ctx_message(cx),
                      "invalid hex digit 0x67 at position 5");
  assert_memory_equal(out, zero, 4);
  assert_int_equal(sgxra_hex_decode(cx, "0x112233", 8, out, 4), SGXRA_E_HEX);
  assert_non_null(strstr(sgxra_ctx_message(cx), "position 1"));
  assert_int_equal(sgxra_hex_decode(cx, "00 11223", 8, out, 4), SGXRA_E_HEX);
  uint8_t *buf = (uint8_t *)1;
  size_t n = 7;
  assert_int_equal(sgxra_hex_decode_alloc(cx, "abc", 3, &buf, &n), SGXRA_E_HEX);
  assert_null(buf);
  assert_int_equal(n, 0);
  assert_int_equal(sgxra_hex_decode_alloc(cx, "zz", 2, &buf, &n), SGXRA_E_HEX);
  assert_null(buf);
  sgxra_ctx_free(cx);
}

/* RFC 4648 section 10. */
static const char *b64_plain[] = {"",     "f",     "fo",    "foo",
                                  "foob", "fooba", "foobar"};
static const char *b64_enc[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};

static void test_base64_rfc4648(void **state) {
  (void)state;
  for (size_t i = 0; i < 7; i++) {
    char out[16];
    size_t n = strlen(b64_plain[i]);
    sgxra_base64_encode((const uint8_t *)b64_plain[i], n, out);
    assert_string_equal(out, b64_enc[i]);
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(sgxra_base64_decode_alloc(NULL, b64_enc[i],
                                               strlen(b64_enc[i]), &buf, &len),
                     SGXRA_OK);
    assert_int_equal(len, n);
    assert_memory_equal(buf, b64_plain[i], n);
    free(buf);
  }
  /* All 256 byte values survive a round trip ('+' and '/' included). */
  uint8_t all[256];
  for (int i = 0; i < 256; i++) all[i] = (uint8_t)i;
  char enc[4 * 86 + 1];
  sgxra_base64_encode(all, 256, enc);
  assert_non_null(strchr(enc, '+'));
  assert_non_null(strchr(enc, '/'));
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(
      sgxra_base64_decode_alloc(NULL, enc, strlen(enc), &buf, &len), SGXRA_OK);
  assert_int_equal(len, 256);
  assert_memory_equal(buf, all, 256);
  free(buf);
}

static void test_base64_errors(void **state) {
  (void)state;
  const char *bad[] = {"Zm9", "Zm9v=", "Zm=v", "Z===", "Zg==Zm9v", "Zm9-",
                       "Zm9_", "Zm9v\n", "====", "Zg===", "Zg=A",
                       /* non-canonical: dropped bits not zero */
                       "Zh==", "Zm9="};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    sgxra_ctx *cx = sgxra_ctx_new();
    uint8_t *buf = (uint8_t *)1;
    size_t len = 5;
    assert_int_equal(
        sgxra_base64_decode_alloc(cx, bad[i], strlen(bad[i]), &buf, &len),
        SGXRA_E_BASE64);
    assert_null(buf);
    assert_int_equal(len, 0);
    assert_int_equal(sgxra_ctx_error(cx), SGXRA_E_BASE64);
    sgxra_ctx_free(cx);
  }
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(sgxra_base64_decode_alloc(cx, "Zm9-", 4, &buf, &len),
                   SGXRA_E_BASE64);
  assert_string_equal(sgxra_ctx_message(cx),
                      "invalid base64 character 0x2d at position 3");
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hex_roundtrip),
      cmocka_unit_test(test_hex_errors),
      cmocka_unit_test(test_base64_rfc4648),
      cmocka_unit_test(test_base64_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
