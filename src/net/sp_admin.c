/* net/sp_admin.c -- the service provider's administration API (see
 * sgxra/sp_server.h and docs/SP.md, "Administration API"): token-checked
 * writes to the registry, the policy and the provisioned secrets, open
 * listings; and the at-rest encryption of the secrets. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "net/sp_internal.h"
#include "sgxra/base64.h"
#include "sgxra/enclavefile.h"
#include "sgxra/hex.h"
#include "sgxra/sdkenclave.h"
#include "sgxra/sigstruct.h"
#include "sgxra/timeutil.h"

#define PREFIX "/admin/v1/"
#define GCM_IV 12

/* ---- secrets at rest
 * ---------------------------------------------------------- */

void sgxra__sp_binding_text(int by_signer, const uint8_t mr[SGXRA_HASH_SIZE],
                            uint16_t isvprodid,
                            char out[SGXRA__SP_BINDING_SIZE]) {
  char h[2 * SGXRA_HASH_SIZE + 1];
  sgxra_hex_encode(mr, SGXRA_HASH_SIZE, h);
  if (by_signer)
    snprintf(out, SGXRA__SP_BINDING_SIZE, "mrsigner:%s:%u", h,
             (unsigned)isvprodid);
  else
    snprintf(out, SGXRA__SP_BINDING_SIZE, "mrenclave:%s", h);
}

sgxra_err sgxra__sp_secret_seal(sgxra_ctx *cx, const sgxra_sp *sp,
                                const char *binding, const uint8_t *p, size_t n,
                                uint8_t **out, size_t *out_n) {
  *out = NULL;
  *out_n = 0;
  uint8_t *b = malloc(GCM_IV + SGXRA_GCM_TAG_SIZE + n + 1);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "secret");
  sgxra_err e = sgxra_random(cx, b, GCM_IV);
  if (!e)
    e = sgxra_aes128_gcm_encrypt(
        cx, sp->secret_key, b, GCM_IV, (const uint8_t *)binding,
        strlen(binding), p, n, b + GCM_IV + SGXRA_GCM_TAG_SIZE, b + GCM_IV);
  if (e) {
    free(b);
    return e;
  }
  *out = b;
  *out_n = GCM_IV + SGXRA_GCM_TAG_SIZE + n;
  return SGXRA_OK;
}

sgxra_err sgxra__sp_secret_open(sgxra_ctx *cx, const sgxra_sp *sp,
                                const char *binding, const uint8_t *p, size_t n,
                                uint8_t **out, size_t *out_n) {
  *out = NULL;
  *out_n = 0;
  if (n < GCM_IV + SGXRA_GCM_TAG_SIZE)
    return sgxra__fail(cx, SGXRA_E_CRYPTO_TAG_MISMATCH,
                       "stored secret of %s: %zu bytes, shorter than its iv "
                       "and tag",
                       binding, n);
  size_t len = n - GCM_IV - SGXRA_GCM_TAG_SIZE;
  uint8_t *b = malloc(len + 1);
  if (!b) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "secret");
  sgxra_err e = sgxra_aes128_gcm_decrypt(
      cx, sp->secret_key, p, GCM_IV, (const uint8_t *)binding, strlen(binding),
      p + GCM_IV + SGXRA_GCM_TAG_SIZE, len, p + GCM_IV, b);
  if (e) {
    free(b);
    return sgxra__context(cx, e,
                          "stored secret of %s does not open with this SP's "
                          "key (set by an SP with another key?)",
                          binding);
  }
  *out = b;
  *out_n = len;
  return SGXRA_OK;
}

/* ---- JSON of entries (as `sgxra registry ... --json` prints them) -------- */

static json_t *hex_json(const uint8_t *p, size_t n) {
  char buf[2 * 64 + 1];
  if (n > 64) return json_null();
  sgxra_hex_encode(p, n, buf);
  return json_string(buf);
}

static json_t *hexnum(uint64_t v) {
  char s[24];
  snprintf(s, sizeof s, "0x%" PRIx64, v);
  return json_string(s);
}

static json_t *time_json(int64_t t) {
  char s[SGXRA_TIME_TEXT_SIZE];
  sgxra_time_format(t, s);
  return json_string(s);
}

static void put_meta(json_t *o, const sgxra_store_meta *m) {
  json_object_set_new(o, "source",
                      json_string(sgxra_store_source_name(m->source)));
  json_object_set_new(o, "product", json_string(m->product));
  json_object_set_new(o, "note", json_string(m->note));
  json_object_set_new(o, "added_by", json_string(m->added_by));
  json_object_set_new(o, "added_at", time_json(m->added_at));
  json_object_set_new(o, "revoked", json_boolean(m->revoked));
  if (m->revoked) {
    json_object_set_new(o, "revoked_by", json_string(m->revoked_by));
    json_object_set_new(o, "revoked_at", time_json(m->revoked_at));
  }
}

