/* Tests of the simulated Intel PCS HTTP server (sgxra/pcs.h): a libcurl
 * client on an ephemeral loopback port checks statuses, bodies (parsed by
 * the collateral module and OpenSSL) and the URL-encoded issuer chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/intelca.h"
#include "sgxra/pcs.h"
#include "sgxra/x509.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

typedef struct fixture {
  char *dir;
  char cadir[4096];
  sgxra_ctx *cx;
  sgxra_intelca *ca;
  sgxra_pcs_server *srv;
  char serial[41];
} fixture;

typedef struct reply {
  long status;
  char *body;
  size_t len;
  char header[65536]; /* the value of the header asked for */
  const char *want;   /* header name */
} reply;

static size_t on_body(char *p, size_t sz, size_t n, void *arg) {
  reply *r = arg;
  size_t k = sz * n;
  char *nb = realloc(r->body, r->len + k + 1);
  assert_non_null(nb);
  r->body = nb;
  memcpy(r->body + r->len, p, k);
  r->len += k;
  r->body[r->len] = 0;
  return k;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg) {
  reply *r = arg;
  size_t k = sz * n, wl = r->want ? strlen(r->want) : 0;
  if (wl && k > wl + 1 && !strncasecmp(p, r->want, wl) && p[wl] == ':') {
    size_t start = wl + 1;
    while (start < k && p[start] == ' ') start++;
    size_t end = k;
    while (end > start && (p[end - 1] == '\r' || p[end - 1] == '\n')) end--;
    size_t m =
        end - start < sizeof r->header - 1 ? end - start : sizeof r->header - 1;
    memcpy(r->header, p + start, m);
    r->header[m] = 0;
  }
  return k;
}

static void get(fixture *f, const char *method, const char *path,
                const char *want_header, reply *r) {
  memset(r, 0, sizeof(*r));
  r->want = want_header;
  char url[512];
  snprintf(url, sizeof url, "http://127.0.0.1:%u%s", sgxra_pcs_port(f->srv),
           path);
  CURL *c = curl_easy_init();
  assert_non_null(c);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  if (method) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  assert_int_equal(curl_easy_perform(c), CURLE_OK);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
  curl_easy_cleanup(c);
}

static void chain_is(const reply *r, const char *a, const char *b) {
  int n = 0;
  char *dec = curl_easy_unescape(NULL, r->header, 0, &n);
  assert_non_null(dec);
  assert_int_equal((size_t)n, strlen(a) + strlen(b));
  assert_int_equal(strncmp(dec, a, strlen(a)), 0);
  assert_string_equal(dec + strlen(a), b);
  curl_free(dec);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  f->dir = tu_tmpdir();
  f->cx = sgxra_ctx_new();
  snprintf(f->cadir, sizeof f->cadir, "%s/ca", f->dir);
  if (sgxra_intelca_create(f->cx, f->cadir, NOW, &f->ca))
    fail_msg("CA: %s", sgxra_ctx_message(f->cx));
  sgxra_pck_ext in;
  memset(&in, 0, sizeof in);
  tu_hex("00906ed50000", in.fmspc, 6);
  in.pcesvn = 13;
  in.dynamic_platform = in.cached_keys = in.smt_enabled = -1;
  sgxra_p256_key *k = NULL;
  char *pem = NULL;
  if (sgxra_p256_generate(f->cx, &k) ||
      sgxra_intelca_issue_pck(f->cx, f->ca, &in, k, NOW, &pem, f->serial))
    fail_msg("PCK: %s", sgxra_ctx_message(f->cx));
  free(pem);
  sgxra_p256_free(k);
  sgxra_pcs_options opt = {.listen = "127.0.0.1:0", .now = NOW};
  if (sgxra_pcs_start(f->cx, f->cadir, &opt, &f->srv))
    fail_msg("PCS: %s", sgxra_ctx_message(f->cx));
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sgxra_pcs_stop(f->srv);
  sgxra_intelca_free(f->ca);
  sgxra_ctx_free(f->cx);
  tu_rmtree(f->dir);
  free(f->dir);
  free(f);
  return 0;
}

