/*
 * enclaves/example_enclave.c -- the project's example enclave.
 *
 * A real ELF shared object, measured page by page (sgxra/layout.h) and
 * signed at build time with enclaves/demo_signing_key.pem, a PUBLIC demo key:
 * its MRSIGNER is a debug signer that nobody may trust in production.
 *
 * It is built without the C library (-nostdlib) and without a build ID, so
 * the same toolchain gives the same bytes and the same MRENCLAVE.  It
 * depends on nothing but the api the emulated CPU hands it (enclave api
 * version 2, sgxra/enclave_api.h): EREPORT and EGETKEY bound to this
 * enclave's own identity, and the crypto runtime (raw bytes in and out; a
 * real SGX enclave links Intel's sgx_tcrypto inside instead).
 *
 * Operations:
 *   SGXRA_ENCLAVE_OP_REPORT   TARGETINFO || REPORTDATA -> REPORT for that
 *                             target (what `sgxra platform quote` asks for).
 *   EXAMPLE_OP_GETKEY         KEYREQUEST -> the 16-byte key.  DEMO AND TEST
 *                             ONLY: a real enclave never lets a key leave.
 *   SGXRA_ENCLAVE_OP_RA_MSG1..RA_CLOSE (0x110..0x115): the enclave side of
 *                             remote attestation (docs/RA.md):
 *     MSG1  draws Ga (P-256) inside the enclave; out: u32 ctx || msg1.
 *     MSG2  checks msg2: kdf_id 1, quote type 3/4, no SigRL, spid = the
 *           pinned SP's (SHA-256 of its wire-form key, first 16 bytes), the
 *           SP's ECDSA signature over Gb||Ga with the SP key PINNED AT BUILD
 *           TIME (demo_sp_pub.h), then derives KDK/SMK/SK/MK/VK (Intel's
 *           KDF), checks the CMAC under SMK, and EREPORTs to the QE with
 *           REPORTDATA = SHA-256(Ga || Gb || VK) || 32 zero bytes.
 *     MSG3  checks that the quote carries the body of that REPORT, builds
 *           msg3 and its CMAC under SMK.
 *     MSG4  checks msg4's CMAC under MK and its fields, decrypts the secret
 *           (AES-128-GCM under SK, AAD = msg4 up to the IV) and seals it;
 *           out: u8 trusted || u32 sealed_len || sealed blob.  Ends the
 *           session.
 *     UNSEAL  sealed blob -> the secret.  DEMO ONLY: a real enclave uses
 *           its secret inside and never hands it back to the host.
 *     CLOSE wipes a session.
 *   Sessions live in a fixed table of EXAMPLE_SESSIONS slots in .bss; ctx =
 *   (generation << 4) | slot.  Any error in MSG2..MSG4 wipes the session.
 *   Errors: the negative SGXRA_ENCLAVE_E_* codes of sgxra/enclave_api.h, or
 *   an sgxra_err from EREPORT/EGETKEY (e.g. EGETKEY's ISVSVN/CPUSVN refusal
 *   when unsealing), or 1 / 9 (SGXRA_E_INVALID_ARGUMENT / UNSUPPORTED) for
 *   bad buffers / unknown operations.
 *
 * Sealed blob (all integers little-endian; docs/EMULATOR.md):
 *     0  magic "sgxraSL1"       8    64 ATTRIBUTEMASK flags u64, xfrm u64
 *     8  version u16 = 1             80 MISCMASK u32
 *    10  KEYPOLICY u16 = 0x0001      84 secret_len u32 (<= 65536)
 *    12  ISVSVN u16                  88 iv [12] (random per blob)
 *    14  reserved u16 = 0           100 tag [16]
 *    16  CPUSVN [16]                116 ct [secret_len]
 *    32  KEYID [32] (random)
 *   key = EGETKEY(SEAL, KEYPOLICY MRENCLAVE, the ISVSVN/CPUSVN/KEYID/masks
 *   of the blob), AES-128-GCM, AAD = bytes [0, 88).  ISVSVN and CPUSVN are
 *   the enclave's and the platform's at sealing (read from a self-REPORT),
 *   ATTRIBUTEMASK 0xFF0000000000000B / XFRM 0 and MISCMASK 0xF0000000 as
 *   the SDK's defaults.  Only the same enclave (MRENCLAVE) on the same
 *   platform (and no older CPUSVN / ISVSVN) gets the key back.
 *
 * Hygiene: every key and the ECDH secret are wiped as soon as they are no
 * longer needed; MACs are compared in constant time.
 */