static json_t *enclave_json(const sgxra_store_enclave *e) {
  json_t *o = json_object();
  json_object_set_new(o, "kind", json_string("enclave"));
  json_object_set_new(o, "id", json_integer(e->meta.id));
  json_object_set_new(o, "mrenclave", hex_json(e->mrenclave, SGXRA_HASH_SIZE));
  json_object_set_new(o, "mrsigner", hex_json(e->mrsigner, SGXRA_HASH_SIZE));
  json_object_set_new(o, "isvprodid", json_integer(e->isvprodid));
  json_object_set_new(o, "isvsvn", json_integer(e->isvsvn));
  json_t *a = json_object();
  json_object_set_new(a, "flags", hexnum(e->attributes.flags));
  json_object_set_new(a, "xfrm", hexnum(e->attributes.xfrm));
  json_object_set_new(o, "attributes", a);
  json_object_set_new(o, "allow_debug_signer",
                      json_boolean(e->allow_debug_signer));
  put_meta(o, &e->meta);
  return o;
}

static json_t *signer_json(const sgxra_store_signer *s) {
  json_t *o = json_object();
  json_object_set_new(o, "kind", json_string("signer"));
  json_object_set_new(o, "id", json_integer(s->meta.id));
  json_object_set_new(o, "mrsigner", hex_json(s->mrsigner, SGXRA_HASH_SIZE));
  json_object_set_new(o, "isvprodid", json_integer(s->isvprodid));
  json_object_set_new(o, "min_isvsvn", json_integer(s->min_isvsvn));
  json_object_set_new(o, "allow_debug_signer",
                      json_boolean(s->allow_debug_signer));
  put_meta(o, &s->meta);
  return o;
}

static json_t *deny_json(const sgxra_store_deny *d) {
  json_t *o = json_object();
  json_object_set_new(o, "kind", json_string("deny"));
  json_object_set_new(o, "id", json_integer(d->meta.id));
  json_object_set_new(o, "mrenclave", hex_json(d->mrenclave, SGXRA_HASH_SIZE));
  json_object_set_new(o, "reason", json_string(d->reason));
  put_meta(o, &d->meta);
  return o;
}

static json_t *binding_json(const sgxra_store_secret_binding *b) {
  json_t *o = json_object();
  json_object_set_new(o, "kind",
                      json_string(sgxra_store_secret_kind_name(b->kind)));
  if (b->kind == SGXRA_STORE_SECRET_SIGNER) {
    json_object_set_new(o, "mrsigner", hex_json(b->mrsigner, SGXRA_HASH_SIZE));
    json_object_set_new(o, "isvprodid", json_integer(b->isvprodid));
  } else {
    json_object_set_new(o, "mrenclave",
                        hex_json(b->mrenclave, SGXRA_HASH_SIZE));
  }
  return o;
}

static json_t *secret_json(const sgxra_store_secret_info *s, size_t plain) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_integer(s->id));
  json_object_set_new(o, "binding", binding_json(&s->binding));
  json_object_set_new(o, "sha256", hex_json(s->sha256, SGXRA_SHA256_SIZE));
  json_object_set_new(o, "stored_size", json_integer((json_int_t)s->size));
  size_t overhead = GCM_IV + SGXRA_GCM_TAG_SIZE;
  json_object_set_new(
      o, "size",
      json_integer((json_int_t)(plain != SIZE_MAX     ? plain
                                : s->size >= overhead ? s->size - overhead
                                                      : 0)));
  json_object_set_new(o, "set_by", json_string(s->set_by));
  json_object_set_new(o, "set_at", time_json(s->set_at));
  return o;
}

/* ---- request helpers
 * ----------------------------------------------------------- */

static const char *query_get(const sgxra_sp_request *rq, const char *name) {
  if (!rq->query) return NULL;
  for (size_t i = 0; rq->query[i] && rq->query[i + 1]; i += 2)
    if (!strcmp(rq->query[i], name)) return rq->query[i + 1];
  return NULL;
}

/* The body as a JSON object with only `allowed` members; NULL and the 400
 * in *out otherwise. */
static sgxra_err body_object(sgxra_ctx *cx, const sgxra_sp_request *rq,
                             const char *const *allowed, json_t **obj,
                             sgxra_sp_response *out) {
  *obj = NULL;
  json_error_t je;
  json_t *o = json_loadb((const char *)rq->body, rq->body ? rq->body_len : 0,
                         JSON_REJECT_DUPLICATES, &je);
  if (!o || !json_is_object(o)) {
    json_decref(o);
    return sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_JSON),
                           "the body must be a JSON object%s%s", o ? "" : ": ",
                           o ? "" : je.text);
  }
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v) {
    size_t i = 0;
    while (allowed[i] && strcmp(allowed[i], key)) i++;
    if (!allowed[i]) {
      char known[256] = "";
      for (size_t k = 0; allowed[k]; k++) {
        size_t u = strlen(known);
        snprintf(known + u, sizeof known - u, "%s%s", k ? ", " : "",
                 allowed[k]);
      }
      /* the message first: `key` belongs to o */
      sgxra_err e =
          sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_JSON),
                          "unknown member '%.64s' (known: %s)", key, known);
      json_decref(o);
      return e;
    }
  }
  *obj = o;
  return SGXRA_OK;
}

