/*
 * sgxra/crypto.h -- the cryptography sgxra needs, as thin wrappers over
 * OpenSSL 3 EVP.  No primitive is implemented here.
 *
 *   SHA-256 (one-shot and streaming)      SGX measurement, report data
 *   AES-128-CMAC                          EREPORT MAC, EGETKEY derivation
 *   AES-128-GCM                           RA secure channel, sealing
 *   ECDSA / ECDH P-256                    quotes, PCK, RA key exchange
 *   RSA-3072, e = 3, PKCS#1 v1.5 SHA-256  SIGSTRUCT (little-endian numbers)
 *
 * Conventions: bytes travel as (pointer, length); a pointer may be NULL only
 * when its length is 0.  P-256 public keys travel raw as X||Y (64 bytes, each
 * coordinate big-endian) and signatures as r||s (64 bytes, big-endian), the
 * encodings of SGX quotes.  RSA numbers for SGX are little-endian, 384 bytes.
 * Secrets held in sgxra buffers are wiped with sgxra_wipe() before release.
 *
 * Thread-safety: key objects are immutable once made and may be shared by
 * threads; streaming hash objects may be used by one thread at a time.
 */
#ifndef SGXRA_CRYPTO_H
#define SGXRA_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_SHA256_SIZE 32
#define SGXRA_AES128_KEY_SIZE 16
#define SGXRA_CMAC_SIZE 16
#define SGXRA_GCM_TAG_SIZE 16
#define SGXRA_P256_PUBLIC_SIZE 64
#define SGXRA_P256_PRIVATE_SIZE 32
#define SGXRA_P256_SIG_SIZE 64
#define SGXRA_P256_SHARED_SIZE 32
#define SGXRA_RSA3072_SIZE 384

/* ---- misc ---------------------------------------------------------------- */

/* 1 when a[0..n) == b[0..n), 0 otherwise, in time independent of the data. */
SGXRA_API int sgxra_ct_equal(const void *a, const void *b, size_t n);

/* Overwrite n bytes so the compiler cannot elide it (OPENSSL_cleanse). */
SGXRA_API void sgxra_wipe(void *p, size_t n);

/* n bytes from OpenSSL's CSPRNG. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_random(sgxra_ctx *cx, void *out,
                                                  size_t n);

/* ---- SHA-256 ---------------------------------------------------------------
 */

SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sha256(
    sgxra_ctx *cx, const void *p, size_t n, uint8_t out[SGXRA_SHA256_SIZE]);

/* Streaming SHA-256.  init, any number of updates, final; then either init
 * again or cleanup.  cleanup is safe on a zeroed or finished object. */
typedef struct sgxra_sha256_stream {
  void *impl; /* EVP_MD_CTX */
} sgxra_sha256_stream;

SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sha256_init(sgxra_ctx *cx,
                                                       sgxra_sha256_stream *s);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sha256_update(sgxra_ctx *cx,
                                                         sgxra_sha256_stream *s,
                                                         const void *p,
                                                         size_t n);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_sha256_final(
    sgxra_ctx *cx, sgxra_sha256_stream *s, uint8_t out[SGXRA_SHA256_SIZE]);
SGXRA_API void sgxra_sha256_cleanup(sgxra_sha256_stream *s);

/* ---- AES-128-CMAC (RFC 4493) and AES-128-GCM
 * --------------------------------- */

SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_aes128_cmac(sgxra_ctx *cx, const uint8_t key[SGXRA_AES128_KEY_SIZE],
                  const void *msg, size_t n, uint8_t out[SGXRA_CMAC_SIZE]);

