/* The attester: the RA client's callbacks over a real emulated enclave and
 * the platform's QE.  See sgxra/attester.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "sgxra/attester.h"
#include "sgxra/enclave_api.h"
#include "sgxra/qe.h"

/* Output room for the enclave's answers. */
#define MSG4_OUT_CAP (5 + 116 + SGXRA_RA_SECRET_MAX)

struct sgxra_attester {
  sgxra_emu_platform *plat;
  sgxra_qe *qe;
  sgxra_emu_enclave *enclave;
  uint16_t quote_version; /* 0: follow msg2 */
};

void sgxra_attester_free(sgxra_attester *a) {
  if (!a) return;
  sgxra_emu_enclave_free(a->enclave);
  sgxra_qe_free(a->qe);
  sgxra_emu_platform_free(a->plat);
  sgxra_wipe(a, sizeof *a);
  free(a);
}

sgxra_err sgxra_attester_open(sgxra_ctx *cx, const sgxra_attester_options *opt,
                              sgxra_attester **out) {
  if (out) *out = NULL;
  if (!opt || !out || !opt->platform_dir || !opt->enclave_path ||
      !opt->sigstruct)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "attester: the platform directory, the enclave .so "
                       "and its SIGSTRUCT are required");
  if (opt->quote_version != 0 && opt->quote_version != 3 &&
      opt->quote_version != 4)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "attester: quote version must be 3 or 4, got %u",
                       opt->quote_version);
  sgxra_attester *a = calloc(1, sizeof *a);
  if (!a) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  a->quote_version = opt->quote_version == 3 ? 0 : opt->quote_version;
  sgxra_err e;
  if ((e = sgxra_emu_platform_load(cx, opt->platform_dir, &a->plat)) ||
      (e = sgxra_qe_open(cx, a->plat, opt->platform_dir, &a->qe))) {
    sgxra__context(cx, e, "platform %s", opt->platform_dir);
    goto fail;
  }
  if ((e = sgxra_emu_enclave_load(cx, a->plat, opt->enclave_path,
                                  opt->sigstruct, opt->sigstruct_len, NULL,
                                  &a->enclave)))
    goto fail;
  if (sgxra_emu_enclave_api_version(a->enclave) < 2) {
    e = sgxra__fail(cx, SGXRA_E_UNSUPPORTED,
                    "%s: the enclave does not speak enclave api version 2 "
                    "(no %s symbol), so it has no RA operations",
                    opt->enclave_path, SGXRA_ENCLAVE_API_VERSION_SYMBOL);
    goto fail;
  }
  *out = a;
  return SGXRA_OK;
fail:
  sgxra_attester_free(a);
  return e;
}

void sgxra_attester_enclave_secs(const sgxra_attester *a, sgxra_emu_secs *out) {
  sgxra_emu_enclave_secs(a->enclave, out);
}

/* Call the enclave; an error it returns becomes an RA error (the header's
 * table), keeping the emulator's message. */
static sgxra_err ecall(sgxra_ctx *cx, sgxra_attester *a, uint32_t op,
                       const char *what, const uint8_t *in, size_t in_len,
                       uint8_t *out, size_t cap, size_t *out_len) {
  int rc = 0;
  sgxra_err e = sgxra_emu_enclave_call_ex(cx, a->enclave, op, in, in_len, out,
                                          cap, out_len, &rc);
  if (!e) return SGXRA_OK;
  if (e != SGXRA_E_EMU_ECALL || rc == 0)
    return sgxra__context(cx, e, "enclave %s", what);
  sgxra_err code;
  const char *why;
  switch (rc) {
  case SGXRA_ENCLAVE_E_MESSAGE:
    code = SGXRA_E_RA_MESSAGE;
    why = "the enclave found the message malformed";
    break;
  case SGXRA_ENCLAVE_E_GROUP:
    code = SGXRA_E_RA_GROUP;
    why = "the enclave refused the KDF id, quote type or SigRL";
    break;
  case SGXRA_ENCLAVE_E_SPID:
    code = SGXRA_E_RA_SIGNATURE;
    why = "msg2's SPID is not the one of the SP whose key the enclave pins";
    break;
  case SGXRA_ENCLAVE_E_SIGNATURE:
    code = SGXRA_E_RA_SIGNATURE;
    why = "the SP's signature over Gb||Ga does not verify with the SP key "
          "the enclave pins (a man in the middle, or another SP)";
    break;
  case SGXRA_ENCLAVE_E_MAC:
    code = SGXRA_E_RA_MAC;
    why = "the message's CMAC does not verify with the session's key";
    break;
  case SGXRA_ENCLAVE_E_DECRYPT:
    code = SGXRA_E_RA_MAC;
    why = "the secret's AES-GCM tag does not verify with SK";
    break;
  case SGXRA_ENCLAVE_E_SEALED:
    code = SGXRA_E_RA_MAC;
    why = "the sealed blob does not open in this enclave on this platform "
          "(sealed by another enclave or platform, or altered)";
    break;
  case SGXRA_ENCLAVE_E_STATE:
    code = SGXRA_E_RA_STATE;
    why = "the enclave has no session in the state this step needs";
    break;
  default:
    if (rc > 0) return sgxra__context(cx, (sgxra_err)rc, "enclave %s", what);
    code = SGXRA_E_RA_ENCLAVE;
    why = "the enclave refused";
  }
  char msg[SGXRA_CTX_MSG_SIZE];
  snprintf(msg, sizeof msg, "%s", sgxra_ctx_message(cx));
  return sgxra__fail(cx, code, "enclave %s: %s (%s)", what, why, msg);
}

