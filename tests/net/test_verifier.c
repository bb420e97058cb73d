/* Tests of the attestation service's core (sgxra/verifier.h): the state
 * directory and its keys; /v1/attest on every real bundle (verdict, TCB
 * status, advisories, collateral hashes) with the JWT checked by OpenSSL
 * against the JWKS key, independently of the signing code; an emulated
 * platform's quote through a PCCS client and the simulated PCS; nonces;
 * runtime_data binding; policies; every bad request class; the IAS v5
 * report (fields, status mapping, RSA signature, chain); 16 threads on one
 * verifier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <sys/stat.h>

#include "common/bundles.h"
#include "common/testutil.h"
#include "sgxra/emu.h"
#include "sgxra/file.h"
#include "sgxra/intelca.h"
#include "sgxra/pccs.h"
#include "sgxra/pcs.h"
#include "sgxra/qe.h"
#include "sgxra/sigstruct.h"
#include "sgxra/verifier.h"
#include "sgxra/x509.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */
#define RUNTIME "the enclave's public key, say"

/* ---- independent helpers (OpenSSL only) ---------------------------------- */

static uint8_t *b64_decode(const char *s, int url, size_t *out_n) {
  size_t n = strlen(s);
  char *t = malloc(n + 4);
  memcpy(t, s, n);
  for (size_t i = 0; i < n && url; i++) {
    if (t[i] == '-') t[i] = '+';
    if (t[i] == '_') t[i] = '/';
  }
  size_t pad = 0;
  while ((n + pad) % 4) t[n + pad++] = '=';
  t[n + pad] = 0;
  size_t total = n + pad;
  size_t eq = 0;
  while (eq < total && t[total - 1 - eq] == '=') eq++;
  uint8_t *out = malloc(total / 4 * 3 + 1);
  int r = EVP_DecodeBlock(out, (const unsigned char *)t, (int)total);
  free(t);
  assert_true(r >= 0);
  *out_n = (size_t)r - eq;
  return out;
}

static char *b64_encode(const uint8_t *p, size_t n) {
  char *s = malloc(4 * ((n + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)s, p, (int)n);
  return s;
}

static void sha256_hex(const void *p, size_t n, char out[65]) {
  uint8_t h[32];
  unsigned hl = 0;
  assert_int_equal(EVP_Digest(p, n, h, &hl, EVP_sha256(), NULL), 1);
  for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", h[i]);
}

static json_t *body_json(const sgxra_verifier_response *r) {
  json_error_t je;
  assert_non_null(r->body);
  assert_int_equal(strlen(r->body), r->body_len);
  json_t *o = json_loadb(r->body, r->body_len, 0, &je);
  if (!o) fail_msg("response not JSON: %s", r->body);
  return o;
}

/* The JWKS's one key as an EVP_PKEY, and its kid. */
static EVP_PKEY *jwks_key(const json_t *jwks, char kid[64]) {
  json_t *keys = json_object_get(jwks, "keys");
  assert_int_equal(json_array_size(keys), 1);
  json_t *k = json_array_get(keys, 0);
  assert_string_equal(json_string_value(json_object_get(k, "kty")), "EC");
  assert_string_equal(json_string_value(json_object_get(k, "crv")), "P-256");
  assert_string_equal(json_string_value(json_object_get(k, "alg")), "ES256");
  assert_string_equal(json_string_value(json_object_get(k, "use")), "sig");
  const char *x = json_string_value(json_object_get(k, "x"));
  const char *y = json_string_value(json_object_get(k, "y"));
  snprintf(kid, 64, "%s", json_string_value(json_object_get(k, "kid")));
  /* RFC 7638 thumbprint, computed here */
  char canon[256];
  snprintf(canon, sizeof canon,
           "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", x,
           y);
  uint8_t h[32];
  unsigned hl = 0;
  assert_int_equal(EVP_Digest(canon, strlen(canon), h, &hl, EVP_sha256(), NULL),
                   1);
  char *t = b64_encode(h, 32); /* 44 chars with one '=' */
  for (char *c = t; *c; c++) {
    if (*c == '+') *c = '-';
    if (*c == '/') *c = '_';
    if (*c == '=') *c = 0;
  }
  assert_string_equal(kid, t);
  free(t);
  size_t xn, yn;
  uint8_t *xb = b64_decode(x, 1, &xn), *yb = b64_decode(y, 1, &yn);
  assert_int_equal(xn, 32);
  assert_int_equal(yn, 32);
  uint8_t pub[65];
  pub[0] = 4;
  memcpy(pub + 1, xb, 32);
  memcpy(pub + 33, yb, 32);
  free(xb);
  free(yb);
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1",
                                  0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                   sizeof pub);
  OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
  EVP_PKEY *key = NULL;
  assert_int_equal(EVP_PKEY_fromdata_init(pc), 1);
  assert_int_equal(EVP_PKEY_fromdata(pc, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
  EVP_PKEY_CTX_free(pc);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

/* Verify the JWT with the key; the payload's claims (caller frees). */
static json_t *jwt_verify(const char *jwt, EVP_PKEY *key, const char *kid) {
  const char *d1 = strchr(jwt, '.');
  assert_non_null(d1);
  const char *d2 = strchr(d1 + 1, '.');
  assert_non_null(d2);
  assert_null(strchr(d2 + 1, '.'));
  assert_null(strchr(jwt, '='));
  char *h = strndup(jwt, (size_t)(d1 - jwt));
  char *p = strndup(d1 + 1, (size_t)(d2 - d1 - 1));
  size_t hn, pn, sn;
  uint8_t *hb = b64_decode(h, 1, &hn), *pb = b64_decode(p, 1, &pn);
  uint8_t *sb = b64_decode(d2 + 1, 1, &sn);
  assert_int_equal(sn, 64);
  json_t *hdr = json_loadb((char *)hb, hn, 0, NULL);
  assert_non_null(hdr);
  assert_string_equal(json_string_value(json_object_get(hdr, "alg")), "ES256");
  assert_string_equal(json_string_value(json_object_get(hdr, "typ")), "JWT");
  assert_string_equal(json_string_value(json_object_get(hdr, "kid")), kid);
  json_decref(hdr);
  ECDSA_SIG *es = ECDSA_SIG_new();
  assert_int_equal(
      ECDSA_SIG_set0(es, BN_bin2bn(sb, 32, NULL), BN_bin2bn(sb + 32, 32, NULL)),
      1);
  unsigned char *der = NULL;
  int dl = i2d_ECDSA_SIG(es, &der);
  assert_true(dl > 0);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key), 1);
  int ok = EVP_DigestVerify(md, der, (size_t)dl, (const unsigned char *)jwt,
                            (size_t)(d2 - jwt));
  EVP_MD_CTX_free(md);
  OPENSSL_free(der);
  ECDSA_SIG_free(es);
  assert_int_equal(ok, 1);
  json_t *claims = json_loadb((char *)pb, pn, 0, NULL);
  assert_non_null(claims);
  free(h);
  free(p);
  free(hb);
  free(pb);
  free(sb);
  return claims;
}

static char *attest_body(const uint8_t *q, size_t n, const char *extra) {
  char *b64 = b64_encode(q, n);
  size_t len = strlen(b64) + (extra ? strlen(extra) : 0) + 32;
  char *s = malloc(len);
  snprintf(s, len, "{\"quote\":\"%s\"%s%s}", b64, extra ? "," : "",
           extra ? extra : "");
  free(b64);
  return s;
}

/* ---- a verifier over one bundle ------------------------------------------ */

typedef struct vfix {
  char *dir;
  sgxra_ctx *cx;
  sgxra_verifier_service *v;
  const char *bundle;
  int64_t at;
  uint8_t *quote;
  size_t quote_len;
  EVP_PKEY *jwk;
  char kid[64];
} vfix;

static void vfix_open(vfix *f, const char *bundle, size_t max_quote) {
  memset(f, 0, sizeof *f);
  f->dir = tu_tmpdir();
  f->cx = sgxra_ctx_new();
  f->bundle = bundle;
  json_t *exp = tu_bundle_expected(bundle);
  f->at = json_integer_value(json_object_get(exp, "verification_time_unix"));
  json_decref(exp);
  char sd[4200];
  snprintf(sd, sizeof sd, "%s/state", f->dir);
  sgxra_verifier_options o = {.state_dir = sd,
                              .collateral_dir = tu_bundle_dir(bundle),
                              .max_quote = max_quote};
  if (sgxra_verifier_open(f->cx, &o, &f->v))
    fail_msg("open: %s", sgxra_ctx_message(f->cx));
  f->quote = tu_read_bundle(bundle, "quote.bin", &f->quote_len);
  sgxra_verifier_response r = {0};
  assert_int_equal(sgxra_verifier_jwks(f->cx, f->v, &r), SGXRA_OK);
  assert_int_equal(r.status, 200);
  json_t *j = body_json(&r);
  f->jwk = jwks_key(j, f->kid);
  json_decref(j);
  sgxra_verifier_response_clear(&r);
}

static void vfix_close(vfix *f) {
  sgxra_verifier_close(f->v);
  EVP_PKEY_free(f->jwk);
  free(f->quote);
  sgxra_ctx_free(f->cx);
  tu_rmtree(f->dir);
  free(f->dir);
}

/* POST body; the status expected; for 200 the verified claims. */
static json_t *attest(vfix *f, const char *body, int64_t now, unsigned status) {
  sgxra_verifier_response r = {0};
  assert_int_equal(sgxra_verifier_attest(f->cx, f->v, (const uint8_t *)body,
                                         strlen(body), now, &r),
                   SGXRA_OK);
  if (r.status != status)
    fail_msg("status %u, expected %u: %s", r.status, status, r.body);
  assert_string_equal(r.content_type, "application/json");
  json_t *o = body_json(&r);
  sgxra_verifier_response_clear(&r);
  if (status != 200) return o;
  json_t *claims = jwt_verify(json_string_value(json_object_get(o, "token")),
                              f->jwk, f->kid);
  assert_true(json_equal(claims, json_object_get(o, "claims")));
  json_decref(o);
  return claims;
}

static void expect_error(vfix *f, const char *body, const char *code,
                         const char *in_message) {
  json_t *o = attest(f, body, f->at, 400);
  const char *c = json_string_value(json_object_get(o, "code"));
  const char *m = json_string_value(json_object_get(o, "message"));
  assert_non_null(c);
  assert_non_null(m);
  if (strcmp(c, code) != 0 || !strstr(m, in_message))
    fail_msg("got %s '%s'; expected %s with '%s'", c, m, code, in_message);
  json_decref(o);
}

/* ---- state directory ------------------------------------------------------
 */

static void file_mode(const char *dir, const char *name, unsigned mode) {
  char p[4300];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  struct stat st;
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 0777, mode);
}

