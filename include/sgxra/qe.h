/*
 * sgxra/qe.h -- the emulated quoting enclave (QE) and provisioning
 * certification enclave (PCE) of Intel SGX DCAP.  The quote encoder they
 * use is part of the quote codec (sgxra/quote.h, sgxra_quote_encode).
 *
 * Both are real emulated enclaves (sgxra/emu.h): a fixed two-page image
 * (page 0 TCS, page 1 a text naming the enclave), a SIGSTRUCT signed with
 * the simulated Intel CA's QE signing key (sgxra_intelca_qe_signing_key),
 * EINIT, and their keys from EGETKEY:
 *
 *   PCE  ISVPRODID 2, ISVSVN = the platform's PCESVN, PROVISIONKEY.
 *        PCK private key = P-256 scalar SHA-256("sgxra PCK" || ctr ||
 *        EGETKEY(PROVISION, MRSIGNER, ISVSVN = PCESVN, CPUSVN)); PPID =
 *        SHA-256("sgxra PPID" || EGETKEY(PROVISION, ISVSVN 0))[0..16).
 *        Certifies a QE report: checks its MAC with its own report key and
 *        signs the 384-byte body with the PCK key.
 *   QE   ISVPRODID 1, ISVSVN SGXRA_QE_ISVSVN, PROVISIONKEY.  Attestation
 *        key = P-256 from EGETKEY(SEAL, MRSIGNER).  At start it EREPORTs to
 *        the PCE with REPORTDATA = SHA-256(attestation key X||Y || QE auth
 *        data) || 32 zero bytes and has the PCE sign that report.
 *        sgxra_qe_quote() checks a REPORT's MAC with the QE's own report key
 *        (local attestation: a REPORT altered in any byte, e.g. a forged
 *        MRENCLAVE, or one targeted at another enclave, is refused with
 *        SGXRA_E_QE_REPORT_MAC); it does NOT look at MRENCLAVE -- the
 *        service provider does.  Then it signs header || report body.
 *
 * Files of a provisioned platform directory (sgxra_qe_provision):
 *   qe.sigstruct, pce.sigstruct   the enclaves' SIGSTRUCTs
 *   pck_chain.pem                 PCK leaf -> its PCK CA -> root (the
 *                                 Platform CA, or the Processor CA when
 *                                 the CA object was set to it)
 *   pck_serial.txt                the leaf's serial (hex), for revocation
 * written each create-then-rename with fsync, under an exclusive flock on
 * DIR/.lock.  `sgxra platform init` builds the whole directory in a
 * temporary sibling and renames it into place (all-or-nothing).
 *
 * Thread-safety: a QE/PCE object may be used by one thread at a time.
 */
#ifndef SGXRA_QE_H
#define SGXRA_QE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/emu.h"
#include "sgxra/intelca.h" /* sgxra_intelca, its serial sizes */
#include "sgxra/quote.h"
#include "sgxra/sgx.h"
#include "sgxra/sigstruct.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The QE's identity, as in Intel's QE3 (ISVPRODID 1). */
#define SGXRA_QE_ISVPRODID 1
#define SGXRA_QE_ISVSVN 8
/* The PCE's ISVPRODID; its ISVSVN is the platform's PCESVN. */
#define SGXRA_PCE_ISVPRODID 2

/* QE auth data size (Intel's QE3 uses 32 bytes). */
#define SGXRA_QE_AUTH_DATA_SIZE 32

/* ---- shared by the emulated QE and PCE (src/emu/pce.c)
 * ----------------------- */

/* Size of the emulated QE / PCE image: page 0 TCS, page 1 a NUL-padded text
 * naming the enclave. */
#define SGXRA_QE_IMAGE_SIZE 8192

/* SIGSTRUCT for the image named `name`: ATTRIBUTES MODE64BIT|PROVISIONKEY,
 * XFRM 3, the default masks, ISVPRODID/ISVSVN as given. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_qe_sign_image(
    sgxra_ctx *cx, const sgxra_rsa_key *signer, const char *name,
    uint16_t isvprodid, uint16_t isvsvn, uint8_t out[SGXRA_SIGSTRUCT_SIZE]);
/* ECREATE..EINIT of the image named `name` with this SIGSTRUCT. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_qe_start_image(
    sgxra_ctx *cx, sgxra_emu_platform *plat, const char *name,
    const uint8_t *sigstruct, size_t n, sgxra_emu_enclave **out_e);
/* A P-256 private key from a 16-byte EGETKEY key: scalar =
 * SHA-256(label || counter byte || key), the first counter in 0..7 giving a
 * scalar in [1, n). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_qe_derive_p256(sgxra_ctx *cx, const uint8_t key[SGXRA_EMU_KEY_SIZE],
                     const char *label, sgxra_p256_key **out_key);
/* EGETKEY by `e` for keyname with policy MRSIGNER, ISVSVN `isvsvn` and the
 * platform's current CPUSVN. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_qe_getkey(
    sgxra_ctx *cx, const sgxra_emu_enclave *e, const sgxra_emu_platform *plat,
    uint16_t keyname, uint16_t isvsvn, uint8_t out_key[SGXRA_EMU_KEY_SIZE]);

/* ---- PCE --------------------------------------------------------------------
 */

typedef struct sgxra_pce sgxra_pce; /* opaque */

