/* The attester: see sgxra/attester.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "sgxra/attester.h"
#include "sgxra/enclave_api.h"
#include "sgxra/qe.h"

sgxra_err sgxra_attester_open(sgxra_ctx *cx, const sgxra_attester_options *opt,
                              sgxra_attester **out) {
  (void)opt;
  if (out) *out = NULL;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "attester: not implemented yet");
}

void sgxra_attester_client_ops(sgxra_attester *a, sgxra_ra_client_ops *out) {
  (void)a;
  memset(out, 0, sizeof *out);
}

void sgxra_attester_enclave_secs(const sgxra_attester *a, sgxra_emu_secs *out) {
  (void)a;
  memset(out, 0, sizeof *out);
}

sgxra_err sgxra_attester_unseal(sgxra_ctx *cx, sgxra_attester *a,
                                const uint8_t *blob, size_t n,
                                uint8_t **out_secret, size_t *out_len) {
  (void)a;
  (void)blob;
  (void)n;
  if (out_secret) *out_secret = NULL;
  if (out_len) *out_len = 0;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "attester: not implemented yet");
}

void sgxra_attester_free(sgxra_attester *a) { (void)a; }
