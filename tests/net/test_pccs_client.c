/* Tests of the PCS/PCCS collateral client (sgxra/pccs.h): the QCNL
 * configuration and its precedence; against the in-process simulated PCS an
 * emulated platform's quote fetched and verified, the memory cache, a store
 * shared by clients, a cached copy used when the server is gone and refused
 * once expired; against tests/net/fakepcs.py (recorded real PCS responses)
 * every real bundle's verdict, and each injected fault's precise error. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/testdb.h"
#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/emu.h"
#include "sgxra/file.h"
#include "sgxra/intelca.h"
#include "sgxra/pccs.h"
#include "sgxra/pcs.h"
#include "sgxra/qe.h"
#include "sgxra/quote.h"
#include "sgxra/sigstruct.h"
#include "sgxra/store.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

/* ---- configuration ----------------------------------------------------------
 */

static const char intel_conf[] =
    "{\n"
    "  // *** ATTENTION : This file is in JSON format so the keys are case "
    "sensitive. Don't change them.\n"
    "  \n"
    "  //PCCS server address\n"
    "  \"pccs_url\": \"https://localhost:8081/sgx/certification/v4/\"\n"
    "\n"
    "  // To accept insecure HTTPS certificate, set this option to false\n"
    "  ,\"use_secure_cert\": false\n"
    "  //,\"collateral_service\": "
    "\"https://api.trustedservices.intel.com/sgx/certification/v4/\"\n"
    "  //,\"pccs_api_version\": \"3.1\"\n"
    "  ,\"retry_times\": 3\n"
    "  ,\"retry_delay\": 2\n"
    "  //,\"local_pck_url\": \"http://localhost:8081/sgx/certification/v4/\"\n"
    "  ,\"pck_cache_expire_hours\": 168\n"
    "  ,\"verify_collateral_cache_expire_hours\": 24\n"
    "  ,\"local_cache_only\": false\n"
    "  ,\"some_future_key\": [1, 2]\n"
    "}\n";

static void config_intel_file(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pccs_config c;
  sgxra_pccs_config_init(&c);
  assert_string_equal(c.base_url, SGXRA_PCCS_INTEL_PCS_URL);
  assert_int_equal(c.use_secure_cert, 1);
  assert_int_equal(c.retry_times, 6);
  assert_int_equal(c.retry_delay_ms, 10000);
  if (sgxra_pccs_config_load_qcnl(cx, &c, "conf", intel_conf,
                                  strlen(intel_conf)))
    fail_msg("%s", sgxra_ctx_message(cx));
  assert_string_equal(c.base_url,
                      "https://localhost:8081/sgx/certification/v4/");
  assert_int_equal(c.use_secure_cert, 0);
  assert_int_equal(c.retry_times, 3);
  assert_int_equal(c.retry_delay_ms, 2000);
  assert_int_equal(c.cache_expire_hours, 24);
  assert_int_equal(c.url_origin, SGXRA_PCCS_URL_CONF);

  /* collateral_service wins over pccs_url for collateral */
  static const char cs[] = "{\"pccs_url\":\"https://a.example/\","
                           "\"collateral_service\":\"http://b.example:99\"}";
  assert_int_equal(sgxra_pccs_config_load_qcnl(cx, &c, "cs", cs, strlen(cs)),
                   SGXRA_OK);
  assert_string_equal(c.base_url, "http://b.example:99/sgx/certification/v4/");
  assert_string_equal(c.pccs_url, "https://a.example/sgx/certification/v4/");

  /* type errors name the key; the config is unchanged */
  static const char bad1[] = "{\"retry_times\": \"6\"}";
  assert_int_equal(
      sgxra_pccs_config_load_qcnl(cx, &c, "f.conf", bad1, strlen(bad1)),
      SGXRA_E_PCCS_CONFIG);
  assert_non_null(strstr(sgxra_ctx_message(cx), "\"retry_times\""));
  assert_non_null(strstr(sgxra_ctx_message(cx), "f.conf"));
  assert_int_equal(c.retry_times, 3);
  static const char bad2[] = "{\"use_secure_cert\": 1}";
  assert_int_equal(
      sgxra_pccs_config_load_qcnl(cx, &c, "f.conf", bad2, strlen(bad2)),
      SGXRA_E_PCCS_CONFIG);
  assert_non_null(strstr(sgxra_ctx_message(cx), "use_secure_cert"));
  static const char bad3[] = "{\"pccs_url\": \"ftp://x/\"}";
  assert_int_equal(
      sgxra_pccs_config_load_qcnl(cx, &c, "f.conf", bad3, strlen(bad3)),
      SGXRA_E_PCCS_CONFIG);
  assert_non_null(strstr(sgxra_ctx_message(cx), "pccs_url"));
  static const char bad4[] = "{\"retry_times\": 3,,}";
  assert_int_equal(
      sgxra_pccs_config_load_qcnl(cx, &c, "f.conf", bad4, strlen(bad4)),
      SGXRA_E_PCCS_CONFIG);
  static const char bad5[] = "{\"pccs_api_version\": \"4.0\"}";
  assert_int_equal(
      sgxra_pccs_config_load_qcnl(cx, &c, "f.conf", bad5, strlen(bad5)),
      SGXRA_E_PCCS_CONFIG);
  assert_string_equal(c.base_url, "http://b.example:99/sgx/certification/v4/");

  /* URL normalisation */
  assert_int_equal(sgxra_pccs_config_set_url(cx, &c, "http://h:1"), SGXRA_OK);
  assert_string_equal(c.base_url, "http://h:1/sgx/certification/v4/");
  assert_int_equal(
      sgxra_pccs_config_set_url(cx, &c, "https://h/p/sgx/certification/v3"),
      SGXRA_OK);
  assert_string_equal(c.base_url, "https://h/p/sgx/certification/v3/");
  assert_int_equal(sgxra_pccs_config_set_url(cx, &c, "h:1"),
                   SGXRA_E_PCCS_CONFIG);
  assert_int_equal(sgxra_pccs_config_set_url(cx, &c, "http://"),
                   SGXRA_E_PCCS_CONFIG);
  sgxra_ctx_free(cx);
}

