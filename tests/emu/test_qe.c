/* Tests of the emulated QE and PCE (sgxra/qe.h) and the quote encoder: the
 * quotes parse with the quote module and every signature in them checks
 * independently; forged and retargeted REPORTs are refused. */
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

#include "common/testutil.h"
#include "sgxra/emu.h"
#include "sgxra/file.h"
#include "sgxra/intelca.h"
#include "sgxra/measure.h"
#include "sgxra/qe.h"
#include "sgxra/quote.h"
#include "sgxra/sigstruct.h"
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
  sgxra_emu_enclave *good, *bad;
  char serial[41];
} fixture;

/* An ISV enclave signed with a public test key from the vectors. */
static sgxra_emu_enclave *isv_enclave(fixture *f, const char *name,
                                      const char *key_vector, uint16_t prodid) {
  size_t kn = 0;
  uint8_t *kp = tu_read_vector(key_vector, &kn);
  sgxra_rsa_key *k = NULL;
  assert_int_equal(sgxra_rsa_load_private(f->cx, kp, kn, &k), SGXRA_OK);
  free(kp);
  uint8_t ss[SGXRA_SIGSTRUCT_SIZE];
  assert_int_equal(sgxra_qe_sign_image(f->cx, k, name, prodid, 1, ss),
                   SGXRA_OK);
  sgxra_rsa_free(k);
  sgxra_emu_enclave *e = NULL;
  if (sgxra_qe_start_image(f->cx, f->plat, name, ss, sizeof ss, &e))
    fail_msg("start %s: %s", name, sgxra_ctx_message(f->cx));
  return e;
}

static void platform_config(fixture *f, sgxra_emu_platform_config *cfg) {
  sgxra_emu_platform_config_default(cfg);
  uint16_t pcesvn;
  sgxra_intelca_tcb_current(f->ca, cfg->tcb_svns, &pcesvn);
  cfg->pcesvn = pcesvn;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof(*f));
  f->dir = tu_tmpdir();
  f->cx = sgxra_ctx_new();
  snprintf(f->cadir, sizeof f->cadir, "%s/ca", f->dir);
  if (sgxra_intelca_create(f->cx, f->cadir, NOW, &f->ca))
    fail_msg("CA: %s", sgxra_ctx_message(f->cx));
  sgxra_emu_platform_config cfg;
  platform_config(f, &cfg);
  if (sgxra_emu_platform_new(f->cx, &cfg, &f->plat) ||
      sgxra_qe_provision(f->cx, f->plat, f->ca, f->dir, NOW, f->serial) ||
      sgxra_qe_open(f->cx, f->plat, f->dir, &f->qe))
    fail_msg("platform: %s", sgxra_ctx_message(f->cx));
  f->good = isv_enclave(f, "good enclave",
                        "identity/fortanix-rust-sgx/sig1.key.pem", 7);
  f->bad = isv_enclave(f, "bad enclave", "identity/enarx-sgx/encl.pem", 7);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  sgxra_emu_enclave_free(f->good);
  sgxra_emu_enclave_free(f->bad);
  sgxra_qe_free(f->qe);
  sgxra_emu_platform_free(f->plat);
  sgxra_intelca_free(f->ca);
  sgxra_ctx_free(f->cx);
  tu_rmtree(f->dir);
  free(f->dir);
  free(f);
  return 0;
}

static void report_for(fixture *f, const sgxra_emu_enclave *e,
                       const sgxra_targetinfo *ti, sgxra_report *out) {
  uint8_t rd[64];
  for (int i = 0; i < 64; i++) rd[i] = (uint8_t)(0xa0 + i);
  assert_int_equal(sgxra_emu_ereport(f->cx, e, ti, rd, out), SGXRA_OK);
}

