/*
 * sgxra/ra.h -- the remote-attestation protocol (msg0..msg4), transport
 * agnostic: byte-exact messages, Intel's key derivation, the service
 * provider's (SP) state machine, the client's state machine over enclave
 * and quote callbacks, and a software "enclave" for tests and benches.
 * The protocol page, with every offset: docs/RA.md.
 *
 * The message flow is the one of Intel's end-to-end RA example
 * (sgx_key_exchange.h, the sample service provider), carrying DCAP quotes:
 *
 *   client -> SP  msg0  extended EPID group id (0)
 *   client -> SP  msg1  Ga (the enclave's ephemeral P-256 key), GID
 *   SP -> client  msg2  Gb, SPID, quote type, KDF id, SP signature over
 *                       Gb||Ga, CMAC(SMK), SigRL (empty)
 *   client -> SP  msg3  CMAC(SMK), Ga, ps_sec_prop (zero), quote whose
 *                       REPORTDATA = SHA-256(Ga||Gb||VK) || 32 zero bytes
 *   SP -> client  msg4  sgxra's own: the decision and its reason codes,
 *                       the secret under AES-128-GCM(SK) with a fresh IV,
 *                       CMAC(MK) over everything
 *
 * Encodings: all integers little-endian.  EC public keys and signatures on
 * the wire are Intel's sgx_ec256_public_t / sgx_ec256_signature_t: each
 * 32-byte coordinate little-endian -- the reverse, per coordinate, of the
 * big-endian X||Y / r||s of sgxra/crypto.h (sgxra_ra_wire_swap converts).
 *
 * Errors (sgxra/errors/ra.h), each with a message naming the message, the
 * field and the sizes or values found, e.g. "msg2 truncated: 160 bytes,
 * the fixed part needs 168" or "msg3 Ga differs from msg1's":
 *   SGXRA_E_RA_MESSAGE       malformed: wrong size, truncated, a field out
 *                            of range, a reserved byte not zero
 *   SGXRA_E_RA_GROUP         extended group id != 0, GID != 0, KDF id != 1,
 *                            quote type not 3 or 4, SigRL not empty
 *   SGXRA_E_RA_SIGNATURE     the SP's signature over Gb||Ga does not verify
 *   SGXRA_E_RA_MAC           msg2's, msg3's or msg4's CMAC, or msg4's GCM
 *                            tag, is wrong
 *   SGXRA_E_RA_GA_MISMATCH   msg3's Ga is not msg1's
 *   SGXRA_E_RA_BINDING       the quote's REPORTDATA is not this session's
 *                            binding (a quote made for another session)
 *   SGXRA_E_RA_STATE         a message out of order (msg3 before msg1,
 *                            msg1 twice, anything after a failure)
 *   SGXRA_E_RA_EXPIRED       now > the session's expiry
 *   SGXRA_E_RA_REPLAY        msg3 on a session that already took one
 *   SGXRA_E_RA_SESSION       a sealed session state that does not open
 *                            (other key, other session id, tampered,
 *                            unknown format)
 *   SGXRA_E_RA_ENCLAVE       an enclave callback refused (the message says
 *                            which step), or its answer is inconsistent
 *   SGXRA_E_TOO_LARGE        a secret above SGXRA_RA_SECRET_MAX, a quote
 *                            above SGXRA_RA_QUOTE_MAX
 *   SGXRA_E_INVALID_ARGUMENT NULL where a value is needed
 *   SGXRA_E_NO_MEMORY, and sgxra/crypto.h's errors
 * On an SP or client state machine error the session is failed
 * (SGXRA_RA_SP_FAILED / every later call returns SGXRA_E_RA_STATE) and its
 * keys are wiped: any protocol error ends the session.
 *
 * Memory: parsed message views (sgxra_ra_msg2, sgxra_ra_msg3,
 * sgxra_ra_msg4) may point INTO the buffer they were parsed from
 * (borrowed: that buffer must outlive the view).  Buffers returned through
 * `uint8_t **out` are malloc'ed: the caller frees them (free()).  Structs
 * holding keys (sgxra_ra_keys, sgxra_ra_sp_session) are plain caller-owned
 * data: wipe them with sgxra_wipe (or sgxra_ra_sp_session_wipe) when done.
 *
 * Time: the library never reads the clock; `now` is unix seconds.
 *
 * Thread-safety: all functions are reentrant; an sgxra_ra_sp_session, an
 * sgxra_ra_client or an sgxra_ra_soft_enclave is used by one thread at a
 * time (different ones concurrently).  Each call needs its own sgxra_ctx.
 */
