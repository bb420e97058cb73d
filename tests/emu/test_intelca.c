/* Tests of the simulated Intel CA (sgxra/intelca.h): certificates and CRLs
 * checked with OpenSSL, the SGX extension of issued PCK certificates
 * through the quote module's parser (the extension encoder itself is
 * tested byte-exact in tests/quote/test_pckext.c), TCB Info / QE Identity
 * signatures through the collateral module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/testutil.h"
#include "sgxra/collateral.h"
#include "sgxra/file.h"
#include "sgxra/intelca.h"
#include "sgxra/quote.h"
#include "sgxra/x509.h"

/* 2026-01-01T00:00:00Z */
#define NOW 1767225600

typedef struct fixture {
  char *dir;
  sgxra_ctx *cx;
  sgxra_intelca *ca;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  f->dir = tu_tmpdir();
  f->cx = sgxra_ctx_new();
  char *cadir = malloc(strlen(f->dir) + 8);
  sprintf(cadir, "%s/ca", f->dir);
  sgxra_err e = sgxra_intelca_create(f->cx, cadir, NOW, &f->ca);
  free(cadir);
  if (e) fail_msg("CA create: %s", sgxra_ctx_message(f->cx));
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sgxra_intelca_free(f->ca);
  sgxra_ctx_free(f->cx);
  tu_rmtree(f->dir);
  free(f->dir);
  free(f);
  return 0;
}

static X509 *pem_cert(const char *pem) {
  BIO *b = BIO_new_mem_buf(pem, -1);
  X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
  BIO_free(b);
  assert_non_null(x);
  return x;
}

static void assert_cn(X509_NAME *nm, const char *want) {
  char cn[128];
  assert_true(X509_NAME_get_text_by_NID(nm, NID_commonName, cn, sizeof cn) > 0);
  assert_string_equal(cn, want);
}

static void real_pck_info(sgxra_pck_ext *in) {
  memset(in, 0, sizeof(*in));
  tu_hex("d04ec06d4e6d92dc90d0ad3cf5ee2ddf", in->ppid, 16);
  const uint8_t comps[16] = {11, 11, 2, 2, 255, 1, 0, 0,
                             0,  0,  0, 0, 0,   0, 0, 0};
  memcpy(in->comp_svn, comps, 16);
  in->pcesvn = 13;
  tu_hex("0b0b0202ff0100000000000000000000", in->cpusvn, 16);
  tu_hex("00a067110000", in->fmspc, 6);
  in->dynamic_platform = in->cached_keys = in->smt_enabled = -1;
}