static void test_open_state(void **state) {
  (void)state;
  char *dir = tu_tmpdir();
  sgxra_ctx *cx = sgxra_ctx_new();
  char sd[4200];
  snprintf(sd, sizeof sd, "%s/state", dir);
  sgxra_verifier_options o = {
      .state_dir = sd, .collateral_dir = tu_bundle_dir("sgx-01-phala-v3")};
  sgxra_verifier_service *v = NULL;
  assert_int_equal(sgxra_verifier_open(cx, &o, &v), SGXRA_OK);
  file_mode(dir, "state", 0700);
  file_mode(sd, "token_key.pem", 0600);
  file_mode(sd, "ias_key.pem", 0600);
  file_mode(sd, "ias_cert.pem", 0600);
  file_mode(sd, "ias_ca_key.pem", 0600);
  char *chain = strdup(sgxra_verifier_ias_chain_pem(v));
  assert_non_null(strstr(chain, "BEGIN CERTIFICATE"));
  sgxra_verifier_response r1 = {0}, r2 = {0};
  assert_int_equal(sgxra_verifier_jwks(cx, v, &r1), SGXRA_OK);
  sgxra_verifier_close(v);
  /* reopen: the same keys */
  assert_int_equal(sgxra_verifier_open(cx, &o, &v), SGXRA_OK);
  assert_string_equal(sgxra_verifier_ias_chain_pem(v), chain);
  assert_int_equal(sgxra_verifier_jwks(cx, v, &r2), SGXRA_OK);
  assert_string_equal(r1.body, r2.body);
  sgxra_verifier_close(v);
  v = NULL;
  /* unsafe modes are refused */
  char p[4300];
  assert_int_equal(chmod(sd, 0770), 0);
  assert_int_equal(sgxra_verifier_open(cx, &o, &v), SGXRA_E_VERIFIER_STATE);
  assert_null(v);
  assert_non_null(strstr(sgxra_ctx_message(cx), "writable by group"));
  assert_int_equal(chmod(sd, 0700), 0);
  snprintf(p, sizeof p, "%s/token_key.pem", sd);
  assert_int_equal(chmod(p, 0620), 0);
  assert_int_equal(sgxra_verifier_open(cx, &o, &v), SGXRA_E_VERIFIER_STATE);
  assert_non_null(strstr(sgxra_ctx_message(cx), "token_key.pem"));
  assert_int_equal(chmod(p, 0600), 0);
  snprintf(p, sizeof p, "%s/ias_key.pem", sd);
  assert_int_equal(chmod(p, 0606), 0);
  assert_int_equal(sgxra_verifier_open(cx, &o, &v), SGXRA_E_VERIFIER_STATE);
  assert_int_equal(chmod(p, 0600), 0);
  /* exactly one collateral source */
  sgxra_verifier_options none = {.state_dir = sd};
  assert_int_equal(sgxra_verifier_open(cx, &none, &v),
                   SGXRA_E_INVALID_ARGUMENT);
  sgxra_verifier_options both = o;
  both.pccs = (sgxra_pccs_client *)1; /* never used: refused first */
  assert_int_equal(sgxra_verifier_open(cx, &both, &v),
                   SGXRA_E_INVALID_ARGUMENT);
  /* a given token key replaces token_key.pem */
  sgxra_p256_key *k = NULL;
  char *pem = NULL;
  assert_int_equal(sgxra_p256_generate(cx, &k), SGXRA_OK);
  assert_int_equal(sgxra_p256_private_pem(cx, k, &pem), SGXRA_OK);
  snprintf(p, sizeof p, "%s/given.pem", dir);
  assert_int_equal(sgxra_file_write(cx, p, (uint8_t *)pem, strlen(pem), 1),
                   SGXRA_OK);
  o.token_key_pem = p;
  assert_int_equal(sgxra_verifier_open(cx, &o, &v), SGXRA_OK);
  sgxra_verifier_response r3 = {0};
  assert_int_equal(sgxra_verifier_jwks(cx, v, &r3), SGXRA_OK);
  assert_string_not_equal(r1.body, r3.body);
  uint8_t xy[64];
  sgxra_p256_public_raw(k, xy);
  char *x64 = b64_encode(xy, 32);
  x64[43] = 0; /* one '=' dropped */
  for (char *c = x64; *c; c++) {
    if (*c == '+') *c = '-';
    if (*c == '/') *c = '_';
  }
  assert_non_null(strstr(r3.body, x64));
  free(x64);
  sgxra_verifier_close(v);
  free(pem);
  sgxra_p256_free(k);
  sgxra_verifier_response_clear(&r1);
  sgxra_verifier_response_clear(&r2);
  sgxra_verifier_response_clear(&r3);
  free(chain);
  sgxra_ctx_free(cx);
  tu_rmtree(dir);
  free(dir);
}