/* A member of 2n hex digits; 0 and the 400 otherwise. */
static int member_hex(sgxra_ctx *cx, json_t *o, const char *name, uint8_t *dst,
                      size_t n, int required, sgxra_sp_response *out,
                      sgxra_err *e) {
  json_t *m = json_object_get(o, name);
  if (!m) {
    if (!required) return 2;
    *e = sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_JSON),
                         "member '%s' (%zu hex digits) is required", name,
                         2 * n);
    return 0;
  }
  const char *s = json_string_value(m);
  if (!s || strlen(s) != 2 * n) {
    *e = sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_HEX),
                         "member '%s' must be %zu hex digits", name, 2 * n);
    return 0;
  }
  if (sgxra_hex_decode(cx, s, 2 * n, dst, n)) {
    *e = sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_HEX),
                         "member '%s': %s", name, sgxra_ctx_message(cx));
    return 0;
  }
  return 1;
}

/* An integer member in [0, max]; 2 when absent and not required. */
static int member_uint(sgxra_ctx *cx, json_t *o, const char *name, int64_t max,
                       int required, int64_t *dst, sgxra_sp_response *out,
                       sgxra_err *e) {
  json_t *m = json_object_get(o, name);
  if (!m) {
    if (!required) return 2;
    *e = sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_JSON),
                         "member '%s' (an integer) is required", name);
    return 0;
  }
  if (!json_is_integer(m) || json_integer_value(m) < 0 ||
      json_integer_value(m) > max) {
    *e = sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_JSON),
                         "member '%s' must be an integer 0..%" PRId64, name,
                         max);
    return 0;
  }
  *dst = json_integer_value(m);
  return 1;
}

/* A string member of at most max bytes; 2 when absent and not required. */
static int member_str(sgxra_ctx *cx, json_t *o, const char *name, size_t max,
                      int required, const char **dst, sgxra_sp_response *out,
                      sgxra_err *e) {
  json_t *m = json_object_get(o, name);
  *dst = "";
  if (!m) {
    if (!required) return 2;
    *e = sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_JSON),
                         "member '%s' (a string) is required", name);
    return 0;
  }
  if (!json_is_string(m) || json_string_length(m) > max ||
      (required && json_string_length(m) == 0)) {
    *e = sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_JSON),
                         "member '%s' must be a%s string of at most %zu bytes",
                         name, required ? " non-empty" : "", max);
    return 0;
  }
  *dst = json_string_value(m);
  return 1;
}

/* A boolean member, or 0/1; 2 when absent. */
static int member_bool(sgxra_ctx *cx, json_t *o, const char *name, int *dst,
                       sgxra_sp_response *out, sgxra_err *e) {
  json_t *m = json_object_get(o, name);
  *dst = 0;
  if (!m) return 2;
  if (json_is_boolean(m)) {
    *dst = json_is_true(m);
    return 1;
  }
  if (json_is_integer(m) &&
      (json_integer_value(m) == 0 || json_integer_value(m) == 1)) {
    *dst = (int)json_integer_value(m);
    return 1;
  }
  *e = sgxra__sp_error(cx, out, 400, sgxra_err_name(SGXRA_E_JSON),
                       "member '%s' must be true or false", name);
  return 0;
}

static sgxra_err debug_signer_refused(sgxra_ctx *cx, sgxra_sp_response *out,
                                      const char *name) {
  return sgxra__sp_error(cx, out, 403, "DebugSigner",
                         "MRSIGNER is a well-known public key (%s): anyone can "
                         "sign with it; set allow_debug_signer only for a test "
                         "registry",
                         name);
}

/* ---- the routes ------------------------------------------------------------
 */

typedef struct admin_call {
  sgxra_ctx *cx;
  sgxra_sp *sp;
  const sgxra_sp_request *rq;
  int64_t now;
  sgxra_sp_response *out;
  sgxra_store *st;
  char actor[SGXRA_STORE_ACTOR_MAX + 1];
} admin_call;

/* Write an entry back after an add or revoke. */
static sgxra_err answer_entry(admin_call *a, sgxra_store_table t, int64_t id,
                              unsigned status) {
  union {
    sgxra_store_enclave e;
    sgxra_store_signer s;
    sgxra_store_deny d;
  } got;
  sgxra_err e = t == SGXRA_STORE_ENCLAVES
                    ? sgxra_store_enclave_get(a->cx, a->st, id, &got.e)
                : t == SGXRA_STORE_SIGNERS
                    ? sgxra_store_signer_get(a->cx, a->st, id, &got.s)
                    : sgxra_store_deny_get(a->cx, a->st, id, &got.d);
  if (e) return sgxra__sp_store_error(a->cx, a->out, e);
  json_t *o = t == SGXRA_STORE_ENCLAVES  ? enclave_json(&got.e)
              : t == SGXRA_STORE_SIGNERS ? signer_json(&got.s)
                                         : deny_json(&got.d);
  return sgxra__sp_json(a->cx, a->out, status, o);
}

