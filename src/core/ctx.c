/* The library context: see sgxra/ctx.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>

#include "core/internal.h"

struct sgxra_ctx {
  OSSL_LIB_CTX *libctx; /* NULL: OpenSSL's default context */
  sgxra_err err;
  char msg[SGXRA_CTX_MSG_SIZE];
};

sgxra_ctx *sgxra_ctx_new(void) {
  return sgxra_ctx_new_ex(NULL);
}

sgxra_ctx *sgxra_ctx_new_ex(OSSL_LIB_CTX *libctx) {
  sgxra_ctx *cx = calloc(1, sizeof(*cx));
  if (cx) cx->libctx = libctx;
  return cx;
}

void sgxra_ctx_free(sgxra_ctx *cx) {
  free(cx);
}

sgxra_err sgxra_ctx_error(const sgxra_ctx *cx) {
  return cx ? cx->err : SGXRA_OK;
}

const char *sgxra_ctx_message(const sgxra_ctx *cx) {
  if (!cx) return "no context";
  if (cx->msg[0]) return cx->msg;
  return sgxra_strerror(cx->err);
}

void sgxra_ctx_clear(sgxra_ctx *cx) {
  if (!cx) return;
  cx->err = SGXRA_OK;
  cx->msg[0] = 0;
}

OSSL_LIB_CTX *sgxra__libctx(const sgxra_ctx *cx) {
  return cx ? cx->libctx : NULL;
}

sgxra_err sgxra__fail(sgxra_ctx *cx, sgxra_err code, const char *fmt, ...) {
  if (!cx) return code;
  /* Format into a temporary first: an argument may be the context's own
   * current message (sgxra_ctx_message(cx)). */
  char buf[SGXRA_CTX_MSG_SIZE];
  buf[0] = 0;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
  }
  cx->err = code;
  memcpy(cx->msg, buf, sizeof(buf));
  return code;
}

sgxra_err sgxra__context(sgxra_ctx *cx, sgxra_err code, const char *fmt, ...) {
  if (!cx) return code;
  char prefix[SGXRA_CTX_MSG_SIZE];
  char old[SGXRA_CTX_MSG_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof(prefix), fmt, ap);
  va_end(ap);
  snprintf(old, sizeof(old), "%s", sgxra_ctx_message(cx));
  /* Truncation of an over-long chain is acceptable: keep what fits. */
  size_t pl = strnlen(prefix, sizeof(cx->msg) - 3);
  memcpy(cx->msg, prefix, pl);
  memcpy(cx->msg + pl, ": ", 2);
  size_t room = sizeof(cx->msg) - pl - 3;
  size_t ol = strnlen(old, room);
  memcpy(cx->msg + pl + 2, old, ol);
  cx->msg[pl + 2 + ol] = 0;
  cx->err = code;
  return code;
}

sgxra_err sgxra__fail_ossl(sgxra_ctx *cx, sgxra_err code, const char *what) {
  unsigned long e = ERR_peek_last_error();
  char buf[256];
  if (e) {
    ERR_error_string_n(e, buf, sizeof(buf));
  } else {
    snprintf(buf, sizeof(buf), "no OpenSSL error recorded");
  }
  ERR_clear_error();
  return sgxra__fail(cx, code, "%s (OpenSSL: %s)", what, buf);
}
