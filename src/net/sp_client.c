/* The client of a service provider's RA protocol over HTTP (see
 * sgxra/sp_client.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/internal.h"
#include "net/dl_curl.h"
#include "sgxra/crypto.h"
#include "sgxra/pccs.h"
#include "sgxra/sp_client.h"

struct sgxra_sp_client {
  CURL *h;
  char url[SGXRA_SP_CLIENT_URL_MAX];  /* ends in '/' */
  char url3[SGXRA_SP_CLIENT_URL_MAX]; /* for msg3; ends in '/' */
  char ca_file[SGXRA_SP_CLIENT_URL_MAX];
  int insecure;
  long connect_ms, total_ms;
};

/* The code named `name`, or SGXRA_OK. */
static sgxra_err err_from_name(const char *name) {
  static const struct {
    const char *name;
    sgxra_err code;
  } codes[] = {
#define SGXRA__ERR_NAME(n, num, text) {"SGXRA_E_" #n, SGXRA_E_##n},
      SGXRA_ERROR_LIST(SGXRA__ERR_NAME)
#undef SGXRA__ERR_NAME
  };
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    if (!strcmp(codes[i].name, name)) return codes[i].code;
  return SGXRA_OK;
}

/* Copy `url` into out[cap] with a trailing '/'. */
static sgxra_err norm_url(sgxra_ctx *cx, const char *what, const char *url,
                          char *out, size_t cap) {
  size_t n = url ? strlen(url) : 0;
  if (n == 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s: empty URL", what);
  if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s '%s': expected http:// or https://", what, url);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
      return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                         "%s '%s': space or non-ASCII character", what, url);
  const char *host = strstr(url, "://") + 3;
  if (*host == 0 || *host == '/')
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s '%s': no host", what,
                       url);
  int w = snprintf(out, cap, "%s%s", url, url[n - 1] == '/' ? "" : "/");
  if (w < 0 || (size_t)w >= cap)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "%s: URL longer than %zu characters", what, cap - 2);
  return SGXRA_OK;
}

sgxra_err sgxra_sp_client_new(sgxra_ctx *cx, const sgxra_sp_client_options *opt,
                              sgxra_sp_client **out) {
  *out = NULL;
  sgxra_err e = sgxra_pccs_global_init(cx);
  if (e) return e;
  sgxra_sp_client *c = calloc(1, sizeof *c);
  if (!c) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  if ((e = norm_url(cx, "SP URL", opt->url, c->url, sizeof c->url)) ||
      (e = norm_url(cx, "msg3 URL", opt->msg3_url ? opt->msg3_url : opt->url,
                    c->url3, sizeof c->url3))) {
    free(c);
    return e;
  }
  if (opt->ca_file) {
    if (strlen(opt->ca_file) >= sizeof c->ca_file) {
      free(c);
      return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                         "CA file path longer than %zu characters",
                         sizeof c->ca_file - 1);
    }
    snprintf(c->ca_file, sizeof c->ca_file, "%s", opt->ca_file);
  }
  c->insecure = opt->insecure;
  c->connect_ms = opt->connect_timeout_ms > 0 ? opt->connect_timeout_ms : 10000;
  c->total_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 60000;
  c->h = curl_easy_init();
  if (!c->h) {
    free(c);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "curl_easy_init failed");
  }
  *out = c;
  return SGXRA_OK;
}

void sgxra_sp_client_free(sgxra_sp_client *c) {
  if (!c) return;
  if (c->h) curl_easy_cleanup(c->h);
  free(c);
}

typedef struct resp {
  uint8_t *body;
  size_t len;
  int too_large;
} resp;

static size_t on_body(char *p, size_t sz, size_t nm, void *arg) {
  resp *r = arg;
  size_t k = sz * nm;
  if (k > SGXRA_SP_CLIENT_BODY_MAX - r->len) {
    r->too_large = 1;
    return 0; /* aborts: CURLE_WRITE_ERROR */
  }
  uint8_t *nb = realloc(r->body, r->len + k + 1);
  if (!nb) return 0;
  r->body = nb;
  memcpy(r->body + r->len, p, k);
  r->len += k;
  r->body[r->len] = 0;
  return k;
}

