/*
 * sgxra.h -- Intel SGX remote attestation, end to end.  The umbrella header.
 *
 *   header                 module                                 source
 *   sgxra/error.h          error codes, names, texts              src/core
 *   sgxra/ctx.h            library context: last error + message  src/core
 *   sgxra/hex.h            hex and base64                         src/core
 *   sgxra/base64.h         base64 both alphabets, strict decoding src/core
 *   sgxra/timeutil.h       RFC 3339 time                          src/core
 *   sgxra/file.h           whole-file read/write with caps        src/core
 *   sgxra/crypto.h         SHA-256, CMAC, GCM, P-256, RSA-3072    src/crypto
 *   sgxra/sgx.h            REPORT, TARGETINFO, KEYREQUEST         src/sgx
 *   sgxra/sigstruct.h      SIGSTRUCT sign/verify, MRSIGNER        src/sgx
 *   sgxra/measure.h        MRENCLAVE builder, SGXS, raw images    src/sgx
 *   sgxra/enclavefile.h    signed enclave .so metadata, detect    src/sgx
 *   sgxra/layout.h         enclave ELF layout, its MRENCLAVE      src/sgx
 *   sgxra/sdkenclave.h     SDK enclave re-measured from metadata  src/sgx
 *   sgxra/quote.h          DCAP quote v3/v4/v5 parsing            src/quote
 *   sgxra/x509.h           PCK chains, CRLs                       src/quote
 *   sgxra/tcbstatus.h      Intel's TCB statuses and names         src/quote
 *   sgxra/collateral.h     TCB Info, QE Identity, bundles         src/quote
 *   sgxra/qlresult.h       Intel's quote3_error_t names, numbers  src/quote
 *   sgxra/verify.h         quote verification -> Intel verdict    src/quote
 *   sgxra/supplemental.h   Intel's supplemental data of a verdict src/quote
 *   sgxra/store.h          registry, policies, audit log (SQL)    src/store
 *   sgxra/policy.h         policy, appraisal -> decision          src/policy
 *   sgxra/ra.h             RA protocol msg0..msg4, KDF, sessions  src/ra
 *   ---- libsgxra-sim (the rest is libsgxra) ----
 *   sgxra/emu.h            emulated SGX CPU and enclaves          src/emu
 *   sgxra/enclave_api.h    what an emulated enclave .so sees      (enclaves/)
 *   sgxra/qe.h             emulated quoting enclave and PCE       src/emu
 *   sgxra/intelca.h        simulated Intel PKI and collateral     src/emu
 *   sgxra/attester.h       RA client callbacks over the emulator  src/emu
 *   sgxra/pcs.h            simulated Intel PCS (HTTP)             src/net
 *   sgxra/pccs.h           PCS/PCCS collateral client and cache   src/net
 *   sgxra/verifier.h       attestation service core               src/net
 *   sgxra/verifier_server.h  attestation service over HTTP        src/net
 *   sgxra/sp_server.h      service provider over HTTP (serve sp)  src/net
 *   sgxra/sp_client.h      RA client over HTTP (sgxra client)     src/net
 *
 * Conventions for the whole API: bytes travel as (pointer, length), NULL
 * only with length 0; every fallible call takes an sgxra_ctx and returns an
 * sgxra_err, with the specific message kept in the context; outputs come
 * last and are zeroed on error; the library never prints and never reads
 * the clock (time is passed in).
 */
#ifndef SGXRA_H
#define SGXRA_H

#include "sgxra/attester.h"
#include "sgxra/base64.h"
#include "sgxra/collateral.h"
#include "sgxra/crypto.h"
#include "sgxra/ctx.h"
#include "sgxra/emu.h"
#include "sgxra/enclave_api.h"
#include "sgxra/enclavefile.h"
#include "sgxra/error.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/intelca.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"
#include "sgxra/pccs.h"
#include "sgxra/pcs.h"
#include "sgxra/policy.h"
#include "sgxra/qe.h"
#include "sgxra/qlresult.h"
#include "sgxra/quote.h"
#include "sgxra/ra.h"
#include "sgxra/sdkenclave.h"
#include "sgxra/sgx.h"
#include "sgxra/sigstruct.h"
#include "sgxra/sp_client.h"
#include "sgxra/sp_server.h"
#include "sgxra/store.h"
#include "sgxra/supplemental.h"
#include "sgxra/tcbstatus.h"
#include "sgxra/timeutil.h"
#include "sgxra/verifier.h"
#include "sgxra/verifier_server.h"
#include "sgxra/verify.h"
#include "sgxra/x509.h"

#endif