static void config_precedence(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  char *dir = tu_tmpdir();
  char path[4200];
  snprintf(path, sizeof path, "%s/qcnl.conf", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(intel_conf, f);
  fclose(f);
  sgxra_pccs_config c;

  sgxra_pccs_config_init(&c);
  assert_int_equal(sgxra_pccs_config_resolve(cx, &c, NULL, NULL, path),
                   SGXRA_OK);
  assert_string_equal(c.base_url,
                      "https://localhost:8081/sgx/certification/v4/");
  assert_int_equal(c.url_origin, SGXRA_PCCS_URL_CONF);

  sgxra_pccs_config_init(&c);
  assert_int_equal(
      sgxra_pccs_config_resolve(cx, &c, NULL, "http://env.example", path),
      SGXRA_OK);
  assert_string_equal(c.base_url, "http://env.example/sgx/certification/v4/");
  assert_int_equal(c.url_origin, SGXRA_PCCS_URL_ENV);
  assert_int_equal(c.retry_times, 3); /* the file's other settings stay */

  sgxra_pccs_config_init(&c);
  assert_int_equal(sgxra_pccs_config_resolve(cx, &c, "http://flag.example",
                                             "http://env.example", path),
                   SGXRA_OK);
  assert_string_equal(c.base_url, "http://flag.example/sgx/certification/v4/");
  assert_int_equal(c.url_origin, SGXRA_PCCS_URL_FLAG);

  /* an explicit file must exist; a bad env URL is named */
  char missing[4200];
  snprintf(missing, sizeof missing, "%s/none.conf", dir);
  sgxra_pccs_config_init(&c);
  assert_int_equal(sgxra_pccs_config_resolve(cx, &c, NULL, NULL, missing),
                   SGXRA_E_IO);
  assert_int_equal(sgxra_pccs_config_resolve(cx, &c, NULL, "nope", path),
                   SGXRA_E_PCCS_CONFIG);
  assert_non_null(strstr(sgxra_ctx_message(cx), "SGXRA_PCCS_URL"));
  tu_rmtree(dir);
  free(dir);
  sgxra_ctx_free(cx);
}

static void keys(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_store_collateral_key k;
  assert_int_equal(
      sgxra_pccs_key_make(cx, "00906ED50000", "platform", NULL, &k), SGXRA_OK);
  tu_assert_hex(k.fmspc, 6, "00906ed50000");
  assert_string_equal(k.ca, "platform");
  assert_string_equal(k.update, "standard");
  assert_int_equal(sgxra_pccs_key_make(cx, "00906ED5000", "platform", NULL, &k),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(sgxra_pccs_key_make(cx, "00906ED50000", "other", NULL, &k),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(
      sgxra_pccs_key_make(cx, "00906ED50000", "processor", "late", &k),
      SGXRA_E_INVALID_ARGUMENT);
  /* a real quote: sgx-01 (Processor CA, FMSPC 00a067110000) */
  size_t n = 0;
  uint8_t *q = tu_read_vector("dcap/bundles/sgx-01-phala-v3/quote.bin", &n);
  assert_int_equal(sgxra_pccs_key_from_quote(cx, q, n, "early", &k), SGXRA_OK);
  tu_assert_hex(k.fmspc, 6, "00a067110000");
  assert_string_equal(k.ca, "processor");
  assert_string_equal(k.update, "early");
  assert_int_not_equal(sgxra_pccs_key_from_quote(cx, q, 100, NULL, &k),
                       SGXRA_OK);
  free(q);
  sgxra_ctx_free(cx);
}

/* ---- the simulated PCS
 * -------------------------------------------------------- */

typedef struct simfix {
  char *dir;
  char cadir[4096];
  sgxra_ctx *cx;
  sgxra_intelca *ca;
  sgxra_emu_platform *plat;
  sgxra_qe *qe;
  sgxra_pcs_server *srv;
  sgxra_x509_chain *root;
  uint8_t *quote;
  size_t quote_len;
  char serial[41];
  char url[128];
} simfix;

static int sim_setup(void **state) {
  simfix *f = calloc(1, sizeof(*f));
  f->dir = tu_tmpdir();
  f->cx = sgxra_ctx_new();
  snprintf(f->cadir, sizeof f->cadir, "%s/ca", f->dir);
  if (sgxra_intelca_create(f->cx, f->cadir, NOW, &f->ca))
    fail_msg("CA: %s", sgxra_ctx_message(f->cx));
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  uint16_t pcesvn;
  sgxra_intelca_tcb_current(f->ca, cfg.tcb_svns, &pcesvn);
  cfg.pcesvn = pcesvn;
  if (sgxra_emu_platform_new(f->cx, &cfg, &f->plat) ||
      sgxra_qe_provision(f->cx, f->plat, f->ca, f->dir, NOW, f->serial) ||
      sgxra_qe_open(f->cx, f->plat, f->dir, &f->qe))
    fail_msg("platform: %s", sgxra_ctx_message(f->cx));
  size_t kn = 0;
  uint8_t *kp = tu_read_vector("identity/fortanix-rust-sgx/sig1.key.pem", &kn);
  sgxra_rsa_key *k = NULL;
  assert_int_equal(sgxra_rsa_load_private(f->cx, kp, kn, &k), SGXRA_OK);
  free(kp);
  uint8_t ss[SGXRA_SIGSTRUCT_SIZE];
  assert_int_equal(sgxra_qe_sign_image(f->cx, k, "pccs enclave", 7, 1, ss),
                   SGXRA_OK);
  sgxra_rsa_free(k);
  sgxra_emu_enclave *en = NULL;
  if (sgxra_qe_start_image(f->cx, f->plat, "pccs enclave", ss, sizeof ss, &en))
    fail_msg("enclave: %s", sgxra_ctx_message(f->cx));
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  sgxra_report r;
  uint8_t rd[64] = {1, 2, 3};
  assert_int_equal(sgxra_emu_ereport(f->cx, en, &ti, rd, &r), SGXRA_OK);
  assert_int_equal(
      sgxra_qe_quote(f->cx, f->qe, &r, 3, &f->quote, &f->quote_len), SGXRA_OK);
  sgxra_emu_enclave_free(en);
  const char *rp = sgxra_intelca_root_pem(f->ca);
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)rp,
                                              strlen(rp), &f->root),
                   SGXRA_OK);
  sgxra_pcs_options opt = {.listen = "127.0.0.1:0", .now = NOW};
  if (sgxra_pcs_start(f->cx, f->cadir, &opt, &f->srv))
    fail_msg("PCS: %s", sgxra_ctx_message(f->cx));
  snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u",
           sgxra_pcs_port(f->srv));
  *state = f;
  return 0;
}

