/* Tests of the service provider (sgxra/sp_server.h) over real HTTP on
 * 127.0.0.1:0, with a SQLite store in a temporary folder, a simulated
 * Intel CA and its PCS, an emulated platform whose QE makes the quotes,
 * and the client driven by sgxra/ra.h's client state machine over its
 * software enclave (whose REPORTs are re-made by an emulated enclave with
 * the same identity, so the QE quotes them):
 *   - the good path: registration by SIGSTRUCT upload, a secret, msg0..msg4,
 *     the secret received, the decision in the audit log;
 *   - an enclave not registered: msg4 says refused with its reason;
 *   - every protocol refusal with its status and code;
 *   - the admin API's authentication;
 *   - two servers on one store: msg1 on one, msg3 on the other; a replayed
 *     msg3 on either is refused;
 *   - verification through `serve verifier`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sys/stat.h>

#include "common/testdb.h"
#include "common/testutil.h"
#include "sgxra/base64.h"
#include "sgxra/emu.h"
#include "sgxra/hex.h"
#include "sgxra/intelca.h"
#include "sgxra/pccs.h"
#include "sgxra/pcs.h"
#include "sgxra/qe.h"
#include "sgxra/ra.h"
#include "sgxra/sdkenclave.h"
#include "sgxra/sigstruct.h"
#include "sgxra/sp_server.h"
#include "sgxra/verifier.h"
#include "sgxra/verifier_server.h"
#include "sgxra/x509.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */
#define TTL 60
#define SECRET "the provisioned secret: 42"
#define ENCLAVE "sp test enclave"
#define OTHER "an enclave nobody registered"

#define OK(cx, call)                                                           \
  do {                                                                         \
    sgxra_err e_ = (call);                                                     \
    if (e_ != SGXRA_OK)                                                        \
      fail_msg("%s: %s [%s]", #call, sgxra_ctx_message(cx),                    \
               sgxra_err_name(e_));                                            \
  } while (0)

static int64_t g_now = NOW;
static int64_t test_clock(void *arg) {
  (void)arg;
  return __atomic_load_n(&g_now, __ATOMIC_SEQ_CST);
}

/* ---- HTTP
 * --------------------------------------------------------------------- */

typedef struct resp {
  long status;
  uint8_t *body;
  size_t len;
} resp;

static size_t on_body(char *d, size_t s, size_t n, void *arg) {
  resp *r = arg;
  size_t k = s * n;
  r->body = realloc(r->body, r->len + k + 1);
  memcpy(r->body + r->len, d, k);
  r->len += k;
  r->body[r->len] = 0;
  return k;
}

static void resp_free(resp *r) {
  free(r->body);
  memset(r, 0, sizeof *r);
}

static resp http_ct(const char *method, const char *url, const void *body,
                    size_t n, const char *auth, const char *ctype) {
  resp r = {0};
  CURL *h = curl_easy_init();
  assert_non_null(h);
  struct curl_slist *hd = NULL;
  char ab[512];
  char cb[128];
  snprintf(cb, sizeof cb, "Content-Type: %s", ctype);
  hd = curl_slist_append(hd, cb);
  if (auth) {
    snprintf(ab, sizeof ab, "Authorization: %s", auth);
    hd = curl_slist_append(hd, ab);
  }
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  if (strcmp(method, "GET")) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
  }
  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK)
    fail_msg("%s %s: %s", method, url, curl_easy_strerror(rc));
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_cleanup(h);
  curl_slist_free_all(hd);
  return r;
}

static resp http(const char *method, const char *url, const void *body,
                 size_t n, const char *auth) {
  return http_ct(method, url, body, n, auth, "application/octet-stream");
}

/* An error answer: the status and the JSON code. */
static void expect_error(resp *r, long status, const char *code) {
  if (r->status != status)
    fail_msg("status %ld, expected %ld: %s", r->status, status,
             r->body ? (char *)r->body : "");
  json_t *o = json_loadb((char *)r->body, r->len, 0, NULL);
  if (!o) fail_msg("not JSON: %s", r->body ? (char *)r->body : "");
  const char *c = json_string_value(json_object_get(o, "code"));
  const char *m = json_string_value(json_object_get(o, "message"));
  assert_non_null(m);
  if (!c || strcmp(c, code))
    fail_msg("code %s, expected %s (%s)", c ? c : "none", code, m);
  json_decref(o);
  resp_free(r);
}

/* ---- the fixture
 * ---------------------------------------------------------------- */

typedef struct fix {
  char *dir;
  char db[4200];
  sgxra_ctx *cx;
  sgxra_intelca *ca;
  sgxra_emu_platform *plat;
  sgxra_qe *qe;
  sgxra_pcs_server *pcs;
  sgxra_x509_chain *root;
  sgxra_pccs_client *pccs;
  sgxra_p256_key *sp_key;
  sgxra_p256_key *sp_pub;
  sgxra_sp *sp[2];
  sgxra_sp_server *srv[2];
  char url[2][64];
  uint8_t sig[SGXRA_SIGSTRUCT_SIZE];       /* the registered enclave */
  uint8_t sig_other[SGXRA_SIGSTRUCT_SIZE]; /* never registered */
  sgxra_emu_enclave *en, *en_other;
  char token[128];
  char revoked[128];
  /* verification through serve verifier */
  char *vdir;
  sgxra_verifier_service *vs;
  sgxra_verifier_server *vsrv;
  sgxra_sp *rsp;
  sgxra_sp_server *rsrv;
  char rurl[64];
} fix;

static void start_sp_on(fix *f, const char *db, const char *verifier_url,
                        sgxra_sp **sp, sgxra_sp_server **srv, char url[64]) {
  sgxra_sp_options o = {
      .db_url = db,
      .key = f->sp_key,
      .pccs = verifier_url ? NULL : f->pccs,
      .verifier_url = verifier_url,
      .trust_root = verifier_url ? NULL : sgxra_x509_chain_get(f->root, 0),
      .session_ttl = TTL,
      .now = NOW,
      .actor = "sp-test"};
  OK(f->cx, sgxra_sp_open(f->cx, &o, sp));
  sgxra_sp_server_options so = {
      .listen = "127.0.0.1:0", .clock = test_clock, .threads = 2};
  OK(f->cx, sgxra_sp_server_start(f->cx, *sp, &so, srv));
  snprintf(url, 64, "http://127.0.0.1:%u", sgxra_sp_server_port(*srv));
}

static void start_sp(fix *f, const char *verifier_url, sgxra_sp **sp,
                     sgxra_sp_server **srv, char url[64]) {
  start_sp_on(f, f->db, verifier_url, sp, srv, url);
}

static void add_token_on(fix *f, const char *db, const char *name,
                         char out[128]) {
  sgxra_store *st = NULL;
  OK(f->cx, sgxra_store_open(f->cx, db, NOW, &st));
  uint8_t raw[32], h[32];
  OK(f->cx, sgxra_random(f->cx, raw, sizeof raw));
  snprintf(out, 128, "sgxra_");
  OK(f->cx, sgxra_base64_encode_text(f->cx, raw, sizeof raw,
                                     SGXRA_BASE64_URL | SGXRA_BASE64_NO_PAD,
                                     out + 6, 120));
  OK(f->cx, sgxra_sha256(f->cx, out, strlen(out), h));
  OK(f->cx, sgxra_store_token_add(f->cx, st, name, h, "test", NOW, NULL));
  sgxra_store_close(st);
}

static void add_token(fix *f, const char *name, char out[128]) {
  add_token_on(f, f->db, name, out);
}

