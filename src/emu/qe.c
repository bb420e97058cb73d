/* The emulated quoting enclave: see sgxra/qe.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/atomic.h"
#include "core/internal.h"
#include "emu/state_internal.h"
#include "sgxra/file.h"
#include "sgxra/intelca.h"
#include "sgxra/qe.h"
#include "sgxra/sigstruct.h"
#include "sgxra/x509.h"

#define QE_NAME "sgxra emulated quoting enclave (QE) v1"
/* The QE id at the start of the quote header's user data (Intel's QE3
 * puts a 16-byte QE id there too). */
#define QE_ID_SIZE 16
_Static_assert(QE_ID_SIZE <= SGXRA_QUOTE_USER_DATA_SIZE, "QE id fits");

struct sgxra_qe {
  sgxra_emu_enclave *enclave;
  sgxra_pce *pce;
  sgxra_p256_key *attest;
  uint8_t attest_pub[SGXRA_P256_PUBLIC_SIZE];
  uint8_t auth_data[SGXRA_QE_AUTH_DATA_SIZE];
  uint8_t qe_report_body[SGXRA_REPORT_BODY_SIZE];
  uint8_t qe_report_sig[SGXRA_P256_SIG_SIZE];
  uint8_t user_data[SGXRA_QUOTE_USER_DATA_SIZE];
  uint16_t qe_svn, pce_svn;
  /* The QE's own report key for this boot's REPORT KEYID (EGETKEY once at
   * start, kept like any enclave keeps a key it uses often): checking a
   * REPORT's MAC then costs one CMAC.  Secret: wiped by sgxra_qe_free. */
  const sgxra_emu_platform *plat;
  uint8_t report_keyid[SGXRA_KEYID_SIZE];
  uint8_t report_cpusvn[SGXRA_CPUSVN_SIZE]; /* an input of the report key */
  uint8_t report_key[SGXRA_EMU_KEY_SIZE];
  char *chain;
  size_t chain_len;
};

sgxra_err sgxra_qe_sigstruct(sgxra_ctx *cx, const sgxra_rsa_key *signer,
                             uint8_t out[SGXRA_SIGSTRUCT_SIZE]) {
  return sgxra_qe_sign_image(cx, signer, QE_NAME, SGXRA_QE_ISVPRODID,
                             SGXRA_QE_ISVSVN, out);
}

void sgxra_qe_free(sgxra_qe *qe) {
  if (!qe) return;
  sgxra_emu_enclave_free(qe->enclave);
  sgxra_pce_free(qe->pce);
  sgxra_p256_free(qe->attest);
  free(qe->chain);
  sgxra_wipe(qe, sizeof *qe);
  free(qe);
}

/* Certificates of the PCK chain a provisioned platform holds: leaf, PCK
 * CA, root. */
#define PCK_CHAIN_CERTS 3

/* The public key of the first certificate of a PEM chain, which must hold
 * exactly PCK_CHAIN_CERTS certificates (leaf, PCK CA, root) and nothing but
 * whitespace around them.  Read by the quote layer's PEM reader; every
 * failure is SGXRA_E_QE_STATE with the reader's message. */
static sgxra_err leaf_public(sgxra_ctx *cx, const char *pem, size_t n,
                             uint8_t out[SGXRA_P256_PUBLIC_SIZE]) {
  sgxra_x509_pem_certs *certs = NULL;
  sgxra_x509_chain *leaf = NULL;
  sgxra_err e =
      sgxra_x509_pem_split(cx, (const uint8_t *)pem, n, PCK_CHAIN_CERTS,
                           SGXRA_X509_PEM_STRICT, &certs);
  if (e == SGXRA_OK && certs->count != PCK_CHAIN_CERTS)
    e = sgxra__fail(cx, SGXRA_E_QE_STATE,
                    "it must hold exactly %d PEM certificates "
                    "(leaf, PCK CA, root), found %zu",
                    PCK_CHAIN_CERTS, certs->count);
  if (e == SGXRA_OK)
    e = sgxra_x509_chain_parse_der(cx, certs->certs[0].der,
                                   certs->certs[0].der_len, &leaf);
  if (e == SGXRA_OK)
    sgxra_p256_public_raw(
        sgxra_x509_cert_public_key(sgxra_x509_chain_get(leaf, 0)), out);
  sgxra_x509_chain_free(leaf);
  sgxra_x509_pem_certs_free(certs);
  if (e != SGXRA_OK) {
    char why[SGXRA_CTX_MSG_SIZE];
    snprintf(why, sizeof why, "%s", sgxra_ctx_message(cx));
    return sgxra__fail(cx, SGXRA_E_QE_STATE,
                       "QE: PCK chain: %s; provision the platform again", why);
  }
  return SGXRA_OK;
}

