/* Tests of sgxra/error.h, the context's messages and the read cursor. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/internal.h"
#include "sgxra/ctx.h"
#include "sgxra/error.h"

static void test_names_and_texts(void **state) {
  (void)state;
  assert_string_equal(sgxra_err_name(SGXRA_OK), "SGXRA_OK");
  assert_string_equal(sgxra_strerror(SGXRA_OK), "success");
  assert_string_equal(sgxra_err_name(SGXRA_E_HEX), "SGXRA_E_HEX");
  assert_string_equal(sgxra_strerror(SGXRA_E_HEX), "invalid hex string");
  assert_string_equal(sgxra_err_name(SGXRA_E_CRYPTO_SIG_INVALID),
                      "SGXRA_E_CRYPTO_SIG_INVALID");
  assert_int_equal(SGXRA_E_CRYPTO_SIG_INVALID, 101);
  assert_string_equal(sgxra_strerror(SGXRA_E_CRYPTO_TAG_MISMATCH),
                      "authentication tag mismatch");
  assert_string_equal(sgxra_err_name((sgxra_err)99999), "SGXRA_E_UNKNOWN");
  assert_string_equal(sgxra_strerror((sgxra_err)99999), "unknown error code");
  assert_string_equal(sgxra_err_name((sgxra_err)-1), "SGXRA_E_UNKNOWN");
}

/* Every listed code has a unique number inside its area's range, a name
 * that round-trips and a non-empty text. */
struct code {
  int num;
  const char *name;
  const char *text;
};
#define AS_ROW(name, num, text) {num, "SGXRA_E_" #name, text},
static const struct code all[] = {SGXRA_ERROR_LIST(AS_ROW)};
#undef AS_ROW

static void test_list_consistent(void **state) {
  (void)state;
  size_t n = sizeof(all) / sizeof(all[0]);
  assert_true(n > 20);
  for (size_t i = 0; i < n; i++) {
    assert_true(all[i].num > 0 && all[i].num < 1200);
    assert_string_equal(sgxra_err_name((sgxra_err)all[i].num), all[i].name);
    assert_string_equal(sgxra_strerror((sgxra_err)all[i].num), all[i].text);
    assert_true(strlen(all[i].text) > 0);
    for (size_t j = i + 1; j < n; j++)
      assert_int_not_equal(all[i].num, all[j].num);
  }
}

static void test_ctx_messages(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_non_null(cx);
  assert_int_equal(sgxra_ctx_error(cx), SGXRA_OK);
  assert_string_equal(sgxra_ctx_message(cx), "success");
  /* A code without a specific message falls back to the generic text. */
  assert_int_equal(sgxra__fail(cx, SGXRA_E_NO_MEMORY, NULL), SGXRA_E_NO_MEMORY);
  assert_string_equal(sgxra_ctx_message(cx), "out of memory");
  assert_int_equal(sgxra__fail(cx, SGXRA_E_IO, "cannot open %s: %d", "x", 2),
                   SGXRA_E_IO);
  assert_int_equal(sgxra_ctx_error(cx), SGXRA_E_IO);
  assert_string_equal(sgxra_ctx_message(cx), "cannot open x: 2");
  assert_int_equal(sgxra__context(cx, SGXRA_E_IO, "PCK %s", "certificate"),
                   SGXRA_E_IO);
  assert_string_equal(sgxra_ctx_message(cx),
                      "PCK certificate: cannot open x: 2");
  sgxra_ctx_clear(cx);
  assert_int_equal(sgxra_ctx_error(cx), SGXRA_OK);
  assert_string_equal(sgxra_ctx_message(cx), "success");
  /* Over-long messages are truncated, not overflowed. */
  char big[2000];
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = 0;
  assert_int_equal(sgxra__fail(cx, SGXRA_E_JSON, "%s", big), SGXRA_E_JSON);
  assert_int_equal(strlen(sgxra_ctx_message(cx)), SGXRA_CTX_MSG_SIZE - 1);
  assert_int_equal(sgxra__context(cx, SGXRA_E_JSON, "%s", big), SGXRA_E_JSON);
  assert_true(strlen(sgxra_ctx_message(cx)) < SGXRA_CTX_MSG_SIZE);
  /* NULL context: the code still comes back. */
  assert_int_equal(sgxra__fail(NULL, SGXRA_E_HEX, "x"), SGXRA_E_HEX);
  assert_int_equal(sgxra__context(NULL, SGXRA_E_SGXS_FORMAT, "record %d", 3),
                   SGXRA_E_SGXS_FORMAT);
  assert_int_equal(sgxra_ctx_error(NULL), SGXRA_OK);
  assert_string_equal(sgxra_ctx_message(NULL), "no context");
  sgxra_ctx_free(cx);
  sgxra_ctx_free(NULL);
}