static void tcb_info(void **state) {
  fixture *f = *state;
  assert_int_not_equal(sgxra_pcs_port(f->srv), 0);
  reply r;
  get(f, NULL, "/sgx/certification/v4/tcb?fmspc=00906ED50000",
      "TCB-Info-Issuer-Chain", &r);
  assert_int_equal(r.status, 200);
  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(
      sgxra_tcbinfo_parse(f->cx, (const uint8_t *)r.body, r.len, &ti),
      SGXRA_OK);
  assert_int_equal(ti->fmspc[1], 0x90);
  assert_int_equal(ti->issue_date, NOW);
  assert_int_equal(ti->next_update, NOW + 30 * 86400);
  sgxra_tcbinfo_free(ti);
  chain_is(&r, sgxra_intelca_tcb_signing_pem(f->ca),
           sgxra_intelca_root_pem(f->ca));
  free(r.body);

  get(f, NULL, "/sgx/certification/v4/tcb?fmspc=00906ed50000", NULL, &r);
  assert_int_equal(r.status, 200); /* either case */
  free(r.body);
  get(f, NULL, "/sgx/certification/v4/tcb?fmspc=00906ED50001", NULL, &r);
  assert_int_equal(r.status, 404);
  assert_non_null(strstr(r.body, "no TCB Info for fmspc 00906ED50001"));
  free(r.body);
  get(f, NULL, "/sgx/certification/v4/tcb?fmspc=00906ED5000", NULL, &r);
  assert_int_equal(r.status, 400);
  assert_non_null(strstr(r.body, "12 hex digits"));
  free(r.body);
  get(f, NULL, "/sgx/certification/v4/tcb", NULL, &r);
  assert_int_equal(r.status, 400);
  free(r.body);
}

static void qe_identity(void **state) {
  fixture *f = *state;
  reply r;
  get(f, NULL, "/sgx/certification/v4/qe/identity",
      "SGX-Enclave-Identity-Issuer-Chain", &r);
  assert_int_equal(r.status, 200);
  sgxra_qeidentity *qi = NULL;
  assert_int_equal(
      sgxra_qeidentity_parse(f->cx, (const uint8_t *)r.body, r.len, &qi),
      SGXRA_OK);
  assert_string_equal(qi->id, "QE");
  sgxra_qeidentity_free(qi);
  chain_is(&r, sgxra_intelca_tcb_signing_pem(f->ca),
           sgxra_intelca_root_pem(f->ca));
  free(r.body);
}

static X509_CRL *der_crl(const reply *r) {
  const unsigned char *p = (const unsigned char *)r->body;
  X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)r->len);
  assert_non_null(crl);
  assert_ptr_equal(p, (const unsigned char *)r->body + r->len);
  return crl;
}

static void crls(void **state) {
  fixture *f = *state;
  reply r;
  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=platform&encoding=der",
      "SGX-PCK-CRL-Issuer-Chain", &r);
  assert_int_equal(r.status, 200);
  X509_CRL *crl = der_crl(&r);
  /* no entries: OpenSSL gives no list (-1) */
  assert_true(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) <= 0);
  X509_CRL_free(crl);
  chain_is(&r, sgxra_intelca_platform_ca_pem(f->ca),
           sgxra_intelca_root_pem(f->ca));
  free(r.body);

  /* A revocation made after the server started is served at once. */
  assert_int_equal(sgxra_intelca_revoke(f->cx, f->ca, f->serial, NOW),
                   SGXRA_OK);
  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=platform", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_int_equal(strncmp(r.body, "-----BEGIN X509 CRL-----\n", 25), 0);
  BIO *b = BIO_new_mem_buf(r.body, (int)r.len);
  crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
  BIO_free(b);
  assert_non_null(crl);
  assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 1);
  X509_CRL_free(crl);
  free(r.body);

  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=processor&encoding=der", NULL,
      &r);
  assert_int_equal(r.status, 404);
  free(r.body);
  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=cpu", NULL, &r);
  assert_int_equal(r.status, 400);
  free(r.body);
  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=platform&encoding=xml", NULL,
      &r);
  assert_int_equal(r.status, 400);
  free(r.body);

  get(f, NULL, "/sgx/certification/v4/rootcacrl", NULL, &r);
  assert_int_equal(r.status, 200);
  crl = der_crl(&r);
  char cn[128];
  X509_NAME_get_text_by_NID(X509_CRL_get_issuer(crl), NID_commonName, cn,
                            sizeof cn);
  assert_string_equal(cn, "sgxra TEST Root CA");
  X509_CRL_free(crl);
  free(r.body);
}