static int setup(void **state) {
  fix *f = calloc(1, sizeof *f);
  *state = f; /* teardown frees what setup made, even after a failure */
  curl_global_init(CURL_GLOBAL_DEFAULT);
  f->dir = tu_tmpdir();
  f->cx = sgxra_ctx_new();
  snprintf(f->db, sizeof f->db, "sqlite:%s/sp.db", f->dir);
  char cadir[4200];
  snprintf(cadir, sizeof cadir, "%s/ca", f->dir);
  OK(f->cx, sgxra_intelca_create(f->cx, cadir, NOW, &f->ca));
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  uint16_t pcesvn;
  sgxra_intelca_tcb_current(f->ca, cfg.tcb_svns, &pcesvn);
  cfg.pcesvn = pcesvn;
  char serial[41];
  OK(f->cx, sgxra_emu_platform_new(f->cx, &cfg, &f->plat));
  OK(f->cx, sgxra_qe_provision(f->cx, f->plat, f->ca, f->dir, NOW, serial));
  OK(f->cx, sgxra_qe_open(f->cx, f->plat, f->dir, &f->qe));
  /* two enclaves signed by a fresh (not well-known) key */
  sgxra_rsa_key *k = NULL;
  OK(f->cx, sgxra_rsa_generate(f->cx, &k));
  OK(f->cx, sgxra_qe_sign_image(f->cx, k, ENCLAVE, 7, 2, f->sig));
  OK(f->cx, sgxra_qe_sign_image(f->cx, k, OTHER, 8, 1, f->sig_other));
  sgxra_rsa_free(k);
  OK(f->cx, sgxra_qe_start_image(f->cx, f->plat, ENCLAVE, f->sig, sizeof f->sig,
                                 &f->en));
  OK(f->cx, sgxra_qe_start_image(f->cx, f->plat, OTHER, f->sig_other,
                                 sizeof f->sig_other, &f->en_other));
  const char *rp = sgxra_intelca_root_pem(f->ca);
  OK(f->cx, sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)rp, strlen(rp),
                                       &f->root));
  sgxra_pcs_options po = {.listen = "127.0.0.1:0", .now = NOW};
  OK(f->cx, sgxra_pcs_start(f->cx, cadir, &po, &f->pcs));
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", sgxra_pcs_port(f->pcs));
  sgxra_pccs_config c;
  sgxra_pccs_config_init(&c);
  OK(f->cx, sgxra_pccs_config_set_url(f->cx, &c, url));
  c.retry_times = 0;
  c.connect_timeout_ms = 2000;
  c.total_timeout_ms = 5000;
  OK(f->cx, sgxra_pccs_client_new(f->cx, &c, NULL, NULL, &f->pccs));
  OK(f->cx, sgxra_p256_generate(f->cx, &f->sp_key));
  uint8_t xy[64];
  sgxra_p256_public_raw(f->sp_key, xy);
  OK(f->cx, sgxra_p256_from_public(f->cx, xy, &f->sp_pub));
  for (int i = 0; i < 2; i++)
    start_sp(f, NULL, &f->sp[i], &f->srv[i], f->url[i]);
  add_token(f, "admin", f->token);
  add_token(f, "old", f->revoked);
  sgxra_store *st = NULL;
  OK(f->cx, sgxra_store_open(f->cx, f->db, NOW, &st));
  OK(f->cx, sgxra_store_token_revoke(f->cx, st, "old", "test", NOW));
  sgxra_store_close(st);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fix *f = *state;
  sgxra_sp_server_stop(f->rsrv);
  sgxra_sp_close(f->rsp);
  sgxra_verifier_server_stop(f->vsrv);
  sgxra_verifier_close(f->vs);
  if (f->vdir) tu_rmtree(f->vdir);
  free(f->vdir);
  for (int i = 0; i < 2; i++) {
    sgxra_sp_server_stop(f->srv[i]);
    sgxra_sp_close(f->sp[i]);
  }
  sgxra_p256_free(f->sp_key);
  sgxra_p256_free(f->sp_pub);
  sgxra_pccs_client_free(f->pccs);
  sgxra_pcs_stop(f->pcs);
  sgxra_x509_chain_free(f->root);
  sgxra_emu_enclave_free(f->en);
  sgxra_emu_enclave_free(f->en_other);
  sgxra_qe_free(f->qe);
  sgxra_emu_platform_free(f->plat);
  sgxra_intelca_free(f->ca);
  sgxra_ctx_free(f->cx);
  tu_rmtree(f->dir);
  free(f->dir);
  free(f);
  curl_global_cleanup();
  return 0;
}

/* ---- the client: ra.h's state machine over its software enclave -----------
 */

typedef struct client {
  fix *f;
  sgxra_emu_enclave *en; /* makes the real REPORT the QE quotes */
  sgxra_ra_soft_enclave *se;
  sgxra_ra_client *c;
} client;

static sgxra_err cb_targetinfo(sgxra_ctx *cx, void *user,
                               uint8_t out[SGXRA_TARGETINFO_SIZE]) {
  (void)cx;
  client *cl = user;
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(cl->f->qe, &ti);
  sgxra_targetinfo_encode(&ti, out);
  return SGXRA_OK;
}

/* The software enclave's REPORT carries the binding; the emulated enclave
 * of the same identity makes the hardware REPORT with it. */
static pthread_mutex_t quote_lock = PTHREAD_MUTEX_INITIALIZER;

static sgxra_err cb_quote_locked(sgxra_ctx *cx, void *user,
                                 const uint8_t report[SGXRA_REPORT_SIZE],
                                 uint16_t quote_type, uint8_t **out,
                                 size_t *out_len) {
  client *cl = user;
  sgxra_report soft, hw;
  sgxra_err e = sgxra_report_decode(cx, report, SGXRA_REPORT_SIZE, &soft);
  if (e) return e;
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(cl->f->qe, &ti);
  if ((e = sgxra_emu_ereport(cx, cl->en, &ti, soft.body.reportdata, &hw)))
    return e;
  return sgxra_qe_quote(cx, cl->f->qe, &hw, quote_type, out, out_len);
}

/* The emulated enclave and QE are shared by the test's threads. */
static sgxra_err cb_quote(sgxra_ctx *cx, void *user,
                          const uint8_t report[SGXRA_REPORT_SIZE],
                          uint16_t quote_type, uint8_t **out, size_t *out_len) {
  pthread_mutex_lock(&quote_lock);
  sgxra_err e = cb_quote_locked(cx, user, report, quote_type, out, out_len);
  pthread_mutex_unlock(&quote_lock);
  return e;
}

static void client_new(fix *f, sgxra_emu_enclave *en, client *cl) {
  memset(cl, 0, sizeof *cl);
  cl->f = f;
  cl->en = en;
  /* the identity of the emulated enclave for the software one */
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  sgxra_report r;
  uint8_t rd[64] = {0};
  OK(f->cx, sgxra_emu_ereport(f->cx, en, &ti, rd, &r));
  uint8_t body[SGXRA_REPORT_BODY_SIZE];
  sgxra_report_body_encode(&r.body, body);
  sgxra_ra_soft_enclave_options so = {.sp_public = f->sp_pub,
                                      .report_body = body};
  OK(f->cx, sgxra_ra_soft_enclave_new(f->cx, &so, &cl->se));
  sgxra_ra_client_ops ops;
  memset(&ops, 0, sizeof ops);
  sgxra_ra_soft_enclave_ops(cl->se, &ops);
  ops.quote_user = cl;
  ops.qe_targetinfo = cb_targetinfo;
  ops.quote = cb_quote;
  OK(f->cx, sgxra_ra_client_new(f->cx, &ops, &cl->c));
}

static void client_free(client *cl) {
  sgxra_ra_client_free(cl->c);
  sgxra_ra_soft_enclave_free(cl->se);
}

static void post_url(char *out, size_t n, const char *base, const char *id,
                     const char *msg) {
  if (id)
    snprintf(out, n, "%s/ra/v1/sessions/%s/%s", base, id, msg);
  else
    snprintf(out, n, "%s/ra/v1/sessions", base);
}

/* msg0 on `base`: 201 and the session id. */
static void open_session(fix *f, client *cl, const char *base, char id[33]) {
  uint8_t m0[SGXRA_RA_MSG0_SIZE];
  OK(f->cx, sgxra_ra_client_msg0(f->cx, cl->c, m0));
  char u[256];
  post_url(u, sizeof u, base, NULL, NULL);
  resp r = http("POST", u, m0, sizeof m0, NULL);
  if (r.status != 201) fail_msg("msg0: %ld %s", r.status, (char *)r.body);
  json_t *o = json_loadb((char *)r.body, r.len, 0, NULL);
  assert_non_null(o);
  const char *s = json_string_value(json_object_get(o, "session"));
  assert_non_null(s);
  assert_int_equal(strlen(s), 32);
  assert_int_equal(json_integer_value(json_object_get(o, "expires")),
                   test_clock(NULL) + TTL);
  snprintf(id, 33, "%s", s);
  json_decref(o);
  resp_free(&r);
}

/* msg1 on base1 -> msg2 -> msg3 (malloc'ed). */
static uint8_t *to_msg3(fix *f, client *cl, const char *base, const char *id,
                        size_t *n3) {
  uint8_t m1[SGXRA_RA_MSG1_SIZE];
  OK(f->cx, sgxra_ra_client_msg1(f->cx, cl->c, m1));
  char u[256];
  post_url(u, sizeof u, base, id, "msg1");
  resp r = http("POST", u, m1, sizeof m1, NULL);
  if (r.status != 200) fail_msg("msg1: %ld %s", r.status, (char *)r.body);
  assert_int_equal(r.len, SGXRA_RA_MSG2_FIXED_SIZE);
  uint8_t *m3 = NULL;
  OK(f->cx, sgxra_ra_client_msg2(f->cx, cl->c, r.body, r.len, &m3, n3));
  resp_free(&r);
  return m3;
}

/* msg3 on base -> 200 msg4 -> the result. */
static void finish(fix *f, client *cl, const char *base, const char *id,
                   const uint8_t *m3, size_t n3, sgxra_ra_result *res) {
  char u[256];
  post_url(u, sizeof u, base, id, "msg3");
  resp r = http("POST", u, m3, n3, NULL);
  if (r.status != 200) fail_msg("msg3: %ld %s", r.status, (char *)r.body);
  OK(f->cx, sgxra_ra_client_msg4(f->cx, cl->c, r.body, r.len, res));
  resp_free(&r);
}