#ifndef SGXRA_RA_H
#define SGXRA_RA_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/crypto.h"
#include "sgxra/ctx.h"
#include "sgxra/policy.h"
#include "sgxra/sgx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sizes and offsets (bytes) -------------------------------------------
 */

#define SGXRA_RA_EC_PUBLIC_SIZE 64 /* gx || gy, each little-endian */
#define SGXRA_RA_EC_SIG_SIZE 64    /* r || s, each little-endian */
#define SGXRA_RA_SPID_SIZE 16
#define SGXRA_RA_KEY_SIZE 16 /* KDK, SMK, SK, MK, VK */
#define SGXRA_RA_MAC_SIZE 16 /* AES-128-CMAC */
#define SGXRA_RA_KDF_ID 1    /* Intel's AES-CMAC KDF, msg2.kdf_id */
#define SGXRA_RA_EXTENDED_GID 0
#define SGXRA_RA_QUOTE_TYPE_MIN 3 /* DCAP quote versions msg2 may ask for */
#define SGXRA_RA_QUOTE_TYPE_MAX 4

/* msg0: u32 extended_epid_group_id (0). */
#define SGXRA_RA_MSG0_SIZE 4

/* msg1: g_a || gid (u32, 0 for DCAP). */
#define SGXRA_RA_MSG1_SIZE 68
#define SGXRA_RA_MSG1_GA_OFFSET 0
#define SGXRA_RA_MSG1_GID_OFFSET 64

/* msg2: g_b || spid || quote_type u16 || kdf_id u16 || sign_gb_ga || mac ||
 * sig_rl_size u32 || sig_rl.  mac = CMAC(SMK) over [0, MAC_OFFSET). */
#define SGXRA_RA_MSG2_GB_OFFSET 0
#define SGXRA_RA_MSG2_SPID_OFFSET 64
#define SGXRA_RA_MSG2_QUOTE_TYPE_OFFSET 80
#define SGXRA_RA_MSG2_KDF_ID_OFFSET 82
#define SGXRA_RA_MSG2_SIGN_OFFSET 84
#define SGXRA_RA_MSG2_MAC_OFFSET 148
#define SGXRA_RA_MSG2_SIG_RL_SIZE_OFFSET 164
#define SGXRA_RA_MSG2_FIXED_SIZE 168

/* msg3: mac || g_a || ps_sec_prop (256, zero) || quote.  mac = CMAC(SMK)
 * over [GA_OFFSET, end). */
#define SGXRA_RA_MSG3_MAC_OFFSET 0
#define SGXRA_RA_MSG3_GA_OFFSET 16
#define SGXRA_RA_MSG3_PS_SEC_PROP_OFFSET 80
#define SGXRA_RA_PS_SEC_PROP_SIZE 256
#define SGXRA_RA_MSG3_QUOTE_OFFSET 336
#define SGXRA_RA_MSG3_HEADER_SIZE 336
/* The largest quote msg3 may carry (a DCAP quote with its PCK chain is
 * about 5 KiB), and so the largest msg3. */
#define SGXRA_RA_QUOTE_MAX (64 * 1024)
#define SGXRA_RA_MSG3_MAX (SGXRA_RA_MSG3_HEADER_SIZE + SGXRA_RA_QUOTE_MAX)
/* Where a v3/v4 SGX quote carries the enclave's report body and its
 * REPORTDATA (the 48-byte quote header, then the 384-byte body). */
#define SGXRA_RA_QUOTE_BODY_OFFSET 48
#define SGXRA_RA_QUOTE_REPORTDATA_OFFSET 368
#define SGXRA_RA_QUOTE_MIN_SIZE 432 /* header + report body */

/* msg4 (sgxra's own):
 *   u16 version (1) || u8 trusted (0/1) || u8 reserved (0)
 *   || u32 reason_count (<= SGXRA_RA_REASON_MAX)
 *   || u16 reasons[reason_count]          (sgxra_reason_code values)
 *   || u32 secret_len (<= SGXRA_RA_SECRET_MAX; 0 when not trusted)
 *   || iv (12) || tag (16) || ct (secret_len) || mac (16)
 * ct = AES-128-GCM(SK, iv, AAD = bytes [0, offset of iv)) of the secret
 * (always computed, over an empty plaintext when there is no secret);
 * mac = CMAC(MK) over [0, len - 16). */
#define SGXRA_RA_MSG4_VERSION 1
#define SGXRA_RA_REASON_MAX 24
#define SGXRA_RA_SECRET_MAX 65536
#define SGXRA_RA_GCM_IV_SIZE 12
#define SGXRA_RA_MSG4_MIN_SIZE 56 /* no reasons, no secret */
#define SGXRA_RA_MSG4_MAX_SIZE                                                 \
  (SGXRA_RA_MSG4_MIN_SIZE + 2 * SGXRA_RA_REASON_MAX + SGXRA_RA_SECRET_MAX)

