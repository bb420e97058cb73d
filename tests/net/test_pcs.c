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
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/intelca.h"
#include "sgxra/pcs.h"
#include "sgxra/x509.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */
#define V4 "/sgx/certification/v4"
/* The fixture's platforms: one certified by the Platform CA, one by the
 * Processor CA, with their own PPIDs and FMSPCs. */
#define PPID1 "0102030405060708090a0b0c0d0e0f10"
#define PPID2 "a1a2a3a4a5a6a7a8a9aaabacadaeafb0"
#define FMSPC2 "00606A000000"
#define CPUSVN1 "0c0c0303ffff01000300000000000000"

typedef struct fixture {
  char *dir;
  char cadir[4096];
  sgxra_ctx *cx;
  sgxra_intelca *ca;
  sgxra_pcs_server *srv;
  sgxra_pcs_server *srv2; /* a second server of a test, stopped too */
  char serial[41];
  char xserial[41]; /* the Processor CA's PCK */
  char *pem1, *pem2;
} fixture;

typedef struct reply {
  long status;
  char *body;
  size_t len;
  char header[65536]; /* the value of the header asked for */
  const char *want;   /* header name */
  char request_id[128], error_code[128], error_message[1024];
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

/* The value of header `name` in the line p[0..k) into out, if it is. */
static void header_value(const char *p, size_t k, const char *name, char *out,
                         size_t cap) {
  size_t wl = strlen(name);
  if (k <= wl + 1 || strncasecmp(p, name, wl) || p[wl] != ':') return;
  size_t start = wl + 1;
  while (start < k && p[start] == ' ') start++;
  size_t end = k;
  while (end > start && (p[end - 1] == '\r' || p[end - 1] == '\n')) end--;
  size_t m = end - start < cap - 1 ? end - start : cap - 1;
  memcpy(out, p + start, m);
  out[m] = 0;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg) {
  reply *r = arg;
  size_t k = sz * n, wl = r->want ? strlen(r->want) : 0;
  header_value(p, k, "Request-ID", r->request_id, sizeof r->request_id);
  header_value(p, k, "Error-Code", r->error_code, sizeof r->error_code);
  header_value(p, k, "Error-Message", r->error_message,
               sizeof r->error_message);
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
  /* Every answer has a Request-ID of 32 hex digits; every 4xx/5xx an
   * Error-Code and an Error-Message. */
  assert_int_equal(strlen(r->request_id), 32);
  assert_int_equal(strspn(r->request_id, "0123456789abcdef"), 32);
  if (r->status >= 400) {
    assert_true(r->error_code[0] != 0);
    assert_true(strlen(r->error_message) > 10);
  } else {
    assert_int_equal(r->error_code[0], 0);
  }
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
  tu_hex(PPID1, in.ppid, 16);
  tu_hex(CPUSVN1, in.cpusvn, 16);
  in.pcesvn = 13;
  in.dynamic_platform = in.cached_keys = in.smt_enabled = -1;
  sgxra_p256_key *k = NULL;
  if (sgxra_p256_generate(f->cx, &k) ||
      sgxra_intelca_issue_pck(f->cx, f->ca, &in, k, NOW, &f->pem1, f->serial))
    fail_msg("PCK: %s", sgxra_ctx_message(f->cx));
  /* The second platform: the Processor CA, another PPID and FMSPC. */
  tu_hex(FMSPC2, in.fmspc, 6);
  tu_hex(PPID2, in.ppid, 16);
  sgxra_intelca_set_pck_issuer(f->ca, SGXRA_INTELCA_PCK_PROCESSOR);
  if (sgxra_intelca_issue_pck(f->cx, f->ca, &in, k, NOW, &f->pem2, f->xserial))
    fail_msg("PCK: %s", sgxra_ctx_message(f->cx));
  sgxra_intelca_set_pck_issuer(f->ca, SGXRA_INTELCA_PCK_PLATFORM);
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
  sgxra_pcs_stop(f->srv2);
  sgxra_intelca_free(f->ca);
  sgxra_ctx_free(f->cx);
  free(f->pem1);
  free(f->pem2);
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

/* The CRL in r (PEM or DER) is issued and signed by the CA whose PEM is
 * given (named cn) and lists `count` entries. */
static void crl_signed_by(fixture *f, const reply *r, const char *ca_pem,
                          const char *cn, size_t count) {
  sgxra_crl *crl = NULL;
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(
      sgxra_crl_parse(f->cx, (const uint8_t *)r->body, r->len, &crl), SGXRA_OK);
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)ca_pem,
                                              strlen(ca_pem), &ch),
                   SGXRA_OK);
  assert_string_equal(sgxra_crl_issuer_cn(crl), cn);
  sgxra_err e = sgxra_crl_verify(f->cx, crl, sgxra_x509_chain_get(ch, 0));
  if (e) fail_msg("CRL: %s", sgxra_ctx_message(f->cx));
  assert_int_equal(sgxra_crl_count(crl), count);
  sgxra_crl_free(crl);
  sgxra_x509_chain_free(ch);
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

  /* The Processor CA's CRL: its chain, its name, not the platform CA's
   * revocation. */
  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=processor&encoding=der",
      "SGX-PCK-CRL-Issuer-Chain", &r);
  assert_int_equal(r.status, 200);
  chain_is(&r, sgxra_intelca_processor_ca_pem(f->ca),
           sgxra_intelca_root_pem(f->ca));
  crl_signed_by(f, &r, sgxra_intelca_processor_ca_pem(f->ca),
                "sgxra TEST SGX PCK Processor CA", 0);
  free(r.body);
  /* Revoking the Processor CA's PCK: in its CRL only, at the next
   * request. */
  uint64_t preps = sgxra_pcs_preparations(f->srv);
  assert_int_equal(sgxra_intelca_revoke(f->cx, f->ca, f->xserial, NOW),
                   SGXRA_OK);
  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=processor", NULL, &r);
  assert_int_equal(r.status, 200);
  crl_signed_by(f, &r, sgxra_intelca_processor_ca_pem(f->ca),
                "sgxra TEST SGX PCK Processor CA", 1);
  free(r.body);
  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=platform", NULL, &r);
  crl_signed_by(f, &r, sgxra_intelca_platform_ca_pem(f->ca),
                "sgxra TEST SGX PCK Platform CA", 1);
  free(r.body);
  assert_int_equal(sgxra_pcs_preparations(f->srv), preps + 1);
  get(f, NULL, "/sgx/certification/v4/pckcrl?ca=cpu", NULL, &r);
  assert_int_equal(r.status, 400);
  assert_string_equal(r.error_code, "InvalidRequestSyntax");
  assert_non_null(strstr(r.error_message, "'cpu'"));
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
  assert_string_equal(cn, "sgxra TEST SGX Root CA");
  X509_CRL_free(crl);
  free(r.body);
}

