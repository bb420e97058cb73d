/* The collateral set: see sgxra/collateral.h.  (Stub while the
 * implementation lands.) */
#include "sgxra/collateral.h"
#include "core/internal.h"

sgxra_err sgxra_collateral_load(sgxra_ctx *cx,
                                const sgxra_collateral_buffers *b,
                                sgxra_collateral **out_coll) {
  (void)b;
  if (out_coll) *out_coll = NULL;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "collateral not implemented yet");
}
sgxra_err sgxra_collateral_load_dir(sgxra_ctx *cx, const char *dir,
                                    sgxra_collateral **out_coll) {
  (void)dir;
  return sgxra_collateral_load(cx, NULL, out_coll);
}
void sgxra_collateral_free(sgxra_collateral *coll) {
  (void)coll;
}
sgxra_err sgxra_collateral_validate(sgxra_ctx *cx, sgxra_collateral *coll,
                                    const sgxra_x509_cert *root, int64_t now) {
  (void)coll;
  (void)root;
  (void)now;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "collateral not implemented yet");
}
int sgxra_collateral_is_validated(const sgxra_collateral *coll) {
  (void)coll;
  return 0;
}
sgxra_collateral_window sgxra_collateral_dates(const sgxra_collateral *coll) {
  sgxra_collateral_window w = {0, 0, 0, 0};
  (void)coll;
  return w;
}
int sgxra_collateral_expired(const sgxra_collateral *coll) {
  (void)coll;
  return 0;
}
int sgxra_collateral_expired_at(const sgxra_collateral *coll, int64_t now) {
  (void)coll;
  (void)now;
  return 0;
}
const sgxra_tcbinfo *sgxra_collateral_tcbinfo(const sgxra_collateral *coll) {
  (void)coll;
  return NULL;
}
const sgxra_qeidentity *
sgxra_collateral_qeidentity(const sgxra_collateral *coll) {
  (void)coll;
  return NULL;
}
const sgxra_x509_cert *sgxra_collateral_pck_ca(const sgxra_collateral *coll) {
  (void)coll;
  return NULL;
}
const sgxra_x509_cert *sgxra_collateral_root(const sgxra_collateral *coll) {
  (void)coll;
  return NULL;
}
const sgxra_crl *sgxra_collateral_pck_crl(const sgxra_collateral *coll) {
  (void)coll;
  return NULL;
}
const sgxra_crl *sgxra_collateral_root_crl(const sgxra_collateral *coll) {
  (void)coll;
  return NULL;
}
const sgxra_x509_cert *
sgxra_collateral_tcb_signer(const sgxra_collateral *coll) {
  (void)coll;
  return NULL;
}
sgxra_err sgxra_collateral_check_pck_chain(sgxra_ctx *cx,
                                           const sgxra_collateral *coll,
                                           const sgxra_x509_chain *pck_chain,
                                           int64_t now, int *out_expired) {
  (void)coll;
  (void)pck_chain;
  (void)now;
  if (out_expired) *out_expired = 0;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "collateral not implemented yet");
}