/* Sessions (SP side). */
#define SGXRA_RA_SESSION_ID_SIZE 16     /* 32 hex characters in URLs */
#define SGXRA_RA_SESSION_KEY_SIZE 16    /* seals session state */
#define SGXRA_RA_SESSION_TTL_DEFAULT 60 /* seconds, msg0 to msg3 */

/* ---- key derivation (Intel's sample: sgx_ra key derivation) ---------------
 *
 *   Gab.x = ECDH shared X, 32 bytes LITTLE-endian
 *   KDK   = AES-128-CMAC(key = 0^128, Gab.x)
 *   KEY   = AES-128-CMAC(KDK, 0x01 || label || 0x00 || 0x80 || 0x00)
 *           label "SMK", "SK", "MK", "VK" (ASCII, no NUL)
 */
typedef struct sgxra_ra_keys {
  uint8_t smk[SGXRA_RA_KEY_SIZE]; /* msg2 / msg3 MACs */
  uint8_t sk[SGXRA_RA_KEY_SIZE];  /* msg4's secret (GCM) */
  uint8_t mk[SGXRA_RA_KEY_SIZE];  /* msg4's MAC */
  uint8_t vk[SGXRA_RA_KEY_SIZE];  /* the quote binding */
} sgxra_ra_keys;

/* KDK from the shared X as sgxra_p256_ecdh returns it (big-endian; reversed
 * here). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_kdk(sgxra_ctx *cx, const uint8_t shared_x_be[SGXRA_P256_SHARED_SIZE],
             uint8_t out_kdk[SGXRA_RA_KEY_SIZE]);
/* One key from the KDK; label is "SMK", "SK", "MK" or "VK" (any ASCII label
 * of 1..16 characters is accepted). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_derive_key(sgxra_ctx *cx, const uint8_t kdk[SGXRA_RA_KEY_SIZE],
                    const char *label, uint8_t out[SGXRA_RA_KEY_SIZE]);
/* All four keys from the shared X (big-endian); the KDK is wiped. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_kdf(sgxra_ctx *cx, const uint8_t shared_x_be[SGXRA_P256_SHARED_SIZE],
             sgxra_ra_keys *out);
/* ECDH(priv, peer) then sgxra_ra_kdf. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_derive_keys(sgxra_ctx *cx, const sgxra_p256_key *priv,
                     const sgxra_p256_key *peer, sgxra_ra_keys *out);

/* ---- encodings -----------------------------------------------------------
 */

/* Reverse each of the two 32-byte halves of a 64-byte value: big-endian
 * X||Y (or r||s, sgxra/crypto.h) <-> the wire's little-endian form.  Its
 * own inverse; in and out may be the same buffer. */
SGXRA_API void sgxra_ra_wire_swap(const uint8_t in[64], uint8_t out[64]);

/* The wire form (SGXRA_RA_EC_PUBLIC_SIZE) of a P-256 public key. */
SGXRA_API void sgxra_ra_public_to_wire(const sgxra_p256_key *key,
                                       uint8_t out[SGXRA_RA_EC_PUBLIC_SIZE]);
/* A P-256 public key from its wire form; SGXRA_E_RA_MESSAGE naming `what`
 * ("msg1 Ga") when the point is not on the curve. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_public_from_wire(
    sgxra_ctx *cx, const uint8_t wire[SGXRA_RA_EC_PUBLIC_SIZE],
    const char *what, sgxra_p256_key **out_key);

/* The SPID an SP uses: the first 16 bytes of SHA-256 of its long-term
 * public key in wire form. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_spid(sgxra_ctx *cx, const sgxra_p256_key *sp_key,
              uint8_t out[SGXRA_RA_SPID_SIZE]);

/* ---- messages --------------------------------------------------------------
 * Parsers check sizes and structure only (SGXRA_E_RA_MESSAGE) unless said
 * otherwise; MACs and signatures need the session's keys (below). */

/* msg0 = extended group id 0. */
SGXRA_API void sgxra_ra_msg0_encode(uint8_t out[SGXRA_RA_MSG0_SIZE]);
/* SGXRA_E_RA_MESSAGE when n != 4, SGXRA_E_RA_GROUP when the id is not 0. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_msg0_check(sgxra_ctx *cx,
                                                         const uint8_t *p,
                                                         size_t n);

typedef struct sgxra_ra_msg1 {
  uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE]; /* wire form */
  uint32_t gid;
} sgxra_ra_msg1;

