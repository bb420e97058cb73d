/* Error codes of the HTTP layer, storage, policy and RA protocol
 * (900..1199).  Numbers are never reused; a new code goes last in the
 * block.  903.. are the PCS/PCCS collateral client's (sgxra/pccs.h), 916..
 * the attestation service's (sgxra/verifier.h). */
#define SGXRA_ERRORS_NET(X)                                                    \
  X(NET, 900, "network or HTTP failure")                                       \
  X(NET_ADDRESS, 901, "invalid listen address (expected HOST:PORT)")           \
  X(NET_LISTEN, 902, "could not start the HTTP server")                        \
  X(NET_TIMEOUT, 903, "HTTP request timed out")                                \
  X(NET_CONNECT, 904, "cannot connect to the server")                          \
  X(NET_TLS, 905, "TLS handshake or certificate verification failed")          \
  X(NET_HTTP, 906, "server answered with an HTTP error status")                \
  X(NET_RATE_LIMITED, 907, "server rate limit (HTTP 429)")                     \
  X(NET_TRUNCATED, 908, "response cut short (transfer error)")                 \
  X(NET_CLOSED, 909, "connection closed before any response")                  \
  X(NET_BAD_RESPONSE, 910, "response unusable (missing header, bad body)")     \
  X(NET_TOO_LARGE, 911, "response larger than the cap")                        \
  X(PCCS_CONFIG, 912, "invalid PCCS/QCNL configuration")                       \
  X(COLLATERAL_UNVERIFIED, 913, "fetched collateral does not validate")        \
  X(CACHE_ONLY_MISS, 914, "collateral not cached and fetching is disabled")    \
  X(COLLATERAL_STALE, 915,                                                     \
    "cached collateral expired and no fresh copy could be fetched")            \
  X(VERIFIER_STATE, 916,                                                       \
    "verifier state directory or key file unsafe or unusable")