static void check_quote(fixture *f, const uint8_t *q, size_t n,
                        uint16_t version) {
  sgxra_quote pq;
  sgxra_err e = sgxra_quote_parse(f->cx, q, n, &pq);
  if (e) fail_msg("parse: %s", sgxra_ctx_message(f->cx));
  assert_int_equal(pq.size, n);
  assert_int_equal(pq.header.version, version);
  assert_int_equal(pq.header.att_key_type, 2);
  assert_int_equal(pq.header.qe_svn, SGXRA_QE_ISVSVN);
  assert_int_equal(pq.header.pce_svn, 13);
  sgxra_emu_secs secs;
  sgxra_emu_enclave_secs(f->good, &secs);
  assert_memory_equal(pq.report_body.mrenclave, secs.mrenclave, 32);
  assert_memory_equal(pq.report_body.mrsigner, secs.mrsigner, 32);
  assert_int_equal(pq.report_body.isvprodid, 7);
  assert_int_equal(pq.report_body.reportdata[0], 0xa0);
  assert_int_equal(pq.report_body.reportdata[63], 0xa0 + 63);
  assert_int_equal(pq.cert_type, 5);
  assert_int_equal(pq.qe_auth_data_len, 32);
  assert_int_equal(pq.qe_auth_data[31], 31);

  /* ISV signature by the attestation key over header || body. */
  uint8_t ak[64];
  sgxra_qe_attest_key(f->qe, ak);
  assert_memory_equal(pq.attest_key, ak, 64);
  sgxra_p256_key *k = NULL;
  assert_int_equal(sgxra_p256_from_public(f->cx, ak, &k), SGXRA_OK);
  assert_int_equal(sgxra_p256_verify(f->cx, k, q, 432, pq.signature), SGXRA_OK);
  sgxra_p256_free(k);

  /* QE report data = SHA-256(attestation key || auth data) || zeros. */
  uint8_t in[96], h[32], zero[32] = {0};
  memcpy(in, ak, 64);
  memcpy(in + 64, pq.qe_auth_data, 32);
  assert_int_equal(sgxra_sha256(f->cx, in, sizeof in, h), SGXRA_OK);
  assert_memory_equal(pq.qe_report.reportdata, h, 32);
  assert_memory_equal(pq.qe_report.reportdata + 32, zero, 32);
  /* The QE's identity is what the CA's QE Identity endorses. */
  sgxra_qe_identity_params qp;
  assert_int_equal(sgxra_intelca_qe_params(f->cx, f->ca, &qp), SGXRA_OK);
  assert_memory_equal(pq.qe_report.mrsigner, qp.mrsigner, 32);
  assert_int_equal(pq.qe_report.isvprodid, 1);
  assert_int_equal(pq.qe_report.attributes.flags & 0xfb, 0x11);

  /* QE report signed by the PCK leaf, whose SGX extension is this
   * platform's TCB. */
  const char *pem = NULL;
  size_t pem_len = 0;
  assert_int_equal(sgxra_quote_pck_chain(f->cx, &pq, &pem, &pem_len), SGXRA_OK);
  BIO *b = BIO_new_mem_buf(pem, (int)pem_len);
  X509 *leaf = PEM_read_bio_X509(b, NULL, NULL, NULL);
  BIO_free(b);
  assert_non_null(leaf);
  assert_int_equal(sgxra_p256_from_evp(f->cx, X509_get0_pubkey(leaf), &k),
                   SGXRA_OK);
  assert_int_equal(sgxra_p256_verify(f->cx, k, pq.qe_report_raw, 384,
                                     pq.qe_report_signature),
                   SGXRA_OK);
  sgxra_p256_free(k);
  unsigned char *der = NULL;
  int dn = i2d_X509(leaf, &der);
  sgxra_pck_ext ext;
  assert_int_equal(sgxra_pck_ext_from_cert_der(f->cx, der, (size_t)dn, &ext),
                   SGXRA_OK);
  OPENSSL_free(der);
  X509_free(leaf);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(f->plat, &cfg);
  assert_memory_equal(ext.comp_svn, cfg.tcb_svns, 16);
  assert_int_equal(ext.pcesvn, cfg.pcesvn);
  assert_memory_equal(ext.fmspc, cfg.fmspc, 6);
  assert_memory_equal(ext.cpusvn, cfg.cpusvn, 16);
}

