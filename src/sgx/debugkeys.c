/* Well-known public signing keys: see sgx_mrsigner_is_debug_key in
 * sgxra/sigstruct.h.
 *
 * Each entry is the MRSIGNER (SHA-256 of the little-endian modulus as
 * stored in SIGSTRUCT) of an RSA-3072 key whose *private* half is published,
 * so anyone can sign any enclave with it.  An enclave signed with one of
 * these keys proves nothing about who built it; a production verifier must
 * never trust such an MRSIGNER.  Sources: the test vectors in
 * ../shared/vectors/identity (README), where each key ships. */
#include "core/internal.h"
#include "sgxra/sigstruct.h"

static const struct {
  uint8_t mrsigner[SGXRA_HASH_SIZE];
  const char *name;
} debug_keys[] = {
    /* Enclave_private.pem of the Intel SGX SDK sample enclaves (also
     * fortanix/rust-sgx sig1.key.pem): by far the most used debug key. */
    {{0x83, 0xd7, 0x19, 0xe7, 0x7d, 0xea, 0xca, 0x14, 0x70, 0xf6, 0xba,
      0xf6, 0x2a, 0x4d, 0x77, 0x43, 0x03, 0xc8, 0x99, 0xdb, 0x69, 0x02,
      0x0f, 0x9c, 0x70, 0xee, 0x1d, 0xfc, 0x08, 0xc7, 0xce, 0x9e},
     "Intel SGX SDK sample key (Enclave_private.pem)"},
    /* tools/testing/selftests/sgx/sign_key.pem of the Linux kernel (also
     * enarx/sgx tests encl.pem). */
    {{0x2f, 0x9f, 0x8f, 0xd4, 0xfe, 0x12, 0xd7, 0x72, 0x32, 0xf1, 0xd8,
      0x75, 0x71, 0xca, 0x82, 0x52, 0xca, 0x27, 0x71, 0x4e, 0xfe, 0x77,
      0x05, 0xe4, 0x62, 0x22, 0xcf, 0xfd, 0x5a, 0x22, 0xe8, 0xc4},
     "Linux kernel SGX selftest key (sign_key.pem)"},
    /* lexe-app/lexe-public SIGSTRUCT signer test key
     * (test_vectors_key.pkcs8.der). */
    {{0x55, 0x66, 0x3a, 0x16, 0xf3, 0xd9, 0xc2, 0x89, 0x0f, 0xf4, 0xc5,
      0xbb, 0x35, 0xad, 0x92, 0x98, 0x4c, 0x6c, 0xe3, 0x9a, 0x17, 0xb8,
      0x3f, 0x16, 0x14, 0x80, 0x03, 0x76, 0xf2, 0xf1, 0xdc, 0x0d},
     "lexe-public SIGSTRUCT test vector key"},
    /* sgxra's own demo key, committed as enclaves/demo_signing_key.pem to
     * sign the example enclave (tests/cli/test_sign.sh checks it still
     * matches). */
    {{0x47, 0xed, 0x71, 0xb5, 0xbc, 0x4e, 0xe5, 0x44, 0x77, 0x06, 0x50,
      0x90, 0x85, 0x9b, 0xe3, 0xa0, 0xad, 0x4d, 0x02, 0x87, 0x43, 0x68,
      0x7d, 0xfd, 0x0e, 0x2a, 0x5e, 0x57, 0xf9, 0x57, 0x0a, 0x6f},
     "sgxra demo signing key (enclaves/demo_signing_key.pem)"},
};

int sgxra_mrsigner_is_debug_key(const uint8_t mrsigner[SGXRA_HASH_SIZE],
                                const char **out_name) {
  if (out_name) *out_name = NULL;
  if (!mrsigner) return 0;
  for (size_t i = 0; i < SGXRA__ARRAY_LEN(debug_keys); i++) {
    /* Not secret data: a plain compare is fine. */
    if (memcmp(debug_keys[i].mrsigner, mrsigner, SGXRA_HASH_SIZE) == 0) {
      if (out_name) *out_name = debug_keys[i].name;
      return 1;
    }
  }
  return 0;
}
