/*
 * enclaves/example_enclave.c -- the project's example enclave.
 *
 * A real ELF shared object, measured page by page (sgxra/layout.h) and
 * signed at build time with enclaves/demo_signing_key.pem, a PUBLIC demo key:
 * its MRSIGNER is a debug signer that nobody may trust in production.
 *
 * It is built without the C library (-nostdlib) and without a build ID, so
 * the same toolchain gives the same bytes and the same MRENCLAVE.  It
 * depends on nothing but the api the emulated CPU hands it: EREPORT and
 * EGETKEY bound to this enclave's own identity (sgxra/enclave_api.h).
 *
 * Operations:
 *   SGXRA_ENCLAVE_OP_REPORT   TARGETINFO || REPORTDATA -> REPORT for that
 *                             target (what `sgxra platform quote` asks for).
 *   EXAMPLE_OP_GETKEY         KEYREQUEST -> the 16-byte key.  DEMO AND TEST
 *                             ONLY: a real enclave never lets a key leave.
 */
#include "sgxra/enclave_api.h"

#define EXAMPLE_OP_GETKEY (SGXRA_ENCLAVE_OP_USER + 1u)

/* Codes returned to the host: the values of SGXRA_E_INVALID_ARGUMENT and
 * SGXRA_E_UNSUPPORTED (sgxra/errors/core.h), without linking libsgxra. */
#define RC_INVALID_ARGUMENT 1
#define RC_UNSUPPORTED 9

__attribute__((visibility("default"))) int
sgxra_enclave_entry(const sgxra_enclave_api *api, uint32_t op,
                    const uint8_t *in, size_t in_len, uint8_t *out,
                    size_t out_cap, size_t *out_len);

int sgxra_enclave_entry(const sgxra_enclave_api *api, uint32_t op,
                        const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t out_cap, size_t *out_len) {
  int rc;
  if (out_len == 0) return RC_INVALID_ARGUMENT;
  *out_len = 0;
  if (api == 0 || api->version != SGXRA_ENCLAVE_API_VERSION ||
      api->size < sizeof *api)
    return RC_UNSUPPORTED;
  switch (op) {
  case SGXRA_ENCLAVE_OP_REPORT:
    if (in == 0 || in_len != 512 + 64 || out == 0 || out_cap < 432)
      return RC_INVALID_ARGUMENT;
    rc = api->ereport(api->self, in, in + 512, out);
    if (rc == 0) *out_len = 432;
    return rc;
  case EXAMPLE_OP_GETKEY:
    if (in == 0 || in_len != 512 || out == 0 || out_cap < 16)
      return RC_INVALID_ARGUMENT;
    rc = api->egetkey(api->self, in, out);
    if (rc == 0) *out_len = 16;
    return rc;
  default:
    return RC_UNSUPPORTED;
  }
}
