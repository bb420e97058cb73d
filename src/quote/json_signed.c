/* Intel's signed JSON (TCB Info, QE Identity): the signed span and strict
 * member readers.  See quote/collateral_internal.h.
 *
 * Intel signs the "tcbInfo" / "enclaveIdentity" object as its compact
 * serialisation with member order kept; its QVL parses the document with
 * rapidjson and writes that object back with rapidjson's Writer before
 * hashing.  We do the same over the original text (rw_value below): the
 * member's value with whitespace dropped and strings re-escaped the
 * Writer's way.  For the compact bodies PCS serves this is the exact input
 * span. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quote/collateral_internal.h"
#include "sgxra/hex.h"
#include "sgxra/tcbstatus.h"
#include "sgxra/timeutil.h"

static int ws(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skip a string starting at p[i] == '"'; returns the index after the
 * closing quote, or n when unterminated. */
static size_t skip_string(const uint8_t *p, size_t n, size_t i) {
  for (i++; i < n; i++) {
    if (p[i] == '\\')
      i++;
    else if (p[i] == '"')
      return i + 1;
  }
  return n;
}

/* Skip one value starting at p[i] (no leading whitespace); returns the
 * index after it.  The text has already been validated by the JSON parser,
 * so this only has to be bounds-safe. */
static size_t skip_value(const uint8_t *p, size_t n, size_t i) {
  if (i >= n) return n;
  if (p[i] == '"') return skip_string(p, n, i);
  if (p[i] == '{' || p[i] == '[') {
    size_t depth = 0;
    while (i < n) {
      uint8_t c = p[i];
      if (c == '"') {
        i = skip_string(p, n, i);
        continue;
      }
      if (c == '{' || c == '[') depth++;
      if (c == '}' || c == ']') {
        depth--;
        if (depth == 0) return i + 1;
      }
      i++;
    }
    return n;
  }
  while (i < n && !ws(p[i]) && p[i] != ',' && p[i] != '}' && p[i] != ']') i++;
  return i;
}

/* Span of the top-level member `key`'s value; 0 when found. */
static int member_span(const uint8_t *p, size_t n, const char *key,
                       size_t *out_off, size_t *out_len) {
  size_t klen = strlen(key);
  size_t i = 0;
  while (i < n && ws(p[i])) i++;
  if (i >= n || p[i] != '{') return -1;
  i++;
  for (;;) {
    while (i < n && ws(p[i])) i++;
    if (i >= n || p[i] != '"') return -1;
    size_t ks = i + 1, ke = skip_string(p, n, i);
    if (ke >= n) return -1;
    int match = ke - 1 - ks == klen && memcmp(p + ks, key, klen) == 0;
    i = ke;
    while (i < n && ws(p[i])) i++;
    if (i >= n || p[i] != ':') return -1;
    i++;
    while (i < n && ws(p[i])) i++;
    size_t vs = i, ve = skip_value(p, n, i);
    if (match) {
      *out_off = vs;
      *out_len = ve - vs;
      return 0;
    }
    i = ve;
    while (i < n && ws(p[i])) i++;
    if (i >= n || p[i] != ',') return -1;
    i++;
  }
}

/* ---- rapidjson's reading and writing, as QVL does them -----------------
 *
 * QVL parses TCB Info / QE Identity with rapidjson (members found with
 * FindMember: the first of duplicate names wins) and hashes the body
 * object as rapidjson's Writer writes it back: no whitespace, every member
 * in input order (duplicates too), numbers as they were, strings decoded
 * and re-escaped (only '"', '\\' and control characters escaped: \b \f \n
 * \r \t or \u00XX; '/' and non-ASCII written as they are).  rw_value
 * writes the compact form of one value; the reading is quote/jsonv.c's. */

typedef struct rw {
  const uint8_t *p;
  size_t n, i;
  uint8_t *out; /* at least 2 * n + 16 bytes: see rw_string */
  size_t m;
  uint8_t *dec; /* n + 1 bytes: one string decoded at a time */
} rw;