static void copy_printable(char *dst, size_t cap, const char *s) {
  size_t i = 0;
  for (; s[i] && i + 1 < cap; i++)
    dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
  dst[i] = 0;
}

/* POST body to url; 0 with the status in *status and the body in *r, or a
 * transport error.  `what` names the request in messages. */
static sgxra_err post(sgxra_ctx *cx, sgxra_sp_client *c, const char *what,
                      const char *url, const uint8_t *body, size_t n,
                      long *status, resp *r) {
  CURL *h = c->h;
  char ebuf[CURL_ERROR_SIZE] = {0};
  struct curl_slist *hdrs = NULL;
  hdrs = curl_slist_append(hdrs, "Content-Type: application/octet-stream");
  hdrs = hdrs ? curl_slist_append(hdrs, "Expect:") : NULL;
  if (!hdrs) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  curl_easy_reset(h);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, n ? (const char *)body : "");
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->total_ms);
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                   (curl_off_t)SGXRA_SP_CLIENT_BODY_MAX);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
  if (c->ca_file[0]) curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
  CURLcode rc = curl_easy_perform(h);
  *status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
  curl_slist_free_all(hdrs);
  const char *why = ebuf[0] ? ebuf : curl_easy_strerror(rc);
  switch (rc) {
  case CURLE_OK:
    return SGXRA_OK;
  case CURLE_OPERATION_TIMEDOUT:
    return sgxra__fail(cx, SGXRA_E_NET_TIMEOUT, "%s: POST %s: %s", what, url,
                       why);
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return sgxra__fail(cx, SGXRA_E_NET_CONNECT,
                       "%s: POST %s: %s (is the SP running?)", what, url, why);
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    return sgxra__fail(cx, SGXRA_E_NET_TLS, "%s: POST %s: %s (check --ca-file)",
                       what, url, why);
  case CURLE_GOT_NOTHING:
    return sgxra__fail(cx, SGXRA_E_NET_CLOSED, "%s: POST %s: %s", what, url,
                       why);
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_PARTIAL_FILE:
    return sgxra__fail(cx, *status ? SGXRA_E_NET_TRUNCATED : SGXRA_E_NET_CLOSED,
                       "%s: POST %s: %s", what, url, why);
  case CURLE_FILESIZE_EXCEEDED:
    return sgxra__fail(cx, SGXRA_E_NET_TOO_LARGE,
                       "%s: POST %s: response larger than %u bytes", what, url,
                       SGXRA_SP_CLIENT_BODY_MAX);
  case CURLE_WRITE_ERROR:
    if (r->too_large)
      return sgxra__fail(cx, SGXRA_E_NET_TOO_LARGE,
                         "%s: POST %s: response larger than %u bytes", what,
                         url, SGXRA_SP_CLIENT_BODY_MAX);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s: out of memory", what);
  default:
    return sgxra__fail(cx, SGXRA_E_NET, "%s: POST %s: %s", what, url, why);
  }
}

/* A refusal: read {"code","message"} out of the body into *err and fail
 * with that code (SGXRA_E_NET_HTTP when unknown). */
static sgxra_err refused(sgxra_ctx *cx, const char *what, long status,
                         const resp *r, sgxra_sp_client_error *err) {
  sgxra_sp_client_error tmp;
  if (!err) err = &tmp;
  memset(err, 0, sizeof *err);
  err->http_status = status;
  json_t *o =
      r->body ? json_loadb((const char *)r->body, r->len, 0, NULL) : NULL;
  if (json_is_object(o)) {
    const char *code = json_string_value(json_object_get(o, "code"));
    const char *msg = json_string_value(json_object_get(o, "message"));
    if (code) copy_printable(err->code, sizeof err->code, code);
    if (msg) copy_printable(err->message, sizeof err->message, msg);
  }
  json_decref(o);
  sgxra_err e = err->code[0] ? err_from_name(err->code) : SGXRA_OK;
  if (e == SGXRA_OK) e = SGXRA_E_NET_HTTP;
  return sgxra__fail(cx, e, "SP refused %s: HTTP %ld %s%s%s", what, status,
                     err->code[0] ? err->code : "(no code)",
                     err->message[0] ? ": " : "", err->message);
}