static int sim_teardown(void **state) {
  simfix *f = *state;
  sgxra_pcs_stop(f->srv);
  sgxra_x509_chain_free(f->root);
  free(f->quote);
  sgxra_qe_free(f->qe);
  sgxra_emu_platform_free(f->plat);
  sgxra_intelca_free(f->ca);
  sgxra_ctx_free(f->cx);
  tu_rmtree(f->dir);
  free(f->dir);
  free(f);
  return 0;
}

static void test_config(sgxra_pccs_config *c, const char *url) {
  sgxra_pccs_config_init(c);
  assert_int_equal(sgxra_pccs_config_set_url(NULL, c, url), SGXRA_OK);
  c->retry_times = 0;
  c->retry_delay_ms = 20;
  c->connect_timeout_ms = 2000;
  c->total_timeout_ms = 5000;
}

static void verify_uptodate(simfix *f, const sgxra_pccs_result *r,
                            int64_t now) {
  sgxra_verdict vd;
  assert_int_equal(
      sgxra_verify_quote(f->cx, f->quote, f->quote_len, r->collateral,
                         sgxra_x509_chain_get(f->root, 0), now, &vd),
      SGXRA_OK);
  if (vd.err) fail_msg("verdict: %s", vd.reason);
  assert_string_equal(vd.qv_result, "SGX_QL_QV_RESULT_OK");
  assert_int_equal(vd.final_status ? vd.final_status : vd.tcb_status,
                   SGXRA_TCB_UP_TO_DATE);
}