static void ca_certificates(void **state) {
  fixture *f = *state;
  X509 *root = pem_cert(sgxra_intelca_root_pem(f->ca));
  X509 *pca = pem_cert(sgxra_intelca_platform_ca_pem(f->ca));
  X509 *tcb = pem_cert(sgxra_intelca_tcb_signing_pem(f->ca));
  assert_cn(X509_get_subject_name(root), "sgxra TEST SGX Root CA");
  assert_cn(X509_get_issuer_name(root), "sgxra TEST SGX Root CA");
  assert_cn(X509_get_subject_name(pca), "sgxra TEST SGX PCK Platform CA");
  assert_cn(X509_get_issuer_name(pca), "sgxra TEST SGX Root CA");
  assert_cn(X509_get_subject_name(tcb), "sgxra TEST SGX TCB Signing");
  assert_int_equal(X509_verify(root, X509_get0_pubkey(root)), 1);
  assert_int_equal(X509_verify(pca, X509_get0_pubkey(root)), 1);
  assert_int_equal(X509_verify(tcb, X509_get0_pubkey(root)), 1);
  assert_int_equal(X509_verify(pca, X509_get0_pubkey(pca)), 0);
  assert_int_equal(X509_check_ca(root), 1);
  assert_int_equal(X509_check_ca(pca), 1);
  assert_int_equal(X509_check_ca(tcb), 0);
  assert_int_equal(X509_get_pathlen(root), 1);
  assert_int_equal(X509_get_pathlen(pca), 0);
  /* Validity starts an hour before `now`. */
  assert_int_equal(
      X509_cmp_time(X509_get0_notBefore(root), &(time_t){NOW - 3601}), 1);
  assert_int_equal(
      X509_cmp_time(X509_get0_notBefore(root), &(time_t){NOW - 3599}), -1);
  X509_free(root);
  X509_free(pca);
  X509_free(tcb);

  /* Reopening gives the same CA; creating over it is refused. */
  char path[4096];
  snprintf(path, sizeof path, "%s/ca", f->dir);
  sgxra_intelca *again = NULL;
  assert_int_equal(sgxra_intelca_open(f->cx, path, &again), SGXRA_OK);
  assert_string_equal(sgxra_intelca_root_pem(again),
                      sgxra_intelca_root_pem(f->ca));
  sgxra_intelca_free(again);
  assert_int_equal(sgxra_intelca_create(f->cx, path, NOW, &again),
                   SGXRA_E_CA_STATE);
  assert_null(again);
  snprintf(path, sizeof path, "%s/nothing", f->dir);
  assert_int_equal(sgxra_intelca_open(f->cx, path, &again), SGXRA_E_CA_STATE);
  assert_null(again);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "state.json"));

  /* A damaged certificate file: the same code, naming the file and what
   * the PEM reader found wrong; the CA opens again once it is restored. */
  snprintf(path, sizeof path, "%s/ca/platform_ca.pem", f->dir);
  const char *pca_pem = sgxra_intelca_platform_ca_pem(f->ca);
  size_t pl = strlen(pca_pem);
  char *damaged = malloc(2 * pl + 16);
  struct {
    const char *what;
    size_t len;
  } cert_cases[4];
  for (size_t i = 0; i < 4; i++) {
    if (i == 0) { /* END line cut */
      memcpy(damaged, pca_pem, pl - 10);
      cert_cases[0].what = "has no '-----END CERTIFICATE-----' line";
      cert_cases[0].len = pl - 10;
    } else if (i == 1) { /* text after the certificate */
      memcpy(damaged, pca_pem, pl);
      memcpy(damaged + pl, "junk\n", 5);
      cert_cases[1].what = "after certificate 1 is not PEM";
      cert_cases[1].len = pl + 5;
    } else if (i == 2) { /* two certificates */
      memcpy(damaged + pl, pca_pem, pl);
      cert_cases[2].what = "more than 1 certificate";
      cert_cases[2].len = 2 * pl;
    } else if (i == 3) { /* base64 of something that is not a certificate */
      const char *t =
          "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
      memcpy(damaged, t, strlen(t));
      cert_cases[3].what = "not exactly one X.509 certificate";
      cert_cases[3].len = strlen(t);
    }
    assert_int_equal(sgxra_file_write(f->cx, path, (const uint8_t *)damaged,
                                      cert_cases[i].len, 0),
                     SGXRA_OK);
    char cadir[4096];
    snprintf(cadir, sizeof cadir, "%s/ca", f->dir);
    assert_int_equal(sgxra_intelca_open(f->cx, cadir, &again),
                     SGXRA_E_CA_STATE);
    assert_null(again);
    const char *msg = sgxra_ctx_message(f->cx);
    if (!strstr(msg, "platform_ca.pem") || !strstr(msg, cert_cases[i].what))
      fail_msg("case %zu: \"%s\" does not name the file and \"%s\"", i, msg,
               cert_cases[i].what);
  }
  assert_int_equal(
      sgxra_file_write(f->cx, path, (const uint8_t *)pca_pem, pl, 0), SGXRA_OK);
  free(damaged);
  snprintf(path, sizeof path, "%s/ca", f->dir);
  assert_int_equal(sgxra_intelca_open(f->cx, path, &again), SGXRA_OK);
  sgxra_intelca_free(again);

  /* A damaged state file is refused with the same code, naming it. */
  snprintf(path, sizeof path, "%s/ca/state.json", f->dir);
  const char *bad[] = {"{",
                       "{\"tcb_evaluation_number\": 1}",
                       "[]",
                       "{\"tcb_evaluation_number\": 0, \"recoveries\": 0, "
                       "\"created\": 0, \"issued\": [], \"revoked\": [], "
                       "\"fmspcs\": []}",
                       "{\"tcb_evaluation_number\": 1, \"recoveries\": 101, "
                       "\"created\": 0, \"issued\": [], \"revoked\": [], "
                       "\"fmspcs\": []}",
                       "{\"tcb_evaluation_number\": 1, \"recoveries\": 0, "
                       "\"created\": 0, \"issued\": [], \"revoked\": {}, "
                       "\"fmspcs\": []}"};
  /* Each message names what is wrong. */
  const char *names[] = {"not JSON",
                         "recoveries",
                         "object",
                         ("\"tcb_evaluation_number\" must be 1..4294967295, "
                          "found 0"),
                         "\"recoveries\" must be 0..100, found 101",
                         "must be arrays"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(sgxra_file_write(f->cx, path, (const uint8_t *)bad[i],
                                      strlen(bad[i]), 0),
                     SGXRA_OK);
    char cadir[4096];
    snprintf(cadir, sizeof cadir, "%s/ca", f->dir);
    assert_int_equal(sgxra_intelca_open(f->cx, cadir, &again),
                     SGXRA_E_CA_STATE);
    assert_null(again);
    assert_non_null(strstr(sgxra_ctx_message(f->cx), "state.json"));
    if (!strstr(sgxra_ctx_message(f->cx), names[i]))
      fail_msg("case %zu: \"%s\" does not say \"%s\"", i,
               sgxra_ctx_message(f->cx), names[i]);
  }
}

