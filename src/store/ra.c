/* Schema v3: RA sessions, provisioned secrets, admin tokens.
 * See sgxra/store.h and docs/STORE.md.  (Stubs: implementation follows.) */
#include <string.h>

#include "store/internal.h"

int sgxra_store_session_id_valid(const char *id) {
  if (!id) return 0;
  for (size_t i = 0; i < SGXRA_STORE_SESSION_ID_LEN; i++) {
    char c = id[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
  }
  return id[SGXRA_STORE_SESSION_ID_LEN] == '\0';
}

#define STUB(fn)                                                               \
  return sgxra__fail(cx, SGXRA_E_UNSUPPORTED, fn ": not implemented yet")

sgxra_err sgxra_store_session_put(sgxra_ctx *cx, sgxra_store *st,
                                  const char *id, int state,
                                  const uint8_t *blob, size_t blob_len,
                                  int64_t now, int64_t expires) {
  (void)st, (void)id, (void)state, (void)blob, (void)blob_len, (void)now,
      (void)expires;
  STUB("sgxra_store_session_put");
}

sgxra_err sgxra_store_session_get(sgxra_ctx *cx, sgxra_store *st,
                                  const char *id, int *out_found,
                                  int *out_state, uint8_t **out_blob,
                                  size_t *out_blob_len, int64_t *out_expires) {
  (void)st, (void)id, (void)out_found, (void)out_state, (void)out_blob,
      (void)out_blob_len, (void)out_expires;
  STUB("sgxra_store_session_get");
}

sgxra_err sgxra_store_session_advance(sgxra_ctx *cx, sgxra_store *st,
                                      const char *id, int from, int to,
                                      const uint8_t *blob, size_t blob_len,
                                      int64_t now, int *out_advanced) {
  (void)st, (void)id, (void)from, (void)to, (void)blob, (void)blob_len,
      (void)now, (void)out_advanced;
  STUB("sgxra_store_session_advance");
}

sgxra_err sgxra_store_session_purge(sgxra_ctx *cx, sgxra_store *st, int64_t now,
                                    int64_t *out_deleted) {
  (void)st, (void)now, (void)out_deleted;
  STUB("sgxra_store_session_purge");
}

const char *sgxra_store_secret_kind_name(sgxra_store_secret_kind k) {
  switch (k) {
  case SGXRA_STORE_SECRET_MRENCLAVE:
    return "mrenclave";
  case SGXRA_STORE_SECRET_SIGNER:
    return "signer";
  }
  return "?";
}

sgxra_err sgxra_store_secret_set(sgxra_ctx *cx, sgxra_store *st,
                                 const sgxra_store_secret_binding *b,
                                 const uint8_t *bytes, size_t len,
                                 const char *actor, int64_t now,
                                 sgxra_store_secret_info *out) {
  (void)st, (void)b, (void)bytes, (void)len, (void)actor, (void)now, (void)out;
  STUB("sgxra_store_secret_set");
}

sgxra_err sgxra_store_secret_get(sgxra_ctx *cx, sgxra_store *st,
                                 const sgxra_store_secret_binding *b,
                                 int *out_found,
                                 sgxra_store_secret_info *out_info,
                                 uint8_t **out_bytes, size_t *out_len) {
  (void)st, (void)b, (void)out_found, (void)out_info, (void)out_bytes,
      (void)out_len;
  STUB("sgxra_store_secret_get");
}

sgxra_err sgxra_store_secret_list(sgxra_ctx *cx, sgxra_store *st,
                                  sgxra_store_secret_info **out,
                                  size_t *out_n) {
  (void)st, (void)out, (void)out_n;
  STUB("sgxra_store_secret_list");
}

sgxra_err sgxra_store_secret_delete(sgxra_ctx *cx, sgxra_store *st,
                                    const sgxra_store_secret_binding *b,
                                    const char *actor, int64_t now,
                                    int *out_deleted) {
  (void)st, (void)b, (void)actor, (void)now, (void)out_deleted;
  STUB("sgxra_store_secret_delete");
}

sgxra_err sgxra_store_token_add(sgxra_ctx *cx, sgxra_store *st,
                                const char *name,
                                const uint8_t sha256[SGXRA_SHA256_SIZE],
                                const char *actor, int64_t now,
                                int64_t *out_id) {
  (void)st, (void)name, (void)sha256, (void)actor, (void)now, (void)out_id;
  STUB("sgxra_store_token_add");
}

sgxra_err sgxra_store_token_check(sgxra_ctx *cx, sgxra_store *st,
                                  const uint8_t sha256[SGXRA_SHA256_SIZE],
                                  int *out_found, sgxra_store_token *out) {
  (void)st, (void)sha256, (void)out_found, (void)out;
  STUB("sgxra_store_token_check");
}

sgxra_err sgxra_store_token_list(sgxra_ctx *cx, sgxra_store *st,
                                 int include_revoked, sgxra_store_token **out,
                                 size_t *out_n) {
  (void)st, (void)include_revoked, (void)out, (void)out_n;
  STUB("sgxra_store_token_list");
}

sgxra_err sgxra_store_token_revoke(sgxra_ctx *cx, sgxra_store *st,
                                   const char *name, const char *actor,
                                   int64_t now) {
  (void)st, (void)name, (void)actor, (void)now;
  STUB("sgxra_store_token_revoke");
}
