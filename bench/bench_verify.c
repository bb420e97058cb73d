/* Benchmark of quote verification (sgxra/verify.h) on one core.
 *
 * usage: bench_verify [-h] [-t UNIX_TIME] [BUNDLE_DIR [SECONDS]]
 *
 * BUNDLE_DIR is a collateral bundle folder holding quote.bin (default: the
 * vectors' sgx-12-mobilecoin-teepot-early-eval19).  The verification time
 * is -t, else the bundle's expected.json "verification_time_unix" (the time
 * the tests and tests/verify_diff verify each bundle at).  SECONDS (default
 * 2) is the time given to each of the four measurements below, which run
 * interleaved in short batches so that a change in machine load affects
 * them alike:
 *
 *   ecdsa   OpenSSL's own ECDSA-P256/SHA-256 verification of 432 bytes (a
 *           quote's signed part), key already built: the bound's unit.
 *   full    the full flow, what a process that verifies one quote does:
 *           the bundle's files, already in memory, are parsed
 *           (sgxra_collateral_load), validated (sgxra_collateral_validate),
 *           a fresh verifier is made and the quote verified; everything is
 *           freed, and the process's decoded-certificate cache emptied,
 *           every iteration: each one is a cold start.
 *   fresh   collateral parsed and validated once; a new verifier per quote.
 *   warm    one verifier (its PCK chain cache warm).
 *
 * The ECDSA verifications the full flow needs are counted, not assumed: one
 * untimed full-flow iteration runs with every signature check of the
 * library counted at the OpenSSL boundary (this program is linked with
 * -Wl,--wrap for X509_verify, X509_CRL_verify and EVP_PKEY_verify; see
 * CMakeLists.txt), both as calls and as distinct (key, signed bytes,
 * signature) triples.  bound = ecdsa/s / distinct count: a verifier that did
 * nothing but verify each needed signature once would reach it.
 * ratio = full quotes/s / bound (issue 15's target: >= 0.7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "quote/x509_internal.h"
#include "sgxra/collateral.h"
#include "sgxra/file.h"
#include "sgxra/verify.h"

#define DEFAULT_BUNDLE                                                         \
  SGXRA_VECTORS_DIR "/dcap/bundles/sgx-12-mobilecoin-teepot-early-eval19"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- counting the signature checks (only while `counting` is set) ------- */

int __real_X509_verify(X509 *x, EVP_PKEY *k);
int __wrap_X509_verify(X509 *x, EVP_PKEY *k);
int __real_X509_CRL_verify(X509_CRL *c, EVP_PKEY *k);
int __wrap_X509_CRL_verify(X509_CRL *c, EVP_PKEY *k);
int __real_EVP_PKEY_verify(EVP_PKEY_CTX *c, const unsigned char *sig,
                           size_t siglen, const unsigned char *tbs,
                           size_t tbslen);
int __wrap_EVP_PKEY_verify(EVP_PKEY_CTX *c, const unsigned char *sig,
                           size_t siglen, const unsigned char *tbs,
                           size_t tbslen);

#define SEEN_MAX 64
static int counting;
static unsigned n_calls, n_x509, n_crl, n_pkey;
static unsigned n_distinct;
static unsigned char seen[SEEN_MAX][32];

/* Remember SHA-256(kind || key || bytes); count it when new. */
static void note(char kind, EVP_PKEY *k, const unsigned char *a, size_t an,
                 const unsigned char *b, size_t bn) {
  unsigned char *kd = NULL;
  int kn = k ? i2d_PUBKEY(k, &kd) : 0;
  unsigned char h[32];
  unsigned int hl = 0;
  EVP_MD_CTX *m = EVP_MD_CTX_new();
  if (!m || !EVP_DigestInit_ex(m, EVP_sha256(), NULL) ||
      !EVP_DigestUpdate(m, &kind, 1) ||
      (kn > 0 && !EVP_DigestUpdate(m, kd, (size_t)kn)) ||
      !EVP_DigestUpdate(m, a, an) || (bn && !EVP_DigestUpdate(m, b, bn)) ||
      !EVP_DigestFinal_ex(m, h, &hl)) {
    fprintf(stderr, "bench_verify: hashing for the count failed\n");
    exit(1);
  }
  EVP_MD_CTX_free(m);
  OPENSSL_free(kd);
  for (unsigned i = 0; i < n_distinct; i++)
    if (!memcmp(seen[i], h, 32)) return;
  if (n_distinct < SEEN_MAX) memcpy(seen[n_distinct++], h, 32);
}

