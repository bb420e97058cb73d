/* The JSON reader of Intel's signed documents (src/quote/jsonv.c) against
 * jansson, which it replaced (issue 15): on the bundles' TCB Info and QE
 * Identity documents and copies of them with one byte changed (every
 * second byte of the QE Identity, every 17th and 37th of two TCB Infos;
 * to each of a set of bytes that matter to JSON: quotes, escapes, digits,
 * signs, brackets, letters, whitespace, NUL, bytes of UTF-8 sequences) and
 * on
 * hand-written edge cases, sgxra__jv_parse must accept exactly what
 * json_loadb accepts (duplicate names allowed), and read the same values:
 * types, integers, strings, member names in order (without duplicates
 * jansson's object has the same members), array elements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/testutil.h"
#include "quote/collateral_internal.h"

/* The same value?  Objects: jansson keeps the last of duplicate names, so
 * with duplicates only the names are compared. */
static int same(const sgxra__jv *a, const json_t *b, int dups) {
  switch (sgxra__jv_type(a)) {
  case SGXRA__JV_OBJECT: {
    if (!json_is_object(b)) return 0;
    size_t n = sgxra__jv_size(a);
    if (!dups && n != json_object_size(b)) return 0;
    const sgxra__jv *m = sgxra__jv_at(a, 0);
    for (size_t i = 0; i < n; i++, m = sgxra__jv_next(m)) {
      size_t kl = 0;
      const char *k = sgxra__jv_key(m, &kl);
      const json_t *bm = json_object_getn(b, k, kl);
      if (bm == NULL) return 0;
      if (!dups && !same(m, bm, dups)) return 0;
      if (sgxra__jv_get(a, k) == NULL) return 0;
    }
    return 1;
  }
  case SGXRA__JV_ARRAY: {
    if (!json_is_array(b) || sgxra__jv_size(a) != json_array_size(b)) return 0;
    const sgxra__jv *e = sgxra__jv_at(a, 0);
    for (size_t i = 0; i < sgxra__jv_size(a); i++, e = sgxra__jv_next(e)) {
      if (e != sgxra__jv_at(a, i)) return 0; /* the walk and the index agree */
      if (!same(e, json_array_get(b, i), dups)) return 0;
    }
    return sgxra__jv_size(a) == 0 ||
           sgxra__jv_next(sgxra__jv_at(a, sgxra__jv_size(a) - 1)) == NULL;
  }
  case SGXRA__JV_STRING: {
    size_t l = 0;
    const char *s = sgxra__jv_string(a, &l);
    return json_is_string(b) && json_string_length(b) == l &&
           memcmp(json_string_value(b), s, l) == 0;
  }
  case SGXRA__JV_INTEGER:
    return json_is_integer(b) && json_integer_value(b) == sgxra__jv_integer(a);
  case SGXRA__JV_REAL:
    return json_is_real(b);
  case SGXRA__JV_TRUE:
    return json_is_true(b);
  case SGXRA__JV_FALSE:
    return json_is_false(b);
  case SGXRA__JV_NULL:
    return json_is_null(b);
  }
  return 0;
}

typedef struct tally {
  size_t texts, accepted;
} tally;

static void compare(const uint8_t *p, size_t n, tally *t, const char *what,
                    size_t at) {
  json_error_t err;
  json_t *j = json_loadb((const char *)p, n, 0, &err);
  json_t *jd =
      j ? json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &err) : NULL;
  sgxra__jv *v = NULL;
  int r = sgxra__jv_parse(p, n, &v);
  /* Intel's documents are shallow: no edit here nests 64 levels */
  if ((r == 0) != (j != NULL))
    fail_msg("%s, byte %zu (0x%02x): jsonv %s, jansson %s", what, at,
             at < n ? p[at] : 0, r == 0 ? "accepts" : "refuses",
             j ? "accepts" : err.text);
  if (r == 0) {
    if (!same(v, j, jd == NULL))
      fail_msg("%s, byte %zu: jsonv and jansson read different values", what,
               at);
    t->accepted++;
  } else {
    assert_null(v);
  }
  t->texts++;
  sgxra__jv_free(v);
  json_decref(j);
  json_decref(jd);
}

static void every_edit(const char *rel, size_t step) {
  size_t n = 0;
  uint8_t *p = tu_read_vector(rel, &n);
  while (n > 0 && p[n - 1] == '\0') n--;
  static const uint8_t to[] = {
      '"',  '\\', '/',  'u',  ',',  ':',  '{',  '}',  '[',  ']',  '0',  '1',
      '9',  '-',  '+',  '.',  'e',  'E',  't',  'n',  ' ',  '\t', '\n', 0x00,
      0x01, 0x1f, 0x7f, 0x80, 0xc3, 0xe0, 0xed, 0xf4, 0xf5, 0xff};
  tally t = {0};
  compare(p, n, &t, rel, n);
  assert_int_equal(t.accepted, 1);
  for (size_t i = 0; i < n; i += step) {
    uint8_t keep = p[i];
    for (size_t k = 0; k < sizeof to; k++) {
      if (to[k] == keep) continue;
      p[i] = to[k];
      compare(p, n, &t, rel, i);
    }
    p[i] = keep;
    /* the byte removed */
    uint8_t *q = malloc(n);
    assert_non_null(q);
    memcpy(q, p, i);
    memcpy(q + i, p + i + 1, n - i - 1);
    compare(q, n - 1, &t, rel, i);
    free(q);
  }
  print_message("  %s: %zu texts, %zu accepted by both\n", rel, t.texts,
                t.accepted);
  assert_true(t.accepted > t.texts / 20);
  free(p);
}