#include "sgxra/enclave_api.h"

#include "demo_sp_pub.h"

SGXRA_ENCLAVE_DECLARE_API_VERSION;

#define EXAMPLE_OP_GETKEY (SGXRA_ENCLAVE_OP_USER + 1u)

/* Codes returned to the host: the values of SGXRA_E_INVALID_ARGUMENT and
 * SGXRA_E_UNSUPPORTED (sgxra/errors/core.h), without linking libsgxra. */
#define RC_INVALID_ARGUMENT 1
#define RC_UNSUPPORTED 9
/* SGXRA_E_CRYPTO_SIG_INVALID and SGXRA_E_CRYPTO_TAG_MISMATCH. */
#define RC_SIG_INVALID 101
#define RC_TAG_MISMATCH 102

#define EXAMPLE_SESSIONS 16
#define MAX_SECRET 65536u

/* Wire sizes (docs/RA.md). */
#define MSG1_SIZE 68
#define MSG2_SIZE 168 /* without SigRL */
#define MSG3_HEAD 336 /* mac 16 || g_a 64 || ps_sec_prop 256 */
#define QUOTE_BODY_OFFSET 48
#define MSG4_MIN 56 /* 8 + 4 + 12 + 16 + 16 */
#define MAX_REASONS 24

#define SEAL_HEAD 116
#define SEAL_AAD 88

/* ---- the few library functions the compiler may call ---- */

/* GCC may emit calls to these even with -fno-builtin (struct copies,
 * zeroing); the build keeps it from turning these loops back into calls
 * (-fno-tree-loop-distribute-patterns). */
__attribute__((visibility("hidden"))) void *memcpy(void *d, const void *s,
                                                   size_t n);
__attribute__((visibility("hidden"))) void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *o = d;
  const uint8_t *i = s;
  while (n--) *o++ = *i++;
  return d;
}
void *memset(void *d, int c, size_t n) {
  uint8_t *o = d;
  while (n--) *o++ = (uint8_t)c;
  return d;
}

/* Zero n bytes in a way the compiler cannot drop. */
static void wipe(void *p, size_t n) {
  volatile uint8_t *v = p;
  while (n--) *v++ = 0;
}

/* 1 when equal; time independent of the contents. */
static int ct_equal(const uint8_t *a, const uint8_t *b, size_t n) {
  uint8_t d = 0;
  for (size_t i = 0; i < n; i++) d |= (uint8_t)(a[i] ^ b[i]);
  __asm__ volatile("" : "+r"(d));
  return d == 0;
}

static uint16_t ld16(const uint8_t *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}
static uint32_t ld32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static void st16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void st32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* out = the 32 bytes of in in reverse order (in != out). */
static void rev32(uint8_t *out, const uint8_t *in) {
  for (int i = 0; i < 32; i++) out[i] = in[31 - i];
}
/* Little-endian wire form <-> big-endian X||Y (or r||s): each half
 * reversed; the same operation both ways. */
static void swap_halves(uint8_t out[64], const uint8_t in[64]) {
  rev32(out, in);
  rev32(out + 32, in + 32);
}

/* ---- sessions ---- */

enum { S_FREE = 0, S_MSG1, S_MSG2, S_MSG3 };