/* One counted check of an object that i2d encoded into d (n bytes, n <= 0
 * on failure); frees d. */
static void note_der(char kind, unsigned *n_kind, EVP_PKEY *k, unsigned char *d,
                     int n) {
  n_calls++;
  (*n_kind)++;
  note(kind, k, d, n > 0 ? (size_t)n : 0, NULL, 0);
  OPENSSL_free(d);
}

int __wrap_X509_verify(X509 *x, EVP_PKEY *k) {
  if (counting) {
    unsigned char *d = NULL;
    int n = i2d_X509(x, &d);
    note_der('c', &n_x509, k, d, n);
  }
  return __real_X509_verify(x, k);
}

int __wrap_X509_CRL_verify(X509_CRL *c, EVP_PKEY *k) {
  if (counting) {
    unsigned char *d = NULL;
    int n = i2d_X509_CRL(c, &d);
    note_der('r', &n_crl, k, d, n);
  }
  return __real_X509_CRL_verify(c, k);
}

int __wrap_EVP_PKEY_verify(EVP_PKEY_CTX *c, const unsigned char *sig,
                           size_t siglen, const unsigned char *tbs,
                           size_t tbslen) {
  if (counting) {
    n_calls++;
    n_pkey++;
    note('p', EVP_PKEY_CTX_get0_pkey(c), sig, siglen, tbs, tbslen);
  }
  return __real_EVP_PKEY_verify(c, sig, siglen, tbs, tbslen);
}

/* ---- OpenSSL's own ECDSA verification: the bound ------------------------ */

typedef struct ossl_bound {
  EVP_PKEY *pk;
  unsigned char msg[432], sig[80];
  size_t sl;
} ossl_bound;

static void bound_init(ossl_bound *b) {
  b->pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
  memset(b->msg, 0x5a, sizeof b->msg);
  b->sl = sizeof b->sig;
  EVP_MD_CTX *m = EVP_MD_CTX_new();
  if (!b->pk || !m ||
      EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, b->pk) != 1 ||
      EVP_DigestSign(m, b->sig, &b->sl, b->msg, sizeof b->msg) != 1) {
    fprintf(stderr, "bench_verify: OpenSSL signing failed\n");
    exit(1);
  }
  EVP_MD_CTX_free(m);
}

static double bound_run(ossl_bound *b, int n) {
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, b->pk) != 1 ||
        EVP_DigestVerify(c, b->sig, b->sl, b->msg, sizeof b->msg) != 1) {
      fprintf(stderr, "bench_verify: OpenSSL verify failed\n");
      exit(1);
    }
    EVP_MD_CTX_free(c);
  }
  return now_s() - t0;
}

/* ---- the flows ------------------------------------------------------------
 */

typedef struct bench {
  sgxra_ctx *cx;
  sgxra_collateral_buffers bufs;
  uint8_t *quote;
  size_t qn;
  int64_t t;
  char expect[64]; /* the first full flow's ql_return, kept by all */
} bench;

static void die_cx(const bench *b, const char *what) {
  fprintf(stderr, "bench_verify: %s: %s\n", what, sgxra_ctx_message(b->cx));
  exit(1);
}

static void check(bench *b, const sgxra_verdict *vd) {
  const char *r = sgxra_ql_result_name(vd->ql_return);
  if (!b->expect[0]) snprintf(b->expect, sizeof b->expect, "%s", r);
  if (strcmp(r, b->expect) != 0) {
    fprintf(stderr, "bench_verify: verdict changed: %s, then %s (%s)\n",
            b->expect, r, vd->reason);
    exit(1);
  }
}

/* One full flow from the in-memory files, as a new process makes it: the
 * process-wide cache of decoded certificates is emptied first, so nothing
 * decoded by an earlier iteration helps this one. */
