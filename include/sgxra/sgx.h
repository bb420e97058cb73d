/*
 * sgxra/sgx.h -- SGX architectural structures: ATTRIBUTES, REPORT body,
 * REPORT, TARGETINFO, KEYREQUEST.
 *
 * Layouts follow the Intel SDM, Vol. 3D, chapter 38 ("SGX data structures").
 * The structs below are the *decoded* software form; the wire form is the
 * byte layout drawn before each decoder in src/sgx/structs.c.  Decoders take
 * (pointer, length), read each field explicitly little-endian and never cast
 * the buffer; encoders write the exact architectural bytes.
 *
 * Thread-safety: pure functions on caller-owned memory.
 */
#ifndef SGXRA_SGX_H
#define SGXRA_SGX_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_REPORT_BODY_SIZE 384
#define SGXRA_REPORT_SIZE 432
#define SGXRA_TARGETINFO_SIZE 512
#define SGXRA_KEYREQUEST_SIZE 512
#define SGXRA_CPUSVN_SIZE 16
#define SGXRA_HASH_SIZE 32
#define SGXRA_REPORTDATA_SIZE 64
#define SGXRA_KEYID_SIZE 32
#define SGXRA_MAC_SIZE 16
#define SGXRA_CONFIGID_SIZE 64
#define SGXRA_ISVFAMILYID_SIZE 16
#define SGXRA_ISVEXTPRODID_SIZE 16

/* ATTRIBUTES.FLAGS bits (SDM 38.7.1). */
#define SGXRA_ATTR_INIT 0x0000000000000001ULL
#define SGXRA_ATTR_DEBUG 0x0000000000000002ULL
#define SGXRA_ATTR_MODE64BIT 0x0000000000000004ULL
#define SGXRA_ATTR_PROVISIONKEY 0x0000000000000010ULL
#define SGXRA_ATTR_EINITTOKENKEY 0x0000000000000020ULL
#define SGXRA_ATTR_CET 0x0000000000000040ULL
#define SGXRA_ATTR_KSS 0x0000000000000080ULL
#define SGXRA_ATTR_AEXNOTIFY 0x0000000000000400ULL
/* Bits that are reserved (must be zero) in SECS.ATTRIBUTES.FLAGS. */
#define SGXRA_ATTR_RESERVED_MASK                                               \
  (~(SGXRA_ATTR_INIT | SGXRA_ATTR_DEBUG | SGXRA_ATTR_MODE64BIT |               \
     SGXRA_ATTR_PROVISIONKEY | SGXRA_ATTR_EINITTOKENKEY | SGXRA_ATTR_CET |     \
     SGXRA_ATTR_KSS | SGXRA_ATTR_AEXNOTIFY))

typedef struct sgxra_attributes {
  uint64_t flags;
  uint64_t xfrm;
} sgxra_attributes;

/* REPORT body, 384 bytes (SDM table 38-21; DCAP's sgx_report_body_t). */
typedef struct sgxra_report_body {
  uint8_t cpusvn[SGXRA_CPUSVN_SIZE];             /*   0 */
  uint32_t miscselect;                           /*  16 */
  uint8_t reserved1[12];                         /*  20 */
  uint8_t isvextprodid[SGXRA_ISVEXTPRODID_SIZE]; /*  32 */
  sgxra_attributes attributes;                   /*  48 */
  uint8_t mrenclave[SGXRA_HASH_SIZE];            /*  64 */
  uint8_t reserved2[32];                         /*  96 */
  uint8_t mrsigner[SGXRA_HASH_SIZE];             /* 128 */
  uint8_t reserved3[32];                         /* 160 */
  uint8_t configid[SGXRA_CONFIGID_SIZE];         /* 192 */
  uint16_t isvprodid;                            /* 256 */
  uint16_t isvsvn;                               /* 258 */
  uint16_t configsvn;                            /* 260 */
  uint8_t reserved4[42];                         /* 262 */
  uint8_t isvfamilyid[SGXRA_ISVFAMILYID_SIZE];   /* 304 */
  uint8_t reportdata[SGXRA_REPORTDATA_SIZE];     /* 320 .. 384 */
} sgxra_report_body;

/* REPORT, 432 bytes: body || KEYID || MAC (CMAC over the body). */
typedef struct sgxra_report {
  sgxra_report_body body;
  uint8_t keyid[SGXRA_KEYID_SIZE];
  uint8_t mac[SGXRA_MAC_SIZE];
} sgxra_report;