static void sim_fetch_memory_stale(void **state) {
  simfix *f = *state;
  sgxra_pccs_config c;
  test_config(&c, f->url);
  sgxra_pccs_client *cl = NULL;
  assert_int_equal(sgxra_pccs_client_new(f->cx, &c, NULL, NULL, &cl), SGXRA_OK);
  sgxra_store_collateral_key key;
  assert_int_equal(
      sgxra_pccs_key_from_quote(f->cx, f->quote, f->quote_len, NULL, &key),
      SGXRA_OK);
  assert_string_equal(key.ca, "platform");
  const sgxra_x509_cert *root = sgxra_x509_chain_get(f->root, 0);
  sgxra_pccs_result *r = NULL;
  if (sgxra_pccs_get_collateral(f->cx, cl, &key, root, NOW, &r))
    fail_msg("get: %s", sgxra_ctx_message(f->cx));
  assert_int_equal(r->info.origin, SGXRA_PCCS_FROM_NETWORK);
  assert_int_equal(r->info.from_cache, 0);
  assert_int_equal(r->info.http_requests, 4);
  assert_int_equal(r->info.fetched_at, NOW);
  assert_true(r->info.next_update > NOW);
  assert_int_equal(r->info.tcb_eval_num,
                   sgxra_intelca_tcb_evaluation_number(f->ca));
  assert_non_null(strstr(r->info.source, f->url));
  verify_uptodate(f, r, NOW);
  int64_t next = r->info.next_update;
  sgxra_pccs_result_free(r);
  uint64_t served = sgxra_pcs_requests(f->srv);
  assert_int_equal(served, 4);

  /* second get: memory, no request */
  assert_int_equal(
      sgxra_pccs_get_collateral(f->cx, cl, &key, root, NOW + 60, &r), SGXRA_OK);
  assert_int_equal(r->info.origin, SGXRA_PCCS_FROM_MEMORY);
  assert_int_equal(r->info.http_requests, 0);
  assert_int_equal(r->info.stale, 0);
  verify_uptodate(f, r, NOW + 60);
  sgxra_pccs_result_free(r);
  assert_int_equal(sgxra_pcs_requests(f->srv), served);

  /* server gone: a copy past its refresh point but still valid is used
   * and flagged */
  sgxra_pcs_stop(f->srv);
  f->srv = NULL;
  int64_t late = next - 600;
  assert_int_equal(sgxra_pccs_get_collateral(f->cx, cl, &key, root, late, &r),
                   SGXRA_OK);
  assert_int_equal(r->info.from_cache, 1);
  assert_int_equal(r->info.stale, 1);
  assert_int_equal(r->info.refresh_failed, 1);
  assert_int_equal(r->info.refresh_error, SGXRA_E_NET_CONNECT);
  assert_int_equal(r->info.http_requests, 1);
  verify_uptodate(f, r, late);
  sgxra_pccs_result_free(r);

  /* expired copy + no server: an error, no collateral */
  r = (sgxra_pccs_result *)1;
  assert_int_equal(
      sgxra_pccs_get_collateral(f->cx, cl, &key, root, next + 1, &r),
      SGXRA_E_COLLATERAL_STALE);
  assert_null(r);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "SGXRA_E_NET_CONNECT"));

  /* local_cache_only: a client with nothing cached never fetches */
  sgxra_pccs_client *c2 = NULL;
  c.local_cache_only = 1;
  assert_int_equal(sgxra_pccs_client_new(f->cx, &c, NULL, NULL, &c2), SGXRA_OK);
  assert_int_equal(sgxra_pccs_get_collateral(f->cx, c2, &key, root, NOW, &r),
                   SGXRA_E_CACHE_ONLY_MISS);
  assert_int_equal(sgxra_pccs_client_requests(c2), 0);
  sgxra_pccs_client_free(c2);
  sgxra_pccs_client_free(cl);
}

/* A store shared by clients: a new client (another process in real life)
 * gets the key from the store with no HTTP request. */
static void sim_store(void **state) {
  simfix *f = *state;
  tu_db db;
  tu_db_init(&db, 0);
  sgxra_store *st = NULL;
  assert_int_equal(sgxra_store_open(f->cx, db.url, NOW, &st), SGXRA_OK);
  sgxra_pccs_config c;
  test_config(&c, f->url);
  sgxra_store_collateral_key key;
  assert_int_equal(
      sgxra_pccs_key_from_quote(f->cx, f->quote, f->quote_len, NULL, &key),
      SGXRA_OK);
  const sgxra_x509_cert *root = sgxra_x509_chain_get(f->root, 0);
  sgxra_pccs_client *a = NULL, *b = NULL;
  assert_int_equal(sgxra_pccs_client_new(f->cx, &c, st, "a", &a), SGXRA_OK);
  sgxra_pccs_result *r = NULL;
  if (sgxra_pccs_get_collateral(f->cx, a, &key, root, NOW, &r))
    fail_msg("get: %s", sgxra_ctx_message(f->cx));
  assert_int_equal(r->info.origin, SGXRA_PCCS_FROM_NETWORK);
  sgxra_pccs_result_free(r);
  sgxra_pccs_client_free(a);
  uint64_t served = sgxra_pcs_requests(f->srv);

  /* the entry is in the store, with its dates */
  sgxra_store_collateral *got = NULL;
  int found = 0;
  assert_int_equal(sgxra_store_collateral_get(f->cx, st, &key, &got, &found),
                   SGXRA_OK);
  assert_int_equal(found, 1);
  assert_int_equal(got->fetched_at, NOW);
  assert_true(got->next_update > NOW);
  sgxra_store_free(got);

  assert_int_equal(sgxra_pccs_client_new(f->cx, &c, st, "b", &b), SGXRA_OK);
  assert_int_equal(sgxra_pccs_get_collateral(f->cx, b, &key, root, NOW + 5, &r),
                   SGXRA_OK);
  assert_int_equal(r->info.origin, SGXRA_PCCS_FROM_STORE);
  assert_int_equal(r->info.http_requests, 0);
  assert_int_equal(r->info.fetched_at, NOW);
  verify_uptodate(f, r, NOW + 5);
  sgxra_pccs_result_free(r);
  assert_int_equal(sgxra_pccs_client_requests(b), 0);
  assert_int_equal(sgxra_pcs_requests(f->srv), served);
  /* a stored copy validated again: with Intel's root it is refused and
   * fetched (and refused) instead of being served */
  assert_int_equal(sgxra_pccs_get_collateral(f->cx, b, &key, NULL, NOW + 5, &r),
                   SGXRA_E_COLLATERAL_UNVERIFIED);
  assert_null(r);
  sgxra_pccs_client_free(b);
  sgxra_store_close(st);
  tu_db_done(&db);
}

/* Threads sharing one client fetch a key once. */
typedef struct thr_arg {
  sgxra_pccs_client *cl;
  const sgxra_store_collateral_key *key;
  const sgxra_x509_cert *root;
  sgxra_err err;
  sgxra_pccs_origin origin;
} thr_arg;