static void admin_put_secret(fix *f, const uint8_t mr[32]) {
  char hex[65], b64[128], body[512], u[256];
  sgxra_hex_encode(mr, 32, hex);
  sgxra_base64_encode((const uint8_t *)SECRET, strlen(SECRET), b64);
  snprintf(body, sizeof body, "{\"mrenclave\":\"%s\",\"secret\":\"%s\"}", hex,
           b64);
  snprintf(u, sizeof u, "%s/admin/v1/secrets", f->url[0]);
  char auth[200];
  snprintf(auth, sizeof auth, "Bearer %s", f->token);
  resp r = http("PUT", u, body, strlen(body), auth);
  if (r.status != 200) fail_msg("secret: %ld %s", r.status, (char *)r.body);
  json_t *o = json_loadb((char *)r.body, r.len, 0, NULL);
  assert_int_equal(json_integer_value(json_object_get(o, "size")),
                   strlen(SECRET));
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(o, "binding"), "mrenclave")),
                      hex);
  json_decref(o);
  resp_free(&r);
}

static void post_expect(fix *f, int srv, const char *id, const char *msg,
                        const void *body, size_t n, long status,
                        const char *code) {
  char u[256];
  post_url(u, sizeof u, f->url[srv], id, msg);
  resp r = http("POST", u, body, n, NULL);
  expect_error(&r, status, code);
}

/* ---- tests
 * ------------------------------------------------------------------------ */

/* The admin API: writes need a good token; the enclave is registered by
 * uploading its SIGSTRUCT. */
static void test_admin_auth(void **state) {
  fix *f = *state;
  char u[256], auth[200];
  snprintf(u, sizeof u, "%s/admin/v1/enclaves", f->url[0]);
  resp r = http("POST", u, f->sig, sizeof f->sig, NULL);
  expect_error(&r, 401, "Unauthorized");
  r = http("POST", u, f->sig, sizeof f->sig, "Bearer sgxra_not-a-token");
  expect_error(&r, 401, "Unauthorized");
  snprintf(auth, sizeof auth, "Bearer %s", f->revoked);
  r = http("POST", u, f->sig, sizeof f->sig, auth);
  expect_error(&r, 401, "Unauthorized");
  snprintf(auth, sizeof auth, "Basic %s", f->token);
  r = http("POST", u, f->sig, sizeof f->sig, auth);
  expect_error(&r, 401, "Unauthorized");
  /* nothing was registered by the refused writes */
  r = http("GET", u, NULL, 0, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr((char *)r.body, "\"enclaves\":[]"));
  resp_free(&r);
  /* a SIGSTRUCT that is not one */
  snprintf(auth, sizeof auth, "Bearer %s", f->token);
  r = http("POST", u, f->sig, 100, auth);
  expect_error(&r, 400, "SGXRA_E_SGX_SIZE");
  uint8_t bad[SGXRA_SIGSTRUCT_SIZE];
  memcpy(bad, f->sig, sizeof bad);
  bad[900] ^= 1; /* inside the signed body */
  r = http("POST", u, bad, sizeof bad, auth);
  expect_error(&r, 400, "SGXRA_E_SIGSTRUCT_SIGNATURE");
  /* the good token registers it: 201 and the entry */
  r = http("POST", u, f->sig, sizeof f->sig, auth);
  if (r.status != 201) fail_msg("%ld %s", r.status, (char *)r.body);
  json_t *o = json_loadb((char *)r.body, r.len, 0, NULL);
  sgxra_sigstruct ss;
  OK(f->cx, sgxra_sigstruct_decode(f->cx, f->sig, sizeof f->sig, &ss));
  char hex[65];
  sgxra_hex_encode(ss.enclavehash, 32, hex);
  assert_string_equal(json_string_value(json_object_get(o, "mrenclave")), hex);
  assert_string_equal(json_string_value(json_object_get(o, "source")),
                      "sigstruct");
  assert_string_equal(json_string_value(json_object_get(o, "added_by")),
                      "token:admin");
  assert_int_equal(json_integer_value(json_object_get(o, "isvprodid")), 7);
  assert_int_equal(json_integer_value(json_object_get(o, "isvsvn")), 2);
  json_decref(o);
  resp_free(&r);
  /* twice: 409 */
  r = http("POST", u, f->sig, sizeof f->sig, auth);
  expect_error(&r, 409, "SGXRA_E_STORE_DUPLICATE");
  /* wrong method, unknown admin path */
  r = http("DELETE", u, NULL, 0, auth);
  expect_error(&r, 405, "MethodNotAllowed");
  snprintf(u, sizeof u, "%s/admin/v1/nothing", f->url[0]);
  r = http("GET", u, NULL, 0, NULL);
  expect_error(&r, 404, "NotFound");
  /* a policy that does not parse is not stored */
  snprintf(u, sizeof u, "%s/admin/v1/policy", f->url[0]);
  r = http("PUT", u, "{\"sgxra_policy\":2}", 18, auth);
  expect_error(&r, 400, "SGXRA_E_POLICY_VERSION");
  r = http("GET", u, NULL, 0, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr((char *)r.body, "\"default\":true"));
  resp_free(&r);
  admin_put_secret(f, ss.enclavehash);
  /* the store holds it encrypted */
  sgxra_store *st = NULL;
  OK(f->cx, sgxra_store_open(f->cx, f->db, NOW, &st));
  sgxra_store_secret_binding b = {.kind = SGXRA_STORE_SECRET_MRENCLAVE};
  memcpy(b.mrenclave, ss.enclavehash, 32);
  int found = 0;
  uint8_t *bytes = NULL;
  size_t bn = 0;
  OK(f->cx, sgxra_store_secret_get(f->cx, st, &b, &found, NULL, &bytes, &bn));
  assert_int_equal(found, 1);
  assert_int_equal(bn, strlen(SECRET) + 28);
  for (size_t i = 0; i + 11 <= bn; i++)
    assert_false(memcmp(bytes + i, "provisioned", 11) == 0);
  sgxra_store_free(bytes);
  sgxra_store_close(st);
  /* listings never show the value */
  snprintf(u, sizeof u, "%s/admin/v1/secrets", f->url[1]);
  r = http("GET", u, NULL, 0, NULL);
  assert_int_equal(r.status, 200);
  assert_null(strstr((char *)r.body, "secret\":"));
  resp_free(&r);
}

/* msg0..msg4 on one server: trusted, the secret, an audit row. */
static void test_good_path(void **state) {
  fix *f = *state;
  client cl;
  client_new(f, f->en, &cl);
  char id[33];
  open_session(f, &cl, f->url[0], id);
  size_t n3 = 0;
  uint8_t *m3 = to_msg3(f, &cl, f->url[0], id, &n3);
  sgxra_ra_result res;
  finish(f, &cl, f->url[0], id, m3, n3, &res);
  assert_int_equal(res.trusted, 1);
  assert_int_equal(res.reason_count, 0);
  assert_int_equal(res.sealed_len, strlen(SECRET));
  assert_memory_equal(res.sealed, SECRET, strlen(SECRET));
  sgxra_ra_result_free(&res);
  /* the same msg3 again: a replay */
  char u[256];
  post_url(u, sizeof u, f->url[0], id, "msg3");
  resp r = http("POST", u, m3, n3, NULL);
  expect_error(&r, 409, "SGXRA_E_RA_REPLAY");
  /* a stray msg1 afterwards is out of order, and does not turn the replay
   * into anything else */
  uint8_t m1[SGXRA_RA_MSG1_SIZE] = {0};
  post_expect(f, 1, id, "msg1", m1, sizeof m1, 409, "SGXRA_E_RA_STATE");
  post_expect(f, 1, id, "msg3", m3, n3, 409, "SGXRA_E_RA_REPLAY");
  free(m3);
  client_free(&cl);
  /* the decision is in the audit log, by the SP's actor */
  sgxra_store *st = NULL;
  OK(f->cx, sgxra_store_open(f->cx, f->db, NOW, &st));
  sgxra_store_audit_row *rows = NULL;
  size_t n = 0;
  OK(f->cx, sgxra_store_audit_list(f->cx, st, 0, 1000, &rows, &n));
  int decisions = 0;
  for (size_t i = 0; i < n; i++)
    if (!strcmp(rows[i].kind, "decision")) {
      decisions++;
      assert_string_equal(rows[i].actor, "sp-test");
      assert_non_null(strstr(rows[i].payload, "\"trusted\""));
    }
  assert_int_equal(decisions, 1);
  sgxra_store_free(rows);
  sgxra_store_close(st);
}

/* An enclave that is not registered: msg4 says refused, with the reason. */
static void test_not_registered(void **state) {
  fix *f = *state;
  client cl;
  client_new(f, f->en_other, &cl);
  char id[33];
  open_session(f, &cl, f->url[1], id);
  size_t n3 = 0;
  uint8_t *m3 = to_msg3(f, &cl, f->url[1], id, &n3);
  sgxra_ra_result res;
  finish(f, &cl, f->url[1], id, m3, n3, &res);
  assert_int_equal(res.trusted, 0);
  assert_int_equal(res.reason_count, 1);
  assert_int_equal(res.reasons[0], SGXRA_REASON_MRENCLAVE_NOT_REGISTERED);
  assert_null(res.sealed);
  sgxra_ra_result_free(&res);
  free(m3);
  client_free(&cl);
}

