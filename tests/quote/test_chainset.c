/* Issuer-chain files and the PCK CRL read as Intel's verifier reads them
 * and the quote's own PCK chain (issue 13, classes B, C, K and L), on every
 * bundle of
 * ../shared/vectors/dcap/bundles at its verification time.  Each variant's
 * expected return is the answer Intel's own code (QVL 7e5b2a1 + QvE
 * DCAP_1.23 logic) gave on that same variant, recorded in
 * /work/notes/issue13/diff (results-all.jsonl, results-swap.jsonl); the
 * rule is named at each case.  "baseline" means the bundle's own
 * expected.json: same return, verdict, expired flag and advisory IDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/verify.h"

#define BASELINE NULL

/* The PEM certificate blocks of a chain file, each with its newline. */
typedef struct blocks {
  char *b[4];
  size_t count;
} blocks;

static void split(const uint8_t *p, size_t n, blocks *out) {
  static const char begin[] = "-----BEGIN CERTIFICATE-----";
  static const char end[] = "-----END CERTIFICATE-----";
  char *s = strndup((const char *)p, n);
  memset(out, 0, sizeof *out);
  const char *at = s;
  while (out->count < 4 && (at = strstr(at, begin)) != NULL) {
    const char *e = strstr(at, end);
    assert_non_null(e);
    e += sizeof end - 1;
    out->b[out->count++] = strndup(at, (size_t)(e - at));
    at = e;
  }
  free(s);
  assert_int_equal(out->count, 2);
}

static void blocks_free(blocks *b) {
  for (size_t i = 0; i < b->count; i++) free(b->b[i]);
}

/* Up to four blocks joined, each followed by a newline; "" ends. */
static char *join(const char *a, const char *b, const char *c) {
  size_t n = strlen(a) + strlen(b) + strlen(c) + 4;
  char *s = malloc(n);
  snprintf(s, n, "%s\n%s%s%s%s", a, b, *b ? "\n" : "", c, *c ? "\n" : "");
  return s;
}

typedef struct run {
  const char *bundle;
  uint8_t *quote;
  size_t qn;
  int64_t now;
  json_t *exp;
  sgxra_collateral_buffers b;
} run;

/* Verify the bundle's quote with collateral buffers b and compare the
 * answer with Intel's: `want` a return name, or BASELINE. */
static void check(run *r, const sgxra_collateral_buffers *b,
                  const char *variant, const char *want) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *c = NULL;
  if (sgxra_collateral_load(cx, b, &c) != SGXRA_OK)
    fail_msg("%s %s: load: %s", r->bundle, variant, sgxra_ctx_message(cx));
  sgxra_verdict vd;
  assert_int_equal(
      sgxra_verify_quote(cx, r->quote, r->qn, c, NULL, r->now, &vd), SGXRA_OK);
  const char *got = sgxra_ql_result_name(vd.ql_return);
  const char *exp_ret =
      want ? want : json_string_value(json_object_get(r->exp, "qve_return"));
  if (strcmp(got, exp_ret) != 0)
    fail_msg("%s %s: return %s, Intel %s (%s)", r->bundle, variant, got,
             exp_ret, vd.reason);
  if (want == BASELINE) {
    assert_string_equal(vd.qv_result,
                        json_string_value(json_object_get(
                            r->exp, "quote_verification_result")));
    assert_int_equal(vd.collateral_expired,
                     json_integer_value(json_object_get(
                         r->exp, "collateral_expiration_status")));
    json_t *adv = json_object_get(r->exp, "advisory_ids");
    assert_int_equal(vd.advisory_count, json_array_size(adv));
    for (size_t i = 0; i < vd.advisory_count; i++)
      assert_string_equal(vd.advisory_ids[i],
                          json_string_value(json_array_get(adv, i)));
  } else {
    assert_string_equal(vd.qv_result, "SGX_QL_QV_RESULT_UNSPECIFIED");
  }
  sgxra_collateral_free(c);
  sgxra_ctx_free(cx);
}

static void run_open(run *r, const char *bundle) {
  memset(r, 0, sizeof *r);
  r->bundle = bundle;
  sgxra_ctx *cx = sgxra_ctx_new();
  if (sgxra_collateral_read_dir(cx, tu_bundle_dir(bundle), &r->b) != SGXRA_OK)
    fail_msg("%s: %s", bundle, sgxra_ctx_message(cx));
  sgxra_ctx_free(cx);
  r->quote = tu_read_bundle(bundle, "quote.bin", &r->qn);
  r->exp = tu_bundle_expected(bundle);
  r->now =
      json_integer_value(json_object_get(r->exp, "verification_time_unix"));
}

static void run_close(run *r) {
  sgxra_collateral_buffers_free(&r->b);
  free(r->quote);
  json_decref(r->exp);
}

