/* src/store/dl_internal.h -- shared libraries loaded on first use.
 *
 * libpq (PostgreSQL databases), libcurl (the PCS/PCCS and service-provider
 * clients) and libmicrohttpd (the servers) are not linked into libsgxra,
 * libsgxra-sim or the `sgxra` command: with their own dependencies
 * (Kerberos, LDAP, GnuTLS, nghttp2, ...) they were three quarters of every
 * process start, including `sgxra verify`, which uses none of them
 * (docs/PERFORMANCE.md, "Start-up").  Each is opened with dlopen by its
 * SONAME the first time an operation needs it, and the functions sgxra
 * calls are resolved into a table of typed pointers (store/dl_pq.h,
 * net/dl_curl.h, net/dl_mhd.h); the headers of the libraries are still
 * used at build time, so every call is type-checked against them.
 *
 * A library that cannot be opened, or lacks one of the functions, fails the
 * operation with SGXRA_E_LIBRARY_MISSING and a message naming the file, the
 * package that ships it and dlopen's reason.  The outcome is kept for the
 * life of the process (a library is never closed; a failure is not
 * retried).  Internal (sgxra__).
 *
 * Thread-safety: sgxra__dl_load may be called from any thread at any time;
 * the first call loads, the others wait for it and then see the same
 * outcome. */
#ifndef SGXRA_STORE_DL_INTERNAL_H
#define SGXRA_STORE_DL_INTERNAL_H

#include <stdatomic.h>

#include "sgxra/ctx.h"

typedef struct sgxra__dl_lib {
  const char *soname;    /* "libpq.so.5", the build's (CMakeLists.txt); tests
                          * may point it elsewhere */
  const char *package;   /* the Debian/Ubuntu package: "libpq5" */
  const char *needed_by; /* "PostgreSQL databases (postgresql://...)" */
  /* Looks up every function the table holds in `handle` (dlsym) and stores
   * it; returns NULL, or the name of the first one missing (then the table
   * is not used). */
  const char *(*resolve)(void *handle);
  atomic_int state; /* 0 not tried, 1 loaded, -1 failed (why[] says why) */
  char why[256];
} sgxra__dl_lib;

/* Loads `lib` once per process.  SGXRA_OK when its table is ready,
 * SGXRA_E_LIBRARY_MISSING otherwise (every call, with the same message). */
sgxra_err sgxra__dl_load(sgxra_ctx *cx, sgxra__dl_lib *lib);

/* dlsym into a typed function pointer (POSIX allows the conversion; the
 * bytes are copied, so no object pointer is cast to a function pointer). */
void sgxra__dl_sym(void *handle, const char *name, void *fnptr_out,
                   const char **missing);

/* What every loaded library's header and source repeat, generated from its
 * list of functions, written FUNCS(X, T) as X(T, f1) X(T, f2) ...:
 *   SGXRA__DL_TABLE(type, FUNCS) defines the table type: one pointer per
 *     function, typed from the library's own header (__typeof__);
 *   SGXRA__DL_RESOLVER(name, table, FUNCS) defines
 *     `static const char *name(void *handle)`, which fills `table` by dlsym
 *     and is the `resolve` of the library's sgxra__dl_lib. */
#define SGXRA__DL_SLOT(T, f) __typeof__(&f) f;
#define SGXRA__DL_TABLE(type, FUNCS)                                           \
  typedef struct type {                                                        \
    FUNCS(SGXRA__DL_SLOT, unused)                                              \
  } type
#define SGXRA__DL_RESOLVE(T, f) sgxra__dl_sym(handle_, #f, &(T).f, &missing_);
#define SGXRA__DL_RESOLVER(name, table, FUNCS)                                 \
  static const char *name(void *handle_) {                                     \
    const char *missing_ = NULL;                                               \
    FUNCS(SGXRA__DL_RESOLVE, table)                                            \
    return missing_;                                                           \
  }

#endif
