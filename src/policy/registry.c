/* Registry views: the three lookups the appraisal reads reference values
 * through, over an open store or over entries held in memory (quick checks
 * without a database).  Both answer the same questions the same way, so
 * the appraisal gives the same reasons whichever is behind it. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "policy/internal.h"
#include "sgxra/hex.h"
#include "sgxra/policy.h"

/* ---- over a store -------------------------------------------------------- */

static sgxra_err st_deny(sgxra_ctx *cx, void *user,
                         const uint8_t mrenclave[SGXRA_HASH_SIZE],
                         int *out_denied, sgxra_store_deny *out) {
  return sgxra_store_deny_check(cx, (sgxra_store *)user, mrenclave, out_denied,
                                out);
}

static sgxra_err st_enclave(sgxra_ctx *cx, void *user,
                            const uint8_t mrenclave[SGXRA_HASH_SIZE],
                            int *out_found, sgxra_store_enclave *out,
                            unsigned *out_fields) {
  *out_fields = SGXRA_REF_ALL;
  return sgxra_store_enclave_find(cx, (sgxra_store *)user, mrenclave, out_found,
                                  out);
}

static sgxra_err st_signer(sgxra_ctx *cx, void *user,
                           const uint8_t mrsigner[SGXRA_HASH_SIZE],
                           uint16_t isvprodid, int *out_found,
                           sgxra_store_signer *out) {
  return sgxra_store_signer_find(cx, (sgxra_store *)user, mrsigner, isvprodid,
                                 out_found, out);
}

sgxra_registry_view sgxra_registry_view_store(sgxra_store *st) {
  sgxra_registry_view v;
  memset(&v, 0, sizeof(v));
  if (!st) return v; /* no lookups: the appraisal refuses it */
  v.user = st;
  v.deny_check = st_deny;
  v.enclave_find = st_enclave;
  v.signer_find = st_signer;
  return v;
}

/* ---- in memory ------------------------------------------------------------
 */

typedef struct mem_enclave {
  sgxra_store_enclave e;
  unsigned fields;
} mem_enclave;

struct sgxra_registry_memory {
  mem_enclave *enclaves;
  size_t n_enclaves, cap_enclaves;
  sgxra_store_signer *signers;
  size_t n_signers, cap_signers;
  sgxra_store_deny *denied;
  size_t n_denied, cap_denied;
  int64_t next_id; /* ids as a store would give them: 1, 2, ... */
};

sgxra_err sgxra_registry_memory_new(sgxra_ctx *cx,
                                    sgxra_registry_memory **out_mem) {
  if (!out_mem)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "registry: no output");
  *out_mem = calloc(1, sizeof(**out_mem));
  if (!*out_mem)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "registry: in-memory registry");
  (*out_mem)->next_id = 1;
  return SGXRA_OK;
}

void sgxra_registry_memory_free(sgxra_registry_memory *mem) {
  if (!mem) return;
  free(mem->enclaves);
  free(mem->signers);
  free(mem->denied);
  free(mem);
}

/* Make room for one more element of size `elem` in *arr. */
static sgxra_err grow(sgxra_ctx *cx, void **arr, size_t n, size_t *cap,
                      size_t elem, const char *what) {
  if (n >= SGXRA_REGISTRY_MEMORY_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "registry: more than %d %s entries in memory: use a "
                       "store",
                       SGXRA_REGISTRY_MEMORY_MAX, what);
  if (n < *cap) return SGXRA_OK;
  size_t nc = *cap ? *cap * 2 : 16;
  if (nc > SGXRA_REGISTRY_MEMORY_MAX) nc = SGXRA_REGISTRY_MEMORY_MAX;
  void *p = realloc(*arr, nc * elem);
  if (!p) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "registry: %s", what);
  *arr = p;
  *cap = nc;
  return SGXRA_OK;
}

static void hex32(const uint8_t *p, char out[65]) {
  sgxra_hex_encode(p, SGXRA_HASH_SIZE, out);
}

static void stamp(sgxra_registry_memory *mem, sgxra_store_meta *m) {
  m->id = mem->next_id++;
  m->revoked = 0;
}

