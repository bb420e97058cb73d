/*
 * sgxra/timeutil.h -- time as Intel's collateral writes it.
 *
 * sgxra never reads the clock inside the library: every check that depends
 * on time takes `now` (unix seconds, UTC) from the caller.
 *
 * Thread-safety: pure functions.
 */
#ifndef SGXRA_TIMEUTIL_H
#define SGXRA_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size of "YYYY-MM-DDTHH:MM:SSZ" with its NUL. */
#define SGXRA_TIME_TEXT_SIZE 21

/* Parse strict RFC 3339 UTC as Intel collateral uses it:
 * "YYYY-MM-DDTHH:MM:SSZ", optionally with fractional seconds
 * ("...:SS.sssZ", ignored) or a "+00:00" suffix ("-00:00", "unknown
 * offset" in RFC 3339, is refused).  Field ranges are checked (month 1..12,
 * day within the month, leap years, hour < 24, ...); a leap second
 * "23:59:60" is accepted and counted as 23:59:59, ":60" elsewhere is not.
 * SGXRA_E_TIME_FORMAT on anything else. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_time_parse_rfc3339(
    sgxra_ctx *cx, const char *s, size_t n, int64_t *out_unix);

/* As above, but also accepts plain unix seconds ("1751328000"): the form
 * the command line's --at takes. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_time_parse_arg(sgxra_ctx *cx,
                                                          const char *s,
                                                          int64_t *out_unix);

/* Format as "YYYY-MM-DDTHH:MM:SSZ"; times outside years 0000..9999 are
 * clamped to the nearest representable one. */
SGXRA_API void sgxra_time_format(int64_t unix_seconds,
                                 char out[SGXRA_TIME_TEXT_SIZE]);

/* Days since 1970-01-01 of a proleptic Gregorian date (no range check). */
SGXRA_API int64_t sgxra_days_from_civil(int64_t y, unsigned m, unsigned d);

#ifdef __cplusplus
}
#endif
#endif
