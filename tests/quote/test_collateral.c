/* Tests of the collateral set (sgxra/collateral.h) on the 13 real bundles:
 * each loads and validates against Intel's root at its expected.json
 * verification_time, with the expected validity window and Intel's
 * collateral-expired flag; damaged or mismatched collateral gives its own
 * error; the quote's PCK chain checks against validated collateral. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/quote.h"
#include "sgxra/timeutil.h"
#include "sgxra/verify.h"

static int64_t parse_time(const char *s) {
  int64_t t;
  assert_int_equal(sgxra_time_parse_rfc3339(NULL, s, strlen(s), &t), SGXRA_OK);
  return t;
}

static void test_all_bundles(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    json_t *e = tu_bundle_expected(tu_bundles[i]);
    int64_t now =
        json_integer_value(json_object_get(e, "verification_time_unix"));
    int want_expired = (int)json_integer_value(
        json_object_get(e, "collateral_expiration_status"));
    sgxra_collateral *c = NULL;
    sgxra_err err =
        sgxra_collateral_load_dir(cx, tu_bundle_dir(tu_bundles[i]), &c);
    if (err != SGXRA_OK)
      fail_msg("%s: load: %s", tu_bundles[i], sgxra_ctx_message(cx));
    assert_false(sgxra_collateral_is_validated(c));
    err = sgxra_collateral_validate(cx, c, NULL, now);
    if (err != SGXRA_OK)
      fail_msg("%s: validate: %s [%s]", tu_bundles[i], sgxra_ctx_message(cx),
               sgxra_err_name(err));
    assert_true(sgxra_collateral_is_validated(c));
    if (sgxra_collateral_expired(c) != want_expired)
      fail_msg("%s: expired %d, expected %d", tu_bundles[i],
               sgxra_collateral_expired(c), want_expired);
    /* The collateral alone never ends before the full window does. */
    assert_true(sgxra_collateral_dates(c).earliest_expiry > 0);
    assert_non_null(sgxra_collateral_tcbinfo(c));
    assert_non_null(sgxra_collateral_qeidentity(c));
    assert_non_null(sgxra_collateral_pck_crl(c));
    assert_non_null(sgxra_collateral_root_crl(c));
    assert_string_equal(sgxra_x509_cert_subject_cn(sgxra_collateral_root(c)),
                        "Intel SGX Root CA");
    assert_string_equal(
        sgxra_x509_cert_subject_cn(sgxra_collateral_tcb_signer(c)),
        "Intel SGX TCB Signing");
    const char *ca =
        json_string_value(json_object_get(json_object_get(e, "pck"), "ca"));
    assert_string_equal(sgxra_x509_cert_subject_cn(sgxra_collateral_pck_ca(c)),
                        ca);
    /* FMSPC of the TCB Info is the PCK's. */
    char fm[13];
    const uint8_t *f = sgxra_collateral_tcbinfo(c)->fmspc;
    snprintf(fm, sizeof fm, "%02x%02x%02x%02x%02x%02x", f[0], f[1], f[2], f[3],
             f[4], f[5]);
    assert_string_equal(fm, json_string_value(json_object_get(
                                json_object_get(e, "pck"), "fmspc")));
    sgxra_collateral_free(c);
    json_decref(e);
  }
  sgxra_ctx_free(cx);
}

/* Per-quote PCK chain check: every bundle's quote chain passes against its
 * validated collateral, with the expired flag of expected.json. */
static void test_pck_chain_all(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    json_t *e = tu_bundle_expected(tu_bundles[i]);
    int64_t now =
        json_integer_value(json_object_get(e, "verification_time_unix"));
    int want_expired = (int)json_integer_value(
        json_object_get(e, "collateral_expiration_status"));
    sgxra_collateral *c = NULL;
    assert_int_equal(
        sgxra_collateral_load_dir(cx, tu_bundle_dir(tu_bundles[i]), &c),
        SGXRA_OK);
    size_t n;
    uint8_t *qb = tu_read_bundle(tu_bundles[i], "quote.bin", &n);
    sgxra_quote q;
    assert_int_equal(sgxra_quote_parse(cx, qb, n, &q), SGXRA_OK);
    const char *pem;
    size_t plen;
    assert_int_equal(sgxra_quote_pck_chain(cx, &q, &pem, &plen), SGXRA_OK);
    sgxra_x509_chain *ch = NULL;
    assert_int_equal(
        sgxra_x509_chain_parse_pem(cx, (const uint8_t *)pem, plen, &ch),
        SGXRA_OK);
    assert_int_equal(sgxra_x509_chain_count(ch), 3);
    int exp = -1;
    /* Before validation the collateral refuses to be used. */
    assert_int_equal(sgxra_collateral_check_pck_chain(cx, c, ch, now, &exp),
                     SGXRA_E_COLLATERAL_NOT_VALIDATED);
    assert_int_equal(sgxra_collateral_validate(cx, c, NULL, now), SGXRA_OK);
    sgxra_err err = sgxra_collateral_check_pck_chain(cx, c, ch, now, &exp);
    if (err != SGXRA_OK)
      fail_msg("%s: %s", tu_bundles[i], sgxra_ctx_message(cx));
    assert_int_equal(exp, want_expired);
    /* Straight from the PEM: same outcome, and the leaf comes back. */
    sgxra_x509_chain *leaf = NULL;
    exp = -1;
    err = sgxra_collateral_check_pck_pem(cx, c, (const uint8_t *)pem, plen, now,
                                         &exp, &leaf);
    if (err != SGXRA_OK)
      fail_msg("%s: pem: %s", tu_bundles[i], sgxra_ctx_message(cx));
    assert_int_equal(exp, want_expired);
    assert_int_equal(sgxra_x509_chain_count(leaf), 1);
    assert_true(sgxra_x509_cert_equal(sgxra_x509_chain_get(leaf, 0),
                                      sgxra_x509_chain_get(ch, 0)));
    sgxra_x509_chain_free(leaf);
    assert_string_equal(sgxra_x509_cert_subject_cn(sgxra_x509_chain_get(ch, 0)),
                        "Intel SGX PCK Certificate");
    sgxra_collateral_window w = sgxra_collateral_dates_with_chain(c, ch);
    const json_t *win = json_object_get(e, "all_collateral_valid_window");
    if (json_is_array(win)) {
      int64_t lo = parse_time(json_string_value(json_array_get(win, 0)));
      int64_t hi = parse_time(json_string_value(json_array_get(win, 1)));
      char a[SGXRA_TIME_TEXT_SIZE], b[SGXRA_TIME_TEXT_SIZE];
      sgxra_time_format(w.latest_issue, a);
      sgxra_time_format(w.earliest_expiry, b);
      if (w.latest_issue != lo || w.earliest_expiry != hi)
        fail_msg("%s: window [%s, %s], expected [%s, %s]", tu_bundles[i], a, b,
                 json_string_value(json_array_get(win, 0)),
                 json_string_value(json_array_get(win, 1)));
      /* Inside the window nothing is expired; at its end it is. */
      /* Inside the window the chain check says not expired; at its end
       * it does. */
      assert_int_equal(
          sgxra_collateral_check_pck_chain(cx, c, ch, hi - 1, &exp), SGXRA_OK);
      assert_int_equal(exp, 0);
      assert_int_equal(sgxra_collateral_check_pck_chain(cx, c, ch, hi, &exp),
                       SGXRA_OK);
      assert_int_equal(exp, 1);
    } else {
      assert_true(w.earliest_expiry <= now);
    }

    sgxra_x509_chain_free(ch);
    free(qb);
    sgxra_collateral_free(c);
    json_decref(e);
  }
  sgxra_ctx_free(cx);
}

