/*
 * sgxra/sigstruct.h -- SIGSTRUCT (enclave signature structure): decode,
 * encode, sign, verify, MRSIGNER.
 *
 * Layout: Intel SDM Vol. 3D, table 38-19 (SIGSTRUCT, 1808 bytes).  The RSA
 * signature (RSA-3072, e = 3, PKCS#1 v1.5, SHA-256) covers bytes [0,128)
 * (the header) concatenated with [900,1028) (the body); all RSA numbers are
 * stored little-endian.  MRSIGNER = SHA-256 of the 384 modulus bytes as
 * stored.
 *
 * Thread-safety: pure functions on caller-owned memory.
 */
#ifndef SGXRA_SIGSTRUCT_H
#define SGXRA_SIGSTRUCT_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_SIGSTRUCT_SIZE 1808

/* HEADER = 06000000E10000000000010000000000; HEADER2 =
 * 01010000600000006000000001000000 (SDM table 38-19). */
#define SGXRA_SIGSTRUCT_VENDOR_INTEL 0x8086

typedef struct sgxra_sigstruct {
  uint8_t header[16];                            /*    0 */
  uint32_t vendor;                               /*   16: 0 or 0x8086 */
  uint32_t date;                                 /*   20: BCD yyyymmdd */
  uint8_t header2[16];                           /*   24 */
  uint32_t swdefined;                            /*   40 */
  uint8_t reserved1[84];                         /*   44 */
  uint8_t modulus[SGXRA_RSA3072_SIZE];           /*  128 LE */
  uint32_t exponent;                             /*  512 */
  uint8_t signature[SGXRA_RSA3072_SIZE];         /*  516 LE */
  uint32_t miscselect;                           /*  900 */
  uint32_t miscmask;                             /*  904 */
  uint8_t cet_attributes;                        /*  908 */
  uint8_t cet_attributes_mask;                   /*  909 */
  uint8_t reserved2[2];                          /*  910 */
  uint8_t isvfamilyid[SGXRA_ISVFAMILYID_SIZE];   /*  912 */
  sgxra_attributes attributes;                   /*  928 */
  sgxra_attributes attributemask;                /*  944 */
  uint8_t enclavehash[SGXRA_HASH_SIZE];          /*  960 */
  uint8_t reserved3[16];                         /*  992 */
  uint8_t isvextprodid[SGXRA_ISVEXTPRODID_SIZE]; /* 1008 */
  uint16_t isvprodid;                            /* 1024 */
  uint16_t isvsvn;                               /* 1026 */
  uint8_t reserved4[12];                         /* 1028 */
  uint8_t q1[SGXRA_RSA3072_SIZE];                /* 1040 LE */
  uint8_t q2[SGXRA_RSA3072_SIZE];                /* 1424 LE .. 1808 */
} sgxra_sigstruct;

/* Nonzero when p[0..n) starts with the 16-byte SIGSTRUCT HEADER constant
 * (whatever n is): what file detection looks for. */
SGXRA_API int sgxra_sigstruct_has_header(const uint8_t *p, size_t n);

/* Decode 1808 bytes (SGXRA_E_SGX_SIZE otherwise).  Checks nothing else: use
 * sgxra_sigstruct_verify for that.  On error *out is zeroed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sigstruct_decode(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_sigstruct *out);
SGXRA_API void sgxra_sigstruct_encode(const sgxra_sigstruct *in,
                                      uint8_t out[SGXRA_SIGSTRUCT_SIZE]);

/* The checks EINIT makes on the SIGSTRUCT alone, in its order: HEADER and
 * HEADER2 constants (SGXRA_E_SIGSTRUCT_HEADER), VENDOR 0 or 0x8086
 * (SGXRA_E_SIGSTRUCT_FIELD), exponent 3 (SGXRA_E_SIGSTRUCT_EXPONENT), every
 * reserved byte zero, [1028,1040) included (SGXRA_E_SGX_RESERVED), the RSA
 * signature over [0,128)||[900,1028) (SGXRA_E_SIGSTRUCT_SIGNATURE), Q1/Q2
 * (SGXRA_E_SIGSTRUCT_Q1Q2).  Checks against the SECS (ENCLAVEHASH,
 * ATTRIBUTES/MISCSELECT under their masks) are the caller's. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_sigstruct_verify(sgxra_ctx *cx, const sgxra_sigstruct *s);

/* MRSIGNER = SHA-256(modulus as stored). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sigstruct_mrsigner(
    sgxra_ctx *cx, const sgxra_sigstruct *s, uint8_t out[SGXRA_HASH_SIZE]);

/* The fields an ISV chooses when signing. */
typedef struct sgxra_sigstruct_params {
  uint8_t enclavehash[SGXRA_HASH_SIZE];
  uint32_t vendor; /* 0 or 0x8086 */
  uint32_t date;   /* BCD 0xyyyymmdd */
  uint32_t swdefined;
  uint32_t miscselect;
  uint32_t miscmask;
  sgxra_attributes attributes;
  sgxra_attributes attributemask;
  uint16_t isvprodid;
  uint16_t isvsvn;
  uint8_t isvfamilyid[SGXRA_ISVFAMILYID_SIZE];
  uint8_t isvextprodid[SGXRA_ISVEXTPRODID_SIZE];
  /* Signing a SIGSTRUCT whose ATTRIBUTES has DEBUG set, or whose mask does
   * not force DEBUG to 0, is refused (SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN)
   * unless this is nonzero. */
  int allow_debug;
} sgxra_sigstruct_params;

