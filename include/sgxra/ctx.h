/*
 * sgxra/ctx.h -- the library context: OpenSSL library context and the last
 * error with its specific message.
 *
 * Nothing in sgxra keeps hidden global state: every fallible call takes an
 * sgxra_ctx.  On failure the call returns a code (sgxra/error.h) and stores
 * the code and a message a user can act on in the context, e.g.
 *
 *   "quote truncated: signature data needs 4660 bytes at offset 436,
 *    only 212 remain"
 *
 * The library never prints.  A NULL context is accepted everywhere: the call
 * behaves the same but the message is lost.
 *
 * Thread-safety: a context may be used by one thread at a time.  Separate
 * contexts may be used concurrently.
 */
#ifndef SGXRA_CTX_H
#define SGXRA_CTX_H

#include "sgxra/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sgxra_ctx sgxra_ctx;

/* Size of the message buffer, terminating NUL included. */
#define SGXRA_CTX_MSG_SIZE 512

/* A new context using OpenSSL's default library context; NULL when out of
 * memory. */
SGXRA_API sgxra_ctx *sgxra_ctx_new(void);

/* OpenSSL's OSSL_LIB_CTX, declared here so this header needs no OpenSSL
 * header. */
struct ossl_lib_ctx_st;

/* A new context whose hashes, MACs, ciphers and keys are fetched from
 * `libctx` (e.g. one with only the FIPS provider loaded); NULL is the
 * default context, as sgxra_ctx_new().  The caller keeps `libctx` alive
 * while the context is used and frees it afterwards. */
SGXRA_API sgxra_ctx *sgxra_ctx_new_ex(struct ossl_lib_ctx_st *libctx);

/* Free a context (NULL is accepted). */
SGXRA_API void sgxra_ctx_free(sgxra_ctx *cx);

/* The code of the last failure, SGXRA_OK when none since the last clear. */
SGXRA_API sgxra_err sgxra_ctx_error(const sgxra_ctx *cx);

/* The specific message of the last failure, or the code's generic text when
 * no specific one was given.  Never NULL. */
SGXRA_API const char *sgxra_ctx_message(const sgxra_ctx *cx);

/* Forget the last failure. */
SGXRA_API void sgxra_ctx_clear(sgxra_ctx *cx);

#ifdef __cplusplus
}
#endif
#endif
