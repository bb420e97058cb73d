/* Error codes of the remote-attestation protocol, src/ra (1100..1149):
 * messages that do not parse, fail their MAC or signature, arrive out of
 * order or too late, or are replayed.  Each ends the session it belongs to;
 * an enclave refused by the appraisal is not an error (msg4 carries the
 * decision).  Numbers are never reused; a new code goes last. */
#define SGXRA_ERRORS_RA(X)                                                     \
  X(RA_MESSAGE, 1100, "RA protocol message malformed")