/* msg1 on one server, msg3 on the other (one store); a replay on the first
 * is refused; so is a second msg3 on the second. */
static void test_two_replicas(void **state) {
  fix *f = *state;
  client cl;
  client_new(f, f->en, &cl);
  char id[33];
  open_session(f, &cl, f->url[1], id);
  size_t n3 = 0;
  uint8_t *m3 = to_msg3(f, &cl, f->url[0], id, &n3);
  sgxra_ra_result res;
  finish(f, &cl, f->url[1], id, m3, n3, &res);
  assert_int_equal(res.trusted, 1);
  assert_memory_equal(res.sealed, SECRET, strlen(SECRET));
  sgxra_ra_result_free(&res);
  for (int i = 0; i < 2; i++) {
    char u[256];
    post_url(u, sizeof u, f->url[i], id, "msg3");
    resp r = http("POST", u, m3, n3, NULL);
    expect_error(&r, 409, "SGXRA_E_RA_REPLAY");
  }
  free(m3);
  client_free(&cl);
}

/* A session up to msg3, for the refusals below. */
static uint8_t *session_to_msg3(fix *f, client *cl, char id[33], size_t *n3) {
  client_new(f, f->en, cl);
  open_session(f, cl, f->url[0], id);
  return to_msg3(f, cl, f->url[0], id, n3);
}

static void test_refusals(void **state) {
  fix *f = *state;
  char u[256];
  /* msg0 */
  post_url(u, sizeof u, f->url[0], NULL, NULL);
  uint8_t m0[5] = {0};
  resp r = http("POST", u, m0, 5, NULL);
  expect_error(&r, 400, "SGXRA_E_RA_MESSAGE");
  uint8_t g1[4] = {1, 0, 0, 0};
  r = http("POST", u, g1, 4, NULL);
  expect_error(&r, 400, "SGXRA_E_RA_GROUP");
  r = http("GET", u, NULL, 0, NULL);
  expect_error(&r, 405, "MethodNotAllowed");
  /* unknown and malformed sessions */
  uint8_t m1[SGXRA_RA_MSG1_SIZE] = {0};
  post_expect(f, 0, "0123456789abcdef0123456789abcdef", "msg1", m1, sizeof m1,
              404, "SGXRA_E_RA_SESSION");
  post_expect(f, 0, "0123456789ABCDEF0123456789ABCDEF", "msg1", m1, sizeof m1,
              404, "SGXRA_E_RA_SESSION");
  snprintf(u, sizeof u, "%s/nothing", f->url[0]);
  r = http("GET", u, NULL, 0, NULL);
  expect_error(&r, 404, "NotFound");

  /* msg3 before msg1: out of order, and the session is over */
  client cl;
  char id[33];
  client_new(f, f->en, &cl);
  open_session(f, &cl, f->url[0], id);
  uint8_t junk3[400];
  memset(junk3, 0, sizeof junk3);
  post_expect(f, 0, id, "msg3", junk3, sizeof junk3, 409, "SGXRA_E_RA_STATE");
  uint8_t real1[SGXRA_RA_MSG1_SIZE];
  OK(f->cx, sgxra_ra_client_msg1(f->cx, cl.c, real1));
  post_expect(f, 0, id, "msg1", real1, sizeof real1, 409, "SGXRA_E_RA_STATE");
  client_free(&cl);

  /* a malformed msg1 */
  client_new(f, f->en, &cl);
  open_session(f, &cl, f->url[0], id);
  post_expect(f, 0, id, "msg1", real1, 10, 400, "SGXRA_E_RA_MESSAGE");
  client_free(&cl);

  /* msg1 twice */
  size_t n3 = 0;
  uint8_t *m3 = session_to_msg3(f, &cl, id, &n3);
  post_expect(f, 1, id, "msg1", real1, sizeof real1, 409, "SGXRA_E_RA_STATE");
  /* ... which ended the session: its good msg3 is refused */
  post_expect(f, 0, id, "msg3", m3, n3, 409, "SGXRA_E_RA_STATE");
  free(m3);
  client_free(&cl);

  /* a bad MAC, then the good msg3: the session ended */
  m3 = session_to_msg3(f, &cl, id, &n3);
  m3[3] ^= 0x40;
  post_expect(f, 0, id, "msg3", m3, n3, 403, "SGXRA_E_RA_MAC");
  m3[3] ^= 0x40;
  post_expect(f, 1, id, "msg3", m3, n3, 409, "SGXRA_E_RA_STATE");
  free(m3);
  client_free(&cl);

  /* a quote altered (the MAC covers it) */
  m3 = session_to_msg3(f, &cl, id, &n3);
  m3[n3 - 1] ^= 1;
  post_expect(f, 0, id, "msg3", m3, n3, 403, "SGXRA_E_RA_MAC");
  free(m3);
  client_free(&cl);

  /* another Ga in msg3 */
  m3 = session_to_msg3(f, &cl, id, &n3);
  m3[SGXRA_RA_MSG3_GA_OFFSET] ^= 1;
  post_expect(f, 0, id, "msg3", m3, n3, 403, "SGXRA_E_RA_GA_MISMATCH");
  free(m3);
  client_free(&cl);

  /* a msg3 larger than the SP takes */
  m3 = session_to_msg3(f, &cl, id, &n3);
  uint8_t *big = calloc(1, SGXRA_RA_MSG3_MAX + 16);
  post_expect(f, 0, id, "msg3", big, SGXRA_RA_MSG3_MAX + 16, 413,
              "SGXRA_E_TOO_LARGE");
  free(big);
  free(m3);
  client_free(&cl);

  /* too late: the session expired between msg1 and msg3; and a msg1 on an
   * expired session */
  m3 = session_to_msg3(f, &cl, id, &n3);
  client cl2;
  char id2[33];
  client_new(f, f->en, &cl2);
  open_session(f, &cl2, f->url[0], id2);
  __atomic_store_n(&g_now, NOW + TTL + 1, __ATOMIC_SEQ_CST);
  post_expect(f, 1, id, "msg3", m3, n3, 410, "SGXRA_E_RA_EXPIRED");
  OK(f->cx, sgxra_ra_client_msg1(f->cx, cl2.c, real1));
  post_expect(f, 0, id2, "msg1", real1, sizeof real1, 410,
              "SGXRA_E_RA_EXPIRED");
  /* a msg0 a minute after the last purge deletes the expired rows: the
   * session is then unknown */
  client cl3;
  char id3[33];
  client_new(f, f->en, &cl3);
  open_session(f, &cl3, f->url[1], id3);
  post_expect(f, 0, id, "msg3", m3, n3, 404, "SGXRA_E_RA_SESSION");
  client_free(&cl3);
  __atomic_store_n(&g_now, NOW, __ATOMIC_SEQ_CST);
  free(m3);
  client_free(&cl);
  client_free(&cl2);
}

/* A quote bound to another session, with a correct MAC: the test plays the
 * enclave itself (ra.h's msg2 check and KDF), so it can MAC anything. */
static void test_binding(void **state) {
  fix *f = *state;
  sgxra_ctx *cx = f->cx;
  char u[256];
  post_url(u, sizeof u, f->url[0], NULL, NULL);
  uint8_t m0[SGXRA_RA_MSG0_SIZE];
  sgxra_ra_msg0_encode(m0);
  resp r = http("POST", u, m0, sizeof m0, NULL);
  assert_int_equal(r.status, 201);
  json_t *o = json_loadb((char *)r.body, r.len, 0, NULL);
  char id[33];
  snprintf(id, sizeof id, "%s",
           json_string_value(json_object_get(o, "session")));
  json_decref(o);
  resp_free(&r);
  sgxra_p256_key *ga = NULL;
  OK(cx, sgxra_p256_generate(cx, &ga));
  sgxra_ra_msg1 m1 = {.gid = 0};
  sgxra_ra_public_to_wire(ga, m1.g_a);
  uint8_t b1[SGXRA_RA_MSG1_SIZE];
  sgxra_ra_msg1_encode(&m1, b1);
  post_url(u, sizeof u, f->url[0], id, "msg1");
  r = http("POST", u, b1, sizeof b1, NULL);
  assert_int_equal(r.status, 200);
  sgxra_ra_msg2 m2;
  sgxra_ra_keys keys;
  OK(cx, sgxra_ra_msg2_check(cx, f->sp_pub, ga, r.body, r.len, &m2, &keys));
  resp_free(&r);
  /* msg2 names this SP: SHA-256(its public key, wire form)[0..16) */
  uint8_t spid[16], want[16];
  sgxra_sp_spid(f->sp[0], spid);
  OK(cx, sgxra_ra_spid(cx, f->sp_key, want));
  assert_memory_equal(spid, want, 16);
  assert_memory_equal(m2.spid, want, 16);
  assert_int_equal(m2.quote_type, 3);
  /* a genuine quote, but of REPORTDATA that is not this session's */
  uint8_t rd[64];
  memset(rd, 0x5a, sizeof rd);
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  sgxra_report rep;
  OK(cx, sgxra_emu_ereport(cx, f->en, &ti, rd, &rep));
  uint8_t *q = NULL, *m3 = NULL;
  size_t qn = 0, n3 = 0;
  OK(cx, sgxra_qe_quote(cx, f->qe, &rep, 3, &q, &qn));
  uint8_t zero[16] = {0};
  OK(cx, sgxra_ra_msg3_encode(cx, zero, m1.g_a, q, qn, &m3, &n3));
  OK(cx, sgxra_aes128_cmac(cx, keys.smk, m3 + 16, n3 - 16, m3));
  post_expect(f, 0, id, "msg3", m3, n3, 403, "SGXRA_E_RA_BINDING");
  free(q);
  free(m3);
  sgxra_p256_free(ga);
  sgxra_wipe(&keys, sizeof keys);
}