/* Specific values of a few bundles' TCB Info and QE Identity. */
static void test_values(void **state) {
  (void)state;
  sgxra_collateral *c = NULL;
  assert_int_equal(
      sgxra_collateral_load_dir(NULL, tu_bundle_dir("sgx-01-phala-v3"), &c),
      SGXRA_OK);
  const sgxra_tcbinfo *t = sgxra_collateral_tcbinfo(c);
  assert_int_equal(t->version, 3);
  assert_string_equal(t->id, "SGX");
  assert_int_equal(t->tcb_evaluation_data_number, 17);
  assert_int_equal(t->issue_date, parse_time("2025-06-19T10:56:11Z"));
  assert_int_equal(t->next_update, parse_time("2025-07-19T10:56:11Z"));
  tu_assert_hex(t->fmspc, 6, "00a067110000");
  tu_assert_hex(t->pce_id, 2, "0000");
  static const uint8_t l0[16] = {11, 11, 2, 2, 255, 1, 12, 0,
                                 0,  0,  0, 0, 0,   0, 0,  0};
  assert_memory_equal(t->levels[0].sgx_svn, l0, 16);
  assert_int_equal(t->levels[0].pcesvn, 13);
  assert_int_equal(t->levels[0].status, SGXRA_TCB_SW_HARDENING_NEEDED);
  assert_int_equal(t->levels[0].tcb_date, parse_time("2024-03-13T00:00:00Z"));
  assert_int_equal(t->levels[0].advisory_count, 1);
  assert_string_equal(t->levels[0].advisory_ids[0], "INTEL-SA-00615");
  assert_int_equal(t->levels[1].status,
                   SGXRA_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED);
  assert_int_equal(t->levels[1].advisory_count, 2);
  assert_string_equal(t->levels[1].advisory_ids[0], "INTEL-SA-00289");
  assert_string_equal(t->levels[1].advisory_ids[1], "INTEL-SA-00615");
  const sgxra_qeidentity *q = sgxra_collateral_qeidentity(c);
  assert_int_equal(q->version, 2);
  assert_string_equal(q->id, "QE");
  assert_int_equal(q->tcb_evaluation_data_number, 17);
  assert_int_equal(q->miscselect, 0);
  assert_int_equal(q->miscselect_mask, 0xFFFFFFFFu);
  tu_assert_hex(q->attributes, 16, "11000000000000000000000000000000");
  tu_assert_hex(q->attributes_mask, 16, "fbffffffffffffff0000000000000000");
  tu_assert_hex(
      q->mrsigner, 32,
      "8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
  assert_int_equal(q->isvprodid, 1);
  assert_int_equal(q->level_count, 6);
  assert_int_equal(q->levels[0].isvsvn, 8);
  assert_int_equal(q->levels[0].status, SGXRA_TCB_UP_TO_DATE);
  assert_int_equal(q->levels[0].advisory_count, 0);
  assert_int_equal(q->levels[5].isvsvn, 1);
  assert_int_equal(q->levels[5].advisory_count, 6);
  assert_string_equal(q->levels[5].advisory_ids[0], "INTEL-SA-00202");
  sgxra_collateral_free(c);
}

/* Buffers of a bundle's files (freed by free_bufs). */
typedef struct files {
  uint8_t *p[8];
  size_t n[8];
} files;

static const char *const file_names[7] = {"pck_crl_issuer_chain.pem",
                                          "root_ca_crl.der",
                                          "pck_crl.der",
                                          "tcb_info.json",
                                          "tcb_info_issuer_chain.pem",
                                          "qe_identity.json",
                                          "qe_identity_issuer_chain.pem"};

static void read_files(const char *b, files *f) {
  memset(f, 0, sizeof(*f));
  for (int i = 0; i < 7; i++)
    f->p[i] = tu_read_bundle(b, file_names[i], &f->n[i]);
}

static void free_files(files *f) {
  for (int i = 0; i < 8; i++) free(f->p[i]);
}

static sgxra_collateral_buffers as_bufs(const files *f) {
  sgxra_collateral_buffers b = {
      f->p[0], f->n[0], f->p[1], f->n[1], f->p[2], f->n[2], f->p[3], f->n[3],
      f->p[4], f->n[4], f->p[5], f->n[5], f->p[6], f->n[6], NULL,    0};
  return b;
}

static sgxra_err load_validate(const sgxra_collateral_buffers *b, int64_t now) {
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *c = NULL;
  sgxra_err e = sgxra_collateral_load(cx, b, &c);
  if (e == SGXRA_OK) {
    e = sgxra_collateral_validate(cx, c, NULL, now);
    assert_int_equal(sgxra_collateral_is_validated(c), e == SGXRA_OK);
  } else {
    assert_null(c);
  }
  if (e != SGXRA_OK)
    print_message("  -> %s: %s\n", sgxra_err_name(e), sgxra_ctx_message(cx));
  sgxra_collateral_free(c);
  sgxra_ctx_free(cx);
  return e;
}

static void test_negative(void **state) {
  (void)state;
  const int64_t now = 1751328000; /* sgx-01's verification time */
  files a, p;
  read_files("sgx-01-phala-v3", &a);            /* Processor CA */
  read_files("sgx-02-automata-v3-2025-08", &p); /* Platform CA */
  sgxra_collateral_buffers b = as_bufs(&a);
  assert_int_equal(load_validate(&b, now), SGXRA_OK);
  /* Months later: still valid, but expired. */
  sgxra_collateral *c = NULL;
  assert_int_equal(sgxra_collateral_load(NULL, &b, &c), SGXRA_OK);
  assert_int_equal(sgxra_collateral_validate(NULL, c, NULL, now + 90 * 86400),
                   SGXRA_OK);
  assert_true(sgxra_collateral_expired(c));
  sgxra_collateral_free(c);
  /* Each missing piece is named. */
  for (int i = 0; i < 7; i++) {
    b = as_bufs(&a);
    switch (i) {
    case 0:
      b.pck_crl_issuer_chain_len = 0;
      break;
    case 1:
      b.root_ca_crl_len = 0;
      break;
    case 2:
      b.pck_crl_len = 0;
      break;
    case 3:
      b.tcb_info_len = 0;
      break;
    case 4:
      b.tcb_info_issuer_chain_len = 0;
      break;
    case 5:
      b.qe_identity_len = 0;
      break;
    default:
      b.qe_identity_issuer_chain = NULL;
      break;
    }
    assert_int_equal(load_validate(&b, now), SGXRA_E_COLLATERAL_MISSING);
  }
  /* The PCK CRL of another CA.  Intel's QvE only parses the PCK CRL
   * issuer chain (qve_get_collateral_dates) and checks the PCK CRL against
   * the quote's CA (PckCertVerifier -> PckCrlVerifier::verify:
   * STATUS_SGX_CRL_UNKNOWN_ISSUER, not in status_error_to_quote3_error ->
   * SGX_QL_ERROR_UNEXPECTED): the collateral validates, the quote fails. */
  b = as_bufs(&a);
  b.pck_crl = p.p[2];
  b.pck_crl_len = p.n[2];
  sgxra_ctx *cx = sgxra_ctx_new();
  assert_int_equal(sgxra_collateral_load(cx, &b, &c), SGXRA_OK);
  assert_int_equal(sgxra_collateral_validate(cx, c, NULL, now), SGXRA_OK);
  {
    size_t qn;
    uint8_t *q01 = tu_read_bundle("sgx-01-phala-v3", "quote.bin", &qn);
    sgxra_verdict vd;
    assert_int_equal(sgxra_verify_quote(cx, q01, qn, c, NULL, now, &vd),
                     SGXRA_OK);
    assert_string_equal(sgxra_ql_result_name(vd.ql_return),
                        "SGX_QL_ERROR_UNEXPECTED");
    assert_int_equal(vd.err, SGXRA_E_CRL_ISSUER);
    assert_string_equal(
        vd.reason, "PCK chain: the quote's PCK CA is 'Intel SGX PCK Processor "
                   "CA' but the collateral's PCK CRL is issued by 'Intel SGX "
                   "PCK Platform CA': fetch the PCK CRL (and chain) for the "
                   "quote's CA");
    free(q01);
  }
  sgxra_collateral_free(c);
  /* A PCK CRL whose signature byte is flipped. */
  b = as_bufs(&a);
  uint8_t *bad = malloc(a.n[2]);
  memcpy(bad, a.p[2], a.n[2]);
  bad[a.n[2] - 2] ^= 0x01;
  b.pck_crl = bad;
  assert_int_equal(load_validate(&b, now), SGXRA_E_CRL_SIGNATURE);
  free(bad);
  /* TCB Info of another platform (sgx-02) still verifies: the FMSPC match
   * is per quote.  A root CA CRL that is not valid DER fails to load. */
  b = as_bufs(&a);
  b.tcb_info = p.p[3];
  b.tcb_info_len = p.n[3];
  assert_int_equal(load_validate(&b, now), SGXRA_OK);
  b = as_bufs(&a);
  b.root_ca_crl = a.p[1] + 1;
  b.root_ca_crl_len = a.n[1] - 1;
  assert_int_equal(load_validate(&b, now), SGXRA_E_CRL_PARSE);
  b = as_bufs(&a);
  b.tcb_info_issuer_chain = a.p[3];
  b.tcb_info_issuer_chain_len = a.n[3];
  assert_int_equal(load_validate(&b, now), SGXRA_E_X509_PEM);
  /* The PCK CA's chain given as the TCB Info issuer chain. */
  b = as_bufs(&a);
  b.tcb_info_issuer_chain = a.p[0];
  b.tcb_info_issuer_chain_len = a.n[0];
  assert_int_equal(load_validate(&b, now), SGXRA_E_COLLATERAL_TCB_SIGNER);
  b = as_bufs(&a);
  b.qe_identity_issuer_chain = a.p[0];
  b.qe_identity_issuer_chain_len = a.n[0];
  assert_int_equal(load_validate(&b, now), SGXRA_E_COLLATERAL_TCB_SIGNER);
  /* A test root is not Intel's. */
  sgxra_x509_chain *intel = NULL;
  assert_int_equal(sgxra_x509_intel_root(NULL, &intel), SGXRA_OK);
  b = as_bufs(&a);
  assert_int_equal(sgxra_collateral_load(cx, &b, &c), SGXRA_OK);
  assert_int_equal(
      sgxra_collateral_validate(cx, c, sgxra_x509_chain_get(intel, 0), now),
      SGXRA_OK);
  sgxra_x509_chain *pckca = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(cx, a.p[0], a.n[0], &pckca),
                   SGXRA_OK);
  /* Trusting the PCK CA as root: nothing leads to it; the first check in
   * Intel's order is the root CA CRL against the root (QVL
   * PckCertVerifier::verify, QvE step 12, before the TCB Info chain of
   * step 13): not issued by it. */
  assert_int_equal(
      sgxra_collateral_validate(cx, c, sgxra_x509_chain_get(pckca, 0), now),
      SGXRA_E_CRL_ISSUER);
  print_message("  %s\n", sgxra_ctx_message(cx));
  assert_false(sgxra_collateral_is_validated(c));
  sgxra_collateral_free(c);
  sgxra_x509_chain_free(pckca);
  sgxra_x509_chain_free(intel);
  /* A quote whose PCK CA differs from the collateral's. */
  b = as_bufs(&a);
  assert_int_equal(sgxra_collateral_load(cx, &b, &c), SGXRA_OK);
  assert_int_equal(sgxra_collateral_validate(cx, c, NULL, now), SGXRA_OK);
  size_t qn;
  uint8_t *qb =
      tu_read_vector("dcap/bundles/sgx-02-automata-v3-2025-08/quote.bin", &qn);
  sgxra_quote q;
  assert_int_equal(sgxra_quote_parse(cx, qb, qn, &q), SGXRA_OK);
  const char *pem;
  size_t plen;
  assert_int_equal(sgxra_quote_pck_chain(cx, &q, &pem, &plen), SGXRA_OK);
  sgxra_x509_chain *ch = NULL;
  assert_int_equal(
      sgxra_x509_chain_parse_pem(cx, (const uint8_t *)pem, plen, &ch),
      SGXRA_OK);
  int exp = -1;
  assert_int_equal(sgxra_collateral_check_pck_chain(cx, c, ch, now, &exp),
                   SGXRA_E_CRL_ISSUER);
  print_message("  %s\n", sgxra_ctx_message(cx));
  sgxra_x509_chain *lf = (sgxra_x509_chain *)1;
  assert_int_equal(sgxra_collateral_check_pck_pem(cx, c, (const uint8_t *)pem,
                                                  plen, now, &exp, &lf),
                   SGXRA_E_CRL_ISSUER);
  assert_null(lf);
  assert_int_equal(sgxra_collateral_check_pck_pem(cx, c, (const uint8_t *)"x",
                                                  1, now, &exp, &lf),
                   SGXRA_E_X509_PEM);
  sgxra_x509_chain_free(ch);
  free(qb);
  sgxra_collateral_free(c);
  sgxra_ctx_free(cx);
  free_files(&a);
  free_files(&p);
}

