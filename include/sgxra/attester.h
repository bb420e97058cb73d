/*
 * sgxra/attester.h -- the client side of remote attestation on the emulated
 * platform: a real emulated enclave (an .so speaking the RA operations of
 * sgxra/enclave_api.h, e.g. enclaves/example_enclave.c) and the platform's
 * quoting enclave behind the callbacks of the RA client state machine
 * (sgxra_ra_client_ops, sgxra/ra.h).  Transport-agnostic: the caller moves
 * msg0..msg4 (over HTTP in `sgxra client`, in memory in the tests).
 *
 * The ENCLAVE does the protocol's work: it draws Ga, checks the SP's
 * signature with the SP key pinned at its build, derives the keys, checks
 * the MACs, makes the REPORT bound to the session, decrypts the secret and
 * seals it with EGETKEY.  The host only carries bytes and asks the QE for
 * the quote.  Emulation gives identity, not isolation (docs/EMULATOR.md).
 *
 * Errors of the enclave callbacks: the enclave's negative codes
 * (SGXRA_ENCLAVE_E_*) become RA errors, with the enclave's code named in
 * the message:
 *   E_MESSAGE -> SGXRA_E_RA_MESSAGE     E_GROUP -> SGXRA_E_RA_GROUP
 *   E_SPID, E_SIGNATURE -> SGXRA_E_RA_SIGNATURE (msg2 not signed by the
 *                          pinned SP: e.g. a man in the middle swapped Gb)
 *   E_MAC, E_DECRYPT -> SGXRA_E_RA_MAC  E_STATE -> SGXRA_E_RA_STATE
 *   E_SEALED -> SGXRA_E_RA_MAC (the sealed blob does not open: another
 *               enclave or platform, or altered)
 *   anything else negative -> SGXRA_E_RA_ENCLAVE
 * an sgxra_err the enclave passes through (e.g. EGETKEY's
 * SGXRA_E_EMU_ISVSVN while unsealing) is returned as is.  The quote
 * callback returns the QE's errors as they are: SGXRA_E_QE_REPORT_MAC when
 * the REPORT's MAC is not the QE's (a forged REPORT, e.g. the forge
 * enclave's claim of another MRENCLAVE).
 *
 * Memory: buffers returned through `uint8_t **` are malloc'ed (the caller
 * frees; secrets: wipe first).  The attester owns its platform, QE and
 * enclave.  Thread-safety: one thread at a time per attester (the emulated
 * enclave has one TCS); ops filled by sgxra_attester_client_ops are bound
 * to the attester and valid until sgxra_attester_free.
 */
#ifndef SGXRA_ATTESTER_H
#define SGXRA_ATTESTER_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"
#include "sgxra/emu.h"
#include "sgxra/ra.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sgxra_attester_options {
  /* A provisioned platform directory (`sgxra platform init`). */
  const char *platform_dir;
  /* The enclave .so and its SIGSTRUCT (1808 bytes; copied). */
  const char *enclave_path;
  const uint8_t *sigstruct;
  size_t sigstruct_len;
  /* 3 or 4 forces that quote version; 0 (or 3, the default the SP asks
   * for) follows what msg2 asks for when it asks for 3 or 4. */
  uint16_t quote_version;
} sgxra_attester_options;

typedef struct sgxra_attester sgxra_attester; /* opaque */

/* Load (boot) the platform, start its QE (sgxra_qe_open) and load the
 * enclave (sgxra_emu_enclave_load, EINIT with the SIGSTRUCT).  Errors of
 * those pass through: SGXRA_E_EMU_STATE / SGXRA_E_QE_STATE (platform), the
 * EINIT refusals (SGXRA_E_EMU_MRENCLAVE_MISMATCH for a tampered .so,
 * SGXRA_E_EMU_SIGSTRUCT_INVALID, ...), SGXRA_E_EMU_DLOPEN; an enclave that
 * does not speak enclave api version 2: SGXRA_E_UNSUPPORTED;
 * SGXRA_E_INVALID_ARGUMENT for a missing option or another quote
 * version. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_attester_open(
    sgxra_ctx *cx, const sgxra_attester_options *opt, sgxra_attester **out);

/* Fill every callback of *out (enclave and quote) bound to this
 * attester. */
SGXRA_API void sgxra_attester_client_ops(sgxra_attester *a,
                                         sgxra_ra_client_ops *out);

/* The enclave's identity (MRENCLAVE, MRSIGNER, ...), for printing. */
SGXRA_API void sgxra_attester_enclave_secs(const sgxra_attester *a,
                                           sgxra_emu_secs *out);

/* Have the enclave unseal a blob it sealed (DEMO ONLY: the enclave hands
 * the secret out).  *out_secret malloc'ed (at least 1 byte even when
 * *out_len is 0); the caller wipes and frees it. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_attester_unseal(sgxra_ctx *cx, sgxra_attester *a, const uint8_t *blob,
                      size_t n, uint8_t **out_secret, size_t *out_len);

/* NULL accepted. */
SGXRA_API void sgxra_attester_free(sgxra_attester *a);

#ifdef __cplusplus
}
#endif
#endif