static void *thr_get(void *p) {
  thr_arg *a = p;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pccs_result *r = NULL;
  a->err = sgxra_pccs_get_collateral(cx, a->cl, a->key, a->root, NOW, &r);
  if (!a->err) a->origin = r->info.origin;
  sgxra_pccs_result_free(r);
  sgxra_ctx_free(cx);
  return NULL;
}

static void sim_threads(void **state) {
  simfix *f = *state;
  sgxra_pccs_config c;
  test_config(&c, f->url);
  sgxra_pccs_client *cl = NULL;
  assert_int_equal(sgxra_pccs_client_new(f->cx, &c, NULL, NULL, &cl), SGXRA_OK);
  sgxra_store_collateral_key key;
  assert_int_equal(
      sgxra_pccs_key_from_quote(f->cx, f->quote, f->quote_len, NULL, &key),
      SGXRA_OK);
  enum { N = 8 };
  pthread_t th[N];
  thr_arg args[N];
  for (int i = 0; i < N; i++) {
    args[i] = (thr_arg){cl, &key, sgxra_x509_chain_get(f->root, 0), 0, 0};
    assert_int_equal(pthread_create(&th[i], NULL, thr_get, &args[i]), 0);
  }
  int net = 0;
  for (int i = 0; i < N; i++) {
    pthread_join(th[i], NULL);
    assert_int_equal(args[i].err, SGXRA_OK);
    if (args[i].origin == SGXRA_PCCS_FROM_NETWORK)
      net++;
    else
      assert_int_equal(args[i].origin, SGXRA_PCCS_FROM_MEMORY);
  }
  assert_int_equal(net, 1);
  assert_int_equal(sgxra_pcs_requests(f->srv), 4);
  assert_int_equal(sgxra_pccs_client_requests(cl), 4);
  sgxra_pccs_client_free(cl);
}

/* Intel's root is not the simulated one: nothing is returned nor cached. */
static void sim_wrong_root(void **state) {
  simfix *f = *state;
  sgxra_pccs_config c;
  test_config(&c, f->url);
  sgxra_pccs_client *cl = NULL;
  assert_int_equal(sgxra_pccs_client_new(f->cx, &c, NULL, NULL, &cl), SGXRA_OK);
  sgxra_store_collateral_key key;
  assert_int_equal(
      sgxra_pccs_key_from_quote(f->cx, f->quote, f->quote_len, NULL, &key),
      SGXRA_OK);
  sgxra_pccs_result *r = NULL;
  assert_int_equal(sgxra_pccs_get_collateral(f->cx, cl, &key, NULL, NOW, &r),
                   SGXRA_E_COLLATERAL_UNVERIFIED);
  assert_null(r);
  /* nothing cached: the next get fetches again (4 more requests) */
  assert_int_equal(sgxra_pccs_get_collateral(f->cx, cl, &key, NULL, NOW, &r),
                   SGXRA_E_COLLATERAL_UNVERIFIED);
  assert_int_equal(sgxra_pccs_client_requests(cl), 8);
  /* an FMSPC the PCS does not serve: 404 named */
  key.fmspc[0] ^= 0xff;
  assert_int_equal(sgxra_pccs_get_collateral(f->cx, cl, &key, NULL, NOW, &r),
                   SGXRA_E_NET_HTTP);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "HTTP 404"));
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "tcb?fmspc="));
  sgxra_pccs_client_free(cl);
}

/* ---- fakepcs.py -------------------------------------------------------------
 */

typedef struct fake {
  pid_t pid;
  char url[128]; /* http://127.0.0.1:PORT/ */
} fake;

static int have_python(void) {
  return system("python3 -c 'import sys' >/dev/null 2>&1") == 0;
}