/* A signed SDK enclave as the body (found by content: an ELF): re-measured
 * as `sgxra registry add` does (sgxra/sdkenclave.h), every metadata copy to
 * its SIGSTRUCT's ENCLAVEHASH; its SIGSTRUCT in *out_sig on success, else
 * the 400 / 422 in a->out and *out_sig NULL. */
static sgxra_err enclave_file_sigstruct(admin_call *a,
                                        const uint8_t **out_sig) {
  sgxra_ctx *cx = a->cx;
  const sgxra_sp_request *rq = a->rq;
  sgxra_sgxmeta meta;
  *out_sig = NULL;
  sgxra_err e = sgxra_sgxmeta_from_elf(cx, rq->body, rq->body_len, &meta);
  if (e)
    return sgxra__sp_error(cx, a->out, 400, sgxra_err_name(e),
                           "the body is an ELF file but not a signed SGX "
                           "enclave: %s",
                           sgxra_ctx_message(cx));
  sgxra_sdk_check *ck = malloc(sizeof *ck);
  if (!ck) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "enclave check");
  e = sgxra_sdk_check_file(cx, rq->body, rq->body_len, ck);
  if (e) {
    free(ck);
    return e == SGXRA_E_NO_MEMORY
               ? e
               : sgxra__sp_error(cx, a->out, 422, sgxra_err_name(e),
                                 "the signed enclave cannot be re-measured, "
                                 "not registered: %s",
                                 sgxra_ctx_message(cx));
  }
  if (!ck->match) {
    /* the copy named: the selected one when it differs, else the first
     * that does */
    unsigned i = ck->selected;
    const uint8_t *mr = ck->measured;
    if (ck->copies[i].match) {
      for (i = 0; i < ck->ncopies && ck->copies[i].match; i++)
        ;
      if (i < ck->ncopies) mr = ck->copies[i].mrenclave;
    }
    char mh[2 * SGXRA_HASH_SIZE + 1], sh[2 * SGXRA_HASH_SIZE + 1];
    char which[64] = "";
    sgxra_hex_encode(mr, SGXRA_HASH_SIZE, mh);
    sgxra_hex_encode(ck->signed_hash, SGXRA_HASH_SIZE, sh);
    if (i != ck->selected && i < ck->ncopies)
      snprintf(which, sizeof which, " (metadata copy %u.%u)",
               (unsigned)ck->version_major[i], (unsigned)ck->version_minor[i]);
    free(ck);
    return sgxra__sp_error(cx, a->out, 422, "EnclaveMismatch",
                           "content does not match its SIGSTRUCT%s: measured "
                           "%s, signed %s; not registered",
                           which, mh, sh);
  }
  free(ck);
  *out_sig = meta.sigstruct;
  return SGXRA_OK;
}

static sgxra_err post_enclave(admin_call *a) {
  sgxra_ctx *cx = a->cx;
  const sgxra_sp_request *rq = a->rq;
  sgxra_sigstruct ss;
  const uint8_t *sig = rq->body;
  size_t sig_len = rq->body_len;
  sgxra_err e;
  sgxra_file_kind kind = sgxra_file_detect(rq->body, rq->body_len);
  if (kind == SGXRA_FILE_ELF) {
    if ((e = enclave_file_sigstruct(a, &sig)) || !sig) return e;
    sig_len = SGXRA_SIGSTRUCT_SIZE;
  }
  e = sgxra_sigstruct_decode(cx, sig, sig_len, &ss);
  if (e)
    return sgxra__sp_error(cx, a->out, 400, sgxra_err_name(e),
                           "the body must be a SIGSTRUCT (%d bytes) or a "
                           "signed enclave .so: %s",
                           SGXRA_SIGSTRUCT_SIZE, sgxra_ctx_message(cx));
  /* verified as `sgxra registry add` does: as EINIT would */
  if ((e = sgxra_sigstruct_verify(cx, &ss)))
    return e == SGXRA_E_NO_MEMORY
               ? e
               : sgxra__sp_error(cx, a->out, 400, sgxra_err_name(e),
                                 "SIGSTRUCT not registered: %s",
                                 sgxra_ctx_message(cx));
  sgxra_store_enclave en;
  memset(&en, 0, sizeof en);
  if ((e = sgxra_sigstruct_mrsigner(cx, &ss, en.mrsigner))) return e;
  const char *allow = query_get(rq, "allow_debug_signer");
  if (allow && strcmp(allow, "0") && strcmp(allow, "1"))
    return sgxra__sp_error(cx, a->out, 400,
                           sgxra_err_name(SGXRA_E_INVALID_ARGUMENT),
                           "allow_debug_signer must be 0 or 1");
  en.allow_debug_signer = allow && !strcmp(allow, "1");
  const char *dn = NULL;
  if (sgxra_mrsigner_is_debug_key(en.mrsigner, &dn) && !en.allow_debug_signer)
    return debug_signer_refused(cx, a->out, dn);
  memcpy(en.mrenclave, ss.enclavehash, SGXRA_HASH_SIZE);
  en.isvprodid = ss.isvprodid;
  en.isvsvn = ss.isvsvn;
  en.attributes = ss.attributes;
  en.meta.source = SGXRA_STORE_SOURCE_SIGSTRUCT;
  const char *product = query_get(rq, "product");
  const char *note = query_get(rq, "note");
  if ((product && strlen(product) > SGXRA_STORE_PRODUCT_MAX) ||
      (note && strlen(note) > SGXRA_STORE_NOTE_MAX))
    return sgxra__sp_error(cx, a->out, 400,
                           sgxra_err_name(SGXRA_E_INVALID_ARGUMENT),
                           "product is at most %d bytes, note at most %d",
                           SGXRA_STORE_PRODUCT_MAX, SGXRA_STORE_NOTE_MAX);
  snprintf(en.meta.product, sizeof en.meta.product, "%s",
           product ? product : "");
  snprintf(en.meta.note, sizeof en.meta.note, "%s", note ? note : "");
  int64_t id = 0;
  if ((e = sgxra_store_enclave_add(cx, a->st, &en, a->actor, a->now, &id)))
    return sgxra__sp_store_error(cx, a->out, e);
  return answer_entry(a, SGXRA_STORE_ENCLAVES, id, 201);
}

