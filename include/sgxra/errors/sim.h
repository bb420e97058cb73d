/* Error codes of the emulated quoting enclave, PCE and simulated Intel
 * PCS (850..899). */
#define SGXRA_ERRORS_SIM(X)                                                    \
  X(QE_REPORT_MAC, 850, "REPORT MAC does not verify for this quoting enclave") \
  X(CA_STATE, 851, "simulated Intel CA state is missing or invalid")           \
  X(CA_ISSUE, 852, "simulated Intel CA could not issue the artefact")          \
  X(CA_SERIAL, 853, "no certificate with this serial number was issued")       \
  X(PCE_REPORT, 854, "QE report to the PCE does not verify")                   \
  /* 855 retired: QUOTE_ENCODE moved to quote.h as 408 */                      \
  X(QE_STATE, 856, "quoting enclave state is missing or invalid")              \
  X(CA_PCK_NOT_FOUND, 857,                                                     \
    "no PCK certificate was issued for this platform at or below this TCB")
