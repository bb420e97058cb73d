/* Error codes of collateral: certificates, CRLs, TCB Info, QE Identity
 * (600..799).  X.509 600..619, CRL 620..639, TCB Info 640..659, QE Identity
 * 660..679, the collateral set 680..699. */
#define SGXRA_ERRORS_COLLATERAL(X)                                             \
  X(X509_PARSE, 600, "certificate could not be parsed")                        \
  X(X509_PEM, 601, "no PEM certificate found")                                 \
  X(X509_KEY, 602, "certificate key is not ECDSA P-256")                       \
  X(X509_EXT_MISSING, 603, "certificate extension not present")                \
  X(X509_CHAIN_LINK, 604, "certificate issuer does not match next subject")    \
  X(X509_SIGNATURE, 605, "certificate signature does not verify")              \
  X(X509_NOT_CA, 606, "issuing certificate is not a CA")                       \
  X(X509_UNTRUSTED_ROOT, 607, "chain does not end at the trusted root")        \
  X(X509_REVOKED, 608, "certificate is revoked")                               \
  X(X509_CHAIN_LENGTH, 609, "certificate chain has the wrong length")          \
  X(CRL_PARSE, 620, "CRL could not be parsed")                                 \
  X(CRL_ISSUER, 621, "CRL issuer does not match the CA")                       \
  X(CRL_SIGNATURE, 622, "CRL signature does not verify")                       \
  X(CRL_FORMAT, 623, "CRL lacks a required field")                             \
  X(CRL_EXTENSIONS, 624, "CRL lacks a required extension")                     \
  X(TCBINFO_FORMAT, 640, "malformed TCB Info")                                 \
  X(TCBINFO_DATE, 641, "TCB Info date is not RFC 3339 UTC")                    \
  X(TCBINFO_HEX, 642, "TCB Info hex field is malformed")                       \
  X(TCBINFO_STATUS, 643, "unknown TCB status in TCB Info")                     \
  X(TCBINFO_VERSION, 644, "unsupported TCB Info version")                      \
  X(TCBINFO_ID, 645, "unsupported TCB Info id (not SGX)")                      \
  X(TCBINFO_SIGNATURE, 646, "TCB Info signature does not verify")              \
  X(TCBINFO_FIELD, 647, "TCB Info field missing or of the wrong type")         \
  X(QEID_FORMAT, 660, "malformed QE Identity")                                 \
  X(QEID_DATE, 661, "QE Identity date is not RFC 3339 UTC")                    \
  X(QEID_HEX, 662, "QE Identity hex field is malformed")                       \
  X(QEID_STATUS, 663, "unknown TCB status in QE Identity")                     \
  X(QEID_VERSION, 664, "unsupported QE Identity version")                      \
  X(QEID_ID, 665, "unsupported enclave identity id")                           \
  X(QEID_SIGNATURE, 666, "QE Identity signature does not verify")              \
  X(QEID_FIELD, 667, "QE Identity field missing or of the wrong type")         \
  X(COLLATERAL_MISSING, 680, "collateral file missing")                        \
  X(COLLATERAL_ROOT_MISMATCH, 681, "collateral root differs from trust root")  \
  X(COLLATERAL_SIGNER_REVOKED, 682, "collateral signing certificate revoked")  \
  X(COLLATERAL_NOT_VALIDATED, 683, "collateral used before validation")        \
  X(COLLATERAL_PCK_CA, 684, "unexpected PCK CA in collateral")                 \
  X(COLLATERAL_TCB_SIGNER, 685, "unexpected TCB signing certificate")