static sgxra_err post_signer(admin_call *a) {
  static const char *const members[] = {
      "mrsigner",           "isvprodid", "min_isvsvn", "product",
      "allow_debug_signer", "note",      NULL};
  sgxra_ctx *cx = a->cx;
  json_t *o = NULL;
  sgxra_err e = body_object(cx, a->rq, members, &o, a->out);
  if (e || !o) return e;
  sgxra_store_signer s;
  memset(&s, 0, sizeof s);
  int64_t prod = 0, min = 0;
  const char *product = "", *note = "";
  if (member_hex(cx, o, "mrsigner", s.mrsigner, SGXRA_HASH_SIZE, 1, a->out,
                 &e) &&
      member_uint(cx, o, "isvprodid", 0xffff, 1, &prod, a->out, &e) &&
      member_uint(cx, o, "min_isvsvn", 0xffff, 1, &min, a->out, &e) &&
      member_bool(cx, o, "allow_debug_signer", &s.allow_debug_signer, a->out,
                  &e) &&
      member_str(cx, o, "product", SGXRA_STORE_PRODUCT_MAX, 0, &product, a->out,
                 &e) &&
      member_str(cx, o, "note", SGXRA_STORE_NOTE_MAX, 0, &note, a->out, &e)) {
    s.isvprodid = (uint16_t)prod;
    s.min_isvsvn = (uint16_t)min;
    s.meta.source = SGXRA_STORE_SOURCE_HEX;
    snprintf(s.meta.product, sizeof s.meta.product, "%s", product);
    snprintf(s.meta.note, sizeof s.meta.note, "%s", note);
    const char *dn = NULL;
    int64_t id = 0;
    if (sgxra_mrsigner_is_debug_key(s.mrsigner, &dn) && !s.allow_debug_signer)
      e = debug_signer_refused(cx, a->out, dn);
    else if ((e = sgxra_store_signer_add(cx, a->st, &s, a->actor, a->now, &id)))
      e = sgxra__sp_store_error(cx, a->out, e);
    else
      e = answer_entry(a, SGXRA_STORE_SIGNERS, id, 201);
  }
  json_decref(o);
  return e;
}

static sgxra_err post_deny(admin_call *a) {
  static const char *const members[] = {"mrenclave", "reason", "note", NULL};
  sgxra_ctx *cx = a->cx;
  json_t *o = NULL;
  sgxra_err e = body_object(cx, a->rq, members, &o, a->out);
  if (e || !o) return e;
  sgxra_store_deny d;
  memset(&d, 0, sizeof d);
  const char *reason = "", *note = "";
  if (member_hex(cx, o, "mrenclave", d.mrenclave, SGXRA_HASH_SIZE, 1, a->out,
                 &e) &&
      member_str(cx, o, "reason", SGXRA_STORE_NOTE_MAX, 1, &reason, a->out,
                 &e) &&
      member_str(cx, o, "note", SGXRA_STORE_NOTE_MAX, 0, &note, a->out, &e)) {
    snprintf(d.reason, sizeof d.reason, "%s", reason);
    snprintf(d.meta.note, sizeof d.meta.note, "%s", note);
    d.meta.source = SGXRA_STORE_SOURCE_HEX;
    int64_t id = 0;
    if ((e = sgxra_store_deny_add(cx, a->st, &d, a->actor, a->now, &id)))
      e = sgxra__sp_store_error(cx, a->out, e);
    else
      e = answer_entry(a, SGXRA_STORE_DENIED, id, 201);
  }
  json_decref(o);
  return e;
}

