/*
 * sgxra/enclave_api.h -- the interface between the emulated CPU and an
 * enclave shared object (the only sgxra header an enclave includes; it
 * needs nothing but <stddef.h> and <stdint.h>, so an enclave does not link
 * libsgxra).
 *
 * An enclave .so exports one C function, SGXRA_ENCLAVE_ENTRY_SYMBOL:
 *
 *   int sgxra_enclave_entry(const sgxra_enclave_api *api, uint32_t op,
 *                           const uint8_t *in, size_t in_len,
 *                           uint8_t *out, size_t out_cap, size_t *out_len);
 *
 * The emulator calls it with `api` bound to that enclave: api->ereport and
 * api->egetkey run EREPORT/EGETKEY with *this* enclave's SECS identity, and
 * nothing in the api lets the enclave choose another identity.  It returns
 * 0 on success or a nonzero code: an sgxra_err value (positive) when it has
 * one, or one of the negative SGXRA_ENCLAVE_E_* codes below.
 *
 * API versions.  Version 1 has EREPORT and EGETKEY.  Version 2 adds a
 * crypto runtime (random bytes, SHA-256, AES-128-CMAC, AES-128-GCM, P-256
 * key generation, ECDH and ECDSA verification) over raw bytes only: no
 * object of the host's crypto library crosses into the enclave.  A real SGX
 * enclave links its crypto inside (Intel's sgx_tcrypto); the emulator hands
 * the host's OpenSSL through instead (sgxra/crypto.h).  That keeps the
 * enclave's code small and reproducible; it is identity, not isolation,
 * like everything else here (see docs/EMULATOR.md).
 *
 * An enclave that wants version 2 exports the data symbol
 * SGXRA_ENCLAVE_API_VERSION_SYMBOL (use SGXRA_ENCLAVE_DECLARE_API_VERSION
 * once in the enclave).  The emulator then hands it api->version = 2;
 * without the symbol it hands api->version = 1, so a version-1 enclave that
 * checks `api->version == 1` keeps working.  api->size is always
 * sizeof(sgxra_enclave_api) of the emulator; an enclave checks
 * api->size >= what it uses.  (So an enclave recompiled against this
 * header either declares the symbol or checks api->version >= 1: without
 * the symbol it gets 1, not SGXRA_ENCLAVE_API_VERSION.)
 *
 * Structures cross as raw bytes in Intel's layouts (TARGETINFO 512,
 * REPORTDATA 64, REPORT 432, KEYREQUEST 512 bytes; see sgxra/sgx.h).  P-256
 * public keys are X||Y and scalars, shared secrets and signatures r||s are
 * big-endian, as in sgxra/crypto.h (the RA wire form is little-endian: the
 * enclave converts).
 *
 * Thread-safety: an api table is valid only during the call it is handed
 * to, on that thread.
 */
#ifndef SGXRA_ENCLAVE_API_H
#define SGXRA_ENCLAVE_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_ENCLAVE_API_VERSION 2
#define SGXRA_ENCLAVE_ENTRY_SYMBOL "sgxra_enclave_entry"
#define SGXRA_ENCLAVE_API_VERSION_SYMBOL "sgxra_enclave_api_version"

/* In an enclave that uses version 2: the exported version symbol. */
#define SGXRA_ENCLAVE_DECLARE_API_VERSION                                      \
  __attribute__((                                                              \
      visibility("default"))) extern const uint32_t sgxra_enclave_api_version; \
  const uint32_t sgxra_enclave_api_version = SGXRA_ENCLAVE_API_VERSION

/* Operations every sgxra enclave understands. */
/* in: TARGETINFO (512) || REPORTDATA (64); out: REPORT (432) made by
 * api->ereport for that target. */
#define SGXRA_ENCLAVE_OP_REPORT 1u
/* Enclave-specific operations start here. */
#define SGXRA_ENCLAVE_OP_USER 0x100u

/* The remote-attestation operations (docs/RA.md's messages; the attester,
 * sgxra/attester.h, drives them).  ctx is a u32 little-endian session
 * handle the enclave hands out with MSG1.
 *   RA_MSG1   in: (none)                         out: u32 ctx || msg1 (68)
 *   RA_MSG2   in: u32 ctx || QE TARGETINFO (512) || msg2
 *             out: REPORT (432) for the QE, REPORTDATA = the session binding
 *   RA_MSG3   in: u32 ctx || quote   out: msg3 (the quote's report body, at
 *             quote offset 48, must be the REPORT's body MSG2 made)
 *   RA_MSG4   in: u32 ctx || msg4    out: u8 trusted || u32 sealed_len ||
 *             sealed blob (sealed_len 0 when not trusted); ends the session
 *   UNSEAL    in: sealed blob        out: the secret (DEMO ONLY: a real
 *             enclave uses its secret inside and never hands it out)
 *   RA_CLOSE  in: u32 ctx            out: (none); wipes the session */