static void pck_issue_and_revoke(void **state) {
  fixture *f = *state;
  sgxra_pck_ext in;
  real_pck_info(&in);
  in.has_platform_instance_id = 1;
  memset(in.platform_instance_id, 0x5a, 16);
  in.has_configuration = 1;
  in.dynamic_platform = 0;
  in.cached_keys = 1;
  in.smt_enabled = 1;
  sgxra_p256_key *k = NULL;
  assert_int_equal(sgxra_p256_generate(f->cx, &k), SGXRA_OK);
  char *pem = NULL;
  char serial[41];
  /* An SGX type the extension cannot hold: nothing is issued. */
  in.sgx_type = 3;
  assert_int_equal(
      sgxra_intelca_issue_pck(f->cx, f->ca, &in, k, NOW, &pem, serial),
      SGXRA_E_CA_ISSUE);
  assert_null(pem);
  assert_string_equal(serial, "");
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "SGX type"));
  in.sgx_type = 0;
  assert_int_equal(
      sgxra_intelca_issue_pck(f->cx, f->ca, &in, k, NOW, &pem, serial),
      SGXRA_OK);
  assert_int_equal(strlen(serial), 40);
  /* The simulated PCS now serves this FMSPC (and only those issued for). */
  assert_int_equal(sgxra_intelca_has_fmspc(f->ca, in.fmspc), 1);
  const uint8_t other[6] = {0x00, 0xa0, 0x67, 0x11, 0x00, 0x01};
  assert_int_equal(sgxra_intelca_has_fmspc(f->ca, other), 0);
  X509 *leaf = pem_cert(pem);
  X509 *pca = pem_cert(sgxra_intelca_platform_ca_pem(f->ca));
  assert_int_equal(X509_verify(leaf, X509_get0_pubkey(pca)), 1);
  assert_cn(X509_get_subject_name(leaf), "sgxra TEST SGX PCK Certificate");
  assert_int_equal(X509_check_ca(leaf), 0);

  /* The SGX extension round-trips through the quote module's parser. */
  unsigned char *der = NULL;
  int dn = i2d_X509(leaf, &der);
  assert_true(dn > 0);
  sgxra_pck_ext out;
  assert_int_equal(sgxra_pck_ext_from_cert_der(f->cx, der, (size_t)dn, &out),
                   SGXRA_OK);
  OPENSSL_free(der);
  assert_memory_equal(out.ppid, in.ppid, 16);
  assert_memory_equal(out.comp_svn, in.comp_svn, 16);
  assert_int_equal(out.pcesvn, 13);
  assert_memory_equal(out.cpusvn, in.cpusvn, 16);
  assert_memory_equal(out.fmspc, in.fmspc, 6);
  assert_int_equal(out.has_platform_instance_id, 1);
  assert_memory_equal(out.platform_instance_id, in.platform_instance_id, 16);
  assert_int_equal(out.has_configuration, 1);
  assert_int_equal(out.dynamic_platform, 0);
  assert_int_equal(out.cached_keys, 1);
  assert_int_equal(out.smt_enabled, 1);

  /* Revocation: unknown serial refused; the issued one lands in the CRL. */
  assert_int_equal(sgxra_intelca_revoke(f->cx, f->ca, "0123", NOW),
                   SGXRA_E_CA_SERIAL);
  uint8_t *crl_der = NULL;
  size_t crl_n = 0;
  assert_int_equal(sgxra_intelca_pck_crl(f->cx, f->ca, NOW, &crl_der, &crl_n),
                   SGXRA_OK);
  const unsigned char *cp = crl_der;
  X509_CRL *crl = d2i_X509_CRL(NULL, &cp, (long)crl_n);
  assert_non_null(crl);
  X509_REVOKED *rev = NULL;
  assert_int_equal(X509_CRL_get0_by_cert(crl, &rev, leaf), 0);
  X509_CRL_free(crl);
  free(crl_der);

  assert_int_equal(sgxra_intelca_revoke(f->cx, f->ca, serial, NOW + 10),
                   SGXRA_OK);
  assert_int_equal(sgxra_intelca_pck_crl(f->cx, f->ca, NOW, &crl_der, &crl_n),
                   SGXRA_OK);
  cp = crl_der;
  crl = d2i_X509_CRL(NULL, &cp, (long)crl_n);
  assert_non_null(crl);
  assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(pca)), 1);
  assert_int_equal(X509_CRL_get0_by_cert(crl, &rev, leaf), 1);
  X509_CRL_free(crl);
  free(crl_der);

  /* The revocation is persisted. */
  char path[4096];
  snprintf(path, sizeof path, "%s/ca", f->dir);
  sgxra_intelca *again = NULL;
  assert_int_equal(sgxra_intelca_open(f->cx, path, &again), SGXRA_OK);
  assert_int_equal(sgxra_intelca_pck_crl(f->cx, again, NOW, &crl_der, &crl_n),
                   SGXRA_OK);
  cp = crl_der;
  crl = d2i_X509_CRL(NULL, &cp, (long)crl_n);
  assert_int_equal(X509_CRL_get0_by_cert(crl, &rev, leaf), 1);
  X509_CRL_free(crl);
  free(crl_der);
  sgxra_intelca_free(again);

  X509_free(leaf);
  X509_free(pca);
  free(pem);
  sgxra_p256_free(k);
}