/* ---- every real bundle ------------------------------------------------------
 */

static const char *ita_status(const char *qv) {
  static const char *const map[][2] = {
      {"SGX_QL_QV_RESULT_OK", "UpToDate"},
      {"SGX_QL_QV_RESULT_SW_HARDENING_NEEDED", "SWHardeningNeeded"},
      {"SGX_QL_QV_RESULT_CONFIG_NEEDED", "ConfigurationNeeded"},
      {"SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
       "ConfigurationAndSWHardeningNeeded"},
      {"SGX_QL_QV_RESULT_OUT_OF_DATE", "OutOfDate"},
      {"SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED",
       "OutOfDateConfigurationNeeded"}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(map[i][0], qv) == 0) return map[i][1];
  fail_msg("no TCB status for %s", qv);
  return NULL;
}

static const char *v5_status(const char *qv) {
  static const char *const map[][2] = {
      {"SGX_QL_QV_RESULT_OK", "OK"},
      {"SGX_QL_QV_RESULT_SW_HARDENING_NEEDED", "SW_HARDENING_NEEDED"},
      {"SGX_QL_QV_RESULT_CONFIG_NEEDED", "CONFIGURATION_NEEDED"},
      {"SGX_QL_QV_RESULT_CONFIG_AND_SW_HARDENING_NEEDED",
       "CONFIGURATION_AND_SW_HARDENING_NEEDED"},
      {"SGX_QL_QV_RESULT_OUT_OF_DATE", "GROUP_OUT_OF_DATE"},
      {"SGX_QL_QV_RESULT_OUT_OF_DATE_CONFIG_NEEDED", "GROUP_OUT_OF_DATE"}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(map[i][0], qv) == 0) return map[i][1];
  fail_msg("no v5 status for %s", qv);
  return NULL;
}

static void check_hash(const json_t *coll, const char *member,
                       const char *bundle, const char *file) {
  size_t n;
  uint8_t *p = tu_read_bundle(bundle, file, &n);
  char h[65];
  sha256_hex(p, n, h);
  free(p);
  const char *got = json_string_value(json_object_get(coll, member));
  assert_non_null(got);
  assert_string_equal(got, h);
}

static char *url_decode(const char *s) {
  char *o = malloc(strlen(s) + 1), *d = o;
  for (; *s; s++) {
    if (*s == '%' && s[1] && s[2]) {
      char hx[3] = {s[1], s[2], 0};
      *d++ = (char)strtol(hx, NULL, 16);
      s += 2;
    } else {
      *d++ = *s;
    }
  }
  *d = 0;
  return o;
}

/* The v5 report of f's quote: fields, signature, chain.  Returns its
 * status. */
static char *v5_report(vfix *f, const char *nonce) {
  char *b64 = b64_encode(f->quote, f->quote_len);
  size_t len = strlen(b64) + 128;
  char *body = malloc(len);
  if (nonce)
    snprintf(body, len, "{\"isvEnclaveQuote\":\"%s\",\"nonce\":\"%s\"}", b64,
             nonce);
  else
    snprintf(body, len, "{\"isvEnclaveQuote\":\"%s\"}", b64);
  sgxra_verifier_response r = {0};
  assert_int_equal(sgxra_verifier_ias_report(f->cx, f->v, (uint8_t *)body,
                                             strlen(body), f->at, &r),
                   SGXRA_OK);
  if (r.status != 200) fail_msg("v5 %u: %s", r.status, r.body);
  json_t *o = body_json(&r);
  assert_int_equal(json_integer_value(json_object_get(o, "version")), 5);
  const char *id = json_string_value(json_object_get(o, "id"));
  assert_non_null(id);
  assert_true(strlen(id) >= 30);
  assert_int_equal(strspn(id, "0123456789"), strlen(id));
  const char *ts = json_string_value(json_object_get(o, "timestamp"));
  struct tm tm;
  time_t t = (time_t)f->at;
  gmtime_r(&t, &tm);
  char want[40];
  strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S.000000", &tm);
  assert_string_equal(ts, want);
  char *qb = b64_encode(f->quote, 432);
  assert_string_equal(
      json_string_value(json_object_get(o, "isvEnclaveQuoteBody")), qb);
  free(qb);
  if (nonce)
    assert_string_equal(json_string_value(json_object_get(o, "nonce")), nonce);
  else
    assert_null(json_object_get(o, "nonce"));
  assert_true(json_is_integer(json_object_get(o, "tcbEvaluationDataNumber")));
  /* the chain: header = URL-encoded PEM, signer then CA */
  assert_non_null(r.ias_signing_certificate);
  char *chain = url_decode(r.ias_signing_certificate);
  assert_string_equal(chain, sgxra_verifier_ias_chain_pem(f->v));
  BIO *bio = BIO_new_mem_buf(chain, -1);
  X509 *leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL);
  X509 *ca = PEM_read_bio_X509(bio, NULL, NULL, NULL);
  BIO_free(bio);
  assert_non_null(leaf);
  assert_non_null(ca);
  char cn[128];
  X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn,
                            sizeof cn);
  assert_string_equal(cn, "sgxra TEST Attestation Report Signing");
  X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn,
                            sizeof cn);
  assert_string_equal(cn, "sgxra TEST Attestation Report Signing CA");
  EVP_PKEY *pk = X509_get0_pubkey(leaf);
  assert_int_equal(EVP_PKEY_get_bits(pk), 2048);
  X509_STORE *st = X509_STORE_new();
  X509_STORE_add_cert(st, ca);
  X509_STORE_CTX *sc = X509_STORE_CTX_new();
  X509_STORE_CTX_init(sc, st, leaf, NULL);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(sc), (time_t)NOW);
  assert_int_equal(X509_verify_cert(sc), 1);
  X509_STORE_CTX_free(sc);
  X509_STORE_free(st);
  /* RSA PKCS#1 v1.5 SHA-256 over the exact body bytes */
  size_t sn;
  uint8_t *sig = b64_decode(r.ias_signature, 0, &sn);
  assert_int_equal(sn, 256);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  EVP_PKEY_CTX *pc = NULL;
  assert_int_equal(EVP_DigestVerifyInit(md, &pc, EVP_sha256(), NULL, pk), 1);
  EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING);
  assert_int_equal(EVP_DigestVerify(md, sig, sn, (uint8_t *)r.body, r.body_len),
                   1);
  /* one byte changed: no longer verifies */
  r.body[r.body_len / 2] ^= 1;
  assert_int_equal(EVP_DigestVerifyInit(md, &pc, EVP_sha256(), NULL, pk), 1);
  assert_int_not_equal(
      EVP_DigestVerify(md, sig, sn, (uint8_t *)r.body, r.body_len), 1);
  EVP_MD_CTX_free(md);
  free(sig);
  X509_free(leaf);
  X509_free(ca);
  free(chain);
  char *status =
      strdup(json_string_value(json_object_get(o, "isvEnclaveQuoteStatus")));
  json_t *adv = json_object_get(o, "advisoryIDs");
  json_t *exp = tu_bundle_expected(f->bundle);
  json_t *want_adv = json_object_get(exp, "advisory_ids");
  if (json_array_size(want_adv)) {
    assert_true(json_equal(adv, want_adv));
    assert_string_equal(json_string_value(json_object_get(o, "advisoryURL")),
                        "https://security-center.intel.com");
  } else {
    assert_null(adv);
  }
  json_decref(exp);
  json_decref(o);
  sgxra_verifier_response_clear(&r);
  free(body);
  free(b64);
  return status;
}