static void quotes_v3_v4(void **state) {
  fixture *f = *state;
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  sgxra_report r;
  report_for(f, f->good, &ti, &r);
  for (uint16_t v = 3; v <= 4; v++) {
    uint8_t *q = NULL;
    size_t n = 0;
    sgxra_err e = sgxra_qe_quote(f->cx, f->qe, &r, v, &q, &n);
    if (e) fail_msg("quote v%u: %s", v, sgxra_ctx_message(f->cx));
    check_quote(f, q, n, v);
    /* Truncation anywhere is refused by the parser (encoder sizes are
     * exact). */
    sgxra_quote pq;
    assert_int_equal(sgxra_quote_parse(f->cx, q, n - 1, &pq),
                     SGXRA_E_QUOTE_TRUNCATED);
    for (size_t cut = 0; cut < n; cut++)
      assert_int_not_equal(sgxra_quote_parse(f->cx, q, cut, &pq), SGXRA_OK);
    /* A byte flipped in each header field lands where the parser reads
     * that field. */
    q[0] ^= 0x10; /* version */
    assert_int_equal(sgxra_quote_parse(f->cx, q, n, &pq),
                     SGXRA_E_QUOTE_VERSION);
    q[0] ^= 0x10;
    q[2] ^= 0x01; /* attestation key type */
    assert_int_equal(sgxra_quote_parse(f->cx, q, n, &pq),
                     SGXRA_E_QUOTE_KEY_TYPE);
    q[2] ^= 0x01;
    q[12] ^= 0x01; /* QE vendor id */
    assert_int_equal(sgxra_quote_parse(f->cx, q, n, &pq),
                     SGXRA_E_QUOTE_QE_VENDOR);
    q[12] ^= 0x01;
    /* the (outer) certification data type: v3 after the QE auth data, v4
     * right after the attestation key */
    size_t ct = v == 3 ? 436 + 64 + 64 + 384 + 64 + 2 + 32 : 436 + 128;
    assert_int_equal(q[ct], v == 3 ? 5 : 6);
    q[ct] = 9; /* outside 1..5 (v3) / not 6 (v4): Quote::validate */
    assert_int_equal(sgxra_quote_parse(f->cx, q, n, &pq), SGXRA_E_QUOTE_FORMAT);
    free(q);
  }
  uint8_t *q = (uint8_t *)1;
  size_t n = 1;
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 5, &q, &n),
                   SGXRA_E_QUOTE_ENCODE);
  assert_null(q);
  assert_int_equal(n, 0);
}

/* The attack of the seed thread: a bad enclave claims a good one's
 * MRENCLAVE in its REPORT.  The QE's MAC check refuses it. */
static void forged_report_refused(void **state) {
  fixture *f = *state;
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  sgxra_report r;
  report_for(f, f->bad, &ti, &r);
  /* An honest bad enclave gets a quote: the QE does not judge MRENCLAVE. */
  uint8_t *q = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 3, &q, &n), SGXRA_OK);
  free(q);
  sgxra_emu_secs good;
  sgxra_emu_enclave_secs(f->good, &good);
  memcpy(r.body.mrenclave, good.mrenclave, 32);
  q = NULL;
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 3, &q, &n),
                   SGXRA_E_QE_REPORT_MAC);
  assert_null(q);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "forged MRENCLAVE"));
  /* Flipping any other body byte is refused as well. */
  report_for(f, f->good, &ti, &r);
  r.body.isvsvn ^= 1;
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 4, &q, &n),
                   SGXRA_E_QE_REPORT_MAC);
  report_for(f, f->good, &ti, &r);
  r.mac[0] ^= 1;
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 3, &q, &n),
                   SGXRA_E_QE_REPORT_MAC);
}

/* The QE keeps its report key for this boot's KEYID and CPUSVN; a REPORT
 * made under another CPUSVN (a microcode update after the QE started) is
 * checked with the key EGETKEY gives for it, and still refused when
 * altered. */