/* The PCE's SIGSTRUCT for a platform with this PCESVN, signed by `signer`. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_pce_sigstruct(sgxra_ctx *cx, const sgxra_rsa_key *signer, uint16_t pcesvn,
                    uint8_t out[SGXRA_SIGSTRUCT_SIZE]);
/* Load (EINIT) the PCE on `plat` and derive its PCK key.  EINIT's codes
 * pass through (a SIGSTRUCT for another PCESVN: SGXRA_E_EMU_*). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pce_new(sgxra_ctx *cx,
                                                   sgxra_emu_platform *plat,
                                                   const uint8_t *sigstruct,
                                                   size_t n,
                                                   sgxra_pce **out_pce);
SGXRA_API void sgxra_pce_free(sgxra_pce *pce);
SGXRA_API void sgxra_pce_targetinfo(const sgxra_pce *pce,
                                    sgxra_targetinfo *out_ti);
/* The PCK public key and what the PCK certificate must say about this
 * platform (PPID, TCB SVNs, PCESVN, CPUSVN, PCE-ID, FMSPC; SGX type 0,
 * platform instance id and configuration as a PCK Platform CA writes). */
SGXRA_API const sgxra_p256_key *sgxra_pce_pck_key(const sgxra_pce *pce);
SGXRA_API void sgxra_pce_pck_info(const sgxra_pce *pce,
                                  sgxra_pck_ext *out_info);
/* Certify a QE report: SGXRA_E_PCE_REPORT when its MAC is not for the PCE;
 * else the ECDSA signature (r||s) of its 384-byte body with the PCK key. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pce_certify(
    sgxra_ctx *cx, const sgxra_pce *pce, const sgxra_report *qe_report,
    uint8_t out_sig[SGXRA_P256_SIG_SIZE]);

/* ---- QE ---------------------------------------------------------------------
 */

typedef struct sgxra_qe sgxra_qe; /* opaque */

SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_qe_sigstruct(sgxra_ctx *cx, const sgxra_rsa_key *signer,
                   uint8_t out[SGXRA_SIGSTRUCT_SIZE]);

/* Start the QE and PCE on `plat` (EINIT both, derive the keys, certify the
 * attestation key).  pck_chain_pem: leaf first; its leaf key must be this
 * PCE's PCK key (SGXRA_E_QE_STATE otherwise: provision again). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_qe_new(
    sgxra_ctx *cx, sgxra_emu_platform *plat, const uint8_t *qe_sigstruct,
    size_t qe_sigstruct_len, const uint8_t *pce_sigstruct,
    size_t pce_sigstruct_len, const char *pck_chain_pem, size_t pck_chain_len,
    sgxra_qe **out_qe);
SGXRA_API void sgxra_qe_free(sgxra_qe *qe);

/* The TARGETINFO an enclave must EREPORT to for a quote. */
SGXRA_API void sgxra_qe_targetinfo(const sgxra_qe *qe,
                                   sgxra_targetinfo *out_ti);
/* The attestation public key X||Y. */
SGXRA_API void sgxra_qe_attest_key(const sgxra_qe *qe,
                                   uint8_t out[SGXRA_P256_PUBLIC_SIZE]);

/* A quote (version 3 or 4) for `report`, which must be targeted at this QE.
 * SGXRA_E_QE_REPORT_MAC when its MAC is not this QE's;
 * SGXRA_E_QUOTE_ENCODE for another version.  *out_quote malloc'ed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_qe_quote(sgxra_ctx *cx, const sgxra_qe *qe, const sgxra_report *report,
               uint16_t version, uint8_t **out_quote, size_t *out_len);

/* Provision a platform directory (`sgxra platform init`): sign the QE and
 * PCE SIGSTRUCTs with the CA's key, start the PCE, have `ca` issue the PCK
 * certificate for it, write the files listed at the top into `dir`.
 * out_serial_hex (may be NULL) gets the PCK certificate's serial. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_qe_provision(
    sgxra_ctx *cx, sgxra_emu_platform *plat, sgxra_intelca *ca, const char *dir,
    int64_t now, char out_serial_hex[SGXRA_INTELCA_SERIAL_HEX_SIZE]);

/* The same, with the QE's SIGSTRUCT signed by `qe_signer` instead of the
 * CA's QE signing key (NULL: the CA's, as sgxra_qe_provision).  TEST AND
 * DEMO ONLY (`sgxra platform init --qe-signing-key`): a rogue quoting
 * enclave.  The PCE stays Intel's and certifies it (it checks only the
 * REPORT's MAC and the PROVISIONKEY attribute, as Intel's PCE does), so
 * its quotes verify up to the QE report -- and a verifier refuses them at
 * Intel's QE Identity check, whose MRSIGNER is the CA's QE signer's. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_qe_provision_ex(
    sgxra_ctx *cx, sgxra_emu_platform *plat, sgxra_intelca *ca, const char *dir,
    int64_t now, const sgxra_rsa_key *qe_signer,
    char out_serial_hex[SGXRA_INTELCA_SERIAL_HEX_SIZE]);

/* sgxra_qe_new from the files of a provisioned directory
 * (SGXRA_E_QE_STATE naming a missing file).  A directory that has
 * platform.json but lacks a QE file (an interrupted init) is
 * SGXRA_E_EMU_STATE_INCOMPLETE with the recovery command; a directory
 * writable by group/others or not owned by the effective user is
 * SGXRA_E_EMU_STATE_UNSAFE. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_qe_open(sgxra_ctx *cx,
                                                   sgxra_emu_platform *plat,
                                                   const char *dir,
                                                   sgxra_qe **out_qe);

#ifdef __cplusplus
}
#endif
#endif
