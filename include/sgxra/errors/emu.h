/* Error codes of the emulated SGX CPU and enclave loader (800..849). */
#define SGXRA_ERRORS_EMU(X)                                                   \
  X(EMU_STATE, 800, "emulated platform state is missing or invalid")