static void test_load_dir_errors(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *c = (sgxra_collateral *)1;
  char *dir = tu_tmpdir();
  assert_int_equal(sgxra_collateral_load_dir(cx, dir, &c),
                   SGXRA_E_COLLATERAL_MISSING);
  assert_null(c);
  assert_non_null(strstr(sgxra_ctx_message(cx), "pck_crl_issuer_chain.pem"));
  tu_rmtree(dir);
  free(dir);
  assert_int_equal(sgxra_collateral_load_dir(cx, NULL, &c),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_ctx_free(cx);
}

/* A copy of sgx-01's collateral files in a new temporary folder. */
static char *bundle_copy(void) {
  char *dir = tu_tmpdir();
  for (size_t i = 0; i < 7; i++) {
    size_t n;
    uint8_t *p = tu_read_bundle("sgx-01-phala-v3", file_names[i], &n);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file_names[i]);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    free(p);
  }
  return dir;
}

static void path_in(char *out, size_t n, const char *dir, const char *name) {
  snprintf(out, n, "%s/%s", dir, name);
}

/* Each file is opened once and read: absent -> MISSING naming it (the
 * optional root_ca.pem absent is fine), unreadable -> SGXRA_E_IO saying
 * permission denied, any other failure -> SGXRA_E_IO with its reason. */
