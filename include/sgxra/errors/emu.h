/* Error codes of the emulated SGX CPU and enclave loader (800..849). */
#define SGXRA_ERRORS_EMU(X)                                                    \
  X(EMU_STATE, 800, "emulated platform state is missing or invalid")           \
  X(EMU_STATE_EXISTS, 801, "emulated platform state already exists")           \
  /* 802 retired (EMU_ELF): the ELF reader and the enclave layout moved to     \
   * src/sgx; SGXRA_E_ELF_FORMAT / SGXRA_E_ELF_LAYOUT say it now */            \
  X(EMU_MRENCLAVE_MISMATCH, 810,                                               \
    "EINIT: enclave measurement differs from SIGSTRUCT.ENCLAVEHASH")           \
  X(EMU_SIGSTRUCT_INVALID, 811, "EINIT: SIGSTRUCT does not verify")            \
  X(EMU_ATTRIBUTES_MISMATCH, 812,                                              \
    "EINIT: ATTRIBUTES do not match SIGSTRUCT under its mask")                 \
  X(EMU_MISCSELECT_MISMATCH, 813,                                              \
    "EINIT: MISCSELECT does not match SIGSTRUCT under its mask")               \
  X(EMU_ATTRIBUTES_INVALID, 814,                                               \
    "ECREATE: requested ATTRIBUTES are reserved or unsupported")               \
  X(EMU_KEYNAME, 820, "EGETKEY: key name not supported")                       \
  X(EMU_KEYPOLICY, 821, "EGETKEY: key policy bits not supported")              \
  X(EMU_ISVSVN, 822, "EGETKEY: ISVSVN above the enclave's current ISVSVN")     \
  X(EMU_CPUSVN, 823, "EGETKEY: CPUSVN above the platform's current CPUSVN")    \
  X(EMU_PROVISIONKEY, 824,                                                     \
    "EGETKEY: provisioning key needs the PROVISIONKEY attribute")              \
  X(EMU_RESERVED, 825, "reserved field of a request is not zero")              \
  X(EMU_REPORT_MAC, 826,                                                       \
    "REPORT MAC does not verify with this enclave's report key")               \
  X(EMU_DLOPEN, 830, "enclave shared object cannot be run")                    \
  X(EMU_ECALL, 831, "enclave entry point returned an error")                   \
  X(EMU_STATE_UNSAFE, 832,                                                     \
    "state directory or secret file is writable by others or not yours")       \
  X(EMU_STATE_INCOMPLETE, 833,                                                 \
    "state directory was left incomplete by an interrupted command")
