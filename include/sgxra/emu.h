/*
 * sgxra/emu.h -- an emulated SGX CPU: platform secrets and SVNs, enclaves
 * created with ECREATE/EADD/EEXTEND/EINIT, and EREPORT/EGETKEY bound to an
 * enclave's identity.  docs/EMULATOR.md describes every derivation byte by
 * byte.
 *
 * EMULATION GIVES IDENTITY, NOT ISOLATION.  An emulated enclave runs in the
 * host process: anything in that process can read its memory and its keys.
 * What the emulator does faithfully is what attestation depends on: the
 * measurement (MRENCLAVE), EINIT's checks of the SIGSTRUCT, the identity in a
 * REPORT always taken from the enclave's SECS (never from arguments), the
 * REPORT MAC keyed to the target enclave, and EGETKEY's derivation and SVN
 * checks (Intel SDM Vol. 3D, chapters 38 and 40: EINIT, EREPORT, EGETKEY).
 *
 * Objects:
 *   sgxra_emu_platform  one emulated machine: a random root secret (the
 *                       "fuses"), CPUSVN, OWNEREPOCH, the TCB data the PCK
 *                       certificate of this platform carries (16 TCB
 *                       component SVNs, PCESVN, FMSPC, PCE-ID) and a random
 *                       REPORT KEYID drawn at every load ("boot").
 *                       Persisted in a state directory: DIR/platform.json
 *                       (mode 0600; it holds the root secret).
 *   sgxra_emu_enclave   an initialised enclave: its SECS (identity) and, when
 *                       loaded from a file, the dlopen()ed shared object.
 *
 * Enclave images: an ELF shared object laid out by sgxra/layout.h (the
 * normal case, what `sgxra measure` measures too), or a raw page image in
 * the convention of sgxra_measure_raw_image (page 0 TCS, the rest REG RWX,
 * SSAFRAMESIZE 1) for enclaves whose code is library code, such as the
 * emulated quoting enclave and PCE: they still get a real MRENCLAVE,
 * a real SIGSTRUCT and a real EINIT.
 *
 * Thread-safety: a platform and its enclaves may be used by one thread at a
 * time.  A platform must outlive its enclaves.
 */
#ifndef SGXRA_EMU_H
#define SGXRA_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_EMU_ROOT_KEY_SIZE 16
#define SGXRA_EMU_OWNEREPOCH_SIZE 16
#define SGXRA_EMU_TCB_SVNS 16
#define SGXRA_EMU_FMSPC_SIZE 6
#define SGXRA_EMU_KEY_SIZE 16
/* The state file inside a platform's directory. */
#define SGXRA_EMU_STATE_FILE "platform.json"

/* What a platform is configured with (everything but its secrets). */
typedef struct sgxra_emu_platform_config {
  /* CR_CPUSVN: bounds the CPUSVN EGETKEY accepts, written into REPORTs. */
  uint8_t cpusvn[SGXRA_CPUSVN_SIZE];
  /* The 16 SGX TCB component SVNs and PCESVN the PCK certificate carries
   * (TCB levels are matched with these, not with CPUSVN). */
  uint8_t tcb_svns[SGXRA_EMU_TCB_SVNS];
  uint16_t pcesvn;
  uint16_t pceid;
  uint8_t fmspc[SGXRA_EMU_FMSPC_SIZE];
} sgxra_emu_platform_config;

/* Defaults: tcb_svns all 2 (so a TCB Info may list older levels below),
 * cpusvn = tcb_svns, pcesvn 13, pceid 0, fmspc 00906ED50000. */
SGXRA_API void
sgxra_emu_platform_config_default(sgxra_emu_platform_config *cfg);

typedef struct sgxra_emu_platform sgxra_emu_platform; /* opaque */

