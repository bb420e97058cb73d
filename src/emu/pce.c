/* The emulated PCE, and what the QE and PCE share: see sgxra/qe.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "sgxra/measure.h"
#include "sgxra/qe.h"
#include "sgxra/sigstruct.h"

#define PCE_NAME "sgxra emulated provisioning certification enclave (PCE) v1"

/* ---- shared helpers -------------------------------------------------------
 */

static void make_image(const char *name, uint8_t img[SGXRA_QE_IMAGE_SIZE]) {
  memset(img, 0, SGXRA_QE_IMAGE_SIZE);
  size_t n = strlen(name);
  if (n > SGXRA_PAGE_SIZE - 1) n = SGXRA_PAGE_SIZE - 1;
  memcpy(img + SGXRA_PAGE_SIZE, name, n);
}

sgxra_err sgxra_qe_sign_image(sgxra_ctx *cx, const sgxra_rsa_key *signer,
                              const char *name, uint16_t isvprodid,
                              uint16_t isvsvn,
                              uint8_t out[SGXRA_SIGSTRUCT_SIZE]) {
  memset(out, 0, SGXRA_SIGSTRUCT_SIZE);
  if (!signer || !name)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "enclave signing: key and name are required");
  uint8_t *img = malloc(SGXRA_QE_IMAGE_SIZE);
  if (!img) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  make_image(name, img);
  sgxra_sigstruct_params prm;
  sgxra_sigstruct_params_default(&prm);
  sgxra_err e = sgxra_measure_raw_image(cx, img, SGXRA_QE_IMAGE_SIZE, 1,
                                        SGXRA_SECINFO_REG_RWX, prm.enclavehash);
  free(img);
  if (e) return e;
  prm.attributes.flags = SGXRA_ATTR_MODE64BIT | SGXRA_ATTR_PROVISIONKEY;
  prm.attributes.xfrm = 0x3;
  prm.isvprodid = isvprodid;
  prm.isvsvn = isvsvn;
  sgxra_sigstruct ss;
  e = sgxra_sigstruct_sign(cx, signer, &prm, &ss);
  if (e) return e;
  sgxra_sigstruct_encode(&ss, out);
  return SGXRA_OK;
}

sgxra_err sgxra_qe_start_image(sgxra_ctx *cx, sgxra_emu_platform *plat,
                               const char *name, const uint8_t *sigstruct,
                               size_t n, sgxra_emu_enclave **out_e) {
  if (out_e) *out_e = NULL;
  if (!plat || !name || !sigstruct || !out_e)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "enclave start: platform, name, SIGSTRUCT and output "
                       "are required");
  uint8_t *img = malloc(SGXRA_QE_IMAGE_SIZE);
  if (!img) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  make_image(name, img);
  sgxra_err e = sgxra_emu_enclave_create_image(
      cx, plat, img, SGXRA_QE_IMAGE_SIZE, sigstruct, n, NULL, out_e);
  free(img);
  return e;
}

sgxra_err sgxra_qe_derive_p256(sgxra_ctx *cx,
                               const uint8_t key[SGXRA_EMU_KEY_SIZE],
                               const char *label, sgxra_p256_key **out_key) {
  if (out_key) *out_key = NULL;
  if (!key || !label || !out_key)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "key derivation: bad "
                       "arguments");
  size_t ln = strlen(label);
  /* label || counter byte || key */
  uint8_t buf[128];
  if (ln > sizeof buf - 1 - SGXRA_EMU_KEY_SIZE)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "key derivation: label "
                       "too long");
  memcpy(buf, label, ln);
  memcpy(buf + ln + 1, key, SGXRA_EMU_KEY_SIZE);
  uint8_t d[SGXRA_SHA256_SIZE];
  sgxra_err e = SGXRA_OK;
  /* A SHA-256 output is >= n with probability about 2^-32: a counter picks
   * the next candidate then. */
  for (uint8_t ctr = 0; ctr < 8; ctr++) {
    buf[ln] = ctr;
    if ((e = sgxra_sha256(cx, buf, ln + 1 + SGXRA_EMU_KEY_SIZE, d))) break;
    e = sgxra_p256_from_private(cx, d, out_key);
    if (e != SGXRA_E_CRYPTO_KEY_INVALID) break;
  }
  sgxra_wipe(buf, sizeof buf);
  sgxra_wipe(d, sizeof d);
  return e;
}

