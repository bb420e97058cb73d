/* Tests of sgxra/base64.h: RFC 4648 section 10 vectors in both alphabets,
 * padded and not; strict refusals (characters, padding, mixed alphabets,
 * non-canonical trailing bits, whitespace only when allowed); caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sgxra/base64.h"
#include "sgxra/error.h"

#define ANY                                                                    \
  (SGXRA_BASE64_STD | SGXRA_BASE64_URL | SGXRA_BASE64_PAD_OPTIONAL |           \
   SGXRA_BASE64_WHITESPACE)

/* RFC 4648 section 10. */
static const struct {
  const char *plain, *b64;
} rfc[] = {{"", ""},
           {"f", "Zg=="},
           {"fo", "Zm8="},
           {"foo", "Zm9v"},
           {"foob", "Zm9vYg=="},
           {"fooba", "Zm9vYmE="},
           {"foobar", "Zm9vYmFy"}};

static sgxra_err dec(sgxra_ctx *cx, const char *s, unsigned flags, size_t cap,
                     uint8_t **b, size_t *n) {
  return sgxra_base64_decode_text(cx, s, strlen(s), flags, cap, b, n);
}

static void test_rfc4648_vectors(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
    size_t pn = strlen(rfc[i].plain);
    char out[16];
    assert_int_equal(sgxra_base64_encoded_len(pn, SGXRA_BASE64_STD),
                     strlen(rfc[i].b64));
    assert_int_equal(
        sgxra_base64_encode_text(NULL, (const uint8_t *)rfc[i].plain, pn,
                                 SGXRA_BASE64_STD, out, sizeof out),
        SGXRA_OK);
    assert_string_equal(out, rfc[i].b64);
    /* padded, strict */
    uint8_t *b = NULL;
    size_t n = 99;
    assert_int_equal(dec(NULL, rfc[i].b64, SGXRA_BASE64_STD, 64, &b, &n),
                     SGXRA_OK);
    assert_non_null(b);
    assert_int_equal(n, pn);
    assert_memory_equal(b, rfc[i].plain, pn);
    free(b);
    /* without padding: encoder and decoder */
    char np[16];
    assert_int_equal(sgxra_base64_encode_text(
                         NULL, (const uint8_t *)rfc[i].plain, pn,
                         SGXRA_BASE64_URL | SGXRA_BASE64_NO_PAD, np, sizeof np),
                     SGXRA_OK);
    const char *eq = strchr(rfc[i].b64, '=');
    size_t want = eq ? (size_t)(eq - rfc[i].b64) : strlen(rfc[i].b64);
    assert_int_equal(strlen(np), want);
    assert_memory_equal(np, rfc[i].b64, want);
    assert_int_equal(sgxra_base64_encoded_len(pn, SGXRA_BASE64_NO_PAD), want);
    assert_int_equal(dec(NULL, np, SGXRA_BASE64_URL, 64, &b, &n),
                     pn % 3 ? SGXRA_E_BASE64 : SGXRA_OK); /* pad required */
    free(b);
    assert_int_equal(
        dec(NULL, np, SGXRA_BASE64_URL | SGXRA_BASE64_PAD_OPTIONAL, 64, &b, &n),
        SGXRA_OK);
    assert_int_equal(n, pn);
    assert_memory_equal(b, rfc[i].plain, pn);
    free(b);
  }
}