sgxra_err sgxra_registry_memory_add_enclave(sgxra_ctx *cx,
                                            sgxra_registry_memory *mem,
                                            const sgxra_store_enclave *e,
                                            unsigned fields) {
  if (!mem || !e)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: NULL registry or entry");
  if (e->meta.revoked)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: a revoked entry cannot be added");
  if (fields & ~(unsigned)(SGXRA_REF_ALL | SGXRA_REF_MIN_ISVSVN))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: unknown field bits 0x%x", fields);
  if ((fields & SGXRA_REF_ISVSVN) && (fields & SGXRA_REF_MIN_ISVSVN))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: ISVSVN compared both exactly and as a "
                       "minimum: choose one");
  char h[65];
  for (size_t i = 0; i < mem->n_enclaves; i++)
    if (memcmp(mem->enclaves[i].e.mrenclave, e->mrenclave, 32) == 0) {
      hex32(e->mrenclave, h);
      return sgxra__fail(cx, SGXRA_E_STORE_DUPLICATE,
                         "registry: MRENCLAVE %s is registered already "
                         "(entry #%lld)",
                         h, (long long)mem->enclaves[i].e.meta.id);
    }
  sgxra_err err = grow(cx, (void **)&mem->enclaves, mem->n_enclaves,
                       &mem->cap_enclaves, sizeof(mem_enclave), "enclave");
  if (err) return err;
  mem_enclave *me = &mem->enclaves[mem->n_enclaves++];
  me->e = *e;
  me->fields = fields;
  stamp(mem, &me->e.meta);
  return SGXRA_OK;
}

sgxra_err sgxra_registry_memory_add_signer(sgxra_ctx *cx,
                                           sgxra_registry_memory *mem,
                                           const sgxra_store_signer *s) {
  if (!mem || !s)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: NULL registry or entry");
  if (s->meta.revoked)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: a revoked entry cannot be added");
  char h[65];
  for (size_t i = 0; i < mem->n_signers; i++)
    if (memcmp(mem->signers[i].mrsigner, s->mrsigner, 32) == 0 &&
        mem->signers[i].isvprodid == s->isvprodid) {
      hex32(s->mrsigner, h);
      return sgxra__fail(cx, SGXRA_E_STORE_DUPLICATE,
                         "registry: MRSIGNER %s is trusted for ISVPRODID %u "
                         "already (entry #%lld)",
                         h, s->isvprodid, (long long)mem->signers[i].meta.id);
    }
  sgxra_err err = grow(cx, (void **)&mem->signers, mem->n_signers,
                       &mem->cap_signers, sizeof(sgxra_store_signer), "signer");
  if (err) return err;
  sgxra_store_signer *ms = &mem->signers[mem->n_signers++];
  *ms = *s;
  stamp(mem, &ms->meta);
  return SGXRA_OK;
}

sgxra_err sgxra_registry_memory_add_deny(sgxra_ctx *cx,
                                         sgxra_registry_memory *mem,
                                         const sgxra_store_deny *d) {
  if (!mem || !d)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: NULL registry or entry");
  if (d->meta.revoked)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: a revoked entry cannot be added");
  if (d->reason[0] == '\0')
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: a denial needs a reason");
  char h[65];
  for (size_t i = 0; i < mem->n_denied; i++)
    if (memcmp(mem->denied[i].mrenclave, d->mrenclave, 32) == 0) {
      hex32(d->mrenclave, h);
      return sgxra__fail(cx, SGXRA_E_STORE_DUPLICATE,
                         "registry: MRENCLAVE %s is denied already (entry "
                         "#%lld)",
                         h, (long long)mem->denied[i].meta.id);
    }
  sgxra_err err = grow(cx, (void **)&mem->denied, mem->n_denied,
                       &mem->cap_denied, sizeof(sgxra_store_deny), "deny");
  if (err) return err;
  sgxra_store_deny *md = &mem->denied[mem->n_denied++];
  *md = *d;
  stamp(mem, &md->meta);
  return SGXRA_OK;
}

static sgxra_err hash_hex(sgxra_ctx *cx, const char *what, const char *s,
                          uint8_t out[SGXRA_HASH_SIZE]) {
  size_t n = strlen(s);
  if (n != 2 * SGXRA_HASH_SIZE)
    return sgxra__fail(cx, SGXRA_E_POLICY_HEX,
                       "%s: expected %d hex digits (32 bytes), found %zu", what,
                       2 * SGXRA_HASH_SIZE, n);
  sgxra_err e = sgxra_hex_decode(cx, s, n, out, SGXRA_HASH_SIZE);
  return e ? sgxra__context(cx, e, "%s", what) : SGXRA_OK;
}

static sgxra_err u16_arg(sgxra_ctx *cx, const char *what, int32_t v) {
  if (v < -1 || v > 0xffff)
    return sgxra__fail(cx, SGXRA_E_POLICY_INPUT,
                       "%s: %ld is out of range 0..65535", what, (long)v);
  return SGXRA_OK;
}

