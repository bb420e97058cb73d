/* libcurl, loaded on first use.  See net/dl_curl.h. */
#define SGXRA__DL_CURL_IMPL
#include "net/dl_curl.h"

/* The SONAME of the library the build found (CMakeLists.txt). */
#ifndef SGXRA_LIBCURL_SONAME
#define SGXRA_LIBCURL_SONAME "libcurl.so.4"
#endif

sgxra__curl_fns sgxra__curl;

SGXRA__DL_RESOLVER(resolve, sgxra__curl, SGXRA__CURL_FUNCS)

sgxra__dl_lib sgxra__curl_lib = {
    .soname = SGXRA_LIBCURL_SONAME,
    .package = "libcurl4; libcurl3-gnutls for libcurl-gnutls.so.4",
    .needed_by = "HTTP clients (collateral fetch from a PCS/PCCS, the service "
                 "provider's verifier calls, `sgxra client`)",
    .resolve = resolve,
};