/* Class B: the TCB Info and the QE Identity issuer chains (item 4 and 6)
 * are read as a set of exactly 2 certificates holding a self-signed root
 * (QuoteVerification.cpp's length check -> STATUS_UNSUPPORTED_CERT_FORMAT
 * -> PCK_CERT_UNSUPPORTED_FORMAT; TCBSigningChain::verify's
 * STATUS_SGX_ROOT_CA_MISSING is not in the QvE's switch -> UNEXPECTED). */
static void tcb_like_chain(run *r, unsigned item, const char *foreign) {
  size_t *lenp;
  const uint8_t **pp = sgxra_collateral_item_at(&r->b, item, &lenp);
  blocks k;
  split(*pp, *lenp, &k);
  const char *L = k.b[0], *R = k.b[1];
  char *half = strndup((const char *)*pp, *lenp / 2);
  struct {
    const char *name;
    char *pem;
    const char *want;
  } v[] = {
      {"reversed", join(R, L, ""), BASELINE},
      {"root_removed", join(L, "", ""), "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT"},
      {"leaf_removed", join(R, "", ""), "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT"},
      {"leaf_duplicated", join(L, L, R), "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT"},
      {"root_duplicated", join(L, R, R), "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT"},
      {"leaf_only_twice", join(L, L, ""), "SGX_QL_ERROR_UNEXPECTED"},
      {"extra_foreign_cert", join(L, R, foreign),
       "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT"},
      {"extra_foreign_cert_first", join(foreign, L, R),
       "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT"},
      /* the file cut in half (the variant Intel's code was run on): the
       * root loses its END line and QVL's splitter drops it, one
       * certificate is left */
      {"truncated_mid_cert", half, "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT"},
  };
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    sgxra_collateral_buffers b = r->b;
    size_t *bl;
    const uint8_t **bp = sgxra_collateral_item_at(&b, item, &bl);
    *bp = (const uint8_t *)v[i].pem;
    *bl = strlen(v[i].pem);
    char name[96];
    snprintf(name, sizeof name, "%s.%s", sgxra_collateral_item_file(item),
             v[i].name);
    check(r, &b, name, v[i].want);
    if (v[i].pem != half) free(v[i].pem);
  }
  free(half);
  blocks_free(&k);
}

/* Class C: the PCK CRL issuer chain is only parsed, for its dates
 * (qve_get_collateral_dates); the PCK CRL is checked against the quote's
 * own PCK CA (PckCertVerifier).  Every variant that parses: baseline. */
static void pck_crl_chain(run *r, const char *foreign) {
  blocks k;
  split(r->b.pck_crl_issuer_chain, r->b.pck_crl_issuer_chain_len, &k);
  const char *L = k.b[0], *R = k.b[1];
  const char *name[] = {"reversed",           "root_removed",
                        "leaf_removed",       "leaf_duplicated",
                        "root_duplicated",    "leaf_only_twice",
                        "extra_foreign_cert", "extra_foreign_cert_first"};
  char *pem[] = {join(R, L, ""),      join(L, "", ""),    join(R, "", ""),
                 join(L, L, R),       join(L, R, R),      join(L, L, ""),
                 join(L, R, foreign), join(foreign, L, R)};
  for (size_t i = 0; i < sizeof pem / sizeof pem[0]; i++) {
    sgxra_collateral_buffers b = r->b;
    b.pck_crl_issuer_chain = (const uint8_t *)pem[i];
    b.pck_crl_issuer_chain_len = strlen(pem[i]);
    char nm[96];
    snprintf(nm, sizeof nm, "pck_crl_issuer_chain.pem.%s", name[i]);
    check(r, &b, nm, BASELINE);
    free(pem[i]);
  }
  blocks_free(&k);
}

static void test_issuer_chains(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    run r;
    run_open(&r, tu_bundles[i]);
    blocks pck, tcb;
    split(r.b.pck_crl_issuer_chain, r.b.pck_crl_issuer_chain_len, &pck);
    split(r.b.tcb_info_issuer_chain, r.b.tcb_info_issuer_chain_len, &tcb);
    tcb_like_chain(&r, 4, pck.b[0]); /* tcb_info_issuer_chain */
    tcb_like_chain(&r, 6, pck.b[0]); /* qe_identity_issuer_chain */
    pck_crl_chain(&r, tcb.b[0]);
    blocks_free(&pck);
    blocks_free(&tcb);
    run_close(&r);
  }
}

/* Class L, and the PCK CRL issuer chain of C from another bundle: sgx-01's
 * quote (Processor CA) with sgx-02's (Platform CA) files and the reverse.
 * The other CA's PCK CRL, alone or with its issuer chain:
 * PckCrlVerifier::verify(crl, the quote's CA) -> STATUS_SGX_CRL_UNKNOWN_
 * ISSUER, not in the QvE's switch -> UNEXPECTED.  The other CA's issuer
 * chain alone: only parsed -> baseline. */