static void test_load_dir_files(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *c = NULL;
  char *dir = bundle_copy();
  char path[4096];

  /* complete, without the optional root_ca.pem */
  path_in(path, sizeof path, dir, "root_ca.pem");
  assert_int_not_equal(access(path, F_OK), 0);
  assert_int_equal(sgxra_collateral_load_dir(cx, dir, &c), SGXRA_OK);
  assert_int_equal(sgxra_collateral_validate(cx, c, NULL, 1751328000),
                   SGXRA_OK);
  sgxra_collateral_free(c);

  /* root_ca.pem present and read: Intel's root validates, another
   * certificate is refused as the bundle's root */
  size_t rn;
  uint8_t *rp = tu_read_vector("dcap/Intel_SGX_Root_CA.pem", &rn);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(rp, 1, rn, f), rn);
  assert_int_equal(fclose(f), 0);
  free(rp);
  assert_int_equal(sgxra_collateral_load_dir(cx, dir, &c), SGXRA_OK);
  assert_int_equal(sgxra_collateral_validate(cx, c, NULL, 1751328000),
                   SGXRA_OK);
  sgxra_collateral_free(c);
  assert_int_equal(unlink(path), 0);

  /* a required file missing */
  char saved[4096 + 16];
  path_in(path, sizeof path, dir, "tcb_info.json");
  snprintf(saved, sizeof saved, "%s.saved", path);
  assert_int_equal(rename(path, saved), 0);
  c = (sgxra_collateral *)1;
  assert_int_equal(sgxra_collateral_load_dir(cx, dir, &c),
                   SGXRA_E_COLLATERAL_MISSING);
  assert_null(c);
  assert_non_null(strstr(sgxra_ctx_message(cx), path));
  assert_non_null(strstr(sgxra_ctx_message(cx), "is missing"));

  /* present but not a file: its own reason and code, not "missing" */
  assert_int_equal(mkdir(path, 0700), 0);
  assert_int_equal(sgxra_collateral_load_dir(cx, dir, &c),
                   SGXRA_E_NOT_REGULAR_FILE);
  assert_non_null(strstr(sgxra_ctx_message(cx), path));
  assert_non_null(
      strstr(sgxra_ctx_message(cx), "is a directory, not a regular file"));
  assert_int_equal(rmdir(path), 0);
  assert_int_equal(rename(saved, path), 0);

  /* unreadable: permission denied, not "missing" (root reads it anyway) */
  path_in(path, sizeof path, dir, "qe_identity.json");
  assert_int_equal(chmod(path, 0), 0);
  sgxra_err e = sgxra_collateral_load_dir(cx, dir, &c);
  if (geteuid() != 0) {
    assert_int_equal(e, SGXRA_E_IO);
    assert_null(c);
    assert_non_null(strstr(sgxra_ctx_message(cx), path));
    assert_non_null(strstr(sgxra_ctx_message(cx), "permission denied"));
  } else {
    assert_int_equal(e, SGXRA_OK);
    sgxra_collateral_free(c);
  }
  assert_int_equal(chmod(path, 0600), 0);

  tu_rmtree(dir);
  free(dir);
  sgxra_ctx_free(cx);
}