sgxra_err
sgxra_sp_client_open_session(sgxra_ctx *cx, sgxra_sp_client *c,
                             const uint8_t *msg0, size_t n,
                             char id[SGXRA_SP_CLIENT_SESSION_ID_LEN + 1],
                             int64_t *expires, sgxra_sp_client_error *err) {
  id[0] = 0;
  if (expires) *expires = 0;
  if (err) memset(err, 0, sizeof *err);
  char url[SGXRA_SP_CLIENT_URL_MAX + 32];
  snprintf(url, sizeof url, "%sra/v1/sessions", c->url);
  resp r = {0};
  long status = 0;
  sgxra_err e = post(cx, c, "msg0", url, msg0, n, &status, &r);
  if (!e && status != 201 && status != 200)
    e = refused(cx, "msg0", status, &r, err);
  json_t *o = NULL;
  if (!e) {
    o = json_loadb((const char *)r.body, r.len, 0, NULL);
    const char *s = json_string_value(json_object_get(o, "session"));
    json_t *x = json_object_get(o, "expires");
    int okid = s && strlen(s) == SGXRA_SP_CLIENT_SESSION_ID_LEN;
    for (size_t i = 0; okid && i < SGXRA_SP_CLIENT_SESSION_ID_LEN; i++)
      okid = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
    if (!okid || !json_is_integer(x))
      e = sgxra__fail(cx, SGXRA_E_NET_BAD_RESPONSE,
                      "msg0: POST %s: HTTP %ld but no {\"session\": 32 hex "
                      "digits, \"expires\": number} in the body",
                      url, status);
    else {
      memcpy(id, s, SGXRA_SP_CLIENT_SESSION_ID_LEN + 1);
      if (expires) *expires = json_integer_value(x);
    }
  }
  json_decref(o);
  free(r.body);
  return e;
}

sgxra_err sgxra_sp_client_post(sgxra_ctx *cx, sgxra_sp_client *c,
                               const char *id, unsigned msgno,
                               const uint8_t *body, size_t n, uint8_t **out,
                               size_t *out_len, sgxra_sp_client_error *err) {
  *out = NULL;
  *out_len = 0;
  if (err) memset(err, 0, sizeof *err);
  if (msgno != 1 && msgno != 3)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "message number %u: the client posts msg1 or msg3",
                       msgno);
  size_t il = id ? strlen(id) : 0;
  int okid = il == SGXRA_SP_CLIENT_SESSION_ID_LEN;
  for (size_t i = 0; okid && i < il; i++)
    okid = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
  if (!okid)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "session id '%s': expected 32 lowercase hex digits",
                       id ? id : "");
  char url[SGXRA_SP_CLIENT_URL_MAX + 64], what[8];
  snprintf(url, sizeof url, "%sra/v1/sessions/%s/msg%u",
           msgno == 3 ? c->url3 : c->url, id, msgno);
  snprintf(what, sizeof what, "msg%u", msgno);
  resp r = {0};
  long status = 0;
  sgxra_err e = post(cx, c, what, url, body, n, &status, &r);
  if (!e && status != 200) e = refused(cx, what, status, &r, err);
  if (!e && r.len == 0)
    e = sgxra__fail(cx, SGXRA_E_NET_BAD_RESPONSE,
                    "%s: POST %s: HTTP 200 with an empty body (expected msg%u)",
                    what, url, msgno + 1);
  if (e) {
    free(r.body);
    return e;
  }
  *out = r.body;
  *out_len = r.len;
  return SGXRA_OK;
}