SGXRA_API void sgxra_ra_msg1_encode(const sgxra_ra_msg1 *m,
                                    uint8_t out[SGXRA_RA_MSG1_SIZE]);
/* SGXRA_E_RA_MESSAGE when n != 68; SGXRA_E_RA_GROUP when gid != 0.  Ga's
 * point is checked by whoever uses it (sgxra_ra_public_from_wire). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_msg1_parse(sgxra_ctx *cx,
                                                         const uint8_t *p,
                                                         size_t n,
                                                         sgxra_ra_msg1 *out);

typedef struct sgxra_ra_msg2 {
  uint8_t g_b[SGXRA_RA_EC_PUBLIC_SIZE]; /* wire form */
  uint8_t spid[SGXRA_RA_SPID_SIZE];
  uint16_t quote_type;
  uint16_t kdf_id;
  uint8_t sign_gb_ga[SGXRA_RA_EC_SIG_SIZE]; /* wire form */
  uint8_t mac[SGXRA_RA_MAC_SIZE];
  uint32_t sig_rl_size;
  const uint8_t *sig_rl; /* borrowed from the parsed buffer; NULL if 0 */
} sgxra_ra_msg2;

/* The 168 fixed bytes (sgxra's SP always sends an empty SigRL; m->sig_rl
 * and sig_rl_size are ignored and written as 0). */
SGXRA_API void sgxra_ra_msg2_encode(const sgxra_ra_msg2 *m,
                                    uint8_t out[SGXRA_RA_MSG2_FIXED_SIZE]);
/* Structure only: SGXRA_E_RA_MESSAGE when shorter than 168 or when n is
 * not 168 + sig_rl_size.  Values (kdf_id, quote type, SigRL) are checked
 * by sgxra_ra_msg2_check. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_msg2_parse(sgxra_ctx *cx,
                                                         const uint8_t *p,
                                                         size_t n,
                                                         sgxra_ra_msg2 *out);

/* What the enclave does with msg2 (the software enclave and the client use
 * it; the example enclave does the same with its own code): parse msg2,
 * refuse kdf_id != 1, quote types other than 3/4 and a non-empty SigRL
 * (SGXRA_E_RA_GROUP), check the SPID is the pinned SP public key's and
 * the SP's signature over Gb||Ga verifies with it (SGXRA_E_RA_SIGNATURE),
 * derive the keys from
 * ECDH(ga_private, Gb) (*out_keys, wiped on error) and check the CMAC under
 * SMK (SGXRA_E_RA_MAC).  g_a_wire is the enclave's own Ga. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_msg2_check(sgxra_ctx *cx, const sgxra_p256_key *sp_public,
                    const sgxra_p256_key *ga_private, const uint8_t *msg2,
                    size_t n, sgxra_ra_msg2 *out_msg2, sgxra_ra_keys *out_keys);

typedef struct sgxra_ra_msg3 {
  uint8_t mac[SGXRA_RA_MAC_SIZE];
  uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE]; /* wire form */
  const uint8_t *quote;                 /* borrowed from the parsed buffer */
  size_t quote_len;                     /* >= 1 */
} sgxra_ra_msg3;

/* msg3 = mac || g_a || 256 zero bytes || quote[quote_len], malloc'ed.
 * SGXRA_E_INVALID_ARGUMENT for an empty quote, SGXRA_E_TOO_LARGE above
 * SGXRA_RA_QUOTE_MAX. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_msg3_encode(
    sgxra_ctx *cx, const uint8_t mac[SGXRA_RA_MAC_SIZE],
    const uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE], const uint8_t *quote,
    size_t quote_len, uint8_t **out, size_t *out_len);
/* SGXRA_E_RA_MESSAGE when n <= 336 (no quote) or ps_sec_prop is not all
 * zero; SGXRA_E_TOO_LARGE above SGXRA_RA_MSG3_MAX. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_msg3_parse(sgxra_ctx *cx,
                                                         const uint8_t *p,
                                                         size_t n,
                                                         sgxra_ra_msg3 *out);

/* A parsed msg4: what the host may read of the clear header (to print the
 * decision) before the enclave authenticates it.  Do not act on it before
 * the enclave has checked the MAC (sgxra_ra_client_msg4 does that). */
typedef struct sgxra_ra_msg4 {
  uint16_t version;
  int trusted;
  uint32_t reason_count;
  uint16_t reasons[SGXRA_RA_REASON_MAX]; /* sgxra_reason_code values */
  uint32_t secret_len;
  uint8_t iv[SGXRA_RA_GCM_IV_SIZE];
  uint8_t tag[SGXRA_GCM_TAG_SIZE];
  const uint8_t *ct; /* borrowed; secret_len bytes */
  uint8_t mac[SGXRA_RA_MAC_SIZE];
  size_t aad_len; /* bytes [0, aad_len) are the GCM AAD (offset of iv) */
} sgxra_ra_msg4;

