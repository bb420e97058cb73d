/* QE Identity: see sgxra/collateral.h.  (Stub while the implementation
 * lands.) */
#include "core/internal.h"
#include "sgxra/collateral.h"

sgxra_err sgxra_qeidentity_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                 sgxra_qeidentity **out_id) {
  (void)p;
  (void)n;
  if (out_id) *out_id = NULL;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED,
                     "QE Identity not implemented yet");
}
sgxra_err sgxra_qeidentity_verify(sgxra_ctx *cx, const sgxra_qeidentity *id,
                                  const sgxra_p256_key *key) {
  (void)id;
  (void)key;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED,
                     "QE Identity not implemented yet");
}
void sgxra_qeidentity_free(sgxra_qeidentity *id) {
  (void)id;
}