static void report_after_cpusvn_change(void **state) {
  fixture *f = *state;
  sgxra_emu_platform_config cfg, saved;
  sgxra_emu_platform_get_config(f->plat, &saved);
  cfg = saved;
  cfg.cpusvn[3] ^= 0x40;
  sgxra_emu_platform_set_config(f->plat, &cfg);
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  sgxra_report r;
  report_for(f, f->good, &ti, &r);
  assert_memory_equal(r.body.cpusvn, cfg.cpusvn, 16);
  uint8_t *q = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 3, &q, &n), SGXRA_OK);
  free(q);
  q = NULL;
  r.body.reportdata[63] ^= 1;
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 3, &q, &n),
                   SGXRA_E_QE_REPORT_MAC);
  assert_null(q);
  /* Back on the CPUSVN the QE started with, the kept key is used. */
  sgxra_emu_platform_set_config(f->plat, &saved);
  report_for(f, f->good, &ti, &r);
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 4, &q, &n), SGXRA_OK);
  free(q);
  q = NULL;
  r.mac[15] ^= 0x80;
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 4, &q, &n),
                   SGXRA_E_QE_REPORT_MAC);
  assert_null(q);
}

/* A good enclave's REPORT made for another target is useless to the QE. */
static void retargeted_report_refused(void **state) {
  fixture *f = *state;
  sgxra_targetinfo other;
  sgxra_emu_enclave_targetinfo(f->bad, &other);
  sgxra_report r;
  report_for(f, f->good, &other, &r);
  uint8_t *q = NULL;
  size_t n = 0;
  assert_int_equal(sgxra_qe_quote(f->cx, f->qe, &r, 3, &q, &n),
                   SGXRA_E_QE_REPORT_MAC);
  assert_null(q);
  /* ...and the PCE refuses to certify a report not made for it. */
  uint8_t *ss = NULL;
  size_t ssn = 0;
  char path[4200];
  snprintf(path, sizeof path, "%s/pce.sigstruct", f->dir);
  assert_int_equal(sgxra_file_read(f->cx, path, 4096, &ss, &ssn), SGXRA_OK);
  sgxra_pce *pce = NULL;
  assert_int_equal(sgxra_pce_new(f->cx, f->plat, ss, ssn, &pce), SGXRA_OK);
  free(ss);
  uint8_t sig[64];
  assert_int_equal(sgxra_pce_certify(f->cx, pce, &r, sig), SGXRA_E_PCE_REPORT);
  /* A report made for the PCE by an enclave with PROVISIONKEY is
   * certified; one by an enclave without it is refused. */
  sgxra_targetinfo pti;
  sgxra_pce_targetinfo(pce, &pti);
  report_for(f, f->good, &pti, &r);
  assert_int_equal(sgxra_pce_certify(f->cx, pce, &r, sig), SGXRA_OK);
  uint8_t *img = calloc(2, SGXRA_PAGE_SIZE), plain_ss[SGXRA_SIGSTRUCT_SIZE];
  assert_non_null(img);
  memcpy(img + SGXRA_PAGE_SIZE, "no PROVISIONKEY", 15);
  sgxra_sigstruct_params prm;
  sgxra_sigstruct_params_default(&prm);
  assert_int_equal(prm.attributes.flags & SGXRA_ATTR_PROVISIONKEY, 0);
  assert_int_equal(sgxra_measure_raw_image(f->cx, img, 2 * SGXRA_PAGE_SIZE, 1,
                                           SGXRA_SECINFO_REG_RWX,
                                           prm.enclavehash),
                   SGXRA_OK);
  sgxra_sigstruct pss;
  assert_int_equal(sgxra_sigstruct_sign(
                       f->cx, sgxra_intelca_qe_signing_key(f->ca), &prm, &pss),
                   SGXRA_OK);
  sgxra_sigstruct_encode(&pss, plain_ss);
  sgxra_emu_enclave *plain = NULL;
  assert_int_equal(
      sgxra_emu_enclave_create_image(f->cx, f->plat, img, 2 * SGXRA_PAGE_SIZE,
                                     plain_ss, sizeof plain_ss, NULL, &plain),
      SGXRA_OK);
  free(img);
  uint8_t rd[64] = {0};
  assert_int_equal(sgxra_emu_ereport(f->cx, plain, &pti, rd, &r), SGXRA_OK);
  memset(sig, 0xee, sizeof sig);
  assert_int_equal(sgxra_pce_certify(f->cx, pce, &r, sig), SGXRA_E_PCE_REPORT);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "PROVISIONKEY"));
  uint8_t zero_sig[64] = {0};
  assert_memory_equal(sig, zero_sig, sizeof sig);
  sgxra_emu_enclave_free(plain);
  sgxra_pce_free(pce);
}

