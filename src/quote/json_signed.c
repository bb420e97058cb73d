/* Intel's signed JSON (TCB Info, QE Identity): the signed span and strict
 * member readers.  See quote/collateral_internal.h.
 *
 * Intel signs the "tcbInfo" / "enclaveIdentity" object as its compact
 * serialisation with member order kept; its QVL parses the document and
 * writes that object back compactly before hashing.  We get the same bytes
 * without a JSON writer: locate the member's value in the original text
 * and drop the insignificant whitespace (outside strings).  For the compact
 * bodies PCS serves this is the exact input span. */
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

size_t sgxra__json_compact(const uint8_t *p, size_t n, uint8_t *out) {
  size_t m = 0;
  int in_str = 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (in_str) {
      out[m++] = c;
      if (c == '\\' && i + 1 < n) {
        out[m++] = p[++i];
      } else if (c == '"') {
        in_str = 0;
      }
    } else if (!ws(c)) {
      out[m++] = c;
      if (c == '"') in_str = 1;
    }
  }
  return m;
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

sgxra_err sgxra__signed_json_load(sgxra_ctx *cx, const uint8_t *p, size_t n,
                                  const char *body_key,
                                  const sgxra__jcodes *codes, json_t **out_root,
                                  uint8_t **out_signed,
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
  json_error_t jerr;
  json_t *root = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    return sgxra__fail(cx, codes->format,
                       "%s is not valid JSON: %s at line %d column %d "
                       "(byte %d)",
                       codes->doc, jerr.text, jerr.line, jerr.column,
                       jerr.position);
  if (!json_is_object(root)) {
    json_decref(root);
    return sgxra__fail(cx, codes->format,
                       "%s must be a JSON object {\"%s\":{...},"
                       "\"signature\":\"...\"}",
                       codes->doc, body_key);
  }
  if (!json_is_object(json_object_get(root, body_key))) {
    json_decref(root);
    return sgxra__fail(cx, codes->format,
                       "%s has no \"%s\" object: expected the PCS response "
                       "body {\"%s\":{...},\"signature\":\"...\"}",
                       codes->doc, body_key, body_key);
  }
  size_t off = 0, len = 0;
  if (member_span(p, n, body_key, &off, &len) != 0 || len == 0) {
    json_decref(root);
    return sgxra__fail(cx, codes->format,
                       "%s: the \"%s\" member could not be located in the "
                       "text (escaped member name?)",
                       codes->doc, body_key);
  }
  uint8_t *buf = malloc(len);
  if (buf == NULL) {
    json_decref(root);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s signed body", codes->doc);
  }
  *out_signed_len = sgxra__json_compact(p + off, len, buf);
  *out_signed = buf;
  *out_root = root;
  return SGXRA_OK;
}

/* ---- strict member readers ----------------------------------------------- */

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a real number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  case JSON_NULL:
    return "null";
  }
  return "?";
}

static sgxra_err missing(sgxra_ctx *cx, const sgxra__jcodes *codes,
                         const char *path, const char *key, const char *want,
                         const json_t *v) {
  if (v == NULL)
    return sgxra__fail(cx, codes->field, "%s: %s.%s is missing (%s expected)",
                       codes->doc, path, key, want);
  return sgxra__fail(cx, codes->field, "%s: %s.%s is %s, %s expected",
                     codes->doc, path, key, type_name(v), want);
}

sgxra_err sgxra__j_int(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const json_t *obj, const char *path, const char *key,
                       int64_t lo, int64_t hi, int64_t *out) {
  *out = 0;
  const json_t *v = json_object_get(obj, key);
  if (!json_is_integer(v))
    return missing(cx, codes, path, key, "an integer", v);
  json_int_t x = json_integer_value(v);
  if (x < lo || x > hi)
    return sgxra__fail(
        cx, codes->field, "%s: %s.%s is %lld, outside the allowed %lld..%lld",
        codes->doc, path, key, (long long)x, (long long)lo, (long long)hi);
  *out = (int64_t)x;
  return SGXRA_OK;
}

sgxra_err sgxra__j_str(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const json_t *obj, const char *path, const char *key,
                       const char **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  const json_t *v = json_object_get(obj, key);
  if (!json_is_string(v)) return missing(cx, codes, path, key, "a string", v);
  *out = json_string_value(v);
  *out_len = json_string_length(v);
  return SGXRA_OK;
}

sgxra_err sgxra__j_date(sgxra_ctx *cx, const sgxra__jcodes *codes,
                        const json_t *obj, const char *path, const char *key,
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
                       const json_t *obj, const char *path, const char *key,
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
                          const json_t *obj, const char *path, const char *key,
                          sgxra_tcb_status *out) {
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
                           const json_t *obj, const char *path, const char *key,
                           char ***out, size_t *out_count) {
  *out = NULL;
  *out_count = 0;
  const json_t *v = json_object_get(obj, key);
  if (v == NULL) return SGXRA_OK;
  if (!json_is_array(v))
    return missing(cx, codes, path, key, "an array of strings", v);
  size_t n = json_array_size(v);
  if (n == 0) return SGXRA_OK;
  char **arr = calloc(n, sizeof(*arr));
  if (arr == NULL) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s", key);
  for (size_t i = 0; i < n; i++) {
    const json_t *s = json_array_get(v, i);
    if (!json_is_string(s)) {
      sgxra__strings_free(arr, n);
      return sgxra__fail(cx, codes->field,
                         "%s: %s.%s[%zu] is %s, a string "
                         "expected",
                         codes->doc, path, key, i, type_name(s));
    }
    size_t len = json_string_length(s);
    arr[i] = malloc(len + 1);
    if (arr[i] == NULL) {
      sgxra__strings_free(arr, n);
      return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "%s", key);
    }
    memcpy(arr[i], json_string_value(s), len + 1);
  }
  *out = arr;
  *out_count = n;
  return SGXRA_OK;
}

sgxra_err sgxra__j_obj(sgxra_ctx *cx, const sgxra__jcodes *codes,
                       const json_t *obj, const char *path, const char *key,
                       int want_array, const json_t **out) {
  *out = NULL;
  const json_t *v = json_object_get(obj, key);
  if (want_array ? !json_is_array(v) : !json_is_object(v))
    return missing(cx, codes, path, key, want_array ? "an array" : "an object",
                   v);
  *out = v;
  return SGXRA_OK;
}