static void errors(void **state) {
  fixture *f = *state;
  reply r;
  uint64_t before = sgxra_pcs_requests(f->srv);
  get(f, NULL, "/sgx/certification/v4/pckcerts", NULL, &r);
  assert_int_equal(r.status, 404);
  assert_string_equal(r.error_code, "NotFound");
  free(r.body);
  get(f, NULL, "/index.html", NULL, &r);
  assert_int_equal(r.status, 404);
  free(r.body);
  get(f, "DELETE", "/sgx/certification/v4/rootcacrl", NULL, &r);
  assert_int_equal(r.status, 405);
  assert_string_equal(r.error_code, "MethodNotAllowed");
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

/* The TCB signing key, to verify signed JSON. */
static sgxra_x509_chain *tcb_signer(fixture *f) {
  const char *pem = sgxra_intelca_tcb_signing_pem(f->ca);
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(
      sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)pem, strlen(pem), &ch),
      SGXRA_OK);
  return ch;
}

/* GET a TCB Info, check its signature; its tcbEvaluationDataNumber. */
static uint32_t tcb_eval(fixture *f, const char *path, uint8_t *out_comp0) {
  reply r;
  get(f, NULL, path, "TCB-Info-Issuer-Chain", &r);
  assert_int_equal(r.status, 200);
  chain_is(&r, sgxra_intelca_tcb_signing_pem(f->ca),
           sgxra_intelca_root_pem(f->ca));
  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(
      sgxra_tcbinfo_parse(f->cx, (const uint8_t *)r.body, r.len, &ti),
      SGXRA_OK);
  sgxra_x509_chain *ch = tcb_signer(f);
  assert_int_equal(
      sgxra_tcbinfo_verify(
          f->cx, ti, sgxra_x509_cert_public_key(sgxra_x509_chain_get(ch, 0))),
      SGXRA_OK);
  uint32_t eval = ti->tcb_evaluation_data_number;
  if (out_comp0) *out_comp0 = ti->levels[0].sgx_svn[0];
  sgxra_x509_chain_free(ch);
  sgxra_tcbinfo_free(ti);
  free(r.body);
  return eval;
}

