/* Error codes of the crypto area (100..199). */
#define SGXRA_ERRORS_CRYPTO(X)                                                 \
  X(CRYPTO, 100, "cryptographic library failure")                              \
  X(CRYPTO_SIG_INVALID, 101, "signature does not verify")                      \
  X(CRYPTO_TAG_MISMATCH, 102, "authentication tag mismatch")                   \
  X(CRYPTO_KEY_INVALID, 103, "invalid or unusable key")                        \
  X(CRYPTO_KEY_UNSUPPORTED, 104, "key type or size not supported here")        \
  X(CRYPTO_RSA_EXPONENT, 105, "RSA public exponent must be 3 for SGX")         \
  X(CRYPTO_SIG_FORMAT, 106, "malformed signature encoding")
