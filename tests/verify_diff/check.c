/*
 * tests/verify_diff/check.c -- the differential corpus checker (issue 13;
 * docs/VERIFY.md, "Differences from Intel's verifier, and how they are
 * tested").
 *
 *   verify_diff_check MANIFEST EXPECTED_DIR KNOWN_DIVERGENCES [REPORT]
 *
 * MANIFEST is gen.py's manifest.tsv (bundle, variant id, quote file,
 * collateral folder, unix time, trust root PEM or '-' for the Intel SGX Root
 * CA; tab-separated).  Every variant is verified through the library, as
 * `sgxra verify` does it (sgxra_collateral_load_dir_deferred, then
 * sgxra_verify_quote against the variant's trust root), and sgxra's
 * Intel-equivalent answer is compared with Intel's, recorded in
 * EXPECTED_DIR/<bundle>.json: the return code; then the verdict; and when
 * both succeed, collateral_expired and the advisory IDs (order included).
 * A collateral folder sgxra cannot load is answered "LOAD:<sgxra error>",
 * which never equals an Intel code.
 *
 * KNOWN_DIVERGENCES lists the variants expected to differ today, one per
 * line: "<class letter> <bundle> <variant id>" ('#' starts a comment).
 * The run fails when a variant outside the list differs, when a listed
 * variant agrees (the fix landed: take it off the list), when a listed
 * variant is not in the corpus, when a variant has no expected answer, or
 * when a bundle has expected answers without a variant (gen.py changed).
 * REPORT, when given, receives one line per divergence (bundle, id, sgxra's
 * answer, Intel's answer; tab-separated), to rebuild the list.
 *
 * Exit status 0 when all is as expected, 1 otherwise, 2 on a usage or
 * input error.  Single-threaded.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sgxra.h"

#define LINE_MAX_LEN 8192
#define QUOTE_MAX (1u << 20)
#define MAX_FAIL_SHOWN 40

typedef struct known {
  char *bundle;
  char *id;
  char letter[4]; /* "A" .. "P", "A'" */
  int seen;       /* in the corpus */
} known;

typedef struct tally {
  char *cls; /* the id up to its '/' */
  unsigned total, agree, known_differ, new_differ, fixed;
} tally;

typedef struct coll_slot {
  char *dir;
  sgxra_collateral *coll; /* NULL: load_err */
  sgxra_err load_err;
} coll_slot;

static known *knowns;
static size_t nknown;
static tally *tallies;
static size_t ntally;
static coll_slot *slots;
static size_t nslot;

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (!q) {
    fprintf(stderr, "verify_diff_check: out of memory\n");
    exit(2);
  }
  return q;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xrealloc(NULL, n), s, n);
}

static int load_known(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "verify_diff_check: %s: %s\n", path, strerror(errno));
    return -1;
  }
  char line[LINE_MAX_LEN];
  unsigned ln = 0;
  while (fgets(line, sizeof line, f)) {
    ln++;
    line[strcspn(line, "\r\n")] = 0;
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char letter[8], bundle[512], id[2048];
    int n = sscanf(line, "%7s %511s %2047s", letter, bundle, id);
    if (n <= 0) continue;
    if (n != 3 || strlen(letter) > 2) {
      fprintf(stderr,
              "verify_diff_check: %s:%u: expected "
              "\"<class letter> <bundle> <variant id>\"\n",
              path, ln);
      fclose(f);
      return -1;
    }
    knowns = xrealloc(knowns, (nknown + 1) * sizeof *knowns);
    knowns[nknown].bundle = xstrdup(bundle);
    knowns[nknown].id = xstrdup(id);
    snprintf(knowns[nknown].letter, sizeof knowns[nknown].letter, "%s", letter);
    knowns[nknown].seen = 0;
    nknown++;
  }
  fclose(f);
  return 0;
}

static known *find_known(const char *bundle, const char *id) {
  for (size_t i = 0; i < nknown; i++)
    if (!strcmp(knowns[i].id, id) && !strcmp(knowns[i].bundle, bundle))
      return &knowns[i];
  return NULL;
}