static void test_cursor(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  const uint8_t b[15] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                         0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  sgxra__cur c;
  sgxra__cur_init(&c, b, sizeof(b), "quote", SGXRA_E_UNSUPPORTED);
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
  assert_int_equal(sgxra__cur_u8(cx, &c, "a", &u8), SGXRA_OK);
  assert_int_equal(u8, 0x01);
  assert_int_equal(sgxra__cur_u16(cx, &c, "b", &u16), SGXRA_OK);
  assert_int_equal(u16, 0x0302);
  assert_int_equal(sgxra__cur_u32(cx, &c, "c", &u32), SGXRA_OK);
  assert_int_equal(u32, 0x07060504);
  assert_int_equal(sgxra__cur_left(&c), 8);
  assert_int_equal(sgxra__cur_u64(cx, &c, "d", &u64), SGXRA_OK);
  assert_true(u64 == 0x0f0e0d0c0b0a0908ull);
  assert_int_equal(sgxra__cur_left(&c), 0);
  assert_int_equal(sgxra__cur_u8(cx, &c, "e", &u8), SGXRA_E_UNSUPPORTED);
  assert_string_equal(sgxra_ctx_message(cx),
                      "quote truncated: e needs 1 bytes at offset 15, only 0 "
                      "remain");

  sgxra__cur_init(&c, b, 10, "SIGSTRUCT", SGXRA_E_IO);
  uint8_t dst[8];
  assert_int_equal(sgxra__cur_copy(cx, &c, dst, 4, "header"), SGXRA_OK);
  assert_memory_equal(dst, b, 4);
  const uint8_t *p = NULL;
  assert_int_equal(sgxra__cur_take(cx, &c, 7, "signature data", &p),
                   SGXRA_E_IO);
  assert_null(p);
  assert_string_equal(sgxra_ctx_message(cx),
                      "SIGSTRUCT truncated: signature data needs 7 bytes at "
                      "offset 4, only 6 remain");
  /* A failed take does not move the cursor; a huge size does not wrap. */
  assert_int_equal(sgxra__cur_take(cx, &c, SIZE_MAX, "x", &p), SGXRA_E_IO);
  assert_int_equal(sgxra__cur_take(cx, &c, 6, "rest", &p), SGXRA_OK);
  assert_ptr_equal(p, b + 4);
  assert_int_equal(sgxra__cur_take(cx, &c, 0, "nothing", &p), SGXRA_OK);

  /* LE/BE helpers. */
  uint8_t w[8];
  sgxra__st64(w, 0x1122334455667788ull);
  assert_int_equal(w[0], 0x88);
  assert_int_equal(w[7], 0x11);
  assert_true(sgxra__le64(w) == 0x1122334455667788ull);
  sgxra__st16(w, 0xabcd);
  assert_int_equal(sgxra__be16(w), 0xcdab);
  assert_int_equal(sgxra__be32(b), 0x01020304);
  assert_true(sgxra__all_zero(w + 2, 0));
  assert_false(sgxra__all_zero(b, 3));
  sgxra_ctx_free(cx);
}

/* sgxra__errno_text: the C library's text (compared with strerror here,
 * where one thread runs), always NUL-terminated, a number for an unknown
 * value. */
static void test_errno_text(void **state) {
  (void)state;
  char buf[SGXRA__ERRNO_TEXT_SIZE];
  memset(buf, 'x', sizeof buf);
  const char *t = sgxra__errno_text(ENOENT, buf, sizeof buf);
  assert_ptr_equal(t, buf);
  assert_string_equal(t, strerror(ENOENT));
  assert_string_equal(sgxra__errno_text(EACCES, buf, sizeof buf),
                      strerror(EACCES));
  /* An unknown value: the library's "Unknown error 99999" or ours. */
  t = sgxra__errno_text(99999, buf, sizeof buf);
  assert_non_null(strstr(t, "rror 99999"));
  /* A short buffer is cut, not overrun. */
  char small[6];
  memset(small, 'x', sizeof small);
  t = sgxra__errno_text(ENOENT, small, sizeof small);
  assert_ptr_equal(t, small);
  assert_true(strlen(t) < sizeof small);
  assert_string_equal(sgxra__errno_text(ENOENT, small, 0), "");
  assert_string_equal(sgxra__errno_text(ENOENT, NULL, 4), "");
  /* The drop-in for strerror() in a message. */
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(sgxra__fail(cx, SGXRA_E_IO, "cannot open x: %s",
                               SGXRA__ERRNO_STR(ENOENT)),
                   SGXRA_E_IO);
  char want[SGXRA_CTX_MSG_SIZE];
  snprintf(want, sizeof want, "cannot open x: %s", strerror(ENOENT));
  assert_string_equal(sgxra_ctx_message(cx), want);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_errno_text),
      cmocka_unit_test(test_names_and_texts),
      cmocka_unit_test(test_list_consistent),
      cmocka_unit_test(test_ctx_messages),
      cmocka_unit_test(test_cursor),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