/* ct may equal pt.  iv_len 12 is the normal case. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_aes128_gcm_encrypt(
    sgxra_ctx *cx, const uint8_t key[SGXRA_AES128_KEY_SIZE], const uint8_t *iv,
    size_t iv_len, const uint8_t *aad, size_t aad_len, const uint8_t *pt,
    size_t n, uint8_t *out_ct, uint8_t out_tag[SGXRA_GCM_TAG_SIZE]);

/* SGXRA_E_CRYPTO_TAG_MISMATCH when the tag is wrong; out_pt is then wiped. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_aes128_gcm_decrypt(
    sgxra_ctx *cx, const uint8_t key[SGXRA_AES128_KEY_SIZE], const uint8_t *iv,
    size_t iv_len, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
    size_t n, const uint8_t tag[SGXRA_GCM_TAG_SIZE], uint8_t *out_pt);

/* ---- P-256 ------------------------------------------------------------------
 */

typedef struct sgxra_p256_key sgxra_p256_key; /* wraps an EVP_PKEY */

SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_generate(sgxra_ctx *cx, sgxra_p256_key **out_key);
/* Private key from its 32-byte big-endian scalar (1 <= d < n). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_from_private(sgxra_ctx *cx, const uint8_t d[SGXRA_P256_PRIVATE_SIZE],
                        sgxra_p256_key **out_key);
/* Public key from raw X||Y; the point is checked to be on the curve. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_from_public(sgxra_ctx *cx, const uint8_t xy[SGXRA_P256_PUBLIC_SIZE],
                       sgxra_p256_key **out_key);
/* Public key from DER SubjectPublicKeyInfo (must be id-ecPublicKey P-256). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_p256_from_spki(
    sgxra_ctx *cx, const uint8_t *der, size_t n, sgxra_p256_key **out_key);
/* Private key from PEM or DER (SEC1 or PKCS#8). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_p256_load_private(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_p256_key **out_key);
/* Unencrypted PKCS#8 PEM of a private key: secret, so sgxra_wipe(pem,
 * strlen(pem)) before free(). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_p256_private_pem(
    sgxra_ctx *cx, const sgxra_p256_key *key, char **out_pem);
/* Wrap an existing EVP_PKEY (up-ref'd, so the caller keeps its own). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_from_evp(sgxra_ctx *cx, void *evp_pkey, sgxra_p256_key **out_key);
/* The EVP_PKEY inside (borrowed; for X.509 code). */
SGXRA_API void *sgxra_p256_evp(const sgxra_p256_key *key);

SGXRA_API void sgxra_p256_public_raw(const sgxra_p256_key *key,
                                     uint8_t out[SGXRA_P256_PUBLIC_SIZE]);
/* SGXRA_E_CRYPTO_KEY_INVALID if the key has no private part. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_private_raw(sgxra_ctx *cx, const sgxra_p256_key *key,
                       uint8_t out[SGXRA_P256_PRIVATE_SIZE]);
SGXRA_API void sgxra_p256_free(sgxra_p256_key *key);

/* ECDSA with SHA-256 over msg; signature raw r||s. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_sign(sgxra_ctx *cx, const sgxra_p256_key *key, const void *msg,
                size_t n, uint8_t out_sig[SGXRA_P256_SIG_SIZE]);
/* SGXRA_OK or SGXRA_E_CRYPTO_SIG_INVALID. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_verify(sgxra_ctx *cx, const sgxra_p256_key *key, const void *msg,
                  size_t n, const uint8_t sig[SGXRA_P256_SIG_SIZE]);
/* The same with DER (ECDSA-Sig-Value) signatures; sign's output is
 * malloc'ed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_sign_der(sgxra_ctx *cx, const sgxra_p256_key *key, const void *msg,
                    size_t n, uint8_t **out_der, size_t *out_len);
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_verify_der(sgxra_ctx *cx, const sgxra_p256_key *key, const void *msg,
                      size_t n, const uint8_t *der, size_t der_len);
/* Conversions between r||s and DER. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_sig_to_der(sgxra_ctx *cx, const uint8_t sig[SGXRA_P256_SIG_SIZE],
                      uint8_t **out_der, size_t *out_len);
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_p256_sig_from_der(sgxra_ctx *cx, const uint8_t *der, size_t n,
                        uint8_t out_sig[SGXRA_P256_SIG_SIZE]);

/* ECDH: the shared X coordinate, big-endian (as SGX RA's Gab_x, before any
 * byte-order reversal the protocol applies). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_p256_ecdh(
    sgxra_ctx *cx, const sgxra_p256_key *priv, const sgxra_p256_key *peer,
    uint8_t out_shared[SGXRA_P256_SHARED_SIZE]);

/* ---- RSA-3072, e = 3 (SIGSTRUCT) -------------------------------------------
 */

