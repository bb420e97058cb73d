/* The SGX extension of PCK certificates (OID 1.2.840.113741.1.13.1): see
 * sgxra/intelca.h for the ASN.1 structure, which follows Intel's "SGX PCK
 * Certificate and CRL Profile Specification" and the PCK certificates Intel
 * issues (vectors/dcap/bundles/ * /quote.bin carry real ones).
 *
 * The DER is written by hand with a small growable buffer: every element is
 * built inside out (content first, then wrapped in its tag and length). */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "sgxra/intelca.h"

/* DER tags used here. */
#define TAG_BOOLEAN 0x01
#define TAG_INTEGER 0x02
#define TAG_OCTET_STRING 0x04
#define TAG_OID 0x06
#define TAG_ENUMERATED 0x0a
#define TAG_SEQUENCE 0x30

/* Cap on the extension's size: the real ones are under 600 bytes. */
#define DER_CAP 4096

typedef struct der_buf {
  uint8_t p[DER_CAP];
  size_t n;
  int overflow;
} der_buf;

static void der_raw(der_buf *b, const uint8_t *p, size_t n) {
  if (b->overflow || n > DER_CAP - b->n) {
    b->overflow = 1;
    return;
  }
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

/* tag, definite length (short or long form), content */
static void der_tlv(der_buf *b, uint8_t tag, const uint8_t *content, size_t n) {
  uint8_t hdr[4];
  size_t h = 0;
  hdr[h++] = tag;
  if (n < 0x80) {
    hdr[h++] = (uint8_t)n;
  } else if (n < 0x100) {
    hdr[h++] = 0x81;
    hdr[h++] = (uint8_t)n;
  } else {
    hdr[h++] = 0x82;
    hdr[h++] = (uint8_t)(n >> 8);
    hdr[h++] = (uint8_t)n;
  }
  der_raw(b, hdr, h);
  der_raw(b, content, n);
}

/* Non-negative INTEGER, minimal two's complement (a leading 0x00 when the
 * top bit of the first byte is set). */
static void der_uint(der_buf *b, uint32_t v) {
  uint8_t tmp[5];
  size_t n = 0;
  int started = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    uint8_t byte = (uint8_t)(v >> shift);
    if (!started && byte == 0 && shift > 0) continue;
    if (!started && (byte & 0x80)) tmp[n++] = 0;
    started = 1;
    tmp[n++] = byte;
  }
  der_tlv(b, TAG_INTEGER, tmp, n);
}

/* The OID 1.2.840.113741.1.13.1[.a[.b]] (a, b < 128, so one byte each). */
static void der_sgx_oid(der_buf *b, int a, int sub) {
  uint8_t oid[11] = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01};
  size_t n = 9;
  if (a > 0) oid[n++] = (uint8_t)a;
  if (sub > 0) oid[n++] = (uint8_t)sub;
  der_tlv(b, TAG_OID, oid, n);
}

/* SEQUENCE { OID .a[.sub], <value already encoded in v> } appended to b */
static void der_pair(der_buf *b, int a, int sub, const der_buf *v) {
  der_buf *seq = calloc(1, sizeof(*seq));
  if (!seq) {
    b->overflow = 1;
    return;
  }
  der_sgx_oid(seq, a, sub);
  der_raw(seq, v->p, v->n);
  seq->overflow |= v->overflow;
  if (seq->overflow) b->overflow = 1;
  der_tlv(b, TAG_SEQUENCE, seq->p, seq->n);
  free(seq);
}

static void pair_octets(der_buf *b, int a, int sub, const uint8_t *p,
                        size_t n) {
  der_buf v = {.n = 0};
  der_tlv(&v, TAG_OCTET_STRING, p, n);
  der_pair(b, a, sub, &v);
}

static void pair_uint(der_buf *b, int a, int sub, uint32_t x) {
  der_buf v = {.n = 0};
  der_uint(&v, x);
  der_pair(b, a, sub, &v);
}

