/*
 * sgxra/enclave_api.h -- the interface between the emulated CPU and an
 * enclave shared object (the only sgxra header an enclave includes; it
 * needs nothing but <stddef.h> and <stdint.h>, so an enclave does not link
 * libsgxra).
 *
 * An enclave .so exports one C function, SGXRA_ENCLAVE_ENTRY_SYMBOL:
 *
 *   int sgxra_enclave_entry(const sgxra_enclave_api *api, uint32_t op,
 *                           const uint8_t *in, size_t in_len,
 *                           uint8_t *out, size_t out_cap, size_t *out_len);
 *
 * The emulator calls it with `api` bound to that enclave: api->ereport and
 * api->egetkey run EREPORT/EGETKEY with *this* enclave's SECS identity, and
 * nothing in the api lets the enclave choose another identity.  It returns
 * 0 on success or a nonzero code (an sgxra_err value when it has one).
 *
 * Emulation gives identity, not isolation: the enclave runs in the host
 * process (see docs/EMULATOR.md).
 *
 * Structures cross as raw bytes in Intel's layouts (TARGETINFO 512,
 * REPORTDATA 64, REPORT 432, KEYREQUEST 512 bytes; see sgxra/sgx.h).
 */
#ifndef SGXRA_ENCLAVE_API_H
#define SGXRA_ENCLAVE_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_ENCLAVE_API_VERSION 1
#define SGXRA_ENCLAVE_ENTRY_SYMBOL "sgxra_enclave_entry"

/* Operations every sgxra enclave understands. */
/* in: TARGETINFO (512) || REPORTDATA (64); out: REPORT (432) made by
 * api->ereport for that target. */
#define SGXRA_ENCLAVE_OP_REPORT 1u
/* Enclave-specific operations start here. */
#define SGXRA_ENCLAVE_OP_USER 0x100u

typedef struct sgxra_enclave_api {
  uint32_t version; /* SGXRA_ENCLAVE_API_VERSION */
  uint32_t size;    /* sizeof(sgxra_enclave_api) */
  void *self;       /* opaque; pass back as the first argument */
  /* EREPORT: 0 or an sgxra_err value. */
  int (*ereport)(void *self, const uint8_t targetinfo[512],
                 const uint8_t reportdata[64], uint8_t out_report[432]);
  /* EGETKEY: 0 or an sgxra_err value; out_key zeroed on error. */
  int (*egetkey)(void *self, const uint8_t keyrequest[512],
                 uint8_t out_key[16]);
} sgxra_enclave_api;

typedef int (*sgxra_enclave_entry_fn)(const sgxra_enclave_api *api, uint32_t op,
                                      const uint8_t *in, size_t in_len,
                                      uint8_t *out, size_t out_cap,
                                      size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