sgxra_err sgxra_qe_new(sgxra_ctx *cx, sgxra_emu_platform *plat,
                       const uint8_t *qe_sigstruct, size_t qe_sigstruct_len,
                       const uint8_t *pce_sigstruct, size_t pce_sigstruct_len,
                       const char *pck_chain_pem, size_t pck_chain_len,
                       sgxra_qe **out_qe) {
  if (out_qe) *out_qe = NULL;
  if (!plat || !qe_sigstruct || !pce_sigstruct || !pck_chain_pem || !out_qe ||
      pck_chain_len == 0 || pck_chain_len > SGXRA_QUOTE_MAX_CHAIN)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "QE: platform, SIGSTRUCTs, PCK chain (1..%u bytes) "
                       "and output are required",
                       SGXRA_QUOTE_MAX_CHAIN);
  sgxra_qe *qe = calloc(1, sizeof(*qe));
  if (!qe) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  sgxra_err e;
  qe->chain = malloc(pck_chain_len);
  if (!qe->chain) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    goto fail;
  }
  memcpy(qe->chain, pck_chain_pem, pck_chain_len);
  qe->chain_len = pck_chain_len;

  if ((e = sgxra_qe_start_image(cx, plat, QE_NAME, qe_sigstruct,
                                qe_sigstruct_len, &qe->enclave))) {
    sgxra__context(cx, e, "QE");
    goto fail;
  }
  if ((e = sgxra_pce_new(cx, plat, pce_sigstruct, pce_sigstruct_len, &qe->pce)))
    goto fail;

  /* The PCK certificate must be this PCE's. */
  uint8_t leaf_pub[SGXRA_P256_PUBLIC_SIZE], pck_pub[SGXRA_P256_PUBLIC_SIZE];
  if ((e = leaf_public(cx, pck_chain_pem, pck_chain_len, leaf_pub))) goto fail;
  sgxra_p256_public_raw(sgxra_pce_pck_key(qe->pce), pck_pub);
  if (memcmp(leaf_pub, pck_pub, sizeof pck_pub) != 0) {
    e = sgxra__fail(cx, SGXRA_E_QE_STATE,
                    "QE: the PCK certificate's key is not this platform's "
                    "PCK key (the platform's TCB or PCESVN changed?); "
                    "provision the platform again");
    goto fail;
  }

  sgxra_emu_secs secs;
  sgxra_emu_enclave_secs(qe->enclave, &secs);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(plat, &cfg);
  qe->qe_svn = secs.isvsvn;
  qe->pce_svn = cfg.pcesvn;

  /* Attestation key from the QE's seal key (stable across boots). */
  uint8_t seal[SGXRA_EMU_KEY_SIZE];
  e = sgxra_qe_getkey(cx, qe->enclave, plat, SGXRA_KEYNAME_SEAL, secs.isvsvn,
                      seal);
  if (!e)
    e = sgxra_qe_derive_p256(cx, seal, "sgxra QE attestation key", &qe->attest);
  sgxra_wipe(seal, sizeof seal);
  if (e) goto fail;
  sgxra_keyrequest kr;
  memset(&kr, 0, sizeof kr);
  kr.keyname = SGXRA_KEYNAME_REPORT;
  sgxra_emu_platform_report_keyid(plat, kr.keyid);
  memcpy(qe->report_keyid, kr.keyid, sizeof qe->report_keyid);
  memcpy(qe->report_cpusvn, cfg.cpusvn, sizeof qe->report_cpusvn);
  qe->plat = plat;
  if ((e = sgxra_emu_egetkey(cx, qe->enclave, &kr, qe->report_key))) goto fail;
  sgxra_p256_public_raw(qe->attest, qe->attest_pub);
  /* QE auth data: 32 bytes 0x00..0x1f, as Intel's QE3 sends by default. */
  for (int i = 0; i < SGXRA_QE_AUTH_DATA_SIZE; i++)
    qe->auth_data[i] = (uint8_t)i;
  /* User data: a QE id (QE_ID_SIZE bytes) tied to the attestation key,
   * then zeros. */
  uint8_t h[SGXRA_SHA256_SIZE];
  if ((e = sgxra_sha256(cx, qe->attest_pub, sizeof qe->attest_pub, h)))
    goto fail;
  memcpy(qe->user_data, h, QE_ID_SIZE);

  /* QE report to the PCE: REPORTDATA = SHA-256(key || auth data) || 0^32 */
  uint8_t rd_in[SGXRA_P256_PUBLIC_SIZE + SGXRA_QE_AUTH_DATA_SIZE];
  uint8_t rd[SGXRA_REPORTDATA_SIZE] = {0};
  memcpy(rd_in, qe->attest_pub, SGXRA_P256_PUBLIC_SIZE);
  memcpy(rd_in + SGXRA_P256_PUBLIC_SIZE, qe->auth_data,
         SGXRA_QE_AUTH_DATA_SIZE);
  if ((e = sgxra_sha256(cx, rd_in, sizeof rd_in, rd))) goto fail;
  sgxra_targetinfo pce_ti;
  sgxra_pce_targetinfo(qe->pce, &pce_ti);
  sgxra_report qe_report;
  if ((e = sgxra_emu_ereport(cx, qe->enclave, &pce_ti, rd, &qe_report)) ||
      (e = sgxra_pce_certify(cx, qe->pce, &qe_report, qe->qe_report_sig)))
    goto fail;
  sgxra_report_body_encode(&qe_report.body, qe->qe_report_body);
  *out_qe = qe;
  return SGXRA_OK;