/* Structure: SGXRA_E_RA_MESSAGE for a version other than 1, trusted not 0
 * or 1, reserved not 0, more than 24 reasons, a reason code that is not an
 * sgxra_reason_code of this build, trusted with reasons or not trusted
 * without one, a secret above 65536 bytes or with trusted 0, or a size
 * that is not exactly what the counts say. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_msg4_parse(sgxra_ctx *cx,
                                                         const uint8_t *p,
                                                         size_t n,
                                                         sgxra_ra_msg4 *out);

/* What the enclave does with msg4: parse, check the CMAC under MK
 * (SGXRA_E_RA_MAC), decrypt the secret with SK (a bad GCM tag is
 * SGXRA_E_RA_MAC too).  *out_secret is malloc'ed (secret_len bytes, may be
 * 0 with a non-NULL pointer): the caller wipes and frees it. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_msg4_open(
    sgxra_ctx *cx, const sgxra_ra_keys *keys, const uint8_t *msg4, size_t n,
    sgxra_ra_msg4 *out_msg4, uint8_t **out_secret, size_t *out_secret_len);

/* The REPORTDATA an enclave must put in its quote:
 * SHA-256(g_a wire || g_b wire || VK) || 32 zero bytes. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_binding(
    sgxra_ctx *cx, const uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE],
    const uint8_t g_b[SGXRA_RA_EC_PUBLIC_SIZE],
    const uint8_t vk[SGXRA_RA_KEY_SIZE], uint8_t out[SGXRA_REPORTDATA_SIZE]);

/* ---- the service provider's state machine ---------------------------------
 *
 *   sgxra_ra_sp_begin (msg0)        -> SGXRA_RA_SP_WAIT_MSG1
 *   sgxra_ra_sp_msg1  (msg1 -> msg2) -> SGXRA_RA_SP_WAIT_MSG3
 *   sgxra_ra_sp_msg3  (checks msg3)  -> SGXRA_RA_SP_APPRAISE
 *       the caller verifies and appraises the returned quote
 *   sgxra_ra_sp_msg4  (decision -> msg4) -> SGXRA_RA_SP_DONE
 *   any error                        -> SGXRA_RA_SP_FAILED (keys wiped)
 *
 * The state values are stable (the store keeps them, sgxra/store.h's
 * ra_session.state): a server advances the stored row with a compare-and-
 * set from the state it loaded to the state the call left, so that of two
 * replicas given the same msg3 only one continues (the other answers
 * SGXRA_E_RA_REPLAY).  Within one session object, a second msg3 is refused
 * with SGXRA_E_RA_REPLAY by the state machine itself. */
typedef enum sgxra_ra_sp_state {
  SGXRA_RA_SP_WAIT_MSG1 = 1, /* msg0 accepted */
  SGXRA_RA_SP_WAIT_MSG3 = 2, /* msg2 sent */
  SGXRA_RA_SP_APPRAISE = 3,  /* msg3 accepted; msg4 not yet made */
  SGXRA_RA_SP_DONE = 4,      /* msg4 made; nothing more */
  SGXRA_RA_SP_FAILED = 5     /* ended by an error; nothing more */
} sgxra_ra_sp_state;

/* Name of a state ("wait_msg1", ...; "unknown" otherwise). */
SGXRA_API const char *sgxra_ra_sp_state_name(int state);

/* One SP session: plain caller-owned data holding keys (wipe with
 * sgxra_ra_sp_session_wipe).  Serialise it between requests with
 * sgxra_ra_sp_session_seal / _open. */
typedef struct sgxra_ra_sp_session {
  uint8_t id[SGXRA_RA_SESSION_ID_SIZE];
  int state; /* sgxra_ra_sp_state */
  int64_t created, expires;
  uint16_t quote_type;                    /* asked for in msg2 */
  uint8_t g_a[SGXRA_RA_EC_PUBLIC_SIZE];   /* wire form, from msg1 */
  uint8_t g_b[SGXRA_RA_EC_PUBLIC_SIZE];   /* wire form, sent in msg2 */
  sgxra_ra_keys keys;                     /* zero before msg1 */
  uint8_t binding[SGXRA_REPORTDATA_SIZE]; /* expected REPORTDATA */
} sgxra_ra_sp_session;