sgxra_err sgxra_qe_getkey(sgxra_ctx *cx, const sgxra_emu_enclave *e,
                          const sgxra_emu_platform *plat, uint16_t keyname,
                          uint16_t isvsvn,
                          uint8_t out_key[SGXRA_EMU_KEY_SIZE]) {
  sgxra_keyrequest req;
  memset(&req, 0, sizeof req);
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(plat, &cfg);
  req.keyname = keyname;
  req.keypolicy = SGXRA_KEYPOLICY_MRSIGNER;
  req.isvsvn = isvsvn;
  memcpy(req.cpusvn, cfg.cpusvn, SGXRA_CPUSVN_SIZE);
  /* The SDK's default: INIT, DEBUG, MODE64BIT and the top byte. */
  req.attributemask.flags = 0xFF0000000000000BULL;
  req.attributemask.xfrm = 0;
  req.miscmask = 0xffffffffu;
  return sgxra_emu_egetkey(cx, e, &req, out_key);
}

/* ---- the PCE ----------------------------------------------------------------
 */

struct sgxra_pce {
  sgxra_emu_enclave *enclave;
  const sgxra_emu_platform *plat;
  sgxra_p256_key *pck;
  sgxra_pck_ext info;
};

sgxra_err sgxra_pce_sigstruct(sgxra_ctx *cx, const sgxra_rsa_key *signer,
                              uint16_t pcesvn,
                              uint8_t out[SGXRA_SIGSTRUCT_SIZE]) {
  return sgxra_qe_sign_image(cx, signer, PCE_NAME, SGXRA_PCE_ISVPRODID, pcesvn,
                             out);
}

void sgxra_pce_free(sgxra_pce *pce) {
  if (!pce) return;
  sgxra_emu_enclave_free(pce->enclave);
  sgxra_p256_free(pce->pck);
  free(pce);
}

