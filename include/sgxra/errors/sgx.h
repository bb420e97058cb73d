/* Error codes of the SGX structures, measurement and SIGSTRUCT area
 * (200..399). */
#define SGXRA_ERRORS_SGX(X)                                                   \
  X(SGX_SIZE, 200, "SGX structure has the wrong size")                        \
  X(SGX_RESERVED, 201, "reserved field of an SGX structure is not zero")      \
  X(SIGSTRUCT_HEADER, 210, "SIGSTRUCT header constants are wrong")            \
  X(SIGSTRUCT_EXPONENT, 211, "SIGSTRUCT exponent is not 3")                   \
  X(SIGSTRUCT_SIGNATURE, 212, "SIGSTRUCT signature does not verify")          \
  X(SIGSTRUCT_Q1Q2, 213, "SIGSTRUCT Q1/Q2 are inconsistent")                  \
  X(SIGSTRUCT_DEBUG_FORBIDDEN, 214,                                           \
    "DEBUG attribute requested for a production signature")                   \
  X(MEASURE_ORDER, 220, "enclave measurement operation out of order")         \
  X(MEASURE_ALIGNMENT, 221, "enclave page or chunk is misaligned")            \
  X(MEASURE_RANGE, 222, "enclave page outside the enclave's SIZE")            \
  X(MEASURE_DUPLICATE, 223, "enclave page added twice")                       \
  X(MEASURE_NOT_ADDED, 224, "EEXTEND of a page that was never added")         \
  X(MEASURE_SECINFO, 225, "invalid SECINFO flags")                            \
  X(MEASURE_SIZE, 226, "invalid enclave SIZE")                                \
  X(SGXS_FORMAT, 230, "malformed SGXS stream")                                \
  X(ELF_FORMAT, 240, "malformed ELF file")                                    \
  X(ELF_NO_SGXMETA, 241, "ELF file has no .note.sgxmeta section")             \
  X(SGXMETA_FORMAT, 242, "malformed SGX enclave metadata")                    \
  X(FILE_UNKNOWN, 250, "file type not recognised")