fail:
  sgxra_qe_free(qe);
  return e;
}

void sgxra_qe_targetinfo(const sgxra_qe *qe, sgxra_targetinfo *out_ti) {
  sgxra_emu_enclave_targetinfo(qe->enclave, out_ti);
}

void sgxra_qe_attest_key(const sgxra_qe *qe,
                         uint8_t out[SGXRA_P256_PUBLIC_SIZE]) {
  memcpy(out, qe->attest_pub, SGXRA_P256_PUBLIC_SIZE);
}

/* The REPORT's MAC under the QE's report key: the cached one for this
 * boot's KEYID and CPUSVN, else EGETKEY's for the REPORT's KEYID (a REPORT
 * of an earlier boot, or a CPUSVN changed since the QE started).
 * SGXRA_E_EMU_REPORT_MAC when it does not verify. */
static sgxra_err check_mac(sgxra_ctx *cx, const sgxra_qe *qe,
                           const sgxra_report *report) {
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(qe->plat, &cfg);
  if (!sgxra_ct_equal(report->keyid, qe->report_keyid, SGXRA_KEYID_SIZE) ||
      memcmp(cfg.cpusvn, qe->report_cpusvn, SGXRA_CPUSVN_SIZE) != 0)
    return sgxra_emu_report_verify(cx, qe->enclave, report);
  uint8_t body[SGXRA_REPORT_BODY_SIZE], mac[SGXRA_CMAC_SIZE];
  sgxra_report_body_encode(&report->body, body);
  sgxra_err e = sgxra_aes128_cmac(cx, qe->report_key, body, sizeof body, mac);
  if (e) return e;
  if (!sgxra_ct_equal(mac, report->mac, SGXRA_CMAC_SIZE))
    return sgxra__fail(cx, SGXRA_E_EMU_REPORT_MAC,
                       "REPORT MAC does not verify with the QE's report key");
  return SGXRA_OK;
}

