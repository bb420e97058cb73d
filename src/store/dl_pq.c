/* libpq, loaded on first use.  See store/dl_pq.h. */
#define SGXRA__DL_PQ_IMPL
#include "store/dl_pq.h"

/* The SONAME of the library the build found (CMakeLists.txt). */
#ifndef SGXRA_LIBPQ_SONAME
#define SGXRA_LIBPQ_SONAME "libpq.so.5"
#endif

sgxra__pq_fns sgxra__pq;

SGXRA__DL_RESOLVER(resolve, sgxra__pq, SGXRA__PQ_FUNCS)

sgxra__dl_lib sgxra__pq_lib = {
    .soname = SGXRA_LIBPQ_SONAME,
    .package = "libpq5",
    .needed_by =
        "PostgreSQL databases (postgresql://... or a key=value conninfo)",
    .resolve = resolve,
};