typedef struct session {
  uint32_t state, ctx;
  uint8_t a_priv[32]; /* Ga's private scalar, big-endian */
  uint8_t ga[64];     /* wire form */
  uint8_t gb[64];     /* wire form */
  uint8_t smk[16], sk[16], mk[16], vk[16];
  uint8_t body[384]; /* the REPORT body MSG2 made */
} session;

static session sessions[EXAMPLE_SESSIONS];
static uint32_t generation;
/* The decrypted secret between msg4 and the seal: enclave memory, never the
 * host's output buffer. */
static uint8_t secret_buf[MAX_SECRET];

static session *find(uint32_t ctx) {
  session *s = &sessions[ctx % EXAMPLE_SESSIONS];
  return s->state != S_FREE && s->ctx == ctx ? s : 0;
}

static void end_session(session *s) {
  wipe(s, sizeof *s);
}

static int need_v2(const sgxra_enclave_api *api) {
  return api->version >= 2 && api->size >= sizeof *api;
}

/* KEY(label) = AES-CMAC(KDK, 0x01 || label || 0x00 || 0x80 || 0x00). */
static int derive(const sgxra_enclave_api *api, const uint8_t kdk[16],
                  const char *label, uint8_t out[16]) {
  uint8_t m[8];
  size_t n = 0;
  m[n++] = 0x01;
  while (*label) m[n++] = (uint8_t)*label++;
  m[n++] = 0x00;
  m[n++] = 0x80;
  m[n++] = 0x00;
  return api->aes128_cmac(api->self, kdk, m, n, out);
}

/* ---- RA operations ---- */

static int op_msg1(const sgxra_enclave_api *api, uint8_t *out, size_t cap,
                   size_t *out_len) {
  if (cap < 4 + MSG1_SIZE) return SGXRA_ENCLAVE_E_SPACE;
  session *s = 0;
  uint32_t slot = 0;
  for (; slot < EXAMPLE_SESSIONS; slot++)
    if (sessions[slot].state == S_FREE) {
      s = &sessions[slot];
      break;
    }
  if (!s) return SGXRA_ENCLAVE_E_BUSY;
  uint8_t pub[64];
  int rc = api->p256_generate(api->self, s->a_priv, pub);
  if (rc) {
    end_session(s);
    return rc;
  }
  generation = (generation + 1) & 0x0fffffffu;
  if (generation == 0) generation = 1;
  s->ctx = generation * EXAMPLE_SESSIONS + slot;
  s->state = S_MSG1;
  swap_halves(s->ga, pub);
  st32(out, s->ctx);
  memcpy(out + 4, s->ga, 64);
  st32(out + 4 + 64, 0); /* gid: zero for DCAP */
  *out_len = 4 + MSG1_SIZE;
  return 0;
}

