/* X.509 certificates and chains: see sgxra/x509.h.  (Stub while the
 * implementation lands.) */
#include "sgxra/x509.h"
#include "core/internal.h"

sgxra_err sgxra_x509_chain_parse_pem(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                     sgxra_x509_chain **out_chain) {
  (void)p;
  (void)n;
  if (out_chain) *out_chain = NULL;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "X.509 not implemented yet");
}
sgxra_err sgxra_x509_chain_parse_der(sgxra_ctx *cx, const uint8_t *der,
                                     size_t n, sgxra_x509_chain **out_chain) {
  return sgxra_x509_chain_parse_pem(cx, der, n, out_chain);
}
sgxra_err sgxra_x509_intel_root(sgxra_ctx *cx, sgxra_x509_chain **out_chain) {
  return sgxra_x509_chain_parse_pem(cx, NULL, 0, out_chain);
}
size_t sgxra_x509_chain_count(const sgxra_x509_chain *chain) {
  (void)chain;
  return 0;
}
const sgxra_x509_cert *sgxra_x509_chain_get(const sgxra_x509_chain *chain,
                                            size_t i) {
  (void)chain;
  (void)i;
  return NULL;
}
void sgxra_x509_chain_free(sgxra_x509_chain *chain) {
  (void)chain;
}
sgxra_err sgxra_x509_chain_verify(sgxra_ctx *cx, const sgxra_x509_chain *chain,
                                  const sgxra_x509_cert *root, int64_t now,
                                  int *out_expired) {
  (void)chain;
  (void)root;
  (void)now;
  if (out_expired) *out_expired = 0;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "X.509 not implemented yet");
}
void sgxra_x509_cert_der(const sgxra_x509_cert *c, const uint8_t **out_der,
                         size_t *out_len) {
  (void)c;
  *out_der = NULL;
  *out_len = 0;
}
const char *sgxra_x509_cert_subject_cn(const sgxra_x509_cert *c) {
  (void)c;
  return "";
}
const char *sgxra_x509_cert_issuer_cn(const sgxra_x509_cert *c) {
  (void)c;
  return "";
}
int64_t sgxra_x509_cert_not_before(const sgxra_x509_cert *c) {
  (void)c;
  return 0;
}
int64_t sgxra_x509_cert_not_after(const sgxra_x509_cert *c) {
  (void)c;
  return 0;
}
const sgxra_x509_serial *sgxra_x509_cert_serial(const sgxra_x509_cert *c) {
  (void)c;
  return NULL;
}
const sgxra_p256_key *sgxra_x509_cert_public_key(const sgxra_x509_cert *c) {
  (void)c;
  return NULL;
}
int sgxra_x509_cert_is_ca(const sgxra_x509_cert *c) {
  (void)c;
  return 0;
}
int sgxra_x509_cert_is_self_issued(const sgxra_x509_cert *c) {
  (void)c;
  return 0;
}
sgxra_err sgxra_x509_cert_extension(sgxra_ctx *cx, const sgxra_x509_cert *c,
                                    const char *oid, const uint8_t **out_value,
                                    size_t *out_len) {
  (void)c;
  (void)oid;
  *out_value = NULL;
  *out_len = 0;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "X.509 not implemented yet");
}
int sgxra_x509_cert_equal(const sgxra_x509_cert *a, const sgxra_x509_cert *b) {
  return a == b;
}
