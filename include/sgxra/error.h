/*
 * sgxra/error.h -- error codes, their names and texts.
 *
 * Every fallible sgxra function returns an sgxra_err.  SGXRA_OK is 0; every
 * error is a positive number grouped by area:
 *
 *   1..99      core (arguments, memory, files, hex, JSON, time)
 *   100..199   crypto
 *   200..299   SGX structures, SIGSTRUCT
 *   300..399   measurement (MRENCLAVE), enclave files
 *   400..599   quotes
 *   600..799   collateral (certificates, CRLs, TCB Info, QE Identity)
 *   800..849   emulated CPU and enclave loader
 *   850..899   emulated QE/PCE and simulated Intel PCS
 *   900..1199  HTTP, storage (1000..1049: errors/store.h), policy
 *              (1050..1099: errors/policy.h), RA
 *
 * The lists live in sgxra/errors/<area>.h, one X(name, number, text) line
 * per code, and drive the enum, sgxra_err_name() and sgxra_strerror() alike,
 * so the three cannot drift.  A number is never reused or renumbered.
 *
 * The code says *what kind* of failure; the specific message (expected,
 * found, where, what to do) is kept in the sgxra_ctx that was passed in; see
 * sgxra/ctx.h.
 *
 * Thread-safety: all functions here are pure.
 */
#ifndef SGXRA_ERROR_H
#define SGXRA_ERROR_H

#include "sgxra/errors/collateral.h"
#include "sgxra/errors/core.h"
#include "sgxra/errors/crypto.h"
#include "sgxra/errors/emu.h"
#include "sgxra/errors/measure.h"
#include "sgxra/errors/net.h"
#include "sgxra/errors/policy.h"
#include "sgxra/errors/quote.h"
#include "sgxra/errors/ra.h"
#include "sgxra/errors/sgx.h"
#include "sgxra/errors/sim.h"
#include "sgxra/errors/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SGXRA_MUST_CHECK __attribute__((warn_unused_result))
#else
#define SGXRA_MUST_CHECK
#endif

/* SGXRA_API marks the functions and data that the shared libraries export.
 * The libraries are built with -fvisibility=hidden, so anything without it
 * (every sgxra__ internal) stays inside the library.  See docs/ABI.md. */
#if defined(__GNUC__) || defined(__clang__)
#define SGXRA_API __attribute__((visibility("default")))
#else
#define SGXRA_API
#endif

#define SGXRA_ERROR_LIST(X)                                                    \
  SGXRA_ERRORS_CORE(X)                                                         \
  SGXRA_ERRORS_CRYPTO(X)                                                       \
  SGXRA_ERRORS_SGX(X)                                                          \
  SGXRA_ERRORS_MEASURE(X)                                                      \
  SGXRA_ERRORS_QUOTE(X)                                                        \
  SGXRA_ERRORS_COLLATERAL(X)                                                   \
  SGXRA_ERRORS_EMU(X)                                                          \
  SGXRA_ERRORS_SIM(X)                                                          \
  SGXRA_ERRORS_NET(X)                                                          \
  SGXRA_ERRORS_STORE(X)                                                        \
  SGXRA_ERRORS_POLICY(X)                                                       \
  SGXRA_ERRORS_RA(X)

typedef enum sgxra_err {
  SGXRA_OK = 0,
#define SGXRA__ERR_ENUM(name, num, text) SGXRA_E_##name = num,
  SGXRA_ERROR_LIST(SGXRA__ERR_ENUM)
#undef SGXRA__ERR_ENUM
} sgxra_err;

/* "SGXRA_E_QUOTE_TRUNCATED"; "SGXRA_OK"; "SGXRA_E_UNKNOWN" for a number
 * that is not a code. */
SGXRA_API const char *sgxra_err_name(sgxra_err err);

/* The generic one-line text of a code ("quote truncated"). */
SGXRA_API const char *sgxra_strerror(sgxra_err err);

#ifdef __cplusplus
}
#endif
#endif
