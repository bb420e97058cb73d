/*
 * crypto/internal.h -- what the crypto sources share: algorithm objects
 * fetched once per process (for OpenSSL's default library context) so each
 * call does not repeat the fetch.
 *
 * Not installed; names are sgxra__*.
 */
#ifndef SGXRA_CRYPTO_INTERNAL_H
#define SGXRA_CRYPTO_INTERNAL_H

#include <openssl/evp.h>

#include "core/internal.h"
#include "sgxra/crypto.h"

/* SHA-256 for cx's library context, with a reference the caller releases
 * with EVP_MD_free().  NULL (and a message in cx) on failure.  For the
 * default library context the object is fetched once and up-ref'd. */
EVP_MD *sgxra__sha256_md(sgxra_ctx *cx);

/* Decode a key with OpenSSL's decoders.  input ("PEM", "DER") and
 * structure ("SubjectPublicKeyInfo", ...) may be NULL for any; selection is
 * EVP_PKEY_KEYPAIR or EVP_PKEY_PUBLIC_KEY.  DER input must be consumed
 * exactly.  SGXRA_E_CRYPTO_KEY_INVALID with `what` in the message. */
sgxra_err sgxra__pkey_decode(sgxra_ctx *cx, const uint8_t *p, size_t n,
                             const char *input, const char *structure,
                             int selection, const char *what,
                             EVP_PKEY **out_pkey);

/* The OpenSSL key inside a P-256 key (borrowed: valid while `key` is; not
 * to be modified).  For callers that hand it to OpenSSL (X509_verify,
 * X509_CRL_verify) when the key was built from a raw point. */
EVP_PKEY *sgxra__p256_evp(const sgxra_p256_key *key);

/* A new key sharing key's OpenSSL key (up-referenced): for a cache of keys
 * that are only used to verify.  NULL when out of memory. */
sgxra_p256_key *sgxra__p256_share(const sgxra_p256_key *key);

/* Unencrypted PKCS#8 PEM of pkey's private key, malloc'ed and
 * NUL-terminated (free with free()). */
sgxra_err sgxra__pkey_private_pem(sgxra_ctx *cx, EVP_PKEY *pkey,
                                  char **out_pem);

#endif