/* Check msg0 and start a session: state WAIT_MSG1, created = now, expires =
 * now + ttl (ttl > 0), quote_type (3 or 4) to ask for in msg2.  id: the
 * session id to use, or NULL for 16 fresh random bytes.  Errors: msg0's
 * (sgxra_ra_msg0_check), SGXRA_E_INVALID_ARGUMENT for a bad ttl or quote
 * type. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_sp_begin(sgxra_ctx *cx, const uint8_t *msg0, size_t n,
                  const uint8_t id[SGXRA_RA_SESSION_ID_SIZE], int64_t now,
                  int64_t ttl, uint16_t quote_type, sgxra_ra_sp_session *out);

/* msg1 -> msg2: parse msg1, check Ga is on the curve, generate Gb (or use
 * gb_private when not NULL: known-answer tests only), derive the keys,
 * sign Gb||Ga with sp_key (the SP's long-term private key), MAC.  The
 * session must be WAIT_MSG1 (SGXRA_E_RA_STATE) and now <= expires
 * (SGXRA_E_RA_EXPIRED).  Writes the 168-byte msg2; state WAIT_MSG3. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_sp_msg1(
    sgxra_ctx *cx, sgxra_ra_sp_session *s, const sgxra_p256_key *sp_key,
    const sgxra_p256_key *gb_private, const uint8_t *msg1, size_t n,
    int64_t now, uint8_t out_msg2[SGXRA_RA_MSG2_FIXED_SIZE]);

/* msg3: the session must be WAIT_MSG3 (APPRAISE or DONE:
 * SGXRA_E_RA_REPLAY; WAIT_MSG1 or FAILED: SGXRA_E_RA_STATE) and not expired
 * (SGXRA_E_RA_EXPIRED); then parse, Ga equals msg1's
 * (SGXRA_E_RA_GA_MISMATCH), CMAC under SMK (SGXRA_E_RA_MAC), the quote is
 * at least SGXRA_RA_QUOTE_MIN_SIZE bytes (SGXRA_E_RA_MESSAGE) and its
 * REPORTDATA (offset 368) equals the binding (SGXRA_E_RA_BINDING).  On
 * success state APPRAISE; *out_quote points INTO msg3 (borrowed) for the
 * caller to verify (sgxra/verify.h) and appraise with expected REPORTDATA
 * = s->binding (also copied to out_reportdata when not NULL). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_sp_msg3(
    sgxra_ctx *cx, sgxra_ra_sp_session *s, const uint8_t *msg3, size_t n,
    int64_t now, const uint8_t **out_quote, size_t *out_quote_len,
    uint8_t out_reportdata[SGXRA_REPORTDATA_SIZE]);

/* msg4 from the decision: trusted = d->trusted, the reason codes in order
 * (at most 24), and -- only when trusted -- the secret (secret_len <=
 * SGXRA_RA_SECRET_MAX, else SGXRA_E_TOO_LARGE; NULL/0 for none; ignored
 * when not trusted) under AES-128-GCM(SK) with 12 fresh random IV bytes,
 * then the CMAC under MK.  The session must be APPRAISE (else
 * SGXRA_E_RA_STATE; no expiry check: the appraisal may take time).  A
 * decision with reasons is sent as not trusted whatever d->trusted says;
 * one not trusted without any reason (a zeroed, failed appraisal) is
 * SGXRA_E_INVALID_ARGUMENT: end the session with sgxra_ra_sp_fail
 * instead.  On success state DONE and the keys are wiped; *out_msg4 is
 * malloc'ed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_sp_msg4(sgxra_ctx *cx, sgxra_ra_sp_session *s, const sgxra_decision *d,
                 const uint8_t *secret, size_t secret_len, uint8_t **out_msg4,
                 size_t *out_len);

/* End the session: state FAILED, keys and binding wiped (the server calls
 * it on an error outside this library, e.g. the verifier is down). */
SGXRA_API void sgxra_ra_sp_fail(sgxra_ra_sp_session *s);

/* Wipe the whole struct (sgxra_wipe). */
SGXRA_API void sgxra_ra_sp_session_wipe(sgxra_ra_sp_session *s);

/* The SP's session key from its long-term private key:
 * SHA-256("sgxra sp session key v1" || d (32 bytes, big-endian))[0..16).
 * Replicas with the same key share it.  SGXRA_E_CRYPTO_KEY_INVALID when the
 * key has no private part. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_session_key(sgxra_ctx *cx, const sgxra_p256_key *sp_key,
                     uint8_t out[SGXRA_RA_SESSION_KEY_SIZE]);

/* The sealed session state (docs/RA.md):
 *   "SRAS" || u16 format (1) || iv (12) || tag (16) || ct
 * ct = AES-128-GCM(session key, iv fresh random, AAD = the session id) of
 * the session's fields; SGXRA_RA_SESSION_BLOB_SIZE bytes in all.  The id
 * itself is not in the blob: open takes it (from the URL). */