static void pair_bool(der_buf *b, int a, int sub, int x) {
  der_buf v = {.n = 0};
  uint8_t byte = x ? 0xff : 0x00;
  der_tlv(&v, TAG_BOOLEAN, &byte, 1);
  der_pair(b, a, sub, &v);
}

sgxra_err sgxra_pck_extension_encode(sgxra_ctx *cx, const sgxra_pck_ext *info,
                                     uint8_t **out_der, size_t *out_len) {
  if (out_der) *out_der = NULL;
  if (out_len) *out_len = 0;
  if (!info || !out_der || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "SGX extension: info and outputs are required");
  if (info->sgx_type > 2)
    return sgxra__fail(cx, SGXRA_E_CA_ISSUE,
                       "SGX extension: SGX type must be 0 (standard), 1 "
                       "(scalable) or 2 (scalable with integrity), got %u",
                       info->sgx_type);
  /* Four scratch buffers: the whole list, the TCB list, one value, and the
   * configuration list; heap-allocated as each holds DER_CAP bytes. */
  der_buf *all = calloc(1, sizeof(*all));
  der_buf *tcb = calloc(1, sizeof(*tcb));
  der_buf *val = calloc(1, sizeof(*val));
  der_buf *conf = calloc(1, sizeof(*conf));
  sgxra_err e = SGXRA_OK;
  if (!all || !tcb || !val || !conf) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "SGX extension: out of memory");
    goto done;
  }

  pair_octets(all, 1, 0, info->ppid, SGXRA_PCKEXT_PPID_SIZE);

  for (int i = 0; i < SGXRA_PCKEXT_COMP_COUNT; i++)
    pair_uint(tcb, 2, i + 1, info->comp_svn[i]);
  pair_uint(tcb, 2, 17, info->pcesvn);
  pair_octets(tcb, 2, 18, info->cpusvn, SGXRA_CPUSVN_SIZE);
  der_tlv(val, TAG_SEQUENCE, tcb->p, tcb->n);
  val->overflow |= tcb->overflow;
  der_pair(all, 2, 0, val);

  pair_octets(all, 3, 0, info->pceid, SGXRA_PCKEXT_PCEID_SIZE);
  pair_octets(all, 4, 0, info->fmspc, SGXRA_PCKEXT_FMSPC_SIZE);

  val->n = 0;
  der_tlv(val, TAG_ENUMERATED, &info->sgx_type, 1);
  der_pair(all, 5, 0, val);

  if (info->has_platform_instance_id)
    pair_octets(all, 6, 0, info->platform_instance_id, 16);
  if (info->has_configuration) {
    if (info->dynamic_platform >= 0)
      pair_bool(conf, 7, 1, info->dynamic_platform);
    if (info->cached_keys >= 0) pair_bool(conf, 7, 2, info->cached_keys);
    if (info->smt_enabled >= 0) pair_bool(conf, 7, 3, info->smt_enabled);
    val->n = 0;
    der_tlv(val, TAG_SEQUENCE, conf->p, conf->n);
    val->overflow |= conf->overflow;
    der_pair(all, 7, 0, val);
  }

  if (all->overflow) {
    e = sgxra__fail(cx, SGXRA_E_INTERNAL,
                    "SGX extension: encoding exceeds %d bytes", DER_CAP);
    goto done;
  }
  /* The outer SEQUENCE. */
  val->n = 0;
  der_tlv(val, TAG_SEQUENCE, all->p, all->n);
  if (val->overflow) {
    e = sgxra__fail(cx, SGXRA_E_INTERNAL,
                    "SGX extension: encoding exceeds %d bytes", DER_CAP);
    goto done;
  }
  *out_der = malloc(val->n);
  if (!*out_der) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "SGX extension: out of memory");
    goto done;
  }
  memcpy(*out_der, val->p, val->n);
  *out_len = val->n;
done:
  free(all);
  free(tcb);
  free(val);
  free(conf);
  return e;
}