/* GET an enclave identity, check id, signature; its evaluation number. */
static uint32_t identity_eval(fixture *f, const char *path, const char *id,
                              uint16_t isvprodid) {
  reply r;
  get(f, NULL, path, "SGX-Enclave-Identity-Issuer-Chain", &r);
  assert_int_equal(r.status, 200);
  chain_is(&r, sgxra_intelca_tcb_signing_pem(f->ca),
           sgxra_intelca_root_pem(f->ca));
  sgxra_qeidentity *qi = NULL;
  assert_int_equal(
      sgxra_qeidentity_parse(f->cx, (const uint8_t *)r.body, r.len, &qi),
      SGXRA_OK);
  assert_string_equal(qi->id, id);
  assert_int_equal(qi->isvprodid, isvprodid);
  sgxra_x509_chain *ch = tcb_signer(f);
  assert_int_equal(
      sgxra_qeidentity_verify(
          f->cx, qi, sgxra_x509_cert_public_key(sgxra_x509_chain_get(ch, 0))),
      SGXRA_OK);
  uint32_t eval = qi->tcb_evaluation_data_number;
  sgxra_x509_chain_free(ch);
  sgxra_qeidentity_free(qi);
  free(r.body);
  return eval;
}

/* update=early publishes a TCB recovery at once, standard (the default)
 * one recovery later; identities likewise; the QvE identity is Intel's
 * shape. */
static void update_policies(void **state) {
  fixture *f = *state;
  uint8_t c_early, c_std;
  assert_int_equal(
      tcb_eval(f, V4 "/tcb?fmspc=00906ED50000&update=early", &c_early), 1);
  assert_int_equal(
      tcb_eval(f, V4 "/tcb?fmspc=00906ED50000&update=standard", &c_std), 1);
  assert_int_equal(c_early, 12);
  assert_int_equal(c_std, 12);
  assert_int_equal(identity_eval(f, V4 "/qve/identity", "QVE", 2), 1);

  assert_int_equal(sgxra_intelca_tcb_recovery(f->cx, f->ca), SGXRA_OK);
  assert_int_equal(
      tcb_eval(f, V4 "/tcb?fmspc=00906ED50000&update=early", &c_early), 2);
  assert_int_equal(c_early, 13);
  assert_int_equal(
      tcb_eval(f, V4 "/tcb?fmspc=00906ED50000&update=standard", &c_std), 1);
  assert_int_equal(c_std, 12);
  assert_int_equal(tcb_eval(f, V4 "/tcb?fmspc=00906ED50000", &c_std), 1);
  assert_int_equal(tcb_eval(f, V4 "/tcb?fmspc=" FMSPC2 "&update=early", NULL),
                   2);
  assert_int_equal(identity_eval(f, V4 "/qe/identity?update=early", "QE", 1),
                   2);
  assert_int_equal(identity_eval(f, V4 "/qe/identity", "QE", 1), 1);
  assert_int_equal(identity_eval(f, V4 "/qve/identity?update=early", "QVE", 2),
                   2);
  assert_int_equal(
      identity_eval(f, V4 "/qve/identity?update=standard", "QVE", 2), 1);
  /* A second recovery: standard follows one behind. */
  assert_int_equal(sgxra_intelca_tcb_recovery(f->cx, f->ca), SGXRA_OK);
  assert_int_equal(tcb_eval(f, V4 "/tcb?fmspc=00906ED50000", &c_std), 2);
  assert_int_equal(c_std, 13);

  reply r;
  get(f, NULL, V4 "/tcb?fmspc=00906ED50000&update=late", NULL, &r);
  assert_int_equal(r.status, 400);
  assert_string_equal(r.error_code, "InvalidRequestSyntax");
  free(r.body);
  get(f, NULL, V4 "/qve/identity?update=x", NULL, &r);
  assert_int_equal(r.status, 400);
  free(r.body);
}

static void fmspcs(void **state) {
  fixture *f = *state;
  reply r;
  get(f, NULL, V4 "/fmspcs", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "[{\"fmspc\":\"00906ED50000\",\"platform\":"
                              "\"E5\"},{\"fmspc\":\"" FMSPC2
                              "\",\"platform\":\"E5\"}]");
  free(r.body);
  get(f, NULL, V4 "/fmspcs?platform=all", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, FMSPC2));
  free(r.body);
  get(f, NULL, V4 "/fmspcs?platform=E3", NULL, &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "[]");
  free(r.body);
  get(f, NULL, V4 "/fmspcs?platform=mainframe", NULL, &r);
  assert_int_equal(r.status, 400);
  assert_string_equal(r.error_code, "InvalidRequestSyntax");
  free(r.body);
}