/* healthz, metrics, and the listings open to anyone. */
static void test_service_routes(void **state) {
  fix *f = *state;
  char u[256];
  snprintf(u, sizeof u, "%s/healthz", f->url[0]);
  resp r = http("GET", u, NULL, 0, NULL);
  assert_int_equal(r.status, 200);
  assert_string_equal((char *)r.body, "{\"status\":\"ok\"}");
  resp_free(&r);
  snprintf(u, sizeof u, "%s/metrics", f->url[0]);
  r = http("GET", u, NULL, 0, NULL);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr((char *)r.body, "sgxra_http_requests_total{route=\""
                                         "/ra/v1/sessions/{id}/msg3\""));
  assert_non_null(strstr((char *)r.body, "sgxra_ra_decisions_total{decision="
                                         "\"trusted\"} 1"));
  assert_non_null(
      strstr((char *)r.body, "sgxra_ra_errors_total{code=\"SGXRA_E_RA_MAC\"}"));
  resp_free(&r);
  static const char *const lists[] = {"enclaves", "signers", "deny", "policy",
                                      "secrets"};
  for (size_t i = 0; i < 5; i++) {
    snprintf(u, sizeof u, "%s/admin/v1/%s", f->url[1], lists[i]);
    r = http("GET", u, NULL, 0, NULL);
    if (r.status != 200) fail_msg("%s: %ld", lists[i], r.status);
    resp_free(&r);
  }
}

/* The admin API registers a signed SDK enclave uploaded as its .so: it is
 * re-measured first (sgxra/sdkenclave.h); a file whose content does not
 * match its SIGSTRUCT is refused, 422, both values in the message. */
static void test_admin_enclave_file(void **state) {
  fix *f = *state;
  const char *name = "sdk/george321-md22-ownkey.signed.so";
  const char *mre =
      "f2ef63410a903d8688a95ef60bdf4b9f7efae81592a6be25ca8771e797c9207d";
  size_t n = 0;
  tu_vector_path(name); /* skips without the vectors */
  uint8_t *so = tu_read_vector(name, &n);
  char u[256], auth[200];
  snprintf(u, sizeof u, "%s/admin/v1/enclaves", f->url[0]);
  snprintf(auth, sizeof auth, "Bearer %s", f->token);
  /* a flipped byte in the code (first PT_LOAD, which no patch rewrites) */
  uint8_t *bad = malloc(n);
  assert_non_null(bad);
  memcpy(bad, so, n);
  bad[0x10000] ^= 1;
  sgxra_sdk_check ck;
  OK(f->cx, sgxra_sdk_check_file(f->cx, bad, n, &ck));
  assert_int_equal(ck.match, 0);
  char mh[65], want[300];
  sgxra_hex_encode(ck.measured, 32, mh);
  assert_string_not_equal(mh, mre);
  snprintf(want, sizeof want,
           "content does not match its SIGSTRUCT: measured %s, signed %s; "
           "not registered",
           mh, mre);
  resp r = http("POST", u, bad, n, auth);
  assert_non_null(r.body);
  if (!strstr((char *)r.body, want))
    fail_msg("message: %s, want %s", (char *)r.body, want);
  expect_error(&r, 422, "EnclaveMismatch");
  /* a cut ELF: not a signed enclave */
  r = http("POST", u, so, 1000, auth);
  expect_error(&r, 400, "SGXRA_E_ELF_FORMAT");
  /* malformed metadata: the TCS layout entry of every copy moved beyond the
   * enclave (george321: records of 3936 bytes from 0x2eff9, layout at +3584,
   * the TCS entry 6th) */
  memcpy(bad, so, n);
  for (size_t c = 0; c < 3; c++) {
    size_t at = 0x2eff9 + c * 3936 + 3584 + 6 * 32 + 8;
    assert_int_equal(bad[at + 2], 0x39); /* rva 0x390000 */
    bad[at + 2] = 0x40;                  /* 0x400000 = enclave_size */
  }
  r = http("POST", u, bad, n, auth);
  expect_error(&r, 422, "SGXRA_E_SGXMETA_FORMAT");
  free(bad);
  /* nothing was registered by the refused writes */
  r = http("GET", u, NULL, 0, NULL);
  assert_int_equal(r.status, 200);
  assert_null(strstr((char *)r.body, mre));
  resp_free(&r);
  /* the file itself: 201, the SIGSTRUCT's values */
  r = http("POST", u, so, n, auth);
  if (r.status != 201) fail_msg("%ld %s", r.status, (char *)r.body);
  json_t *o = json_loadb((char *)r.body, r.len, 0, NULL);
  assert_string_equal(json_string_value(json_object_get(o, "mrenclave")), mre);
  assert_string_equal(
      json_string_value(json_object_get(o, "mrsigner")),
      "287fd68c769b629994c3eb1e118be314e5347ed99560ba66fadad6585d22dc49");
  assert_string_equal(json_string_value(json_object_get(o, "source")),
                      "sigstruct");
  assert_int_equal(json_integer_value(json_object_get(o, "isvsvn")), 0);
  json_decref(o);
  resp_free(&r);
  /* a debug-signed SDK enclave still needs allow_debug_signer */
  free(so);
  so = tu_read_vector("sdk/dzobbe-md14-sdk19.signed.so", &n);
  r = http("POST", u, so, n, auth);
  expect_error(&r, 403, "DebugSigner");
  free(so);
}

/* Deny the registered enclave: refused with MRENCLAVE_DENIED, no secret;
 * revoke the deny entry: trusted again. */
static void test_deny(void **state) {
  fix *f = *state;
  sgxra_sigstruct ss;
  OK(f->cx, sgxra_sigstruct_decode(f->cx, f->sig, sizeof f->sig, &ss));
  char hex[65], body[256], u[256], auth[200];
  sgxra_hex_encode(ss.enclavehash, 32, hex);
  snprintf(auth, sizeof auth, "Bearer %s", f->token);
  snprintf(body, sizeof body, "{\"mrenclave\":\"%s\",\"reason\":\"test\"}",
           hex);
  snprintf(u, sizeof u, "%s/admin/v1/deny", f->url[1]);
  resp r = http("POST", u, body, strlen(body), auth);
  if (r.status != 201) fail_msg("%ld %s", r.status, (char *)r.body);
  json_t *o = json_loadb((char *)r.body, r.len, 0, NULL);
  json_int_t did = json_integer_value(json_object_get(o, "id"));
  json_decref(o);
  resp_free(&r);
  client cl;
  char id[33];
  size_t n3;
  uint8_t *m3 = session_to_msg3(f, &cl, id, &n3);
  sgxra_ra_result res;
  finish(f, &cl, f->url[0], id, m3, n3, &res);
  assert_int_equal(res.trusted, 0);
  assert_int_equal(res.reasons[0], SGXRA_REASON_MRENCLAVE_DENIED);
  assert_null(res.sealed);
  sgxra_ra_result_free(&res);
  free(m3);
  client_free(&cl);
  snprintf(body, sizeof body, "{\"table\":\"deny\",\"id\":%lld}",
           (long long)did);
  snprintf(u, sizeof u, "%s/admin/v1/revoke", f->url[0]);
  r = http("POST", u, body, strlen(body), auth);
  if (r.status != 200) fail_msg("%ld %s", r.status, (char *)r.body);
  assert_non_null(strstr((char *)r.body, "\"revoked\":true"));
  resp_free(&r);
  m3 = session_to_msg3(f, &cl, id, &n3);
  finish(f, &cl, f->url[0], id, m3, n3, &res);
  assert_int_equal(res.trusted, 1);
  sgxra_ra_result_free(&res);
  free(m3);
  client_free(&cl);
}

/* The same through `serve verifier`: the token checked, the verdict
 * rebuilt from its claims; the verifier down: 503. */
