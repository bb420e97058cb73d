/*
 * sgxra/quote.h -- Intel SGX ECDSA (DCAP) quotes v3, v4 and v5, and the SGX
 * extension of PCK certificates.
 *
 * Formats follow Intel's "SGX ECDSA Quote Library API" (quote v3, appendix
 * A.4), "Intel TDX DCAP Quoting Library API" (quote v4/v5) and "Intel SGX PCK
 * Certificate and Certificate Revocation List Profile" (the SGX extension,
 * OID 1.2.840.113741.1.13.1).  Only SGX quotes are handled here: a TDX quote
 * (TEE type 0x81) is refused with SGXRA_E_QUOTE_TEE_TYPE.
 *
 * Quote v3 (all numbers little-endian):
 *
 *   0    header (48)  version u16 | att. key type u16 | TEE type u32 |
 *                     QE SVN u16 | PCE SVN u16 | QE vendor id (16) |
 *                     user data (20)
 *   48   SGX report body (384)                        -- signed: [0, 432)
 *   432  signature data length u32
 *   436  signature data:
 *          ISV signature r||s (64) | attestation key X||Y (64) |
 *          QE report body (384) | QE report signature r||s (64) |
 *          QE auth data size u16 + bytes |
 *          certification data type u16 + size u32 + bytes
 *
 * v4: the signature data holds the ISV signature, the attestation key and
 * one certification data of type 6 whose bytes are the QE report, its
 * signature, the QE auth data and the inner certification data (as above).
 * v5: after the header comes a body descriptor (type u16, size u32; type 1
 * is the SGX report body), then the signature data length and data as in v4;
 * the ISV signature covers the header, the descriptor and the body.
 *
 * Rules as Intel's QVL applies them: version 3, 4 or 5; attestation key
 * type 2 (ECDSA P-256); Intel's QE vendor id; v3 carries certification data
 * types 1..5, v4/v5 an outer type 6 holding types 1..5 (another type is
 * SGXRA_E_QUOTE_FORMAT).  The certification data (v3) or the type-6 data
 * (v4/v5) is read by its own size and bytes after it inside the signature
 * data are ignored; in v4/v5 the parts of the type-6 data must fill exactly
 * its declared size.
 * Bytes after the declared signature data are ignored.
 *
 * The encoder (sgxra_quote_encode) writes v3 and v4 in this layout; it is
 * what the emulated quoting enclave (sgxra/qe.h) uses.
 *
 * Memory: sgxra_quote *borrows* the input: its pointers point into the
 * bytes given to sgxra_quote_parse, which must outlive it.  Nothing is
 * allocated, so there is no _free.
 *
 * Thread-safety: pure functions on caller-owned memory.
 */
#ifndef SGXRA_QUOTE_H
#define SGXRA_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/ctx.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SGXRA_QUOTE_HEADER_SIZE 48
/* Header + SGX report body + signature data length: the least a v3/v4
 * quote can be before its signature data. */
#define SGXRA_QUOTE_MIN_SIZE 436
#define SGXRA_QUOTE_VENDOR_ID_SIZE 16
#define SGXRA_QUOTE_USER_DATA_SIZE 20
#define SGXRA_QUOTE_ATT_KEY_ECDSA_P256 2
#define SGXRA_QUOTE_TEE_SGX 0x00000000u
#define SGXRA_QUOTE_TEE_TDX 0x00000081u
/* Certification data types (Intel Quote Library API, A.4.11). */
#define SGXRA_QUOTE_CERT_PPID_CLEAR 1
#define SGXRA_QUOTE_CERT_PPID_RSA2048 2
#define SGXRA_QUOTE_CERT_PPID_RSA3072 3
#define SGXRA_QUOTE_CERT_PCK_CLEAR 4
#define SGXRA_QUOTE_CERT_PCK_CHAIN 5
#define SGXRA_QUOTE_CERT_QE_REPORT 6
/* Intel's QE vendor id 939A7233-F79C-4CA9-940A-0DB3957F0607. */
extern SGXRA_API const uint8_t
    SGXRA_QUOTE_INTEL_QE_VENDOR_ID[SGXRA_QUOTE_VENDOR_ID_SIZE];

