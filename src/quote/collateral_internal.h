/*
 * quote/collateral_internal.h -- what TCB Info and QE Identity parsing share:
 * the signed-span finder and compactor for Intel's signed JSON, and strict
 * member readers over its parsed values; and what the verifier needs of a
 * collateral set beyond its public API.
 *
 * Not installed; names are sgxra__*.
 */
#ifndef SGXRA_QUOTE_COLLATERAL_INTERNAL_H
#define SGXRA_QUOTE_COLLATERAL_INTERNAL_H

#include <jansson.h>

#include "core/internal.h"
#include "quote/pckchain_internal.h"
#include "sgxra/collateral.h"
#include "sgxra/quote.h"

/* The codes one document kind reports (TCB Info or QE Identity). */
typedef struct sgxra__jcodes {
  const char *doc; /* "TCB Info" */
  sgxra_err format, field, date, hex, status;
} sgxra__jcodes;

/* A parsed JSON document (quote/jsonv.c): values in one array, members in
 * input order, duplicates kept; lookups find the first of duplicate names
 * (rapidjson's FindMember).  Read-only after parsing. */
typedef struct sgxra__jv sgxra__jv;
enum {
  SGXRA__JV_OBJECT,
  SGXRA__JV_ARRAY,
  SGXRA__JV_STRING,
  SGXRA__JV_INTEGER,
  SGXRA__JV_REAL,
  SGXRA__JV_TRUE,
  SGXRA__JV_FALSE,
  SGXRA__JV_NULL
};
/* Values nested deeper than this (the document being at 0) are refused. */
#define SGXRA__JV_DEPTH 64
/* Parse p[0..n): exactly the texts jansson's json_loadb (flags 0) reads,
 * nested at most SGXRA__JV_DEPTH deep; 0 ok (*out: sgxra__jv_free it), -1
 * not such JSON, -2 out of memory. */
int sgxra__jv_parse(const uint8_t *p, size_t n, sgxra__jv **out);
/* The four hex digits of a \uXXXX escape at p[0..4): 1 and *out, or 0 when
 * one is not a hex digit (either case). */
int sgxra__json_hex4(const uint8_t *p, uint32_t *out);
/* Appends code point c (at most U+10FFFF) to o[*m...] as UTF-8, 1 to 4
 * bytes, and advances *m. */
void sgxra__json_put_utf8(uint8_t *o, size_t *m, uint32_t c);
void sgxra__jv_free(sgxra__jv *root);
/* SGXRA__JV_*, -1 for NULL. */
int sgxra__jv_type(const sgxra__jv *v);
/* The first member named key (NUL-free), NULL when none or not an
 * object. */
const sgxra__jv *sgxra__jv_get(const sgxra__jv *obj, const char *key);
/* Elements of an array (members of an object), 0 for anything else; the
 * i-th, NULL past the end (found by walking from the first: a loop over a
 * container takes sgxra__jv_next instead). */
size_t sgxra__jv_size(const sgxra__jv *v);
const sgxra__jv *sgxra__jv_at(const sgxra__jv *v, size_t i);
/* The element or member after v in its container, NULL after the last. */
const sgxra__jv *sgxra__jv_next(const sgxra__jv *v);
/* A string's decoded bytes (NUL-terminated, no NUL inside), NULL when not
 * a string; an integer's value, 0 when not an integer; a member's name. */
const char *sgxra__jv_string(const sgxra__jv *v, size_t *len);
long long sgxra__jv_integer(const sgxra__jv *v);
const char *sgxra__jv_key(const sgxra__jv *v, size_t *len);

/* Parse p[0..n) into a JSON object as Intel's QVL reads it with
 * rapidjson (of duplicate member names the first wins), then locate the
 * top-level member `body_key` ("tcbInfo") in the text and produce the
 * bytes QVL hashes for its signature: that value as rapidjson's Writer
 * writes it (no whitespace, member order and duplicates kept, numbers as
 * written, strings decoded and re-escaped: only '"', '\\' and control
 * characters), into *out_signed (malloc'ed).  *out_root is the parsed
 * document (sgxra__jv_free it). */
sgxra_err sgxra__signed_json_load(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  const char *body_key,
                                  const sgxra__jcodes *codes,
                                  sgxra__jv **out_root, uint8_t **out_signed,
                                  size_t *out_signed_len);

/* Strict member readers.  `path` names the object in messages
 * ("tcbInfo.tcbLevels[2]").  Missing member or wrong JSON type ->
 * codes->field; out of [lo, hi] -> codes->field. */
sgxra_err sgxra__j_int(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const sgxra__jv *obj, const char *path, const char *key,
                       int64_t lo, int64_t hi, int64_t *out);
/* A string member; *out borrowed from obj. */
sgxra_err sgxra__j_str(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const sgxra__jv *obj, const char *path, const char *key,
                       const char **out, size_t *out_len);
