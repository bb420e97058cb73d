/* Error codes of the appraisal, src/policy (1050..1099): policy documents,
 * appraisal inputs, registry views.  A refused enclave is not an error (it
 * is a decision with reasons, sgxra/policy.h); these codes mean the
 * appraisal could not be made.  Numbers are never reused; a new code goes
 * last. */
#define SGXRA_ERRORS_POLICY(X)                                                 \
  X(POLICY_FORMAT, 1050,                                                       \
    "policy is not a JSON object with \"sgxra_policy\": 1")                    \
  X(POLICY_VERSION, 1051, "unsupported policy format version")                 \
  X(POLICY_UNKNOWN_KEY, 1052, "unknown policy key")                            \
  X(POLICY_TYPE, 1053, "policy value has the wrong JSON type")                 \
  X(POLICY_VALUE, 1054, "policy value out of range or not recognised")         \
  X(POLICY_HEX, 1055, "reference value of the wrong size")                     \
  X(POLICY_INPUT, 1056, "appraisal input missing or inconsistent")             \
  X(POLICY_NO_REGISTRY, 1057, "no registry to appraise against")