sgxra_err sgxra_pce_new(sgxra_ctx *cx, sgxra_emu_platform *plat,
                        const uint8_t *sigstruct, size_t n,
                        sgxra_pce **out_pce) {
  if (out_pce) *out_pce = NULL;
  if (!plat || !sigstruct || !out_pce)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "PCE: bad arguments");
  sgxra_pce *pce = calloc(1, sizeof(*pce));
  if (!pce) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  pce->plat = plat;
  sgxra_err e =
      sgxra_qe_start_image(cx, plat, PCE_NAME, sigstruct, n, &pce->enclave);
  if (e) {
    sgxra__context(cx, e, "PCE");
    goto fail;
  }
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_get_config(plat, &cfg);
  sgxra_emu_secs secs;
  sgxra_emu_enclave_secs(pce->enclave, &secs);
  if (secs.isvsvn != cfg.pcesvn) {
    e = sgxra__fail(cx, SGXRA_E_QE_STATE,
                    "PCE: its SIGSTRUCT has ISVSVN %u but the platform's "
                    "PCESVN is %u; provision the platform again",
                    secs.isvsvn, cfg.pcesvn);
    goto fail;
  }
  uint8_t key[SGXRA_EMU_KEY_SIZE], ppid_key[SGXRA_EMU_KEY_SIZE],
      h[SGXRA_SHA256_SIZE];
  if ((e = sgxra_qe_getkey(cx, pce->enclave, plat, SGXRA_KEYNAME_PROVISION,
                           cfg.pcesvn, key)) ||
      (e = sgxra_qe_derive_p256(cx, key, "sgxra PCK", &pce->pck)) ||
      (e = sgxra_qe_getkey(cx, pce->enclave, plat, SGXRA_KEYNAME_PROVISION, 0,
                           ppid_key))) {
    sgxra_wipe(key, sizeof key);
    sgxra__context(cx, e, "PCE key derivation");
    goto fail;
  }
  static const char ppid_label[] = "sgxra PPID"; /* without its NUL */
  uint8_t msg[sizeof ppid_label - 1 + SGXRA_EMU_KEY_SIZE];
  memcpy(msg, ppid_label, sizeof ppid_label - 1);
  memcpy(msg + sizeof ppid_label - 1, ppid_key, SGXRA_EMU_KEY_SIZE);
  e = sgxra_sha256(cx, msg, sizeof msg, h);
  sgxra_wipe(key, sizeof key);
  sgxra_wipe(ppid_key, sizeof ppid_key);
  sgxra_wipe(msg, sizeof msg);
  if (e) goto fail;
  sgxra_pck_ext *in = &pce->info;
  memcpy(in->ppid, h, SGXRA_PCKEXT_PPID_SIZE);
  memcpy(in->comp_svn, cfg.tcb_svns, SGXRA_PCKEXT_COMP_COUNT);
  in->pcesvn = cfg.pcesvn;
  memcpy(in->cpusvn, cfg.cpusvn, SGXRA_CPUSVN_SIZE);
  sgxra__st16(in->pceid, cfg.pceid);
  memcpy(in->fmspc, cfg.fmspc, SGXRA_PCKEXT_FMSPC_SIZE);
  in->sgx_type = 0;
  in->has_platform_instance_id = 1;
  /* the instance id: the other half of the same hash as the PPID */
  memcpy(in->platform_instance_id, h + SGXRA_PCKEXT_PPID_SIZE,
         SGXRA_PCKEXT_PLATFORM_INSTANCE_ID_SIZE);
  in->has_configuration = 1;
  in->dynamic_platform = 0;
  in->cached_keys = 1;
  in->smt_enabled = 1;
  *out_pce = pce;
  return SGXRA_OK;
fail:
  sgxra_pce_free(pce);
  return e;
}

void sgxra_pce_targetinfo(const sgxra_pce *pce, sgxra_targetinfo *out_ti) {
  sgxra_emu_enclave_targetinfo(pce->enclave, out_ti);
}

const sgxra_p256_key *sgxra_pce_pck_key(const sgxra_pce *pce) {
  return pce ? pce->pck : NULL;
}

void sgxra_pce_pck_info(const sgxra_pce *pce, sgxra_pck_ext *out_info) {
  *out_info = pce->info;
}

sgxra_err sgxra_pce_certify(sgxra_ctx *cx, const sgxra_pce *pce,
                            const sgxra_report *qe_report,
                            uint8_t out_sig[SGXRA_P256_SIG_SIZE]) {
  memset(out_sig, 0, SGXRA_P256_SIG_SIZE);
  if (!pce || !qe_report)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "PCE: bad arguments");
  sgxra_err e = sgxra_emu_report_verify(cx, pce->enclave, qe_report);
  if (e != SGXRA_OK && e != SGXRA_E_EMU_REPORT_MAC)
    return e; /* not a verdict on the REPORT: keep the failure's code */
  if (e != SGXRA_OK)
    return sgxra__fail(cx, SGXRA_E_PCE_REPORT,
                       "PCE: the QE report's MAC does not verify with the "
                       "PCE's report key: it was altered or targeted at "
                       "another enclave");
  /* Like Intel's PCE, certify only enclaves allowed the provisioning key. */
  if (!(qe_report->body.attributes.flags & SGXRA_ATTR_PROVISIONKEY))
    return sgxra__fail(cx, SGXRA_E_PCE_REPORT,
                       "PCE: the reporting enclave lacks the PROVISIONKEY "
                       "attribute; only a quoting enclave is certified");
  uint8_t body[SGXRA_REPORT_BODY_SIZE];
  sgxra_report_body_encode(&qe_report->body, body);
  return sgxra_p256_sign(cx, pce->pck, body, sizeof body, out_sig);
}
