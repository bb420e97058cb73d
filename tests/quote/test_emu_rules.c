/* Rules of Intel's verifier that the emulated platform's inputs exposed
 * (issue 13, tests/verify_diff emu-* bundles), checked on fresh emulated
 * quotes and collateral against the simulated CA's root:
 *
 * - step order: QvE sgx_qve_verify_quote runs QVL's PCK certificate
 *   verification (sgxAttestationVerifyPCKCertificate, step 12) before the
 *   TCB Info and QE Identity verifiers (steps 13, 14), so a revoked PCK is
 *   SGX_QL_PCK_REVOKED even when their issuer chain or signature is bad.
 *
 * (The v4 slack rule, QVL Ecdsa256BitQuoteV4AuthData::insert, is in
 * test_quote.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/emu.h"
#include "sgxra/intelca.h"
#include "sgxra/qe.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

typedef struct fixture {
  char *dir;
  char cadir[4096];
  sgxra_ctx *cx;
  sgxra_intelca *ca;
  sgxra_emu_platform *plat;
  sgxra_qe *qe;
  sgxra_emu_enclave *isv;
  char serial[41];
  uint8_t *quote;
  size_t quote_len;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
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
  assert_int_equal(sgxra_qe_sign_image(f->cx, k, "isv", 7, 1, ss), SGXRA_OK);
  sgxra_rsa_free(k);
  if (sgxra_qe_start_image(f->cx, f->plat, "isv", ss, sizeof ss, &f->isv))
    fail_msg("enclave: %s", sgxra_ctx_message(f->cx));
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  sgxra_report r;
  uint8_t rd[64] = {0};
  assert_int_equal(sgxra_emu_ereport(f->cx, f->isv, &ti, rd, &r), SGXRA_OK);
  if (sgxra_qe_quote(f->cx, f->qe, &r, 3, &f->quote, &f->quote_len))
    fail_msg("quote: %s", sgxra_ctx_message(f->cx));
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  free(f->quote);
  sgxra_emu_enclave_free(f->isv);
  sgxra_qe_free(f->qe);
  sgxra_emu_platform_free(f->plat);
  sgxra_intelca_free(f->ca);
  sgxra_ctx_free(f->cx);
  tu_rmtree(f->dir);
  free(f->dir);
  free(f);
  return 0;
}

static void write_text(const char *path, const char *text) {
  FILE *fp = fopen(path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
  assert_int_equal(fclose(fp), 0);
}

/* The quote verified at NOW + 1 day with a fresh bundle in which `file`
 * (when not NULL) holds only the root certificate. */
static void verify_with(fixture *f, const char *file, sgxra_verdict *v) {
  char path[4200], fp[4300];
  snprintf(path, sizeof path, "%s/bundle", f->dir);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(f->plat, &cfg);
  assert_int_equal(
      sgxra_intelca_write_bundle(f->cx, f->ca, cfg.fmspc, NOW, path), SGXRA_OK);
  const char *pem = sgxra_intelca_root_pem(f->ca);
  if (file) {
    snprintf(fp, sizeof fp, "%s/%s", path, file);
    write_text(fp, pem);
  }
  sgxra_collateral *coll = NULL;
  assert_int_equal(sgxra_collateral_load_dir_deferred(f->cx, path, &coll),
                   SGXRA_OK);
  sgxra_x509_chain *root = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)pem,
                                              strlen(pem), &root),
                   SGXRA_OK);
  assert_int_equal(sgxra_verify_quote(f->cx, f->quote, f->quote_len, coll,
                                      sgxra_x509_chain_get(root, 0),
                                      NOW + 86400, v),
                   SGXRA_OK);
  sgxra_x509_chain_free(root);
  sgxra_collateral_free(coll);
}

static void revoked_pck_before_tcb_and_qe_chains(void **state) {
  fixture *f = *state;
  static const char *files[] = {"tcb_info_issuer_chain.pem",
                                "qe_identity_issuer_chain.pem"};
  sgxra_verdict v;
  verify_with(f, NULL, &v);
  assert_string_equal(sgxra_ql_result_name(v.ql_return), "SGX_QL_SUCCESS");
  /* not revoked: a TCB Info / QE Identity issuer chain of the root alone
   * is Intel's PCK_CERT_UNSUPPORTED_FORMAT (steps 13, 14) */
  for (int i = 0; i < 2; i++) {
    verify_with(f, files[i], &v);
    assert_string_equal(sgxra_ql_result_name(v.ql_return),
                        "SGX_QL_PCK_CERT_UNSUPPORTED_FORMAT");
    assert_int_equal(v.stage, SGXRA_STAGE_COLLATERAL);
  }
  assert_int_equal(sgxra_intelca_revoke(f->cx, f->ca, f->serial, NOW),
                   SGXRA_OK);
  verify_with(f, NULL, &v);
  assert_string_equal(sgxra_ql_result_name(v.ql_return), "SGX_QL_PCK_REVOKED");
  /* revoked: step 12 comes first, whatever the TCB Info / QE Identity
   * chains hold */
  for (int i = 0; i < 2; i++) {
    verify_with(f, files[i], &v);
    assert_string_equal(sgxra_ql_result_name(v.ql_return),
                        "SGX_QL_PCK_REVOKED");
    assert_string_equal(v.qv_result, "SGX_QL_QV_RESULT_UNSPECIFIED");
    assert_int_equal(v.stage, SGXRA_STAGE_PCK_CHAIN);
    assert_non_null(strstr(v.reason, "revoked"));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(revoked_pck_before_tcb_and_qe_chains,
                                      setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
