/* libmicrohttpd, loaded on first use.  See net/dl_mhd.h. */
#define SGXRA__DL_MHD_IMPL
#include "net/dl_mhd.h"

/* The SONAME of the library the build found (CMakeLists.txt). */
#ifndef SGXRA_LIBMHD_SONAME
#define SGXRA_LIBMHD_SONAME "libmicrohttpd.so.12"
#endif

sgxra__mhd_fns sgxra__mhd;

SGXRA__DL_RESOLVER(resolve, sgxra__mhd, SGXRA__MHD_FUNCS)

sgxra__dl_lib sgxra__mhd_lib = {
    .soname = SGXRA_LIBMHD_SONAME,
    .package = "libmicrohttpd12",
    .needed_by = "HTTP servers (`sgxra serve`)",
    .resolve = resolve,
};