static int msg2_checks(const sgxra_enclave_api *api, session *s,
                       const uint8_t *ti, const uint8_t *m, size_t n,
                       uint8_t *out) {
  int rc;
  if (n < MSG2_SIZE) return SGXRA_ENCLAVE_E_MESSAGE;
  if (ld32(m + 164) != 0) return SGXRA_ENCLAVE_E_GROUP; /* SigRL */
  if (n != MSG2_SIZE) return SGXRA_ENCLAVE_E_MESSAGE;
  uint16_t qt = ld16(m + 80), kdf = ld16(m + 82);
  if ((qt != 3 && qt != 4) || kdf != 1) return SGXRA_ENCLAVE_E_GROUP;

  /* spid: is this msg2 from the SP this enclave pins? */
  uint8_t wire_pub[64], h[32];
  swap_halves(wire_pub, demo_sp_pub);
  if ((rc = api->sha256(api->self, wire_pub, 64, h))) return rc;
  if (!ct_equal(h, m + 64, 16)) return SGXRA_ENCLAVE_E_SPID;

  /* The SP's signature over Gb || Ga (wire forms), r||s little-endian. */
  uint8_t gbga[128], sig[64];
  memcpy(gbga, m, 64);
  memcpy(gbga + 64, s->ga, 64);
  swap_halves(sig, m + 84);
  rc = api->p256_verify(api->self, demo_sp_pub, gbga, sizeof gbga, sig);
  if (rc == RC_SIG_INVALID) return SGXRA_ENCLAVE_E_SIGNATURE;
  if (rc) return SGXRA_ENCLAVE_E_CRYPTO;

  /* Keys: Gab.x little-endian, KDK = CMAC(0^128, Gab.x). */
  uint8_t gb_xy[64], gab_be[32], gab_le[32], kdk[16], zero[16], mac[16];
  swap_halves(gb_xy, m);
  rc = api->p256_ecdh(api->self, s->a_priv, gb_xy, gab_be);
  if (rc) return SGXRA_ENCLAVE_E_MESSAGE; /* Gb not a point on P-256 */
  rev32(gab_le, gab_be);
  wipe(gab_be, sizeof gab_be);
  memset(zero, 0, sizeof zero);
  rc = api->aes128_cmac(api->self, zero, gab_le, 32, kdk);
  wipe(gab_le, sizeof gab_le);
  if (!rc) rc = derive(api, kdk, "SMK", s->smk);
  if (!rc) rc = derive(api, kdk, "SK", s->sk);
  if (!rc) rc = derive(api, kdk, "MK", s->mk);
  if (!rc) rc = derive(api, kdk, "VK", s->vk);
  wipe(kdk, sizeof kdk);
  if (rc) return SGXRA_ENCLAVE_E_CRYPTO;
  /* The a_priv scalar is not needed any more. */
  wipe(s->a_priv, sizeof s->a_priv);

  if ((rc = api->aes128_cmac(api->self, s->smk, m, 148, mac)))
    return SGXRA_ENCLAVE_E_CRYPTO;
  int ok = ct_equal(mac, m + 148, 16);
  wipe(mac, sizeof mac);
  if (!ok) return SGXRA_ENCLAVE_E_MAC;
  memcpy(s->gb, m, 64);

  /* REPORTDATA = SHA-256(Ga || Gb || VK) || 0^32, REPORT to the QE. */
  uint8_t bind[144], rd[64];
  memcpy(bind, s->ga, 64);
  memcpy(bind + 64, s->gb, 64);
  memcpy(bind + 128, s->vk, 16);
  memset(rd, 0, sizeof rd);
  rc = api->sha256(api->self, bind, sizeof bind, rd);
  wipe(bind, sizeof bind);
  if (rc) return SGXRA_ENCLAVE_E_CRYPTO;
  if ((rc = api->ereport(api->self, ti, rd, out))) return rc;
#ifdef EXAMPLE_FORGE_MRENCLAVE
  /* THE FORGERY (forge_enclave.c only): claim another enclave's MRENCLAVE
   * in the body.  EREPORT computed the MAC over the true body with the QE's
   * report key, which this enclave cannot obtain, so the QE's MAC check
   * refuses the altered REPORT. */
  {
    static const uint8_t claimed[32] = EXAMPLE_FORGE_MRENCLAVE;
    memcpy(out + 64, claimed, 32);
  }
#endif
  memcpy(s->body, out, 384);
  return 0;
}

static int op_msg2(const sgxra_enclave_api *api, const uint8_t *in,
                   size_t in_len, uint8_t *out, size_t cap, size_t *out_len) {
  if (in_len < 4 + 512) return SGXRA_ENCLAVE_E_MESSAGE;
  session *s = find(ld32(in));
  if (!s || s->state != S_MSG1) {
    if (s) end_session(s);
    return SGXRA_ENCLAVE_E_STATE;
  }
  if (cap < 432) {
    end_session(s);
    return SGXRA_ENCLAVE_E_SPACE;
  }
  int rc = msg2_checks(api, s, in + 4, in + 4 + 512, in_len - 4 - 512, out);
  if (rc) {
    end_session(s);
    return rc;
  }
  s->state = S_MSG2;
  *out_len = 432;
  return 0;
}

