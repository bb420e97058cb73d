/* Fuzz target: Intel SDK enclaves re-measured from their bytes
 * (sgxra/sdkenclave.h): the ELF, the `.note.sgxmeta` with every metadata
 * copy, the patch and layout tables, the layout walk and the measurement.
 *
 * Two kinds of input, told apart by content (no selector byte, so the real
 * vectors are seeds as they are: `--raw vectors/sdk`):
 *
 *   - anything not starting with "SDKE": the enclave file itself;
 *   - "SDKE" b c c e...: an edit script over one of the real vectors
 *     (loaded once from SGXRA_VECTORS_DIR/sdk; nothing happens when the
 *     folder is missing).  b picks the vector (b % 4: george321 (three
 *     copies 2.2/2.1/1.4), eternalray (1.3 quirk), rds (four dirs), fpsg
 *     (thread groups, POST_ADD)); the u16 c, when nonzero, cuts the file to
 *     c * len / 65536 bytes; then 3-byte edits (u16 LE at, u8 x): when bit
 *     15 of `at` is clear, byte (at % len) of the note from its first
 *     metadata record on is XORed with x, otherwise byte (at & 0x7fff) of the
 *     file (ELF header, program headers).  Random mutation of a whole 1 MiB
 *     file rarely reaches the metadata; the edits go straight to it.
 *
 * Each input goes through sgxra_sdk_check_file, sgxra_sdk_open,
 * sgxra_sdk_summarize and sgxra_sdk_measure (with a page callback) of every
 * copy, and sgxra_sdk_set_sigstruct.  Any error is a fine outcome; a crash,
 * a leak, a sanitizer report, or results that contradict each other
 * (abort) are not:
 *   - check_file and open + measure agree (same code, same MRENCLAVE,
 *     same counts), `match` is nonzero only when every copy matches;
 *   - the callback sees page-aligned offsets inside SIZE, each once, and as
 *     many EADDs, EEXTENDs (16 per extended page) and measured bytes as
 *     the measurement reports;
 *   - a callback that stops the walk stops it with its own code;
 *   - writing back the SIGSTRUCT every copy already holds changes nothing.
 *
 * Enclaves whose metadata asks for more than 256 MiB are opened and
 * summarized but not measured (time per input; the seeds go up to 128 MiB).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgxra/ctx.h"
#include "sgxra/sdkenclave.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEASURE_CAP (256ull << 20)

/* ---- the base vectors of the edit scripts ------------------------------ */

static const char *const BASES[4] = {
    "george321-md22-ownkey.signed.so", "eternalray-md13-quirk.signed.so",
    "rds-md15-sdk227.signed.so", "fpsg-md24-dyntcs.signed.so"};

typedef struct base {
  uint8_t *p;
  size_t n;
  size_t desc_off, desc_len; /* the note descriptor, 0 when unknown */
  int tried;
} base;

static base bases[4];

static void load_base(base *b, const char *name) {
  b->tried = 1;
#ifdef SGXRA_VECTORS_DIR
  char path[4096];
  snprintf(path, sizeof path, "%s/sdk/%s", SGXRA_VECTORS_DIR, name);
  FILE *f = fopen(path, "rb");
  if (!f) return;
  size_t cap = 4u << 20;
  b->p = malloc(cap);
  if (b->p) b->n = fread(b->p, 1, cap, f);
  fclose(f);
  if (!b->p || b->n == 0 || b->n == cap) {
    free(b->p);
    b->p = NULL;
    b->n = 0;
    return;
  }
  sgxra_sdk_enclave e;
  /* The descriptor: from the first record to the end of the note. */
  if (sgxra_sdk_open(NULL, b->p, b->n, &e) == SGXRA_OK && e.ncopies > 0 &&
      e.copies[0].file_offset < e.note_offset + e.note_size &&
      e.note_offset + e.note_size <= b->n) {
    b->desc_off = (size_t)e.copies[0].file_offset;
    b->desc_len = (size_t)(e.note_offset + e.note_size - b->desc_off);
  }
#else
  (void)name;
#endif
}

/* The file an edit script describes, malloc'ed; NULL when its base is
 * missing. */
static uint8_t *apply_script(const uint8_t *s, size_t n, size_t *out_n) {
  if (n < 7) return NULL;
  base *b = &bases[s[4] % 4];
  if (!b->tried) load_base(b, BASES[s[4] % 4]);
  if (!b->p) return NULL;
  uint8_t *f = malloc(b->n);
  if (!f) return NULL;
  memcpy(f, b->p, b->n);
  size_t len = b->n;
  unsigned cut = (unsigned)s[5] | (unsigned)s[6] << 8;
  for (size_t i = 7; i + 3 <= n; i += 3) {
    unsigned at = (unsigned)s[i] | (unsigned)s[i + 1] << 8;
    size_t pos;
    if (at & 0x8000)
      pos = at & 0x7fff;
    else if (b->desc_len)
      pos = b->desc_off + at % b->desc_len;
    else
      continue;
    if (pos < len) f[pos] ^= s[i + 2];
  }
  if (cut) len = (size_t)((uint64_t)len * cut / 65536);
  *out_n = len;
  return f;
}

/* ---- the page callback ------------------------------------------------- */

typedef struct walk {
  uint64_t size; /* SIZE of the copy */
  uint64_t eadd, extended;
  uint64_t stop_at; /* stop the walk at this page (UINT64_MAX: never) */
  uint8_t *seen;    /* one bit per page of SIZE, NULL when too large */
} walk;

#define STOP_CODE SGXRA_E_INTERNAL