static void test_bundles(void **state) {
  (void)state;
  for (size_t i = 0; i < TU_BUNDLE_COUNT; i++) {
    const char *b = tu_bundles[i];
    vfix f;
    vfix_open(&f, b, 0);
    json_t *exp = tu_bundle_expected(b);
    const char *qv =
        json_string_value(json_object_get(exp, "quote_verification_result"));
    char *body = attest_body(f.quote, f.quote_len, NULL);
    json_t *c = attest(&f, body, f.at, 200);
    assert_string_equal(json_string_value(json_object_get(c, "sgxra_verdict")),
                        qv);
    assert_string_equal(json_string_value(json_object_get(c, "sgxra_return")),
                        json_string_value(json_object_get(exp, "qve_return")));
    assert_string_equal(
        json_string_value(json_object_get(c, "attester_tcb_status")),
        ita_status(qv));
    assert_true(json_equal(json_object_get(c, "attester_advisory_ids"),
                           json_object_get(exp, "advisory_ids")));
    assert_int_equal(json_is_true(json_object_get(c, "collateral_expired")),
                     json_integer_value(
                         json_object_get(exp, "collateral_expiration_status")));
    json_t *pck = json_object_get(exp, "pck");
    assert_string_equal(json_string_value(json_object_get(c, "fmspc")),
                        json_string_value(json_object_get(pck, "fmspc")));
    assert_string_equal(json_string_value(json_object_get(c, "attester_type")),
                        "SGX");
    assert_int_equal(json_integer_value(json_object_get(c, "iat")), f.at);
    assert_int_equal(json_integer_value(json_object_get(c, "exp")), f.at + 300);
    assert_string_equal(json_string_value(json_object_get(c, "iss")),
                        "sgxra-verifier");
    assert_int_equal(strlen(json_string_value(json_object_get(c, "jti"))), 32);
    const char *date = json_string_value(
        json_object_get(json_object_get(exp, "matched_tcb_level"), "tcb_date"));
    /* the matched level's date, unless the QE level changed the status */
    assert_non_null(json_string_value(json_object_get(c, "attester_tcb_date")));
    (void)date;
    /* identity from the quote's report body (offset 48) */
    char hex[65];
    for (int k = 0; k < 32; k++)
      sprintf(hex + 2 * k, "%02x", f.quote[48 + 64 + k]);
    assert_string_equal(json_string_value(json_object_get(c, "sgx_mrenclave")),
                        hex);
    for (int k = 0; k < 32; k++)
      sprintf(hex + 2 * k, "%02x", f.quote[48 + 128 + k]);
    assert_string_equal(json_string_value(json_object_get(c, "sgx_mrsigner")),
                        hex);
    assert_int_equal(json_integer_value(json_object_get(c, "sgx_isvprodid")),
                     f.quote[48 + 256] | (f.quote[48 + 257] << 8));
    assert_int_equal(json_is_true(json_object_get(c, "sgx_is_debuggable")),
                     (f.quote[48 + 48] & 2) != 0);
    json_t *coll = json_object_get(c, "sgx_collateral");
    sha256_hex(f.quote, f.quote_len, hex);
    assert_string_equal(json_string_value(json_object_get(coll, "quotehash")),
                        hex);
    check_hash(coll, "tcbinfohash", b, "tcb_info.json");
    check_hash(coll, "tcbinfocertshash", b, "tcb_info_issuer_chain.pem");
    check_hash(coll, "qeidhash", b, "qe_identity.json");
    check_hash(coll, "qeidcertshash", b, "qe_identity_issuer_chain.pem");
    check_hash(coll, "qeidcrlhash", b, "root_ca_crl.der");
    check_hash(coll, "tcbinfocrlhash", b, "root_ca_crl.der");
    check_hash(coll, "rootcacrlhash", b, "root_ca_crl.der");
    check_hash(coll, "pckcrlhash", b, "pck_crl.der");
    check_hash(coll, "pckcrlcertshash", b, "pck_crl_issuer_chain.pem");
    json_decref(c);
    /* metrics */
    sgxra_verifier_response r = {0};
    assert_int_equal(sgxra_verifier_attest(f.cx, f.v, (uint8_t *)body,
                                           strlen(body), f.at, &r),
                     SGXRA_OK);
    assert_string_equal(r.verdict, qv + strlen("SGX_QL_QV_RESULT_"));
    assert_string_equal(r.fmspc,
                        json_string_value(json_object_get(pck, "fmspc")));
    sgxra_verifier_response_clear(&r);
    /* v5 */
    char *st = v5_report(&f, i % 2 ? "nonce-1234" : NULL);
    assert_string_equal(st, v5_status(qv));
    free(st);
    free(body);
    json_decref(exp);
    vfix_close(&f);
  }
}

/* ---- nonces ---------------------------------------------------------------
 */

static json_t *get_nonce(vfix *f, int64_t now) {
  sgxra_verifier_response r = {0};
  assert_int_equal(sgxra_verifier_nonce(f->cx, f->v, now, &r), SGXRA_OK);
  assert_int_equal(r.status, 200);
  json_t *n = body_json(&r);
  sgxra_verifier_response_clear(&r);
  size_t len;
  uint8_t *p =
      b64_decode(json_string_value(json_object_get(n, "val")), 0, &len);
  assert_int_equal(len, 32);
  free(p);
  p = b64_decode(json_string_value(json_object_get(n, "iat")), 0, &len);
  assert_int_equal(len, 8);
  uint64_t t = 0;
  for (int i = 0; i < 8; i++) t = (t << 8) | p[i];
  assert_int_equal(t, (uint64_t)now);
  free(p);
  p = b64_decode(json_string_value(json_object_get(n, "signature")), 0, &len);
  assert_int_equal(len, 64);
  free(p);
  return n;
}

static char *with_nonce(vfix *f, const json_t *nonce) {
  char *n = json_dumps(nonce, JSON_COMPACT);
  size_t len = strlen(n) + 16;
  char *extra = malloc(len);
  snprintf(extra, len, "\"nonce\":%s", n);
  char *body = attest_body(f->quote, f->quote_len, extra);
  free(extra);
  free(n);
  return body;
}

