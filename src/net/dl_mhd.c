/* libmicrohttpd, loaded on first use.  See net/dl_mhd.h. */
#define SGXRA__DL_MHD_IMPL
#include "net/dl_mhd.h"

sgxra__mhd_fns sgxra__mhd;

static const char *resolve(void *h) {
  const char *missing = NULL;
#define SGXRA__DL_RESOLVE(f) sgxra__dl_sym(h, #f, &sgxra__mhd.f, &missing);
  SGXRA__MHD_FUNCS(SGXRA__DL_RESOLVE)
#undef SGXRA__DL_RESOLVE
  return missing;
}

sgxra__dl_lib sgxra__mhd_lib = {
    .soname = "libmicrohttpd.so.12",
    .package = "libmicrohttpd12",
    .needed_by = "HTTP servers (`sgxra serve`)",
    .resolve = resolve,
};