/* ---- one attestation --------------------------------------------------- */

const char *sgxra_sp_client_step_name(sgxra_sp_client_step s) {
  switch (s) {
  case SGXRA_SP_CLIENT_STEP_SESSION:
    return "session";
  case SGXRA_SP_CLIENT_STEP_MSG1:
    return "msg1";
  case SGXRA_SP_CLIENT_STEP_MSG2:
    return "msg2";
  case SGXRA_SP_CLIENT_STEP_REPORT:
    return "report";
  case SGXRA_SP_CLIENT_STEP_QUOTE:
    return "quote";
  case SGXRA_SP_CLIENT_STEP_MSG3:
    return "msg3";
  case SGXRA_SP_CLIENT_STEP_MSG4:
    return "msg4";
  case SGXRA_SP_CLIENT_STEP_DONE:
    return "done";
  }
  return "unknown";
}

void sgxra_sp_client_outcome_free(sgxra_sp_client_outcome *o) {
  if (!o) return;
  sgxra_ra_result_free(&o->result);
}

/* The caller's callbacks, wrapped so that the REPORT and the quote are
 * reported as steps as they happen inside sgxra_ra_client_msg2. */
typedef struct wrap {
  const sgxra_ra_client_ops *in;
  const sgxra_sp_client_hooks *hooks;
  sgxra_sp_client_step last; /* the last step reported */
} wrap;

static void report(wrap *w, sgxra_sp_client_step s, const uint8_t *p,
                   size_t n) {
  w->last = s;
  if (w->hooks && w->hooks->step) w->hooks->step(w->hooks->arg, s, p, n);
}

static sgxra_err w_msg1(sgxra_ctx *cx, void *user, uint32_t *h,
                        uint8_t out[SGXRA_RA_MSG1_SIZE]) {
  wrap *w = user;
  return w->in->msg1(cx, w->in->enclave_user, h, out);
}

static sgxra_err w_msg2(sgxra_ctx *cx, void *user, uint32_t h,
                        const uint8_t ti[SGXRA_TARGETINFO_SIZE],
                        const uint8_t *msg2, size_t n,
                        uint8_t out[SGXRA_REPORT_SIZE]) {
  wrap *w = user;
  sgxra_err e = w->in->msg2(cx, w->in->enclave_user, h, ti, msg2, n, out);
  if (!e) report(w, SGXRA_SP_CLIENT_STEP_REPORT, out, SGXRA_REPORT_SIZE);
  return e;
}

static sgxra_err w_msg3(sgxra_ctx *cx, void *user, uint32_t h,
                        const uint8_t *quote, size_t n, uint8_t **out,
                        size_t *out_len) {
  wrap *w = user;
  return w->in->msg3(cx, w->in->enclave_user, h, quote, n, out, out_len);
}

static sgxra_err w_msg4(sgxra_ctx *cx, void *user, uint32_t h,
                        const uint8_t *msg4, size_t n, int *trusted,
                        uint8_t **sealed, size_t *sealed_len) {
  wrap *w = user;
  return w->in->msg4(cx, w->in->enclave_user, h, msg4, n, trusted, sealed,
                     sealed_len);
}

static void w_close(void *user, uint32_t h) {
  wrap *w = user;
  if (w->in->close) w->in->close(w->in->enclave_user, h);
}

static sgxra_err w_ti(sgxra_ctx *cx, void *user,
                      uint8_t out[SGXRA_TARGETINFO_SIZE]) {
  wrap *w = user;
  return w->in->qe_targetinfo(cx, w->in->quote_user, out);
}

static sgxra_err w_quote(sgxra_ctx *cx, void *user,
                         const uint8_t rep[SGXRA_REPORT_SIZE], uint16_t type,
                         uint8_t **out, size_t *out_len) {
  wrap *w = user;
  sgxra_err e = w->in->quote(cx, w->in->quote_user, rep, type, out, out_len);
  if (!e) report(w, SGXRA_SP_CLIENT_STEP_QUOTE, *out, *out_len);
  return e;
}

