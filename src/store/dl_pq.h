/* src/store/dl_pq.h -- libpq, the PostgreSQL client (src/store/pg.c, store.c),
 * loaded on first use (see store/dl_internal.h).
 *
 * Include this header instead of <libpq-fe.h>: it includes that header for
 * the types and constants, and turns each function sgxra calls into a call
 * through the table sgxra__pq, filled from libpq.so.5 by
 * sgxra__pq_load().  Call sgxra__pq_load() (SGXRA_OK, or
 * SGXRA_E_LIBRARY_MISSING with a message naming the package) before the
 * first call; a handle from the library (a connection, an easy handle, a
 * daemon) implies it was loaded.  A function not listed in
 * SGXRA__PQ_FUNCS is not redirected and fails the link of the
 * `sgxra` command (which does not link the library): add it there.
 * Internal (sgxra__); thread-safety as store/dl_internal.h. */
#ifndef SGXRA_STORE_DL_PQ_H
#define SGXRA_STORE_DL_PQ_H

#include <libpq-fe.h>

#include "store/dl_internal.h"

/* Every function of the library that sgxra calls. */
#define SGXRA__PQ_FUNCS(X, T)                                                  \
  X(T, PQclear)                                                                \
  X(T, PQconnectdb)                                                            \
  X(T, PQconninfoFree)                                                         \
  X(T, PQconninfoParse)                                                        \
  X(T, PQerrorMessage)                                                         \
  X(T, PQexec)                                                                 \
  X(T, PQexecParams)                                                           \
  X(T, PQfinish)                                                               \
  X(T, PQfreemem)                                                              \
  X(T, PQftype)                                                                \
  X(T, PQgetisnull)                                                            \
  X(T, PQgetlength)                                                            \
  X(T, PQgetvalue)                                                             \
  X(T, PQnfields)                                                              \
  X(T, PQntuples)                                                              \
  X(T, PQreset)                                                                \
  X(T, PQresultErrorField)                                                     \
  X(T, PQresultErrorMessage)                                                   \
  X(T, PQresultStatus)                                                         \
  X(T, PQsetClientEncoding)                                                    \
  X(T, PQstatus)

SGXRA__DL_TABLE(sgxra__pq_fns, SGXRA__PQ_FUNCS);

extern sgxra__pq_fns sgxra__pq;
extern sgxra__dl_lib sgxra__pq_lib;

/* Loads libpq.so.5 (once per process). */
static inline sgxra_err sgxra__pq_load(sgxra_ctx *cx) {
  return sgxra__dl_load(cx, &sgxra__pq_lib);
}

#ifndef SGXRA__DL_PQ_IMPL
#define PQclear (sgxra__pq.PQclear)
#define PQconnectdb (sgxra__pq.PQconnectdb)
#define PQconninfoFree (sgxra__pq.PQconninfoFree)
#define PQconninfoParse (sgxra__pq.PQconninfoParse)
#define PQerrorMessage (sgxra__pq.PQerrorMessage)
#define PQexec (sgxra__pq.PQexec)
#define PQexecParams (sgxra__pq.PQexecParams)
#define PQfinish (sgxra__pq.PQfinish)
#define PQfreemem (sgxra__pq.PQfreemem)
#define PQftype (sgxra__pq.PQftype)
#define PQgetisnull (sgxra__pq.PQgetisnull)
#define PQgetlength (sgxra__pq.PQgetlength)
#define PQgetvalue (sgxra__pq.PQgetvalue)
#define PQnfields (sgxra__pq.PQnfields)
#define PQntuples (sgxra__pq.PQntuples)
#define PQreset (sgxra__pq.PQreset)
#define PQresultErrorField (sgxra__pq.PQresultErrorField)
#define PQresultErrorMessage (sgxra__pq.PQresultErrorMessage)
#define PQresultStatus (sgxra__pq.PQresultStatus)
#define PQsetClientEncoding (sgxra__pq.PQsetClientEncoding)
#define PQstatus (sgxra__pq.PQstatus)
#endif

#endif