static void test_nonce(void **state) {
  (void)state;
  vfix f;
  vfix_open(&f, "sgx-02-automata-v3-2025-08", 0);
  json_t *n = get_nonce(&f, f.at - 10);
  json_t *n2 = get_nonce(&f, f.at - 10);
  assert_false(json_equal(n, n2)); /* fresh val each time */
  /* the nonce's signature verifies with the JWKS key over val || iat */
  size_t vl, il, sl;
  uint8_t *val =
      b64_decode(json_string_value(json_object_get(n, "val")), 0, &vl);
  uint8_t *iat =
      b64_decode(json_string_value(json_object_get(n, "iat")), 0, &il);
  uint8_t *sig =
      b64_decode(json_string_value(json_object_get(n, "signature")), 0, &sl);
  uint8_t msg[40];
  memcpy(msg, val, 32);
  memcpy(msg + 32, iat, 8);
  ECDSA_SIG *es = ECDSA_SIG_new();
  ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
  unsigned char *der = NULL;
  int dl = i2d_ECDSA_SIG(es, &der);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, f.jwk),
                   1);
  assert_int_equal(EVP_DigestVerify(md, der, (size_t)dl, msg, sizeof msg), 1);
  EVP_MD_CTX_free(md);
  OPENSSL_free(der);
  ECDSA_SIG_free(es);
  free(val);
  free(iat);
  free(sig);

  char *body = with_nonce(&f, n);
  json_t *c = attest(&f, body, f.at, 200);
  assert_true(json_equal(json_object_get(c, "verifier_nonce"), n));
  json_decref(c);
  /* at the edge of the TTL (300 s): accepted; one second later: expired */
  c = attest(&f, body, f.at - 10 + 300, 200);
  json_decref(c);
  json_t *e = attest(&f, body, f.at - 10 + 301, 400);
  assert_string_equal(json_string_value(json_object_get(e, "code")),
                      "nonce_expired");
  json_decref(e);
  /* from the future */
  e = attest(&f, body, f.at - 11, 400);
  assert_string_equal(json_string_value(json_object_get(e, "code")),
                      "nonce_invalid");
  json_decref(e);
  free(body);
  /* tampered: val changed, iat changed, signature of another nonce */
  json_t *t = json_deep_copy(n);
  json_object_set(t, "val", json_object_get(n2, "val"));
  body = with_nonce(&f, t);
  expect_error(&f, body, "nonce_invalid", "signature does not verify");
  free(body);
  json_decref(t);
  t = json_deep_copy(n);
  json_object_set_new(t, "iat", json_string("AAAAAGlVnAA=")); /* 2025-12-31 */
  body = with_nonce(&f, t);
  expect_error(&f, body, "nonce_invalid", "signature does not verify");
  free(body);
  json_decref(t);
  t = json_deep_copy(n);
  json_object_set_new(t, "extra", json_true());
  body = with_nonce(&f, t);
  expect_error(&f, body, "nonce_invalid", "unknown member 'extra'");
  free(body);
  json_decref(t);
  t = json_deep_copy(n);
  json_object_del(t, "signature");
  body = with_nonce(&f, t);
  expect_error(&f, body, "nonce_invalid", "'signature' is missing");
  free(body);
  json_decref(t);
  /* a nonce of another verifier (another key) */
  vfix g;
  vfix_open(&g, "sgx-02-automata-v3-2025-08", 0);
  json_t *ng = get_nonce(&g, f.at - 10);
  body = with_nonce(&f, ng);
  expect_error(&f, body, "nonce_invalid", "signature does not verify");
  free(body);
  json_decref(ng);
  vfix_close(&g);
  json_decref(n);
  json_decref(n2);
  vfix_close(&f);
}

/* ---- bad requests
 * ------------------------------------------------------------
 */

static void test_bad_requests(void **state) {
  (void)state;
  vfix f;
  vfix_open(&f, "sgx-01-phala-v3", 0);
  expect_error(&f, "{\"quote\": ", "malformed_json", "line 1");
  expect_error(&f, "", "malformed_json", "not JSON");
  expect_error(&f, "[1]", "invalid_request", "not a JSON object");
  expect_error(&f, "{}", "missing_member", "'quote'");
  expect_error(&f, "{\"quote\": 5}", "wrong_type",
               "member 'quote' must be a string");
  expect_error(&f, "{\"quote\": \"AAAA\", \"quote\": \"AAAA\"}",
               "malformed_json", "duplicate");
  expect_error(&f, "{\"quote\": \"AAAA\", \"extra\": 1, \"zz\": null}",
               "unknown_member", "'extra', 'zz'");
  expect_error(&f, "{\"quote\": \"AA!A\"}", "invalid_base64", "'quote'");
  expect_error(&f, "{\"quote\": \"\"}", "invalid_quote", "empty");
  char *body = attest_body(f.quote, 100, NULL);
  expect_error(&f, body, "invalid_quote", "truncated");
  free(body);
  body = attest_body(f.quote, f.quote_len, "\"runtime_data\": 7");
  expect_error(&f, body, "wrong_type", "'runtime_data'");
  free(body);
  body = attest_body(f.quote, f.quote_len, "\"runtime_data\": \"A\"");
  expect_error(&f, body, "invalid_base64", "'runtime_data'");
  free(body);
  body = attest_body(f.quote, f.quote_len, "\"nonce\": \"abc\"");
  expect_error(&f, body, "wrong_type", "'nonce'");
  free(body);
  body = attest_body(f.quote, f.quote_len, "\"policy\": [1]");
  expect_error(&f, body, "wrong_type", "'policy'");
  free(body);
  body = attest_body(f.quote, f.quote_len, "\"policy\": {\"sgxra_policy\": 2}");
  expect_error(&f, body, "policy_invalid", "sgxra_policy");
  free(body);
  /* padding optional: the quote without its '=' is accepted */
  body = attest_body(f.quote, f.quote_len, NULL);
  char *eq = strchr(body, '=');
  if (eq) {
    memmove(eq, strchr(eq, '"'), strlen(strchr(eq, '"')) + 1);
    json_decref(attest(&f, body, f.at, 200));
  }
  free(body);
  /* v5 bad requests */
  const char *bad[][2] = {
      {"nope", "malformed_json"},
      {"{\"isvEnclaveQuote\": \"AAAA\", \"pseManifest\": \"\"}",
       "unknown_member"},
      {"{\"isvEnclaveQuote\": 1}", "wrong_type"},
      {"{\"isvEnclaveQuote\": \"AAAA\", \"nonce\": "
       "\"012345678901234567890123456789012\"}",
       "invalid_nonce"},
      {"{\"isvEnclaveQuote\": \"AAAA\"}", "invalid_quote"}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    sgxra_verifier_response r = {0};
    assert_int_equal(sgxra_verifier_ias_report(f.cx, f.v,
                                               (const uint8_t *)bad[i][0],
                                               strlen(bad[i][0]), f.at, &r),
                     SGXRA_OK);
    assert_int_equal(r.status, 400);
    assert_null(r.ias_signature);
    json_t *o = body_json(&r);
    assert_string_equal(json_string_value(json_object_get(o, "code")),
                        bad[i][1]);
    json_decref(o);
    sgxra_verifier_response_clear(&r);
  }
  vfix_close(&f);
  /* oversized: a verifier that takes at most 2000 bytes */
  vfix_open(&f, "sgx-01-phala-v3", 2000);
  assert_true(f.quote_len > 2000);
  body = attest_body(f.quote, f.quote_len, NULL);
  expect_error(&f, body, "quote_too_large", "2000 bytes");
  free(body);
  vfix_close(&f);
}

