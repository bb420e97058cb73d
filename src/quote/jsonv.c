/* A JSON reader for Intel's signed documents (TCB Info, QE Identity): see
 * quote/collateral_internal.h (sgxra__jv).
 *
 * One pass over the text, into one array of nodes and one buffer of
 * decoded strings (no allocation per value), keeping every member of an
 * object in input order: a lookup finds the first of duplicate names, as
 * rapidjson's FindMember does in Intel's QVL.  It accepts exactly what
 * jansson accepts (json_loadb, flags 0: duplicate names allowed), with the
 * same values -- integers as long long (a larger one is an error), reals
 * (an overflowing one is an error), strings of valid UTF-8 with jansson's
 * escapes, no NUL, a top-level object or array, nothing after it but
 * whitespace, even its skipping of one NUL byte after a number or literal
 * -- and refuses values nested deeper than SGXRA__JV_DEPTH, as
 * the reading it replaces did.  tests/quote/test_jsonv.c compares the two
 * on every edit of the bundles' documents. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "quote/collateral_internal.h"

struct sgxra__jv {
  uint8_t type;
  uint32_t self;   /* index of this node */
  uint32_t next;   /* next sibling, 0 for none (the root is no sibling) */
  uint32_t child;  /* first element or member, 0 for none */
  uint32_t count;  /* elements or members */
  uint32_t last;   /* last child while parsing */
  const char *key; /* member name, NUL-terminated (decoded) */
  size_t key_len;
  const char *str; /* string value, NUL-terminated (decoded) */
  size_t len;
  long long i;
  char *strings; /* the root only: the decoded strings buffer */
};

typedef struct jr {
  const uint8_t *p;
  size_t n, i;
  struct sgxra__jv *nodes;
  size_t count, cap;
  char *s; /* strings buffer */
  size_t sm;
} jr;

static int jws(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(jr *r) {
  while (r->i < r->n && jws(r->p[r->i])) r->i++;
}

static long new_node(jr *r, uint8_t type) {
  if (r->count == r->cap) {
    size_t cap = r->cap * 2;
    if (cap > UINT32_MAX) return -1;
    struct sgxra__jv *nn = realloc(r->nodes, cap * sizeof *nn);
    if (nn == NULL) return -1;
    r->nodes = nn;
    r->cap = cap;
  }
  struct sgxra__jv *v = &r->nodes[r->count];
  memset(v, 0, sizeof *v);
  v->type = type;
  v->self = (uint32_t)r->count;
  return (long)r->count++;
}

int sgxra__json_hex4(const uint8_t *p, uint32_t *out) {
  uint32_t v = 0;
  for (int k = 0; k < 4; k++) {
    uint8_t c = p[k];
    int h = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (h < 0) return 0;
    v = v << 4 | (uint32_t)h;
  }
  *out = v;
  return 1;
}

/* One UTF-8 sequence at p[0..left) as jansson's utf8_check_first/full:
 * its length, 0 when invalid (overlong, surrogate, above U+10FFFF). */
static size_t utf8_len(const uint8_t *p, size_t left) {
  uint8_t u = p[0];
  size_t k;
  uint32_t v;
  if (u < 0x80) return 1;
  if (u >= 0xC2 && u <= 0xDF) {
    k = 2;
    v = u & 0x1F;
  } else if (u >= 0xE0 && u <= 0xEF) {
    k = 3;
    v = u & 0x0F;
  } else if (u >= 0xF0 && u <= 0xF4) {
    k = 4;
    v = u & 0x07;
  } else {
    return 0;
  }
  if (left < k) return 0;
  for (size_t j = 1; j < k; j++) {
    if (p[j] < 0x80 || p[j] > 0xBF) return 0;
    v = v << 6 | (p[j] & 0x3F);
  }
  if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (k == 3 && v < 0x800) ||
      (k == 4 && v < 0x10000))
    return 0;
  return k;
}

