/* Error codes of collateral: certificates, CRLs, TCB Info, QE Identity
 * (600..799). */
#define SGXRA_ERRORS_COLLATERAL(X)                                            \
  X(X509_PARSE, 600, "certificate could not be parsed")                       \
  X(CRL_PARSE, 620, "CRL could not be parsed")                                \
  X(TCBINFO_FORMAT, 640, "malformed TCB Info")                                \
  X(QEID_FORMAT, 660, "malformed QE Identity")                                \
  X(COLLATERAL_MISSING, 680, "collateral file missing")
