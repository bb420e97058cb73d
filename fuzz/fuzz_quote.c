/* Fuzz target: quote parsing and the whole verification path.
 *
 * Each input is parsed as a quote, its PCK chain and SGX extension are read
 * when present, and it is verified against the real collateral of bundle
 * sgx-01 (loaded and validated once), so mutated quotes travel as deep into
 * the verifier as they can.  Any outcome is fine; a crash, leak or
 * sanitizer report is not. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sgxra/collateral.h"
#include "sgxra/quote.h"
#include "sgxra/verify.h"

#ifndef SGXRA_VECTORS_DIR
#define SGXRA_VECTORS_DIR "../shared/vectors"
#endif

static sgxra_collateral *coll;
static sgxra_verifier *verifier;
static const int64_t at = 1751328000; /* sgx-01's verification time */

static void setup(void) {
  static int done;
  if (done) return;
  done = 1;
  const char *dir = getenv("SGXRA_VECTORS");
  char path[4096];
  snprintf(path, sizeof(path), "%s/dcap/bundles/sgx-01-phala-v3",
           dir ? dir : SGXRA_VECTORS_DIR);
  if (sgxra_collateral_load_dir(NULL, path, &coll) != SGXRA_OK ||
      sgxra_collateral_validate(NULL, coll, NULL, at) != SGXRA_OK ||
      sgxra_verifier_new(NULL, coll, &verifier) != SGXRA_OK) {
    fprintf(stderr, "fuzz_quote: cannot load collateral from %s\n", path);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  setup();
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_quote q;
  if (sgxra_quote_parse(cx, data, size, &q) == SGXRA_OK) {
    const char *pem;
    size_t pem_len;
    if (sgxra_quote_pck_chain(cx, &q, &pem, &pem_len) == SGXRA_OK) {
      sgxra_x509_chain *chain = NULL;
      if (sgxra_x509_chain_parse_pem(cx, (const uint8_t *)pem, pem_len,
                                     &chain) == SGXRA_OK)
        sgxra_x509_chain_free(chain);
    }
  }
  sgxra_verdict v;
  if (sgxra_verifier_verify(cx, verifier, data, size, at, &v) != SGXRA_OK)
    abort(); /* only misuse may fail, and this is not misuse */
  sgxra_ctx_free(cx);
  return 0;
}