static void state_errors(void **state) {
  fixture *f = *state;
  char path[4200];
  snprintf(path, sizeof path, "%s/empty", f->dir);
  sgxra_qe *qe = (sgxra_qe *)1;
  assert_int_equal(sgxra_qe_open(f->cx, f->plat, path, &qe), SGXRA_E_QE_STATE);
  assert_null(qe);
  /* A cut or damaged PCK chain is refused before any quote is made. */
  uint8_t *chain = NULL, *qss = NULL, *pss = NULL;
  size_t cn = 0, qn = 0, pn = 0;
  snprintf(path, sizeof path, "%s/pck_chain.pem", f->dir);
  assert_int_equal(sgxra_file_read(f->cx, path, 1 << 20, &chain, &cn),
                   SGXRA_OK);
  snprintf(path, sizeof path, "%s/qe.sigstruct", f->dir);
  assert_int_equal(sgxra_file_read(f->cx, path, 4096, &qss, &qn), SGXRA_OK);
  snprintf(path, sizeof path, "%s/pce.sigstruct", f->dir);
  assert_int_equal(sgxra_file_read(f->cx, path, 4096, &pss, &pn), SGXRA_OK);
  for (size_t cut = 0; cut + 2 < cn;
       cut += 97) { /* keep the last END line cut */
    qe = (sgxra_qe *)1;
    sgxra_err e = sgxra_qe_new(f->cx, f->plat, qss, qn, pss, pn,
                               (const char *)chain, cut, &qe);
    assert_int_equal(e, cut == 0 ? SGXRA_E_INVALID_ARGUMENT : SGXRA_E_QE_STATE);
    assert_null(qe);
  }
  /* Anything but whitespace around the three certificates, or a fourth
   * certificate, is refused by the PEM reader, naming what it found. */
  uint8_t *longer = malloc(2 * cn + 8);
  memcpy(longer, chain, cn);
  memcpy(longer + cn, "junk\n", 5);
  assert_int_equal(sgxra_qe_new(f->cx, f->plat, qss, qn, pss, pn,
                                (const char *)longer, cn + 5, &qe),
                   SGXRA_E_QE_STATE);
  assert_null(qe);
  assert_non_null(
      strstr(sgxra_ctx_message(f->cx), "after certificate 3 is not PEM"));
  memcpy(longer + cn, chain, cn);
  assert_int_equal(sgxra_qe_new(f->cx, f->plat, qss, qn, pss, pn,
                                (const char *)longer, 2 * cn, &qe),
                   SGXRA_E_QE_STATE);
  assert_non_null(strstr(sgxra_ctx_message(f->cx), "more than 3 certificates"));
  /* only the leaf (up to its END line) */
  const char *end1 = strstr((const char *)chain, "-----END CERTIFICATE-----");
  assert_non_null(end1);
  assert_int_equal(sgxra_qe_new(f->cx, f->plat, qss, qn, pss, pn,
                                (const char *)chain,
                                (size_t)(end1 - (const char *)chain) + 25, &qe),
                   SGXRA_E_QE_STATE);
  assert_non_null(strstr(sgxra_ctx_message(f->cx),
                         "exactly 3 PEM certificates (leaf, PCK CA, root), "
                         "found 1; provision the platform again"));
  free(longer);
  chain[cn / 2] ^= 0x20; /* inside a base64 line */
  assert_int_not_equal(sgxra_qe_new(f->cx, f->plat, qss, qn, pss, pn,
                                    (const char *)chain, cn, &qe),
                       SGXRA_OK);
  chain[cn / 2] ^= 0x20;
  /* and the SIGSTRUCTs cut anywhere fail EINIT */
  for (size_t cut = 0; cut < qn; cut += 301) {
    assert_int_not_equal(sgxra_qe_new(f->cx, f->plat, qss, cut, pss, pn,
                                      (const char *)chain, cn, &qe),
                         SGXRA_OK);
    assert_null(qe);
    assert_int_not_equal(sgxra_qe_new(f->cx, f->plat, qss, qn, pss, cut,
                                      (const char *)chain, cn, &qe),
                         SGXRA_OK);
    assert_null(qe);
  }
  assert_int_equal(sgxra_qe_new(f->cx, f->plat, qss, qn, pss, pn,
                                (const char *)chain, cn, &qe),
                   SGXRA_OK);
  sgxra_qe_free(qe);
  free(chain);
  free(qss);
  free(pss);

  /* A PCESVN change invalidates the provisioned PCE. */
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(f->plat, &cfg);
  cfg.pcesvn = 14;
  sgxra_emu_platform_set_config(f->plat, &cfg);
  assert_int_equal(sgxra_qe_open(f->cx, f->plat, f->dir, &qe),
                   SGXRA_E_QE_STATE);
  assert_null(qe);
  /* Provisioning again fixes it, with a new PCK certificate. */
  char serial[41];
  assert_int_equal(
      sgxra_qe_provision(f->cx, f->plat, f->ca, f->dir, NOW, serial), SGXRA_OK);
  assert_string_not_equal(serial, f->serial);
  assert_int_equal(sgxra_qe_open(f->cx, f->plat, f->dir, &qe), SGXRA_OK);
  sgxra_qe_free(qe);
}