sgxra_err sgxra_qe_quote(sgxra_ctx *cx, const sgxra_qe *qe,
                         const sgxra_report *report, uint16_t version,
                         uint8_t **out_quote, size_t *out_len) {
  if (out_quote) *out_quote = NULL;
  if (out_len) *out_len = 0;
  if (!qe || !report || !out_quote || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "QE: bad arguments");
  if (version != 3 && version != 4)
    return sgxra__fail(cx, SGXRA_E_QUOTE_ENCODE,
                       "QE: quote version must be 3 or 4, got %u", version);
  /* Local attestation: the MAC must be this QE's.  MRENCLAVE is not looked
   * at -- that is the service provider's job. */
  sgxra_err e = check_mac(cx, qe, report);
  if (e == SGXRA_E_EMU_REPORT_MAC)
    return sgxra__fail(cx, SGXRA_E_QE_REPORT_MAC,
                       "QE: the REPORT's MAC does not verify with the QE's "
                       "report key: the REPORT was altered after EREPORT "
                       "(e.g. a forged MRENCLAVE) or targeted at another "
                       "enclave; have the enclave EREPORT to the QE's "
                       "TARGETINFO");
  if (e) return e;

  sgxra_quote_parts *p = calloc(1, sizeof(*p));
  if (!p) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  p->version = version;
  p->qe_svn = qe->qe_svn;
  p->pce_svn = qe->pce_svn;
  memcpy(p->user_data, qe->user_data, sizeof p->user_data);
  sgxra_report_body_encode(&report->body, p->report_body);
  memcpy(p->attest_key, qe->attest_pub, sizeof p->attest_key);
  memcpy(p->qe_report_body, qe->qe_report_body, sizeof p->qe_report_body);
  memcpy(p->qe_report_signature, qe->qe_report_sig,
         sizeof p->qe_report_signature);
  p->qe_auth_data = qe->auth_data;
  p->qe_auth_data_len = sizeof qe->auth_data;
  p->pck_chain_pem = qe->chain;
  p->pck_chain_len = qe->chain_len;
  uint8_t signed_part[SGXRA_QUOTE_SIGNED_SIZE];
  if (!(e = sgxra_quote_signed_bytes(cx, p, signed_part)) &&
      !(e = sgxra_p256_sign(cx, qe->attest, signed_part, sizeof signed_part,
                            p->isv_signature)))
    e = sgxra_quote_encode(cx, p, out_quote, out_len);
  free(p);
  return e;
}

/* ---- platform directories
 * ---------------------------------------------------- */

static sgxra_err put(sgxra_ctx *cx, const char *dir, const char *name,
                     const void *p, size_t n) {
  return sgxra__state_write(cx, dir, name, p, n, 0);
}

static sgxra_err get(sgxra_ctx *cx, const char *dir, const char *name,
                     uint8_t **out, size_t *n) {
  return sgxra__state_read(
      cx, dir, name, SGXRA_E_QE_STATE, "QE",
      "; initialise the platform with 'sgxra platform init'", out, n);
}

sgxra_err
sgxra_qe_provision(sgxra_ctx *cx, sgxra_emu_platform *plat, sgxra_intelca *ca,
                   const char *dir, int64_t now,
                   char out_serial_hex[SGXRA_INTELCA_SERIAL_HEX_SIZE]) {
  return sgxra_qe_provision_ex(cx, plat, ca, dir, now, NULL, out_serial_hex);
}

