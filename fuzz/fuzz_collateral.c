/* Fuzz target: the collateral parsers.  The first byte picks the parser
 * (TCB Info, QE Identity, CRL, PEM certificate chain, SGX extension), the
 * rest is its input.  Any outcome is fine; a crash, leak or sanitizer
 * report is not. */
#include <stdint.h>
#include <stdlib.h>

#include "sgxra/collateral.h"
#include "sgxra/quote.h"
#include "sgxra/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* Errors are expected outcomes; collected only to use the results. */
  unsigned outcome = 0;
  if (size < 1) return 0;
  sgxra_ctx *cx = sgxra_ctx_new();
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  switch (data[0] % 5) {
  case 0: {
    sgxra_tcbinfo *t = NULL;
    if (sgxra_tcbinfo_parse(cx, p, n, &t) == SGXRA_OK) sgxra_tcbinfo_free(t);
    break;
  }
  case 1: {
    sgxra_qeidentity *q = NULL;
    if (sgxra_qeidentity_parse(cx, p, n, &q) == SGXRA_OK)
      sgxra_qeidentity_free(q);
    break;
  }
  case 2: {
    sgxra_crl *c = NULL;
    if (sgxra_crl_parse(cx, p, n, &c) == SGXRA_OK) sgxra_crl_free(c);
    break;
  }
  case 3: {
    sgxra_x509_chain *c = NULL;
    if (sgxra_x509_chain_parse_pem(cx, p, n, &c) == SGXRA_OK)
      sgxra_x509_chain_free(c);
    break;
  }
  default: {
    sgxra_pck_ext e;
    outcome |= sgxra_pck_ext_parse(cx, p, n, &e);
    sgxra_pck_cert pc;
    outcome |= sgxra_pck_cert_parse(cx, p, n, &pc);
    break;
  }
  }
  sgxra_ctx_free(cx);
  (void)outcome;
  return 0;
}
