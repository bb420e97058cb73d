/* Fuzz target: enclave identity inputs.  The first byte picks the reader
 * (SIGSTRUCT decode + verify, SGXS replay, signed-enclave ELF metadata, the
 * enclave ELF layout measurement, REPORT/TARGETINFO/KEYREQUEST decode),
 * the rest is its input.  Any outcome is fine; a crash, leak or sanitizer
 * report is not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sgxra/enclavefile.h"
#include "sgxra/layout.h"
#include "sgxra/measure.h"
#include "sgxra/sgx.h"
#include "sgxra/sigstruct.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* Errors are expected outcomes; collected only to use the results. */
  unsigned outcome = 0;
  if (size < 1) return 0;
  sgxra_ctx *cx = sgxra_ctx_new();
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  uint8_t h[SGXRA_HASH_SIZE];
  (void)sgxra_file_detect(p, n);
  switch (data[0] % 6) {
  case 0: {
    sgxra_sigstruct s;
    if (sgxra_sigstruct_decode(cx, p, n, &s) == SGXRA_OK)
      outcome |= sgxra_sigstruct_verify(cx, &s);
    break;
  }
  case 1: {
    /* One-shot and streamed replay (cut at a data-chosen point, then fed in
     * 61-byte pieces so records straddle calls) must agree exactly. */
    sgxra_err e1 = sgxra_measure_sgxs(cx, p, n, h);
    uint8_t h2[SGXRA_HASH_SIZE] = {0};
    sgxra_measure *m = NULL;
    sgxra_sgxs_stream st;
    sgxra_err e2 = sgxra_measure_new(cx, &m);
    if (e2 == SGXRA_OK) {
      size_t cut = n ? p[n - 1] * (n / 256 + 1) % (n + 1) : 0;
      sgxra_measure_sgxs_begin(&st);
      e2 = sgxra_measure_sgxs_update(cx, &st, m, p, cut);
      for (size_t off = cut; e2 == SGXRA_OK && off < n; off += 61)
        e2 = sgxra_measure_sgxs_update(cx, &st, m, p + off,
                                       n - off < 61 ? n - off : 61);
      if (e2 == SGXRA_OK) e2 = sgxra_measure_sgxs_end(cx, &st);
      if (e2 == SGXRA_OK) e2 = sgxra_measure_final(cx, m, h2);
      sgxra_measure_free(m);
      if ((e1 == SGXRA_OK) != (e2 == SGXRA_OK) ||
          (e1 == SGXRA_OK && memcmp(h, h2, sizeof h) != 0))
        abort(); /* the streamed replay disagrees with the one-shot one */
    }
    outcome |= e1;
    break;
  }
  case 2: {
    sgxra_sgxmeta m;
    outcome |= sgxra_sgxmeta_from_elf(cx, p, n, &m);
    outcome |= sgxra_sgxmeta_parse_note(cx, p, n, &m);
    break;
  }
  case 3: {
    sgxra_err e = sgxra_layout_measure_elf(cx, p, n, h);
    /* One ELF reader: a file the layout finds malformed, the metadata
     * reader finds malformed too (it checks the same header and program
     * headers first). */
    sgxra_sgxmeta m;
    if (e == SGXRA_E_ELF_FORMAT &&
        sgxra_sgxmeta_from_elf(NULL, p, n, &m) != SGXRA_E_ELF_FORMAT)
      abort();
    outcome |= e;
    break;
  }
  case 4: {
    sgxra_report r;
    sgxra_targetinfo t;
    sgxra_keyrequest k;
    outcome |= sgxra_report_decode(cx, p, n, &r);
    outcome |= sgxra_targetinfo_decode(cx, p, n, &t);
    outcome |= sgxra_keyrequest_decode(cx, p, n, &k);
    break;
  }
  default:
    if (n % 4096 == 0 && n <= (1u << 20))
      outcome |= sgxra_measure_raw_image(cx, p, n, 1, 0x207, h);
    break;
  }
  sgxra_ctx_free(cx);
  (void)outcome;
  return 0;
}