/* TARGETINFO, 512 bytes (SDM table 38-22). */
typedef struct sgxra_targetinfo {
  uint8_t mrenclave[SGXRA_HASH_SIZE];    /*   0 */
  sgxra_attributes attributes;           /*  32 */
  uint8_t ceattributes;                  /*  48 */
  uint8_t reserved1;                     /*  49 */
  uint16_t configsvn;                    /*  50 */
  uint32_t miscselect;                   /*  52 */
  uint8_t reserved2[8];                  /*  56 */
  uint8_t configid[SGXRA_CONFIGID_SIZE]; /*  64 */
  uint8_t reserved3[384];                /* 128 .. 512 */
} sgxra_targetinfo;

/* KEYREQUEST.KEYNAME values (SDM table 38-24). */
#define SGXRA_KEYNAME_EINITTOKEN 0
#define SGXRA_KEYNAME_PROVISION 1
#define SGXRA_KEYNAME_PROVISION_SEAL 2
#define SGXRA_KEYNAME_REPORT 3
#define SGXRA_KEYNAME_SEAL 4
/* KEYREQUEST.KEYPOLICY bits. */
#define SGXRA_KEYPOLICY_MRENCLAVE 0x0001
#define SGXRA_KEYPOLICY_MRSIGNER 0x0002
#define SGXRA_KEYPOLICY_NOISVPRODID 0x0004
#define SGXRA_KEYPOLICY_CONFIGID 0x0008
#define SGXRA_KEYPOLICY_ISVFAMILYID 0x0010
#define SGXRA_KEYPOLICY_ISVEXTPRODID 0x0020

/* KEYREQUEST, 512 bytes (SDM table 38-23). */
typedef struct sgxra_keyrequest {
  uint16_t keyname;                  /*   0 */
  uint16_t keypolicy;                /*   2 */
  uint16_t isvsvn;                   /*   4 */
  uint8_t reserved1[2];              /*   6 */
  uint8_t cpusvn[SGXRA_CPUSVN_SIZE]; /*   8 */
  sgxra_attributes attributemask;    /*  24 */
  uint8_t keyid[SGXRA_KEYID_SIZE];   /*  40 */
  uint32_t miscmask;                 /*  72 */
  uint16_t configsvn;                /*  76 */
  uint8_t reserved2[434];            /*  78 .. 512 */
} sgxra_keyrequest;

/* Decoders: exactly the structure's size is required
 * (SGXRA_E_SGX_SIZE: "REPORT body must be 384 bytes, got 383").  Reserved
 * fields are kept as read, so that encode(decode(x)) == x; use
 * sgxra_*_check_reserved to refuse nonzero reserved bytes where the
 * architecture does (SGXRA_E_SGX_RESERVED names the field and offset).
 * On error *out is zeroed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_report_body_decode(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_report_body *out);
SGXRA_API void sgxra_report_body_encode(const sgxra_report_body *in,
                                        uint8_t out[SGXRA_REPORT_BODY_SIZE]);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_report_decode(sgxra_ctx *cx,
                                                         const uint8_t *p,
                                                         size_t n,
                                                         sgxra_report *out);
SGXRA_API void sgxra_report_encode(const sgxra_report *in,
                                   uint8_t out[SGXRA_REPORT_SIZE]);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_targetinfo_decode(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_targetinfo *out);
SGXRA_API void sgxra_targetinfo_encode(const sgxra_targetinfo *in,
                                       uint8_t out[SGXRA_TARGETINFO_SIZE]);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_keyrequest_decode(
    sgxra_ctx *cx, const uint8_t *p, size_t n, sgxra_keyrequest *out);
SGXRA_API void sgxra_keyrequest_encode(const sgxra_keyrequest *in,
                                       uint8_t out[SGXRA_KEYREQUEST_SIZE]);

SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_report_body_check_reserved(sgxra_ctx *cx, const sgxra_report_body *b);
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_targetinfo_check_reserved(sgxra_ctx *cx, const sgxra_targetinfo *t);
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_keyrequest_check_reserved(sgxra_ctx *cx, const sgxra_keyrequest *k);

/* ATTRIBUTES.FLAGS as text: "INIT|DEBUG|MODE64BIT" (unknown bits as
 * "0x..."); returns the number of characters written (snprintf-like). */
SGXRA_API int sgxra_attributes_flags_text(uint64_t flags, char *out,
                                          size_t cap);

#ifdef __cplusplus
}
#endif
#endif