static tally *tally_of(const char *id) {
  size_t n = strcspn(id, "/");
  for (size_t i = 0; i < ntally; i++)
    if (strlen(tallies[i].cls) == n && !strncmp(tallies[i].cls, id, n))
      return &tallies[i];
  tallies = xrealloc(tallies, (ntally + 1) * sizeof *tallies);
  tally *t = &tallies[ntally++];
  memset(t, 0, sizeof *t);
  t->cls = xrealloc(NULL, n + 1);
  memcpy(t->cls, id, n);
  t->cls[n] = 0;
  return t;
}

static void slots_clear(void) {
  for (size_t i = 0; i < nslot; i++) {
    sgxra_collateral_free(slots[i].coll);
    free(slots[i].dir);
  }
  free(slots);
  slots = NULL;
  nslot = 0;
}

/* The collateral of `dir`, loaded once per bundle. */
static coll_slot *coll_of(sgxra_ctx *cx, const char *dir) {
  for (size_t i = 0; i < nslot; i++)
    if (!strcmp(slots[i].dir, dir)) return &slots[i];
  slots = xrealloc(slots, (nslot + 1) * sizeof *slots);
  coll_slot *s = &slots[nslot++];
  s->dir = xstrdup(dir);
  s->coll = NULL;
  sgxra_ctx_clear(cx);
  s->load_err = sgxra_collateral_load_dir_deferred(cx, dir, &s->coll);
  if (s->load_err != SGXRA_OK) s->coll = NULL;
  return s;
}

/* The trust roots of the manifest's 6th column ('-': the Intel SGX Root CA,
 * NULL), each loaded once; an unreadable root is an input error (exit 2). */
typedef struct root_slot {
  char *path;
  sgxra_x509_chain *chain;
} root_slot;
static root_slot *roots;
static size_t nroot;

static uint8_t *read_quote(const char *path, size_t *out_n);

static const sgxra_x509_cert *root_of(sgxra_ctx *cx, const char *path) {
  if (!strcmp(path, "-")) return NULL;
  for (size_t i = 0; i < nroot; i++)
    if (!strcmp(roots[i].path, path))
      return sgxra_x509_chain_get(roots[i].chain, 0);
  size_t n = 0;
  uint8_t *pem = read_quote(path, &n);
  sgxra_x509_chain *c = NULL;
  sgxra_ctx_clear(cx);
  if (!pem || sgxra_x509_chain_parse_pem(cx, pem, n, &c) != SGXRA_OK) {
    fprintf(stderr, "verify_diff_check: trust root %s: %s\n", path,
            pem ? sgxra_ctx_message(cx) : "cannot read");
    exit(2);
  }
  free(pem);
  roots = xrealloc(roots, (nroot + 1) * sizeof *roots);
  roots[nroot].path = xstrdup(path);
  roots[nroot].chain = c;
  return sgxra_x509_chain_get(roots[nroot++].chain, 0);
}

static void roots_free(void) {
  for (size_t i = 0; i < nroot; i++) {
    sgxra_x509_chain_free(roots[i].chain);
    free(roots[i].path);
  }
  free(roots);
  roots = NULL;
  nroot = 0;
}

static uint8_t *read_quote(const char *path, size_t *out_n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = xrealloc(NULL, QUOTE_MAX);
  size_t n = fread(buf, 1, QUOTE_MAX, f);
  int bad = ferror(f) || !feof(f);
  fclose(f);
  if (bad) {
    free(buf);
    return NULL;
  }
  *out_n = n;
  return buf;
}

/* sgxra's answer as JSON {return, verdict, collateral_expired,
 * advisory_ids}, the shape of the expected entries. */
