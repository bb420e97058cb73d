/*
 * enclaves/forge_enclave.c -- a BAD enclave, for the demo's refusals and
 * the tests: the example enclave's code, except that its RA_MSG2 REPORT
 * claims the example enclave's MRENCLAVE in the body.
 *
 * It does everything else right (Ga, the SP's signature, the keys, the
 * binding in REPORTDATA): the only lie is the MRENCLAVE field.  An enclave
 * can only EREPORT as itself -- the CPU writes its own MRENCLAVE and MACs
 * the body with the target's report key, which no other enclave can get --
 * so the altered body no longer matches its MAC and the quoting enclave
 * refuses it (SGXRA_E_QE_REPORT_MAC).  This is the local-attestation check
 * the whole chain rests on.
 *
 * The claimed MRENCLAVE is compiled in: forge_target.h is generated at
 * build time from example_enclave.sig (its ENCLAVEHASH, SIGSTRUCT offset
 * 960) by enclaves/forge_target.cmake.  Built and signed like the example
 * enclave, with the same public demo key (demo_signing_key.pem), ISVPRODID
 * 1, ISVSVN 2: same MRSIGNER, so only MRENCLAVE tells them apart.
 */
#include "forge_target.h" /* EXAMPLE_FORGE_MRENCLAVE { 0x.., ... } */

#include "example_enclave.c"
