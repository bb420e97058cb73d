/* Unit tests of the RA client's HTTP transport (sgxra/sp_client.h) against
 * a small libmicrohttpd server in this process on 127.0.0.1:0 that answers
 * what each test tells it: the routes and bodies it is sent, a session's
 * JSON, the SP's refusals ({"code","message"} with their statuses) mapped
 * back to sgxra codes, bad answers, a body above the cap, a timeout, a
 * refused connection, msg3 to another replica, and argument checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <microhttpd.h>

#include "sgxra/ctx.h"
#include "sgxra/sp_client.h"

#define SID "0123456789abcdef0123456789abcdef"

/* What the server answers next, and what it saw. */
typedef struct canned {
  unsigned status;
  const char *ctype;
  const uint8_t *body;
  size_t len;
  unsigned delay_ms;
  char seen_method[16];
  char seen_url[256];
  char seen_ctype[64];
  uint8_t seen_body[256];
  size_t seen_len;
  int hits;
} canned;

typedef struct req {
  uint8_t buf[256];
  size_t len;
} req;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls) {
  (void)version;
  canned *k = cls;
  req *r = *con_cls;
  if (!r) {
    r = calloc(1, sizeof *r);
    *con_cls = r;
    return MHD_YES;
  }
  if (*upload_size) {
    size_t n = *upload_size;
    if (n > sizeof r->buf - r->len) n = sizeof r->buf - r->len;
    memcpy(r->buf + r->len, upload, n);
    r->len += n;
    *upload_size = 0;
    return MHD_YES;
  }
  snprintf(k->seen_method, sizeof k->seen_method, "%s", method);
  snprintf(k->seen_url, sizeof k->seen_url, "%s", url);
  const char *ct =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  snprintf(k->seen_ctype, sizeof k->seen_ctype, "%s", ct ? ct : "");
  memcpy(k->seen_body, r->buf, r->len);
  k->seen_len = r->len;
  k->hits++;
  if (k->delay_ms) usleep(k->delay_ms * 1000);
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      k->len, (void *)k->body, MHD_RESPMEM_MUST_COPY);
  if (k->ctype) MHD_add_response_header(resp, "Content-Type", k->ctype);
  enum MHD_Result ret = MHD_queue_response(c, k->status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode t) {
  (void)cls;
  (void)c;
  (void)t;
  free(*con_cls);
  *con_cls = NULL;
}

typedef struct fixture {
  struct MHD_Daemon *d;
  canned k;
  char url[64];
  sgxra_ctx *cx;
} fixture;

static struct MHD_Daemon *start(canned *k, char *url, size_t cap) {
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
      NULL, handler, k, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
      MHD_OPTION_END);
  assert_non_null(d);
  const union MHD_DaemonInfo *i =
      MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  assert_non_null(i);
  snprintf(url, cap, "http://127.0.0.1:%u", (unsigned)i->port);
  return d;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->d = start(&f->k, f->url, sizeof f->url);
  f->cx = sgxra_ctx_new();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  MHD_stop_daemon(f->d);
  sgxra_ctx_free(f->cx);
  free(f);
  return 0;
}

static void answer(fixture *f, unsigned status, const char *ctype,
                   const char *body) {
  f->k.status = status;
  f->k.ctype = ctype;
  f->k.body = (const uint8_t *)body;
  f->k.len = strlen(body);
}

static sgxra_sp_client *client(fixture *f, const char *msg3_url,
                               long timeout_ms) {
  sgxra_sp_client_options o;
  memset(&o, 0, sizeof o);
  o.url = f->url;
  o.msg3_url = msg3_url;
  o.timeout_ms = timeout_ms;
  sgxra_sp_client *c = NULL;
  assert_int_equal(sgxra_sp_client_new(f->cx, &o, &c), SGXRA_OK);
  return c;
}