static void full_once(bench *b) {
  sgxra__x509_cache_clear();
  sgxra_collateral *coll = NULL;
  sgxra_verifier *v = NULL;
  sgxra_verdict vd;
  if (sgxra_collateral_load(b->cx, &b->bufs, &coll) != SGXRA_OK)
    die_cx(b, "collateral load");
  /* A bundle that carries its own root (root_ca.pem: emulated bundles)
   * is validated against it, read here as the built-in one is inside. */
  sgxra_x509_chain *root = NULL;
  if (b->bufs.root_ca != NULL &&
      sgxra_x509_chain_parse_pem(b->cx, b->bufs.root_ca, b->bufs.root_ca_len,
                                 &root) != SGXRA_OK)
    die_cx(b, "root_ca.pem");
  if (sgxra_collateral_validate(b->cx, coll, sgxra_x509_chain_get(root, 0),
                                b->t) != SGXRA_OK)
    die_cx(b, "collateral validate");
  sgxra_x509_chain_free(root);
  if (sgxra_verifier_new(b->cx, coll, &v) != SGXRA_OK ||
      sgxra_verifier_verify(b->cx, v, b->quote, b->qn, b->t, &vd) != SGXRA_OK)
    die_cx(b, "verify");
  check(b, &vd);
  sgxra_verifier_free(v);
  sgxra_collateral_free(coll);
}

static int64_t bundle_time(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/expected.json", dir);
  json_error_t je;
  json_t *o = json_load_file(path, 0, &je);
  json_t *t = o ? json_object_get(o, "verification_time_unix") : NULL;
  if (!json_is_integer(t)) {
    fprintf(stderr,
            "bench_verify: %s has no \"verification_time_unix\": give the "
            "time with -t UNIX_TIME\n",
            path);
    exit(2);
  }
  int64_t v = (int64_t)json_integer_value(t);
  json_decref(o);
  return v;
}

static void usage(FILE *f) {
  fprintf(
      f,
      "usage: bench_verify [-h] [-f] [-t UNIX_TIME] [BUNDLE_DIR [SECONDS]]\n"
      "  BUNDLE_DIR  collateral bundle with quote.bin (default:\n"
      "              %s); one with root_ca.pem (emulated) is\n"
      "              validated against that root\n"
      "  SECONDS     time per measurement (default 2; the run takes four\n"
      "              times that)\n"
      "  -f          full flows only, for SECONDS, nothing printed (for\n"
      "              profiling: perf record -g bench_verify -f)\n"
      "  -t TIME     verification time (default: the bundle's\n"
      "              expected.json verification_time_unix)\n"
      "Prints quotes/s of the full flow (collateral parsed and validated,\n"
      "verifier made, quote verified, per quote), of a fresh verifier\n"
      "and of a warm one, the OpenSSL ECDSA-P256 verify rate measured in\n"
      "the same run, the ECDSA verifications one full flow makes, the\n"
      "bound (rate / distinct count) and the ratio to it.\n",
      DEFAULT_BUNDLE);
}

