/* Error codes of the remote-attestation protocol, src/ra (1100..1149):
 * messages that do not parse, fail their MAC or signature, arrive out of
 * order or too late, or are replayed.  Each ends the session it belongs to;
 * an enclave refused by the appraisal is not an error (msg4 carries the
 * decision).  Numbers are never reused; a new code goes last. */
#define SGXRA_ERRORS_RA(X)                                                     \
  X(RA_MESSAGE, 1100, "RA protocol message malformed")                         \
  X(RA_GROUP, 1101,                                                            \
    "RA extended group id, GID, KDF, quote type or SigRL refused")             \
  X(RA_SIGNATURE, 1102, "RA service provider's signature over Gb||Ga invalid") \
  X(RA_MAC, 1103, "RA message MAC invalid")                                    \
  X(RA_GA_MISMATCH, 1104, "RA msg3's Ga is not msg1's")                        \
  X(RA_BINDING, 1105, "quote's REPORTDATA is not bound to this RA session")    \
  X(RA_STATE, 1106, "RA message out of order")                                 \
  X(RA_EXPIRED, 1107, "RA session expired")                                    \
  X(RA_REPLAY, 1108, "RA msg3 replayed")                                       \
  X(RA_SESSION, 1109, "unknown RA session, or its sealed state does not open") \
  X(RA_ENCLAVE, 1110, "the enclave's RA operation failed")