static void test_other_pck_ca(void **state) {
  (void)state;
  const char *pair[2] = {"sgx-01-phala-v3", "sgx-02-automata-v3-2025-08"};
  for (int i = 0; i < 2; i++) {
    run r, o;
    run_open(&r, pair[i]);
    run_open(&o, pair[1 - i]);
    sgxra_collateral_buffers b = r.b;
    b.pck_crl = o.b.pck_crl;
    b.pck_crl_len = o.b.pck_crl_len;
    check(&r, &b, "pck_crl.der of the other CA", "SGX_QL_ERROR_UNEXPECTED");
    b.pck_crl_issuer_chain = o.b.pck_crl_issuer_chain;
    b.pck_crl_issuer_chain_len = o.b.pck_crl_issuer_chain_len;
    check(&r, &b, "pck_crl.der + chain of the other CA",
          "SGX_QL_ERROR_UNEXPECTED");
    b = r.b;
    b.pck_crl_issuer_chain = o.b.pck_crl_issuer_chain;
    b.pck_crl_issuer_chain_len = o.b.pck_crl_issuer_chain_len;
    check(&r, &b, "pck_crl_issuer_chain.pem of the other CA", BASELINE);
    run_close(&o);
    run_close(&r);
  }
}

/* The bundle's v3 quote with its certification data (type 5) replaced by
 * pem, sizes fixed up.  The certification data is covered by no
 * signature, so the quote still verifies. */
static uint8_t *with_chain(const run *r, const char *pem, size_t *out_n) {
  assert_true(r->qn > 1020);
  size_t qa = (size_t)r->quote[1012] | (size_t)r->quote[1013] << 8;
  size_t at = 1014 + qa; /* certification data type */
  assert_true(at + 6 <= r->qn);
  assert_int_equal(r->quote[at], 5);
  size_t pl = strlen(pem), n = at + 6 + pl;
  uint8_t *c = malloc(n);
  memcpy(c, r->quote, at + 2);
  uint32_t auth = (uint32_t)(n - 436);
  for (int i = 0; i < 4; i++) c[432 + i] = (uint8_t)(auth >> (8 * i));
  for (int i = 0; i < 4; i++) c[at + 2 + i] = (uint8_t)(pl >> (8 * i));
  memcpy(c + at + 6, pem, pl);
  *out_n = n;
  return c;
}

/* Class K: the quote's own PCK chain in any order (QVL CertificateChain
 * finds root, intermediate and PCK by content); a chain whose second
 * self-signed root stands in for the CA: PckCertVerifier
 * STATUS_SGX_INTERMEDIATE_CA_MISSING, not in the QvE's switch ->
 * UNEXPECTED; a count other than 3: qve.cpp -> PCK_CERT_CHAIN_ERROR. */
static void test_quote_chain_order(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    run r;
    run_open(&r, tu_bundles[i]);
    size_t qa = (size_t)r.quote[1012] | (size_t)r.quote[1013] << 8;
    size_t at = 1014 + qa + 6;
    size_t pl = (size_t)r.quote[at - 4] | (size_t)r.quote[at - 3] << 8 |
                (size_t)r.quote[at - 2] << 16;
    assert_true(at + pl <= r.qn);
    char *text = strndup((const char *)r.quote + at, pl);
    const char *bg = "-----BEGIN CERTIFICATE-----";
    const char *en = "-----END CERTIFICATE-----";
    char *blk[3];
    const char *p = text;
    for (int k = 0; k < 3; k++) {
      const char *b = strstr(p, bg), *e = b ? strstr(b, en) : NULL;
      assert_non_null(e);
      e += strlen(en);
      blk[k] = strndup(b, (size_t)(e - b));
      p = e;
    }
    const char *L = blk[0], *C = blk[1], *R = blk[2];
    struct {
      const char *name;
      const char *a, *b, *c, *d;
      const char *want;
    } v[] = {
        {"reversed", R, C, L, "", BASELINE},
        {"ca_first", C, L, R, "", BASELINE},
        {"ca_removed", L, R, "", "", "SGX_QL_PCK_CERT_CHAIN_ERROR"},
        {"root_duplicated_no_ca", L, R, R, "", "SGX_QL_ERROR_UNEXPECTED"},
        {"leaf_duplicated", L, L, C, R, "SGX_QL_PCK_CERT_CHAIN_ERROR"},
    };
    for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
      char pem[16384];
      snprintf(pem, sizeof pem, "%s\n%s\n%s\n%s%s", v[j].a, v[j].b, v[j].c,
               v[j].d, *v[j].d ? "\n" : "");
      run q = r;
      uint8_t *quote = with_chain(&r, pem, &q.qn);
      q.quote = quote;
      char nm[64];
      snprintf(nm, sizeof nm, "quote:chain %s", v[j].name);
      check(&q, &r.b, nm, v[j].want);
      free(quote);
    }
    for (int k = 0; k < 3; k++) free(blk[k]);
    free(text);
    run_close(&r);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_issuer_chains),
      cmocka_unit_test(test_other_pck_ca),
      cmocka_unit_test(test_quote_chain_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
