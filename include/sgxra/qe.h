/*
 * sgxra/qe.h -- the emulated quoting enclave (QE) and provisioning
 * certification enclave (PCE) of Intel SGX DCAP.
 *
 * Thread-safety: a QE object may be used by one thread at a time.
 */
#ifndef SGXRA_QE_H
#define SGXRA_QE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The QE's identity, as in Intel's QE3 (ISVPRODID 1). */
#define SGXRA_QE_ISVPRODID 1
#define SGXRA_QE_ISVSVN 8
/* The PCE's ISVPRODID; its ISVSVN is the platform's PCESVN. */
#define SGXRA_PCE_ISVPRODID 2

/* ---- quote encoder (src/quote/encode.c) ------------------------------------
 *
 * Writes quotes v3 and v4 in the layout drawn in sgxra/quote.h (Intel SGX
 * ECDSA Quote Library API, appendix A.4; the v4 layout of the TDX DCAP
 * Quoting Library API):
 *
 *   v3: header | ISV report body | sig len u32 | ISV sig | attestation key |
 *       QE report body | QE report sig | QE auth size u16 + data |
 *       cert type 5 u16 | size u32 | PEM chain
 *   v4: header | ISV report body | sig len u32 | ISV sig | attestation key |
 *       cert type 6 u16 | size u32 | [ QE report body | QE report sig |
 *       QE auth size u16 + data | cert type 5 u16 | size u32 | PEM chain ]
 *
 * The ISV signature covers header || ISV report body (432 bytes), which
 * sgxra_quote_signed_bytes() writes before the signature exists.  */
#define SGXRA_QUOTE_SIGNED_SIZE 432
/* Caps: the PEM chain and QE auth data a quote may carry. */
#define SGXRA_QUOTE_MAX_CHAIN (64u * 1024u)
#define SGXRA_QUOTE_MAX_AUTH_DATA 4096u

typedef struct sgxra_quote_parts {
  uint16_t version; /* 3 or 4 */
  uint16_t qe_svn;
  uint16_t pce_svn;
  uint8_t user_data[20];
  uint8_t report_body[SGXRA_REPORT_BODY_SIZE]; /* ISV enclave's */
  uint8_t isv_signature[SGXRA_P256_SIG_SIZE];  /* r||s over the signed part */
  uint8_t attest_key[SGXRA_P256_PUBLIC_SIZE];  /* X||Y */
  uint8_t qe_report_body[SGXRA_REPORT_BODY_SIZE];
  uint8_t qe_report_signature[SGXRA_P256_SIG_SIZE]; /* by the PCK key */
  const uint8_t *qe_auth_data; /* NULL when qe_auth_data_len is 0 */
  size_t qe_auth_data_len;
  const char *pck_chain_pem; /* leaf -> PCK CA -> root */
  size_t pck_chain_len;
} sgxra_quote_parts;

/* header || ISV report body: the 432 bytes the attestation key signs.
 * SGXRA_E_QUOTE_ENCODE for a version other than 3 or 4. */
SGXRA_MUST_CHECK sgxra_err
sgxra_quote_signed_bytes(sgxra_ctx *cx, const sgxra_quote_parts *parts,
                         uint8_t out[SGXRA_QUOTE_SIGNED_SIZE]);

/* The whole quote (malloc'ed).  SGXRA_E_QUOTE_ENCODE for a bad version, a
 * missing chain or sizes over the caps. */
SGXRA_MUST_CHECK sgxra_err sgxra_quote_encode(sgxra_ctx *cx,
                                              const sgxra_quote_parts *parts,
                                              uint8_t **out_quote,
                                              size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
