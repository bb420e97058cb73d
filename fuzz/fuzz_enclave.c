/* Fuzz target: enclave identity inputs.  The first byte picks the reader
 * (SIGSTRUCT decode + verify, SGXS replay, signed-enclave ELF metadata, the
 * emulator's ELF layout measurement, REPORT/TARGETINFO/KEYREQUEST decode),
 * the rest is its input.  Any outcome is fine; a crash, leak or sanitizer
 * report is not. */
#include <stdint.h>
#include <stdlib.h>

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
  case 1:
    outcome |= sgxra_measure_sgxs(cx, p, n, h);
    break;
  case 2: {
    sgxra_sgxmeta m;
    outcome |= sgxra_sgxmeta_from_elf(cx, p, n, &m);
    outcome |= sgxra_sgxmeta_parse_note(cx, p, n, &m);
    break;
  }
  case 3:
    outcome |= sgxra_layout_measure_elf(cx, p, n, h);
    break;
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