#define SGXRA_RA_SESSION_BLOB_SIZE 312
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_sp_session_seal(
    sgxra_ctx *cx, const uint8_t key[SGXRA_RA_SESSION_KEY_SIZE],
    const sgxra_ra_sp_session *s, uint8_t **out_blob, size_t *out_len);
/* SGXRA_E_RA_SESSION when the blob is not one (size, magic, format), was
 * sealed under another key or for another session id, or was altered;
 * *out is zeroed on error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_sp_session_open(
    sgxra_ctx *cx, const uint8_t key[SGXRA_RA_SESSION_KEY_SIZE],
    const uint8_t id[SGXRA_RA_SESSION_ID_SIZE], const uint8_t *blob, size_t n,
    sgxra_ra_sp_session *out);

/* Session ids as 32 lower-case hex characters (+ NUL), and back
 * (SGXRA_E_RA_SESSION for anything but 32 hex characters). */
SGXRA_API void
sgxra_ra_session_id_hex(const uint8_t id[SGXRA_RA_SESSION_ID_SIZE],
                        char out[2 * SGXRA_RA_SESSION_ID_SIZE + 1]);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_session_id_parse(
    sgxra_ctx *cx, const char *hex, uint8_t out[SGXRA_RA_SESSION_ID_SIZE]);

/* ---- the client's state machine --------------------------------------------
 *
 * The host runs the protocol; the enclave does every step that needs the
 * keys, through these callbacks.  A callback returns SGXRA_OK or an error
 * (with a message in cx); the client returns its error as is.  Buffers a
 * callback returns through `uint8_t **` are malloc'ed and become the
 * client's.  enclave_user / quote_user are passed back unchanged. */
typedef struct sgxra_ra_client_ops {
  void *enclave_user;
  /* Make Ga inside the enclave: an enclave session handle and msg1. */
  sgxra_err (*msg1)(sgxra_ctx *cx, void *user, uint32_t *out_handle,
                    uint8_t out_msg1[SGXRA_RA_MSG1_SIZE]);
  /* Check msg2 (sgxra_ra_msg2_check's work), derive the keys and make the
   * REPORT for the QE (targetinfo) with REPORTDATA = the binding. */
  sgxra_err (*msg2)(sgxra_ctx *cx, void *user, uint32_t handle,
                    const uint8_t qe_targetinfo[SGXRA_TARGETINFO_SIZE],
                    const uint8_t *msg2, size_t n,
                    uint8_t out_report[SGXRA_REPORT_SIZE]);
  /* msg3 from the quote (the enclave checks the quote's report body is
   * the REPORT's it made, then MACs). */
  sgxra_err (*msg3)(sgxra_ctx *cx, void *user, uint32_t handle,
                    const uint8_t *quote, size_t n, uint8_t **out_msg3,
                    size_t *out_len);
  /* msg4: check its MAC, decrypt the secret, seal it.  *out_trusted is the
   * authenticated decision; *out_sealed (malloc'ed, may be NULL/0 when not
   * trusted or no secret) the sealed secret. */
  sgxra_err (*msg4)(sgxra_ctx *cx, void *user, uint32_t handle,
                    const uint8_t *msg4, size_t n, int *out_trusted,
                    uint8_t **out_sealed, size_t *out_sealed_len);
  /* Forget the enclave session (may be NULL). */
  void (*close)(void *user, uint32_t handle);

  void *quote_user;
  /* The QE's TARGETINFO. */
  sgxra_err (*qe_targetinfo)(sgxra_ctx *cx, void *user,
                             uint8_t out[SGXRA_TARGETINFO_SIZE]);
  /* A quote of this REPORT (quote_type = msg2's, 3 or 4; a callback that
   * makes one version only may ignore it: the SP verifies whatever it
   * gets). */
  sgxra_err (*quote)(sgxra_ctx *cx, void *user,
                     const uint8_t report[SGXRA_REPORT_SIZE],
                     uint16_t quote_type, uint8_t **out_quote, size_t *out_len);
} sgxra_ra_client_ops;

/* What the client ends with. */
typedef struct sgxra_ra_result {
  int trusted; /* authenticated by the enclave */
  uint32_t reason_count;
  uint16_t reasons[SGXRA_RA_REASON_MAX]; /* from msg4's header */
  uint8_t *sealed; /* malloc'ed sealed secret; NULL when none */
  size_t sealed_len;
} sgxra_ra_result;

/* Free and wipe result->sealed; zero the struct. */
SGXRA_API void sgxra_ra_result_free(sgxra_ra_result *r);