static sgxra_err post_revoke(admin_call *a) {
  static const char *const members[] = {"table", "id", NULL};
  sgxra_ctx *cx = a->cx;
  json_t *o = NULL;
  sgxra_err e = body_object(cx, a->rq, members, &o, a->out);
  if (e || !o) return e;
  const char *table = "";
  int64_t id = 0;
  if (member_str(cx, o, "table", 16, 1, &table, a->out, &e) &&
      member_uint(cx, o, "id", INT64_MAX, 1, &id, a->out, &e)) {
    sgxra_store_table t = !strcmp(table, "enclaves")  ? SGXRA_STORE_ENCLAVES
                          : !strcmp(table, "signers") ? SGXRA_STORE_SIGNERS
                          : !strcmp(table, "deny")    ? SGXRA_STORE_DENIED
                                                      : (sgxra_store_table)0;
    if (!t)
      e = sgxra__sp_error(cx, a->out, 400, sgxra_err_name(SGXRA_E_JSON),
                          "member 'table' must be enclaves, signers or deny");
    else if ((e = sgxra_store_revoke(cx, a->st, t, id, a->actor, a->now)))
      e = sgxra__sp_store_error(cx, a->out, e);
    else
      e = answer_entry(a, t, id, 200);
  }
  json_decref(o);
  return e;
}

static json_t *policy_info_json(const sgxra_store_policy_info *pi) {
  json_t *o = json_object();
  json_object_set_new(o, "version", json_integer(pi->version));
  json_object_set_new(o, "sha256", hex_json(pi->sha256, SGXRA_SHA256_SIZE));
  json_object_set_new(o, "set_by", json_string(pi->set_by));
  json_object_set_new(o, "set_at", time_json(pi->set_at));
  json_object_set_new(o, "size", json_integer((json_int_t)pi->size));
  return o;
}

static sgxra_err put_policy(admin_call *a) {
  sgxra_ctx *cx = a->cx;
  const sgxra_sp_request *rq = a->rq;
  sgxra_policy *p = calloc(1, sizeof *p);
  if (!p) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "policy");
  /* the appraisal must be able to read it: checked before it is stored */
  sgxra_err e = sgxra_policy_parse(cx, (const char *)rq->body,
                                   rq->body ? rq->body_len : 0, p);
  free(p);
  if (e == SGXRA_E_NO_MEMORY) return e;
  if (e)
    return sgxra__sp_error(cx, a->out, 400, sgxra_err_name(e),
                           "policy not stored: %s", sgxra_ctx_message(cx));
  sgxra_store_policy_info pi;
  if ((e = sgxra_store_policy_set(cx, a->st, (const char *)rq->body,
                                  rq->body_len, a->actor, a->now, &pi)))
    return sgxra__sp_store_error(cx, a->out, e);
  return sgxra__sp_json(cx, a->out, 201, policy_info_json(&pi));
}