static uint32_t ld32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static void st32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static sgxra_err cb_msg1(sgxra_ctx *cx, void *user, uint32_t *out_handle,
                         uint8_t out_msg1[SGXRA_RA_MSG1_SIZE]) {
  uint8_t out[4 + SGXRA_RA_MSG1_SIZE];
  size_t n = 0;
  sgxra_err e = ecall(cx, user, SGXRA_ENCLAVE_OP_RA_MSG1, "msg1", NULL, 0, out,
                      sizeof out, &n);
  if (e) return e;
  if (n != sizeof out)
    return sgxra__fail(cx, SGXRA_E_RA_ENCLAVE,
                       "enclave msg1: answered %zu bytes, expected %zu", n,
                       sizeof out);
  *out_handle = ld32(out);
  memcpy(out_msg1, out + 4, SGXRA_RA_MSG1_SIZE);
  return SGXRA_OK;
}

static sgxra_err cb_msg2(sgxra_ctx *cx, void *user, uint32_t handle,
                         const uint8_t qe_targetinfo[SGXRA_TARGETINFO_SIZE],
                         const uint8_t *msg2, size_t n,
                         uint8_t out_report[SGXRA_REPORT_SIZE]) {
  if (n > SGXRA_RA_MSG2_FIXED_SIZE + ((size_t)1 << 20))
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE, "msg2: %zu bytes", n);
  size_t in_len = 4 + SGXRA_TARGETINFO_SIZE + n, got = 0;
  uint8_t *in = malloc(in_len);
  if (!in) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  st32(in, handle);
  memcpy(in + 4, qe_targetinfo, SGXRA_TARGETINFO_SIZE);
  if (n) memcpy(in + 4 + SGXRA_TARGETINFO_SIZE, msg2, n);
  sgxra_err e = ecall(cx, user, SGXRA_ENCLAVE_OP_RA_MSG2, "msg2", in, in_len,
                      out_report, SGXRA_REPORT_SIZE, &got);
  free(in);
  if (!e && got != SGXRA_REPORT_SIZE)
    e = sgxra__fail(cx, SGXRA_E_RA_ENCLAVE,
                    "enclave msg2: answered %zu bytes, expected a %d-byte "
                    "REPORT",
                    got, SGXRA_REPORT_SIZE);
  return e;
}

static sgxra_err cb_msg3(sgxra_ctx *cx, void *user, uint32_t handle,
                         const uint8_t *quote, size_t n, uint8_t **out_msg3,
                         size_t *out_len) {
  *out_msg3 = NULL;
  *out_len = 0;
  if (n > SGXRA_RA_QUOTE_MAX)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE,
                       "quote of %zu bytes: msg3 carries at most %d", n,
                       SGXRA_RA_QUOTE_MAX);
  uint8_t *in = malloc(4 + n);
  uint8_t *out = malloc(SGXRA_RA_MSG3_HEADER_SIZE + n);
  if (!in || !out) {
    free(in);
    free(out);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  st32(in, handle);
  if (n) memcpy(in + 4, quote, n);
  size_t got = 0;
  sgxra_err e = ecall(cx, user, SGXRA_ENCLAVE_OP_RA_MSG3, "msg3", in, 4 + n,
                      out, SGXRA_RA_MSG3_HEADER_SIZE + n, &got);
  free(in);
  if (e) {
    free(out);
    return e;
  }
  *out_msg3 = out;
  *out_len = got;
  return SGXRA_OK;
}