static sgxra_err on_page(void *arg, const sgxra_sdk_page *pg) {
  walk *w = arg;
  if (pg->offset % 4096 != 0 || pg->offset >= w->size || !pg->bytes ||
      !pg->source)
    abort(); /* a page the builder should have refused */
  if (w->seen) {
    uint64_t i = pg->offset / 4096;
    if (w->seen[i / 8] & (1u << (i % 8))) abort(); /* added twice */
    w->seen[i / 8] |= (uint8_t)(1u << (i % 8));
  }
  /* Touch the whole page: it must be readable during the callback. */
  uint8_t acc = 0;
  for (size_t k = 0; k < 4096; k += 512) acc ^= pg->bytes[k];
  acc ^= pg->bytes[4095];
  (void)acc;
  if (w->eadd == w->stop_at) return STOP_CODE;
  w->eadd++;
  if (pg->extended) w->extended++;
  return SGXRA_OK;
}

/* ---- one input --------------------------------------------------------- */

static uint64_t max_size(const sgxra_sdk_enclave *e) {
  uint64_t m = 0;
  for (unsigned i = 0; i < e->ncopies; i++)
    if (e->copies[i].head.enclave_size > m) m = e->copies[i].head.enclave_size;
  return m;
}

static void run(const uint8_t *p, size_t n) {
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) return;
  sgxra_sdk_enclave e;
  sgxra_err eo = sgxra_sdk_open(cx, p, n, &e);
  if (eo != SGXRA_OK) {
    /* The check opens the same way, so it fails the same way. */
    sgxra_sdk_check chk;
    if (sgxra_sdk_check_file(cx, p, n, &chk) != eo) abort();
    sgxra_ctx_free(cx);
    return;
  }
  if (e.ncopies < 1 || e.ncopies > SGXRA_SDK_MAX_COPIES ||
      e.selected >= e.ncopies || e.file != p || e.file_len != n)
    abort();

  for (unsigned i = 0; i < e.ncopies; i++) {
    sgxra_sdk_summary s;
    if (sgxra_sdk_summarize(cx, &e, i, &s) == SGXRA_OK &&
        (s.version_major != e.copies[i].head.version_major ||
         s.version_minor != e.copies[i].head.version_minor ||
         s.enclave_size != e.copies[i].head.enclave_size))
      abort(); /* the summary is not of that copy */
  }
  sgxra_sdk_summary s;
  if (sgxra_sdk_summarize(cx, &e, e.ncopies, &s) == SGXRA_OK)
    abort(); /* a copy that does not exist */

  /* Writing back the SIGSTRUCT all copies hold changes no byte. */
  const uint8_t *css = e.copies[e.selected].head.sigstruct;
  int same = 1;
  for (unsigned i = 0; i < e.ncopies; i++)
    if (memcmp(e.copies[i].head.sigstruct, css, SGXRA_SIGSTRUCT_SIZE)) same = 0;
  uint8_t *out = malloc(n ? n : 1);
  if (out) {
    memcpy(out, p, n);
    if (sgxra_sdk_set_sigstruct(cx, &e, css, out, n + 1) == SGXRA_OK)
      abort(); /* a wrong length is refused */
    sgxra_err es = sgxra_sdk_set_sigstruct(cx, &e, css, out, n);
    if (same && (es != SGXRA_OK || memcmp(out, p, n) != 0)) abort();
    free(out);
  }

  if (max_size(&e) <= MEASURE_CAP) {
    sgxra_sdk_check chk;
    sgxra_err ec = sgxra_sdk_check_file(cx, p, n, &chk);
    int all_match = 1, any_fail = 0;
    for (unsigned i = 0; i < e.ncopies; i++) {
      walk w = {.size = e.copies[i].head.enclave_size, .stop_at = UINT64_MAX};
      w.seen = calloc((size_t)(w.size / 4096 / 8 + 1), 1);
      sgxra_sdk_measurement m;
      sgxra_err em = sgxra_sdk_measure(cx, &e, i, on_page, &w, &m);
      free(w.seen);
      if (em == SGXRA_OK) {
        if (w.eadd != m.eadd || w.extended * 16 != m.eextend ||
            m.measured_bytes != m.eextend * 256)
          abort(); /* the counts contradict the pages seen */
        if ((m.match != 0) !=
            (memcmp(m.mrenclave, e.copies[i].head.sigstruct + 960, 32) == 0))
          abort(); /* `match` is not the comparison with ENCLAVEHASH */
        if (!m.match) all_match = 0;
        if (ec == SGXRA_OK &&
            (memcmp(m.mrenclave, chk.copies[i].mrenclave, 32) ||
             m.eadd != chk.copies[i].eadd || m.match != chk.copies[i].match))
          abort(); /* check_file and measure disagree */
        /* Stop the same walk halfway: the stop code comes back. */
        if (m.eadd > 0) {
          walk w2 = {.size = w.size, .stop_at = m.eadd / 2};
          sgxra_sdk_measurement m2;
          if (sgxra_sdk_measure(cx, &e, i, on_page, &w2, &m2) != STOP_CODE)
            abort();
        }
      } else {
        all_match = 0;
        any_fail = 1;
      }
    }
    /* The check measures every copy: it fails exactly when one does. */
    if ((ec != SGXRA_OK) != any_fail) abort();
    if (ec == SGXRA_OK) {
      if (chk.ncopies != e.ncopies || chk.selected != e.selected ||
          (chk.match != 0) != (all_match != 0) ||
          memcmp(chk.measured, chk.copies[e.selected].mrenclave, 32))
        abort();
    }
  }
  sgxra_ctx_free(cx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= 4 && memcmp(data, "SDKE", 4) == 0) {
    size_t n = 0;
    uint8_t *f = apply_script(data, size, &n);
    if (f) run(f, n);
    free(f);
    return 0;
  }
  run(data, size);
  return 0;
}
