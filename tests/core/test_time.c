/* Tests of sgxra/timeutil.h: RFC 3339 parsing and formatting.  Expected
 * unix times were computed independently with GNU date(1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sgxra/timeutil.h"

static const struct {
  const char *text;
  int64_t unix_s;
} known[] = {
    {"1970-01-01T00:00:00Z", 0},
    {"1969-12-31T23:59:59Z", -1},
    {"2025-07-01T00:00:00Z", 1751328000},
    {"2000-02-29T00:00:00Z", 951782400}, /* 400-year rule: leap */
    {"2024-02-29T12:34:56Z", 1709210096},
    {"2038-01-19T03:14:07Z", 2147483647},
    {"2100-03-01T00:00:00Z", 4107542400},
    {"2016-12-31T23:59:59Z", 1483228799},
    {"9999-12-31T23:59:59Z", 253402300799},
    {"1600-03-01T00:00:00Z", -11670912000},
};

static void test_parse_and_format_known(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
    int64_t t = 12345;
    assert_int_equal(
        sgxra_time_parse_rfc3339(cx, known[i].text, strlen(known[i].text), &t),
        SGXRA_OK);
    assert_int_equal(t, known[i].unix_s);
    char out[SGXRA_TIME_TEXT_SIZE];
    sgxra_time_format(known[i].unix_s, out);
    assert_string_equal(out, known[i].text);
  }
  sgxra_ctx_free(cx);
}

static void test_accepted_variants(void **state) {
  (void)state;
  const char *ok[] = {
      "2025-07-01T00:00:00.123Z",  "2025-07-01T00:00:00.5Z",
      "2025-07-01T00:00:00+00:00", "2025-07-01T00:00:00.000000+00:00",
      "2025-07-01t00:00:00z",
  };
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    int64_t t = 0;
    assert_int_equal(sgxra_time_parse_rfc3339(NULL, ok[i], strlen(ok[i]), &t),
                     SGXRA_OK);
    assert_int_equal(t, 1751328000);
  }
  /* Leap second 60 is accepted and counted as :59. */
  int64_t t = 0;
  const char *leap = "2016-12-31T23:59:60Z";
  assert_int_equal(sgxra_time_parse_rfc3339(NULL, leap, strlen(leap), &t),
                   SGXRA_OK);
  assert_int_equal(t, 1483228799);
}

static void test_rejected(void **state) {
  (void)state;
  const char *bad[] = {
      "",
      "2025-07-01",
      "2025-07-01T00:00:00",       /* no zone */
      "2025-07-01 00:00:00Z",      /* space instead of T */
      "2025-07-01T00:00:00+01:00", /* non-UTC offset */
      "2025-07-01T00:00:00ZZ",
      "2025-07-01T00:00:00.Z", /* empty fraction */
      "2025-13-01T00:00:00Z",
      "2025-00-01T00:00:00Z",
      "2025-04-31T00:00:00Z",
      "2023-02-29T00:00:00Z", /* not a leap year */
      "1900-02-29T00:00:00Z", /* century, not a leap year */
      "2100-02-29T00:00:00Z",
      "2025-07-00T00:00:00Z",
      "2025-07-01T24:00:00Z",
      "2025-07-01T00:60:00Z",
      "2025-07-01T00:00:61Z",
      "2025-7-01T00:00:00Z",
      "+025-07-01T00:00:00Z",
      "2025-07-01T00:00:0aZ",
      "2025-07-01T00:00:00-00:00", /* RFC 3339 4.3: unknown offset */
      "2025-07-01T12:34:60Z",      /* a leap second only ends a day */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    sgxra_ctx *cx = sgxra_ctx_new();
    int64_t t = 777;
    assert_int_equal(sgxra_time_parse_rfc3339(cx, bad[i], strlen(bad[i]), &t),
                     SGXRA_E_TIME_FORMAT);
    assert_int_equal(t, 0);
    assert_int_equal(sgxra_ctx_error(cx), SGXRA_E_TIME_FORMAT);
    assert_non_null(strstr(sgxra_ctx_message(cx), "RFC 3339"));
    sgxra_ctx_free(cx);
  }
  /* Every truncation of a valid time is refused (length is honoured: the
   * bytes after n are never read as part of the time). */
  const char *full = "2024-02-29T12:34:56.789Z";
  for (size_t n = 0; n < strlen(full); n++) {
    int64_t t = 1;
    assert_int_equal(sgxra_time_parse_rfc3339(NULL, full, n, &t),
                     SGXRA_E_TIME_FORMAT);
  }
}

static void test_parse_arg(void **state) {
  (void)state;
  int64_t t = 0;
  assert_int_equal(sgxra_time_parse_arg(NULL, "1751328000", &t), SGXRA_OK);
  assert_int_equal(t, 1751328000);
  assert_int_equal(sgxra_time_parse_arg(NULL, "0", &t), SGXRA_OK);
  assert_int_equal(t, 0);
  assert_int_equal(sgxra_time_parse_arg(NULL, "2025-08-15T05:45:00Z", &t),
                   SGXRA_OK);
  assert_int_equal(t, 1755236700);
  assert_int_equal(sgxra_time_parse_arg(NULL, "", &t), SGXRA_E_TIME_FORMAT);
  assert_int_equal(sgxra_time_parse_arg(NULL, "-5", &t), SGXRA_E_TIME_FORMAT);
  assert_int_equal(sgxra_time_parse_arg(NULL, "12abc", &t),
                   SGXRA_E_TIME_FORMAT);
  assert_int_equal(sgxra_time_parse_arg(NULL, "now", &t), SGXRA_E_TIME_FORMAT);
  /* The command-line form names both accepted forms. */
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(sgxra_time_parse_arg(cx, "-5", &t), SGXRA_E_TIME_FORMAT);
  assert_int_equal(t, 0);
  assert_non_null(strstr(sgxra_ctx_message(cx), "'-5'"));
  assert_non_null(strstr(sgxra_ctx_message(cx), "unix seconds"));
  assert_non_null(strstr(sgxra_ctx_message(cx), "RFC 3339"));
  sgxra_ctx_free(cx);
}

static void test_days_from_civil(void **state) {
  (void)state;
  assert_int_equal(sgxra_days_from_civil(1970, 1, 1), 0);
  assert_int_equal(sgxra_days_from_civil(2000, 3, 1), 11017);
  assert_int_equal(sgxra_days_from_civil(1969, 12, 31), -1);
  /* 2024 is a leap year: Mar 1 is 60 days after Jan 1. */
  assert_int_equal(sgxra_days_from_civil(2024, 3, 1) -
                       sgxra_days_from_civil(2024, 1, 1),
                   60);
  assert_int_equal(sgxra_days_from_civil(2023, 3, 1) -
                       sgxra_days_from_civil(2023, 1, 1),
                   59);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_and_format_known),
      cmocka_unit_test(test_accepted_variants),
      cmocka_unit_test(test_rejected),
      cmocka_unit_test(test_parse_arg),
      cmocka_unit_test(test_days_from_civil),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
