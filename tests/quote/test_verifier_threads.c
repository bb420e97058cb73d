/* One sgxra_verifier shared by threads (issue 14, "Library misuse").
 *
 * sgx-01's quote is re-encoded with 0..VARIANTS-1 newlines appended to its
 * PEM PCK chain (the two sizes adjusted): every variant is a valid quote
 * whose chain bytes, and so whose cache key, differ.  THREADS threads, each
 * with its own sgxra_ctx, verify the variants on ONE verifier, so the PCK
 * chain cache keeps growing (realloc) and, past SGXRA_VERIFIER_CACHE_MAX,
 * replacing entries (their keys freed) while the other threads use them.
 * Before the in-use flag this crashed under ASan (heap-use-after-free in
 * pck_lookup / sgxra_p256_verify).  Now every call must either give the
 * single-threaded verdict (SGXRA_OK, SGX_QL_SUCCESS, the same TCB status)
 * or return SGXRA_E_VERIFIER_BUSY with a verdict that is not success. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#define B01 "sgx-01-phala-v3"
#define T01 1751328000 /* 2025-07-01T00:00:00Z */
#define THREADS 8
#define VARIANTS (SGXRA_VERIFIER_CACHE_MAX + 64)
#define ROUNDS 2 /* each thread walks the variants this many times */

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

typedef struct variant {
  uint8_t *q;
  size_t n;
} variant;

/* sgx-01 (v3) with `pad` newlines after its PEM chain: the signature data
 * length (offset 432) and the certification data size (just before the
 * PEM) grow by `pad`. */
static variant make_variant(sgxra_ctx *cx, const uint8_t *q0, size_t n0,
                            size_t pad) {
  sgxra_quote pq;
  if (sgxra_quote_parse(cx, q0, n0, &pq) != SGXRA_OK)
    fail_msg("parse: %s", sgxra_ctx_message(cx));
  assert_int_equal(pq.header.version, 3);
  assert_int_equal(pq.cert_type, 5);
  size_t end = (size_t)(pq.cert_data - q0) + pq.cert_data_len;
  variant v = {malloc(end + pad), end + pad};
  assert_non_null(v.q);
  memcpy(v.q, q0, end);
  memset(v.q + end, '\n', pad);
  put32(v.q + 432, get32(q0 + 432) + (uint32_t)pad);
  size_t size_at = (size_t)(pq.cert_data - q0) - 4;
  put32(v.q + size_at, get32(q0 + size_at) + (uint32_t)pad);
  return v;
}

typedef struct shared {
  sgxra_verifier *v;
  variant *vars;
  sgxra_verdict ref; /* the single-threaded verdict */
  pthread_barrier_t go;
} shared;

typedef struct worker {
  shared *s;
  int id;
  size_t ok, busy, bad;
  char why[SGXRA_VERDICT_REASON_SIZE + 64];
} worker;

static void *work(void *arg) {
  worker *w = arg;
  shared *s = w->s;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_verdict *vd = malloc(sizeof *vd);
  if (!cx || !vd) {
    w->bad++;
    snprintf(w->why, sizeof w->why, "out of memory");
    goto out;
  }
  pthread_barrier_wait(&s->go);
  for (size_t r = 0; r < ROUNDS * VARIANTS; r++) {
    /* each thread starts elsewhere, so several add new chains at once */
    const variant *x = &s->vars[(r + (size_t)w->id * 37) % VARIANTS];
    sgxra_err rc = sgxra_verifier_verify(cx, s->v, x->q, x->n, T01, vd);
    if (rc == SGXRA_OK && vd->err == SGXRA_OK &&
        vd->ql_return == s->ref.ql_return &&
        vd->final_status == s->ref.final_status &&
        vd->qv_result_code == s->ref.qv_result_code &&
        vd->stage == SGXRA_STAGE_DONE) {
      w->ok++;
    } else if (rc == SGXRA_E_VERIFIER_BUSY &&
               sgxra_ctx_error(cx) == SGXRA_E_VERIFIER_BUSY &&
               vd->ql_return != SGXRA_QL_SUCCESS &&
               vd->err == SGXRA_E_VERIFIER_BUSY &&
               vd->stage != SGXRA_STAGE_DONE) {
      w->busy++;
    } else {
      if (!w->bad++)
        snprintf(w->why, sizeof w->why, "rc %s, verdict %s: %s",
                 sgxra_err_name(rc), sgxra_ql_result_name(vd->ql_return),
                 vd->reason);
    }
  }
out:
  free(vd);
  sgxra_ctx_free(cx);
  return NULL;
}