/* ---- policy on a real bundle ------------------------------------------------
 */

static void test_policy_bundle(void **state) {
  (void)state;
  vfix f;
  vfix_open(&f, "sgx-02-automata-v3-2025-08", 0); /* SWHardeningNeeded */
  const char *pol = "{\"sgxra_policy\":1}";
  char extra[512];
  snprintf(extra, sizeof extra, "\"policy\": %s", pol);
  char *body = attest_body(f.quote, f.quote_len, extra);
  json_t *c = attest(&f, body, f.at, 200);
  free(body);
  assert_string_equal(json_string_value(json_object_get(c, "policy_decision")),
                      "refused");
  json_t *rs = json_object_get(c, "policy_reasons");
  assert_int_equal(json_array_size(rs), 1);
  assert_string_equal(json_string_value(json_array_get(rs, 0)),
                      "TCB_STATUS_NOT_ACCEPTED");
  char h[65];
  sha256_hex(pol, strlen(pol), h); /* already canonical */
  assert_string_equal(json_string_value(json_object_get(c, "policy_hash")), h);
  json_decref(c);
  /* accepted: SWHardeningNeeded with its advisory allowed; the hash is of
   * the canonical text (keys sorted, compact), not of what was sent */
  const char *sent = "{ \"sgxra_policy\": 1, \"advisories\": {\"allow\": "
                     "[\"INTEL-SA-00615\"]}, \"accept_tcb_status\": "
                     "[\"UpToDate\", \"SWHardeningNeeded\"] }";
  const char *canon = "{\"accept_tcb_status\":[\"UpToDate\","
                      "\"SWHardeningNeeded\"],\"advisories\":{\"allow\":["
                      "\"INTEL-SA-00615\"]},\"sgxra_policy\":1}";
  snprintf(extra, sizeof extra, "\"policy\": %s", sent);
  body = attest_body(f.quote, f.quote_len, extra);
  c = attest(&f, body, f.at, 200);
  free(body);
  assert_string_equal(json_string_value(json_object_get(c, "policy_decision")),
                      "accepted");
  assert_int_equal(json_array_size(json_object_get(c, "policy_reasons")), 0);
  sha256_hex(canon, strlen(canon), h);
  assert_string_equal(json_string_value(json_object_get(c, "policy_hash")), h);
  json_decref(c);
  vfix_close(&f);
}

/* ---- the emulated platform through a PCCS client ----------------------------
 */

typedef struct simfix {
  char *dir;
  char cadir[4096];
  sgxra_ctx *cx;
  sgxra_intelca *ca;
  sgxra_emu_platform *plat;
  sgxra_qe *qe;
  sgxra_pcs_server *srv;
  sgxra_x509_chain *root;
  sgxra_pccs_client *cl;
  vfix f; /* its verifier over the client */
  char serial[41];
} simfix;

static void sim_client(simfix *s, const char *url, sgxra_pccs_client **out) {
  sgxra_pccs_config c;
  sgxra_pccs_config_init(&c);
  assert_int_equal(sgxra_pccs_config_set_url(NULL, &c, url), SGXRA_OK);
  c.retry_times = 0;
  c.retry_delay_ms = 20;
  c.connect_timeout_ms = 2000;
  c.total_timeout_ms = 5000;
  assert_int_equal(sgxra_pccs_client_new(s->cx, &c, NULL, NULL, out), SGXRA_OK);
}

static void sim_verifier(simfix *s, sgxra_pccs_client *cl, vfix *f) {
  memset(f, 0, sizeof *f);
  f->dir = tu_tmpdir();
  f->cx = sgxra_ctx_new();
  f->at = NOW;
  sgxra_verifier_options o = {.state_dir = f->dir,
                              .pccs = cl,
                              .trust_root = sgxra_x509_chain_get(s->root, 0)};
  assert_int_equal(chmod(f->dir, 0700), 0);
  if (sgxra_verifier_open(f->cx, &o, &f->v))
    fail_msg("open: %s", sgxra_ctx_message(f->cx));
  sgxra_verifier_response r = {0};
  assert_int_equal(sgxra_verifier_jwks(f->cx, f->v, &r), SGXRA_OK);
  json_t *j = body_json(&r);
  f->jwk = jwks_key(j, f->kid);
  json_decref(j);
  sgxra_verifier_response_clear(&r);
}

static int sim_setup(void **state) {
  simfix *s = calloc(1, sizeof *s);
  s->dir = tu_tmpdir();
  s->cx = sgxra_ctx_new();
  snprintf(s->cadir, sizeof s->cadir, "%s/ca", s->dir);
  if (sgxra_intelca_create(s->cx, s->cadir, NOW, &s->ca))
    fail_msg("CA: %s", sgxra_ctx_message(s->cx));
  sgxra_emu_platform_config cfg;
  sgxra_emu_platform_config_default(&cfg);
  uint16_t pcesvn;
  sgxra_intelca_tcb_current(s->ca, cfg.tcb_svns, &pcesvn);
  cfg.pcesvn = pcesvn;
  if (sgxra_emu_platform_new(s->cx, &cfg, &s->plat) ||
      sgxra_qe_provision(s->cx, s->plat, s->ca, s->dir, NOW, s->serial) ||
      sgxra_qe_open(s->cx, s->plat, s->dir, &s->qe))
    fail_msg("platform: %s", sgxra_ctx_message(s->cx));
  size_t kn = 0;
  uint8_t *kp = tu_read_vector("identity/fortanix-rust-sgx/sig1.key.pem", &kn);
  sgxra_rsa_key *k = NULL;
  assert_int_equal(sgxra_rsa_load_private(s->cx, kp, kn, &k), SGXRA_OK);
  free(kp);
  uint8_t ss[SGXRA_SIGSTRUCT_SIZE];
  assert_int_equal(sgxra_qe_sign_image(s->cx, k, "verifier enclave", 7, 1, ss),
                   SGXRA_OK);
  sgxra_rsa_free(k);
  sgxra_emu_enclave *en = NULL;
  if (sgxra_qe_start_image(s->cx, s->plat, "verifier enclave", ss, sizeof ss,
                           &en))
    fail_msg("enclave: %s", sgxra_ctx_message(s->cx));
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(s->qe, &ti);
  sgxra_report r;
  uint8_t rd[64] = {0};
  unsigned hl = 0;
  assert_int_equal(
      EVP_Digest(RUNTIME, strlen(RUNTIME), rd, &hl, EVP_sha256(), NULL), 1);
  assert_int_equal(sgxra_emu_ereport(s->cx, en, &ti, rd, &r), SGXRA_OK);
  uint8_t *q = NULL;
  size_t qn = 0;
  assert_int_equal(sgxra_qe_quote(s->cx, s->qe, &r, 3, &q, &qn), SGXRA_OK);
  sgxra_emu_enclave_free(en);
  const char *rp = sgxra_intelca_root_pem(s->ca);
  assert_int_equal(sgxra_x509_chain_parse_pem(s->cx, (const uint8_t *)rp,
                                              strlen(rp), &s->root),
                   SGXRA_OK);
  sgxra_pcs_options opt = {.listen = "127.0.0.1:0", .now = NOW};
  if (sgxra_pcs_start(s->cx, s->cadir, &opt, &s->srv))
    fail_msg("PCS: %s", sgxra_ctx_message(s->cx));
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", sgxra_pcs_port(s->srv));
  sim_client(s, url, &s->cl);
  sim_verifier(s, s->cl, &s->f);
  s->f.quote = q;
  s->f.quote_len = qn;
  *state = s;
  return 0;
}

