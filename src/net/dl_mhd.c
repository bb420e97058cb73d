/* libmicrohttpd, loaded on first use.  See net/dl_mhd.h. */
#define SGXRA__DL_MHD_IMPL
#include "net/dl_mhd.h"

/* The SONAME of the library the build found (CMakeLists.txt). */
#ifndef SGXRA_LIBMHD_SONAME
#define SGXRA_LIBMHD_SONAME "libmicrohttpd.so.12"
#endif

sgxra__mhd_fns sgxra__mhd;

static const char *resolve(void *h) {
  const char *missing = NULL;
#define SGXRA__DL_RESOLVE(f) sgxra__dl_sym(h, #f, &sgxra__mhd.f, &missing);
  SGXRA__MHD_FUNCS(SGXRA__DL_RESOLVE)
#undef SGXRA__DL_RESOLVE
  return missing;
}

sgxra__dl_lib sgxra__mhd_lib = {
    .soname = SGXRA_LIBMHD_SONAME,
    .package = "libmicrohttpd12",
    .needed_by = "HTTP servers (`sgxra serve`)",
    .resolve = resolve,
};