static void hammer(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *c = NULL;
  if (sgxra_collateral_load_dir(cx, tu_bundle_dir(B01), &c) != SGXRA_OK)
    fail_msg("load: %s", sgxra_ctx_message(cx));
  if (sgxra_collateral_validate(cx, c, NULL, T01) != SGXRA_OK)
    fail_msg("validate: %s", sgxra_ctx_message(cx));
  size_t n0;
  uint8_t *q0 = tu_read_bundle(B01, "quote.bin", &n0);

  shared *s = calloc(1, sizeof *s);
  s->vars = calloc(VARIANTS, sizeof *s->vars);
  for (size_t i = 0; i < VARIANTS; i++)
    s->vars[i] = make_variant(cx, q0, n0, i);
  assert_int_equal(sgxra_verifier_new(cx, c, &s->v), SGXRA_OK);

  /* Alone, a variant verifies as the original quote does, and each one is
   * a new cache entry. */
  sgxra_verdict *vd = malloc(sizeof *vd);
  assert_int_equal(sgxra_verify_quote(cx, q0, n0, c, NULL, T01, &s->ref),
                   SGXRA_OK);
  assert_int_equal(s->ref.ql_return, SGXRA_QL_SUCCESS);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(
        sgxra_verifier_verify(cx, s->v, s->vars[i].q, s->vars[i].n, T01, vd),
        SGXRA_OK);
    if (vd->ql_return != SGXRA_QL_SUCCESS)
      fail_msg("variant %zu: %s", i, vd->reason);
    assert_int_equal(vd->final_status, s->ref.final_status);
    assert_int_equal(sgxra_verifier_cache_size(s->v), i + 1);
  }

  pthread_barrier_init(&s->go, NULL, THREADS);
  pthread_t th[THREADS];
  worker w[THREADS];
  memset(w, 0, sizeof w);
  for (int i = 0; i < THREADS; i++) {
    w[i].s = s;
    w[i].id = i;
    assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
  }
  size_t ok = 0, busy = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(th[i], NULL);
    if (w[i].bad)
      fail_msg("thread %d: %zu wrong answers, first: %s", i, w[i].bad,
               w[i].why);
    ok += w[i].ok;
    busy += w[i].busy;
  }
  pthread_barrier_destroy(&s->go);
  print_message("%d threads, one verifier: %zu verified, %zu refused busy\n",
                THREADS, ok, busy);
  assert_int_equal(ok + busy, (size_t)THREADS * ROUNDS * VARIANTS);
  assert_true(ok > 0);
  assert_true(sgxra_verifier_cache_size(s->v) <= SGXRA_VERIFIER_CACHE_MAX);

  /* The verifier is intact afterwards: one thread verifies every variant
   * again, never busy. */
  for (size_t i = 0; i < VARIANTS; i++) {
    assert_int_equal(
        sgxra_verifier_verify(cx, s->v, s->vars[i].q, s->vars[i].n, T01, vd),
        SGXRA_OK);
    assert_int_equal(vd->ql_return, SGXRA_QL_SUCCESS);
  }
  assert_int_equal(sgxra_verifier_cache_size(s->v), SGXRA_VERIFIER_CACHE_MAX);

  free(vd);
  sgxra_verifier_free(s->v);
  for (size_t i = 0; i < VARIANTS; i++) free(s->vars[i].q);
  free(s->vars);
  free(s);
  free(q0);
  sgxra_collateral_free(c);
  sgxra_ctx_free(cx);
}

/* The busy refusal names the fix; a free verifier is not busy. */
static void busy_message(void **state) {
  (void)state;
  assert_string_equal(sgxra_err_name(SGXRA_E_VERIFIER_BUSY),
                      "SGXRA_E_VERIFIER_BUSY");
  assert_non_null(
      strstr(sgxra_strerror(SGXRA_E_VERIFIER_BUSY), "not thread-safe"));
}

/* The collateral validated again, and failing, under a live verifier: its
 * trust root and CRLs are freed, so the verifier refuses to run instead of
 * reading them. */
static void revalidated_collateral(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *c = NULL;
  if (sgxra_collateral_load_dir(cx, tu_bundle_dir(B01), &c) != SGXRA_OK ||
      sgxra_collateral_validate(cx, c, NULL, T01) != SGXRA_OK)
    fail_msg("collateral: %s", sgxra_ctx_message(cx));
  size_t n0, pn;
  uint8_t *q0 = tu_read_bundle(B01, "quote.bin", &n0);
  sgxra_verifier *v = NULL;
  assert_int_equal(sgxra_verifier_new(cx, c, &v), SGXRA_OK);
  sgxra_verdict *vd = malloc(sizeof *vd);
  assert_int_equal(sgxra_verifier_verify(cx, v, q0, n0, T01, vd), SGXRA_OK);
  assert_int_equal(vd->ql_return, SGXRA_QL_SUCCESS);
  /* the PCK CA as trust root: validation fails */
  uint8_t *pem = tu_read_bundle(B01, "pck_crl_issuer_chain.pem", &pn);
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(cx, pem, pn, &ch), SGXRA_OK);
  const sgxra_x509_cert *ca = sgxra_x509_chain_get(ch, 0);
  assert_true(sgxra_x509_cert_is_ca(ca));
  assert_int_not_equal(sgxra_collateral_validate(cx, c, ca, T01), SGXRA_OK);
  assert_int_equal(sgxra_verifier_verify(cx, v, q0, n0, T01, vd),
                   SGXRA_E_COLLATERAL_NOT_VALIDATED);
  assert_int_not_equal(vd->ql_return, SGXRA_QL_SUCCESS);
  assert_int_equal(vd->err, SGXRA_E_COLLATERAL_NOT_VALIDATED);
  assert_non_null(strstr(sgxra_ctx_message(cx), "make a new verifier"));
  /* validated again successfully: the verifier works again */
  assert_int_equal(sgxra_collateral_validate(cx, c, NULL, T01), SGXRA_OK);
  assert_int_equal(sgxra_verifier_verify(cx, v, q0, n0, T01, vd), SGXRA_OK);
  assert_int_equal(vd->ql_return, SGXRA_QL_SUCCESS);
  sgxra_x509_chain_free(ch);
  free(pem);
  free(vd);
  sgxra_verifier_free(v);
  free(q0);
  sgxra_collateral_free(c);
  sgxra_ctx_free(cx);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(hammer),
      cmocka_unit_test(busy_message),
      cmocka_unit_test(revalidated_collateral),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