/* A new platform in memory: random root secret and OWNEREPOCH, random
 * REPORT KEYID; cfg NULL means the defaults.  Not saved anywhere. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_emu_platform_new(sgxra_ctx *cx, const sgxra_emu_platform_config *cfg,
                       sgxra_emu_platform **out_p);

/* `sgxra platform init DIR`: create DIR if needed (0700), refuse with
 * SGXRA_E_EMU_STATE_EXISTS if DIR/platform.json exists, make a new platform
 * as sgxra_emu_platform_new and save it there.  *out_p (may be NULL) gets the
 * platform, remembering DIR.  The check and the save hold an exclusive
 * flock on DIR/.lock, so of two inits of one DIR one makes the platform and
 * the other gets SGXRA_E_EMU_STATE_EXISTS.  An existing DIR writable by
 * group/others or owned by another user: SGXRA_E_EMU_STATE_UNSAFE.  (The
 * command makes init all-or-nothing by building DIR as a temporary sibling
 * and renaming it into place.) */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_platform_init(
    sgxra_ctx *cx, const char *dir, const sgxra_emu_platform_config *cfg,
    sgxra_emu_platform **out_p);

/* Load DIR/platform.json ("boot"): the secrets and configuration come from
 * the file, a fresh random REPORT KEYID is drawn.  SGXRA_E_EMU_STATE when
 * the file is missing or malformed (naming the field);
 * SGXRA_E_EMU_STATE_INCOMPLETE when it is missing from a folder that holds
 * the QE's files (with the recovery command); SGXRA_E_EMU_STATE_UNSAFE when
 * DIR or platform.json is writable by group/others or owned by another
 * user than the effective one (checked on every load, as ssh checks its
 * keys). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_platform_load(
    sgxra_ctx *cx, const char *dir, sgxra_emu_platform **out_p);

/* Save to DIR/platform.json (DIR must exist), mode 0600, create-then-rename
 * with fsync of the file and of DIR: after a crash the file is the old or
 * the new one.  A load / change / save sequence by two processes is the
 * caller's to serialise. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_platform_save(
    sgxra_ctx *cx, const sgxra_emu_platform *p, const char *dir);

SGXRA_API void sgxra_emu_platform_free(sgxra_emu_platform *p);

/* The configuration. */
SGXRA_API void
sgxra_emu_platform_get_config(const sgxra_emu_platform *p,
                              sgxra_emu_platform_config *out_cfg);
/* Change the configuration (e.g. a microcode update raising CPUSVN, or a
 * test making the platform out of date).  Keys derived for a CPUSVN above
 * the new one become unobtainable, as on hardware.  Call _save to keep. */
SGXRA_API void
sgxra_emu_platform_set_config(sgxra_emu_platform *p,
                              const sgxra_emu_platform_config *cfg);
/* The state directory it was loaded from / initialised in, or NULL for an
 * in-memory platform.  Other emulated components (QE, PCE, simulated CA)
 * may keep their own files there. */
SGXRA_API const char *sgxra_emu_platform_dir(const sgxra_emu_platform *p);
/* OWNEREPOCH and the current REPORT KEYID (for inspection and tests). */
SGXRA_API void
sgxra_emu_platform_ownerepoch(const sgxra_emu_platform *p,
                              uint8_t out[SGXRA_EMU_OWNEREPOCH_SIZE]);
SGXRA_API void sgxra_emu_platform_report_keyid(const sgxra_emu_platform *p,
                                               uint8_t out[SGXRA_KEYID_SIZE]);

/* ---- enclaves --------------------------------------------------------------
 */

/* The SECS fields that make an enclave's identity. */
typedef struct sgxra_emu_secs {
  uint64_t size;         /* SECS.SIZE */
  uint32_t ssaframesize; /* pages */
  uint32_t miscselect;
  sgxra_attributes attributes; /* INIT set after EINIT */
  uint8_t mrenclave[SGXRA_HASH_SIZE];
  uint8_t mrsigner[SGXRA_HASH_SIZE];
  uint16_t isvprodid;
  uint16_t isvsvn;
  uint16_t configsvn; /* 0: no KSS */
  uint8_t configid[SGXRA_CONFIGID_SIZE];
  uint8_t isvfamilyid[SGXRA_ISVFAMILYID_SIZE];
  uint8_t isvextprodid[SGXRA_ISVEXTPRODID_SIZE];
} sgxra_emu_secs;

/* What the loader asks ECREATE for.  Hardware takes the enclave's
 * ATTRIBUTES and MISCSELECT from the loader, and EINIT then compares them
 * with the SIGSTRUCT under its masks. */
