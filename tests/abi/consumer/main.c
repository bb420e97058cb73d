/*
 * A third-party program that uses sgxra as installed: public headers only,
 * linked against libsgxra (never libsgxra-sim).  It verifies the quote of a
 * DCAP bundle directory (quote.bin + the collateral files that
 * sgxra_collateral_load_dir reads) at a given time and prints Intel's
 * outcome, one "key=value" per line.  tests/abi/test_install.sh builds it
 * with pkg-config and with find_package(sgxra CONFIG).
 *
 *   usage: sgxra_consumer BUNDLE_DIR TIME     (TIME: unix seconds or RFC 3339)
 *   exit:  0 verified (SGX_QL_SUCCESS), 1 refused, 2 unusable input
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sgxra/collateral.h"
#include "sgxra/ctx.h"
#include "sgxra/error.h"
#include "sgxra/file.h"
#include "sgxra/timeutil.h"
#include "sgxra/verify.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s BUNDLE_DIR TIME\n", argv[0]);
    return 2;
  }
  int status = 2;
  char path[4096];
  uint8_t *quote = NULL;
  size_t quote_len = 0;
  int64_t now = 0;
  sgxra_collateral *coll = NULL;
  sgxra_ctx *cx = sgxra_ctx_new();
  if (cx == NULL) return 2;
  snprintf(path, sizeof path, "%s/quote.bin", argv[1]);
  if (sgxra_time_parse_arg(cx, argv[2], &now) != SGXRA_OK ||
      sgxra_file_read(cx, path, 1u << 20, &quote, &quote_len) != SGXRA_OK ||
      sgxra_collateral_load_dir(cx, argv[1], &coll) != SGXRA_OK) {
    fprintf(stderr, "sgxra_consumer: %s [%s]\n", sgxra_ctx_message(cx),
            sgxra_err_name(sgxra_ctx_error(cx)));
    goto out;
  }
  sgxra_verdict vd;
  if (sgxra_verify_quote(cx, quote, quote_len, coll, NULL, now, &vd) !=
      SGXRA_OK) {
    fprintf(stderr, "sgxra_consumer: %s\n", sgxra_ctx_message(cx));
    goto out;
  }
  printf("ql_return=%s\n", sgxra_ql_result_name(vd.ql_return));
  printf("qv_result=%s\n", vd.qv_result);
  printf("collateral_expired=%d\n", vd.collateral_expired);
  printf("advisories=");
  for (size_t i = 0; i < vd.advisory_count; i++)
    printf("%s%s", i ? "," : "", vd.advisory_ids[i]);
  printf("\n");
  status = vd.err == SGXRA_OK ? 0 : 1;
out:
  sgxra_collateral_free(coll);
  free(quote);
  sgxra_ctx_free(cx);
  return status;
}