typedef struct sgxra_quote_header {
  uint16_t version;
  uint16_t att_key_type;
  uint32_t tee_type;
  uint16_t qe_svn; /* reserved in v3 */
  uint16_t pce_svn;
  uint8_t qe_vendor_id[SGXRA_QUOTE_VENDOR_ID_SIZE];
  uint8_t user_data[SGXRA_QUOTE_USER_DATA_SIZE];
} sgxra_quote_header;

/* A parsed quote.  Pointers borrow the parsed buffer. */
typedef struct sgxra_quote {
  sgxra_quote_header header;
  sgxra_report_body report_body;          /* the ISV enclave */
  const uint8_t *report_body_raw;         /* its 384 bytes */
  const uint8_t *signed_data;             /* what the ISV signature covers */
  size_t signed_len;                      /* 432 (v3/v4) or 438 (v5) */
  uint8_t signature[SGXRA_P256_SIG_SIZE]; /* ISV signature r||s */
  uint8_t attest_key[SGXRA_P256_PUBLIC_SIZE]; /* X||Y */
  sgxra_report_body qe_report;                /* the QE's report body */
  const uint8_t *qe_report_raw;               /* its 384 bytes (PCK-signed) */
  uint8_t qe_report_signature[SGXRA_P256_SIG_SIZE];
  const uint8_t *qe_auth_data; /* may be NULL when len is 0 */
  size_t qe_auth_data_len;
  uint16_t cert_type;       /* inner type: 1..5 */
  const uint8_t *cert_data; /* for type 5: PEM chain */
  size_t cert_data_len;
  size_t size; /* bytes up to the end of the declared signature data */
} sgxra_quote;

/* Parse a quote.  Errors: SGXRA_E_QUOTE_TRUNCATED (naming the field, its
 * offset and what remained), _VERSION, _KEY_TYPE, _TEE_TYPE, _QE_VENDOR,
 * _CERT_DATA_TYPE, _BODY_TYPE, _FORMAT (sizes that disagree).  On error
 * *out is zeroed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_quote_parse(sgxra_ctx *cx,
                                                       const uint8_t *p,
                                                       size_t n,
                                                       sgxra_quote *out);

/* The PEM PCK certificate chain of a quote with certification data type 5
 * (borrowed).  SGXRA_E_QUOTE_CERT_DATA_TYPE for any other type, naming it
 * ("type 3: encrypted PPID (RSA-3072) ..."). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_quote_pck_chain(sgxra_ctx *cx,
                                                           const sgxra_quote *q,
                                                           const char **out_pem,
                                                           size_t *out_len);

/* A short name of a certification data type ("PCK certificate chain"). */
SGXRA_API const char *sgxra_quote_cert_type_name(uint16_t type);

/* ---- the quote encoder (src/quote/encode.c) --------------------------------
 *
 * Writes quotes v3 and v4 in the layout drawn at the top of this header
 * (Intel SGX ECDSA Quote Library API, appendix A.4; the v4 layout of the
 * TDX DCAP Quoting Library API), always with attestation key type 2, TEE
 * type SGX, Intel's QE vendor id and certification data type 5:
 *
 *   v3: header | ISV report body | sig len u32 | ISV sig | attestation key |
 *       QE report body | QE report sig | QE auth size u16 + data |
 *       cert type 5 u16 | size u32 | PEM chain
 *   v4: header | ISV report body | sig len u32 | ISV sig | attestation key |
 *       cert type 6 u16 | size u32 | [ QE report body | QE report sig |
 *       QE auth size u16 + data | cert type 5 u16 | size u32 | PEM chain ]
 *
 * The encoder signs nothing: the ISV signature covers header || ISV report
 * body (SGXRA_QUOTE_SIGNED_SIZE bytes), which sgxra_quote_signed_bytes()
 * writes before the signature exists; the caller (the emulated QE,
 * sgxra/qe.h) signs them and hands the signature back in the parts.
 *
 * Memory: sgxra_quote_parts borrows qe_auth_data and pck_chain_pem; the
 * encoded quote is malloc'ed and the caller's to free(). */

/* Header (48) + SGX report body (384): what the ISV signature covers in a
 * v3/v4 quote. */
#define SGXRA_QUOTE_SIGNED_SIZE 432
/* Caps: the PEM chain and QE auth data a quote may carry. */
#define SGXRA_QUOTE_MAX_CHAIN (64u * 1024u)
#define SGXRA_QUOTE_MAX_AUTH_DATA 4096u