static void errors(void **state) {
  fixture *f = *state;
  reply r;
  uint64_t before = sgxra_pcs_requests(f->srv);
  get(f, NULL, "/sgx/certification/v4/pckcert", NULL, &r);
  assert_int_equal(r.status, 404);
  free(r.body);
  get(f, NULL, "/index.html", NULL, &r);
  assert_int_equal(r.status, 404);
  free(r.body);
  get(f, "DELETE", "/sgx/certification/v4/rootcacrl", NULL, &r);
  assert_int_equal(r.status, 405);
  free(r.body);
  assert_int_equal(sgxra_pcs_requests(f->srv), before + 3);

  /* The port in use, bad addresses, a folder without a CA. */
  char listen[64];
  snprintf(listen, sizeof listen, "127.0.0.1:%u", sgxra_pcs_port(f->srv));
  sgxra_pcs_options opt = {.listen = listen, .now = NOW};
  sgxra_pcs_server *s2 = NULL;
  assert_int_equal(sgxra_pcs_start(f->cx, f->cadir, &opt, &s2),
                   SGXRA_E_NET_LISTEN);
  assert_null(s2);
  const char *bad[] = {"8081",           "127.0.0.1:",    "127.0.0.1:65536",
                       "example.com:80", "127.0.0.1:80a", ":80"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    opt.listen = bad[i];
    assert_int_equal(sgxra_pcs_start(f->cx, f->cadir, &opt, &s2),
                     SGXRA_E_NET_ADDRESS);
    assert_null(s2);
  }
  opt.listen = "127.0.0.1:0";
  assert_int_equal(sgxra_pcs_start(f->cx, f->dir, &opt, &s2), SGXRA_E_CA_STATE);
  assert_null(s2);
}

/* Raw bytes to the server; the HTTP status of the answer, or 0 when the
 * server closed the connection without one.  The answer is read whole and
 * its size returned, so an unbounded reply would show. */
static int raw_status(fixture *f, const char *req, size_t n,
                      size_t *out_reply_len) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct timeval tv = {.tv_sec = 10};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(sgxra_pcs_port(f->srv));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  size_t sent = 0;
  while (sent < n) {
    ssize_t w = send(fd, req + sent, n - sent, MSG_NOSIGNAL);
    if (w <= 0) break; /* the server may answer and close early */
    sent += (size_t)w;
  }
  shutdown(fd, SHUT_WR);
  char buf[4096], head[64] = {0};
  size_t total = 0;
  ssize_t k;
  while ((k = recv(fd, buf, sizeof buf, 0)) > 0) {
    if (total < sizeof head - 1) {
      size_t m = (size_t)k < sizeof head - 1 - total ? (size_t)k
                                                     : sizeof head - 1 - total;
      memcpy(head + total, buf, m);
    }
    total += (size_t)k;
  }
  close(fd);
  *out_reply_len = total;
  int status = 0;
  if (sscanf(head, "HTTP/1.%*d %d", &status) != 1) status = 0;
  return status;
}

/* Hostile requests get a 4xx answer of bounded size (or a closed
 * connection), never a crash; the server keeps serving afterwards. */
