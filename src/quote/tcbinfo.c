/* TCB Info: see sgxra/collateral.h.  (Stub while the implementation
 * lands.) */
#include "core/internal.h"
#include "sgxra/collateral.h"

const char *sgxra_tcb_status_name(sgxra_tcb_status s) {
  (void)s;
  return "";
}
sgxra_tcb_status sgxra_tcb_status_from_name(const char *s, size_t n) {
  (void)s;
  (void)n;
  return SGXRA_TCB_STATUS_INVALID;
}
sgxra_err sgxra_tcbinfo_parse(sgxra_ctx *cx, const uint8_t *p, size_t n,
                              sgxra_tcbinfo **out_info) {
  (void)p;
  (void)n;
  if (out_info) *out_info = NULL;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "TCB Info not implemented yet");
}
sgxra_err sgxra_tcbinfo_verify(sgxra_ctx *cx, const sgxra_tcbinfo *info,
                               const sgxra_p256_key *key) {
  (void)info;
  (void)key;
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, "TCB Info not implemented yet");
}
void sgxra_tcbinfo_free(sgxra_tcbinfo *info) {
  (void)info;
}