static json_t *sgxra_answer(sgxra_ctx *cx, const char *quote_path,
                            const char *dir, int64_t t,
                            const sgxra_x509_cert *root) {
  coll_slot *s = coll_of(cx, dir);
  json_t *o = json_object();
  if (!s->coll) {
    char buf[128];
    snprintf(buf, sizeof buf, "LOAD:%s", sgxra_err_name(s->load_err));
    json_object_set_new(o, "return", json_string(buf));
    json_object_set_new(o, "verdict", json_null());
    return o;
  }
  size_t n = 0;
  uint8_t *q = read_quote(quote_path, &n);
  if (!q) {
    fprintf(stderr, "verify_diff_check: cannot read %s\n", quote_path);
    exit(2);
  }
  sgxra_verdict *vd = xrealloc(NULL, sizeof *vd);
  memset(vd, 0, sizeof *vd);
  sgxra_ctx_clear(cx);
  sgxra_err e = sgxra_verify_quote(cx, q, n, s->coll, root, t, vd);
  free(q);
  if (e != SGXRA_OK) {
    char buf[128];
    snprintf(buf, sizeof buf, "CALL:%s", sgxra_err_name(e));
    json_object_set_new(o, "return", json_string(buf));
    json_object_set_new(o, "verdict", json_null());
    free(vd);
    return o;
  }
  int ok = vd->ql_return == SGXRA_QL_SUCCESS;
  json_object_set_new(o, "return",
                      json_string(sgxra_ql_result_name(vd->ql_return)));
  json_object_set_new(o, "verdict",
                      vd->qv_result ? json_string(vd->qv_result) : json_null());
  json_object_set_new(o, "collateral_expired",
                      ok ? json_boolean(vd->collateral_expired) : json_null());
  json_t *sa = json_array();
  for (size_t i = 0; ok && i < vd->advisory_count; i++)
    json_array_append_new(sa, json_string(vd->advisory_ids[i]));
  json_object_set_new(o, "advisory_ids", sa);
  free(vd);
  return o;
}