#define RW_DEPTH 64

static void rw_ws(rw *w) {
  while (w->i < w->n && ws(w->p[w->i])) w->i++;
}

static int rw_u4(rw *w, uint32_t *out) {
  if (w->n - w->i < 4 || !sgxra__json_hex4(w->p + w->i, out)) return -1;
  w->i += 4;
  return 0;
}

/* A string at p[i] == '"': its decoded bytes into dec[0..*dec_len) (dec
 * holds at least the string's text length) and, when w->out is set, its
 * re-escaped form onto w->out. */
static int rw_string(rw *w, uint8_t *dec, size_t *dec_len) {
  size_t d = 0;
  w->i++; /* '"' */
  for (;;) {
    if (w->i >= w->n) return -1;
    uint8_t c = w->p[w->i++];
    if (c == '"') break;
    if (c < 0x20) return -1;
    if (c != '\\') {
      dec[d++] = c;
      continue;
    }
    if (w->i >= w->n) return -1;
    uint8_t e = w->p[w->i++];
    uint32_t u, lo;
    switch (e) {
    case '"':
    case '\\':
    case '/':
      dec[d++] = e;
      break;
    case 'b':
      dec[d++] = '\b';
      break;
    case 'f':
      dec[d++] = '\f';
      break;
    case 'n':
      dec[d++] = '\n';
      break;
    case 'r':
      dec[d++] = '\r';
      break;
    case 't':
      dec[d++] = '\t';
      break;
    case 'u':
      if (rw_u4(w, &u) != 0) return -1;
      if (u >= 0xD800 && u <= 0xDBFF) {
        if (w->n - w->i < 2 || w->p[w->i] != '\\' || w->p[w->i + 1] != 'u')
          return -1;
        w->i += 2;
        if (rw_u4(w, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) return -1;
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      }
      sgxra__json_put_utf8(dec, &d, u); /* <= 4 bytes for >= 6 of text */
      break;
    default:
      return -1;
    }
  }
  *dec_len = d;
  if (w->out == NULL) return 0;
  static const char hx[] = "0123456789ABCDEF";
  uint8_t *o = w->out;
  o[w->m++] = '"';
  for (size_t k = 0; k < d; k++) {
    uint8_t c = dec[k];
    if (c == '"' || c == '\\') {
      o[w->m++] = '\\';
      o[w->m++] = c;
    } else if (c < 0x20) {
      const char *s = c == '\b'   ? "b"
                      : c == '\f' ? "f"
                      : c == '\n' ? "n"
                      : c == '\r' ? "r"
                      : c == '\t' ? "t"
                                  : NULL;
      o[w->m++] = '\\';
      if (s) {
        o[w->m++] = (uint8_t)s[0];
      } else { /* \u00XX: 6 bytes for 1 decoded byte (from >= 6 of text) */
        o[w->m++] = 'u';
        o[w->m++] = '0';
        o[w->m++] = '0';
        o[w->m++] = (uint8_t)hx[c >> 4];
        o[w->m++] = (uint8_t)hx[c & 15];
      }
    } else {
      o[w->m++] = c;
    }
  }
  o[w->m++] = '"';
  return 0;
}

static int rw_value(rw *w, int depth);

/* An object at p[i] == '{'. */
static int rw_object(rw *w, int depth) {
  w->out[w->m++] = '{';
  w->i++;
  rw_ws(w);
  if (w->i < w->n && w->p[w->i] == '}') {
    w->i++;
    w->out[w->m++] = '}';
    return 0;
  }
  for (int first = 1;; first = 0) {
    rw_ws(w);
    if (w->i >= w->n || w->p[w->i] != '"') return -1;
    size_t dl = 0;
    if (!first) w->out[w->m++] = ',';
    if (rw_string(w, w->dec, &dl) != 0) return -1;
    rw_ws(w);
    if (w->i >= w->n || w->p[w->i] != ':') return -1;
    w->i++;
    w->out[w->m++] = ':';
    rw_ws(w);
    int r = rw_value(w, depth + 1);
    if (r != 0) return r;
    rw_ws(w);
    if (w->i < w->n && w->p[w->i] == ',') {
      w->i++;
      continue;
    }
    if (w->i < w->n && w->p[w->i] == '}') {
      w->i++;
      w->out[w->m++] = '}';
      return 0;
    }
    return -1;
  }
}

static int rw_value(rw *w, int depth) {
  if (depth > RW_DEPTH || w->i >= w->n) return -1;
  uint8_t c = w->p[w->i];
  if (c == '{') return rw_object(w, depth);
  if (c == '[') {
    w->out[w->m++] = '[';
    w->i++;
    rw_ws(w);
    if (w->i < w->n && w->p[w->i] == ']') {
      w->i++;
      w->out[w->m++] = ']';
      return 0;
    }
    for (;;) {
      rw_ws(w);
      int r = rw_value(w, depth + 1);
      if (r != 0) return r;
      rw_ws(w);
      if (w->i < w->n && w->p[w->i] == ',') {
        w->i++;
        w->out[w->m++] = ',';
        continue;
      }
      if (w->i < w->n && w->p[w->i] == ']') {
        w->i++;
        w->out[w->m++] = ']';
        return 0;
      }
      return -1;
    }
  }
  if (c == '"') {
    size_t dl;
    return rw_string(w, w->dec, &dl);
  }
  /* number or literal: as written (the JSON parser has checked it) */
  size_t s0 = w->i;
  while (w->i < w->n && !ws(w->p[w->i]) && w->p[w->i] != ',' &&
         w->p[w->i] != '}' && w->p[w->i] != ']')
    w->i++;
  if (w->i == s0) return -1;
  memcpy(w->out + w->m, w->p + s0, w->i - s0);
  w->m += w->i - s0;
  return 0;
}

/* Is the JSON value p[0..n) (read whole by jsonv) already as rewrite()
 * writes it: no whitespace outside strings, every escape one rapidjson's
 * Writer writes (\" \\ \b \f \n \r \t, \u00XX in capitals for the
 * other control characters)?  Then it is its own compact form. */
static int writer_form(const uint8_t *p, size_t n) {
  int in_string = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (!in_string) {
      if (ws(c)) return 0;
      in_string = c == '"';
      continue;
    }
    if (c == '"') {
      in_string = 0;
    } else if (c == '\\') {
      if (i + 1 >= n) return 0;
      uint8_t e = p[++i];
      if (e == 'u') {
        if (n - i < 5 || p[i + 1] != '0' || p[i + 2] != '0' ||
            (p[i + 3] != '0' && p[i + 3] != '1'))
          return 0;
        uint8_t h = p[i + 4];
        int v = (p[i + 3] - '0') * 16 + (h >= '0' && h <= '9'   ? h - '0'
                                         : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                                : -100);
        if (v < 0 || v == '\b' || v == '\f' || v == '\n' || v == '\r' ||
            v == '\t')
          return 0;
        i += 4;
      } else if (e != '"' && e != '\\' && e != 'b' && e != 'f' && e != 'n' &&
                 e != 'r' && e != 't') {
        return 0;
      }
    }
  }
  return !in_string;
}

