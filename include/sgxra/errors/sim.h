/* Error codes of the emulated quoting enclave, PCE and simulated Intel
 * PCS (850..899). */
#define SGXRA_ERRORS_SIM(X)                                                   \
  X(QE_REPORT_MAC, 850, "REPORT MAC does not verify for this quoting enclave")