/* Intel's collateral_expiration_status counts expiry dates only (earliest
 * notAfter / nextUpdate <= time; TCBInfoVerifier and PckCertVerifier
 * compare notAfter alone), so validating sgx-01 before its TCB signing
 * certificate's notBefore (2025-05-06T09:25:00Z) is not "expired", while
 * its earliest nextUpdate (2025-07-19T10:01:18Z) is, at that second. */
/* The item table names every member of sgxra_collateral_buffers once, in
 * member order, with its bundle file; read_dir + write_dir round-trip a
 * real bundle byte for byte and refuse a non-empty target, leaving it as
 * it was. */
static void test_items_read_write(void **state) {
  (void)state;
  static const char *const names[SGXRA_COLLATERAL_ITEMS] = {
      "pck_crl_issuer_chain",
      "root_ca_crl",
      "pck_crl",
      "tcb_info",
      "tcb_info_issuer_chain",
      "qe_identity",
      "qe_identity_issuer_chain",
      "root_ca"};
  static const char *const bundle_files[SGXRA_COLLATERAL_ITEMS] = {
      "pck_crl_issuer_chain.pem",
      "root_ca_crl.der",
      "pck_crl.der",
      "tcb_info.json",
      "tcb_info_issuer_chain.pem",
      "qe_identity.json",
      "qe_identity_issuer_chain.pem",
      "root_ca.pem"};
  sgxra_collateral_buffers b;
  memset(&b, 0, sizeof b);
  for (unsigned i = 0; i < SGXRA_COLLATERAL_ITEMS; i++) {
    assert_string_equal(sgxra_collateral_item_name(i), names[i]);
    assert_string_equal(sgxra_collateral_item_file(i), bundle_files[i]);
    size_t *n;
    const uint8_t **p = sgxra_collateral_item_at(&b, i, &n);
    *p = (const uint8_t *)names[i];
    *n = i + 1;
  }
  assert_ptr_equal(b.tcb_info, names[3]);
  assert_int_equal(b.tcb_info_len, 4);
  assert_ptr_equal(b.root_ca, names[7]);
  assert_int_equal(b.qe_identity_issuer_chain_len, 7);
  size_t *n;
  assert_null(sgxra_collateral_item_name(SGXRA_COLLATERAL_ITEMS));
  assert_null(sgxra_collateral_item_at(&b, SGXRA_COLLATERAL_ITEMS, &n));

  sgxra_ctx *cx = sgxra_ctx_new();
  char *src = bundle_copy();
  sgxra_collateral_buffers in;
  assert_int_equal(sgxra_collateral_read_dir(cx, src, &in), SGXRA_OK);
  assert_null(in.root_ca);
  char *top = tu_tmpdir();
  char out[4096], path[4200];
  snprintf(out, sizeof out, "%s/bundle/", top);
  assert_int_equal(sgxra_collateral_write_dir(cx, out, &in), SGXRA_OK);
  out[strlen(out) - 1] = 0;
  sgxra_collateral_buffers back;
  assert_int_equal(sgxra_collateral_read_dir(cx, out, &back), SGXRA_OK);
  for (unsigned i = 0; i < SGXRA_COLLATERAL_ITEMS; i++) {
    size_t *n1, *n2;
    const uint8_t **p1 = sgxra_collateral_item_at(&in, i, &n1);
    const uint8_t **p2 = sgxra_collateral_item_at(&back, i, &n2);
    assert_int_equal(*n1, *n2);
    if (*n1) assert_memory_equal(*p1, *p2, *n1);
  }
  struct stat sb;
  snprintf(path, sizeof path, "%s/tcb_info.json", out);
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_mode & 0022, 0);
  /* again: DIR now holds the bundle */
  assert_int_equal(sgxra_collateral_write_dir(cx, out, &in), SGXRA_E_IO);
  assert_non_null(strstr(sgxra_ctx_message(cx), "is not empty"));
  sgxra_collateral_buffers_free(&back);
  assert_int_equal(sgxra_collateral_read_dir(cx, out, &back), SGXRA_OK);
  assert_int_equal(back.tcb_info_len, in.tcb_info_len);
  sgxra_collateral_buffers_free(&back);
  /* a missing required item is refused and leaves nothing behind */
  in.tcb_info_len = 0;
  snprintf(path, sizeof path, "%s/other", top);
  assert_int_equal(sgxra_collateral_write_dir(cx, path, &in),
                   SGXRA_E_INVALID_ARGUMENT);
  assert_int_equal(stat(path, &sb), -1);
  DIR *d = opendir(top); /* only bundle/: no temporary sibling is left */
  assert_non_null(d);
  struct dirent *de;
  int entries = 0;
  while ((de = readdir(d)))
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
      assert_string_equal(de->d_name, "bundle");
      entries++;
    }
  closedir(d);
  assert_int_equal(entries, 1);
  sgxra_collateral_buffers_free(&in);
  assert_null(in.tcb_info);
  tu_rmtree(top);
  tu_rmtree(src);
  free(top);
  free(src);
  sgxra_ctx_free(cx);
}