static void test_session_open(void **state) {
  fixture *f = *state;
  answer(f, 201, "application/json",
         "{\"session\": \"" SID "\", \"expires\": 1767225600}");
  sgxra_sp_client *c = client(f, NULL, 0);
  const uint8_t msg0[4] = {0, 0, 0, 0};
  char id[SGXRA_SP_CLIENT_SESSION_ID_LEN + 1];
  int64_t exp = 0;
  sgxra_sp_client_error se;
  assert_int_equal(
      sgxra_sp_client_open_session(f->cx, c, msg0, 4, id, &exp, &se), SGXRA_OK);
  assert_string_equal(id, SID);
  assert_int_equal(exp, 1767225600);
  assert_int_equal(se.http_status, 0);
  assert_string_equal(f->k.seen_method, "POST");
  assert_string_equal(f->k.seen_url, "/ra/v1/sessions");
  assert_string_equal(f->k.seen_ctype, "application/octet-stream");
  assert_int_equal(f->k.seen_len, 4);
  sgxra_sp_client_free(c);
}

static void test_session_bad_json(void **state) {
  fixture *f = *state;
  const char *bad[] = {
      "not json",
      "{\"session\": \"0123\", \"expires\": 1}",
      "{\"session\": \"" SID "\"}",
      "{\"session\": \"0123456789ABCDEF0123456789ABCDEF\", \"expires\": 1}",
      "{\"session\": 5, \"expires\": 1}",
  };
  sgxra_sp_client *c = client(f, NULL, 0);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    answer(f, 201, "application/json", bad[i]);
    char id[SGXRA_SP_CLIENT_SESSION_ID_LEN + 1] = "x";
    assert_int_equal(sgxra_sp_client_open_session(f->cx, c,
                                                  (const uint8_t *)"\0\0\0\0",
                                                  4, id, NULL, NULL),
                     SGXRA_E_NET_BAD_RESPONSE);
    assert_string_equal(id, "");
  }
  sgxra_sp_client_free(c);
}

static void test_post_routes(void **state) {
  fixture *f = *state;
  answer(f, 200, "application/octet-stream", "MSG2BYTES");
  sgxra_sp_client *c = client(f, NULL, 0);
  uint8_t msg1[68];
  memset(msg1, 0xa5, sizeof msg1);
  uint8_t *out = NULL;
  size_t n = 0;
  assert_int_equal(
      sgxra_sp_client_post(f->cx, c, SID, 1, msg1, sizeof msg1, &out, &n, NULL),
      SGXRA_OK);
  assert_int_equal(n, 9);
  assert_memory_equal(out, "MSG2BYTES", 9);
  assert_string_equal(f->k.seen_url, "/ra/v1/sessions/" SID "/msg1");
  assert_int_equal(f->k.seen_len, 68);
  assert_memory_equal(f->k.seen_body, msg1, 68);
  free(out);
  assert_int_equal(
      sgxra_sp_client_post(f->cx, c, SID, 3, msg1, 10, &out, &n, NULL),
      SGXRA_OK);
  assert_string_equal(f->k.seen_url, "/ra/v1/sessions/" SID "/msg3");
  free(out);
  /* an empty 200 is not a message */
  answer(f, 200, "application/octet-stream", "");
  assert_int_equal(
      sgxra_sp_client_post(f->cx, c, SID, 3, msg1, 10, &out, &n, NULL),
      SGXRA_E_NET_BAD_RESPONSE);
  assert_null(out);
  assert_int_equal(n, 0);
  sgxra_sp_client_free(c);
}

