/*
 * enclaves/sign_enclave.c -- build-time tool: measure an enclave .so with
 * the layout of sgxra/layout.h and write its SIGSTRUCT.
 *
 *   sign_enclave KEY.pem ENCLAVE.so ISVPRODID ISVSVN OUT.sig
 *
 * Production attributes: ATTRIBUTES MODE64BIT, xfrm 0x3; ATTRIBUTEMASK all
 * ones (DEBUG forced to 0) / xfrm 0xffffffffffffff1b; MISCSELECT 0, MISCMASK
 * all ones; VENDOR 0, DATE 0 (reproducible).  The same key and .so always
 * give the same 1808 bytes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sgxra/crypto.h"
#include "sgxra/file.h"
#include "sgxra/layout.h"
#include "sgxra/sigstruct.h"

static int fail(sgxra_ctx *cx, const char *what) {
  fprintf(stderr, "sign_enclave: %s: %s [%s]\n", what, sgxra_ctx_message(cx),
          sgxra_err_name(sgxra_ctx_error(cx)));
  return 2;
}

int main(int argc, char **argv) {
  sgxra_ctx *cx;
  uint8_t *key = NULL, *so = NULL;
  size_t key_len = 0, so_len = 0;
  sgxra_rsa_key *rsa = NULL;
  sgxra_sigstruct_params prm;
  sgxra_sigstruct ss;
  uint8_t out[SGXRA_SIGSTRUCT_SIZE];
  int rc = 2;

  if (argc != 6) {
    fprintf(stderr,
            "usage: sign_enclave KEY.pem ENCLAVE.so ISVPRODID ISVSVN OUT\n");
    return 2;
  }
  cx = sgxra_ctx_new();
  if (!cx) return 2;
  sgxra_sigstruct_params_default(&prm);
  prm.attributes.flags = SGXRA_ATTR_MODE64BIT;
  prm.attributes.xfrm = 0x3;
  prm.attributemask.flags = ~0ULL;
  prm.attributemask.xfrm = 0xffffffffffffff1bULL;
  prm.miscselect = 0;
  prm.miscmask = 0xffffffffu;
  prm.isvprodid = (uint16_t)strtoul(argv[3], NULL, 0);
  prm.isvsvn = (uint16_t)strtoul(argv[4], NULL, 0);
  if (sgxra_file_read(cx, argv[1], 1 << 20, &key, &key_len))
    rc = fail(cx, argv[1]);
  else if (sgxra_rsa_load_private(cx, key, key_len, &rsa))
    rc = fail(cx, argv[1]);
  else if (sgxra_file_read(cx, argv[2], SGXRA_LAYOUT_MAX_IMAGE, &so, &so_len))
    rc = fail(cx, argv[2]);
  else if (sgxra_layout_measure_elf(cx, so, so_len, prm.enclavehash))
    rc = fail(cx, argv[2]);
  else if (sgxra_sigstruct_sign(cx, rsa, &prm, &ss))
    rc = fail(cx, "signing");
  else {
    sgxra_sigstruct_encode(&ss, out);
    rc = sgxra_file_write(cx, argv[5], out, sizeof out, 0) ? fail(cx, argv[5])
                                                           : 0;
  }
  sgxra_rsa_free(rsa);
  free(key);
  free(so);
  sgxra_ctx_free(cx);
  return rc;
}
