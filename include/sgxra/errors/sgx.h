/* Error codes of the SGX structures, measurement and SIGSTRUCT area
 * (200..299). */
#define SGXRA_ERRORS_SGX(X)                                                    \
  X(SGX_SIZE, 200, "SGX structure has the wrong size")                         \
  X(SGX_RESERVED, 201, "reserved field of an SGX structure is not zero")       \
  X(SIGSTRUCT_HEADER, 210, "SIGSTRUCT header constants are wrong")             \
  X(SIGSTRUCT_EXPONENT, 211, "SIGSTRUCT exponent is not 3")                    \
  X(SIGSTRUCT_SIGNATURE, 212, "SIGSTRUCT signature does not verify")           \
  X(SIGSTRUCT_Q1Q2, 213, "SIGSTRUCT Q1/Q2 are inconsistent")                   \
  X(SIGSTRUCT_DEBUG_FORBIDDEN, 214,                                            \
    "DEBUG attribute requested for a production signature")                    \
  X(SIGSTRUCT_FIELD, 215, "SIGSTRUCT field value not allowed")                 \
  X(FILE_UNKNOWN, 250, "file type not recognised")
