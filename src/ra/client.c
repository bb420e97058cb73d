/*
 * ra/client.c -- the client's side of the RA protocol: the order of the
 * steps, with the enclave's and the quote's work done by callbacks.  See
 * sgxra/ra.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "ra/internal.h"
#include "sgxra/ra.h"

enum step {
  STEP_NEW = 0,    /* nothing sent */
  STEP_MSG0 = 1,   /* msg0 made */
  STEP_MSG1 = 2,   /* msg1 made: the enclave session is open */
  STEP_MSG3 = 3,   /* msg3 made */
  STEP_DONE = 4,   /* msg4 taken */
  STEP_FAILED = 5, /* an error ended it */
};

struct sgxra_ra_client {
  sgxra_ra_client_ops ops;
  int step;
  int open; /* the enclave session `handle` is open */
  uint32_t handle;
  uint8_t *quote;
  size_t quote_len;
};

static const char *step_name(int s) {
  switch (s) {
  case STEP_NEW:
    return "new";
  case STEP_MSG0:
    return "msg0 sent";
  case STEP_MSG1:
    return "msg1 sent";
  case STEP_MSG3:
    return "msg3 sent";
  case STEP_DONE:
    return "done";
  default:
    return "failed";
  }
}

static void close_enclave(sgxra_ra_client *c) {
  if (c->open && c->ops.close) c->ops.close(c->ops.enclave_user, c->handle);
  c->open = 0;
}

static sgxra_err fail(sgxra_ra_client *c, sgxra_err e) {
  close_enclave(c);
  c->step = STEP_FAILED;
  return e;
}

static sgxra_err order(sgxra_ctx *cx, sgxra_ra_client *c, int want,
                       const char *what) {
  if (c->step == want) return SGXRA_OK;
  return fail(c, sgxra__fail(cx, SGXRA_E_RA_STATE,
                             "RA client: %s out of order (the client is at "
                             "\"%s\")",
                             what, step_name(c->step)));
}

sgxra_err sgxra_ra_client_new(sgxra_ctx *cx, const sgxra_ra_client_ops *ops,
                              sgxra_ra_client **out) {
  if (out) *out = NULL;
  if (!ops || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_client_new: NULL argument");
  if (!ops->msg1 || !ops->msg2 || !ops->msg3 || !ops->msg4 ||
      !ops->qe_targetinfo || !ops->quote)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "RA client: every callback but close must be set");
  sgxra_ra_client *c = calloc(1, sizeof *c);
  if (!c) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "RA client");
  c->ops = *ops;
  *out = c;
  return SGXRA_OK;
}

void sgxra_ra_client_free(sgxra_ra_client *c) {
  if (!c) return;
  close_enclave(c);
  free(c->quote);
  free(c);
}

void sgxra_ra_client_quote(const sgxra_ra_client *c, const uint8_t **out_quote,
                           size_t *out_len) {
  if (out_quote) *out_quote = c ? c->quote : NULL;
  if (out_len) *out_len = c ? c->quote_len : 0;
}