typedef struct sgxra_emu_load_options {
  sgxra_attributes attributes; /* INIT must be clear (EINIT sets it) */
  uint32_t miscselect;
} sgxra_emu_load_options;

/* The options an SDK loader would use: the SIGSTRUCT's ATTRIBUTES (without
 * INIT) and MISCSELECT.  All zero when n is not 1808 (EINIT then refuses
 * the SIGSTRUCT). */
SGXRA_API void
sgxra_emu_load_options_from_sigstruct(const uint8_t *sigstruct, size_t n,
                                      sgxra_emu_load_options *out);

typedef struct sgxra_emu_enclave sgxra_emu_enclave; /* opaque */

/* ECREATE/EADD/EEXTEND an ELF shared object (sgxra/layout.h, default
 * parameters), then EINIT with the SIGSTRUCT (1808 bytes).  opt NULL means
 * sgxra_emu_load_options_from_sigstruct.  Nothing is executed: the handle
 * has an identity and can EREPORT/EGETKEY but has no code to call.
 *
 * EINIT refusals, each with its code and a message naming what differed:
 *   SGXRA_E_EMU_SIGSTRUCT_INVALID   header, exponent, RSA signature or Q1/Q2
 *                                   (the message keeps sigstruct's detail)
 *   SGXRA_E_EMU_MRENCLAVE_MISMATCH  measured MRENCLAVE != ENCLAVEHASH
 *   SGXRA_E_EMU_ATTRIBUTES_MISMATCH (SECS.ATTRIBUTES & mask) !=
 *                                   (SIGSTRUCT.ATTRIBUTES & mask)
 *   SGXRA_E_EMU_MISCSELECT_MISMATCH the same for MISCSELECT / MISCMASK
 * ECREATE refuses reserved ATTRIBUTES bits, INIT, KSS (not emulated) and an
 * XFRM without x87|SSE (bits 0,1): SGXRA_E_EMU_ATTRIBUTES_INVALID. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_enclave_create(
    sgxra_ctx *cx, sgxra_emu_platform *plat, const uint8_t *elf, size_t elf_len,
    const uint8_t *sigstruct, size_t sigstruct_len,
    const sgxra_emu_load_options *opt, sgxra_emu_enclave **out_e);

/* The same for a raw page image (sgxra_measure_raw_image convention: page 0
 * TCS, pages 1.. REG RWX 0x207, SSAFRAMESIZE 1); for enclaves whose logic is
 * library code (the emulated QE and PCE). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_enclave_create_image(
    sgxra_ctx *cx, sgxra_emu_platform *plat, const uint8_t *image,
    size_t image_len, const uint8_t *sigstruct, size_t sigstruct_len,
    const sgxra_emu_load_options *opt, sgxra_emu_enclave **out_e);

/* Read the ELF at `so_path` once, create as sgxra_emu_enclave_create,
 * then dlopen() those very bytes (copied into a sealed memfd, never the
 * path again) and find its entry point (SGXRA_ENCLAVE_ENTRY_SYMBOL,
 * sgxra/enclave_api.h) so sgxra_emu_enclave_call can run it.
 * SGXRA_E_IO when the file cannot be read; the EINIT codes above;
 * SGXRA_E_EMU_DLOPEN when it cannot be loaded (no memfd, or an object of
 * the memfd's name still loaded) or has no entry point. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_enclave_load(
    sgxra_ctx *cx, sgxra_emu_platform *plat, const char *so_path,
    const uint8_t *sigstruct, size_t sigstruct_len,
    const sgxra_emu_load_options *opt, sgxra_emu_enclave **out_e);

/* Free an enclave (dlclose()s its object); NULL accepted. */
SGXRA_API void sgxra_emu_enclave_free(sgxra_emu_enclave *e);

/* The SECS identity. */
SGXRA_API void sgxra_emu_enclave_secs(const sgxra_emu_enclave *e,
                                      sgxra_emu_secs *out_secs);

/* TARGETINFO naming this enclave (MRENCLAVE, ATTRIBUTES, MISCSELECT,
 * CONFIGSVN, CONFIGID), for others to EREPORT to it. */
