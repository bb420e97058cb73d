/* The real DCAP bundles and edits of them: see bundles.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/bundles.h"
#include "common/testutil.h"

const char *const tu_bundles[TU_BUNDLE_COUNT] = {
    "sgx-01-phala-v3",
    "sgx-02-automata-v3-2025-08",
    "sgx-03-dcaprs-v3-tcbinfo-v2",
    "sgx-06-dcaprs-quote-automata-0825-collateral",
    "sgx-08-tlsn-quote9-zkdcap-2025-02",
    "sgx-10-mobilecoin-teepot-standard-eval17",
    "sgx-12-mobilecoin-teepot-early-eval19",
    "sgx-14-mobilecoin-teepot-tcbinfo-v2-apiv3",
    "sgx-16-automata-quote-fortanix-eval17",
    "sgx-19-automata-quote-fortanix-eval18",
    "sgx-22-automata-quote-fortanix-eval19",
    "sgx-25-mobilecoin-2023-expired-pck-crl",
    "sgx-26-occlum-teekit-tcbinfo-2025-09-expired-qeid",
};

const char *tu_bundle_dir(const char *bundle) {
  char rel[512];
  snprintf(rel, sizeof rel, "dcap/bundles/%s", bundle);
  return tu_vector_path(rel);
}

uint8_t *tu_read_bundle(const char *bundle, const char *file, size_t *out_len) {
  char rel[512];
  snprintf(rel, sizeof rel, "dcap/bundles/%s/%s", bundle, file);
  return tu_read_vector(rel, out_len);
}

json_t *tu_bundle_expected(const char *bundle) {
  size_t n;
  uint8_t *buf = tu_read_bundle(bundle, "expected.json", &n);
  json_t *j = json_loadb((const char *)buf, n, 0, NULL);
  free(buf);
  assert_non_null(j);
  return j;
}

uint8_t *tu_replace(const uint8_t *p, size_t n, const char *from,
                    const char *to, size_t *out_n) {
  size_t fl = strlen(from), tl = strlen(to);
  const uint8_t *hit = NULL;
  for (size_t i = 0; i + fl <= n; i++)
    if (memcmp(p + i, from, fl) == 0) {
      hit = p + i;
      break;
    }
  if (hit == NULL) fail_msg("'%s' not in input", from);
  size_t pre = (size_t)(hit - p);
  uint8_t *out = malloc(n - fl + tl + 1);
  assert_non_null(out);
  memcpy(out, p, pre);
  memcpy(out + pre, to, tl);
  memcpy(out + pre + tl, hit + fl, n - pre - fl);
  *out_n = n - fl + tl;
  out[*out_n] = 0;
  return out;
}

uint8_t *tu_quote_v3_as(const uint8_t *v3, size_t n, int version,
                        size_t *out_n) {
  size_t qe_part = n - 564; /* QE report to the end */
  size_t pre = version == 5 ? 6 : 0;
  size_t total = 48 + pre + 384 + 4 + 128 + 6 + qe_part;
  uint8_t *b = calloc(1, total);
  assert_non_null(b);
  memcpy(b, v3, 48);
  b[0] = (uint8_t)version;
  size_t o = 48;
  if (version == 5) {
    b[o] = 1;        /* body type: SGX */
    b[o + 2] = 0x80; /* size 384 = 0x180 */
    b[o + 3] = 0x01;
    o += 6;
  }
  memcpy(b + o, v3 + 48, 384);
  o += 384;
  uint32_t sl = (uint32_t)(128 + 6 + qe_part);
  b[o] = (uint8_t)sl;
  b[o + 1] = (uint8_t)(sl >> 8);
  b[o + 2] = (uint8_t)(sl >> 16);
  o += 4;
  memcpy(b + o, v3 + 436, 128);
  o += 128;
  b[o] = 6;
  b[o + 2] = (uint8_t)qe_part;
  b[o + 3] = (uint8_t)(qe_part >> 8);
  b[o + 4] = (uint8_t)(qe_part >> 16);
  o += 6;
  memcpy(b + o, v3 + 564, qe_part);
  *out_n = total;
  return b;
}