/* An RFC 3339 UTC date member -> codes->date when malformed. */
sgxra_err sgxra__j_date(sgxra_ctx *cx, const sgxra__jcodes *codes,
                        const sgxra__jv *obj, const char *path, const char *key,
                        int64_t *out);
/* A hex member of exactly n bytes -> codes->hex when malformed. */
sgxra_err sgxra__j_hex(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const sgxra__jv *obj, const char *path, const char *key,
                       uint8_t *out, size_t n);
/* A tcbStatus member -> codes->status when unknown. */
sgxra_err sgxra__j_status(sgxra_ctx *cx, const sgxra__jcodes *codes,
                          const sgxra__jv *obj, const char *path,
                          const char *key, sgxra_tcb_status *out);
/* Optional array of strings (advisoryIDs): absent -> 0 entries. */
sgxra_err sgxra__j_strings(sgxra_ctx *cx, const sgxra__jcodes *codes,
                           const sgxra__jv *obj, const char *path,
                           const char *key, char ***out, size_t *out_count);
void sgxra__strings_free(char **v, size_t n);

/* The object member `key` (codes->field when missing or not an object /
 * array as asked). */
sgxra_err sgxra__j_obj(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const sgxra__jv *obj, const char *path, const char *key,
                       int want_array, const sgxra__jv **out);

/* A CRL read as Intel's QvE reads a CRL buffer (qve.cpp check_pem_crl /
 * check_hex_crl, QVL str2X509Crl): PEM only when it starts, at byte 0,
 * with "-----BEGIN X509 CRL-----" (CRLF, a missing final newline or text
 * after the END line are fine); hex text only when every byte is a hex
 * digit (an odd count fails); anything else is DER, of which one CRL is
 * read and any bytes after it are ignored.  Every buffer of at most 299
 * bytes is DER (the QvE's CRL_MIN_SIZE).  Errors: SGXRA_E_INVALID_ARGUMENT
 * for an empty buffer, else as sgxra_crl_parse (SGXRA_E_CRL_PARSE ...). */
sgxra_err sgxra__crl_parse_qve(sgxra_ctx *cx, const uint8_t *p, size_t n,
                               sgxra_crl **out_crl);

/* The step of Intel's order (sgx_qve_verify_quote, see src/quote/verify.c)
 * at which collateral loaded by sgxra_collateral_load_deferred() failed:
 * the parameter checks (a NUL inside a text item, an empty CRL), the TCB
 * Info parse (before the quote's PCK chain is parsed), or
 * qve_get_collateral_dates (the other pieces, after the quote's root). */
typedef enum sgxra__coll_step {
  SGXRA__COLL_STEP_NONE = 0,
  SGXRA__COLL_STEP_PARAMETERS,
  SGXRA__COLL_STEP_TCB_INFO,
  SGXRA__COLL_STEP_DATES
} sgxra__coll_step;

/* The deferred load error of c (SGXRA_OK when none), its step and its
 * message (borrowed from c). */
sgxra_err sgxra__collateral_load_fault(const sgxra_collateral *c,
                                       sgxra__coll_step *out_step,
                                       const char **out_msg);

/* The PCK chain check's view of validated collateral (trust root, PCK CA,
 * CRLs); NULL until sgxra_collateral_validate() succeeded.  Borrowed. */
const sgxra__pck_anchor *sgxra__collateral_anchor(const sgxra_collateral *c);

/* Intel's step 12 for one quote (QVL sgxAttestationVerifyPCKCertificate):
 * called by the validation with the anchor once the CRLs are checked and
 * before the TCB Info and QE Identity are; a non-OK return stops the
 * validation with that error. */
typedef sgxra_err (*sgxra__pck_step_fn)(sgxra_ctx *cx,
                                        const sgxra__pck_anchor *anchor,
                                        void *arg);

/* Validate `c` at `now` against `root` (NULL: Intel's) into a new view that
 * borrows c's parsed pieces and owns only what validation makes (the trust
 * root copy, the PCK check's anchor, the flags): c itself is not written,
 * so threads may keep reading it.  The view must not outlive c; free it
 * with sgxra_collateral_free().  Errors as sgxra_collateral_validate().
 * pck_step (may be NULL) runs Intel's step 12 for a quote, in its place. */
sgxra_err
sgxra__collateral_validate_view(sgxra_ctx *cx, const sgxra_collateral *c,
                                const sgxra_x509_cert *root, int64_t now,
                                sgxra__pck_step_fn pck_step, void *pck_step_arg,
                                sgxra_collateral **out_view);

/* The three issuer chains of a collateral set (borrowed; valid while c
 * lives): PCK CRL issuer chain, TCB Info issuer chain, QE Identity issuer
 * chain. */
void sgxra__collateral_chains(const sgxra_collateral *c,
                              const sgxra_x509_chain **out_pck_crl_chain,
                              const sgxra_x509_chain **out_tcb_chain,
                              const sgxra_x509_chain **out_qe_chain);

#endif
