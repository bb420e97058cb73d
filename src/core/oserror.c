/* Text of an errno value without strerror(), which may return a buffer
 * shared by all threads (POSIX does not require it to be thread-safe),
 * while sgxra promises reentrant functions.  See core/internal.h.
 *
 * strerror_r comes in two shapes: POSIX/XSI `int strerror_r(int, char *,
 * size_t)` (what glibc gives with _DEFAULT_SOURCE, as this library is
 * built) and GNU `char *strerror_r(int, char *, size_t)` (with _GNU_SOURCE,
 * returning either buf or an immutable static string).  _Generic on the
 * return type takes whichever the C library declared, so the file is right
 * under both. */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

/* XSI: 0 and the text in buf, or an error number (or -1 and errno on old
 * glibc) for an unknown errnum or a short buffer. */
static const char *from_xsi(int r, char *buf) {
  return r == 0 ? buf : NULL;
}

/* GNU: the text, in buf or elsewhere (static and immutable). */
static const char *from_gnu(char *r, char *buf) {
  (void)buf;
  return r;
}

#define SGXRA__STRERROR_TEXT(r, buf)                                           \
  _Generic((r), int : from_xsi, char * : from_gnu)((r), (buf))

const char *sgxra__errno_text(int err, char *buf, size_t n) {
  if (buf == NULL || n == 0) return "";
  buf[0] = '\0';
  const char *t = SGXRA__STRERROR_TEXT(strerror_r(err, buf, n), buf);
  if (t == NULL || t[0] == '\0') {
    snprintf(buf, n, "error %d", err);
    return buf;
  }
  if (t != buf) snprintf(buf, n, "%s", t);
  return buf;
}