static void test_qe_identity_bytes(void **state) {
  (void)state;
  every_edit("dcap/bundles/sgx-12-mobilecoin-teepot-early-eval19/"
             "qe_identity.json",
             2);
}

static void test_tcb_info_bytes(void **state) {
  (void)state;
  every_edit("dcap/bundles/sgx-12-mobilecoin-teepot-early-eval19/"
             "tcb_info.json",
             17);
  every_edit("dcap/bundles/sgx-03-dcaprs-v3-tcbinfo-v2/tcb_info.json", 37);
}

static void test_edge_cases(void **state) {
  (void)state;
  static const char *const texts[] = {"{}",
                                      "[]",
                                      " {} ",
                                      "{} x",
                                      "{}}",
                                      "",
                                      " ",
                                      "1",
                                      "\"a\"",
                                      "null",
                                      "{\"a\":1,\"a\":2}",
                                      "{\"a\":1,\"a\":tru}",
                                      "[1,]",
                                      "{\"a\":1,}",
                                      "[01]",
                                      "[1.]",
                                      "[.5]",
                                      "[+1]",
                                      "[-]",
                                      "[1e]",
                                      "[1e+]",
                                      "[-0]",
                                      "[0x10]",
                                      "[1e999]",
                                      "[-1e999]",
                                      "[1e-999]",
                                      "[9223372036854775807]",
                                      "[9223372036854775808]",
                                      "[-9223372036854775808]",
                                      "[-9223372036854775809]",
                                      "[99999999999999999999]",
                                      "[1.5e-3,1E+2,-0.0]",
                                      "[true,false,null]",
                                      "[truex]",
                                      "[truefalse]",
                                      "[truenull]",
                                      "[nulltrue]",
                                      "[falsetrue]",
                                      "[trueFalse]",
                                      "[true_]",
                                      "[true1]",
                                      "[nul]",
                                      "[NaN]",
                                      "[Infinity]",
                                      "[\"\\u0000\"]",
                                      "{\"\\u0000\":1}",
                                      "[\"\\udc00\"]",
                                      "[\"\\ud800\"]",
                                      "[\"\\ud800\\u0041\"]",
                                      "[\"\\ud83d\\ude00\"]",
                                      "[\"\\uD83D\\uDE00\"]",
                                      "[\"\\u00e9\"]",
                                      "[\"\\x\"]",
                                      "[\"\\u12\"]",
                                      "[\"\\u12G4\"]",
                                      "[\"a\tb\"]",
                                      "[\"\xc3\xa9\"]",
                                      "[\"\xc0\xaf\"]",
                                      "[\"\xed\xa0\x80\"]",
                                      "[\"\xf4\x90\x80\x80\"]",
                                      "[\"\xf0\x9f\x98\x80\"]",
                                      "[\"\xe2\x82\"]",
                                      "[\"\x7f\"]",
                                      "[\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"]",
                                      "\xef\xbb\xbf{}",
                                      "{\"a\" : [ 1 , 2 ] }",
                                      "{\"a\"\n:\r1\t}",
                                      "[1 2]",
                                      "{\"a\" 1}",
                                      "{1:2}",
                                      "{\"a\":}",
                                      "[\"\xff\"]",
                                      "[\x01]",
                                      "{\"x\":\"\\u0041\"}",
                                      "{\"\\u0061\":1,\"a\":2}"};
  tally t = {0};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
    compare((const uint8_t *)texts[i], strlen(texts[i]), &t, texts[i], 0);
  /* a NUL byte inside the text */
  compare((const uint8_t *)"[\"a\0b\"]", 7, &t, "NUL in a string", 3);
  compare((const uint8_t *)"[1\0]", 4, &t, "NUL after a number", 2);
  compare((const uint8_t *)"[1\0\0]", 5, &t, "two NULs after a number", 2);
  compare((const uint8_t *)"[1 \0]", 5, &t, "NUL after a space", 3);
  compare((const uint8_t *)"[true\0,null\0]", 12, &t, "NUL after literals", 5);
  compare((const uint8_t *)"[\"a\"\0]", 6, &t, "NUL after a string", 4);
  compare((const uint8_t *)"{\"a\":1}\0x", 9, &t, "NUL after the end", 7);
  assert_true(t.accepted > 10);
  /* the first of duplicate names */
  sgxra__jv *v = NULL;
  const char *d = "{\"a\":1,\"b\":[],\"a\":\"x\",\"\\u0061\":3}";
  assert_int_equal(sgxra__jv_parse((const uint8_t *)d, strlen(d), &v), 0);
  assert_int_equal(sgxra__jv_size(v), 4);
  assert_int_equal(sgxra__jv_type(sgxra__jv_get(v, "a")), SGXRA__JV_INTEGER);
  assert_int_equal(sgxra__jv_integer(sgxra__jv_get(v, "a")), 1);
  assert_int_equal(sgxra__jv_type(sgxra__jv_get(v, "b")), SGXRA__JV_ARRAY);
  assert_null(sgxra__jv_get(v, "c"));
  sgxra__jv_free(v);
  /* nesting: a value 64 levels below the document, not 65 */
  char deep[256];
  size_t k = 0;
  for (int i = 0; i < 65; i++) deep[k++] = '[';
  deep[k++] = '1';
  for (int i = 0; i < 65; i++) deep[k++] = ']';
  assert_int_equal(sgxra__jv_parse((const uint8_t *)deep, k, &v), -1);
  assert_int_equal(sgxra__jv_parse((const uint8_t *)deep + 1, k - 2, &v), 0);
  sgxra__jv_free(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_edge_cases),
      cmocka_unit_test(test_qe_identity_bytes),
      cmocka_unit_test(test_tcb_info_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