/* Defaults (production): vendor 0, date 0, ATTRIBUTES MODE64BIT / xfrm 0x3,
 * ATTRIBUTEMASK flags 0xffffffffffffffff (DEBUG enforced to 0, as Intel's
 * own production enclaves) / xfrm 0xffffffffffffff1b, MISCSELECT 0,
 * MISCMASK 0xffffffff, ISVPRODID 0, ISVSVN 0, allow_debug 0.  (The SDK's
 * debug-capable mask 0xfffffffffffffffd needs allow_debug.) */
SGXRA_API void sgxra_sigstruct_params_default(sgxra_sigstruct_params *p);

/* Sign: fill the header constants and fields, the modulus, exponent 3, the
 * signature and Q1/Q2; every reserved byte is zero.  Deterministic: the same
 * key and params give the same 1808 bytes.  Refuses VENDOR other than 0 /
 * 0x8086, a DATE that is not BCD, reserved ATTRIBUTES bits
 * (SGXRA_E_SIGSTRUCT_FIELD) and DEBUG without allow_debug
 * (SGXRA_E_SIGSTRUCT_DEBUG_FORBIDDEN).  On error *out is zeroed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_sigstruct_sign(sgxra_ctx *cx, const sgxra_rsa_key *key,
                     const sgxra_sigstruct_params *p, sgxra_sigstruct *out);

/* ---- two-step signing (Intel sgx_sign gendata / catsig) -------------------
 *
 * For keys kept in an HSM: gendata writes the 256 bytes the RSA signature
 * covers, SIGSTRUCT[0,128) || [900,1028) for these params (the modulus is
 * not among them); the HSM signs them (PKCS#1 v1.5, SHA-256); catsig
 * assembles the SIGSTRUCT from the public key and that signature.  The
 * result is byte-identical to sgxra_sigstruct_sign() with the same key and
 * params. */
#define SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE 256

/* The 256 signed bytes; the same field checks as sgxra_sigstruct_sign()
 * (SGXRA_E_SIGSTRUCT_FIELD, _DEBUG_FORBIDDEN). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_sigstruct_signing_data(sgxra_ctx *cx, const sgxra_sigstruct_params *p,
                             uint8_t out[SGXRA_SIGSTRUCT_SIGNED_DATA_SIZE]);

/* Assemble a SIGSTRUCT from an external signature: `sig_be` is the
 * 384-byte big-endian signature as `openssl pkeyutl -sign` or an HSM
 * writes it, `key` the signer's public key (sgxra_rsa_load_public).  The
 * signature is verified over sgxra_sigstruct_signing_data(p) before
 * anything is written (SGXRA_E_SIGSTRUCT_SIGNATURE, saying whether it was
 * made over other data or by another key is unknowable), then Q1/Q2 are
 * computed.  On error *out is zeroed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sigstruct_assemble(
    sgxra_ctx *cx, const sgxra_rsa_key *key, const sgxra_sigstruct_params *p,
    const uint8_t sig_be[SGXRA_RSA3072_SIZE], sgxra_sigstruct *out);

/* Nonzero when mrsigner is a well-known public key (the Intel SDK sample
 * key, the Linux selftest key, ...): such enclaves must never be trusted in
 * production.  *out_name (if not NULL) gets a short description. */
SGXRA_API int
sgxra_mrsigner_is_debug_key(const uint8_t mrsigner[SGXRA_HASH_SIZE],
                            const char **out_name);

#ifdef __cplusplus
}
#endif
#endif
