/* net/token.c -- the attestation service's tokens (JWT, ES256), its JWKS
 * (GET /v1/certs) and its verifier nonces (GET /v1/nonce); see
 * sgxra/verifier.h and docs/VERIFIER.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "net/verifier_internal.h"
#include "sgxra/base64.h"
#include "sgxra/hex.h"

void sgxra__b64url(const uint8_t *p, size_t n, char *out, size_t out_size) {
  if (sgxra_base64_encode_text(NULL, p, n,
                               SGXRA_BASE64_URL | SGXRA_BASE64_NO_PAD, out,
                               out_size) != SGXRA_OK &&
      out_size)
    out[0] = 0;
}

/* Standard base64 with padding as a jansson string. */
static json_t *b64_json(const uint8_t *p, size_t n) {
  char buf[128];
  if (sgxra_base64_encoded_len(n, SGXRA_BASE64_STD) >= sizeof buf)
    return json_null();
  sgxra_base64_encode(p, n, buf);
  return json_string(buf);
}

sgxra_err sgxra__token_key_ids(sgxra_ctx *cx, sgxra_verifier_service *v) {
  uint8_t xy[SGXRA_P256_PUBLIC_SIZE];
  sgxra_p256_public_raw(v->token_key, xy);
  sgxra__b64url(xy, 32, v->jwk_x, sizeof v->jwk_x);
  sgxra__b64url(xy + 32, 32, v->jwk_y, sizeof v->jwk_y);
  /* RFC 7638: the required members in lexicographic order, no spaces. */
  char canon[160];
  int n =
      snprintf(canon, sizeof canon,
               "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
               v->jwk_x, v->jwk_y);
  uint8_t h[SGXRA_SHA256_SIZE];
  sgxra_err e = sgxra_sha256(cx, canon, (size_t)n, h);
  if (e) return e;
  sgxra__b64url(h, sizeof h, v->kid, sizeof v->kid);
  return SGXRA_OK;
}

/* base64url (no padding) of text, malloc'ed. */
static char *b64url_alloc(const char *p, size_t n) {
  size_t len =
      sgxra_base64_encoded_len(n, SGXRA_BASE64_URL | SGXRA_BASE64_NO_PAD);
  if (len == SIZE_MAX) return NULL;
  char *out = malloc(len + 1);
  if (out) sgxra__b64url((const uint8_t *)p, n, out, len + 1);
  return out;
}

sgxra_err sgxra__jwt_sign(sgxra_ctx *cx, const sgxra_verifier_service *v,
                          const json_t *claims, char **out_jwt) {
  *out_jwt = NULL;
  char header[160];
  snprintf(header, sizeof header,
           "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", v->kid);
  char *payload = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
  char *h64 = b64url_alloc(header, strlen(header));
  char *p64 = payload ? b64url_alloc(payload, strlen(payload)) : NULL;
  char *jwt = NULL;
  sgxra_err e = SGXRA_OK;
  if (!h64 || !p64) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "token");
    goto done;
  }
  size_t hl = strlen(h64), pl = strlen(p64);
  /* header . payload . 86 characters of signature */
  jwt = malloc(hl + 1 + pl + 1 + 88);
  if (!jwt) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "token");
    goto done;
  }
  memcpy(jwt, h64, hl);
  jwt[hl] = '.';
  memcpy(jwt + hl + 1, p64, pl);
  size_t signed_len = hl + 1 + pl;
  uint8_t sig[SGXRA_P256_SIG_SIZE];
  if ((e = sgxra_p256_sign(cx, v->token_key, jwt, signed_len, sig))) goto done;
  jwt[signed_len] = '.';
  sgxra__b64url(sig, sizeof sig, jwt + signed_len + 1, 88);
  *out_jwt = jwt;
  jwt = NULL;
done:
  free(jwt);
  free(h64);
  free(p64);
  free(payload);
  return e;
}

sgxra_err sgxra_verifier_jwks(sgxra_ctx *cx, sgxra_verifier_service *v,
                              sgxra_verifier_response *out) {
  if (!v || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_jwks: NULL argument");
  sgxra_verifier_response_clear(out);
  json_t *key = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC",
                          "crv", "P-256", "x", v->jwk_x, "y", v->jwk_y, "kid",
                          v->kid, "alg", "ES256", "use", "sig");
  json_t *o = key ? json_pack("{s:[o]}", "keys", key) : NULL;
  return sgxra__vresp_json(cx, out, 200, o);
}

/* val (32 bytes) || iat (8 bytes, big-endian unix seconds). */
static void
nonce_message(const uint8_t val[SGXRA__NONCE_VAL_SIZE],
              const uint8_t iat[SGXRA__NONCE_IAT_SIZE],
              uint8_t out[SGXRA__NONCE_VAL_SIZE + SGXRA__NONCE_IAT_SIZE]) {
  memcpy(out, val, SGXRA__NONCE_VAL_SIZE);
  memcpy(out + SGXRA__NONCE_VAL_SIZE, iat, SGXRA__NONCE_IAT_SIZE);
}