/* Verify the signature independently: over the bytes between
 * {"<name>": and ,"signature". */
static void check_signed_json(const fixture *f, const char *json,
                              const char *name) {
  X509 *tcb = pem_cert(sgxra_intelca_tcb_signing_pem(f->ca));
  sgxra_p256_key *k = NULL;
  assert_int_equal(sgxra_p256_from_evp(f->cx, X509_get0_pubkey(tcb), &k),
                   SGXRA_OK);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "{\"%s\":", name);
  assert_int_equal(strncmp(json, prefix, strlen(prefix)), 0);
  const char *body = json + strlen(prefix);
  const char *end = strstr(json, ",\"signature\":\"");
  assert_non_null(end);
  uint8_t sig[64];
  char sighex[129];
  memcpy(sighex, end + 14, 128);
  sighex[128] = 0;
  tu_hex(sighex, sig, 64);
  assert_int_equal(sgxra_p256_verify(f->cx, k, body, (size_t)(end - body), sig),
                   SGXRA_OK);
  sgxra_p256_free(k);
  X509_free(tcb);
}

static void tcb_info_and_recovery(void **state) {
  fixture *f = *state;
  uint8_t fmspc[6] = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  char *json = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_intelca_tcb_info(f->cx, f->ca, fmspc, NOW, &json, &n),
                   SGXRA_OK);
  assert_int_equal(strlen(json), n);
  check_signed_json(f, json, "tcbInfo");
  assert_non_null(strstr(json, "\"fmspc\":\"00906ED50000\""));
  assert_non_null(strstr(json, "\"issueDate\":\"2026-01-01T00:00:00Z\""));
  assert_non_null(strstr(json, "\"nextUpdate\":\"2026-01-31T00:00:00Z\""));

  sgxra_tcbinfo *ti = NULL;
  assert_int_equal(sgxra_tcbinfo_parse(f->cx, (const uint8_t *)json, n, &ti),
                   SGXRA_OK);
  assert_int_equal(ti->version, 3);
  assert_int_equal(ti->tcb_evaluation_data_number, 1);
  assert_int_equal(ti->level_count, 5);
  assert_int_equal(ti->levels[0].status, SGXRA_TCB_UP_TO_DATE);
  assert_int_equal(ti->levels[0].sgx_svn[0], 12);
  assert_int_equal(ti->levels[0].pcesvn, 13);
  assert_int_equal(ti->levels[1].status, SGXRA_TCB_CONFIGURATION_NEEDED);
  assert_int_equal(ti->levels[2].status, SGXRA_TCB_OUT_OF_DATE);
  assert_int_equal(ti->levels[3].status,
                   SGXRA_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED);
  X509 *tcb = pem_cert(sgxra_intelca_tcb_signing_pem(f->ca));
  sgxra_p256_key *k = NULL;
  assert_int_equal(sgxra_p256_from_evp(f->cx, X509_get0_pubkey(tcb), &k),
                   SGXRA_OK);
  assert_int_equal(sgxra_tcbinfo_verify(f->cx, ti, k), SGXRA_OK);
  sgxra_tcbinfo_free(ti);
  free(json);

  /* TCB recovery: a new evaluation number, the current level moves up. */
  uint8_t comps[16];
  uint16_t pcesvn = 0;
  assert_int_equal(sgxra_intelca_tcb_recovery(f->cx, f->ca), SGXRA_OK);
  assert_int_equal(sgxra_intelca_tcb_evaluation_number(f->ca), 2);
  sgxra_intelca_tcb_current(f->ca, comps, &pcesvn);
  assert_int_equal(comps[0], 13);
  assert_int_equal(comps[1], 13);
  assert_int_equal(pcesvn, 13);
  assert_int_equal(sgxra_intelca_tcb_info(f->cx, f->ca, fmspc, NOW, &json, &n),
                   SGXRA_OK);
  assert_int_equal(sgxra_tcbinfo_parse(f->cx, (const uint8_t *)json, n, &ti),
                   SGXRA_OK);
  assert_int_equal(ti->tcb_evaluation_data_number, 2);
  assert_int_equal(ti->levels[0].sgx_svn[0], 13);
  /* the old current TCB (12, 12, ...) now matches an OutOfDate level */
  assert_int_equal(ti->levels[2].sgx_svn[0], 12);
  assert_int_equal(ti->levels[2].status, SGXRA_TCB_OUT_OF_DATE);
  sgxra_tcbinfo_free(ti);
  free(json);

  /* QE Identity v2, signed the same way. */
  assert_int_equal(sgxra_intelca_qe_identity(f->cx, f->ca, NOW, &json, &n),
                   SGXRA_OK);
  check_signed_json(f, json, "enclaveIdentity");
  sgxra_qeidentity *qi = NULL;
  assert_int_equal(sgxra_qeidentity_parse(f->cx, (const uint8_t *)json, n, &qi),
                   SGXRA_OK);
  assert_int_equal(sgxra_qeidentity_verify(f->cx, qi, k), SGXRA_OK);
  assert_int_equal(qi->isvprodid, 1);
  assert_int_equal(qi->levels[0].isvsvn, 8);
  assert_int_equal(qi->levels[0].status, SGXRA_TCB_UP_TO_DATE);
  sgxra_qe_identity_params qp;
  assert_int_equal(sgxra_intelca_qe_params(f->cx, f->ca, &qp), SGXRA_OK);
  assert_memory_equal(qi->mrsigner, qp.mrsigner, 32);
  assert_int_equal(qi->attributes[0], 0x11);
  assert_int_equal(qi->attributes_mask[0], 0xfb);
  sgxra_qeidentity_free(qi);
  free(json);
  sgxra_p256_free(k);
  X509_free(tcb);
}