/* Rewrite one JSON value p[0..n) (surrounding whitespace allowed) into a
 * new buffer; 0 ok, -1 not JSON as expected, -2 out of memory. */
static int rewrite(const uint8_t *p, size_t n, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  rw w = {p, n, 0, malloc(2 * n + 16), 0, malloc(n + 1)};
  if (w.out == NULL || w.dec == NULL) {
    free(w.out);
    free(w.dec);
    return -2;
  }
  rw_ws(&w);
  int r = rw_value(&w, 0);
  rw_ws(&w);
  free(w.dec);
  if (r == 0 && w.i != n) r = -1;
  if (r != 0) {
    free(w.out);
    return r;
  }
  *out = w.out;
  *out_len = w.m;
  return 0;
}

sgxra_err sgxra__signed_json_load(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  const char *body_key,
                                  const sgxra__jcodes *codes,
                                  sgxra__jv **out_root, uint8_t **out_signed,
                                  size_t *out_signed_len) {
  *out_root = NULL;
  *out_signed = NULL;
  *out_signed_len = 0;
  if (p == NULL && n != 0)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "%s: NULL input",
                       codes->doc);
  /* A trailing NUL (files read with sgxra_file_read, C strings) is not
   * part of the document. */
  while (n > 0 && p[n - 1] == '\0') n--;
  /* One reading (quote/jsonv.c): the whole text, duplicate names kept and
   * the first found, as rapidjson's FindMember in Intel's QVL; every part
   * of it, later duplicates too, read with jansson's syntax. */
  sgxra__jv *root = NULL;
  int r = sgxra__jv_parse(p, n, &root);
  if (r == -2)
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s: out of memory", codes->doc);
  if (r != 0) {
    /* Word the error: jansson (duplicates allowed) says where the text is
     * not JSON ... */
    json_error_t jerr;
    json_t *j = json_loadb((const char *)p, n, 0, &jerr);
    if (j == NULL)
      return sgxra__fail(cx, codes->format,
                         "%s is not valid JSON: %s at line %d column %d "
                         "(byte %d)",
                         codes->doc, jerr.text, jerr.line, jerr.column,
                         jerr.position);
    json_decref(j);
    /* ... or it is JSON nested deeper than Intel's documents ever are. */
    return sgxra__fail(cx, codes->format,
                       "%s: JSON nested more than %d levels deep", codes->doc,
                       SGXRA__JV_DEPTH);
  }
  if (sgxra__jv_type(root) != SGXRA__JV_OBJECT) {
    sgxra__jv_free(root);
    return sgxra__fail(cx, codes->format,
                       "%s must be a JSON object {\"%s\":{...},"
                       "\"signature\":\"...\"}",
                       codes->doc, body_key);
  }
  if (sgxra__jv_type(sgxra__jv_get(root, body_key)) != SGXRA__JV_OBJECT) {
    sgxra__jv_free(root);
    return sgxra__fail(cx, codes->format,
                       "%s has no \"%s\" object: expected the PCS response "
                       "body {\"%s\":{...},\"signature\":\"...\"}",
                       codes->doc, body_key, body_key);
  }
  /* The signed bytes: the first body member, written as rapidjson's
   * Writer writes it (duplicates inside it kept, as in rapidjson's DOM). */
  size_t off = 0, len = 0;
  if (member_span(p, n, body_key, &off, &len) != 0 || len == 0) {
    sgxra__jv_free(root);
    return sgxra__fail(cx, codes->format,
                       "%s: the \"%s\" member could not be located in the "
                       "text (escaped member name?)",
                       codes->doc, body_key);
  }
  uint8_t *buf = NULL;
  if (writer_form(p + off, len)) {
    /* the compact bodies PCS serves: the signed bytes as they are */
    buf = malloc(len);
    r = buf != NULL ? 0 : -2;
    if (buf != NULL) {
      memcpy(buf, p + off, len);
      *out_signed_len = len;
    }
  } else {
    r = rewrite(p + off, len, &buf, out_signed_len);
  }
  if (r != 0) {
    sgxra__jv_free(root);
    if (r == -2)
      return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s signed body", codes->doc);
    return sgxra__fail(cx, codes->format, "%s: the \"%s\" member is not JSON",
                       codes->doc, body_key);
  }
  *out_signed = buf;
  *out_root = root;
  return SGXRA_OK;
}