static void test_alphabets(void **state) {
  (void)state;
  const uint8_t bytes[] = {0xfb, 0xff, 0xbf, 0xfe}; /* "+/+/" -> "-_-_" */
  char s[16];
  assert_int_equal(
      sgxra_base64_encode_text(NULL, bytes, 3, SGXRA_BASE64_STD, s, sizeof s),
      SGXRA_OK);
  assert_string_equal(s, "+/+/");
  assert_int_equal(
      sgxra_base64_encode_text(NULL, bytes, 4, SGXRA_BASE64_URL, s, sizeof s),
      SGXRA_OK);
  assert_string_equal(s, "-_-__g==");
  uint8_t *b = NULL;
  size_t n = 0;
  assert_int_equal(dec(NULL, "-_-__g==", SGXRA_BASE64_URL, 8, &b, &n),
                   SGXRA_OK);
  assert_int_equal(n, 4);
  assert_memory_equal(b, bytes, 4);
  free(b);
  /* each alphabet alone refuses the other's characters */
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(dec(cx, "+/+/", SGXRA_BASE64_URL, 8, &b, &n),
                   SGXRA_E_BASE64);
  assert_null(b);
  assert_int_equal(n, 0);
  assert_non_null(strstr(sgxra_ctx_message(cx), "'+' at position 0"));
  assert_int_equal(dec(cx, "-_-_", SGXRA_BASE64_STD, 8, &b, &n),
                   SGXRA_E_BASE64);
  /* both allowed: either one, never mixed */
  assert_int_equal(dec(cx, "+/+/", ANY, 8, &b, &n), SGXRA_OK);
  free(b);
  assert_int_equal(dec(cx, "-_-_", ANY, 8, &b, &n), SGXRA_OK);
  free(b);
  assert_int_equal(dec(cx, "+_+_", ANY, 8, &b, &n), SGXRA_E_BASE64);
  assert_non_null(strstr(sgxra_ctx_message(cx), "mixes"));
  assert_int_equal(dec(cx, "-/AA", ANY, 8, &b, &n), SGXRA_E_BASE64);
  sgxra_ctx_free(cx);
}

