/* Error codes of the HTTP layer, storage, policy and RA protocol
 * (900..1199). */
#define SGXRA_ERRORS_NET(X)                                                    \
  X(NET, 900, "network or HTTP failure")                                       \
  X(NET_ADDRESS, 901, "invalid listen address (expected HOST:PORT)")           \
  X(NET_LISTEN, 902, "could not start the HTTP server")