sgxra_err sgxra_verifier_nonce(sgxra_ctx *cx, sgxra_verifier_service *v,
                               int64_t now, sgxra_verifier_response *out) {
  if (!v || !out)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "sgxra_verifier_nonce: NULL argument");
  sgxra_verifier_response_clear(out);
  uint8_t val[SGXRA__NONCE_VAL_SIZE], iat[SGXRA__NONCE_IAT_SIZE];
  uint8_t msg[SGXRA__NONCE_VAL_SIZE + SGXRA__NONCE_IAT_SIZE];
  uint8_t sig[SGXRA_P256_SIG_SIZE];
  sgxra_err e = sgxra_random(cx, val, sizeof val);
  if (e) return e;
  uint64_t t = (uint64_t)now;
  for (int i = 0; i < 8; i++) iat[i] = (uint8_t)(t >> (56 - 8 * i));
  nonce_message(val, iat, msg);
  if ((e = sgxra_p256_sign(cx, v->token_key, msg, sizeof msg, sig))) return e;
  json_t *o = json_object();
  json_object_set_new(o, "val", b64_json(val, sizeof val));
  json_object_set_new(o, "iat", b64_json(iat, sizeof iat));
  json_object_set_new(o, "signature", b64_json(sig, sizeof sig));
  return sgxra__vresp_json(cx, out, 200, o);
}

/* Decode member `name` of the nonce: exactly `want` bytes.  0 and a
 * message when it is not. */
static int nonce_part(sgxra_ctx *cx, const json_t *nonce, const char *name,
                      uint8_t *out, size_t want, char *msg, size_t msg_size) {
  json_t *m = json_object_get(nonce, name);
  if (!m) {
    snprintf(msg, msg_size, "member '%s' is missing", name);
    return 0;
  }
  if (!json_is_string(m)) {
    snprintf(msg, msg_size, "member '%s' must be a base64 string", name);
    return 0;
  }
  uint8_t *buf = NULL;
  size_t n = 0;
  sgxra_err e = sgxra_base64_decode_text(
      cx, json_string_value(m), json_string_length(m),
      SGXRA_BASE64_STD | SGXRA_BASE64_PAD_OPTIONAL, 256, &buf, &n);
  if (e) {
    snprintf(msg, msg_size, "member '%s': %s", name, sgxra_ctx_message(cx));
    return 0;
  }
  if (n != want) {
    snprintf(msg, msg_size, "member '%s' is %zu bytes, not %zu", name, n, want);
    free(buf);
    return 0;
  }
  memcpy(out, buf, want);
  free(buf);
  return 1;
}

sgxra_err sgxra__nonce_check(sgxra_ctx *cx, const sgxra_verifier_service *v,
                             const json_t *nonce, int64_t now,
                             const char **out_code, char *msg,
                             size_t msg_size) {
  *out_code = "nonce_invalid";
  msg[0] = 0;
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)nonce, key, val) {
    if (strcmp(key, "val") && strcmp(key, "iat") && strcmp(key, "signature")) {
      snprintf(msg, msg_size,
               "unknown member '%.64s' (known: val, iat, "
               "signature)",
               key);
      return SGXRA_OK;
    }
  }
  uint8_t v_[SGXRA__NONCE_VAL_SIZE], iat[SGXRA__NONCE_IAT_SIZE];
  uint8_t sig[SGXRA_P256_SIG_SIZE];
  uint8_t m[SGXRA__NONCE_VAL_SIZE + SGXRA__NONCE_IAT_SIZE];
  if (!nonce_part(cx, nonce, "val", v_, sizeof v_, msg, msg_size) ||
      !nonce_part(cx, nonce, "iat", iat, sizeof iat, msg, msg_size) ||
      !nonce_part(cx, nonce, "signature", sig, sizeof sig, msg, msg_size))
    return SGXRA_OK;
  nonce_message(v_, iat, m);
  sgxra_err e = sgxra_p256_verify(cx, v->token_key, m, sizeof m, sig);
  if (e == SGXRA_E_NO_MEMORY) return e;
  if (e) {
    snprintf(msg, msg_size,
             "signature does not verify with this verifier's key (a nonce "
             "from GET /v1/nonce of this verifier, unchanged, is needed)");
    return SGXRA_OK;
  }
  uint64_t t = 0;
  for (int i = 0; i < 8; i++) t = (t << 8) | iat[i];
  int64_t issued = (int64_t)t;
  if (t > (uint64_t)INT64_MAX || issued > now) {
    snprintf(msg, msg_size, "issued at %llu, after the verification time %lld",
             (unsigned long long)t, (long long)now);
    return SGXRA_OK;
  }
  if (now - issued > v->nonce_ttl) {
    *out_code = "nonce_expired";
    snprintf(msg, msg_size,
             "issued %lld s before the verification time; nonces are "
             "accepted for %lld s: get a new one",
             (long long)(now - issued), (long long)v->nonce_ttl);
    return SGXRA_OK;
  }
  *out_code = NULL;
  return SGXRA_OK;
}