static void pckcert_is(fixture *f, const char *query, const char *pem,
                       const char *tcbm, const char *fmspc, const char *type) {
  char path[512];
  snprintf(path, sizeof path, V4 "/pckcert?%s", query);
  reply r, h;
  get(f, NULL, path, "SGX-PCK-Certificate-Issuer-Chain", &r);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, pem);
  int proc = !strcmp(type, "processor");
  chain_is(&r,
           proc ? sgxra_intelca_processor_ca_pem(f->ca)
                : sgxra_intelca_platform_ca_pem(f->ca),
           sgxra_intelca_root_pem(f->ca));
  free(r.body);
  get(f, NULL, path, "SGX-TCBm", &h);
  assert_string_equal(h.header, tcbm);
  free(h.body);
  get(f, NULL, path, "SGX-FMSPC", &h);
  assert_string_equal(h.header, fmspc);
  free(h.body);
  get(f, NULL, path, "SGX-PCK-Certificate-CA-Type", &h);
  assert_string_equal(h.header, type);
  free(h.body);
}

static void pckcert_status(fixture *f, const char *query, long status,
                           const char *code) {
  char path[512];
  snprintf(path, sizeof path, V4 "/pckcert?%s", query);
  reply r;
  get(f, NULL, path, NULL, &r);
  if (r.status != status) fail_msg("%s: status %ld", query, r.status);
  assert_string_equal(r.error_code, code);
  free(r.body);
}

#define Q(ppid, cpusvn, pcesvn)                                                \
  "encrypted_ppid=" ppid "&cpusvn=" cpusvn "&pcesvn=" pcesvn "&pceid=0000"
#define TCBM1 "0C0C0303FFFF010003000000000000000D00"
static void pckcert(void **state) {
  fixture *f = *state;
  pckcert_is(f, Q(PPID1, CPUSVN1, "0d00"), f->pem1, TCBM1, "00906ED50000",
             "platform");
  /* a higher TCB than issued: the best not above it */
  pckcert_is(f, Q(PPID1, "ffffffffffffffffffffffffffffffff", "ff00"), f->pem1,
             TCBM1, "00906ED50000", "platform");
  pckcert_is(f, Q(PPID2, CPUSVN1, "0d00"), f->pem2, TCBM1, FMSPC2, "processor");
  /* TCB below what was issued; unknown PPID; another PCE-ID */
  pckcert_status(f, Q(PPID1, CPUSVN1, "0c00"), 404, "NotFound");
  pckcert_status(f, Q(PPID1, "0b0c0303ffff01000300000000000000", "0d00"), 404,
                 "NotFound");
  pckcert_status(f, Q("00000000000000000000000000000000", CPUSVN1, "0d00"), 404,
                 "NotFound");
  pckcert_status(
      f, "encrypted_ppid=" PPID1 "&cpusvn=" CPUSVN1 "&pcesvn=0d00&pceid=0100",
      404, "NotFound");
  /* bad parameters */
  pckcert_status(f, "encrypted_ppid=" PPID1 "&cpusvn=" CPUSVN1 "&pcesvn=0d00",
                 400, "InvalidRequestSyntax");
  pckcert_status(f, Q("0102", CPUSVN1, "0d00"), 400, "InvalidRequestSyntax");
  pckcert_status(f, Q(PPID1, "0c0c", "0d00"), 400, "InvalidRequestSyntax");
  pckcert_status(f, Q(PPID1, CPUSVN1, "13"), 400, "InvalidRequestSyntax");
  pckcert_status(f, Q(PPID1, CPUSVN1, "zz00"), 400, "InvalidRequestSyntax");

  /* A newer PCK at a higher TCB (after a TCB recovery), issued while the
   * server runs: served for the higher TCB, the old one below it. */
  sgxra_pck_ext in;
  memset(&in, 0, sizeof in);
  tu_hex("00906ed50000", in.fmspc, 6);
  tu_hex(PPID1, in.ppid, 16);
  tu_hex("0d0d0303ffff01000300000000000000", in.cpusvn, 16);
  in.pcesvn = 13;
  in.dynamic_platform = in.cached_keys = in.smt_enabled = -1;
  sgxra_p256_key *k = NULL;
  char *pem3 = NULL;
  assert_int_equal(sgxra_p256_generate(f->cx, &k), SGXRA_OK);
  assert_int_equal(
      sgxra_intelca_issue_pck(f->cx, f->ca, &in, k, NOW, &pem3, NULL),
      SGXRA_OK);
  sgxra_p256_free(k);
  pckcert_is(f, Q(PPID1, "0d0d0303ffff01000300000000000000", "0d00"), pem3,
             "0D0D0303FFFF010003000000000000000D00", "00906ED50000",
             "platform");
  pckcert_is(f, Q(PPID1, "0d0c0303ffff01000300000000000000", "0d00"), f->pem1,
             TCBM1, "00906ED50000", "platform");
  free(pem3);
}