static void test_remote_verifier(void **state) {
  fix *f = *state;
  f->vdir = tu_tmpdir();
  assert_int_equal(chmod(f->vdir, 0700), 0);
  sgxra_verifier_options vo = {.state_dir = f->vdir,
                               .pccs = f->pccs,
                               .trust_root = sgxra_x509_chain_get(f->root, 0)};
  OK(f->cx, sgxra_verifier_open(f->cx, &vo, &f->vs));
  sgxra_verifier_server_options so = {
      .listen = "127.0.0.1:0", .clock = test_clock, .threads = 2};
  OK(f->cx, sgxra_verifier_server_start(f->cx, f->vs, &so, &f->vsrv));
  char vurl[64];
  snprintf(vurl, sizeof vurl, "http://127.0.0.1:%u/",
           sgxra_verifier_server_port(f->vsrv));
  start_sp(f, vurl, &f->rsp, &f->rsrv, f->rurl);
  client cl;
  client_new(f, f->en, &cl);
  char id[33];
  open_session(f, &cl, f->rurl, id);
  size_t n3 = 0;
  uint8_t *m3 = to_msg3(f, &cl, f->rurl, id, &n3);
  sgxra_ra_result res;
  finish(f, &cl, f->rurl, id, m3, n3, &res);
  assert_int_equal(res.trusted, 1);
  assert_memory_equal(res.sealed, SECRET, strlen(SECRET));
  sgxra_ra_result_free(&res);
  free(m3);
  client_free(&cl);
  /* the verifier stops: 503, and the session is over */
  sgxra_verifier_server_stop(f->vsrv);
  f->vsrv = NULL;
  client_new(f, f->en, &cl);
  open_session(f, &cl, f->rurl, id);
  m3 = to_msg3(f, &cl, f->rurl, id, &n3);
  char u[256];
  post_url(u, sizeof u, f->rurl, id, "msg3");
  resp r = http("POST", u, m3, n3, NULL);
  expect_error(&r, 503, "SGXRA_E_NET_CONNECT");
  r = http("POST", u, m3, n3, NULL);
  expect_error(&r, 409, "SGXRA_E_RA_STATE");
  free(m3);
  client_free(&cl);
}

/* ---- concurrency
 * ------------------------------------------------------------------ */

typedef struct race {
  fix *f;
  const char *url;
  const char *id;
  const uint8_t *m3;
  size_t n3;
  pthread_barrier_t *bar;
  long status;
  char code[64];
} race;

static void *race_run(void *arg) {
  race *r = arg;
  char u[256];
  post_url(u, sizeof u, r->url, r->id, "msg3");
  pthread_barrier_wait(r->bar);
  resp x = http("POST", u, r->m3, r->n3, NULL);
  r->status = x.status;
  json_t *o =
      x.status != 200 ? json_loadb((char *)x.body, x.len, 0, NULL) : NULL;
  snprintf(r->code, sizeof r->code, "%s",
           o ? json_string_value(json_object_get(o, "code")) : "");
  json_decref(o);
  resp_free(&x);
  return NULL;
}

/* The same msg3 sent at once to both replicas: exactly one takes it. */
static void test_replay_race(void **state) {
  fix *f = *state;
  for (int round = 0; round < 6; round++) {
    client cl;
    char id[33];
    size_t n3 = 0;
    uint8_t *m3 = session_to_msg3(f, &cl, id, &n3);
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 2);
    race r[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
      r[i] = (race){
          .f = f, .url = f->url[i], .id = id, .m3 = m3, .n3 = n3, .bar = &bar};
      assert_int_equal(pthread_create(&t[i], NULL, race_run, &r[i]), 0);
    }
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&bar);
    int ok = (r[0].status == 200) + (r[1].status == 200);
    if (ok != 1)
      fail_msg("round %d: %ld and %ld", round, r[0].status, r[1].status);
    race *loser = r[0].status == 200 ? &r[1] : &r[0];
    assert_int_equal(loser->status, 409);
    assert_string_equal(loser->code, "SGXRA_E_RA_REPLAY");
    free(m3);
    client_free(&cl);
  }
}

typedef struct worker {
  fix *f;
  char (*url)[64]; /* the two replicas */
  int n;
  int k;
  int trusted; /* sessions that ended trusted with the secret */
} worker;

/* Full sessions, each message on an alternating replica; no cmocka asserts
 * in threads: a failure leaves trusted short. */
static void *worker_run(void *arg) {
  worker *w = arg;
  fix *f = w->f;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (int s = 0; s < w->n; s++) {
    client cl;
    memset(&cl, 0, sizeof cl);
    cl.f = f;
    cl.en = f->en;
    sgxra_targetinfo ti;
    sgxra_report rep;
    uint8_t rd[64] = {0}, body[SGXRA_REPORT_BODY_SIZE];
    pthread_mutex_lock(&quote_lock);
    sgxra_qe_targetinfo(f->qe, &ti);
    sgxra_err e = sgxra_emu_ereport(cx, f->en, &ti, rd, &rep);
    pthread_mutex_unlock(&quote_lock);
    if (e) break;
    sgxra_report_body_encode(&rep.body, body);
    sgxra_ra_soft_enclave_options so = {.sp_public = f->sp_pub,
                                        .report_body = body};
    sgxra_ra_client_ops ops;
    memset(&ops, 0, sizeof ops);
    if (sgxra_ra_soft_enclave_new(cx, &so, &cl.se)) break;
    sgxra_ra_soft_enclave_ops(cl.se, &ops);
    ops.quote_user = &cl;
    ops.qe_targetinfo = cb_targetinfo;
    ops.quote = cb_quote;
    uint8_t m0[SGXRA_RA_MSG0_SIZE], m1[SGXRA_RA_MSG1_SIZE];
    uint8_t *m3 = NULL;
    size_t n3 = 0;
    char u[256], id[33] = "";
    sgxra_ra_result res;
    memset(&res, 0, sizeof res);
    int a = (w->k + s) & 1;
    if (!sgxra_ra_client_new(cx, &ops, &cl.c) &&
        !sgxra_ra_client_msg0(cx, cl.c, m0)) {
      post_url(u, sizeof u, w->url[a], NULL, NULL);
      resp r = http("POST", u, m0, sizeof m0, NULL);
      json_t *o =
          r.status == 201 ? json_loadb((char *)r.body, r.len, 0, NULL) : NULL;
      const char *sid = json_string_value(json_object_get(o, "session"));
      if (sid) snprintf(id, sizeof id, "%s", sid);
      json_decref(o);
      resp_free(&r);
    }
    if (id[0] && !sgxra_ra_client_msg1(cx, cl.c, m1)) {
      post_url(u, sizeof u, w->url[!a], id, "msg1");
      resp r = http("POST", u, m1, sizeof m1, NULL);
      if (r.status == 200 &&
          !sgxra_ra_client_msg2(cx, cl.c, r.body, r.len, &m3, &n3)) {
        post_url(u, sizeof u, w->url[a], id, "msg3");
        resp r3 = http("POST", u, m3, n3, NULL);
        if (r3.status == 200 &&
            !sgxra_ra_client_msg4(cx, cl.c, r3.body, r3.len, &res) &&
            res.trusted && res.sealed_len == strlen(SECRET) &&
            !memcmp(res.sealed, SECRET, strlen(SECRET)))
          w->trusted++;
        resp_free(&r3);
      }
      resp_free(&r);
    }
    sgxra_ra_result_free(&res);
    free(m3);
    client_free(&cl);
  }
  sgxra_ctx_free(cx);
  return NULL;
}

/* Many sessions at once over both replicas: each one gets its secret. */
static void run_concurrent(fix *f, char (*url)[64], const char *what) {
  enum { THREADS = 6, EACH = 4 };
  worker w[THREADS];
  pthread_t t[THREADS];
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < THREADS; i++) {
    w[i] = (worker){.f = f, .url = url, .n = EACH, .k = i};
    assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
  }
  int total = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
    total += w[i].trusted;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double sec =
      (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("# %s: %d complete attestations (msg0..msg4, quote, verification, "
         "appraisal, secret) over 2 replicas in %.2f s: %.1f/s\n",
         what, THREADS * EACH, sec, THREADS * EACH / sec);
  assert_int_equal(total, THREADS * EACH);
}

static void test_concurrent_sessions(void **state) {
  fix *f = *state;
  run_concurrent(f, f->url, "SQLite");
}

/* Two replicas sharing one PostgreSQL database: registration over the
 * admin API of one, msg0 and msg3 on one, msg1 on the other; the replay on
 * either is refused; the same msg3 raced on both: one wins. */