static void test_expiry_dates_only(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *c = NULL;
  assert_int_equal(
      sgxra_collateral_load_dir(cx, tu_bundle_dir("sgx-01-phala-v3"), &c),
      SGXRA_OK);
  /* before the PCK CRL's thisUpdate (2025-06-19T10:23:18Z): Intel counts
   * it as expired (QVL PckParser Validity::isValid, CrlStore::expired ->
   * STATUS_SGX_CRL_EXPIRED, QvE is_expiration_error) */
  assert_int_equal(sgxra_collateral_validate(cx, c, NULL, 1746523500 - 1),
                   SGXRA_OK);
  assert_int_equal(sgxra_collateral_expired(c), 1);
  assert_int_equal(sgxra_collateral_validate(cx, c, NULL, 1752919278 - 1),
                   SGXRA_OK);
  assert_int_equal(sgxra_collateral_expired(c), 0);
  assert_int_equal(sgxra_collateral_validate(cx, c, NULL, 1752919278),
                   SGXRA_OK);
  assert_int_equal(sgxra_collateral_expired(c), 1);
  sgxra_collateral_free(c);
  sgxra_ctx_free(cx);
}

/* One rule for the expired flag: a CRL before its thisUpdate counts
 * (Intel's QVL Validity::isValid), in sgxra_collateral_expired_at, in
 * validation and in the verifier's verdict alike. */
static void test_expired_at_crl_this_update(void **state) {
  (void)state;
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_collateral *c = NULL;
  assert_int_equal(
      sgxra_collateral_load_dir(cx, tu_bundle_dir("sgx-01-phala-v3"), &c),
      SGXRA_OK);
  size_t qn;
  uint8_t *q = tu_read_bundle("sgx-01-phala-v3", "quote.bin", &qn);
  /* the PCK CRL's and the root CA CRL's thisUpdate */
  const int64_t tu[2] = {1750328598, 1742469717};
  for (int i = 0; i < 2; i++) {
    for (int64_t d = -1; d <= 0; d++) {
      int64_t t = tu[i] + d;
      /* root CA CRL: at its thisUpdate the PCK CRL is not valid yet */
      int want = d < 0 || i == 1;
      assert_int_equal(sgxra_collateral_validate(cx, c, NULL, t), SGXRA_OK);
      assert_int_equal(sgxra_crl_this_update(sgxra_collateral_pck_crl(c)),
                       tu[0]);
      assert_int_equal(sgxra_crl_this_update(sgxra_collateral_root_crl(c)),
                       tu[1]);
      assert_int_equal(sgxra_collateral_expired_at(c, t), want);
      assert_int_equal(sgxra_collateral_expired(c), want);
      sgxra_verifier *v = NULL;
      assert_int_equal(sgxra_verifier_new(cx, c, &v), SGXRA_OK);
      sgxra_verdict vd;
      assert_int_equal(sgxra_verifier_verify(cx, v, q, qn, t, &vd), SGXRA_OK);
      assert_int_equal(vd.ql_return, SGXRA_QL_SUCCESS);
      assert_int_equal(vd.collateral_expired, want);
      assert_int_equal(sgxra_verify_quote(cx, q, qn, c, NULL, t, &vd),
                       SGXRA_OK);
      assert_int_equal(vd.collateral_expired, want);
      sgxra_verifier_free(v);
    }
  }
  free(q);
  sgxra_collateral_free(c);
  sgxra_ctx_free(cx);
}