/* Answers come from the prepared set: requests without a CA change do not
 * re-sign. */
static void prepared_once(void **state) {
  fixture *f = *state;
  uint64_t preps = sgxra_pcs_preparations(f->srv);
  assert_int_equal(preps, 1);
  for (int i = 0; i < 10; i++) {
    reply r;
    get(f, NULL, V4 "/tcb?fmspc=00906ED50000", NULL, &r);
    assert_int_equal(r.status, 200);
    free(r.body);
  }
  assert_int_equal(sgxra_pcs_preparations(f->srv), preps);
  sgxra_pcs_reload(f->srv);
  reply r;
  get(f, NULL, V4 "/qe/identity", NULL, &r);
  assert_int_equal(r.status, 200);
  free(r.body);
  assert_int_equal(sgxra_pcs_preparations(f->srv), preps + 1);
}

static int64_t test_clock(void *arg) {
  return *(int64_t *)arg;
}

/* Prepared answers are re-signed after an hour (fresh issueDate), or when
 * the clock goes back, not before. */
static void prepared_refresh(void **state) {
  fixture *f = *state;
  int64_t t = NOW;
  sgxra_pcs_options opt = {
      .listen = "127.0.0.1:0", .clock = test_clock, .clock_arg = &t};
  sgxra_pcs_server *s2 = NULL;
  assert_int_equal(sgxra_pcs_start(f->cx, f->cadir, &opt, &s2), SGXRA_OK);
  /* get() asks f->srv: swap, teardown stops both either way */
  f->srv2 = f->srv;
  f->srv = s2;
  reply r;
  int64_t steps[] = {NOW + 3599, NOW + 3600, NOW + 3601, NOW + 10};
  uint64_t want[] = {1, 2, 2, 3};
  int64_t issued[] = {NOW, NOW + 3600, NOW + 3600, NOW + 10};
  for (size_t i = 0; i < 4; i++) {
    t = steps[i];
    get(f, NULL, V4 "/tcb?fmspc=00906ED50000", NULL, &r);
    assert_int_equal(r.status, 200);
    sgxra_tcbinfo *ti = NULL;
    assert_int_equal(
        sgxra_tcbinfo_parse(f->cx, (const uint8_t *)r.body, r.len, &ti),
        SGXRA_OK);
    assert_int_equal(ti->issue_date, issued[i]);
    sgxra_tcbinfo_free(ti);
    free(r.body);
    assert_int_equal(sgxra_pcs_preparations(s2), want[i]);
  }
}

typedef struct worker {
  fixture *f;
  int i;
  long status;
  size_t len;
} worker;

static size_t count_body(char *p, size_t sz, size_t n, void *arg) {
  (void)p;
  *(size_t *)arg += sz * n;
  return sz * n;
}

static void *worker_run(void *arg) {
  worker *w = arg;
  static const char *paths[] = {V4 "/tcb?fmspc=00906ED50000", V4 "/qe/identity",
                                V4 "/pckcrl?ca=platform", V4 "/fmspcs"};
  char url[256];
  snprintf(url, sizeof url, "http://127.0.0.1:%u%s", sgxra_pcs_port(w->f->srv),
           paths[w->i % 4]);
  CURL *c = curl_easy_init();
  if (!c) return NULL;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &w->len);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  if (curl_easy_perform(c) == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &w->status);
  curl_easy_cleanup(c);
  return NULL;
}

static void concurrent(void **state) {
  fixture *f = *state;
  enum { N = 64 };
  pthread_t t[N];
  worker w[N];
  uint64_t before = sgxra_pcs_requests(f->srv);
  for (int i = 0; i < N; i++) {
    w[i] = (worker){.f = f, .i = i};
    assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
  }
  for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < N; i++) {
    if (w[i].status != 200) fail_msg("request %d: status %ld", i, w[i].status);
    assert_true(w[i].len > 2);
  }
  assert_int_equal(sgxra_pcs_requests(f->srv), before + N);
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
      cmocka_unit_test_setup_teardown(update_policies, setup, teardown),
      cmocka_unit_test_setup_teardown(fmspcs, setup, teardown),
      cmocka_unit_test_setup_teardown(pckcert, setup, teardown),
      cmocka_unit_test_setup_teardown(prepared_once, setup, teardown),
      cmocka_unit_test_setup_teardown(prepared_refresh, setup, teardown),
      cmocka_unit_test_setup_teardown(concurrent, setup, teardown),
      cmocka_unit_test(url_encoding),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return rc;
}
