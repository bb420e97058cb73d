/* Error codes of the emulated SGX platform, QE and simulated PCS
 * (800..899). */
#define SGXRA_ERRORS_EMU(X)                                                   \
  X(EMU_STATE, 800, "emulated platform state is missing or invalid")