sgxra_err sgxra_registry_memory_add_expected(sgxra_ctx *cx,
                                             sgxra_registry_memory *mem,
                                             const sgxra_expected *x) {
  if (!mem || !x)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "registry: NULL registry or expected values");
  sgxra_err e = u16_arg(cx, "ISVPRODID", x->isvprodid);
  if (!e) e = u16_arg(cx, "minimum ISVSVN", x->min_isvsvn);
  if (e) return e;
  if (!x->mrenclave_hex && !x->mrsigner_hex)
    return sgxra__fail(cx, SGXRA_E_POLICY_INPUT,
                       "expected values: give MRENCLAVE, or MRSIGNER with "
                       "ISVPRODID (ISVPRODID and minimum ISVSVN alone "
                       "identify nothing)");
  if (x->mrenclave_hex) {
    sgxra_store_enclave en;
    memset(&en, 0, sizeof(en));
    unsigned fields = 0;
    e = hash_hex(cx, "MRENCLAVE", x->mrenclave_hex, en.mrenclave);
    if (!e && x->mrsigner_hex) {
      e = hash_hex(cx, "MRSIGNER", x->mrsigner_hex, en.mrsigner);
      fields |= SGXRA_REF_MRSIGNER;
    }
    if (e) return e;
    if (x->isvprodid >= 0) {
      en.isvprodid = (uint16_t)x->isvprodid;
      fields |= SGXRA_REF_ISVPRODID;
    }
    if (x->min_isvsvn >= 0) {
      en.isvsvn = (uint16_t)x->min_isvsvn;
      fields |= SGXRA_REF_MIN_ISVSVN;
    }
    en.allow_debug_signer = x->allow_debug_signer ? 1 : 0;
    en.meta.source = SGXRA_STORE_SOURCE_HEX;
    return sgxra_registry_memory_add_enclave(cx, mem, &en, fields);
  }
  if (x->isvprodid < 0)
    return sgxra__fail(cx, SGXRA_E_POLICY_INPUT,
                       "expected values: MRSIGNER needs ISVPRODID: a signer "
                       "is trusted for one product at a time");
  sgxra_store_signer s;
  memset(&s, 0, sizeof(s));
  e = hash_hex(cx, "MRSIGNER", x->mrsigner_hex, s.mrsigner);
  if (e) return e;
  s.isvprodid = (uint16_t)x->isvprodid;
  s.min_isvsvn = x->min_isvsvn >= 0 ? (uint16_t)x->min_isvsvn : 0;
  s.allow_debug_signer = x->allow_debug_signer ? 1 : 0;
  s.meta.source = SGXRA_STORE_SOURCE_HEX;
  return sgxra_registry_memory_add_signer(cx, mem, &s);
}

static sgxra_err mem_deny(sgxra_ctx *cx, void *user,
                          const uint8_t mrenclave[SGXRA_HASH_SIZE],
                          int *out_denied, sgxra_store_deny *out) {
  (void)cx;
  const sgxra_registry_memory *mem = user;
  *out_denied = 0;
  if (out) memset(out, 0, sizeof(*out));
  for (size_t i = 0; i < mem->n_denied; i++)
    if (memcmp(mem->denied[i].mrenclave, mrenclave, SGXRA_HASH_SIZE) == 0) {
      *out_denied = 1;
      if (out) *out = mem->denied[i];
      break;
    }
  return SGXRA_OK;
}

static sgxra_err mem_enclave_find(sgxra_ctx *cx, void *user,
                                  const uint8_t mrenclave[SGXRA_HASH_SIZE],
                                  int *out_found, sgxra_store_enclave *out,
                                  unsigned *out_fields) {
  (void)cx;
  const sgxra_registry_memory *mem = user;
  *out_found = 0;
  *out_fields = 0;
  memset(out, 0, sizeof(*out));
  for (size_t i = 0; i < mem->n_enclaves; i++)
    if (memcmp(mem->enclaves[i].e.mrenclave, mrenclave, SGXRA_HASH_SIZE) == 0) {
      *out_found = 1;
      *out = mem->enclaves[i].e;
      *out_fields = mem->enclaves[i].fields;
      break;
    }
  return SGXRA_OK;
}

static sgxra_err mem_signer_find(sgxra_ctx *cx, void *user,
                                 const uint8_t mrsigner[SGXRA_HASH_SIZE],
                                 uint16_t isvprodid, int *out_found,
                                 sgxra_store_signer *out) {
  (void)cx;
  const sgxra_registry_memory *mem = user;
  *out_found = 0;
  memset(out, 0, sizeof(*out));
  for (size_t i = 0; i < mem->n_signers; i++)
    if (memcmp(mem->signers[i].mrsigner, mrsigner, SGXRA_HASH_SIZE) == 0 &&
        mem->signers[i].isvprodid == isvprodid) {
      *out_found = 1;
      *out = mem->signers[i];
      break;
    }
  return SGXRA_OK;
}

sgxra_registry_view sgxra_registry_view_memory(sgxra_registry_memory *mem) {
  sgxra_registry_view v;
  memset(&v, 0, sizeof(v));
  if (!mem) return v;
  v.user = mem;
  v.deny_check = mem_deny;
  v.enclave_find = mem_enclave_find;
  v.signer_find = mem_signer_find;
  return v;
}