typedef struct sgxra_rsa_key sgxra_rsa_key; /* wraps an EVP_PKEY */

/* Private key from PEM or DER, PKCS#1 or PKCS#8.  Refuses, saying so, any
 * key that is not RSA (SGXRA_E_CRYPTO_KEY_UNSUPPORTED), not 3072 bits
 * (same), or whose public exponent is not 3 (SGXRA_E_CRYPTO_RSA_EXPONENT). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_rsa_load_private(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_rsa_key **out_key);
/* Public key (for two-step signing): PEM or DER, SubjectPublicKeyInfo
 * ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC KEY"); a private key file is
 * accepted too and only its public half kept.  The same refusals as
 * sgxra_rsa_load_private.  Such a key cannot sign (SGXRA_E_CRYPTO_KEY_
 * UNSUPPORTED from the sign functions). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_rsa_load_public(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_rsa_key **out_key);
/* A fresh RSA-3072 key with e = 3. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_rsa_generate(sgxra_ctx *cx, sgxra_rsa_key **out_key);
/* Unencrypted PKCS#8 PEM: secret, so sgxra_wipe(pem, strlen(pem)) before
 * free(). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_rsa_private_pem(sgxra_ctx *cx, const sgxra_rsa_key *key, char **out_pem);
/* The modulus, little-endian, 384 bytes (as SIGSTRUCT.MODULUS). */
SGXRA_API void sgxra_rsa_modulus_le(const sgxra_rsa_key *key,
                                    uint8_t out[SGXRA_RSA3072_SIZE]);
SGXRA_API void sgxra_rsa_free(sgxra_rsa_key *key);

/* PKCS#1 v1.5 signature with SHA-256 over msg, little-endian output. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_rsa_sign_le(sgxra_ctx *cx, const sgxra_rsa_key *key, const void *msg,
                  size_t n, uint8_t out_sig[SGXRA_RSA3072_SIZE]);
/* The same over an already computed SHA-256 digest. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_rsa_sign_digest_le(sgxra_ctx *cx, const sgxra_rsa_key *key,
                         const uint8_t digest[SGXRA_SHA256_SIZE],
                         uint8_t out_sig[SGXRA_RSA3072_SIZE]);
/* Verify a PKCS#1 v1.5 SHA-256 signature given the little-endian modulus
 * and exponent (SIGSTRUCT fields).  SGXRA_E_CRYPTO_SIG_INVALID when wrong,
 * including when the modulus is even or its most significant (last) byte
 * is zero, or the exponent is even or < 3 (the message says which).  The caller
 * checks exponent == 3 itself if it requires it. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_rsa_verify_le(sgxra_ctx *cx, const uint8_t modulus_le[SGXRA_RSA3072_SIZE],
                    uint32_t exponent, const void *msg, size_t n,
                    const uint8_t sig_le[SGXRA_RSA3072_SIZE]);
/* Q1 = floor(s^2 / n), Q2 = floor((s^3 - Q1*s*n) / n), all little-endian,
 * 384 bytes: the helper values SIGSTRUCT carries for EINIT. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_rsa_q1q2_le(
    sgxra_ctx *cx, const uint8_t sig_le[SGXRA_RSA3072_SIZE],
    const uint8_t modulus_le[SGXRA_RSA3072_SIZE],
    uint8_t out_q1[SGXRA_RSA3072_SIZE], uint8_t out_q2[SGXRA_RSA3072_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