static int op_msg3(const sgxra_enclave_api *api, const uint8_t *in,
                   size_t in_len, uint8_t *out, size_t cap, size_t *out_len) {
  if (in_len < 4) return SGXRA_ENCLAVE_E_MESSAGE;
  session *s = find(ld32(in));
  if (!s || s->state != S_MSG2) {
    if (s) end_session(s);
    return SGXRA_ENCLAVE_E_STATE;
  }
  const uint8_t *q = in + 4;
  size_t qn = in_len - 4;
  int rc = 0;
  if (qn < QUOTE_BODY_OFFSET + 384)
    rc = SGXRA_ENCLAVE_E_MESSAGE;
  else if (!ct_equal(q + QUOTE_BODY_OFFSET, s->body, 384))
    rc = SGXRA_ENCLAVE_E_QUOTE;
  else if (cap < MSG3_HEAD || cap - MSG3_HEAD < qn)
    rc = SGXRA_ENCLAVE_E_SPACE;
  if (rc) {
    end_session(s);
    return rc;
  }
  memcpy(out + 16, s->ga, 64);
  memset(out + 80, 0, 256);
  memcpy(out + MSG3_HEAD, q, qn);
  if (api->aes128_cmac(api->self, s->smk, out + 16, MSG3_HEAD - 16 + qn, out)) {
    end_session(s);
    return SGXRA_ENCLAVE_E_CRYPTO;
  }
  s->state = S_MSG3;
  *out_len = MSG3_HEAD + qn;
  return 0;
}

/* Seal secret_buf[0, n) into out (SEAL_HEAD + n bytes). */
static int seal(const sgxra_enclave_api *api, size_t n, uint8_t *out) {
  uint8_t ti[512], rd[64], rep[432], kr[512], key[16];
  int rc;
  /* Our ISVSVN and the platform's CPUSVN: from a REPORT to ourselves
   * (any target works; only the body is read). */
  memset(ti, 0, sizeof ti);
  memset(rd, 0, sizeof rd);
  if ((rc = api->ereport(api->self, ti, rd, rep))) return rc;
  memset(out, 0, SEAL_HEAD);
  memcpy(out, "sgxraSL1", 8);
  st16(out + 8, 1);
  st16(out + 10, 0x0001); /* KEYPOLICY MRENCLAVE */
  memcpy(out + 12, rep + 258, 2);
  memcpy(out + 16, rep, 16);
  if ((rc = api->random(api->self, out + 32, 32))) return rc;
  st32(out + 64, 0x0000000Bu); /* ATTRIBUTEMASK flags 0xFF0000000000000B */
  st32(out + 68, 0xFF000000u);
  st32(out + 80, 0xF0000000u); /* MISCMASK */
  st32(out + 84, (uint32_t)n);
  if ((rc = api->random(api->self, out + 88, 12))) return rc;
  /* KEYREQUEST from the blob's fields. */
  memset(kr, 0, sizeof kr);
  st16(kr, 4); /* SEAL */
  memcpy(kr + 2, out + 10, 2);
  memcpy(kr + 4, out + 12, 2);
  memcpy(kr + 8, out + 16, 16);
  memcpy(kr + 24, out + 64, 16);
  memcpy(kr + 40, out + 32, 32);
  memcpy(kr + 72, out + 80, 4);
  if ((rc = api->egetkey(api->self, kr, key))) return rc;
  rc = api->aes128_gcm_encrypt(api->self, key, out + 88, out, SEAL_AAD,
                               secret_buf, n, out + SEAL_HEAD, out + 100);
  wipe(key, sizeof key);
  return rc ? SGXRA_ENCLAVE_E_CRYPTO : 0;
}

