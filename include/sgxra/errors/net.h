/* Error codes of the HTTP layer, storage, policy and RA protocol
 * (900..1199). */
#define SGXRA_ERRORS_NET(X)                                                   \
  X(NET, 900, "network or HTTP failure")
