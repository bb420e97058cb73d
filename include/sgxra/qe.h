/*
 * sgxra/qe.h -- the emulated quoting enclave (QE) and provisioning
 * certification enclave (PCE) of Intel SGX DCAP.
 *
 * Thread-safety: a QE object may be used by one thread at a time.
 */
#ifndef SGXRA_QE_H
#define SGXRA_QE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The QE's identity, as in Intel's QE3 (ISVPRODID 1). */
#define SGXRA_QE_ISVPRODID 1
#define SGXRA_QE_ISVSVN 8
/* The PCE's ISVPRODID; its ISVSVN is the platform's PCESVN. */
#define SGXRA_PCE_ISVPRODID 2

#ifdef __cplusplus
}
#endif
#endif