typedef struct sgxra_ra_client sgxra_ra_client;

/* A client over these callbacks (copied; every callback but close must be
 * set, else SGXRA_E_INVALID_ARGUMENT). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_client_new(
    sgxra_ctx *cx, const sgxra_ra_client_ops *ops, sgxra_ra_client **out);
/* Closes the enclave session if one is open. */
SGXRA_API void sgxra_ra_client_free(sgxra_ra_client *c);

/* Each step in order (anything else: SGXRA_E_RA_STATE); any error fails
 * the client (every later call: SGXRA_E_RA_STATE) and closes the enclave
 * session. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_client_msg0(
    sgxra_ctx *cx, sgxra_ra_client *c, uint8_t out[SGXRA_RA_MSG0_SIZE]);
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_client_msg1(
    sgxra_ctx *cx, sgxra_ra_client *c, uint8_t out[SGXRA_RA_MSG1_SIZE]);
/* msg2 -> msg3: parse msg2 (structure and values: SGXRA_E_RA_MESSAGE,
 * SGXRA_E_RA_GROUP), QE TARGETINFO, enclave msg2 -> REPORT, quote, enclave
 * msg3.  *out_msg3 malloc'ed. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_ra_client_msg2(sgxra_ctx *cx, sgxra_ra_client *c, const uint8_t *msg2,
                     size_t n, uint8_t **out_msg3, size_t *out_len);
/* msg4 -> result: parse the header (sgxra_ra_msg4_parse), the enclave
 * checks and seals; SGXRA_E_RA_ENCLAVE when the enclave's trusted differs
 * from the header's.  Closes the enclave session.  *out is zeroed first;
 * free it with sgxra_ra_result_free. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_client_msg4(sgxra_ctx *cx,
                                                          sgxra_ra_client *c,
                                                          const uint8_t *msg4,
                                                          size_t n,
                                                          sgxra_ra_result *out);
/* The quote sent in msg3 (borrowed, valid until free; NULL/0 before). */
SGXRA_API void sgxra_ra_client_quote(const sgxra_ra_client *c,
                                     const uint8_t **out_quote,
                                     size_t *out_len);

/* ---- the software enclave ---------------------------------------------------
 *
 * NOT AN ENCLAVE.  It implements the enclave callbacks above in the host
 * process with libsgxra's crypto: no isolation (the keys and the secret
 * are in ordinary memory), no hardware REPORT (its REPORT's MAC and KEYID
 * are zero: only a fake quote callback or a test accepts it), no hardware
 * sealing.  For tests, benches and peers that are not SGX.
 *
 * Its "sealed blob" is: the secret itself, in clear, when no seal key is
 * given; with a 16-byte seal key, iv (12, random) || tag (16) ||
 * AES-128-GCM(seal key, iv, AAD "sgxra soft seal v1") of the secret. */
typedef struct sgxra_ra_soft_enclave sgxra_ra_soft_enclave;

typedef struct sgxra_ra_soft_enclave_options {
  /* The SP's public key it pins (required; copied). */
  const sgxra_p256_key *sp_public;
  /* NULL: the sealed blob is the secret in clear; else its GCM key. */
  const uint8_t *seal_key; /* 16 bytes */
  /* The report body its REPORTs carry (REPORTDATA replaced by the
   * binding); NULL: all zero. */
  const uint8_t *report_body; /* SGXRA_REPORT_BODY_SIZE bytes */
  /* Ga's private scalar (big-endian), for known-answer tests; NULL: fresh
   * per session. */
  const uint8_t *ga_private; /* 32 bytes */
} sgxra_ra_soft_enclave_options;

#define SGXRA_RA_SOFT_ENCLAVE_SLOTS 16 /* concurrent sessions */

SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_soft_enclave_new(
    sgxra_ctx *cx, const sgxra_ra_soft_enclave_options *opt,
    sgxra_ra_soft_enclave **out);
SGXRA_API void sgxra_ra_soft_enclave_free(sgxra_ra_soft_enclave *e);
/* Fill ops' enclave callbacks (msg1..close, enclave_user); the quote
 * callbacks are left as they are. */
SGXRA_API void sgxra_ra_soft_enclave_ops(sgxra_ra_soft_enclave *e,
                                         sgxra_ra_client_ops *ops);
/* The secret from a sealed blob (malloc'ed; wipe and free).  With a seal
 * key, SGXRA_E_RA_MAC when the blob does not open. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_ra_soft_enclave_unseal(
    sgxra_ctx *cx, const sgxra_ra_soft_enclave *e, const uint8_t *blob,
    size_t n, uint8_t **out_secret, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
