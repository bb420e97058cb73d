/* CRLs: see sgxra/x509.h.  (Stub while the implementation lands.) */
#include "core/internal.h"
#include "sgxra/x509.h"

sgxra_err sgxra_crl_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                          sgxra_crl **out_crl) {
  (void)p;
  (void)n;
  if (out_crl) *out_crl = NULL;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "CRL not implemented yet");
}
void sgxra_crl_free(sgxra_crl *crl) {
  (void)crl;
}
const char *sgxra_crl_issuer_cn(const sgxra_crl *crl) {
  (void)crl;
  return "";
}
int64_t sgxra_crl_this_update(const sgxra_crl *crl) {
  (void)crl;
  return 0;
}
int64_t sgxra_crl_next_update(const sgxra_crl *crl) {
  (void)crl;
  return 0;
}
size_t sgxra_crl_count(const sgxra_crl *crl) {
  (void)crl;
  return 0;
}
sgxra_err sgxra_crl_verify(sgxra_ctx *cx, const sgxra_crl *crl,
                           const sgxra_x509_cert *ca) {
  (void)crl;
  (void)ca;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "CRL not implemented yet");
}
int sgxra_crl_has_serial(const sgxra_crl *crl, const uint8_t *serial,
                         size_t n) {
  (void)crl;
  (void)serial;
  (void)n;
  return 0;
}
int sgxra_crl_is_revoked(const sgxra_crl *crl, const sgxra_x509_cert *c) {
  (void)crl;
  (void)c;
  return 0;
}