/* ---- strict member readers ----------------------------------------------- */

static const char *type_name(const sgxra__jv *v) {
  switch (sgxra__jv_type(v)) {
  case SGXRA__JV_OBJECT:
    return "an object";
  case SGXRA__JV_ARRAY:
    return "an array";
  case SGXRA__JV_STRING:
    return "a string";
  case SGXRA__JV_INTEGER:
    return "an integer";
  case SGXRA__JV_REAL:
    return "a real number";
  case SGXRA__JV_TRUE:
  case SGXRA__JV_FALSE:
    return "a boolean";
  case SGXRA__JV_NULL:
    return "null";
  }
  return "?";
}

static sgxra_err missing(sgxra_ctx *cx, const sgxra__jcodes *codes,
                         const char *path, const char *key, const char *want,
                         const sgxra__jv *v) {
  if (v == NULL)
    return sgxra__fail(cx, codes->field, "%s: %s.%s is missing (%s expected)",
                       codes->doc, path, key, want);
  return sgxra__fail(cx, codes->field, "%s: %s.%s is %s, %s expected",
                     codes->doc, path, key, type_name(v), want);
}

sgxra_err sgxra__j_int(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const sgxra__jv *obj, const char *path, const char *key,
                       int64_t lo, int64_t hi, int64_t *out) {
  *out = 0;
  const sgxra__jv *v = sgxra__jv_get(obj, key);
  if (sgxra__jv_type(v) != SGXRA__JV_INTEGER)
    return missing(cx, codes, path, key, "an integer", v);
  long long x = sgxra__jv_integer(v);
  if (x < lo || x > hi)
    return sgxra__fail(
        cx, codes->field, "%s: %s.%s is %lld, outside the allowed %lld..%lld",
        codes->doc, path, key, (long long)x, (long long)lo, (long long)hi);
  *out = (int64_t)x;
  return SGXRA_OK;
}