static int fake_start(fake *fk, const char *bundles) {
  int p[2];
  if (pipe(p)) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(p[1], 1);
    close(p[0]);
    close(p[1]);
    execlp("python3", "python3", SGXRA_SOURCE_DIR "/tests/net/fakepcs.py",
           "--bundles", bundles, "--listen", "127.0.0.1:0", (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  FILE *in = fdopen(p[0], "r");
  char line[256] = "";
  int ok = in && fgets(line, sizeof line, in) &&
           sscanf(line, "listening on %127s", fk->url) == 1;
  if (in) fclose(in);
  fk->pid = pid;
  if (!ok) {
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    fk->pid = 0;
    return -1;
  }
  return 0;
}

/* SIGTERM, then SIGKILL if it has not gone within 5 s: a server left
 * behind would hold ctest's output pipe open and hang the run. */
static void fake_stop(fake *fk) {
  if (fk->pid > 0) {
    kill(fk->pid, SIGTERM);
    int gone = 0;
    for (int i = 0; i < 500 && !gone; i++) {
      pid_t w = waitpid(fk->pid, NULL, WNOHANG);
      gone = w == fk->pid || (w < 0 && errno == ECHILD);
      if (!gone) usleep(10000);
    }
    if (!gone) {
      kill(fk->pid, SIGKILL);
      waitpid(fk->pid, NULL, 0);
    }
  }
  fk->pid = 0;
}

static size_t sink(char *p, size_t sz, size_t n, void *arg) {
  json_t **out = arg;
  json_error_t je;
  json_decref(*out);
  *out = json_loadb(p, sz * n, 0, &je);
  return sz * n;
}

/* GET /_stats ("route" count) or POST /_fault. */
static long fake_ctl(const fake *fk, const char *path, int post,
                     const char *route) {
  char url[512];
  snprintf(url, sizeof url, "%s%s", fk->url, path);
  CURL *h = curl_easy_init();
  json_t *j = NULL;
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &j);
  if (post) curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
  assert_int_equal(curl_easy_perform(h), CURLE_OK);
  curl_easy_cleanup(h);
  long v = 0;
  if (route) {
    assert_non_null(j);
    v = (long)json_integer_value(json_object_get(j, route));
  }
  json_decref(j);
  return v;
}

static long fake_count(const fake *fk, const char *route) {
  return fake_ctl(fk, "_stats", 0, route);
}

static void fake_fault(const fake *fk, const char *route, const char *mode) {
  char p[128];
  snprintf(p, sizeof p, "_fault?route=%s&mode=%s", route, mode);
  fake_ctl(fk, p, 1, NULL);
}

typedef struct bundle_case {
  char dir[1024];
  char name[256];
  int64_t at;
} bundle_case;

static int64_t bundle_time(const char *dir) {
  char p[1200];
  snprintf(p, sizeof p, "%s/expected.json", dir);
  json_error_t je;
  json_t *j = json_load_file(p, 0, &je);
  if (!j) return -1;
  int64_t t =
      (int64_t)json_integer_value(json_object_get(j, "verification_time_unix"));
  json_decref(j);
  return t;
}

static void real_bundles(void **state) {
  (void)state;
  if (!have_python()) skip();
  const char *bdir = tu_vector_path("dcap/bundles");
  fake fk;
  if (fake_start(&fk, bdir)) fail_msg("fakepcs.py did not start");
  sgxra_ctx *cx = sgxra_ctx_new();
  DIR *d = opendir(bdir);
  assert_non_null(d);
  struct dirent *de;
  int cases = 0;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    bundle_case bc;
    snprintf(bc.name, sizeof bc.name, "%s", de->d_name);
    snprintf(bc.dir, sizeof bc.dir, "%s/%s", bdir, de->d_name);
    bc.at = bundle_time(bc.dir);
    if (bc.at <= 0) continue;
    char qp[1200];
    snprintf(qp, sizeof qp, "%s/quote.bin", bc.dir);
    uint8_t *q = NULL;
    size_t qn = 0;
    assert_int_equal(sgxra_file_read(cx, qp, 1 << 20, &q, &qn), SGXRA_OK);
    /* offline verdict */
    sgxra_collateral *off = NULL;
    sgxra_verdict v1, v2;
    assert_int_equal(sgxra_collateral_load_dir(cx, bc.dir, &off), SGXRA_OK);
    assert_int_equal(sgxra_verify_quote(cx, q, qn, off, NULL, bc.at, &v1),
                     SGXRA_OK);
    /* fetched */
    sgxra_pccs_config c;
    char url[512];
    snprintf(url, sizeof url, "%s%s/", fk.url, bc.name);
    test_config(&c, url);
    sgxra_pccs_client *cl = NULL;
    assert_int_equal(sgxra_pccs_client_new(cx, &c, NULL, NULL, &cl), SGXRA_OK);
    sgxra_store_collateral_key key;
    const char *update = strstr(bc.name, "early") ? "early" : "standard";
    assert_int_equal(sgxra_pccs_key_from_quote(cx, q, qn, update, &key),
                     SGXRA_OK);
    sgxra_pccs_result *r = NULL;
    if (sgxra_pccs_get_collateral(cx, cl, &key, NULL, bc.at, &r))
      fail_msg("%s: %s [%s]", bc.name, sgxra_ctx_message(cx),
               sgxra_err_name(sgxra_ctx_error(cx)));
    assert_int_equal(
        sgxra_verify_quote(cx, q, qn, r->collateral, NULL, bc.at, &v2),
        SGXRA_OK);
    if (v1.ql_return != v2.ql_return || strcmp(v1.qv_result, v2.qv_result) ||
        v1.collateral_expired != v2.collateral_expired ||
        v1.tcb_status != v2.tcb_status || v1.err != v2.err)
      fail_msg("%s: offline %s/%s, fetched %s/%s", bc.name,
               sgxra_ql_result_name(v1.ql_return), v1.qv_result,
               sgxra_ql_result_name(v2.ql_return), v2.qv_result);
    /* the fetched items are the bundle's bytes */
    char tp[1200];
    snprintf(tp, sizeof tp, "%s/tcb_info.json", bc.dir);
    uint8_t *tb = NULL;
    size_t tn = 0;
    assert_int_equal(sgxra_file_read(cx, tp, 1 << 22, &tb, &tn), SGXRA_OK);
    assert_int_equal(tn, r->entry.items.tcb_info_len);
    assert_memory_equal(tb, r->entry.items.tcb_info, tn);
    free(tb);
    sgxra_pccs_result_free(r);
    sgxra_pccs_client_free(cl);
    sgxra_collateral_free(off);
    free(q);
    cases++;
  }
  closedir(d);
  assert_true(cases >= 10);
  sgxra_ctx_free(cx);
  fake_stop(&fk);
}

typedef struct fault_case {
  const char *route, *mode;
  unsigned retries;
  sgxra_err want; /* SGXRA_OK: success after retries */
  const char *msg;
  const char *count_route;
  long count; /* requests of count_route this get made */
} fault_case;