static int msg4_checks(const sgxra_enclave_api *api, session *s,
                       const uint8_t *m, size_t n, uint8_t *out, size_t cap,
                       size_t *out_len) {
  uint8_t mac[16];
  int rc;
  if (n < MSG4_MIN) return SGXRA_ENCLAVE_E_MESSAGE;
  if (api->aes128_cmac(api->self, s->mk, m, n - 16, mac))
    return SGXRA_ENCLAVE_E_CRYPTO;
  int ok = ct_equal(mac, m + n - 16, 16);
  wipe(mac, sizeof mac);
  if (!ok) return SGXRA_ENCLAVE_E_MAC;
  uint8_t trusted = m[2];
  uint32_t reasons = ld32(m + 4);
  if (ld16(m) != 1 || trusted > 1 || m[3] != 0 || reasons > MAX_REASONS)
    return SGXRA_ENCLAVE_E_MESSAGE;
  size_t off = 8 + 2 * (size_t)reasons;
  if (n < off + 4 + 12 + 16 + 16) return SGXRA_ENCLAVE_E_MESSAGE;
  uint32_t slen = ld32(m + off);
  if (slen > MAX_SECRET || n != off + 4 + 12 + 16 + (size_t)slen + 16 ||
      (!trusted && slen != 0))
    return SGXRA_ENCLAVE_E_MESSAGE;
  if (cap < 5 || (trusted && cap - 5 < SEAL_HEAD + (size_t)slen))
    return SGXRA_ENCLAVE_E_SPACE;
  rc = api->aes128_gcm_decrypt(api->self, s->sk, m + off + 4, m, off + 4,
                               m + off + 32, slen, m + off + 16, secret_buf);
  if (rc == RC_TAG_MISMATCH) return SGXRA_ENCLAVE_E_DECRYPT;
  if (rc) return SGXRA_ENCLAVE_E_CRYPTO;
  out[0] = trusted;
  st32(out + 1, 0);
  if (trusted) {
    rc = seal(api, slen, out + 5);
    wipe(secret_buf, slen);
    if (rc) return rc;
    st32(out + 1, SEAL_HEAD + slen);
    *out_len = 5 + SEAL_HEAD + slen;
  } else {
    *out_len = 5;
  }
  return 0;
}

static int op_msg4(const sgxra_enclave_api *api, const uint8_t *in,
                   size_t in_len, uint8_t *out, size_t cap, size_t *out_len) {
  if (in_len < 4) return SGXRA_ENCLAVE_E_MESSAGE;
  session *s = find(ld32(in));
  if (!s || s->state != S_MSG3) {
    if (s) end_session(s);
    return SGXRA_ENCLAVE_E_STATE;
  }
  int rc = msg4_checks(api, s, in + 4, in_len - 4, out, cap, out_len);
  end_session(s);
  return rc;
}

static int op_unseal(const sgxra_enclave_api *api, const uint8_t *b, size_t n,
                     uint8_t *out, size_t cap, size_t *out_len) {
  uint8_t kr[512], key[16];
  if (n < SEAL_HEAD || !ct_equal(b, (const uint8_t *)"sgxraSL1", 8) ||
      ld16(b + 8) != 1 || ld16(b + 10) != 0x0001 || ld16(b + 14) != 0)
    return SGXRA_ENCLAVE_E_SEALED;
  uint32_t len = ld32(b + 84);
  if (len > MAX_SECRET || n != SEAL_HEAD + (size_t)len)
    return SGXRA_ENCLAVE_E_SEALED;
  if (cap < len) return SGXRA_ENCLAVE_E_SPACE;
  memset(kr, 0, sizeof kr);
  st16(kr, 4); /* SEAL */
  memcpy(kr + 2, b + 10, 2);
  memcpy(kr + 4, b + 12, 2);
  memcpy(kr + 8, b + 16, 16);
  memcpy(kr + 24, b + 64, 16);
  memcpy(kr + 40, b + 32, 32);
  memcpy(kr + 72, b + 80, 4);
  int rc = api->egetkey(api->self, kr, key);
  if (rc) return rc; /* EGETKEY's own refusal (SVN above ours, ...) */
  rc = api->aes128_gcm_decrypt(api->self, key, b + 88, b, SEAL_AAD,
                               b + SEAL_HEAD, len, b + 100, secret_buf);
  wipe(key, sizeof key);
  if (rc) {
    wipe(secret_buf, len);
    return rc == RC_TAG_MISMATCH ? SGXRA_ENCLAVE_E_SEALED
                                 : SGXRA_ENCLAVE_E_CRYPTO;
  }
  memcpy(out, secret_buf, len); /* DEMO ONLY: the secret leaves */
  wipe(secret_buf, len);
  *out_len = len;
  return 0;
}