static int sim_teardown(void **state) {
  simfix *s = *state;
  vfix_close(&s->f);
  sgxra_pccs_client_free(s->cl);
  sgxra_pcs_stop(s->srv);
  sgxra_x509_chain_free(s->root);
  sgxra_qe_free(s->qe);
  sgxra_emu_platform_free(s->plat);
  sgxra_intelca_free(s->ca);
  sgxra_ctx_free(s->cx);
  tu_rmtree(s->dir);
  free(s->dir);
  free(s);
  return 0;
}

static void test_sim_uptodate(void **state) {
  simfix *s = *state;
  vfix *f = &s->f;
  char *body = attest_body(f->quote, f->quote_len, NULL);
  sgxra_verifier_response r = {0};
  assert_int_equal(sgxra_verifier_attest(f->cx, f->v, (uint8_t *)body,
                                         strlen(body), NOW, &r),
                   SGXRA_OK);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.verdict, "OK");
  assert_int_equal(strlen(r.fmspc), 12);
  assert_true(r.collateral_fetched_at > 0);
  sgxra_verifier_response_clear(&r);
  json_t *c = attest(f, body, NOW, 200);
  assert_string_equal(
      json_string_value(json_object_get(c, "attester_tcb_status")), "UpToDate");
  assert_string_equal(json_string_value(json_object_get(c, "sgxra_verdict")),
                      "SGX_QL_QV_RESULT_OK");
  assert_true(json_is_false(json_object_get(c, "sgx_is_debuggable")));
  assert_int_equal(json_integer_value(json_object_get(c, "sgx_isvprodid")), 7);
  assert_int_equal(json_integer_value(json_object_get(c, "sgx_isvsvn")), 1);
  json_decref(c);
  /* the second request is served from the client's memory cache */
  assert_int_equal(sgxra_verifier_attest(f->cx, f->v, (uint8_t *)body,
                                         strlen(body), NOW, &r),
                   SGXRA_OK);
  assert_int_equal(r.collateral_from_cache, 1);
  sgxra_verifier_response_clear(&r);
  free(body);
}

static void test_sim_runtime_data(void **state) {
  simfix *s = *state;
  vfix *f = &s->f;
  char *rd = b64_encode((const uint8_t *)RUNTIME, strlen(RUNTIME));
  char extra[256];
  snprintf(extra, sizeof extra, "\"runtime_data\": \"%s\"", rd);
  char *body = attest_body(f->quote, f->quote_len, extra);
  json_t *c = attest(f, body, NOW, 200);
  assert_string_equal(
      json_string_value(json_object_get(c, "attester_held_data")), rd);
  json_decref(c);
  free(body);
  /* a policy requiring REPORTDATA is satisfied by the binding */
  snprintf(extra, sizeof extra,
           "\"runtime_data\": \"%s\", \"policy\": {\"sgxra_policy\": 1, "
           "\"require_report_data\": true}",
           rd);
  body = attest_body(f->quote, f->quote_len, extra);
  c = attest(f, body, NOW, 200);
  assert_string_equal(json_string_value(json_object_get(c, "policy_decision")),
                      "accepted");
  json_decref(c);
  free(body);
  free(rd);
  rd = b64_encode((const uint8_t *)"something else", 14);
  snprintf(extra, sizeof extra, "\"runtime_data\": \"%s\"", rd);
  body = attest_body(f->quote, f->quote_len, extra);
  expect_error(f, body, "runtime_data_mismatch", "SHA-256(runtime_data)");
  free(body);
  free(rd);
}

static void test_sim_policy(void **state) {
  simfix *s = *state;
  vfix *f = &s->f;
  char *body =
      attest_body(f->quote, f->quote_len, "\"policy\": {\"sgxra_policy\": 1}");
  json_t *c = attest(f, body, NOW, 200);
  assert_string_equal(json_string_value(json_object_get(c, "policy_decision")),
                      "accepted");
  assert_int_equal(json_array_size(json_object_get(c, "policy_reasons")), 0);
  json_decref(c);
  free(body);
  body = attest_body(f->quote, f->quote_len,
                     "\"policy\": {\"sgxra_policy\": 1, \"accept_tcb_status\": "
                     "[\"SWHardeningNeeded\"], \"require_report_data\": true}");
  c = attest(f, body, NOW, 200);
  assert_string_equal(json_string_value(json_object_get(c, "policy_decision")),
                      "refused");
  json_t *rs = json_object_get(c, "policy_reasons");
  assert_int_equal(json_array_size(rs), 2);
  assert_string_equal(json_string_value(json_array_get(rs, 0)),
                      "TCB_STATUS_NOT_ACCEPTED");
  assert_string_equal(json_string_value(json_array_get(rs, 1)),
                      "REPORT_DATA_NOT_GIVEN");
  json_decref(c);
  free(body);
}

static void test_sim_not_genuine(void **state) {
  simfix *s = *state;
  vfix *f = &s->f;
  /* one bit of the report body flipped: the ISV signature fails, the
   * request is still answered 200 with a token saying so */
  uint8_t *q = malloc(f->quote_len);
  memcpy(q, f->quote, f->quote_len);
  q[48 + 320 + 40] ^= 1; /* REPORTDATA[40] */
  char *body = attest_body(q, f->quote_len, NULL);
  json_t *c = attest(f, body, NOW, 200);
  assert_null(json_object_get(c, "attester_tcb_status"));
  assert_true(json_is_false(json_object_get(c, "sgxra_genuine")));
  assert_string_not_equal(json_string_value(json_object_get(c, "sgxra_return")),
                          "SGX_QL_SUCCESS");
  assert_string_equal(json_string_value(json_object_get(c, "sgxra_verdict")),
                      "SGX_QL_QV_RESULT_UNSPECIFIED");
  json_decref(c);
  free(body);
  /* a policy refuses it, saying why */
  body = attest_body(q, f->quote_len, "\"policy\": {\"sgxra_policy\": 1}");
  c = attest(f, body, NOW, 200);
  assert_string_equal(json_string_value(json_object_get(c, "policy_decision")),
                      "refused");
  assert_string_equal(json_string_value(json_array_get(
                          json_object_get(c, "policy_reasons"), 0)),
                      "QUOTE_NOT_GENUINE");
  json_decref(c);
  free(body);
  /* and v5 says SIGNATURE_INVALID */
  char *b64 = b64_encode(q, f->quote_len);
  size_t len = strlen(b64) + 64;
  char *vb = malloc(len);
  snprintf(vb, len, "{\"isvEnclaveQuote\":\"%s\"}", b64);
  sgxra_verifier_response r = {0};
  assert_int_equal(sgxra_verifier_ias_report(f->cx, f->v, (uint8_t *)vb,
                                             strlen(vb), NOW, &r),
                   SGXRA_OK);
  assert_int_equal(r.status, 200);
  json_t *o = body_json(&r);
  assert_string_equal(
      json_string_value(json_object_get(o, "isvEnclaveQuoteStatus")),
      "SIGNATURE_INVALID");
  json_decref(o);
  sgxra_verifier_response_clear(&r);
  free(vb);
  free(b64);
  free(q);
}