/* A bundle the collateral module loads and validates against the test
 * root, and refuses against Intel's. */
static void bundle_validates(void **state) {
  fixture *f = *state;
  uint8_t fmspc[6] = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  char path[4096];
  snprintf(path, sizeof path, "%s/bundle", f->dir);
  assert_int_equal(sgxra_intelca_write_bundle(f->cx, f->ca, fmspc, NOW, path),
                   SGXRA_OK);
  sgxra_collateral *coll = NULL;
  assert_int_equal(sgxra_collateral_load_dir(f->cx, path, &coll), SGXRA_OK);
  const char *pem = sgxra_intelca_root_pem(f->ca);
  sgxra_x509_chain *root = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)pem,
                                              strlen(pem), &root),
                   SGXRA_OK);
  sgxra_err e = sgxra_collateral_validate(f->cx, coll,
                                          sgxra_x509_chain_get(root, 0), NOW);
  if (e) fail_msg("validate: %s", sgxra_ctx_message(f->cx));
  assert_int_equal(sgxra_collateral_expired(coll), 0);
  assert_int_equal(sgxra_collateral_expired_at(coll, NOW + 31 * 86400), 1);
  sgxra_collateral_free(coll);
  assert_int_equal(sgxra_collateral_load_dir(f->cx, path, &coll), SGXRA_OK);
  assert_int_not_equal(sgxra_collateral_validate(f->cx, coll, NULL, NOW),
                       SGXRA_OK);
  sgxra_collateral_free(coll);
  sgxra_x509_chain_free(root);
}