static void test_pg_replicas(void **state) {
  fix *f = *state;
  tu_db db;
  tu_db_init(&db, 1); /* skipped without a PostgreSQL server */
  sgxra_sp *sp[2] = {NULL, NULL};
  sgxra_sp_server *srv[2] = {NULL, NULL};
  char url[2][64], tok[128];
  for (int i = 0; i < 2; i++)
    start_sp_on(f, db.url, NULL, &sp[i], &srv[i], url[i]);
  add_token_on(f, db.url, "pg-admin", tok);
  char u[256], auth[200];
  snprintf(auth, sizeof auth, "Bearer %s", tok);
  snprintf(u, sizeof u, "%s/admin/v1/enclaves", url[1]);
  resp r = http("POST", u, f->sig, sizeof f->sig, auth);
  if (r.status != 201) fail_msg("%ld %s", r.status, (char *)r.body);
  resp_free(&r);
  sgxra_sigstruct ss;
  OK(f->cx, sgxra_sigstruct_decode(f->cx, f->sig, sizeof f->sig, &ss));
  char hex[65], b64[128], body[512];
  sgxra_hex_encode(ss.enclavehash, 32, hex);
  sgxra_base64_encode((const uint8_t *)SECRET, strlen(SECRET), b64);
  snprintf(body, sizeof body, "{\"mrenclave\":\"%s\",\"secret\":\"%s\"}", hex,
           b64);
  snprintf(u, sizeof u, "%s/admin/v1/secrets", url[0]);
  r = http("PUT", u, body, strlen(body), auth);
  assert_int_equal(r.status, 200);
  resp_free(&r);
  client cl;
  client_new(f, f->en, &cl);
  char id[33];
  open_session(f, &cl, url[0], id);
  size_t n3 = 0;
  uint8_t *m3 = to_msg3(f, &cl, url[1], id, &n3);
  sgxra_ra_result res;
  finish(f, &cl, url[0], id, m3, n3, &res);
  assert_int_equal(res.trusted, 1);
  assert_memory_equal(res.sealed, SECRET, strlen(SECRET));
  sgxra_ra_result_free(&res);
  for (int i = 0; i < 2; i++) {
    post_url(u, sizeof u, url[i], id, "msg3");
    r = http("POST", u, m3, n3, NULL);
    expect_error(&r, 409, "SGXRA_E_RA_REPLAY");
  }
  free(m3);
  client_free(&cl);
  for (int round = 0; round < 4; round++) {
    client_new(f, f->en, &cl);
    open_session(f, &cl, url[round & 1], id);
    m3 = to_msg3(f, &cl, url[!(round & 1)], id, &n3);
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 2);
    race rc[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
      rc[i] = (race){
          .f = f, .url = url[i], .id = id, .m3 = m3, .n3 = n3, .bar = &bar};
      assert_int_equal(pthread_create(&t[i], NULL, race_run, &rc[i]), 0);
    }
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&bar);
    if ((rc[0].status == 200) + (rc[1].status == 200) != 1)
      fail_msg("round %d: %ld and %ld", round, rc[0].status, rc[1].status);
    race *loser = rc[0].status == 200 ? &rc[1] : &rc[0];
    assert_int_equal(loser->status, 409);
    assert_string_equal(loser->code, "SGXRA_E_RA_REPLAY");
    free(m3);
    client_free(&cl);
  }
  run_concurrent(f, url, "PostgreSQL");
  for (int i = 0; i < 2; i++) {
    sgxra_sp_server_stop(srv[i]);
    sgxra_sp_close(sp[i]);
  }
  tu_db_done(&db);
}

/* Bad input of every size on every route: always a 4xx with a JSON code,
 * never a 500, and the server keeps serving. */
static void test_garbage(void **state) {
  fix *f = *state;
  char u[256], auth[200], id[33];
  snprintf(auth, sizeof auth, "Bearer %s", f->token);
  uint8_t buf[700];
  uint32_t x = 12345;
  for (size_t i = 0; i < sizeof buf; i++) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
  static const size_t lens[] = {0,   1,   3,   4,   5,   67,  68,  69,
                                167, 168, 335, 336, 337, 431, 432, 700};
  static const char *const admin[] = {"enclaves", "signers", "deny",
                                      "revoke",   "policy",  "secrets"};
  client cl;
  client_new(f, f->en, &cl);
  open_session(f, &cl, f->url[0], id);
  for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
    const char *paths[3] = {"msg0", "msg1", "msg3"};
    for (int p = 0; p < 3; p++) {
      if (p == 0)
        post_url(u, sizeof u, f->url[0], NULL, NULL);
      else
        post_url(u, sizeof u, f->url[0], id, paths[p]);
      resp r = http("POST", u, buf, lens[k], NULL);
      if (r.status < 400 || r.status >= 500)
        fail_msg("%s with %zu bytes: %ld %s", paths[p], lens[k], r.status,
                 r.body ? (char *)r.body : "");
      json_t *o = json_loadb((char *)r.body, r.len, 0, NULL);
      assert_non_null(json_string_value(json_object_get(o, "code")));
      json_decref(o);
      resp_free(&r);
    }
    for (size_t a = 0; a < sizeof admin / sizeof admin[0]; a++) {
      snprintf(u, sizeof u, "%s/admin/v1/%s", f->url[1], admin[a]);
      const char *m =
          !strcmp(admin[a], "policy") || !strcmp(admin[a], "secrets") ? "PUT"
                                                                      : "POST";
      resp r = http(m, u, buf, lens[k], auth);
      if (r.status != 400 && r.status != 413)
        fail_msg("%s with %zu bytes: %ld %s", admin[a], lens[k], r.status,
                 r.body ? (char *)r.body : "");
      resp_free(&r);
    }
  }
  client_free(&cl);
  /* JSON of the wrong shapes */
  static const char *const bodies[] = {
      "[]",
      "{\"mrenclave\":1}",
      "{\"mrenclave\":\"00\",\"reason\":\"x\"}",
      "{\"table\":\"x\",\"id\":1}",
      "{\"table\":\"deny\",\"id\":-1}",
      "{\"mrsigner\":\"zz\"}",
      "{\"a\":1,\"a\":2}",
      "{\"secret\":\"!!\"}"};
  for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++)
    for (size_t a = 0; a < sizeof admin / sizeof admin[0]; a++) {
      if (!strcmp(admin[a], "enclaves")) continue;
      snprintf(u, sizeof u, "%s/admin/v1/%s", f->url[1], admin[a]);
      const char *m =
          !strcmp(admin[a], "policy") || !strcmp(admin[a], "secrets") ? "PUT"
                                                                      : "POST";
      resp r = http(m, u, bodies[b], strlen(bodies[b]), auth);
      if (r.status != 400)
        fail_msg("%s %s: %ld %s", admin[a], bodies[b], r.status,
                 r.body ? (char *)r.body : "");
      resp_free(&r);
    }
  snprintf(u, sizeof u, "%s/healthz", f->url[0]);
  resp r = http("GET", u, NULL, 0, NULL);
  assert_int_equal(r.status, 200);
  resp_free(&r);
}

/* HTTPS to the verifier: its certificate checked with --verifier-ca; with
 * another CA, 503 SGXRA_E_NET_TLS. */
static void test_verifier_tls(void **state) {
  fix *f = *state;
  char cmd[10000], crt[1024], key[1024], other[1024], okey[1024];
  snprintf(crt, sizeof crt, "%s/v.crt", f->dir);
  snprintf(key, sizeof key, "%s/v.key", f->dir);
  snprintf(other, sizeof other, "%s/o.crt", f->dir);
  snprintf(okey, sizeof okey, "%s/o.key", f->dir);
  for (int i = 0; i < 2; i++) {
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
             "-nodes -days 2 -subj /CN=127.0.0.1 -addext "
             "subjectAltName=IP:127.0.0.1 -keyout '%s' -out '%s' "
             ">/dev/null 2>&1",
             i ? okey : key, i ? other : crt);
    if (system(cmd) != 0) fail_msg("openssl req failed: %s", cmd);
  }
  char *vdir = tu_tmpdir();
  assert_int_equal(chmod(vdir, 0700), 0);
  sgxra_verifier_service *vs = NULL;
  sgxra_verifier_server *vsrv = NULL;
  sgxra_verifier_options vo = {.state_dir = vdir,
                               .pccs = f->pccs,
                               .trust_root = sgxra_x509_chain_get(f->root, 0)};
  OK(f->cx, sgxra_verifier_open(f->cx, &vo, &vs));
  sgxra_verifier_server_options so = {.listen = "127.0.0.1:0",
                                      .clock = test_clock,
                                      .threads = 2,
                                      .tls_cert_path = crt,
                                      .tls_key_path = key};
  OK(f->cx, sgxra_verifier_server_start(f->cx, vs, &so, &vsrv));
  char vurl[64];
  snprintf(vurl, sizeof vurl, "https://127.0.0.1:%u",
           sgxra_verifier_server_port(vsrv));
  for (int good = 1; good >= 0; good--) {
    sgxra_sp_options o = {.db_url = f->db,
                          .key = f->sp_key,
                          .verifier_url = vurl,
                          .verifier_ca_file = good ? crt : other,
                          .session_ttl = TTL,
                          .now = NOW};
    sgxra_sp *sp = NULL;
    sgxra_sp_server *srv = NULL;
    OK(f->cx, sgxra_sp_open(f->cx, &o, &sp));
    sgxra_sp_server_options sso = {
        .listen = "127.0.0.1:0", .clock = test_clock, .threads = 2};
    OK(f->cx, sgxra_sp_server_start(f->cx, sp, &sso, &srv));
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", sgxra_sp_server_port(srv));
    client cl;
    client_new(f, f->en, &cl);
    char id[33];
    open_session(f, &cl, url, id);
    size_t n3 = 0;
    uint8_t *m3 = to_msg3(f, &cl, url, id, &n3);
    if (good) {
      sgxra_ra_result res;
      finish(f, &cl, url, id, m3, n3, &res);
      assert_int_equal(res.trusted, 1);
      sgxra_ra_result_free(&res);
    } else {
      char u[256];
      post_url(u, sizeof u, url, id, "msg3");
      resp r = http("POST", u, m3, n3, NULL);
      expect_error(&r, 503, "SGXRA_E_NET_TLS");
    }
    free(m3);
    client_free(&cl);
    sgxra_sp_server_stop(srv);
    sgxra_sp_close(sp);
  }
  sgxra_verifier_server_stop(vsrv);
  sgxra_verifier_close(vs);
  tu_rmtree(vdir);
  free(vdir);
}

