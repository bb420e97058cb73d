/* Error codes of quote parsing, collateral parsing and verification
 * (400..799).  A parse error is not a verdict: verification outcomes are
 * reported in sgxra_verdict, these codes say why input was unusable. */
#define SGXRA_ERRORS_QUOTE(X)                                                 \
  X(QUOTE_TRUNCATED, 400, "quote truncated")                                  \
  X(QUOTE_VERSION, 401, "unsupported quote version")                          \
  X(QUOTE_KEY_TYPE, 402, "unsupported attestation key type")                 \
  X(QUOTE_TEE_TYPE, 403, "unsupported TEE type")                              \
  X(QUOTE_QE_VENDOR, 404, "quote is not from Intel's quoting enclave")        \
  X(QUOTE_CERT_DATA_TYPE, 405, "unsupported certification data type")         \
  X(QUOTE_FORMAT, 406, "malformed quote")