/* The PCK Processor CA: certified by the root, pathlen 0; PCKs issued by it
 * carry its CRL distribution point; its CRL lists only its revocations;
 * the bundle follows the chosen issuer; an old CA directory without it
 * gets one on open. */
static void processor_ca(void **state) {
  fixture *f = *state;
  X509 *root = pem_cert(sgxra_intelca_root_pem(f->ca));
  X509 *xca = pem_cert(sgxra_intelca_processor_ca_pem(f->ca));
  X509 *pca = pem_cert(sgxra_intelca_platform_ca_pem(f->ca));
  assert_cn(X509_get_subject_name(xca), "sgxra TEST SGX PCK Processor CA");
  assert_cn(X509_get_issuer_name(xca), "sgxra TEST SGX Root CA");
  assert_int_equal(X509_verify(xca, X509_get0_pubkey(root)), 1);
  assert_int_equal(X509_check_ca(xca), 1);
  assert_int_equal(X509_get_pathlen(xca), 0);
  assert_int_not_equal(
      EVP_PKEY_eq(X509_get0_pubkey(xca), X509_get0_pubkey(pca)), 1);
  assert_int_equal(sgxra_intelca_pck_issuer(f->ca), SGXRA_INTELCA_PCK_PLATFORM);
  assert_string_equal(sgxra_intelca_pck_issuer_pem(f->ca),
                      sgxra_intelca_platform_ca_pem(f->ca));

  sgxra_pck_ext in;
  real_pck_info(&in);
  sgxra_p256_key *k = NULL;
  assert_int_equal(sgxra_p256_generate(f->cx, &k), SGXRA_OK);
  char *ppem = NULL, *xpem = NULL, pserial[41], xserial[41];
  assert_int_equal(
      sgxra_intelca_issue_pck(f->cx, f->ca, &in, k, NOW, &ppem, pserial),
      SGXRA_OK);
  sgxra_intelca_set_pck_issuer(f->ca, SGXRA_INTELCA_PCK_PROCESSOR);
  assert_string_equal(sgxra_intelca_pck_issuer_pem(f->ca),
                      sgxra_intelca_processor_ca_pem(f->ca));
  tu_hex("00000000000000000000000000000001", in.ppid, 16);
  assert_int_equal(
      sgxra_intelca_issue_pck(f->cx, f->ca, &in, k, NOW, &xpem, xserial),
      SGXRA_OK);
  X509 *xleaf = pem_cert(xpem), *pleaf = pem_cert(ppem);
  assert_int_equal(X509_verify(xleaf, X509_get0_pubkey(xca)), 1);
  assert_int_equal(X509_verify(xleaf, X509_get0_pubkey(pca)), 0);
  assert_cn(X509_get_issuer_name(xleaf), "sgxra TEST SGX PCK Processor CA");
  STACK_OF(DIST_POINT) *dps =
      X509_get_ext_d2i(xleaf, NID_crl_distribution_points, NULL, NULL);
  assert_non_null(dps);
  GENERAL_NAME *gn = sk_GENERAL_NAME_value(
      sk_DIST_POINT_value(dps, 0)->distpoint->name.fullname, 0);
  assert_non_null(strstr(
      (const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
      "pckcrl?ca=processor"));
  sk_DIST_POINT_pop_free(dps, DIST_POINT_free);

  /* Revoke both: each CRL lists its own only, signed by its CA, numbered
   * and with an AKI. */
  assert_int_equal(sgxra_intelca_revoke(f->cx, f->ca, xserial, NOW), SGXRA_OK);
  assert_int_equal(sgxra_intelca_revoke(f->cx, f->ca, pserial, NOW), SGXRA_OK);
  for (int w = 0; w < 2; w++) {
    uint8_t *der = NULL;
    size_t n = 0;
    assert_int_equal(sgxra_intelca_pck_crl_of(
                         f->cx, f->ca, (sgxra_intelca_pck_ca)w, NOW, &der, &n),
                     SGXRA_OK);
    const unsigned char *cp = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &cp, (long)n);
    assert_non_null(crl);
    X509 *issuer = w ? xca : pca;
    assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(issuer)), 1);
    assert_cn(X509_CRL_get_issuer(crl), w ? "sgxra TEST SGX PCK Processor CA"
                                          : "sgxra TEST SGX PCK Platform CA");
    assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 1);
    X509_REVOKED *rev = NULL;
    assert_int_equal(X509_CRL_get0_by_cert(crl, &rev, w ? xleaf : pleaf), 1);
    ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    assert_non_null(num);
    assert_int_equal(ASN1_INTEGER_get(num), 2);
    ASN1_INTEGER_free(num);
    AUTHORITY_KEYID *aki =
        X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
    assert_non_null(aki);
    assert_int_equal(
        ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(issuer)), 0);
    AUTHORITY_KEYID_free(aki);
    X509_CRL_free(crl);
    free(der);
  }

  /* The bundle of a processor-certified platform: the Processor CA's CRL
   * and chain; it validates against the root. */
  char path[4096];
  snprintf(path, sizeof path, "%s/xbundle", f->dir);
  assert_int_equal(
      sgxra_intelca_write_bundle(f->cx, f->ca, in.fmspc, NOW, path), SGXRA_OK);
  sgxra_collateral *coll = NULL;
  assert_int_equal(sgxra_collateral_load_dir(f->cx, path, &coll), SGXRA_OK);
  assert_string_equal(sgxra_crl_issuer_cn(sgxra_collateral_pck_crl(coll)),
                      "sgxra TEST SGX PCK Processor CA");
  const char *rpem = sgxra_intelca_root_pem(f->ca);
  sgxra_x509_chain *rch = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)rpem,
                                              strlen(rpem), &rch),
                   SGXRA_OK);
  sgxra_err e =
      sgxra_collateral_validate(f->cx, coll, sgxra_x509_chain_get(rch, 0), NOW);
  if (e) fail_msg("validate: %s", sgxra_ctx_message(f->cx));
  sgxra_collateral_free(coll);
  sgxra_x509_chain_free(rch);

  /* pckcert records: found by PPID, with their issuer. */
  sgxra_intelca_pck_record rec;
  assert_int_equal(sgxra_intelca_pck_lookup(f->cx, f->ca, in.ppid, in.cpusvn,
                                            13, in.pceid, &rec),
                   SGXRA_OK);
  assert_string_equal(rec.pem, xpem);
  assert_int_equal(rec.issuer, SGXRA_INTELCA_PCK_PROCESSOR);
  sgxra_intelca_pck_record_clear(&rec);
  assert_int_equal(sgxra_intelca_pck_lookup(f->cx, f->ca, in.ppid, in.cpusvn,
                                            12, in.pceid, &rec),
                   SGXRA_E_CA_PCK_NOT_FOUND);
  assert_null(rec.pem);

  /* A CA directory from before the Processor CA: one is made on open,
   * certified by the same root, and kept. */
  snprintf(path, sizeof path, "%s/ca/processor_ca.pem", f->dir);
  assert_int_equal(remove(path), 0);
  snprintf(path, sizeof path, "%s/ca/processor_ca_key.pem", f->dir);
  assert_int_equal(remove(path), 0);
  snprintf(path, sizeof path, "%s/ca", f->dir);
  sgxra_intelca *old = NULL, *again = NULL;
  assert_int_equal(sgxra_intelca_open(f->cx, path, &old), SGXRA_OK);
  X509 *nx = pem_cert(sgxra_intelca_processor_ca_pem(old));
  assert_int_equal(X509_verify(nx, X509_get0_pubkey(root)), 1);
  assert_int_equal(sgxra_intelca_open(f->cx, path, &again), SGXRA_OK);
  assert_string_equal(sgxra_intelca_processor_ca_pem(again),
                      sgxra_intelca_processor_ca_pem(old));
  X509_free(nx);
  sgxra_intelca_free(old);
  sgxra_intelca_free(again);

  X509_free(xleaf);
  X509_free(pleaf);
  X509_free(root);
  X509_free(xca);
  X509_free(pca);
  free(ppem);
  free(xpem);
  sgxra_p256_free(k);
}