static void test_refusals(void **state) {
  fixture *f = *state;
  static const struct {
    unsigned status;
    const char *body;
    sgxra_err want;
    const char *code;
  } cases[] = {
      {409,
       "{\"code\": \"SGXRA_E_RA_REPLAY\", \"message\": \"msg3 taken "
       "already\"}",
       SGXRA_E_RA_REPLAY, "SGXRA_E_RA_REPLAY"},
      {403, "{\"code\": \"SGXRA_E_RA_MAC\", \"message\": \"bad MAC\"}",
       SGXRA_E_RA_MAC, "SGXRA_E_RA_MAC"},
      {410, "{\"code\": \"SGXRA_E_RA_EXPIRED\", \"message\": \"late\"}",
       SGXRA_E_RA_EXPIRED, "SGXRA_E_RA_EXPIRED"},
      {404, "{\"code\": \"NotFound\", \"message\": \"no such path\"}",
       SGXRA_E_NET_HTTP, "NotFound"},
      {500, "<html>oops</html>", SGXRA_E_NET_HTTP, ""},
      {503, "", SGXRA_E_NET_HTTP, ""},
  };
  sgxra_sp_client *c = client(f, NULL, 0);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    answer(f, cases[i].status, "application/json", cases[i].body);
    uint8_t *out = NULL;
    size_t n = 0;
    sgxra_sp_client_error se;
    sgxra_err e = sgxra_sp_client_post(f->cx, c, SID, 3, (const uint8_t *)"x",
                                       1, &out, &n, &se);
    assert_int_equal(e, cases[i].want);
    assert_int_equal(sgxra_ctx_error(f->cx), cases[i].want);
    assert_null(out);
    assert_int_equal(se.http_status, (long)cases[i].status);
    assert_string_equal(se.code, cases[i].code);
    assert_non_null(strstr(sgxra_ctx_message(f->cx), "SP refused msg3"));
  }
  /* the SP's message reaches the caller */
  answer(f, 409, "application/json",
         "{\"code\": \"SGXRA_E_RA_REPLAY\", \"message\": "
         "\"msg3 taken \\u0001already\"}");
  sgxra_sp_client_error se;
  uint8_t *out = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_sp_client_post(f->cx, c, SID, 3, (const uint8_t *)"x",
                                        1, &out, &n, &se),
                   SGXRA_E_RA_REPLAY);
  assert_string_equal(se.message, "msg3 taken ?already"); /* made printable */
  /* and a refused msg0 too */
  char id[SGXRA_SP_CLIENT_SESSION_ID_LEN + 1];
  answer(f, 400, "application/json",
         "{\"code\": \"SGXRA_E_RA_GROUP\", \"message\": \"gid\"}");
  assert_int_equal(sgxra_sp_client_open_session(
                       f->cx, c, (const uint8_t *)"\1\0\0\0", 4, id, NULL, &se),
                   SGXRA_E_RA_GROUP);
  assert_int_equal(se.http_status, 400);
  sgxra_sp_client_free(c);
}

static void test_too_large(void **state) {
  fixture *f = *state;
  size_t big = (size_t)SGXRA_SP_CLIENT_BODY_MAX + 1;
  uint8_t *body = calloc(1, big);
  f->k.status = 200;
  f->k.ctype = "application/octet-stream";
  f->k.body = body;
  f->k.len = big;
  sgxra_sp_client *c = client(f, NULL, 0);
  uint8_t *out = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_sp_client_post(f->cx, c, SID, 1, (const uint8_t *)"x",
                                        1, &out, &n, NULL),
                   SGXRA_E_NET_TOO_LARGE);
  assert_null(out);
  sgxra_sp_client_free(c);
  free(body);
}

static void test_timeout(void **state) {
  fixture *f = *state;
  answer(f, 200, "application/octet-stream", "late");
  f->k.delay_ms = 1500;
  sgxra_sp_client *c = client(f, NULL, 300);
  uint8_t *out = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_sp_client_post(f->cx, c, SID, 1, (const uint8_t *)"x",
                                        1, &out, &n, NULL),
                   SGXRA_E_NET_TIMEOUT);
  sgxra_sp_client_free(c);
  f->k.delay_ms = 0;
}