sgxra_err
sgxra_qe_provision_ex(sgxra_ctx *cx, sgxra_emu_platform *plat,
                      sgxra_intelca *ca, const char *dir, int64_t now,
                      const sgxra_rsa_key *qe_signer,
                      char out_serial_hex[SGXRA_INTELCA_SERIAL_HEX_SIZE]) {
  if (out_serial_hex) out_serial_hex[0] = 0;
  if (!plat || !ca || !dir)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "provisioning: platform, CA and folder are required");
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(plat, &cfg);
  uint8_t qe_ss[SGXRA_SIGSTRUCT_SIZE], pce_ss[SGXRA_SIGSTRUCT_SIZE];
  const sgxra_rsa_key *signer = sgxra_intelca_qe_signing_key(ca);
  sgxra_err e;
  if ((e = sgxra_qe_sigstruct(cx, qe_signer ? qe_signer : signer, qe_ss)) ||
      (e = sgxra_pce_sigstruct(cx, signer, cfg.pcesvn, pce_ss)))
    return e;
  sgxra_pce *pce = NULL;
  if ((e = sgxra_pce_new(cx, plat, pce_ss, sizeof pce_ss, &pce))) return e;
  sgxra_pck_ext info;
  sgxra_pce_pck_info(pce, &info);
  char *leaf = NULL;
  char serial[SGXRA_INTELCA_SERIAL_HEX_SIZE];
  e = sgxra_intelca_issue_pck(cx, ca, &info, sgxra_pce_pck_key(pce), now, &leaf,
                              serial);
  sgxra_pce_free(pce);
  if (e) return e;
  const char *pca = sgxra_intelca_pck_issuer_pem(ca);
  const char *root = sgxra_intelca_root_pem(ca);
  size_t n = strlen(leaf) + strlen(pca) + strlen(root);
  char *chain = malloc(n + 1);
  if (!chain) {
    free(leaf);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  snprintf(chain, n + 1, "%s%s%s", leaf, pca, root);
  free(leaf);
  /* The four files change together under the folder's lock, each one
   * written atomically. */
  int lock = -1;
  if (!(e = sgxra__lock_dir(cx, dir, &lock)) &&
      !(e = put(cx, dir, "qe.sigstruct", qe_ss, sizeof qe_ss)) &&
      !(e = put(cx, dir, "pce.sigstruct", pce_ss, sizeof pce_ss)) &&
      !(e = put(cx, dir, "pck_chain.pem", chain, n)))
    e = put(cx, dir, "pck_serial.txt", serial, strlen(serial));
  sgxra__unlock_dir(lock);
  free(chain);
  if (!e && out_serial_hex) memcpy(out_serial_hex, serial, sizeof serial);
  return e;
}

sgxra_err sgxra_qe_open(sgxra_ctx *cx, sgxra_emu_platform *plat,
                        const char *dir, sgxra_qe **out_qe) {
  if (out_qe) *out_qe = NULL;
  if (!plat || !dir || !out_qe)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "QE: bad arguments");
  uint8_t *qe_ss = NULL, *pce_ss = NULL, *chain = NULL;
  size_t qn = 0, pn = 0, cn = 0;
  sgxra_err e = sgxra__state_check(cx, dir, NULL, "platform directory");
  if (e) return e;
  /* platform.json without the QE's files: an init that was interrupted
   * (by an sgxra before init was made all-or-nothing, or a library caller
   * that did not provision). */
  static const char *const need[] = {"qe.sigstruct", "pce.sigstruct",
                                     "pck_chain.pem"};
  char *pj = sgxra__state_path(dir, SGXRA_EMU_STATE_FILE);
  struct stat pst;
  int have_platform = pj && stat(pj, &pst) == 0;
  free(pj);
  for (size_t i = 0; have_platform && i < sizeof need / sizeof need[0]; i++) {
    char *path = sgxra__state_path(dir, need[i]);
    struct stat st;
    int missing = path && stat(path, &st) != 0 && errno == ENOENT;
    free(path);
    if (missing)
      return sgxra__fail(cx, SGXRA_E_EMU_STATE_INCOMPLETE,
                         "platform %s is incomplete: it has no %s (its "
                         "initialisation was interrupted or it was never "
                         "provisioned); remove it and initialise it again: "
                         "'rm -r %s && sgxra platform init %s'",
                         dir, need[i], dir, dir);
  }
  if (!(e = get(cx, dir, "qe.sigstruct", &qe_ss, &qn)) &&
      !(e = get(cx, dir, "pce.sigstruct", &pce_ss, &pn)) &&
      !(e = get(cx, dir, "pck_chain.pem", &chain, &cn)))
    e = sgxra_qe_new(cx, plat, qe_ss, qn, pce_ss, pn, (const char *)chain, cn,
                     out_qe);
  free(qe_ss);
  free(pce_ss);
  free(chain);
  return e;
}