sgxra_err sgxra__j_str(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const sgxra__jv *obj, const char *path, const char *key,
                       const char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  const sgxra__jv *v = sgxra__jv_get(obj, key);
  if (sgxra__jv_type(v) != SGXRA__JV_STRING)
    return missing(cx, codes, path, key, "a string", v);
  *out = sgxra__jv_string(v, out_len);
  return SGXRA_OK;
}

sgxra_err sgxra__j_date(sgxra_ctx *cx, const sgxra__jcodes *codes,
                        const sgxra__jv *obj, const char *path, const char *key,
                        int64_t *out) {
  const char *s;
  size_t n;
  *out = 0;
  sgxra_err e = sgxra__j_str(cx, codes, obj, path, key, &s, &n);
  if (e != SGXRA_OK) return e;
  /* Intel writes "YYYY-MM-DDTHH:MM:SSZ" (20 characters): an uppercase T
   * and Z, seconds 00..59 (RFC 3339 also allows "t", "z" and a leap second
   * :60, which the shared time parser accepts for --at).  Anything after
   * the Z is ignored, as by the QvE's date parser (QVL TimeUtils.cpp
   * qvlStringToTime, built for the enclave: at least 20 characters, the
   * first 20 read). */
  if (n < 20 || s[10] != 'T' || s[19] != 'Z' || s[17] > '5' ||
      sgxra_time_parse_rfc3339(cx, s, 20, out) != 0) {
    *out = 0;
    return sgxra__fail(cx, codes->date,
                       "%s: %s.%s is \"%.*s\", expected a UTC date like "
                       "\"2025-07-01T00:00:00Z\"",
                       codes->doc, path, key, (int)(n > 40 ? 40 : n), s);
  }
  return SGXRA_OK;
}