/* ---- end to end: the verifier against the CA's test root ------------------
 */

/* Verify with a fresh bundle from the CA, at NOW + 1 h. */
static void verify(fixture *f, const uint8_t *q, size_t n, sgxra_verdict *v) {
  char path[4200];
  snprintf(path, sizeof path, "%s/bundle", f->dir);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(f->plat, &cfg);
  assert_int_equal(
      sgxra_intelca_write_bundle(f->cx, f->ca, cfg.fmspc, NOW, path), SGXRA_OK);
  sgxra_collateral *coll = NULL;
  assert_int_equal(sgxra_collateral_load_dir(f->cx, path, &coll), SGXRA_OK);
  const char *pem = sgxra_intelca_root_pem(f->ca);
  sgxra_x509_chain *root = NULL;
  assert_int_equal(sgxra_x509_chain_parse_pem(f->cx, (const uint8_t *)pem,
                                              strlen(pem), &root),
                   SGXRA_OK);
  assert_int_equal(sgxra_verify_quote(f->cx, q, n, coll,
                                      sgxra_x509_chain_get(root, 0), NOW + 3600,
                                      v),
                   SGXRA_OK);
  sgxra_x509_chain_free(root);
  sgxra_collateral_free(coll);
}

static void quote_good(fixture *f, uint16_t version, uint8_t **q, size_t *n) {
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(f->qe, &ti);
  sgxra_report r;
  report_for(f, f->good, &ti, &r);
  sgxra_err e = sgxra_qe_quote(f->cx, f->qe, &r, version, q, n);
  if (e) fail_msg("quote: %s", sgxra_ctx_message(f->cx));
}

/* Re-provision the platform with other TCB SVNs (CPUSVN follows). */
static void set_tcb(fixture *f, int comp, int delta) {
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(f->plat, &cfg);
  cfg.tcb_svns[comp] = (uint8_t)(cfg.tcb_svns[comp] + delta);
  memcpy(cfg.cpusvn, cfg.tcb_svns, 16);
  sgxra_emu_platform_set_config(f->plat, &cfg);
  sgxra_qe_free(f->qe);
  f->qe = NULL;
  if (sgxra_qe_provision(f->cx, f->plat, f->ca, f->dir, NOW, f->serial) ||
      sgxra_qe_open(f->cx, f->plat, f->dir, &f->qe))
    fail_msg("re-provision: %s", sgxra_ctx_message(f->cx));
}