static sgxra_err put_secret(admin_call *a) {
  static const char *const members[] = {"mrenclave", "mrsigner", "isvprodid",
                                        "secret", NULL};
  sgxra_ctx *cx = a->cx;
  json_t *o = NULL;
  sgxra_err e = body_object(cx, a->rq, members, &o, a->out);
  if (e || !o) return e;
  sgxra_store_secret_binding b;
  memset(&b, 0, sizeof b);
  uint8_t *plain = NULL, *sealed = NULL;
  size_t plain_n = 0, sealed_n = 0;
  int64_t prod = 0;
  int has_mre = json_object_get(o, "mrenclave") != NULL;
  int has_mrs = json_object_get(o, "mrsigner") != NULL;
  const char *s64 = json_string_value(json_object_get(o, "secret"));
  if (has_mre == has_mrs) {
    e = sgxra__sp_error(cx, a->out, 400, sgxra_err_name(SGXRA_E_JSON),
                        "give exactly one binding: {\"mrenclave\"} or "
                        "{\"mrsigner\", \"isvprodid\"}");
    goto done;
  }
  if (has_mre) {
    b.kind = SGXRA_STORE_SECRET_MRENCLAVE;
    if (json_object_get(o, "isvprodid")) {
      e = sgxra__sp_error(cx, a->out, 400, sgxra_err_name(SGXRA_E_JSON),
                          "isvprodid goes with mrsigner, not mrenclave");
      goto done;
    }
    if (!member_hex(cx, o, "mrenclave", b.mrenclave, SGXRA_HASH_SIZE, 1, a->out,
                    &e))
      goto done;
  } else {
    b.kind = SGXRA_STORE_SECRET_SIGNER;
    if (!member_hex(cx, o, "mrsigner", b.mrsigner, SGXRA_HASH_SIZE, 1, a->out,
                    &e) ||
        !member_uint(cx, o, "isvprodid", 0xffff, 1, &prod, a->out, &e))
      goto done;
    b.isvprodid = (uint16_t)prod;
  }
  if (!s64) {
    e = sgxra__sp_error(cx, a->out, 400, sgxra_err_name(SGXRA_E_JSON),
                        "member 'secret' (base64) is required");
    goto done;
  }
  e = sgxra_base64_decode_text(cx, s64, strlen(s64),
                               SGXRA_BASE64_STD | SGXRA_BASE64_PAD_OPTIONAL,
                               SGXRA_SP_SECRET_MAX, &plain, &plain_n);
  if (e == SGXRA_E_NO_MEMORY) goto done;
  if (e || plain_n == 0) {
    e = sgxra__sp_error(
        cx, a->out, e == SGXRA_E_TOO_LARGE ? 413 : 400,
        sgxra_err_name(e ? e : SGXRA_E_INVALID_ARGUMENT), "member 'secret': %s",
        e ? sgxra_ctx_message(cx) : "empty (1..65536 bytes, base64)");
    goto done;
  }
  char bind[SGXRA__SP_BINDING_SIZE];
  sgxra__sp_binding_text(b.kind == SGXRA_STORE_SECRET_SIGNER,
                         b.kind == SGXRA_STORE_SECRET_SIGNER ? b.mrsigner
                                                             : b.mrenclave,
                         b.isvprodid, bind);
  if ((e = sgxra__sp_secret_seal(cx, a->sp, bind, plain, plain_n, &sealed,
                                 &sealed_n)))
    goto done;
  sgxra_store_secret_info info;
  if ((e = sgxra_store_secret_set(cx, a->st, &b, sealed, sealed_n, a->actor,
                                  a->now, &info))) {
    e = sgxra__sp_store_error(cx, a->out, e);
    goto done;
  }
  e = sgxra__sp_json(cx, a->out, 200, secret_json(&info, plain_n));
done:
  if (plain) {
    sgxra_wipe(plain, plain_n);
    free(plain);
  }
  free(sealed);
  json_decref(o);
  return e;
}

/* GET listings. */
static sgxra_err get_list(admin_call *a, const char *what) {
  sgxra_ctx *cx = a->cx;
  const char *all_q = query_get(a->rq, "all");
  int all = all_q && !strcmp(all_q, "1");
  json_t *arr = json_array();
  sgxra_err e = SGXRA_OK;
  if (!strcmp(what, "policy")) {
    json_decref(arr);
    sgxra_store_policy_info pi;
    char *doc = NULL;
    e = sgxra_store_policy_get(cx, a->st, 0, &pi, &doc);
    if (e == SGXRA_E_STORE_NOT_FOUND) {
      json_t *o = json_pack("{s:I, s:b, s:o}", (const char *)"version",
                            (json_int_t)0, "default", 1, "policy",
                            json_loads(SGXRA_POLICY_DEFAULT_DOC, 0, NULL));
      return sgxra__sp_json(cx, a->out, 200, o);
    }
    if (e) return sgxra__sp_store_error(cx, a->out, e);
    json_t *o = policy_info_json(&pi);
    json_t *d = json_loadb(doc, pi.size, 0, NULL);
    json_object_set_new(o, "default", json_false());
    json_object_set_new(o, "policy", d ? d : json_null());
    sgxra_store_free(doc);
    return sgxra__sp_json(cx, a->out, 200, o);
  }
  if (!strcmp(what, "secrets")) {
    sgxra_store_secret_info *l = NULL;
    size_t n = 0;
    if ((e = sgxra_store_secret_list(cx, a->st, &l, &n))) {
      json_decref(arr);
      return sgxra__sp_store_error(cx, a->out, e);
    }
    for (size_t i = 0; i < n; i++)
      json_array_append_new(arr, secret_json(&l[i], SIZE_MAX));
    sgxra_store_free(l);
    return sgxra__sp_json(cx, a->out, 200, json_pack("{s:o}", what, arr));
  }
  int64_t after = 0;
  for (;;) {
    void *list = NULL;
    size_t n = 0;
    if (!strcmp(what, "enclaves"))
      e = sgxra_store_enclave_list(cx, a->st, after, SGXRA_STORE_LIST_MAX, all,
                                   (sgxra_store_enclave **)&list, &n);
    else if (!strcmp(what, "signers"))
      e = sgxra_store_signer_list(cx, a->st, after, SGXRA_STORE_LIST_MAX, all,
                                  (sgxra_store_signer **)&list, &n);
    else
      e = sgxra_store_deny_list(cx, a->st, after, SGXRA_STORE_LIST_MAX, all,
                                (sgxra_store_deny **)&list, &n);
    if (e) {
      json_decref(arr);
      return sgxra__sp_store_error(cx, a->out, e);
    }
    for (size_t i = 0; i < n; i++) {
      if (!strcmp(what, "enclaves")) {
        const sgxra_store_enclave *x = (sgxra_store_enclave *)list + i;
        after = x->meta.id;
        json_array_append_new(arr, enclave_json(x));
      } else if (!strcmp(what, "signers")) {
        const sgxra_store_signer *x = (sgxra_store_signer *)list + i;
        after = x->meta.id;
        json_array_append_new(arr, signer_json(x));
      } else {
        const sgxra_store_deny *x = (sgxra_store_deny *)list + i;
        after = x->meta.id;
        json_array_append_new(arr, deny_json(x));
      }
    }
    sgxra_store_free(list);
    if (n < SGXRA_STORE_LIST_MAX) break;
  }
  return sgxra__sp_json(cx, a->out, 200, json_pack("{s:o}", what, arr));
}