typedef struct sgxra_quote_parts {
  uint16_t version; /* 3 or 4 */
  uint16_t qe_svn;
  uint16_t pce_svn;
  uint8_t user_data[SGXRA_QUOTE_USER_DATA_SIZE];
  uint8_t report_body[SGXRA_REPORT_BODY_SIZE]; /* ISV enclave's */
  uint8_t isv_signature[SGXRA_P256_SIG_SIZE];  /* r||s over the signed part */
  uint8_t attest_key[SGXRA_P256_PUBLIC_SIZE];  /* X||Y */
  uint8_t qe_report_body[SGXRA_REPORT_BODY_SIZE];
  uint8_t qe_report_signature[SGXRA_P256_SIG_SIZE]; /* by the PCK key */
  const uint8_t *qe_auth_data; /* NULL when qe_auth_data_len is 0 */
  size_t qe_auth_data_len;     /* 0..SGXRA_QUOTE_MAX_AUTH_DATA */
  const char *pck_chain_pem;   /* leaf -> PCK CA -> root */
  size_t pck_chain_len;        /* 1..SGXRA_QUOTE_MAX_CHAIN */
} sgxra_quote_parts;

/* header || ISV report body: the 432 bytes the attestation key signs.
 * SGXRA_E_QUOTE_ENCODE for a version other than 3 or 4 (out zeroed). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_quote_signed_bytes(sgxra_ctx *cx, const sgxra_quote_parts *parts,
                         uint8_t out[SGXRA_QUOTE_SIGNED_SIZE]);

/* The whole quote (malloc'ed).  SGXRA_E_QUOTE_ENCODE for a bad version, a
 * missing chain or sizes over the caps; *out_quote NULL and *out_len 0 on
 * error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_quote_encode(sgxra_ctx *cx, const sgxra_quote_parts *parts,
                   uint8_t **out_quote, size_t *out_len);

/* ---- the SGX extension of a PCK certificate -------------------------------
 *
 * SGXExtensions ::= SEQUENCE OF SEQUENCE { OBJECT IDENTIFIER, value }, in
 * this order, with OIDs under 1.2.840.113741.1.13.1:
 *   .1 PPID OCTET STRING (16)
 *   .2 TCB SEQUENCE of 18 { .2.1 .. .2.16 comp SVN INTEGER 0..255,
 *                          .2.17 PCESVN INTEGER 0..65535,
 *                          .2.18 CPUSVN OCTET STRING (16) }
 *   .3 PCE-ID OCTET STRING (2)
 *   .4 FMSPC OCTET STRING (6)
 *   .5 SGX type ENUMERATED (0 standard, 1 scalable, 2 scalable+integrity)
 *   .6 platform instance id OCTET STRING (16)      } Platform CA PCKs
 *   .7 configuration SEQUENCE { .7.1 dynamic platform BOOLEAN,
 *        .7.2 cached keys BOOLEAN, .7.3 SMT enabled BOOLEAN } (each optional)
 * Entry counts as Intel's parser enforces them: 5 entries (Processor CA)
 * or 7 (Platform CA), each SEQUENCE { OID, value }, found by OID (unknown
 * OIDs are ignored); PPID, TCB, PCE-ID, FMSPC and SGX type required;
 * TCB exactly 18. */
#define SGXRA_PCKEXT_PPID_SIZE 16
#define SGXRA_PCKEXT_FMSPC_SIZE 6
#define SGXRA_PCKEXT_PCEID_SIZE 2
#define SGXRA_PCKEXT_COMP_COUNT 16
#define SGXRA_PCKEXT_PLATFORM_INSTANCE_ID_SIZE 16
/* Entries of the TCB SEQUENCE: the component SVNs, PCESVN and CPUSVN. */
#define SGXRA_PCKEXT_TCB_ENTRIES (SGXRA_PCKEXT_COMP_COUNT + 2)