SGXRA_API void sgxra_emu_enclave_targetinfo(const sgxra_emu_enclave *e,
                                            sgxra_targetinfo *out_ti);

/* EREPORT executed by enclave `e`: the body's identity (CPUSVN, MISCSELECT,
 * ATTRIBUTES, MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN, ...) comes from e's
 * SECS and the platform; only REPORTDATA comes from the caller.  KEYID is
 * the platform's REPORT KEYID of this boot; MAC = AES-128-CMAC over the 384
 * body bytes with the report key of the enclave named by `target`. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_ereport(
    sgxra_ctx *cx, const sgxra_emu_enclave *e, const sgxra_targetinfo *target,
    const uint8_t reportdata[SGXRA_REPORTDATA_SIZE], sgxra_report *out_report);

/* EGETKEY executed by enclave `e`.  Supported KEYNAMEs: REPORT, SEAL,
 * PROVISION and PROVISION_SEAL (the last two need the PROVISIONKEY
 * attribute: SGXRA_E_EMU_PROVISIONKEY); EINITTOKEN: SGXRA_E_EMU_KEYNAME.
 * KEYPOLICY may combine MRENCLAVE and MRSIGNER only, and CONFIGSVN must be
 * 0: the other bits and CONFIGSVN need KSS, which is not emulated
 * (SGXRA_E_EMU_KEYPOLICY).  A CPUSVN with any byte above the platform's:
 * SGXRA_E_EMU_CPUSVN; then ISVSVN above the enclave's: SGXRA_E_EMU_ISVSVN
 * (the SDM's order); nonzero reserved bytes: SGXRA_E_EMU_RESERVED.  out_key
 * zeroed on error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_egetkey(
    sgxra_ctx *cx, const sgxra_emu_enclave *e, const sgxra_keyrequest *req,
    uint8_t out_key[SGXRA_EMU_KEY_SIZE]);

/* Convenience for a target checking a REPORT it received (what the QE does
 * for local attestation): EGETKEY(REPORT, KEYID = report's) by `e` and
 * compare the MAC in constant time.  SGXRA_OK, or SGXRA_E_EMU_REPORT_MAC
 * when the MAC is not this enclave's (the report was made for another
 * target, on another platform or boot, or altered). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_report_verify(
    sgxra_ctx *cx, const sgxra_emu_enclave *e, const sgxra_report *report);

/* Call the entry point of an enclave made by sgxra_emu_enclave_load with
 * operation `op` (sgxra/enclave_api.h), handing it EREPORT/EGETKEY bound to
 * this enclave.  SGXRA_E_EMU_DLOPEN when e has no code (made from bytes);
 * SGXRA_E_EMU_ECALL when the enclave returns an error (its code named in the
 * message); *out_len is the number of bytes it wrote. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_enclave_call(
    sgxra_ctx *cx, sgxra_emu_enclave *e, uint32_t op, const uint8_t *in,
    size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

/* The same, and *out_rc (may be NULL) gets the enclave's own return code
 * when it returns an error (0 otherwise): an sgxra_err value or a negative
 * SGXRA_ENCLAVE_E_* code (sgxra/enclave_api.h), for callers that map it. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_enclave_call_ex(
    sgxra_ctx *cx, sgxra_emu_enclave *e, uint32_t op, const uint8_t *in,
    size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len, int *out_rc);

/* The enclave api version handed to its entry point: 2 when the .so
 * exports SGXRA_ENCLAVE_API_VERSION_SYMBOL = 2, 1 without it; 0 for an
 * enclave without code. */
SGXRA_API uint32_t sgxra_emu_enclave_api_version(const sgxra_emu_enclave *e);

/* Ask the enclave itself (op SGXRA_ENCLAVE_OP_REPORT) for a REPORT to
 * `target` with `reportdata`: what `sgxra platform quote` does before going
 * to the QE. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_emu_enclave_get_report(
    sgxra_ctx *cx, sgxra_emu_enclave *e, const sgxra_targetinfo *target,
    const uint8_t reportdata[SGXRA_REPORTDATA_SIZE], sgxra_report *out_report);

#ifdef __cplusplus
}
#endif
#endif