static sgxra_err cb_msg4(sgxra_ctx *cx, void *user, uint32_t handle,
                         const uint8_t *msg4, size_t n, int *out_trusted,
                         uint8_t **out_sealed, size_t *out_sealed_len) {
  *out_trusted = 0;
  *out_sealed = NULL;
  *out_sealed_len = 0;
  if (n > SGXRA_RA_MSG4_MAX_SIZE)
    return sgxra__fail(cx, SGXRA_E_TOO_LARGE, "msg4: %zu bytes, at most %d", n,
                       SGXRA_RA_MSG4_MAX_SIZE);
  uint8_t *in = malloc(4 + n);
  uint8_t *out = malloc(MSG4_OUT_CAP);
  if (!in || !out) {
    free(in);
    free(out);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  st32(in, handle);
  if (n) memcpy(in + 4, msg4, n);
  size_t got = 0;
  sgxra_err e = ecall(cx, user, SGXRA_ENCLAVE_OP_RA_MSG4, "msg4", in, 4 + n,
                      out, MSG4_OUT_CAP, &got);
  free(in);
  if (!e && (got < 5 || out[0] > 1 || ld32(out + 1) != got - 5))
    e = sgxra__fail(cx, SGXRA_E_RA_ENCLAVE,
                    "enclave msg4: inconsistent answer (%zu bytes)", got);
  if (e) {
    free(out);
    return e;
  }
  *out_trusted = out[0];
  size_t sl = got - 5;
  if (sl) {
    memmove(out, out + 5, sl);
    *out_sealed = out;
    *out_sealed_len = sl;
  } else {
    free(out);
  }
  return SGXRA_OK;
}

static void cb_close(void *user, uint32_t handle) {
  uint8_t in[4];
  size_t got = 0;
  st32(in, handle);
  sgxra_ctx *cx = sgxra_ctx_new();
  /* Closing a session the enclave already ended (after msg4 or an error)
   * is refused with E_STATE: nothing to do. */
  sgxra_err e = sgxra_emu_enclave_call(cx, ((sgxra_attester *)user)->enclave,
                                       SGXRA_ENCLAVE_OP_RA_CLOSE, in, sizeof in,
                                       NULL, 0, &got);
  (void)e;
  sgxra_ctx_free(cx);
}

static sgxra_err cb_targetinfo(sgxra_ctx *cx, void *user,
                               uint8_t out[SGXRA_TARGETINFO_SIZE]) {
  (void)cx;
  sgxra_targetinfo ti;
  sgxra_qe_targetinfo(((sgxra_attester *)user)->qe, &ti);
  sgxra_targetinfo_encode(&ti, out);
  return SGXRA_OK;
}

static sgxra_err cb_quote(sgxra_ctx *cx, void *user,
                          const uint8_t report[SGXRA_REPORT_SIZE],
                          uint16_t quote_type, uint8_t **out_quote,
                          size_t *out_len) {
  sgxra_attester *a = user;
  *out_quote = NULL;
  *out_len = 0;
  uint16_t v = a->quote_version;
  if (v == 0) v = (quote_type == 3 || quote_type == 4) ? quote_type : 3;
  sgxra_report r;
  sgxra_err e = sgxra_report_decode(cx, report, SGXRA_REPORT_SIZE, &r);
  if (!e) e = sgxra_qe_quote(cx, a->qe, &r, v, out_quote, out_len);
  return e;
}

void sgxra_attester_client_ops(sgxra_attester *a, sgxra_ra_client_ops *out) {
  memset(out, 0, sizeof *out);
  out->enclave_user = a;
  out->msg1 = cb_msg1;
  out->msg2 = cb_msg2;
  out->msg3 = cb_msg3;
  out->msg4 = cb_msg4;
  out->close = cb_close;
  out->quote_user = a;
  out->qe_targetinfo = cb_targetinfo;
  out->quote = cb_quote;
}

sgxra_err sgxra_attester_unseal(sgxra_ctx *cx, sgxra_attester *a,
                                const uint8_t *blob, size_t n,
                                uint8_t **out_secret, size_t *out_len) {
  if (out_secret) *out_secret = NULL;
  if (out_len) *out_len = 0;
  if (!a || (!blob && n) || !out_secret || !out_len)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "unseal: bad arguments");
  size_t cap = n + 1, got = 0;
  uint8_t *out = malloc(cap);
  if (!out) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  sgxra_err e =
      ecall(cx, a, SGXRA_ENCLAVE_OP_UNSEAL, "unseal", blob, n, out, cap, &got);
  if (e) {
    sgxra_wipe(out, cap);
    free(out);
    return e;
  }
  *out_secret = out;
  *out_len = got;
  return SGXRA_OK;
}
