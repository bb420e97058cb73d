/* Error codes of quote parsing, the PCK SGX extension and quote
 * verification (400..599).  A parse error is not a verdict: verification
 * outcomes are reported in sgxra_verdict (sgxra/verify.h), whose `err`
 * field carries one of the VERIFY_* codes below naming the failed check;
 * the others say why input was unusable.  Numbers are never reused; a new
 * code goes last in its block. */
#define SGXRA_ERRORS_QUOTE(X)                                                  \
  X(QUOTE_TRUNCATED, 400, "quote truncated")                                   \
  X(QUOTE_VERSION, 401, "unsupported quote version")                           \
  X(QUOTE_KEY_TYPE, 402, "unsupported attestation key type")                   \
  X(QUOTE_TEE_TYPE, 403, "unsupported TEE type")                               \
  X(QUOTE_QE_VENDOR, 404, "quote is not from Intel's quoting enclave")         \
  X(QUOTE_CERT_DATA_TYPE, 405, "unsupported certification data type")          \
  X(QUOTE_FORMAT, 406, "malformed quote")                                      \
  X(QUOTE_BODY_TYPE, 407, "unsupported quote v5 body type")                    \
  X(QUOTE_ENCODE, 408, "quote could not be encoded")                           \
  X(PCKEXT_MISSING, 420, "PCK certificate has no SGX extension")               \
  X(PCKEXT_FORMAT, 421, "malformed PCK certificate SGX extension")             \
  X(PCKEXT_COUNT, 422, "PCK SGX extension has the wrong number of entries")    \
  X(VERIFY_TRUST_ROOT, 450, "quote's root CA is not the trusted root")         \
  X(VERIFY_PCK_CHAIN, 451, "PCK certificate chain does not verify")            \
  X(VERIFY_PCK_REVOKED, 452, "PCK certificate or its CA is revoked")           \
  X(VERIFY_PCK_CERT, 453, "PCK certificate is unusable")                       \
  X(VERIFY_TCB_INFO_MISMATCH, 454, "TCB Info is not for this platform")        \
  X(VERIFY_QE_REPORT_SIGNATURE, 455, "QE report signature is invalid")         \
  X(VERIFY_QE_REPORT_DATA, 456,                                                \
    "QE report data does not bind the attestation key")                        \
  X(VERIFY_QE_IDENTITY_MISMATCH, 457,                                          \
    "QE report does not match the QE Identity")                                \
  X(VERIFY_ATTEST_KEY, 458, "attestation key is not a valid P-256 point")      \
  X(VERIFY_QUOTE_SIGNATURE, 459, "quote signature is invalid")                 \
  X(VERIFY_TCB_NOT_SUPPORTED, 460,                                             \
    "no TCB level of the TCB Info matches the platform")                       \
  X(VERIFY_TCB_REVOKED, 461, "platform TCB is revoked")                        \
  X(VERIFIER_BUSY, 462,                                                        \
    "verifier used by two threads at once: it is not thread-safe; make one "   \
    "per thread (see sgxra/verify.h)")
