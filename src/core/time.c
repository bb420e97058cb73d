/* Time as Intel collateral writes it: see sgxra/timeutil.h. */
#include <stdio.h>
#include <stdlib.h>

#include "core/internal.h"
#include "sgxra/timeutil.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (the
 * well-known era-based algorithm: 400-year eras of 146097 days). */
int64_t sgxra_days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

static int days_in_month(int y, int m) {
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return dm[m - 1];
}

sgxra_err sgxra_time_parse_rfc3339(sgxra_ctx *cx, const char *s, size_t n,
                                   int64_t *out_unix) {
  int y, mo, d, h, mi, se;
  *out_unix = 0;
  /* YYYY-MM-DDTHH:MM:SS is 19 characters; a zone must follow. */
  if (n < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
      s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
      s[16] != ':' || !digits(s + 17, 2, &se))
    goto bad;
  size_t i = 19;
  if (s[i] == '.') {
    i++;
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == start) goto bad;
  }
  if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
    /* UTC */
  } else if (i + 6 == n && s[i] == '+' && !memcmp(s + i + 1, "00:00", 5)) {
    /* +00:00 is UTC too; other offsets are not what collateral uses, and
     * -00:00 means "offset unknown" (RFC 3339 4.3), so it is refused */
  } else {
    goto bad;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
      mi > 59 || se > 60 || (se == 60 && (h != 23 || mi != 59)))
    goto bad; /* a leap second (:60) only ever ends a UTC day */
  *out_unix = sgxra_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
              h * 3600 + mi * 60 + (se == 60 ? 59 : se);
  return SGXRA_OK;
bad:
  return sgxra__fail(cx, SGXRA_E_TIME_FORMAT,
                     "invalid time '%.*s': expected RFC 3339 UTC such as "
                     "2025-07-01T00:00:00Z",
                     (int)(n > 64 ? 64 : n), s);
}

sgxra_err sgxra_time_parse_arg(sgxra_ctx *cx, const char *s,
                               int64_t *out_unix) {
  size_t n = strlen(s);
  size_t i = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  if (n > 0 && i == n && n <= 12) {
    *out_unix = strtoll(s, NULL, 10);
    return SGXRA_OK;
  }
  if (sgxra_time_parse_rfc3339(NULL, s, n, out_unix) == SGXRA_OK)
    return SGXRA_OK;
  return sgxra__fail(cx, SGXRA_E_TIME_FORMAT,
                     "invalid time '%.*s': expected unix seconds (up to 12 "
                     "digits) or RFC 3339 UTC such as 2025-07-01T00:00:00Z",
                     (int)(n > 64 ? 64 : n), s);
}

void sgxra_time_format(int64_t t, char out[SGXRA_TIME_TEXT_SIZE]) {
  /* RFC 3339 has four-digit years: clamp to 0000-01-01 .. 9999-12-31. */
  const int64_t min_t = -62167219200LL, max_t = 253402300799LL;
  if (t < min_t) t = min_t;
  if (t > max_t) t = max_t;
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int64_t secs = t - days * 86400;
  /* inverse of days_from_civil */
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = (int64_t)yoe + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  unsigned yy = (unsigned)((y % 10000 + 10000) % 10000);
  unsigned hh = (unsigned)(secs / 3600) % 24, mm = (unsigned)(secs / 60 % 60),
           ss = (unsigned)(secs % 60);
  char buf[64];
  snprintf(buf, sizeof(buf), "%04u-%02u-%02uT%02u:%02u:%02uZ", yy % 10000u,
           m % 13u, d % 32u, hh, mm, ss);
  memcpy(out, buf, SGXRA_TIME_TEXT_SIZE - 1);
  out[SGXRA_TIME_TEXT_SIZE - 1] = 0;
}