typedef struct sgxra_pck_ext {
  uint8_t ppid[SGXRA_PCKEXT_PPID_SIZE];
  uint8_t comp_svn[SGXRA_PCKEXT_COMP_COUNT];
  uint16_t pcesvn;
  uint8_t cpusvn[SGXRA_CPUSVN_SIZE];
  uint8_t pceid[SGXRA_PCKEXT_PCEID_SIZE];
  uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE];
  uint8_t sgx_type; /* 0 standard, 1 scalable, 2 scalable+integrity */
  int has_platform_instance_id;
  uint8_t platform_instance_id[SGXRA_PCKEXT_PLATFORM_INSTANCE_ID_SIZE];
  int has_configuration;
  int dynamic_platform; /* -1 when absent, else 0/1 */
  int cached_keys;
  int smt_enabled;
} sgxra_pck_ext;

/* Parse the DER value of the SGX extension (the contents of the
 * extension's extnValue OCTET STRING).  SGXRA_E_PCKEXT_FORMAT names the
 * entry and offset; SGXRA_E_PCKEXT_COUNT the count found.  *out zeroed on
 * error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pck_ext_parse(sgxra_ctx *cx,
                                                         const uint8_t *p,
                                                         size_t n,
                                                         sgxra_pck_ext *out);

/* The DER of the extension's value (the content of the extnValue OCTET
 * STRING) for `info`, in the order and forms above and as Intel's PCK
 * Platform CA writes them: every TCB SVN as a minimal INTEGER, the SGX type
 * as a one-byte ENUMERATED; .6 is written when has_platform_instance_id, .7
 * when has_configuration with each of its booleans that is >= 0 (Intel
 * puts .6 and .7 in certificates of the PCK Platform CA only).  What it
 * writes sgxra_pck_ext_parse reads back to `info`.  Errors:
 * SGXRA_E_INVALID_ARGUMENT (NULL, or an SGX type above 2).  *out_der
 * malloc'ed; NULL and *out_len 0 on error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_pck_extension_encode(sgxra_ctx *cx, const sgxra_pck_ext *info,
                           uint8_t **out_der, size_t *out_len);

/* Find the SGX extension in a DER certificate and parse it.
 * SGXRA_E_PCKEXT_MISSING when the certificate has none. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pck_ext_from_cert_der(
    sgxra_ctx *cx, const uint8_t *der, size_t n, sgxra_pck_ext *out);

/* ---- a PCK leaf certificate, read without OpenSSL's decoders ---------------
 *
 * Verifying a quote from a platform never seen needs only a few fields of
 * its PCK certificate; reading them with this bounded DER walk costs
 * microseconds where a full X.509 decode costs hundreds.  Certificate ::=
 * SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 * (RFC 5280 4.1) with: version v3, ecdsa-with-SHA256 in both algorithm
 * fields, an id-ecPublicKey prime256v1 key (uncompressed point), UTCTime or
 * GeneralizedTime validity, and the SGX extension among the v3 extensions.
 * Pointers borrow the DER given. */
/* Longest common name kept (ub-common-name is 64), NUL included; the same
 * as SGXRA_X509_CN_SIZE. */
#define SGXRA_PCK_CERT_CN_SIZE 65

typedef struct sgxra_pck_cert {
  const uint8_t *tbs; /* the signed TBSCertificate, tag included */
  size_t tbs_len;
  const uint8_t *sig_der; /* ECDSA-Sig-Value from the BIT STRING */
  size_t sig_der_len;
  const uint8_t *serial; /* INTEGER contents */
  size_t serial_len;
  const uint8_t *issuer; /* Name, tag included */
  size_t issuer_len;
  const uint8_t *subject;
  size_t subject_len;
  char subject_cn[SGXRA_PCK_CERT_CN_SIZE]; /* "" when absent */
  int64_t not_before;
  int64_t not_after;
  uint8_t public_key[SGXRA_P256_PUBLIC_SIZE]; /* X||Y */
  sgxra_pck_ext ext;
} sgxra_pck_cert;

/* Parse a PCK leaf certificate's DER (exactly n bytes).  Errors:
 * SGXRA_E_PCKEXT_FORMAT for a structure outside the profile (naming the
 * field and offset), SGXRA_E_PCKEXT_MISSING without the SGX extension, the
 * extension's own codes.  *out zeroed on error.  The signature is not
 * checked here. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pck_cert_parse(sgxra_ctx *cx,
                                                          const uint8_t *der,
                                                          size_t n,
                                                          sgxra_pck_cert *out);

#ifdef __cplusplus
}
#endif
#endif