static void test_strict_refusals(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t *b = NULL;
  size_t n = 0;
  static const struct {
    const char *text;
    unsigned flags;
    const char *msg; /* part of the message */
  } bad[] = {
      {"Zm9v!", ANY, "'!' at position 4"},
      {"Zm 9v", SGXRA_BASE64_STD, "whitespace"},
      {"Zm9v\n", SGXRA_BASE64_STD, "whitespace"},
      {"Zg=", SGXRA_BASE64_STD, "1 '=' where 2"},
      {"Zg===", ANY, "3 '=' where 2"},
      {"Zm8==", ANY, "2 '=' where 1"},
      {"Zm9v=", ANY, "1 '=' where 0"},
      {"Zm9v====", ANY, "where 0"},
      {"Z===", ANY, "mod 4 is 1"},
      {"Z", ANY, "mod 4 is 1"},
      {"Zm9vY", ANY, "mod 4 is 1"},
      {"Zg==Zg==", ANY, "after the '=' padding"},
      {"Z=g=", ANY, "after the '=' padding"},
      {"Zh==", ANY, "non-zero bits"}, /* "f" is Zg== */
      {"Zm9=", ANY, "non-zero bits"}, /* "fo" is Zm8= */
      {"Zh", ANY, "non-zero bits"},
      {"Zg", SGXRA_BASE64_STD, "padding missing"},
      {"\x80\x81", ANY, "0x80 at position 0"},
      {"Zm9v\x00", ANY, "0x00 at position 4"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t len = strlen(bad[i].text) + (i == sizeof bad / sizeof bad[0] - 1);
    b = (uint8_t *)1;
    n = 7;
    sgxra_err e = sgxra_base64_decode_text(cx, bad[i].text, len, bad[i].flags,
                                           64, &b, &n);
    if (e != SGXRA_E_BASE64 || !strstr(sgxra_ctx_message(cx), bad[i].msg))
      fail_msg("case %zu '%s': %s (%s), want SGXRA_E_BASE64 '%s'", i,
               bad[i].text, sgxra_err_name(e), sgxra_ctx_message(cx),
               bad[i].msg);
    assert_null(b);
    assert_int_equal(n, 0);
  }
  /* whitespace anywhere when allowed, padding split by a newline too */
  assert_int_equal(dec(cx, " Zm9v\r\nYm\tE\n=\n", ANY, 64, &b, &n), SGXRA_OK);
  assert_int_equal(n, 5);
  assert_memory_equal(b, "fooba", 5);
  free(b);
  /* only whitespace: zero bytes */
  assert_int_equal(dec(cx, " \n", ANY, 64, &b, &n), SGXRA_OK);
  assert_int_equal(n, 0);
  free(b);
  sgxra_ctx_free(cx);
}

static void test_caps_and_arguments(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t *b = NULL;
  size_t n = 0;
  /* "foobar" is 6 bytes: a cap of 6 passes, 5 fails before allocating */
  assert_int_equal(dec(cx, "Zm9vYmFy", SGXRA_BASE64_STD, 6, &b, &n), SGXRA_OK);
  free(b);
  assert_int_equal(dec(cx, "Zm9vYmFy", SGXRA_BASE64_STD, 5, &b, &n),
                   SGXRA_E_TOO_LARGE);
  assert_non_null(strstr(sgxra_ctx_message(cx), "6 bytes"));
  assert_null(b);
  assert_int_equal(dec(cx, "Zm9vYg", ANY, 3, &b, &n), SGXRA_E_TOO_LARGE);
  /* flags */
  assert_int_equal(dec(cx, "Zm9v", 0, 8, &b, &n), SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(dec(cx, "Zm9v", SGXRA_BASE64_STD | 0x100u, 8, &b, &n),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(
      dec(cx, "Zm9v", SGXRA_BASE64_STD | SGXRA_BASE64_NO_PAD, 8, &b, &n),
      SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(
      sgxra_base64_decode_text(cx, NULL, 4, SGXRA_BASE64_STD, 8, &b, &n),
      SGXRA_E_INVALID_ARGUMENT);
  /* encoder: output size exact (+1 NUL), alphabet exactly one */
  char out[9];
  assert_int_equal(sgxra_base64_encode_text(cx, (const uint8_t *)"foobar", 6,
                                            SGXRA_BASE64_STD, out, 9),
                   SGXRA_OK);
  assert_string_equal(out, "Zm9vYmFy");
  assert_int_equal(sgxra_base64_encode_text(cx, (const uint8_t *)"foobar", 6,
                                            SGXRA_BASE64_STD, out, 8),
                   SGXRA_E_TOO_LARGE);
  assert_string_equal(out, "");
  assert_int_equal(sgxra_base64_encode_text(cx, (const uint8_t *)"f", 1,
                                            SGXRA_BASE64_STD | SGXRA_BASE64_URL,
                                            out, 9),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_base64_encoded_len(SIZE_MAX, 0), SIZE_MAX);
  sgxra_ctx_free(cx);
}

/* Every length 0..96 of bytes 0..255 repeated, both alphabets, padded and
 * not, with a newline after every 7th character: decodes back exactly,
 * and one byte less of cap fails. */
static void test_roundtrip_lengths(void **state) {
  (void)state;
  uint8_t in[96];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)(i * 37 + 11);
  static const unsigned enc[] = {SGXRA_BASE64_STD, SGXRA_BASE64_URL,
                                 SGXRA_BASE64_STD | SGXRA_BASE64_NO_PAD,
                                 SGXRA_BASE64_URL | SGXRA_BASE64_NO_PAD};
  for (size_t n = 0; n <= sizeof in; n++) {
    for (size_t k = 0; k < 4; k++) {
      char txt[160], wrapped[200];
      assert_int_equal(
          sgxra_base64_encode_text(NULL, in, n, enc[k], txt, sizeof txt),
          SGXRA_OK);
      assert_int_equal(strlen(txt), sgxra_base64_encoded_len(n, enc[k]));
      size_t w = 0;
      for (size_t i = 0; txt[i]; i++) {
        wrapped[w++] = txt[i];
        if (i % 7 == 6) wrapped[w++] = '\n';
      }
      uint8_t *b = NULL;
      size_t got = 0;
      assert_int_equal(
          sgxra_base64_decode_text(NULL, wrapped, w, ANY, n, &b, &got),
          SGXRA_OK);
      assert_int_equal(got, n);
      if (n) assert_memory_equal(b, in, n);
      free(b);
      if (n)
        assert_int_equal(
            sgxra_base64_decode_text(NULL, wrapped, w, ANY, n - 1, &b, &got),
            SGXRA_E_TOO_LARGE);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rfc4648_vectors),
      cmocka_unit_test(test_alphabets),
      cmocka_unit_test(test_strict_refusals),
      cmocka_unit_test(test_caps_and_arguments),
      cmocka_unit_test(test_roundtrip_lengths),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