static void hostile_requests(void **state) {
  fixture *f = *state;
  size_t big = 200000, len = 0;
  char *long_url = malloc(big + 128);
  assert_non_null(long_url);
  int o = snprintf(long_url, 128, "GET /sgx/certification/v4/tcb?fmspc=");
  memset(long_url + o, 'a', big);
  o += (int)big;
  o += snprintf(long_url + o, 64, " HTTP/1.1\r\nHost: x\r\n\r\n");
  assert_int_equal(raw_status(f, long_url, (size_t)o, &len), 414);
  assert_true(len < 4096);
  free(long_url);

  struct {
    const char *req;
    int want;
  } cases[] = {
      {"GET /sgx/certification/v4/tcb?fmspc=%zz%00 HTTP/1.1\r\nHost: x\r\n\r\n",
       400},
      {"GET /sgx/certification/v4/tcb?fmspc=00906ED50000&fmspc "
       "HTTP/1.1\r\nHost: x\r\n\r\n",
       200},
      {"GET /sgx/certification/v4/../v4/qe/identity HTTP/1.1\r\nHost: "
       "x\r\n\r\n",
       404},
      {"GET /sgx/certification/v4/pckcrl?ca=platform&encoding=%ff "
       "HTTP/1.1\r\nHost: x\r\n\r\n",
       400},
      {"POST /sgx/certification/v4/rootcacrl HTTP/1.1\r\nHost: "
       "x\r\nContent-Length: 5\r\n\r\nabcde",
       405},
      {"GARBAGE\r\n\r\n", -1},
      {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", -1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int got = raw_status(f, cases[i].req, strlen(cases[i].req), &len);
    if (cases[i].want < 0 ? (got != 0 && (got < 400 || got > 499))
                          : got != cases[i].want)
      fail_msg("case %zu: status %d, want %d", i, got, cases[i].want);
    if (cases[i].want != 200 && len > 4096)
      fail_msg("case %zu: a %zu-byte answer to a bad request", i, len);
  }
  /* A header block over the server's memory limit. */
  size_t hn = 100000;
  char *hdr = malloc(hn + 256);
  assert_non_null(hdr);
  o = snprintf(hdr, 256,
               "GET /sgx/certification/v4/rootcacrl HTTP/1.1\r\nX-A: ");
  memset(hdr + o, 'b', hn);
  o += (int)hn;
  o += snprintf(hdr + o, 16, "\r\n\r\n");
  int got = raw_status(f, hdr, (size_t)o, &len);
  assert_true(got == 431 || got == 0 || (got >= 400 && got < 500));
  free(hdr);
  /* Still serving. */
  reply r;
  get(f, NULL, "/sgx/certification/v4/rootcacrl", NULL, &r);
  assert_int_equal(r.status, 200);
  free(r.body);
}

/* Everything fetched over HTTP forms a collateral set that the collateral
 * module validates against the CA's root. */
static char *header_chain(const reply *r, size_t *n) {
  int k = 0;
  char *dec = curl_easy_unescape(NULL, r->header, 0, &k);
  assert_non_null(dec);
  char *copy = strdup(dec);
  curl_free(dec);
  *n = (size_t)k;
  return copy;
}

static void collateral_over_http(void **state) {
  fixture *f = *state;
  reply tcb, qe, pck, root;
  get(f, NULL, "/sgx/certification/v4/tcb?fmspc=00906ED50000",
      "TCB-Info-Issuer-Chain", &tcb);
  get(f, NULL, "/sgx/certification/v4/qe/identity",
      "SGX-Enclave-Identity-Issuer-Chain", &qe);
  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=platform&encoding=der",
      "SGX-PCK-CRL-Issuer-Chain", &pck);
  get(f, NULL, "/sgx/certification/v4/rootcacrl", NULL, &root);
  size_t tn, qn, pn;
  char *tchain = header_chain(&tcb, &tn), *qchain = header_chain(&qe, &qn),
       *pchain = header_chain(&pck, &pn);
  sgxra_collateral_buffers b = {
      .pck_crl_issuer_chain = (const uint8_t *)pchain,
      .pck_crl_issuer_chain_len = pn,
      .root_ca_crl = (const uint8_t *)root.body,
      .root_ca_crl_len = root.len,
      .pck_crl = (const uint8_t *)pck.body,
      .pck_crl_len = pck.len,
      .tcb_info = (const uint8_t *)tcb.body,
      .tcb_info_len = tcb.len,
      .tcb_info_issuer_chain = (const uint8_t *)tchain,
      .tcb_info_issuer_chain_len = tn,
      .qe_identity = (const uint8_t *)qe.body,
      .qe_identity_len = qe.len,
      .qe_identity_issuer_chain = (const uint8_t *)qchain,
      .qe_identity_issuer_chain_len = qn,
  };
  sgxra_collateral *coll = NULL;
  assert_int_equal(sgxra_collateral_load(f->cx, &b, &coll), SGXRA_OK);
  const char *pem = sgxra_intelca_root_pem(f->ca);
  sgxra_x509_chain *rc = NULL;
  assert_int_equal(
      sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)pem, strlen(pem), &rc),
      SGXRA_OK);
  sgxra_err e =
      sgxra_collateral_validate(f->cx, coll, sgxra_x509_chain_get(rc, 0), NOW);
  if (e) fail_msg("validate: %s", sgxra_ctx_message(f->cx));
  assert_int_equal(sgxra_collateral_expired(coll), 0);
  sgxra_collateral_free(coll);
  sgxra_x509_chain_free(rc);
  free(tchain);
  free(qchain);
  free(pchain);
  free(tcb.body);
  free(qe.body);
  free(pck.body);
  free(root.body);
}

static void url_encoding(void **state) {
  (void)state;
  char *e = sgxra_pcs_url_encode("a b/+\n-._~Z9=", 13);
  assert_string_equal(e, "a%20b%2F%2B%0A-._~Z9%3D");
  free(e);
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(tcb_info, setup, teardown),
      cmocka_unit_test_setup_teardown(qe_identity, setup, teardown),
      cmocka_unit_test_setup_teardown(crls, setup, teardown),
      cmocka_unit_test_setup_teardown(errors, setup, teardown),
      cmocka_unit_test_setup_teardown(hostile_requests, setup, teardown),
      cmocka_unit_test_setup_teardown(collateral_over_http, setup, teardown),
      cmocka_unit_test(url_encoding),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return rc;
}