void sgxra__json_put_utf8(uint8_t *o, size_t *m, uint32_t c) {
  if (c < 0x80) {
    o[(*m)++] = (uint8_t)c;
  } else if (c < 0x800) {
    o[(*m)++] = (uint8_t)(0xC0 | c >> 6);
    o[(*m)++] = (uint8_t)(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    o[(*m)++] = (uint8_t)(0xE0 | c >> 12);
    o[(*m)++] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
    o[(*m)++] = (uint8_t)(0x80 | (c & 0x3F));
  } else {
    o[(*m)++] = (uint8_t)(0xF0 | c >> 18);
    o[(*m)++] = (uint8_t)(0x80 | (c >> 12 & 0x3F));
    o[(*m)++] = (uint8_t)(0x80 | (c >> 6 & 0x3F));
    o[(*m)++] = (uint8_t)(0x80 | (c & 0x3F));
  }
}

/* A string at p[i] == '"', decoded into the strings buffer
 * (NUL-terminated); NUL characters refused (jansson without
 * JSON_ALLOW_NUL, and always in names). */
static int read_string(jr *r, const char **out, size_t *out_len) {
  char *o = r->s + r->sm;
  size_t m = 0;
  r->i++;
  for (;;) {
    if (r->i >= r->n) return 0;
    uint8_t c = r->p[r->i];
    if (c == '"') {
      r->i++;
      break;
    }
    if (c < 0x20) return 0;
    if (c != '\\') {
      size_t k = utf8_len(r->p + r->i, r->n - r->i);
      if (k == 0) return 0;
      memcpy(o + m, r->p + r->i, k);
      m += k;
      r->i += k;
      continue;
    }
    if (r->n - r->i < 2) return 0;
    uint8_t e = r->p[r->i + 1];
    r->i += 2;
    uint32_t u, lo;
    switch (e) {
    case '"':
    case '\\':
    case '/':
      o[m++] = (char)e;
      break;
    case 'b':
      o[m++] = '\b';
      break;
    case 'f':
      o[m++] = '\f';
      break;
    case 'n':
      o[m++] = '\n';
      break;
    case 'r':
      o[m++] = '\r';
      break;
    case 't':
      o[m++] = '\t';
      break;
    case 'u':
      if (r->n - r->i < 4 || !sgxra__json_hex4(r->p + r->i, &u)) return 0;
      r->i += 4;
      if (u >= 0xD800 && u <= 0xDBFF) {
        if (r->n - r->i < 6 || r->p[r->i] != '\\' || r->p[r->i + 1] != 'u' ||
            !sgxra__json_hex4(r->p + r->i + 2, &lo) || lo < 0xDC00 ||
            lo > 0xDFFF)
          return 0;
        r->i += 6;
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      } else if (u >= 0xDC00 && u <= 0xDFFF) {
        return 0;
      }
      if (u == 0) return 0;
      /* at most 4 bytes for at least 6 of text */
      sgxra__json_put_utf8((uint8_t *)o, &m, u);
      break;
    default:
      return 0;
    }
  }
  o[m] = '\0';
  *out = o;
  *out_len = m;
  r->sm += m + 1;
  return 1;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void c_locale_make(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* A number as jansson lexes it: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * an integer (no fraction or exponent) within long long, else a real that
 * does not overflow. */
static int read_number(jr *r, struct sgxra__jv *v) {
  size_t s = r->i, i = r->i;
  const uint8_t *p = r->p;
  int neg = 0, real = 0;
  if (i < r->n && p[i] == '-') {
    neg = 1;
    i++;
  }
  if (i < r->n && p[i] == '0') {
    i++;
    if (i < r->n && p[i] >= '0' && p[i] <= '9') return 0;
  } else if (i < r->n && p[i] >= '1' && p[i] <= '9') {
    while (i < r->n && p[i] >= '0' && p[i] <= '9') i++;
  } else {
    return 0;
  }
  size_t int_end = i;
  if (i < r->n && p[i] == '.') {
    real = 1;
    i++;
    if (i >= r->n || p[i] < '0' || p[i] > '9') return 0;
    while (i < r->n && p[i] >= '0' && p[i] <= '9') i++;
  }
  if (i < r->n && (p[i] == 'e' || p[i] == 'E')) {
    real = 1;
    i++;
    if (i < r->n && (p[i] == '+' || p[i] == '-')) i++;
    if (i >= r->n || p[i] < '0' || p[i] > '9') return 0;
    while (i < r->n && p[i] >= '0' && p[i] <= '9') i++;
  }
  r->i = i;
  if (!real) {
    /* strtoll's range: down to LLONG_MIN, up to LLONG_MAX */
    unsigned long long lim =
        neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    unsigned long long x = 0;
    for (size_t k = s + (size_t)neg; k < int_end; k++) {
      unsigned d = (unsigned)(p[k] - '0');
      if (x > (lim - d) / 10) return 0;
      x = x * 10 + d;
    }
    v->type = SGXRA__JV_INTEGER;
    v->i = neg ? (x == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
                                                         : -(long long)x)
               : (long long)x;
    return 1;
  }
  /* a real: only whether it overflows matters (no reader takes reals) */
  char buf[128], *heap = NULL, *t = buf;
  size_t len = i - s;
  if (len >= sizeof buf) {
    heap = malloc(len + 1);
    if (heap == NULL) return 0;
    t = heap;
  }
  memcpy(t, p + s, len);
  t[len] = '\0';
  pthread_once(&c_locale_once, c_locale_make);
  /* this thread reads numbers the C way whatever LC_NUMERIC says */
  locale_t old = c_locale != (locale_t)0 ? uselocale(c_locale) : (locale_t)0;
  errno = 0;
  double d = strtod(t, NULL);
  int overflow = (d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE;
  if (old != (locale_t)0) uselocale(old);
  free(heap);
  if (overflow) return 0;
  v->type = SGXRA__JV_REAL;
  return 1;
}

static long read_value(jr *r, int depth);

/* Link child c as the last child of parent p. */
static void link_child(jr *r, long p, long c) {
  struct sgxra__jv *pv = &r->nodes[p];
  if (pv->count == 0)
    pv->child = (uint32_t)c;
  else
    r->nodes[pv->last].next = (uint32_t)c;
  pv->last = (uint32_t)c;
  pv->count++;
}

static long read_container(jr *r, int depth, int object) {
  long me = new_node(r, object ? SGXRA__JV_OBJECT : SGXRA__JV_ARRAY);
  if (me < 0) return -1;
  r->i++;
  skip_ws(r);
  uint8_t close = object ? '}' : ']';
  if (r->i < r->n && r->p[r->i] == close) {
    r->i++;
    return me;
  }
  for (;;) {
    const char *key = NULL;
    size_t key_len = 0;
    skip_ws(r);
    if (object) {
      if (r->i >= r->n || r->p[r->i] != '"' || !read_string(r, &key, &key_len))
        return -1;
      skip_ws(r);
      if (r->i >= r->n || r->p[r->i] != ':') return -1;
      r->i++;
      skip_ws(r);
    }
    long c = read_value(r, depth + 1);
    if (c < 0) return -1;
    r->nodes[c].key = key;
    r->nodes[c].key_len = key_len;
    link_child(r, me, c);
    skip_ws(r);
    if (r->i < r->n && r->p[r->i] == ',') {
      r->i++;
      continue;
    }
    if (r->i < r->n && r->p[r->i] == close) {
      r->i++;
      return me;
    }
    return -1;
  }
}

static int literal(jr *r, const char *w) {
  size_t k = strlen(w), e = r->i + k;
  if (r->n - r->i < k || memcmp(r->p + r->i, w, k) != 0) return 0;
  /* jansson reads a word whole: "truex" and "truefalse" are no literals */
  if (e < r->n && ((r->p[e] >= 'a' && r->p[e] <= 'z') ||
                   (r->p[e] >= 'A' && r->p[e] <= 'Z')))
    return 0;
  r->i = e;
  return 1;
}

/* jansson reads one character past a number or a literal and puts it
 * back; a NUL put back that way is lost (its stream takes a NUL in its
 * one-character buffer for "empty"), so one NUL byte right after a number
 * or literal is skipped, as there. */
static long after_scalar(jr *r, long me) {
  if (r->i < r->n && r->p[r->i] == 0) r->i++;
  return me;
}

static long read_value(jr *r, int depth) {
  if (depth > SGXRA__JV_DEPTH || r->i >= r->n) return -1;
  uint8_t c = r->p[r->i];
  if (c == '{' || c == '[') return read_container(r, depth, c == '{');
  long me = new_node(r, SGXRA__JV_NULL);
  if (me < 0) return -1;
  struct sgxra__jv *v = &r->nodes[me];
  if (c == '"') {
    v->type = SGXRA__JV_STRING;
    return read_string(r, &v->str, &v->len) ? me : -1;
  }
  if (c == '-' || (c >= '0' && c <= '9'))
    return read_number(r, v) ? after_scalar(r, me) : -1;
  if (literal(r, "true")) {
    v->type = SGXRA__JV_TRUE;
    return after_scalar(r, me);
  }
  if (literal(r, "false")) {
    v->type = SGXRA__JV_FALSE;
    return after_scalar(r, me);
  }
  if (literal(r, "null")) return after_scalar(r, me);
  return -1;
}

int sgxra__jv_parse(const uint8_t *p, size_t n, sgxra__jv **out) {
  *out = NULL;
  jr r = {p, n, 0, NULL, 0, 0, NULL, 0};
  r.cap = n / 8 + 16;
  r.nodes = malloc(r.cap * sizeof *r.nodes);
  r.s = malloc(n + 1);
  if (r.nodes == NULL || r.s == NULL) {
    free(r.nodes);
    free(r.s);
    return -2;
  }
  skip_ws(&r);
  long root =
      r.i < n && (p[r.i] == '{' || p[r.i] == '[') ? read_value(&r, 0) : -1;
  skip_ws(&r);
  if (root != 0 || r.i != n) {
    free(r.nodes);
    free(r.s);
    return -1;
  }
  r.nodes[0].strings = r.s;
  *out = r.nodes;
  return 0;
}

void sgxra__jv_free(sgxra__jv *root) {
  if (root == NULL) return;
  free(root->strings);
  free(root);
}

int sgxra__jv_type(const sgxra__jv *v) {
  return v ? v->type : -1;
}

const sgxra__jv *sgxra__jv_get(const sgxra__jv *obj, const char *key) {
  if (obj == NULL || obj->type != SGXRA__JV_OBJECT) return NULL;
  const sgxra__jv *base = obj - obj->self;
  size_t k = strlen(key);
  for (uint32_t c = obj->count ? obj->child : 0, left = obj->count; left > 0;
       c = base[c].next, left--)
    if (base[c].key_len == k && memcmp(base[c].key, key, k) == 0)
      return &base[c];
  return NULL;
}

size_t sgxra__jv_size(const sgxra__jv *v) {
  return v && (v->type == SGXRA__JV_ARRAY || v->type == SGXRA__JV_OBJECT)
             ? v->count
             : 0;
}

const sgxra__jv *sgxra__jv_at(const sgxra__jv *v, size_t i) {
  if (v == NULL ||
      (v->type != SGXRA__JV_ARRAY && v->type != SGXRA__JV_OBJECT) ||
      i >= v->count)
    return NULL;
  const sgxra__jv *base = v - v->self;
  uint32_t c = v->child;
  while (i-- > 0) c = base[c].next;
  return &base[c];
}

const sgxra__jv *sgxra__jv_next(const sgxra__jv *v) {
  return v && v->next ? v - v->self + v->next : NULL;
}

const char *sgxra__jv_key(const sgxra__jv *v, size_t *len) {
  if (len) *len = v ? v->key_len : 0;
  return v ? v->key : NULL;
}

const char *sgxra__jv_string(const sgxra__jv *v, size_t *len) {
  int s = v && v->type == SGXRA__JV_STRING;
  if (len) *len = s ? v->len : 0;
  return s ? v->str : NULL;
}

long long sgxra__jv_integer(const sgxra__jv *v) {
  return v && v->type == SGXRA__JV_INTEGER ? v->i : 0;
}