/* ---- Intel's answers on collateral that does not parse (issue 13) -------
 *
 * Each variant of one file of sgx-01 is loaded with
 * sgxra_collateral_load_deferred and the quote verified at sgx-01's time;
 * the expected return is what Intel's QvE (DCAP 1.23 qve.cpp + QVL)
 * answered on the same bytes (/work/notes/issue13 oracle, diff/RESULTS.md
 * classes D, E, F). */

/* `n` bytes of `item`: a new buffer made of pre + the file + post, or
 * the file cut to `cut` bytes (cut > 0). */
typedef struct variant {
  const char *name;
  int item; /* index in file_names */
  const char *pre;
  size_t pre_len;
  const char *post;
  size_t post_len;
  long cut;   /* > 0: keep the first `cut` bytes; < 0: drop -cut */
  int encode; /* 1: PEM of the DER CRL, 2: lower hex, 3: upper hex */
  int ql;     /* Intel's return */
} variant;

static char *b64_pem(const uint8_t *p, size_t n, size_t *out_len) {
  static const char t[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t cap = 64 + (n + 2) / 3 * 4 + n / 48 + 64;
  char *o = malloc(cap), *w = o;
  assert_non_null(o);
  w += sprintf(w, "-----BEGIN X509 CRL-----\n");
  size_t col = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    *w++ = t[(v >> 18) & 63];
    *w++ = t[(v >> 12) & 63];
    *w++ = i + 1 < n ? t[(v >> 6) & 63] : '=';
    *w++ = i + 2 < n ? t[v & 63] : '=';
    if ((col += 4) == 64) {
      *w++ = '\n';
      col = 0;
    }
  }
  if (col) *w++ = '\n';
  w += sprintf(w, "-----END X509 CRL-----\n");
  *out_len = (size_t)(w - o);
  return o;
}

static uint8_t *make_variant(const files *f, const variant *v,
                             size_t *out_len) {
  const uint8_t *src = f->p[v->item];
  size_t sn = f->n[v->item];
  uint8_t *enc = NULL;
  if (v->encode == 1) {
    enc = (uint8_t *)b64_pem(src, sn, &sn);
    src = enc;
  } else if (v->encode >= 2) {
    enc = malloc(2 * sn + 1);
    assert_non_null(enc);
    for (size_t i = 0; i < sn; i++)
      sprintf((char *)enc + 2 * i, v->encode == 2 ? "%02x" : "%02X", src[i]);
    sn *= 2;
    src = enc;
  }
  if (v->cut > 0 && (size_t)v->cut < sn) sn = (size_t)v->cut;
  if (v->cut < 0) sn -= (size_t)(-v->cut);
  size_t n = v->pre_len + sn + v->post_len;
  uint8_t *o = malloc(n + 1);
  assert_non_null(o);
  memcpy(o, v->pre, v->pre_len);
  memcpy(o + v->pre_len, src, sn);
  memcpy(o + v->pre_len + sn, v->post, v->post_len);
  free(enc);
  *out_len = n;
  return o;
}

#define S(x) x, sizeof(x) - 1
#define NONE "", 0