static void faults(void **state) {
  (void)state;
  if (!have_python()) skip();
  const char *bdir = tu_vector_path("dcap/bundles");
  fake fk;
  if (fake_start(&fk, bdir)) fail_msg("fakepcs.py did not start");
  static const char name[] = "sgx-01-phala-v3";
  sgxra_ctx *cx = sgxra_ctx_new();
  char qp[1200], dir[1100];
  snprintf(dir, sizeof dir, "%s/%s", bdir, name);
  snprintf(qp, sizeof qp, "%s/quote.bin", dir);
  int64_t at = bundle_time(dir);
  uint8_t *q = NULL;
  size_t qn = 0;
  assert_int_equal(sgxra_file_read(cx, qp, 1 << 20, &q, &qn), SGXRA_OK);
  sgxra_store_collateral_key key;
  assert_int_equal(sgxra_pccs_key_from_quote(cx, q, qn, NULL, &key), SGXRA_OK);
  static const fault_case cases[] = {
      {"tcb", "404", 3, SGXRA_E_NET_HTTP, "HTTP 404", "tcb", 1},
      {"qe", "404", 3, SGXRA_E_NET_HTTP, "Error-Code", "qe", 1},
      /* QCNL retries 503 and transport failures only: a 429 or a 500 is
       * answered at once, whatever retry_times says */
      {"tcb", "429", 2, SGXRA_E_NET_RATE_LIMITED, "Retry-After 1", "tcb", 1},
      {"tcb", "429@1", 2, SGXRA_E_NET_RATE_LIMITED, "Retry-After 1", "tcb", 1},
      {"tcb", "500@1", 2, SGXRA_E_NET_HTTP, "HTTP 500", "tcb", 1},
      {"pckcrl", "503@2", 2, SGXRA_OK, NULL, "pckcrl", 3},
      {"qe", "503", 2, SGXRA_E_NET_HTTP, "HTTP 503", "qe", 3},
      {"rootcacrl", "500", 2, SGXRA_E_NET_HTTP, "HTTP 500", "rootcacrl", 1},
      {"tcb", "timeout", 0, SGXRA_E_NET_TIMEOUT, "tcb?fmspc=", "tcb", 1},
      {"qe", "truncate", 0, SGXRA_E_NET_TRUNCATED, "Content-Length", "qe", 1},
      {"tcb", "badchain", 3, SGXRA_E_COLLATERAL_UNVERIFIED, "does not validate",
       "tcb", 1},
      {"tcb", "badsig", 3, SGXRA_E_COLLATERAL_UNVERIFIED,
       "SGXRA_E_TCBINFO_SIGNATURE", "tcb", 1},
      {"qe", "badsig", 3, SGXRA_E_COLLATERAL_UNVERIFIED,
       "SGXRA_E_QEID_SIGNATURE", "qe", 1},
      {"pckcrl", "reset", 0, SGXRA_E_NET_CLOSED, "pckcrl?ca=", "pckcrl", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const fault_case *fc = &cases[i];
    fake_fault(&fk, "all", "none");
    fake_fault(&fk, fc->route, fc->mode);
    long before = fake_count(&fk, fc->count_route);
    sgxra_pccs_config c;
    char url[512];
    snprintf(url, sizeof url, "%s%s/", fk.url, name);
    test_config(&c, url);
    c.retry_times = fc->retries;
    c.total_timeout_ms = 1500;
    sgxra_pccs_client *cl = NULL;
    assert_int_equal(sgxra_pccs_client_new(cx, &c, NULL, NULL, &cl), SGXRA_OK);
    sgxra_pccs_result *r = NULL;
    sgxra_err e = sgxra_pccs_get_collateral(cx, cl, &key, NULL, at, &r);
    if (e != fc->want)
      fail_msg("%s=%s: got %s (%s), want %s", fc->route, fc->mode,
               sgxra_err_name(e), e ? sgxra_ctx_message(cx) : "",
               sgxra_err_name(fc->want));
    if (fc->want) {
      assert_null(r);
      if (!strstr(sgxra_ctx_message(cx), fc->msg))
        fail_msg("%s=%s: message '%s' lacks '%s'", fc->route, fc->mode,
                 sgxra_ctx_message(cx), fc->msg);
    } else {
      assert_non_null(r->collateral);
      sgxra_verdict vd;
      assert_int_equal(
          sgxra_verify_quote(cx, q, qn, r->collateral, NULL, at, &vd),
          SGXRA_OK);
      assert_int_equal(vd.err, SGXRA_OK);
    }
    long got = fake_count(&fk, fc->count_route) - before;
    if (got != fc->count)
      fail_msg("%s=%s: %ld %s requests, want %ld", fc->route, fc->mode, got,
               fc->count_route, fc->count);
    sgxra_pccs_result_free(r);
    sgxra_pccs_client_free(cl);
  }
  /* a cached copy past its refresh point: a 503 falls back to it, a 404
   * does not (the PCS says the key is gone) */
  {
    fake_fault(&fk, "all", "none");
    sgxra_pccs_config c;
    char url[512];
    snprintf(url, sizeof url, "%s%s/", fk.url, name);
    test_config(&c, url);
    sgxra_pccs_client *cl = NULL;
    assert_int_equal(sgxra_pccs_client_new(cx, &c, NULL, NULL, &cl), SGXRA_OK);
    sgxra_pccs_result *r = NULL;
    assert_int_equal(sgxra_pccs_get_collateral(cx, cl, &key, NULL, at, &r),
                     SGXRA_OK);
    int64_t late = r->info.next_update - 600;
    sgxra_pccs_result_free(r);
    fake_fault(&fk, "tcb", "503");
    assert_int_equal(sgxra_pccs_get_collateral(cx, cl, &key, NULL, late, &r),
                     SGXRA_OK);
    assert_int_equal(r->info.refresh_failed, 1);
    assert_int_equal(r->info.refresh_error, SGXRA_E_NET_HTTP);
    assert_non_null(strstr(r->info.refresh_message, "HTTP 503"));
    sgxra_pccs_result_free(r);
    fake_fault(&fk, "tcb", "404");
    r = NULL;
    assert_int_equal(sgxra_pccs_get_collateral(cx, cl, &key, NULL, late, &r),
                     SGXRA_E_NET_HTTP);
    assert_null(r);
    fake_fault(&fk, "all", "none");
    sgxra_pccs_client_free(cl);
  }
  free(q);
  sgxra_ctx_free(cx);
  fake_stop(&fk);
}

/* Single flight across processes: N processes, each with its own store
 * handle on one PostgreSQL database and its own client, get one key at
 * once; fakepcs.py sees one TCB Info request. */
static void single_flight_pg(void **state) {
  (void)state;
  if (!have_python()) skip();
  tu_db db;
  tu_db_init(&db, 1);
  const char *bdir = tu_vector_path("dcap/bundles");
  fake fk;
  if (fake_start(&fk, bdir)) fail_msg("fakepcs.py did not start");
  static const char name[] = "sgx-01-phala-v3";
  char dir[1100], qp[1200];
  snprintf(dir, sizeof dir, "%s/%s", bdir, name);
  snprintf(qp, sizeof qp, "%s/quote.bin", dir);
  int64_t at = bundle_time(dir);
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_store *st0 = NULL;
  assert_int_equal(sgxra_store_open(cx, db.url, at, &st0), SGXRA_OK);
  sgxra_store_close(st0);
  uint8_t *q = NULL;
  size_t qn = 0;
  assert_int_equal(sgxra_file_read(cx, qp, 1 << 20, &q, &qn), SGXRA_OK);
  sgxra_store_collateral_key key;
  assert_int_equal(sgxra_pccs_key_from_quote(cx, q, qn, NULL, &key), SGXRA_OK);
  fake_fault(&fk, "all", "none");
  long before = fake_count(&fk, "tcb");
  enum { N = 4 };
  pid_t kids[N];
  int go[2];
  assert_int_equal(pipe(go), 0);
  for (int i = 0; i < N; i++) {
    kids[i] = fork();
    assert_true(kids[i] >= 0);
    if (kids[i] == 0) {
      close(go[1]);
      char ch;
      if (read(go[0], &ch, 1) < 0) _exit(3);
      sgxra_ctx *kc = sgxra_ctx_new();
      sgxra_store *st = NULL;
      if (sgxra_store_open(kc, db.url, at, &st)) _exit(4);
      sgxra_pccs_config c;
      char url[512];
      snprintf(url, sizeof url, "%s%s/", fk.url, name);
      test_config(&c, url);
      sgxra_pccs_client *cl = NULL;
      if (sgxra_pccs_client_new(kc, &c, st, NULL, &cl)) _exit(5);
      sgxra_pccs_result *r = NULL;
      sgxra_err e = sgxra_pccs_get_collateral(kc, cl, &key, NULL, at, &r);
      if (e) fprintf(stderr, "child %d: %s\n", i, sgxra_ctx_message(kc));
      int rc = e ? 6 : (r->info.origin == SGXRA_PCCS_FROM_NETWORK ? 0 : 1);
      sgxra_pccs_result_free(r);
      sgxra_pccs_client_free(cl);
      sgxra_store_close(st);
      sgxra_ctx_free(kc);
      _exit(rc);
    }
  }
  close(go[0]);
  close(go[1]); /* all children start at once (read returns 0) */
  int fetched = 0, from_store = 0;
  for (int i = 0; i < N; i++) {
    int ws = 0;
    waitpid(kids[i], &ws, 0);
    assert_true(WIFEXITED(ws));
    if (WEXITSTATUS(ws) == 0)
      fetched++;
    else if (WEXITSTATUS(ws) == 1)
      from_store++;
    else
      fail_msg("child %d exit %d", i, WEXITSTATUS(ws));
  }
  assert_int_equal(fetched, 1);
  assert_int_equal(from_store, N - 1);
  assert_int_equal(fake_count(&fk, "tcb") - before, 1);
  free(q);
  sgxra_ctx_free(cx);
  fake_stop(&fk);
  tu_db_done(&db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(config_intel_file),
      cmocka_unit_test(config_precedence),
      cmocka_unit_test(keys),
      cmocka_unit_test_setup_teardown(sim_fetch_memory_stale, sim_setup,
                                      sim_teardown),
      cmocka_unit_test_setup_teardown(sim_wrong_root, sim_setup, sim_teardown),
      cmocka_unit_test_setup_teardown(sim_store, sim_setup, sim_teardown),
      cmocka_unit_test_setup_teardown(sim_threads, sim_setup, sim_teardown),
      cmocka_unit_test(real_bundles),
      cmocka_unit_test(faults),
      cmocka_unit_test(single_flight_pg),
  };
  curl_global_init(CURL_GLOBAL_ALL);
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return rc;
}