static void verifies_up_to_date(void **state) {
  fixture *f = *state;
  for (uint16_t ver = 3; ver <= 4; ver++) {
    uint8_t *q = NULL;
    size_t n = 0;
    quote_good(f, ver, &q, &n);
    sgxra_verdict v;
    verify(f, q, n, &v);
    if (v.err) fail_msg("v%u: %s", ver, v.reason);
    assert_string_equal(sgxra_ql_result_name(v.ql_return), "SGX_QL_SUCCESS");
    assert_string_equal(v.qv_result, "SGX_QL_QV_RESULT_OK");
    assert_int_equal(v.final_status, SGXRA_TCB_UP_TO_DATE);
    assert_int_equal(v.qe_status, SGXRA_TCB_UP_TO_DATE);
    assert_int_equal(v.collateral_expired, 0);
    assert_int_equal(v.pck_platform_ca, 1);
    sgxra_emu_secs secs;
    sgxra_emu_enclave_secs(f->good, &secs);
    assert_memory_equal(v.report.mrenclave, secs.mrenclave, 32);
    /* One flipped byte of the ISV report body: the quote signature fails. */
    q[48 + 64] ^= 1;
    verify(f, q, n, &v);
    assert_string_not_equal(sgxra_ql_result_name(v.ql_return),
                            "SGX_QL_SUCCESS");
    assert_int_equal(v.stage, SGXRA_STAGE_QUOTE_SIG);
    free(q);
  }
}

static void verifies_configured_status(void **state) {
  fixture *f = *state;
  uint8_t *q = NULL;
  size_t n = 0;
  sgxra_verdict v;
  /* component 2 one below: ConfigurationNeeded */
  set_tcb(f, 2, -1);
  quote_good(f, 3, &q, &n);
  verify(f, q, n, &v);
  assert_string_equal(sgxra_ql_result_name(v.ql_return), "SGX_QL_SUCCESS");
  assert_string_equal(v.qv_result, "SGX_QL_QV_RESULT_CONFIG_NEEDED");
  assert_int_equal(v.advisory_count, 1);
  assert_string_equal(v.advisory_ids[0], "SGXRA-TEST-SA-00002");
  free(q);
  /* and component 0 one below too: OutOfDateConfigurationNeeded */
  set_tcb(f, 0, -1);
  quote_good(f, 4, &q, &n);
  verify(f, q, n, &v);
  assert_string_equal(v.qv_result,
                      "SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED");
  free(q);
  /* component 2 back: OutOfDate */
  set_tcb(f, 2, +1);
  quote_good(f, 3, &q, &n);
  verify(f, q, n, &v);
  assert_string_equal(v.qv_result, "SGX_QL_QV_RESULT_OUT_OF_DATE");
  assert_string_equal(v.advisory_ids[0], "SGXRA-TEST-SA-00001");
  free(q);
  /* far below every level: TCB not supported */
  set_tcb(f, 0, -10);
  quote_good(f, 3, &q, &n);
  verify(f, q, n, &v);
  assert_string_equal(sgxra_ql_result_name(v.ql_return),
                      "SGX_QL_TCB_NOT_SUPPORTED");
  free(q);
}

static void verifies_recovery_and_revocation(void **state) {
  fixture *f = *state;
  uint8_t *q = NULL;
  size_t n = 0;
  sgxra_verdict v;
  quote_good(f, 3, &q, &n);
  /* TCB recovery: the same quote is now OutOfDate. */
  assert_int_equal(sgxra_intelca_tcb_recovery(f->cx, f->ca), SGXRA_OK);
  verify(f, q, n, &v);
  assert_string_equal(sgxra_ql_result_name(v.ql_return), "SGX_QL_SUCCESS");
  assert_string_equal(v.qv_result, "SGX_QL_QV_RESULT_OUT_OF_DATE");
  /* Revoked PCK: refused. */
  assert_int_equal(sgxra_intelca_revoke(f->cx, f->ca, f->serial, NOW),
                   SGXRA_OK);
  verify(f, q, n, &v);
  assert_string_equal(sgxra_ql_result_name(v.ql_return), "SGX_QL_PCK_REVOKED");
  assert_int_equal(v.stage, SGXRA_STAGE_PCK_CHAIN);
  free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(quotes_v3_v4, setup, teardown),
      cmocka_unit_test_setup_teardown(forged_report_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(report_after_cpusvn_change, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(retargeted_report_refused, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(state_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(verifies_up_to_date, setup, teardown),
      cmocka_unit_test_setup_teardown(verifies_configured_status, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(verifies_recovery_and_revocation, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