static void test_deferred_intel_codes(void **state) {
  (void)state;
  const int64_t now = 1751328000; /* sgx-01's verification time */
  files a;
  read_files("sgx-01-phala-v3", &a);
  size_t qn = 0;
  uint8_t *q = tu_read_bundle("sgx-01-phala-v3", "quote.bin", &qn);
  enum {
    CHAIN = 0,
    ROOT_CRL = 1,
    PCK_CRL = 2,
    TCB = 3,
    TCB_CHAIN = 4,
    QE = 5,
    QE_CHAIN = 6
  };
  const variant vs[] = {
      {"baseline", TCB, NONE, NONE, 0, 0, SGXRA_QL_SUCCESS},
      /* D, N: JSON that does not parse (rapidjson: BOM, trailing text) */
      {"tcb bom", TCB, S("\xef\xbb\xbf"), NONE, 0, 0,
       SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
      {"tcb trailing garbage", TCB, NONE, S("garbage"), 0, 0,
       SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
      {"tcb empty", TCB, NONE, NONE, 0, 0, SGXRA_QL_TCBINFO_UNSUPPORTED_FORMAT},
      {"qe empty", QE, NONE, NONE, 0, 0,
       SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
      {"tcb chain empty", TCB_CHAIN, NONE, NONE, 0, 0,
       SGXRA_QL_PCK_CERT_CHAIN_ERROR},
      {"pck crl chain empty", CHAIN, NONE, NONE, 0, 0,
       SGXRA_QL_PCK_CERT_CHAIN_ERROR},
      {"qe bom", QE, S("\xef\xbb\xbf"), NONE, 0, 0,
       SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
      {"qe trailing garbage", QE, NONE, S("garbage"), 0, 0,
       SGXRA_QL_QEIDENTITY_UNSUPPORTED_FORMAT},
      /* D: chains that do not parse: qve_get_collateral_dates */
      {"pck crl chain cut in its 1st cert", CHAIN, NONE, NONE, 400, 0,
       SGXRA_QL_PCK_CERT_CHAIN_ERROR},
      {"tcb chain cut in its 1st cert", TCB_CHAIN, NONE, NONE, 400, 0,
       SGXRA_QL_PCK_CERT_CHAIN_ERROR},
      {"qe chain cut in its 1st cert", QE_CHAIN, NONE, NONE, 400, 0,
       SGXRA_QL_PCK_CERT_CHAIN_ERROR},
      /* F: a NUL inside a text file: is_collateral_deep_copied */
      {"tcb trailing NUL", TCB, NONE, "\0", 1, 0, 0,
       SGXRA_QL_ERROR_INVALID_PARAMETER},
      {"qe trailing NUL", QE, NONE, "\0", 1, 0, 0,
       SGXRA_QL_ERROR_INVALID_PARAMETER},
      {"pck crl chain trailing NUL", CHAIN, NONE, "\0", 1, 0, 0,
       SGXRA_QL_ERROR_INVALID_PARAMETER},
      {"tcb chain trailing NUL", TCB_CHAIN, NONE, "\0", 1, 0, 0,
       SGXRA_QL_ERROR_INVALID_PARAMETER},
      {"qe chain trailing NUL", QE_CHAIN, NONE, "\0", 1, 0, 0,
       SGXRA_QL_ERROR_INVALID_PARAMETER},
      /* E: CRL encodings as QvE check_pem_crl / check_hex_crl and QVL
       * str2X509Crl (d2i_X509_CRL_bio ignores trailing bytes) */
      {"pck crl DER + garbage", PCK_CRL, NONE, S("garbage"), 0, 0,
       SGXRA_QL_SUCCESS},
      {"pck crl DER + NUL", PCK_CRL, NONE, "\0", 1, 0, 0, SGXRA_QL_SUCCESS},
      {"root crl DER + garbage", ROOT_CRL, NONE, S("garbage"), 0, 0,
       SGXRA_QL_SUCCESS},
      {"pck crl DER truncated", PCK_CRL, NONE, NONE, -10, 0,
       SGXRA_QL_CRL_UNSUPPORTED_FORMAT},
      {"root crl DER truncated", ROOT_CRL, NONE, NONE, -10, 0,
       SGXRA_QL_CRL_UNSUPPORTED_FORMAT},
      {"pck crl PEM", PCK_CRL, NONE, NONE, 0, 1, SGXRA_QL_SUCCESS},
      {"pck crl PEM + garbage", PCK_CRL, NONE, S("garbage\n"), 0, 1,
       SGXRA_QL_SUCCESS},
      {"pck crl PEM after a newline", PCK_CRL, S("\n"), NONE, 0, 1,
       SGXRA_QL_CRL_UNSUPPORTED_FORMAT},
      {"pck crl PEM after a BOM", PCK_CRL, S("\xef\xbb\xbf"), NONE, 0, 1,
       SGXRA_QL_CRL_UNSUPPORTED_FORMAT},
      {"root crl PEM after a newline", ROOT_CRL, S("\n"), NONE, 0, 1,
       SGXRA_QL_CRL_UNSUPPORTED_FORMAT},
      {"pck crl hex", PCK_CRL, NONE, NONE, 0, 2, SGXRA_QL_SUCCESS},
      {"pck crl HEX", PCK_CRL, NONE, NONE, 0, 3, SGXRA_QL_SUCCESS},
      {"pck crl hex + newline", PCK_CRL, NONE, S("\n"), 0, 2,
       SGXRA_QL_CRL_UNSUPPORTED_FORMAT},
      {"root crl hex + newline", ROOT_CRL, NONE, S("\n"), 0, 2,
       SGXRA_QL_CRL_UNSUPPORTED_FORMAT},
      /* the enclave refuses a zero-size CRL buffer */
      {"pck crl empty", PCK_CRL, NONE, NONE, 0, 0,
       SGXRA_QL_ERROR_INVALID_PARAMETER},
  };
  for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
    const variant *v = &vs[i];
    size_t n;
    uint8_t *buf = make_variant(&a, v, &n);
    if (strstr(v->name, "empty")) n = 0;
    sgxra_collateral_buffers b = as_bufs(&a);
    size_t *lenp;
    const uint8_t **pp = sgxra_collateral_item_at(&b, (unsigned)v->item, &lenp);
    *pp = buf;
    *lenp = n;
    sgxra_ctx *cx = sgxra_ctx_new();
    sgxra_collateral *c = NULL;
    assert_int_equal(sgxra_collateral_load_deferred(cx, &b, &c), SGXRA_OK);
    sgxra_verdict vd;
    assert_int_equal(sgxra_verify_quote(cx, q, qn, c, NULL, now, &vd),
                     SGXRA_OK);
    if ((int)vd.ql_return != v->ql)
      print_message("%s: got %s (%s), want %s\n", v->name,
                    sgxra_ql_result_name(vd.ql_return), vd.reason,
                    sgxra_ql_result_name((sgxra_ql_result)v->ql));
    assert_int_equal(vd.ql_return, v->ql);
    if (v->ql == SGXRA_QL_SUCCESS) {
      assert_int_equal(sgxra_collateral_load_error(c), SGXRA_OK);
      assert_string_equal(vd.qv_result,
                          "SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED");
      assert_false(vd.collateral_expired);
    } else {
      assert_string_equal(vd.qv_result, "SGX_QL_QV_RESULT_UNSPECIFIED");
      assert_int_equal(vd.stage, SGXRA_STAGE_COLLATERAL);
      assert_int_equal(sgxra_collateral_load_error(c), vd.err);
      assert_null(sgxra_collateral_tcbinfo(c));
      assert_null(sgxra_collateral_pck_ca(c));
    }
    sgxra_collateral_free(c);
    sgxra_ctx_free(cx);
    free(buf);
  }
  free(q);
  free_files(&a);
}

#undef S
#undef NONE

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_expiry_dates_only),
      cmocka_unit_test(test_expired_at_crl_this_update),
      cmocka_unit_test(test_all_bundles),
      cmocka_unit_test(test_pck_chain_all),
      cmocka_unit_test(test_values),
      cmocka_unit_test(test_negative),
      cmocka_unit_test(test_deferred_intel_codes),
      cmocka_unit_test(test_load_dir_errors),
      cmocka_unit_test(test_load_dir_files),
      cmocka_unit_test(test_items_read_write),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