/* ---- a verifier in the middle
 * ------------------------------------------------------ A proxy in front of
 * the real `serve verifier` that changes one thing: the SP must notice each. */

enum { MITM_PASS, MITM_NONCE, MITM_QUOTE, MITM_SIG, MITM_NOTOKEN };

typedef struct mitm {
  char upstream[64];
  int mode;
  char *other_quote_b64; /* a genuine quote of another enclave */
} mitm;

typedef struct mreq {
  char *body;
  size_t len;
} mreq;

static resp upstream(const mitm *m, const char *method, const char *path,
                     const char *body) {
  char u[256];
  snprintf(u, sizeof u, "%s%s", m->upstream, path);
  return http_ct(method, u, body, body ? strlen(body) : 0, NULL,
                 "application/json");
}

static enum MHD_Result mitm_handler(void *cls, struct MHD_Connection *conn,
                                    const char *url, const char *method,
                                    const char *version, const char *data,
                                    size_t *size, void **con_cls) {
  (void)version;
  mitm *m = cls;
  mreq *rq = *con_cls;
  if (!rq) {
    *con_cls = calloc(1, sizeof(mreq));
    return MHD_YES;
  }
  if (*size) {
    rq->body = realloc(rq->body, rq->len + *size + 1);
    memcpy(rq->body + rq->len, data, *size);
    rq->len += *size;
    rq->body[rq->len] = 0;
    *size = 0;
    return MHD_YES;
  }
  resp r;
  char *out = NULL;
  if (!strcmp(method, "GET")) {
    r = upstream(m, "GET", url, NULL);
  } else {
    json_t *o = json_loadb(rq->body ? rq->body : "", rq->len, 0, NULL);
    if (m->mode == MITM_NONCE) {
      resp n = upstream(m, "GET", "/v1/nonce", NULL);
      json_object_set_new(o, "nonce",
                          json_loadb((char *)n.body, n.len, 0, NULL));
      resp_free(&n);
    }
    if (m->mode == MITM_QUOTE)
      json_object_set_new(o, "quote", json_string(m->other_quote_b64));
    char *b = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    r = upstream(m, "POST", url, b);
    free(b);
    json_t *a = json_loadb((char *)r.body, r.len, 0, NULL);
    const char *tok = json_string_value(json_object_get(a, "token"));
    if (tok && m->mode == MITM_SIG) {
      char *t = strdup(tok);
      size_t k = strlen(t) - 2; /* inside the signature */
      t[k] = t[k] == 'A' ? 'B' : 'A';
      json_object_set_new(a, "token", json_string(t));
      free(t);
    }
    if (m->mode == MITM_NOTOKEN) json_object_del(a, "token");
    out = json_dumps(a, JSON_COMPACT);
    json_decref(a);
  }
  struct MHD_Response *res = out ? MHD_create_response_from_buffer(
                                       strlen(out), out, MHD_RESPMEM_MUST_COPY)
                                 : MHD_create_response_from_buffer(
                                       r.len, r.body, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(res, "Content-Type", "application/json");
  enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r.status, res);
  MHD_destroy_response(res);
  free(out);
  resp_free(&r);
  return ret;
}

static void mitm_done(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  mreq *rq = *con_cls;
  if (rq) free(rq->body);
  free(rq);
  *con_cls = NULL;
}

/* Through the proxy: untouched, trusted; each change, 503 with its code. */
static void test_verifier_mitm(void **state) {
  fix *f = *state;
  char *vdir = tu_tmpdir();
  assert_int_equal(chmod(vdir, 0700), 0);
  sgxra_verifier_service *vs = NULL;
  sgxra_verifier_server *vsrv = NULL;
  sgxra_verifier_options vo = {.state_dir = vdir,
                               .pccs = f->pccs,
                               .trust_root = sgxra_x509_chain_get(f->root, 0)};
  OK(f->cx, sgxra_verifier_open(f->cx, &vo, &vs));
  sgxra_verifier_server_options so = {
      .listen = "127.0.0.1:0", .clock = test_clock, .threads = 2};
  OK(f->cx, sgxra_verifier_server_start(f->cx, vs, &so, &vsrv));
  mitm m;
  memset(&m, 0, sizeof m);
  snprintf(m.upstream, sizeof m.upstream, "http://127.0.0.1:%u",
           sgxra_verifier_server_port(vsrv));
  /* another enclave's genuine quote */
  uint8_t rd[64] = {0}, *q = NULL;
  size_t qn = 0;
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  sgxra_report rep;
  OK(f->cx, sgxra_emu_ereport(f->cx, f->en_other, &ti, rd, &rep));
  OK(f->cx, sgxra_qe_quote(f->cx, f->qe, &rep, 3, &q, &qn));
  m.other_quote_b64 =
      malloc(sgxra_base64_encoded_len(qn, SGXRA_BASE64_STD) + 1);
  sgxra_base64_encode(q, qn, m.other_quote_b64);
  free(q);
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, mitm_handler, &m,
      MHD_OPTION_NOTIFY_COMPLETED, mitm_done, NULL, MHD_OPTION_END);
  assert_non_null(d);
  const union MHD_DaemonInfo *di =
      MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  char purl[64];
  snprintf(purl, sizeof purl, "http://127.0.0.1:%u", di->port);
  sgxra_sp_options o = {.db_url = f->db,
                        .key = f->sp_key,
                        .verifier_url = purl,
                        .session_ttl = TTL,
                        .now = NOW};
  sgxra_sp *sp = NULL;
  sgxra_sp_server *srv = NULL;
  OK(f->cx, sgxra_sp_open(f->cx, &o, &sp));
  sgxra_sp_server_options sso = {
      .listen = "127.0.0.1:0", .clock = test_clock, .threads = 2};
  OK(f->cx, sgxra_sp_server_start(f->cx, sp, &sso, &srv));
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", sgxra_sp_server_port(srv));
  static const struct {
    int mode;
    const char *code;
  } cases[] = {{MITM_PASS, NULL},
               {MITM_NONCE, "SGXRA_E_NET_BAD_RESPONSE"},
               {MITM_QUOTE, "SGXRA_E_NET_BAD_RESPONSE"},
               {MITM_SIG, "SGXRA_E_CRYPTO_SIG_INVALID"},
               {MITM_NOTOKEN, "SGXRA_E_NET_BAD_RESPONSE"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    m.mode = cases[i].mode;
    client cl;
    client_new(f, f->en, &cl);
    char id[33];
    open_session(f, &cl, url, id);
    size_t n3 = 0;
    uint8_t *m3 = to_msg3(f, &cl, url, id, &n3);
    if (!cases[i].code) {
      sgxra_ra_result res;
      finish(f, &cl, url, id, m3, n3, &res);
      assert_int_equal(res.trusted, 1);
      sgxra_ra_result_free(&res);
    } else {
      char u[256];
      post_url(u, sizeof u, url, id, "msg3");
      resp r = http("POST", u, m3, n3, NULL);
      expect_error(&r, 503, cases[i].code);
    }
    free(m3);
    client_free(&cl);
  }
  sgxra_sp_server_stop(srv);
  sgxra_sp_close(sp);
  MHD_stop_daemon(d);
  free(m.other_quote_b64);
  sgxra_verifier_server_stop(vsrv);
  sgxra_verifier_close(vs);
  tu_rmtree(vdir);
  free(vdir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_admin_auth),
      cmocka_unit_test(test_admin_enclave_file),
      cmocka_unit_test(test_good_path),
      cmocka_unit_test(test_not_registered),
      cmocka_unit_test(test_two_replicas),
      cmocka_unit_test(test_refusals),
      cmocka_unit_test(test_binding),
      cmocka_unit_test(test_service_routes),
      cmocka_unit_test(test_deny),
      cmocka_unit_test(test_replay_race),
      cmocka_unit_test(test_concurrent_sessions),
      cmocka_unit_test(test_garbage),
      cmocka_unit_test(test_verifier_tls),
      cmocka_unit_test(test_verifier_mitm),
      cmocka_unit_test(test_pg_replicas),
      cmocka_unit_test(test_remote_verifier),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