static const char *str_of(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* 1 when sgxra's answer `g` is Intel's `x`. */
static int same(const json_t *g, const json_t *x) {
  if (strcmp(str_of(g, "return"), str_of(x, "return"))) return 0;
  if (strcmp(str_of(g, "verdict"), str_of(x, "verdict"))) return 0;
  if (strcmp(str_of(x, "return"), "SGX_QL_SUCCESS")) return 1;
  if (json_is_true(json_object_get(g, "collateral_expired")) !=
      json_is_true(json_object_get(x, "collateral_expired")))
    return 0;
  return json_equal(json_object_get(g, "advisory_ids"),
                    json_object_get(x, "advisory_ids"));
}

/* Every expected answer of a bundle must have its variant: otherwise the
 * generator lost variants and the corpus shrank without anyone noticing. */
static unsigned check_coverage(const char *bundle, const json_t *expected,
                               unsigned seen) {
  if (!expected || json_object_size(expected) == seen) return 0;
  fprintf(stderr,
          "FAIL %s: %zu expected answers but %u variants (did "
          "gen.py change? re-record, see docs/VERIFY.md)\n",
          bundle, json_object_size(expected), seen);
  return 1;
}

static char *brief(const json_t *o) {
  json_t *c = json_deep_copy(o);
  json_object_del(c, "rule");
  char *s = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(c);
  return s ? s : xstrdup("?");
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: verify_diff_check MANIFEST EXPECTED_DIR "
                    "KNOWN_DIVERGENCES [REPORT]\n");
    return 2;
  }
  if (load_known(argv[3])) return 2;
  FILE *m = fopen(argv[1], "r");
  if (!m) {
    fprintf(stderr, "verify_diff_check: %s: %s\n", argv[1], strerror(errno));
    return 2;
  }
  FILE *rep = NULL;
  if (argc == 5 && !(rep = fopen(argv[4], "w"))) {
    fprintf(stderr, "verify_diff_check: %s: %s\n", argv[4], strerror(errno));
    fclose(m);
    return 2;
  }
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) return 2;
  char line[LINE_MAX_LEN], cur[512] = "";
  json_t *expected = NULL;
  unsigned total = 0, fails = 0, shown = 0, in_bundle = 0, skipped = 0;
  /* VERIFY_DIFF_SAMPLE=N verifies every Nth variant only (the sanitizer
   * build sets 2, for time: the other builds verify every variant); the
   * rest are still checked for an expected answer and counted. */
  const char *sample_env = getenv("VERIFY_DIFF_SAMPLE");
  unsigned sample = sample_env ? (unsigned)strtoul(sample_env, NULL, 10) : 1;
  while (fgets(line, sizeof line, m)) {
    line[strcspn(line, "\r\n")] = 0;
    char *f[6] = {0}, *p = line;
    int k = 0;
    for (; k < 6 && p; k++) {
      f[k] = p;
      p = strchr(p, '\t');
      if (p) *p++ = 0;
    }
    if (k < 5 || p) {
      fprintf(stderr, "verify_diff_check: bad manifest line %u\n", total + 1);
      return 2;
    }
    const char *bundle = f[0], *id = f[1];
    if (strlen(bundle) >= sizeof cur ||
        strlen(argv[2]) + strlen(bundle) + 7 > 4096) {
      fprintf(stderr, "verify_diff_check: bundle name too long on line %u\n",
              total + 1);
      return 2;
    }
    if (strcmp(bundle, cur)) {
      fails += check_coverage(cur, expected, in_bundle);
      in_bundle = 0;
      memcpy(cur, bundle, strlen(bundle) + 1);
      json_decref(expected);
      slots_clear();
      char path[4096];
      strcat(strcat(strcpy(path, argv[2]), "/"), bundle);
      strcat(path, ".json");
      json_error_t je;
      expected = json_load_file(path, 0, &je);
      if (!expected) {
        fprintf(stderr, "verify_diff_check: %s: %s (line %d)\n", path, je.text,
                je.line);
        return 2;
      }
    }
    total++;
    in_bundle++;
    tally *t = tally_of(id);
    t->total++;
    known *kn = find_known(bundle, id);
    if (kn) kn->seen = 1;
    json_t *x = json_object_get(expected, id);
    if (!x) {
      fprintf(stderr,
              "FAIL %s %s: no expected answer (re-record, see "
              "docs/VERIFY.md)\n",
              bundle, id);
      fails++;
      t->new_differ++;
      continue;
    }
    if (sample > 1 && !kn && total % sample != 0) {
      skipped++;
      continue;
    }
    const sgxra_x509_cert *root = root_of(cx, f[5] ? f[5] : "-");
    json_t *g = sgxra_answer(cx, f[2], f[3], strtoll(f[4], NULL, 10), root);
    int eq = same(g, x);
    char *gs = brief(g), *xs = brief(x);
    if (!eq && rep) fprintf(rep, "%s\t%s\t%s\t%s\n", bundle, id, gs, xs);
    if (eq && !kn) {
      t->agree++;
    } else if (eq && kn) {
      t->fixed++;
      fails++;
      if (shown++ < MAX_FAIL_SHOWN)
        fprintf(stderr,
                "FAIL %s %s: now agrees with Intel (class %s): "
                "remove it from known_divergences.txt\n",
                bundle, id, kn->letter);
    } else if (kn) {
      t->known_differ++;
      char cls[32];
      snprintf(cls, sizeof cls, "issue-13 class %s", kn->letter);
      tally_of(cls)->known_differ++;
    } else {
      t->new_differ++;
      fails++;
      if (shown++ < MAX_FAIL_SHOWN)
        fprintf(stderr, "FAIL %s %s: sgxra %s, Intel %s [%s]\n", bundle, id, gs,
                xs, str_of(x, "rule"));
    }
    free(gs);
    free(xs);
    json_decref(g);
  }
  fclose(m);
  if (rep) fclose(rep);
  fails += check_coverage(cur, expected, in_bundle);
  json_decref(expected);
  slots_clear();
  roots_free();
  sgxra_ctx_free(cx);
  for (size_t i = 0; i < nknown; i++)
    if (!knowns[i].seen) {
      fails++;
      if (shown++ < MAX_FAIL_SHOWN)
        fprintf(stderr,
                "FAIL %s %s: listed in known_divergences.txt but not "
                "in the corpus\n",
                knowns[i].bundle, knowns[i].id);
    }
  if (shown > MAX_FAIL_SHOWN)
    fprintf(stderr, "... %u failures not shown\n", shown - MAX_FAIL_SHOWN);

  printf("%-40s %6s %6s %6s %6s %6s\n", "variant class", "total", "agree",
         "known", "NEW", "fixed");
  /* the variant classes, then the known divergences per issue-13 class */
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < ntally; i++)
      if ((strncmp(tallies[i].cls, "issue-13 ", 9) == 0) == pass)
        printf("%-40s %6u %6u %6u %6u %6u\n", tallies[i].cls, tallies[i].total,
               tallies[i].agree, tallies[i].known_differ, tallies[i].new_differ,
               tallies[i].fixed);
  printf("\n%u variants (%u verified, %u left out by VERIFY_DIFF_SAMPLE), "
         "%zu listed as known divergences, %u failures\n",
         total, total - skipped, skipped, nknown, fails);
  for (size_t i = 0; i < nknown; i++) {
    free(knowns[i].bundle);
    free(knowns[i].id);
  }
  free(knowns);
  for (size_t i = 0; i < ntally; i++) free(tallies[i].cls);
  free(tallies);
  return fails ? 1 : 0;
}
