/* Error codes of the core area (1..99).  See sgxra/error.h for the rules:
 * numbers are never reused; a new code goes last in its area's block. */
#define SGXRA_ERRORS_CORE(X)                                                   \
  X(INVALID_ARGUMENT, 1, "invalid argument")                                   \
  X(NO_MEMORY, 2, "out of memory")                                             \
  X(IO, 3, "input/output error")                                               \
  X(TOO_LARGE, 4, "input larger than the allowed cap")                         \
  X(HEX, 5, "invalid hex string")                                              \
  X(BASE64, 6, "invalid base64 string")                                        \
  X(TIME_FORMAT, 7, "invalid time (expected RFC 3339 UTC or unix seconds)")    \
  X(JSON, 8, "invalid JSON")                                                   \
  X(UNSUPPORTED, 9, "unsupported input or operation")                          \
  X(INTERNAL, 10, "internal error")                                            \
  X(NOT_REGULAR_FILE, 11,                                                      \
    "not a regular file (a FIFO, device, socket, directory or, to write, a "   \
    "symbolic link)")                                                          \
  X(LIBRARY_MISSING, 12,                                                       \
    "a shared library this operation needs cannot be loaded")