__attribute__((visibility("default"))) int
sgxra_enclave_entry(const sgxra_enclave_api *api, uint32_t op,
                    const uint8_t *in, size_t in_len, uint8_t *out,
                    size_t out_cap, size_t *out_len);

int sgxra_enclave_entry(const sgxra_enclave_api *api, uint32_t op,
                        const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t out_cap, size_t *out_len) {
  int rc;
  if (out_len == 0) return RC_INVALID_ARGUMENT;
  *out_len = 0;
  if (api == 0 || api->version < 1 || api->size < SGXRA_ENCLAVE_API_V1_SIZE)
    return RC_UNSUPPORTED;
  if ((in == 0 && in_len) || (out == 0 && out_cap)) return RC_INVALID_ARGUMENT;
  switch (op) {
  case SGXRA_ENCLAVE_OP_REPORT:
    if (in == 0 || in_len != 512 + 64 || out == 0 || out_cap < 432)
      return RC_INVALID_ARGUMENT;
    rc = api->ereport(api->self, in, in + 512, out);
    if (rc == 0) *out_len = 432;
    return rc;
  case EXAMPLE_OP_GETKEY:
    if (in == 0 || in_len != 512 || out == 0 || out_cap < 16)
      return RC_INVALID_ARGUMENT;
    rc = api->egetkey(api->self, in, out);
    if (rc == 0) *out_len = 16;
    return rc;
  case SGXRA_ENCLAVE_OP_RA_MSG1:
  case SGXRA_ENCLAVE_OP_RA_MSG2:
  case SGXRA_ENCLAVE_OP_RA_MSG3:
  case SGXRA_ENCLAVE_OP_RA_MSG4:
  case SGXRA_ENCLAVE_OP_UNSEAL:
  case SGXRA_ENCLAVE_OP_RA_CLOSE:
    break;
  default:
    return RC_UNSUPPORTED;
  }
  if (!need_v2(api)) return SGXRA_ENCLAVE_E_API;
  switch (op) {
  case SGXRA_ENCLAVE_OP_RA_MSG1:
    if (in_len != 0) return SGXRA_ENCLAVE_E_MESSAGE;
    return op_msg1(api, out, out_cap, out_len);
  case SGXRA_ENCLAVE_OP_RA_MSG2:
    return op_msg2(api, in, in_len, out, out_cap, out_len);
  case SGXRA_ENCLAVE_OP_RA_MSG3:
    return op_msg3(api, in, in_len, out, out_cap, out_len);
  case SGXRA_ENCLAVE_OP_RA_MSG4:
    return op_msg4(api, in, in_len, out, out_cap, out_len);
  case SGXRA_ENCLAVE_OP_UNSEAL:
    return op_unseal(api, in, in_len, out, out_cap, out_len);
  default: { /* RA_CLOSE */
    if (in_len != 4) return SGXRA_ENCLAVE_E_MESSAGE;
    session *s = find(ld32(in));
    if (!s) return SGXRA_ENCLAVE_E_STATE;
    end_session(s);
    return 0;
  }
  }
}
