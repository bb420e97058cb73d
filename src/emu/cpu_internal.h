/*
 * emu/cpu_internal.h -- what the emulated CPU's files (platform.c, keys.c,
 * cpu.c, enclave.c) share.  Not installed; names are sgxra__emu_*.
 */
#ifndef SGXRA_EMU_CPU_INTERNAL_H
#define SGXRA_EMU_CPU_INTERNAL_H

#include "core/internal.h"
#include "sgxra/emu.h"
#include "sgxra/enclave_api.h"

struct sgxra_emu_platform {
  uint8_t root_key[SGXRA_EMU_ROOT_KEY_SIZE]; /* the "fuses": secret */
  /* The two fuse keys derived from root_key once, when it is set
   * (sgxra__emu_fuses), so a key derivation costs one CMAC, not two. */
  uint8_t seal_fuse[SGXRA_EMU_KEY_SIZE];
  uint8_t prov_fuse[SGXRA_EMU_KEY_SIZE];
  uint8_t ownerepoch[SGXRA_EMU_OWNEREPOCH_SIZE];
  uint8_t report_keyid[SGXRA_KEYID_SIZE]; /* CR_REPORT_KEYID, per boot */
  sgxra_emu_platform_config cfg;
  char *dir; /* NULL for an in-memory platform */
};

struct sgxra_emu_enclave {
  sgxra_emu_platform *plat;
  sgxra_emu_secs secs;
  void *dl;                     /* dlopen() handle or NULL */
  int code_fd;                  /* sealed memfd of the measured bytes, or -1 */
  sgxra_enclave_entry_fn entry; /* NULL when there is no code */
  sgxra_ctx *call_cx;           /* context of the running call */
  uint32_t api_version; /* what the .so asked for (1 without the symbol) */
};

/* Fill the api table an enclave's entry point gets (version 1 or 2) bound
 * to `e`; e->call_cx must be set while the enclave runs.  Exposed for the
 * crypto runtime's unit tests. */
void sgxra__emu_enclave_api_init(sgxra_emu_enclave *e, uint32_t version,
                                 sgxra_enclave_api *api);

/* The name of a negative SGXRA_ENCLAVE_E_* code, or NULL. */
const char *sgxra__emu_enclave_rc_name(int rc);

/* Which fuse key a derivation starts from. */
typedef enum sgxra__emu_fuse {
  SGXRA__EMU_FUSE_SEAL = 0,     /* SEAL, REPORT, PROVISION_SEAL keys */
  SGXRA__EMU_FUSE_PROVISION = 1 /* PROVISION key */
} sgxra__emu_fuse;

/* The key-dependency inputs of EGETKEY/EREPORT (SDM 40, EGETKEY
 * TMP_KEYDEPENDENCIES), serialised as docs/EMULATOR.md shows. */
typedef struct sgxra__emu_keydep {
  uint16_t keyname;
  uint16_t isvprodid;
  uint16_t isvsvn;
  uint16_t configsvn;
  uint8_t ownerepoch[SGXRA_EMU_OWNEREPOCH_SIZE];
  sgxra_attributes attributes;
  sgxra_attributes attributemask;
  uint8_t mrenclave[SGXRA_HASH_SIZE];
  uint8_t mrsigner[SGXRA_HASH_SIZE];
  uint8_t keyid[SGXRA_KEYID_SIZE];
  uint8_t cpusvn[SGXRA_CPUSVN_SIZE];
  uint32_t miscselect;
  uint32_t miscmask;
  uint8_t isvfamilyid[16];
  uint8_t isvextprodid[16];
  uint8_t configid[SGXRA_CONFIGID_SIZE];
} sgxra__emu_keydep;

#define SGXRA__EMU_KEYDEP_SIZE 272

void sgxra__emu_keydep_encode(const sgxra__emu_keydep *d,
                              uint8_t out[SGXRA__EMU_KEYDEP_SIZE]);

/* Derive plat->seal_fuse and plat->prov_fuse from plat->root_key; call
 * whenever root_key is set. */
sgxra_err sgxra__emu_fuses(sgxra_ctx *cx, sgxra_emu_platform *plat);

/* key = AES-128-CMAC(fuse key, encoded dependencies). */
sgxra_err sgxra__emu_derive(sgxra_ctx *cx, const sgxra_emu_platform *plat,
                            sgxra__emu_fuse fuse, const sgxra__emu_keydep *d,
                            uint8_t out_key[SGXRA_EMU_KEY_SIZE]);

/* The report key of the enclave described by a TARGETINFO, for KEYID. */
sgxra_err sgxra__emu_report_key(sgxra_ctx *cx, const sgxra_emu_platform *plat,
                                const sgxra_targetinfo *ti,
                                const uint8_t keyid[SGXRA_KEYID_SIZE],
                                uint8_t out_key[SGXRA_EMU_KEY_SIZE]);

/* ECREATE + measurement already done: EINIT's checks and the SECS. */
sgxra_err sgxra__emu_einit(sgxra_ctx *cx, sgxra_emu_platform *plat,
                           const uint8_t mrenclave[SGXRA_HASH_SIZE],
                           uint64_t size, uint32_t ssaframesize,
                           const uint8_t *sigstruct, size_t sigstruct_len,
                           const sgxra_emu_load_options *opt,
                           sgxra_emu_enclave **out_e);

#endif