/* The bearer token of the request, checked against the store.  *ok 1 and
 * the actor set, or the 401 in out. */
static sgxra_err authorize(admin_call *a, int *ok) {
  *ok = 0;
  sgxra_ctx *cx = a->cx;
  const char *h = a->rq->authorization;
  a->out->audited = 1;
  if (!h || strncasecmp(h, "Bearer ", 7))
    return sgxra__sp_error(cx, a->out, 401, "Unauthorized",
                           "an admin write needs \"Authorization: Bearer "
                           "<token>\" (`sgxra registry token add NAME` makes "
                           "one)");
  const char *tok = h + 7;
  while (*tok == ' ') tok++;
  size_t n = strlen(tok);
  while (n && tok[n - 1] == ' ') n--;
  uint8_t hash[SGXRA_SHA256_SIZE];
  sgxra_err e = sgxra_sha256(cx, tok, n, hash);
  if (e) return e;
  int found = 0;
  sgxra_store_token t;
  if ((e = sgxra_store_token_check(cx, a->st, hash, &found, &t)))
    return sgxra__sp_store_error(cx, a->out, e);
  if (!found)
    return sgxra__sp_error(cx, a->out, 401, "Unauthorized",
                           "the bearer token is not an admin token of this "
                           "SP (unknown or revoked)");
  snprintf(a->out->token_name, sizeof a->out->token_name, "%s", t.name);
  snprintf(a->actor, sizeof a->actor, "token:%s", t.name);
  *ok = 1;
  return SGXRA_OK;
}

static const struct {
  const char *name;  /* after /admin/v1/ */
  const char *route; /* label */
  const char *write; /* the method that writes, or NULL */
  int get;           /* GET lists it */
  sgxra_err (*fn)(admin_call *);
} routes[] = {
    {"enclaves", "/admin/v1/enclaves", "POST", 1, post_enclave},
    {"signers", "/admin/v1/signers", "POST", 1, post_signer},
    {"deny", "/admin/v1/deny", "POST", 1, post_deny},
    {"revoke", "/admin/v1/revoke", "POST", 0, post_revoke},
    {"policy", "/admin/v1/policy", "PUT", 1, put_policy},
    {"secrets", "/admin/v1/secrets", "PUT", 1, put_secret},
};

sgxra_err sgxra__sp_admin(sgxra_ctx *cx, sgxra_sp *sp,
                          const sgxra_sp_request *rq, int64_t now,
                          sgxra_sp_response *out) {
  const char *name = rq->path + strlen(PREFIX);
  size_t r = 0;
  while (r < sizeof routes / sizeof routes[0] && strcmp(routes[r].name, name))
    r++;
  if (r == sizeof routes / sizeof routes[0]) {
    out->route = "/admin/v1/other";
    return sgxra__sp_error(cx, out, 404, "NotFound",
                           "no such admin path %.200s: enclaves, signers, "
                           "deny, revoke, policy, secrets",
                           rq->path);
  }
  out->route = routes[r].route;
  int is_get = !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
  int is_write = !strcmp(rq->method, routes[r].write);
  if (!(is_get && routes[r].get) && !is_write) {
    out->allow = routes[r].get ? (!strcmp(routes[r].write, "POST") ? "GET, POST"
                                                                   : "GET, PUT")
                               : routes[r].write;
    return sgxra__sp_error(cx, out, 405, "MethodNotAllowed",
                           "method %.16s not allowed on %s: use %s", rq->method,
                           routes[r].route, out->allow);
  }
  admin_call a = {.cx = cx, .sp = sp, .rq = rq, .now = now, .out = out};
  sgxra_err e = sgxra__sp_store_get(cx, sp, now, &a.st);
  if (e) {
    if (e == SGXRA_E_NO_MEMORY) return e;
    return sgxra__sp_store_error(cx, out, e);
  }
  if (is_get) {
    e = get_list(&a, routes[r].name);
  } else {
    int ok = 0;
    e = authorize(&a, &ok);
    if (!e && ok) e = routes[r].fn(&a);
  }
  sgxra__sp_store_put(sp, a.st, e ? e : sgxra_ctx_error(cx));
  return e;
}