/* update=standard lags one TCB recovery behind update=early. */
static void update_policy(void **state) {
  fixture *f = *state;
  uint8_t fmspc[6] = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  assert_int_equal(sgxra_intelca_tcb_recovery(f->cx, f->ca), SGXRA_OK);
  for (int u = 0; u < 2; u++) {
    char *json = NULL;
    size_t n = 0;
    assert_int_equal(sgxra_intelca_tcb_info_update(f->cx, f->ca, fmspc,
                                                   (sgxra_intelca_update)u, NOW,
                                                   &json, &n),
                     SGXRA_OK);
    sgxra_tcbinfo *ti = NULL;
    assert_int_equal(sgxra_tcbinfo_parse(f->cx, (const uint8_t *)json, n, &ti),
                     SGXRA_OK);
    assert_int_equal(ti->tcb_evaluation_data_number, u ? 2 : 1);
    assert_int_equal(ti->levels[0].sgx_svn[0], u ? 13 : 12);
    sgxra_tcbinfo_free(ti);
    free(json);
    assert_int_equal(
        sgxra_intelca_enclave_identity(f->cx, f->ca, SGXRA_INTELCA_ENCLAVE_QVE,
                                       (sgxra_intelca_update)u, NOW, &json, &n),
        SGXRA_OK);
    sgxra_qeidentity *qi = NULL;
    assert_int_equal(
        sgxra_qeidentity_parse(f->cx, (const uint8_t *)json, n, &qi), SGXRA_OK);
    assert_string_equal(qi->id, "QVE");
    assert_int_equal(qi->isvprodid, SGXRA_INTELCA_QVE_ISVPRODID);
    assert_int_equal(qi->levels[0].isvsvn, SGXRA_INTELCA_QVE_ISVSVN);
    assert_int_equal(qi->tcb_evaluation_data_number, u ? 2 : 1);
    sgxra_qeidentity_free(qi);
    free(json);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(ca_certificates, setup, teardown),
      cmocka_unit_test_setup_teardown(pck_issue_and_revoke, setup, teardown),
      cmocka_unit_test_setup_teardown(tcb_info_and_recovery, setup, teardown),
      cmocka_unit_test_setup_teardown(bundle_validates, setup, teardown),
      cmocka_unit_test_setup_teardown(processor_ca, setup, teardown),
      cmocka_unit_test_setup_teardown(update_policy, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