#define SGXRA_ENCLAVE_OP_RA_MSG1 0x110u
#define SGXRA_ENCLAVE_OP_RA_MSG2 0x111u
#define SGXRA_ENCLAVE_OP_RA_MSG3 0x112u
#define SGXRA_ENCLAVE_OP_RA_MSG4 0x113u
#define SGXRA_ENCLAVE_OP_UNSEAL 0x114u
#define SGXRA_ENCLAVE_OP_RA_CLOSE 0x115u

/* Codes an RA enclave returns (negative, so they never collide with an
 * sgxra_err).  Any error of RA_MSG2..RA_MSG4 ends (wipes) the session. */
#define SGXRA_ENCLAVE_E_MESSAGE (-1)   /* malformed message or blob */
#define SGXRA_ENCLAVE_E_GROUP (-2)     /* kdf_id / quote type / SigRL */
#define SGXRA_ENCLAVE_E_SPID (-3)      /* msg2 is for another SP (spid) */
#define SGXRA_ENCLAVE_E_SIGNATURE (-4) /* SP signature over Gb||Ga */
#define SGXRA_ENCLAVE_E_MAC (-5)       /* msg2 or msg4 CMAC */
#define SGXRA_ENCLAVE_E_STATE (-6)     /* unknown ctx or op out of order */
#define SGXRA_ENCLAVE_E_BUSY (-7)      /* every session slot in use */
#define SGXRA_ENCLAVE_E_QUOTE (-8)     /* quote's body is not our REPORT's */
#define SGXRA_ENCLAVE_E_DECRYPT (-9)   /* msg4 secret's GCM tag */
#define SGXRA_ENCLAVE_E_SEALED (-10)   /* sealed blob does not open */
#define SGXRA_ENCLAVE_E_SPACE (-11)    /* output buffer too small */
#define SGXRA_ENCLAVE_E_CRYPTO (-12)   /* a crypto runtime call failed */
#define SGXRA_ENCLAVE_E_API (-13)      /* api version 2 needed */

typedef struct sgxra_enclave_api {
  uint32_t version; /* 1 or 2 (see the top of this file) */
  uint32_t size;    /* sizeof(sgxra_enclave_api) */
  void *self;       /* opaque; pass back as the first argument */
  /* EREPORT: 0 or an sgxra_err value. */
  int (*ereport)(void *self, const uint8_t targetinfo[512],
                 const uint8_t reportdata[64], uint8_t out_report[432]);
  /* EGETKEY: 0 or an sgxra_err value; out_key zeroed on error. */
  int (*egetkey)(void *self, const uint8_t keyrequest[512],
                 uint8_t out_key[16]);

  /* ---- version 2: the crypto runtime.  Each returns 0 or an sgxra_err
   * value; outputs are zeroed on error.  A pointer may be NULL only when
   * its length is 0. */
  /* n bytes from the host's CSPRNG (RDRAND in a real enclave). */
  int (*random)(void *self, uint8_t *out, size_t n);
  int (*sha256)(void *self, const uint8_t *p, size_t n, uint8_t out[32]);
  int (*aes128_cmac)(void *self, const uint8_t key[16], const uint8_t *msg,
                     size_t n, uint8_t out[16]);
  /* ct may equal pt. */
  int (*aes128_gcm_encrypt)(void *self, const uint8_t key[16],
                            const uint8_t iv[12], const uint8_t *aad,
                            size_t aad_len, const uint8_t *pt, size_t n,
                            uint8_t *out_ct, uint8_t out_tag[16]);
  /* SGXRA_E_CRYPTO_TAG_MISMATCH (102) when the tag is wrong; out_pt is then
   * wiped.  pt may equal ct. */
  int (*aes128_gcm_decrypt)(void *self, const uint8_t key[16],
                            const uint8_t iv[12], const uint8_t *aad,
                            size_t aad_len, const uint8_t *ct, size_t n,
                            const uint8_t tag[16], uint8_t *out_pt);
  /* A fresh P-256 key: private scalar d (big-endian) and public X||Y. */
  int (*p256_generate)(void *self, uint8_t out_priv[32], uint8_t out_pub[64]);
  /* ECDH of scalar d with the peer's X||Y (checked to be on the curve):
   * the shared X coordinate, big-endian. */
  int (*p256_ecdh)(void *self, const uint8_t priv[32],
                   const uint8_t peer_pub[64], uint8_t out_shared_x[32]);
  /* ECDSA-P256-SHA256 over msg with public X||Y, signature r||s:
   * 0 when it verifies, SGXRA_E_CRYPTO_SIG_INVALID (101) when not. */
  int (*p256_verify)(void *self, const uint8_t pub[64], const uint8_t *msg,
                     size_t n, const uint8_t sig[64]);
} sgxra_enclave_api;

/* The size of a version-1 table (what a v1 enclave may rely on). */
#define SGXRA_ENCLAVE_API_V1_SIZE                                              \
  (offsetof(sgxra_enclave_api, egetkey) + sizeof(void *))

typedef int (*sgxra_enclave_entry_fn)(const sgxra_enclave_api *api, uint32_t op,
                                      const uint8_t *in, size_t in_len,
                                      uint8_t *out, size_t out_cap,
                                      size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