sgxra_err sgxra__j_hex(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const sgxra__jv *obj, const char *path, const char *key,
                       uint8_t *out, size_t n) {
  const char *s;
  size_t len;
  memset(out, 0, n);
  sgxra_err e = sgxra__j_str(cx, codes, obj, path, key, &s, &len);
  if (e != SGXRA_OK) return e;
  if (sgxra_hex_decode(cx, s, len, out, n) != SGXRA_OK) {
    char why[SGXRA_CTX_MSG_SIZE];
    snprintf(why, sizeof(why), "%s", sgxra_ctx_message(cx));
    memset(out, 0, n);
    return sgxra__fail(cx, codes->hex, "%s: %s.%s must be %zu hex digits: %s",
                       codes->doc, path, key, 2 * n, why);
  }
  return SGXRA_OK;
}

sgxra_err sgxra__j_status(sgxra_ctx *cx, const sgxra__jcodes *codes,
                          const sgxra__jv *obj, const char *path,
                          const char *key, sgxra_tcb_status *out) {
  const char *s;
  size_t n;
  *out = SGXRA_TCB_STATUS_INVALID;
  sgxra_err e = sgxra__j_str(cx, codes, obj, path, key, &s, &n);
  if (e != SGXRA_OK) return e;
  sgxra_tcb_status st = sgxra_tcb_status_from_name(s, n);
  if (st == SGXRA_TCB_STATUS_INVALID)
    return sgxra__fail(cx, codes->status,
                       "%s: %s.%s is \"%.*s\", not one of Intel's statuses "
                       "(UpToDate, SWHardeningNeeded, ConfigurationNeeded, "
                       "ConfigurationAndSWHardeningNeeded, OutOfDate, "
                       "OutOfDateConfigurationNeeded, Revoked)",
                       codes->doc, path, key, (int)(n > 40 ? 40 : n), s);
  *out = st;
  return SGXRA_OK;
}

void sgxra__strings_free(char **v, size_t n) {
  if (v == NULL) return;
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

sgxra_err sgxra__j_strings(sgxra_ctx *cx, const sgxra__jcodes *codes,
                           const sgxra__jv *obj, const char *path,
                           const char *key, char ***out, size_t *out_count) {
  *out = NULL;
  *out_count = 0;
  const sgxra__jv *v = sgxra__jv_get(obj, key);
  if (v == NULL) return SGXRA_OK;
  if (sgxra__jv_type(v) != SGXRA__JV_ARRAY)
    return missing(cx, codes, path, key, "an array of strings", v);
  size_t n = sgxra__jv_size(v);
  if (n == 0) return SGXRA_OK;
  char **arr = calloc(n, sizeof(*arr));
  if (arr == NULL) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s", key);
  const sgxra__jv *s = sgxra__jv_at(v, 0);
  for (size_t i = 0; i < n; i++, s = sgxra__jv_next(s)) {
    if (sgxra__jv_type(s) != SGXRA__JV_STRING) {
      sgxra__strings_free(arr, n);
      return sgxra__fail(cx, codes->field,
                         "%s: %s.%s[%zu] is %s, a string "
                         "expected",
                         codes->doc, path, key, i, type_name(s));
    }
    size_t len = 0;
    const char *sv = sgxra__jv_string(s, &len);
    arr[i] = malloc(len + 1);
    if (arr[i] == NULL) {
      sgxra__strings_free(arr, n);
      return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s", key);
    }
    memcpy(arr[i], sv, len + 1);
  }
  *out = arr;
  *out_count = n;
  return SGXRA_OK;
}

sgxra_err sgxra__j_obj(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const sgxra__jv *obj, const char *path, const char *key,
                       int want_array, const sgxra__jv **out) {
  *out = NULL;
  const sgxra__jv *v = sgxra__jv_get(obj, key);
  if (sgxra__jv_type(v) != (want_array ? SGXRA__JV_ARRAY : SGXRA__JV_OBJECT))
    return missing(cx, codes, path, key, want_array ? "an array" : "an object",
                   v);
  *out = v;
  return SGXRA_OK;
}