sgxra_err sgxra_sp_client_attest(sgxra_ctx *cx, sgxra_sp_client *c,
                                 const sgxra_ra_client_ops *ops,
                                 const sgxra_sp_client_hooks *hooks,
                                 sgxra_sp_client_outcome *out) {
  memset(out, 0, sizeof *out);
  if (!c || !ops)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_sp_client_attest: no client or no callbacks");
  if (!ops->msg1 || !ops->msg2 || !ops->msg3 || !ops->msg4 ||
      !ops->qe_targetinfo || !ops->quote)
    return sgxra__fail(
        cx, SGXRA_E_INVALID_ARGUMENT,
        "sgxra_sp_client_attest: an enclave or quote callback is "
        "missing");
  wrap w = {ops, hooks, 0};
  sgxra_ra_client_ops wo = {
      .enclave_user = &w,
      .msg1 = w_msg1,
      .msg2 = w_msg2,
      .msg3 = w_msg3,
      .msg4 = w_msg4,
      .close = w_close,
      .quote_user = &w,
      .qe_targetinfo = w_ti,
      .quote = w_quote,
  };
  sgxra_ra_client *rc = NULL;
  uint8_t msg0[SGXRA_RA_MSG0_SIZE], msg1[SGXRA_RA_MSG1_SIZE];
  uint8_t *msg2 = NULL, *msg3 = NULL, *msg4 = NULL;
  size_t n2 = 0, n3 = 0, n4 = 0;
  sgxra_err e = sgxra_ra_client_new(cx, &wo, &rc);
  if (e) goto done;
  if ((e = sgxra_ra_client_msg0(cx, rc, msg0))) goto done;
  e = sgxra_sp_client_open_session(cx, c, msg0, sizeof msg0, out->session,
                                   &out->expires, &out->sp);
  if (e) goto done;
  report(&w, SGXRA_SP_CLIENT_STEP_SESSION, msg0, sizeof msg0);
  if ((e = sgxra_ra_client_msg1(cx, rc, msg1))) goto done;
  report(&w, SGXRA_SP_CLIENT_STEP_MSG1, msg1, sizeof msg1);
  e = sgxra_sp_client_post(cx, c, out->session, 1, msg1, sizeof msg1, &msg2,
                           &n2, &out->sp);
  if (e) goto done;
  report(&w, SGXRA_SP_CLIENT_STEP_MSG2, msg2, n2);
  if (hooks && hooks->tamper)
    hooks->tamper(hooks->arg, SGXRA_SP_CLIENT_STEP_MSG2, msg2, n2);
  /* the enclave checks msg2 and makes its REPORT, the QE quotes it, the
   * enclave makes msg3 (steps report and quote come from the wrappers) */
  if ((e = sgxra_ra_client_msg2(cx, rc, msg2, n2, &msg3, &n3))) goto done;
  report(&w, SGXRA_SP_CLIENT_STEP_MSG3, msg3, n3);
  if (hooks && hooks->tamper)
    hooks->tamper(hooks->arg, SGXRA_SP_CLIENT_STEP_MSG3, msg3, n3);
  e = sgxra_sp_client_post(cx, c, out->session, 3, msg3, n3, &msg4, &n4,
                           &out->sp);
  if (e) goto done;
  report(&w, SGXRA_SP_CLIENT_STEP_MSG4, msg4, n4);
  if ((e = sgxra_ra_client_msg4(cx, rc, msg4, n4, &out->result))) goto done;
  out->completed = 1;
  report(&w, SGXRA_SP_CLIENT_STEP_DONE, NULL, 0);
done:
  if (e) {
    out->failed_step = w.last ? (sgxra_sp_client_step)(w.last + 1)
                              : SGXRA_SP_CLIENT_STEP_SESSION;
    sgxra_ra_result_free(&out->result);
  }
  sgxra_ra_client_free(rc);
  free(msg2);
  free(msg3);
  free(msg4);
  return e;
}