static void test_sim_unavailable(void **state) {
  simfix *s = *state;
  sgxra_pccs_client *cl = NULL;
  sim_client(s, "http://127.0.0.1:9", &cl); /* nothing listens */
  vfix g;
  sim_verifier(s, cl, &g);
  char *body = attest_body(s->f.quote, s->f.quote_len, NULL);
  json_t *o = attest(&g, body, NOW, 503);
  assert_string_equal(json_string_value(json_object_get(o, "code")),
                      "collateral_unavailable");
  assert_non_null(strstr(json_string_value(json_object_get(o, "message")),
                         "no collateral for FMSPC"));
  json_decref(o);
  free(body);
  vfix_close(&g);
  sgxra_pccs_client_free(cl);
}

/* Last of the group: it changes the CA.  The platform's PCK revoked: a
 * token saying SGX_QL_PCK_REVOKED, a v5 report saying KEY_REVOKED. */
static void test_sim_pck_revoked(void **state) {
  simfix *s = *state;
  assert_int_equal(sgxra_intelca_revoke(s->cx, s->ca, s->serial, NOW),
                   SGXRA_OK);
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", sgxra_pcs_port(s->srv));
  sgxra_pccs_client *cl = NULL;
  sim_client(s, url, &cl); /* a new client: no cached CRL */
  vfix g;
  sim_verifier(s, cl, &g);
  char *body = attest_body(s->f.quote, s->f.quote_len, NULL);
  json_t *c = attest(&g, body, NOW, 200);
  assert_string_equal(json_string_value(json_object_get(c, "sgxra_return")),
                      "SGX_QL_PCK_REVOKED");
  assert_true(json_is_false(json_object_get(c, "sgxra_genuine")));
  assert_null(json_object_get(c, "attester_tcb_status"));
  json_decref(c);
  free(body);
  char *b64 = b64_encode(s->f.quote, s->f.quote_len);
  size_t len = strlen(b64) + 64;
  char *vb = malloc(len);
  snprintf(vb, len, "{\"isvEnclaveQuote\":\"%s\"}", b64);
  sgxra_verifier_response r = {0};
  assert_int_equal(
      sgxra_verifier_ias_report(g.cx, g.v, (uint8_t *)vb, strlen(vb), NOW, &r),
      SGXRA_OK);
  assert_int_equal(r.status, 200);
  assert_string_equal(r.verdict, "PCK_REVOKED");
  json_t *o = body_json(&r);
  assert_string_equal(
      json_string_value(json_object_get(o, "isvEnclaveQuoteStatus")),
      "KEY_REVOKED");
  json_decref(o);
  sgxra_verifier_response_clear(&r);
  free(vb);
  free(b64);
  vfix_close(&g);
  sgxra_pccs_client_free(cl);
}

/* ---- threads ----------------------------------------------------------------
 */

typedef struct hammer {
  sgxra_verifier_service *v;
  const char *bodies[2];
  const char *verdicts[2];
  const char *returns[2];
  int64_t at;
  int failures;
} hammer;

static void *hammer_run(void *arg) {
  hammer *h = arg;
  sgxra_ctx *cx = sgxra_ctx_new();
  for (int i = 0; i < 12; i++) {
    int k = i % 2;
    sgxra_verifier_response r = {0};
    if (sgxra_verifier_attest(cx, h->v, (const uint8_t *)h->bodies[k],
                              strlen(h->bodies[k]), h->at, &r) != SGXRA_OK ||
        r.status != 200 || !r.verdict || strcmp(r.verdict, h->verdicts[k]) ||
        !strstr(r.body, h->returns[k]))
      __atomic_add_fetch(&h->failures, 1, __ATOMIC_SEQ_CST);
    sgxra_verifier_response_clear(&r);
    if (sgxra_verifier_nonce(cx, h->v, h->at, &r) != SGXRA_OK ||
        r.status != 200)
      __atomic_add_fetch(&h->failures, 1, __ATOMIC_SEQ_CST);
    sgxra_verifier_response_clear(&r);
  }
  sgxra_ctx_free(cx);
  return NULL;
}

static void test_threads(void **state) {
  (void)state;
  /* one verifier over sgx-19's collateral; its own quote (OUT_OF_DATE) and
   * sgx-01's, of another platform (a verification failure) */
  vfix f;
  vfix_open(&f, "sgx-19-automata-quote-fortanix-eval18", 0);
  size_t n1;
  uint8_t *q1 = tu_read_bundle("sgx-01-phala-v3", "quote.bin", &n1);
  char *b0 = attest_body(f.quote, f.quote_len, NULL);
  char *b1 = attest_body(q1, n1, NULL);
  free(q1);
  hammer h = {.v = f.v, .bodies = {b0, b1}, .at = f.at};
  static char verdicts[2][64], returns[2][96];
  for (int k = 0; k < 2; k++) {
    sgxra_verifier_response r = {0};
    const char *b = k ? b1 : b0;
    assert_int_equal(sgxra_verifier_attest(f.cx, f.v, (const uint8_t *)b,
                                           strlen(b), f.at, &r),
                     SGXRA_OK);
    assert_int_equal(r.status, 200);
    snprintf(verdicts[k], sizeof verdicts[k], "%s", r.verdict);
    json_t *o = body_json(&r);
    snprintf(returns[k], sizeof returns[k], "\"sgxra_return\":\"%s\"",
             json_string_value(json_object_get(json_object_get(o, "claims"),
                                               "sgxra_return")));
    json_decref(o);
    sgxra_verifier_response_clear(&r);
    h.verdicts[k] = verdicts[k];
    h.returns[k] = returns[k];
  }
  assert_string_equal(verdicts[0], "OUT_OF_DATE");
  assert_string_not_equal(verdicts[1], "OUT_OF_DATE");
  pthread_t t[16];
  for (int i = 0; i < 16; i++)
    assert_int_equal(pthread_create(&t[i], NULL, hammer_run, &h), 0);
  for (int i = 0; i < 16; i++) pthread_join(t[i], NULL);
  assert_int_equal(h.failures, 0);
  free(b0);
  free(b1);
  vfix_close(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_open_state),    cmocka_unit_test(test_bundles),
      cmocka_unit_test(test_nonce),         cmocka_unit_test(test_bad_requests),
      cmocka_unit_test(test_policy_bundle), cmocka_unit_test(test_threads),
  };
  const struct CMUnitTest sim[] = {
      cmocka_unit_test(test_sim_uptodate),
      cmocka_unit_test(test_sim_runtime_data),
      cmocka_unit_test(test_sim_policy),
      cmocka_unit_test(test_sim_not_genuine),
      cmocka_unit_test(test_sim_unavailable),
      cmocka_unit_test(test_sim_pck_revoked),
  };
  sgxra_ctx *cx = sgxra_ctx_new();
  if (sgxra_pccs_global_init(cx) != SGXRA_OK) return 1;
  sgxra_ctx_free(cx);
  int rc = cmocka_run_group_tests_name("verifier", tests, NULL, NULL);
  rc |=
      cmocka_run_group_tests_name("verifier_sim", sim, sim_setup, sim_teardown);
  return rc;
}