int main(int argc, char **argv) {
  const char *dir = DEFAULT_BUNDLE;
  double secs = 2.0;
  int64_t t = -1;
  int pos = 0, only_full = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(argv[i], "-f")) {
      only_full = 1;
    } else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
      t = strtoll(argv[++i], NULL, 10);
    } else if (argv[i][0] == '-') {
      usage(stderr);
      return 2;
    } else if (pos == 0) {
      dir = argv[i];
      pos++;
    } else if (pos == 1) {
      secs = atof(argv[i]);
      pos++;
    } else {
      usage(stderr);
      return 2;
    }
  }
  if (secs <= 0) {
    fprintf(stderr, "bench_verify: SECONDS must be > 0\n");
    return 2;
  }
  bench b;
  memset(&b, 0, sizeof b);
  b.cx = sgxra_ctx_new();
  b.t = t >= 0 ? t : bundle_time(dir);
  char qpath[4096];
  snprintf(qpath, sizeof qpath, "%s/quote.bin", dir);
  if (!b.cx || sgxra_collateral_read_dir(b.cx, dir, &b.bufs) != SGXRA_OK ||
      sgxra_file_read(b.cx, qpath, 1 << 20, &b.quote, &b.qn) != SGXRA_OK)
    die_cx(&b, dir);

  /* The count: one untimed full flow, after a first one that warms any
   * once-per-process setup (which the count is not about). */
  full_once(&b);
  counting = 1;
  full_once(&b);
  counting = 0;
  if (only_full) {
    double t0 = now_s();
    while (now_s() - t0 < secs) full_once(&b);
    sgxra_collateral_buffers_free(&b.bufs);
    free(b.quote);
    sgxra_ctx_free(b.cx);
    return 0;
  }

  sgxra_collateral *coll = NULL;
  sgxra_x509_chain *root = NULL;
  if (b.bufs.root_ca != NULL &&
      sgxra_x509_chain_parse_pem(b.cx, b.bufs.root_ca, b.bufs.root_ca_len,
                                 &root) != SGXRA_OK)
    die_cx(&b, "root_ca.pem");
  if (sgxra_collateral_load(b.cx, &b.bufs, &coll) != SGXRA_OK ||
      sgxra_collateral_validate(b.cx, coll, sgxra_x509_chain_get(root, 0),
                                b.t) != SGXRA_OK)
    die_cx(&b, "collateral");
  sgxra_x509_chain_free(root);
  ossl_bound ob;
  bound_init(&ob);
  sgxra_verifier *v = NULL;
  if (sgxra_verifier_new(b.cx, coll, &v) != SGXRA_OK) die_cx(&b, "verifier");
  sgxra_verdict vd;
  double t_ecdsa = 0, t_full = 0, t_fresh = 0, t_warm = 0;
  long n_ecdsa = 0, n_full = 0, n_fresh = 0, n_warm = 0;
  double start = now_s();
  while (now_s() - start < 4 * secs) {
    t_ecdsa += bound_run(&ob, 30);
    n_ecdsa += 30;
    double t0 = now_s();
    for (int i = 0; i < 5; i++) full_once(&b);
    t_full += now_s() - t0;
    n_full += 5;
    t0 = now_s();
    for (int i = 0; i < 10; i++) {
      sgxra_verifier *f = NULL;
      if (sgxra_verifier_new(b.cx, coll, &f) != SGXRA_OK ||
          sgxra_verifier_verify(b.cx, f, b.quote, b.qn, b.t, &vd) != SGXRA_OK)
        die_cx(&b, "verify");
      check(&b, &vd);
      sgxra_verifier_free(f);
    }
    t_fresh += now_s() - t0;
    n_fresh += 10;
    t0 = now_s();
    for (int i = 0; i < 10; i++) {
      if (sgxra_verifier_verify(b.cx, v, b.quote, b.qn, b.t, &vd) != SGXRA_OK)
        die_cx(&b, "verify");
      check(&b, &vd);
    }
    t_warm += now_s() - t0;
    n_warm += 10;
  }
  double ecdsa = (double)n_ecdsa / t_ecdsa;
  double full = (double)n_full / t_full;
  double fresh = (double)n_fresh / t_fresh;
  double warm = (double)n_warm / t_warm;
  EVP_PKEY_free(ob.pk);

  const char *slash = strrchr(dir, '/');
  printf("bundle %s at %lld: %s\n", slash && slash[1] ? slash + 1 : dir,
         (long long)b.t, b.expect);
  printf("ECDSA checks in one full flow: %u calls (%u X509_verify, "
         "%u X509_CRL_verify, %u EVP_PKEY_verify), %u distinct\n",
         n_calls, n_x509, n_crl, n_pkey, n_distinct);
  double bound = n_distinct ? ecdsa / n_distinct : 0;
  printf("OpenSSL ECDSA-P256 verify/s            %10.0f\n", ecdsa);
  printf("bound: verify/s / %-2u distinct          %10.0f\n", n_distinct,
         bound);
  printf("full flow quotes/s                     %10.0f  %.3f ms  ratio %.2f "
         "%s\n",
         full, 1e3 / full, bound ? full / bound : 0,
         bound && full / bound >= 0.7 ? "(target >= 0.7 met)"
                                      : "(target >= 0.7 NOT met)");
  printf("fresh verifier quotes/s (coll. once)   %10.0f  %.3f ms\n", fresh,
         1e3 / fresh);
  printf("warm verifier quotes/s                 %10.0f  %.3f ms\n", warm,
         1e3 / warm);
  sgxra_verifier_free(v);
  sgxra_collateral_free(coll);
  sgxra_collateral_buffers_free(&b.bufs);
  free(b.quote);
  sgxra_ctx_free(b.cx);
  return 0;
}