sgxra_err sgxra_ra_client_msg0(sgxra_ctx *cx, sgxra_ra_client *c,
                               uint8_t out[SGXRA_RA_MSG0_SIZE]) {
  if (!c || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_client_msg0: NULL argument");
  sgxra_err e = order(cx, c, STEP_NEW, "msg0");
  if (e != SGXRA_OK) return e;
  sgxra_ra_msg0_encode(out);
  c->step = STEP_MSG0;
  return SGXRA_OK;
}

sgxra_err sgxra_ra_client_msg1(sgxra_ctx *cx, sgxra_ra_client *c,
                               uint8_t out[SGXRA_RA_MSG1_SIZE]) {
  if (!c || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_client_msg1: NULL argument");
  sgxra_err e = order(cx, c, STEP_MSG0, "msg1");
  if (e != SGXRA_OK) return e;
  e = c->ops.msg1(cx, c->ops.enclave_user, &c->handle, out);
  if (e != SGXRA_OK) return fail(c, sgxra__context(cx, e, "enclave msg1"));
  c->open = 1;
  /* What the enclave gave must be a msg1 (a GID of 0). */
  sgxra_ra_msg1 m;
  e = sgxra_ra_msg1_parse(cx, out, SGXRA_RA_MSG1_SIZE, &m);
  if (e != SGXRA_OK)
    return fail(c, sgxra__context(cx, SGXRA_E_RA_ENCLAVE, "enclave msg1"));
  c->step = STEP_MSG1;
  return SGXRA_OK;
}

sgxra_err sgxra_ra_client_msg2(sgxra_ctx *cx, sgxra_ra_client *c,
                               const uint8_t *msg2, size_t n,
                               uint8_t **out_msg3, size_t *out_len) {
  if (out_msg3) *out_msg3 = NULL;
  if (out_len) *out_len = 0;
  if (!c || !out_msg3 || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_client_msg2: NULL argument");
  sgxra_err e = order(cx, c, STEP_MSG1, "msg2");
  if (e != SGXRA_OK) return e;
  sgxra_ra_msg2 m;
  e = sgxra_ra_msg2_parse(cx, msg2, n, &m);
  if (e == SGXRA_OK) e = sgxra__ra_msg2_values(cx, &m);
  if (e != SGXRA_OK) return fail(c, e);

  uint8_t ti[SGXRA_TARGETINFO_SIZE], report[SGXRA_REPORT_SIZE];
  e = c->ops.qe_targetinfo(cx, c->ops.quote_user, ti);
  if (e != SGXRA_OK) return fail(c, sgxra__context(cx, e, "QE target info"));
  e = c->ops.msg2(cx, c->ops.enclave_user, c->handle, ti, msg2, n, report);
  if (e != SGXRA_OK) return fail(c, sgxra__context(cx, e, "enclave msg2"));
  uint8_t *q = NULL;
  size_t qn = 0;
  e = c->ops.quote(cx, c->ops.quote_user, report, m.quote_type, &q, &qn);
  if (e != SGXRA_OK) return fail(c, sgxra__context(cx, e, "quote"));
  if (!q || qn == 0) {
    free(q);
    return fail(c, sgxra__fail(cx, SGXRA_E_RA_ENCLAVE,
                               "the quote callback gave an empty quote"));
  }
  free(c->quote);
  c->quote = q;
  c->quote_len = qn;
  e = c->ops.msg3(cx, c->ops.enclave_user, c->handle, q, qn, out_msg3, out_len);
  if (e != SGXRA_OK) {
    free(*out_msg3);
    *out_msg3 = NULL;
    *out_len = 0;
    return fail(c, sgxra__context(cx, e, "enclave msg3"));
  }
  sgxra_ra_msg3 m3;
  e = sgxra_ra_msg3_parse(cx, *out_msg3, *out_len, &m3);
  if (e != SGXRA_OK) {
    free(*out_msg3);
    *out_msg3 = NULL;
    *out_len = 0;
    return fail(c, sgxra__context(cx, SGXRA_E_RA_ENCLAVE, "enclave msg3"));
  }
  c->step = STEP_MSG3;
  return SGXRA_OK;
}

void sgxra_ra_result_free(sgxra_ra_result *r) {
  if (!r) return;
  if (r->sealed) {
    sgxra_wipe(r->sealed, r->sealed_len);
    free(r->sealed);
  }
  memset(r, 0, sizeof *r);
}

sgxra_err sgxra_ra_client_msg4(sgxra_ctx *cx, sgxra_ra_client *c,
                               const uint8_t *msg4, size_t n,
                               sgxra_ra_result *out) {
  if (out) memset(out, 0, sizeof *out);
  if (!c || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_ra_client_msg4: NULL argument");
  sgxra_err e = order(cx, c, STEP_MSG3, "msg4");
  if (e != SGXRA_OK) return e;
  sgxra_ra_msg4 m;
  e = sgxra_ra_msg4_parse(cx, msg4, n, &m);
  if (e != SGXRA_OK) return fail(c, e);
  int trusted = 0;
  uint8_t *sealed = NULL;
  size_t sealed_len = 0;
  e = c->ops.msg4(cx, c->ops.enclave_user, c->handle, msg4, n, &trusted,
                  &sealed, &sealed_len);
  if (e != SGXRA_OK) {
    if (sealed) {
      sgxra_wipe(sealed, sealed_len);
      free(sealed);
    }
    return fail(c, sgxra__context(cx, e, "enclave msg4"));
  }
  if ((trusted != 0) != (m.trusted != 0)) {
    if (sealed) {
      sgxra_wipe(sealed, sealed_len);
      free(sealed);
    }
    return fail(c, sgxra__fail(cx, SGXRA_E_RA_ENCLAVE,
                               "the enclave read msg4 as %s, its header says "
                               "%s",
                               trusted ? "trusted" : "not trusted",
                               m.trusted ? "trusted" : "not trusted"));
  }
  out->trusted = m.trusted;
  out->reason_count = m.reason_count;
  memcpy(out->reasons, m.reasons, sizeof out->reasons);
  out->sealed = sealed;
  out->sealed_len = sealed ? sealed_len : 0;
  close_enclave(c);
  c->step = STEP_DONE;
  return SGXRA_OK;
}