static void test_connect_refused(void **state) {
  fixture *f = *state;
  /* a port nobody listens on: this server's, stopped */
  canned k2;
  memset(&k2, 0, sizeof k2);
  char url[64];
  struct MHD_Daemon *d = start(&k2, url, sizeof url);
  MHD_stop_daemon(d);
  sgxra_sp_client_options o;
  memset(&o, 0, sizeof o);
  o.url = url;
  sgxra_sp_client *c = NULL;
  assert_int_equal(sgxra_sp_client_new(f->cx, &o, &c), SGXRA_OK);
  char id[SGXRA_SP_CLIENT_SESSION_ID_LEN + 1];
  assert_int_equal(sgxra_sp_client_open_session(f->cx, c,
                                                (const uint8_t *)"\0\0\0\0", 4,
                                                id, NULL, NULL),
                   SGXRA_E_NET_CONNECT);
  sgxra_sp_client_free(c);
}

static void test_msg3_replica(void **state) {
  fixture *f = *state;
  canned k2;
  memset(&k2, 0, sizeof k2);
  char url2[64];
  struct MHD_Daemon *d2 = start(&k2, url2, sizeof url2);
  k2.status = 200;
  k2.body = (const uint8_t *)"MSG4";
  k2.len = 4;
  answer(f, 200, "application/octet-stream", "MSG2");
  strcat(url2, "/"); /* with or without the trailing slash */
  sgxra_sp_client *c = client(f, url2, 0);
  uint8_t *out = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_sp_client_post(f->cx, c, SID, 1, (const uint8_t *)"1",
                                        1, &out, &n, NULL),
                   SGXRA_OK);
  free(out);
  assert_int_equal(sgxra_sp_client_post(f->cx, c, SID, 3, (const uint8_t *)"3",
                                        1, &out, &n, NULL),
                   SGXRA_OK);
  assert_memory_equal(out, "MSG4", 4);
  free(out);
  assert_int_equal(f->k.hits, 1); /* msg1 only */
  assert_int_equal(k2.hits, 1);   /* msg3 only */
  assert_string_equal(k2.seen_url, "/ra/v1/sessions/" SID "/msg3");
  sgxra_sp_client_free(c);
  MHD_stop_daemon(d2);
}

static void test_arguments(void **state) {
  fixture *f = *state;
  const char *urls[] = {"",          "ftp://x/",    "http://",
                        "http:///x", "http://a b/", "http://\xc3\xa9/"};
  for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
    sgxra_sp_client_options o;
    memset(&o, 0, sizeof o);
    o.url = urls[i];
    sgxra_sp_client *c = (sgxra_sp_client *)1;
    assert_int_equal(sgxra_sp_client_new(f->cx, &o, &c),
                     SGXRA_E_INVALID_ARGUMENT);
    assert_null(c);
  }
  sgxra_sp_client *c = client(f, NULL, 0);
  uint8_t *out = (uint8_t *)1;
  size_t n = 7;
  const char *ids[] = {"", "0123", SID "0", "0123456789ABCDEF0123456789ABCDEF",
                       "0123456789abcdef0123456789abcde/"};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    assert_int_equal(sgxra_sp_client_post(f->cx, c, ids[i], 1,
                                          (const uint8_t *)"x", 1, &out, &n,
                                          NULL),
                     SGXRA_E_INVALID_ARGUMENT);
    assert_null(out);
    assert_int_equal(n, 0);
  }
  assert_int_equal(sgxra_sp_client_post(f->cx, c, SID, 2, (const uint8_t *)"x",
                                        1, &out, &n, NULL),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(f->k.hits, 0); /* nothing was sent */
  /* attest without callbacks */
  sgxra_ra_client_ops ops;
  memset(&ops, 0, sizeof ops);
  sgxra_sp_client_outcome oc;
  assert_int_equal(sgxra_sp_client_attest(f->cx, c, &ops, NULL, &oc),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(oc.completed, 0);
  sgxra_sp_client_outcome_free(&oc);
  sgxra_sp_client_free(c);
  assert_string_equal(sgxra_sp_client_step_name(SGXRA_SP_CLIENT_STEP_MSG3),
                      "msg3");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_session_open, setup, teardown),
      cmocka_unit_test_setup_teardown(test_session_bad_json, setup, teardown),
      cmocka_unit_test_setup_teardown(test_post_routes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_msg3_replica, setup, teardown),
      cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
