/* Error codes of MRENCLAVE measurement and enclave files (300..399).
 * ELF_FORMAT: a malformed ELF, or not an ELF64 little-endian x86-64 shared
 * object, whichever verb reads it (sgx/elf.c).  ELF_LAYOUT: a well-formed
 * one that sgxra's enclave layout cannot map (sgxra/layout.h).
 * SGXMETA_*: the `.note.sgxmeta` of an SDK enclave (sgxra/sdkenclave.h). */
#define SGXRA_ERRORS_MEASURE(X)                                                \
  X(MEASURE_ORDER, 300, "enclave measurement operation out of order")          \
  X(MEASURE_ALIGNMENT, 301, "enclave page or chunk is misaligned")             \
  X(MEASURE_RANGE, 302, "enclave page outside the enclave's SIZE")             \
  X(MEASURE_DUPLICATE, 303, "enclave page added twice")                        \
  X(MEASURE_NOT_ADDED, 304, "EEXTEND of a page that was never added")          \
  X(MEASURE_SECINFO, 305, "invalid SECINFO flags")                             \
  X(MEASURE_SIZE, 306, "invalid enclave SIZE")                                 \
  X(MEASURE_SSAFRAMESIZE, 307, "invalid SSAFRAMESIZE")                         \
  X(SGXS_FORMAT, 310, "malformed SGXS stream")                                 \
  X(RAW_IMAGE_FORMAT, 311, "raw enclave image is not a whole number of pages") \
  X(ELF_FORMAT, 320, "malformed ELF file")                                     \
  X(ELF_NO_SGXMETA, 321, "ELF file has no .note.sgxmeta section")              \
  X(SGXMETA_FORMAT, 322, "malformed SGX enclave metadata")                     \
  X(ELF_LAYOUT, 323, "ELF file cannot be laid out as an enclave")              \
  X(SGXMETA_UNSUPPORTED, 324,                                                  \
    "SGX enclave metadata uses a feature sgxra does not reproduce")
