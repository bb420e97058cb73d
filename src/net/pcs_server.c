/* The simulated Intel PCS over HTTP: see sgxra/pcs.h.
 *
 * Prepared responses.  Everything the CA signs (TCB Info per FMSPC and
 * update policy, QE and QvE identities, both PCK CRLs, the root CRL, the
 * FMSPC list) is made once per CA state and kept in a `prepared` set.  Each
 * request stat()s the CA's state.json under the server's mutex: a different
 * inode, size, mtime or ctime (every write of the CA renames a new file into
 * place) or a set older than REFRESH_SECONDS makes a new set before the
 * answer.  Requests hold a reference to the set they answer from, so a set
 * replaced meanwhile is freed by its last reader.  pckcert is answered from
 * the CA's per-PPID files at each request.
 *
 * Connections: a libmicrohttpd thread pool (epoll), an idle timeout, a
 * request deadline (sgxra__http_start_watched: a request trickled in
 * slower than the timeout is cut), a total and a per-address limit. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/internal.h"
#include "net/dl_mhd.h"
#include "net/http_internal.h"
#include "sgxra/crypto.h"
#include "sgxra/hex.h"
#include "sgxra/intelca.h"
#include "sgxra/pcs.h"

#define REFRESH_SECONDS 3600 /* re-sign even without a state change */
#define REQUEST_ID_BYTES 16
#define ERR_SYNTAX "InvalidRequestSyntax"
#define ERR_NOT_FOUND "NotFound"

typedef struct blob {
  char *p;
  size_t n;
} blob;

typedef struct prepared {
  atomic_int refs;
  sgxra_intelca *ca;                       /* read-only after preparation */
  char *chain_tcb, *chain_pca, *chain_xca; /* URL-encoded issuer chains */
  size_t n_fmspc;
  uint8_t (*fmspc)[SGXRA_PCKEXT_FMSPC_SIZE];
  blob *tcb; /* [2 * i + update] */
  blob qe[2], qve[2];
  blob crl_der[2], crl_pem[2]; /* [sgxra_intelca_pck_ca] */
  blob rootcrl;
  blob fmspcs_json;
  int64_t built;
} prepared;

typedef struct stamp {
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtim, ctim;
} stamp;

struct sgxra_pcs_server {
  struct MHD_Daemon *daemon;
  sgxra__http_watch *watch; /* the request deadline */
  char *ca_dir;
  char *state_path;
  sgxra_pcs_clock_fn clock;
  void *clock_arg;
  int64_t now;
  FILE *log;
  uint16_t port;
  atomic_uint_fast64_t requests;
  atomic_uint_fast64_t preparations;
  pthread_mutex_t lock; /* guards cur, cur_stamp, reload */
  prepared *cur;
  stamp cur_stamp;
  int reload;
};

typedef sgxra__http_req request;

char *sgxra_pcs_url_encode(const char *p, size_t n) {
  static const char hexd[] = "0123456789ABCDEF";
  char *out = malloc(3 * n + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out[o++] = (char)c;
    } else {
      out[o++] = '%';
      out[o++] = hexd[c >> 4];
      out[o++] = hexd[c & 15];
    }
  }
  out[o] = 0;
  return out;
}

/* ---- prepared sets -------------------------------------------------------
 */

static void prepared_unref(prepared *p) {
  if (!p || atomic_fetch_sub(&p->refs, 1) != 1) return;
  sgxra_intelca_free(p->ca);
  free(p->chain_tcb);
  free(p->chain_pca);
  free(p->chain_xca);
  for (size_t i = 0; p->tcb && i < 2 * p->n_fmspc; i++) free(p->tcb[i].p);
  free(p->tcb);
  free(p->fmspc);
  for (int i = 0; i < 2; i++) {
    free(p->qe[i].p);
    free(p->qve[i].p);
    free(p->crl_der[i].p);
    free(p->crl_pem[i].p);
  }
  free(p->rootcrl.p);
  free(p->fmspcs_json.p);
  free(p);
}

/* Signer PEM + root PEM, URL-encoded. */
static char *issuer_chain(const char *signer, const char *root) {
  if (!signer || !root) return NULL;
  size_t a = strlen(signer), b = strlen(root);
  char *both = malloc(a + b + 1);
  if (!both) return NULL;
  memcpy(both, signer, a);
  memcpy(both + a, root, b + 1);
  char *enc = sgxra_pcs_url_encode(both, a + b);
  free(both);
  return enc;
}

/* DER -> PEM "X509 CRL" (malloc'ed). */
static char *crl_pem(const uint8_t *der, size_t n, size_t *out_len) {
  size_t b64 = 4 * ((n + 2) / 3);
  size_t lines = b64 / 64 + 1;
  static const char head[] = "-----BEGIN X509 CRL-----\n";
  static const char tail[] = "-----END X509 CRL-----\n";
  char *enc = malloc(b64 + 1);
  char *out = malloc(sizeof head + b64 + lines + sizeof tail);
  if (!enc || !out) {
    free(enc);
    free(out);
    return NULL;
  }
  sgxra_base64_encode(der, n, enc);
  size_t o = 0;
  memcpy(out, head, sizeof head - 1);
  o += sizeof head - 1;
  for (size_t i = 0; i < b64; i += 64) {
    size_t k = b64 - i < 64 ? b64 - i : 64;
    memcpy(out + o, enc + i, k);
    o += k;
    out[o++] = '\n';
  }
  memcpy(out + o, tail, sizeof tail - 1);
  o += sizeof tail - 1;
  free(enc);
  *out_len = o;
  return out;
}

static sgxra_err prepare(sgxra_ctx *cx, const char *dir, int64_t now,
                         prepared **out) {
  *out = NULL;
  prepared *p = calloc(1, sizeof(*p));
  if (!p) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  atomic_init(&p->refs, 1);
  p->built = now;
  sgxra_err e = sgxra_intelca_open(cx, dir, &p->ca);
  if (e) goto fail;
  sgxra_intelca *ca = p->ca;
  p->chain_tcb = issuer_chain(sgxra_intelca_tcb_signing_pem(ca),
                              sgxra_intelca_root_pem(ca));
  p->chain_pca = issuer_chain(sgxra_intelca_platform_ca_pem(ca),
                              sgxra_intelca_root_pem(ca));
  p->chain_xca = issuer_chain(sgxra_intelca_processor_ca_pem(ca),
                              sgxra_intelca_root_pem(ca));
  p->n_fmspc = sgxra_intelca_fmspc_count(ca);
  p->fmspc = calloc(p->n_fmspc ? p->n_fmspc : 1, sizeof *p->fmspc);
  p->tcb = calloc(p->n_fmspc ? 2 * p->n_fmspc : 1, sizeof *p->tcb);
  json_t *list = json_array();
  if (!p->chain_tcb || !p->chain_pca || !p->chain_xca || !p->fmspc || !p->tcb ||
      !list) {
    json_decref(list);
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    goto fail;
  }
  for (size_t i = 0; i < p->n_fmspc; i++) {
    char hex[2 * SGXRA_PCKEXT_FMSPC_SIZE + 1];
    if (!sgxra_intelca_fmspc_get(ca, i, p->fmspc[i])) {
      json_decref(list);
      e = sgxra__fail(cx, SGXRA_E_CA_STATE,
                      "simulated Intel CA: %s/state.json: FMSPC %zu is not "
                      "12 hex digits",
                      dir, i);
      goto fail;
    }
    sgxra_hex_encode(p->fmspc[i], SGXRA_PCKEXT_FMSPC_SIZE, hex);
    for (char *c = hex; *c; c++)
      if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
    json_array_append_new(list,
                          json_pack("{s:s, s:s}", "fmspc", hex, "platform",
                                    SGXRA_PCS_FMSPC_PLATFORM));
    for (int u = 0; u < 2; u++)
      if ((e = sgxra_intelca_tcb_info_update(
               cx, ca, p->fmspc[i], (sgxra_intelca_update)u, now,
               &p->tcb[2 * i + u].p, &p->tcb[2 * i + u].n))) {
        json_decref(list);
        goto fail;
      }
  }
  p->fmspcs_json.p = json_dumps(list, JSON_COMPACT);
  json_decref(list);
  if (!p->fmspcs_json.p) {
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    goto fail;
  }
  p->fmspcs_json.n = strlen(p->fmspcs_json.p);
  for (int u = 0; u < 2; u++) {
    if ((e = sgxra_intelca_enclave_identity(cx, ca, SGXRA_INTELCA_ENCLAVE_QE,
                                            (sgxra_intelca_update)u, now,
                                            &p->qe[u].p, &p->qe[u].n)) ||
        (e = sgxra_intelca_enclave_identity(cx, ca, SGXRA_INTELCA_ENCLAVE_QVE,
                                            (sgxra_intelca_update)u, now,
                                            &p->qve[u].p, &p->qve[u].n)))
      goto fail;
  }
  for (int w = 0; w < 2; w++) {
    uint8_t *der = NULL;
    if ((e = sgxra_intelca_pck_crl_of(cx, ca, (sgxra_intelca_pck_ca)w, now,
                                      &der, &p->crl_der[w].n)))
      goto fail;
    p->crl_der[w].p = (char *)der;
    p->crl_pem[w].p = crl_pem(der, p->crl_der[w].n, &p->crl_pem[w].n);
    if (!p->crl_pem[w].p) {
      e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
      goto fail;
    }
  }
  uint8_t *der = NULL;
  if ((e = sgxra_intelca_root_crl(cx, ca, now, &der, &p->rootcrl.n))) goto fail;
  p->rootcrl.p = (char *)der;
  *out = p;
  return SGXRA_OK;
fail:
  prepared_unref(p);
  return e;
}

static int stamp_of(const char *path, stamp *out) {
  struct stat sb;
  memset(out, 0, sizeof(*out));
  if (stat(path, &sb) != 0) return 0;
  out->dev = sb.st_dev;
  out->ino = sb.st_ino;
  out->size = sb.st_size;
  out->mtim = sb.st_mtim;
  out->ctim = sb.st_ctim;
  return 1;
}

static int stamp_same(const stamp *a, const stamp *b) {
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtim.tv_sec == b->mtim.tv_sec &&
         a->mtim.tv_nsec == b->mtim.tv_nsec &&
         a->ctim.tv_sec == b->ctim.tv_sec && a->ctim.tv_nsec == b->ctim.tv_nsec;
}

/* The current set, with a reference the caller drops (prepared_unref). */
static sgxra_err current(sgxra_pcs_server *s, sgxra_ctx *cx, int64_t now,
                         prepared **out) {
  *out = NULL;
  sgxra_err e = SGXRA_OK;
  pthread_mutex_lock(&s->lock);
  stamp st;
  stamp_of(s->state_path, &st);
  prepared *p = s->cur;
  if (!p || s->reload || !stamp_same(&st, &s->cur_stamp) || now < p->built ||
      now - p->built >= REFRESH_SECONDS) {
    prepared *np = NULL;
    e = prepare(cx, s->ca_dir, now, &np);
    if (!e) {
      prepared_unref(s->cur);
      s->cur = np;
      s->cur_stamp = st;
      s->reload = 0;
      atomic_fetch_add(&s->preparations, 1);
    }
  }
  if (!e) {
    atomic_fetch_add(&s->cur->refs, 1);
    *out = s->cur;
  }
  pthread_mutex_unlock(&s->lock);
  return e;
}

/* ---- responses ------------------------------------------------------------
 */

/* Queue `body` (copied) with status and headers (NULL-terminated name,
 * value pairs), plus Content-Type and a random Request-ID. */
static enum MHD_Result reply(struct MHD_Connection *conn, request *rq,
                             unsigned status, const void *body, size_t n,
                             const char *type, ...) {
  struct MHD_Response *r = MHD_create_response_from_buffer(
      n, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  uint8_t id[REQUEST_ID_BYTES];
  char idhex[2 * REQUEST_ID_BYTES + 1];
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx || sgxra_random(cx, id, sizeof id) != SGXRA_OK)
    memset(id, 0, sizeof id);
  sgxra_ctx_free(cx);
  sgxra_hex_encode(id, sizeof id, idhex);
  MHD_add_response_header(r, "Request-ID", idhex);
  va_list ap;
  va_start(ap, type);
  const char *name;
  while ((name = va_arg(ap, const char *)) != NULL) {
    const char *value = va_arg(ap, const char *);
    if (value) MHD_add_response_header(r, name, value);
  }
  va_end(ap);
  enum MHD_Result ret = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  if (rq) {
    rq->status = status;
    rq->bytes = n;
  }
  return ret;
}

/* A 4xx/5xx: Error-Code and Error-Message headers, the message as a
 * one-line text body. */
static enum MHD_Result fail_reply(struct MHD_Connection *conn, request *rq,
                                  unsigned status, const char *code,
                                  const char *fmt, ...) SGXRA__PRINTF(5, 6);
static enum MHD_Result fail_reply(struct MHD_Connection *conn, request *rq,
                                  unsigned status, const char *code,
                                  const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof line - 1) n = (int)sizeof line - 2;
  line[n] = 0;
  sgxra__http_header_safe(line);
  char body[sizeof line + 1];
  memcpy(body, line, (size_t)n);
  body[n] = '\n';
  return reply(conn, rq, status, body, (size_t)n + 1, "text/plain",
               "Error-Code", code, "Error-Message", line, (const char *)NULL);
}

static enum MHD_Result internal_error(struct MHD_Connection *conn, request *rq,
                                      const sgxra_ctx *cx) {
  return fail_reply(conn, rq, MHD_HTTP_INTERNAL_SERVER_ERROR, "InternalError",
                    "simulated PCS: %s", sgxra_ctx_message(cx));
}

static const char *arg(struct MHD_Connection *conn, const char *name) {
  return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

/* update=standard|early (default standard, as Intel's PCS); -1 bad. */
static int update_arg(struct MHD_Connection *conn) {
  const char *u = arg(conn, "update");
  if (!u || !strcmp(u, "standard")) return SGXRA_INTELCA_UPDATE_STANDARD;
  if (!strcmp(u, "early")) return SGXRA_INTELCA_UPDATE_EARLY;
  return -1;
}

static enum MHD_Result bad_update(struct MHD_Connection *conn, request *rq) {
  return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                    "query parameter update must be 'standard' or 'early', "
                    "got '%.40s'",
                    arg(conn, "update"));
}

/* Exactly 2n hex digits into out. */
static int hex_arg(const char *s, uint8_t *out, size_t n) {
  if (!s || strlen(s) != 2 * n) return 0;
  sgxra_ctx *cx = sgxra_ctx_new();
  int ok = cx && sgxra_hex_decode(cx, s, 2 * n, out, n) == SGXRA_OK;
  sgxra_ctx_free(cx);
  return ok;
}

static enum MHD_Result serve_tcb(struct MHD_Connection *conn, request *rq,
                                 const prepared *p) {
  const char *fm = arg(conn, "fmspc");
  uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE];
  if (!fm)
    return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                      "missing query parameter fmspc (12 hex digits)");
  if (!hex_arg(fm, fmspc, sizeof fmspc))
    return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                      "fmspc must be 12 hex digits, got '%.40s'", fm);
  int u = update_arg(conn);
  if (u < 0) return bad_update(conn, rq);
  for (size_t i = 0; i < p->n_fmspc; i++)
    if (!memcmp(p->fmspc[i], fmspc, sizeof fmspc)) {
      const blob *b = &p->tcb[2 * i + (size_t)u];
      return reply(conn, rq, MHD_HTTP_OK, b->p, b->n, "application/json",
                   "TCB-Info-Issuer-Chain", p->chain_tcb, (const char *)NULL);
    }
  return fail_reply(conn, rq, MHD_HTTP_NOT_FOUND, ERR_NOT_FOUND,
                    "no TCB Info for fmspc %.12s: no platform with this "
                    "FMSPC was provisioned by this CA",
                    fm);
}

static enum MHD_Result serve_identity(struct MHD_Connection *conn, request *rq,
                                      const prepared *p, int qve) {
  int u = update_arg(conn);
  if (u < 0) return bad_update(conn, rq);
  const blob *b = qve ? &p->qve[u] : &p->qe[u];
  return reply(conn, rq, MHD_HTTP_OK, b->p, b->n, "application/json",
               "SGX-Enclave-Identity-Issuer-Chain", p->chain_tcb,
               (const char *)NULL);
}

static enum MHD_Result serve_pckcrl(struct MHD_Connection *conn, request *rq,
                                    const prepared *p) {
  const char *which = arg(conn, "ca");
  const char *enc = arg(conn, "encoding");
  if (!which || (strcmp(which, "platform") && strcmp(which, "processor")))
    return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                      "query parameter ca must be 'platform' or 'processor', "
                      "got '%.40s'",
                      which ? which : "(missing)");
  if (enc && strcmp(enc, "der") && strcmp(enc, "pem"))
    return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                      "query parameter encoding must be 'der' or 'pem', got "
                      "'%.40s'",
                      enc);
  int w = !strcmp(which, "processor") ? SGXRA_INTELCA_PCK_PROCESSOR
                                      : SGXRA_INTELCA_PCK_PLATFORM;
  const char *chain = w ? p->chain_xca : p->chain_pca;
  if (enc && !strcmp(enc, "der"))
    return reply(conn, rq, MHD_HTTP_OK, p->crl_der[w].p, p->crl_der[w].n,
                 "application/pkix-crl", "SGX-PCK-CRL-Issuer-Chain", chain,
                 (const char *)NULL);
  return reply(conn, rq, MHD_HTTP_OK, p->crl_pem[w].p, p->crl_pem[w].n,
               "application/x-pem-file", "SGX-PCK-CRL-Issuer-Chain", chain,
               (const char *)NULL);
}

static enum MHD_Result serve_fmspcs(struct MHD_Connection *conn, request *rq,
                                    const prepared *p) {
  const char *plat = arg(conn, "platform");
  if (!plat || !strcasecmp(plat, "all") ||
      !strcasecmp(plat, SGXRA_PCS_FMSPC_PLATFORM))
    return reply(conn, rq, MHD_HTTP_OK, p->fmspcs_json.p, p->fmspcs_json.n,
                 "application/json", (const char *)NULL);
  if (!strcasecmp(plat, "client") || !strcasecmp(plat, "E3"))
    return reply(conn, rq, MHD_HTTP_OK, "[]", 2, "application/json",
                 (const char *)NULL);
  return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                    "query parameter platform must be all, client, E3 or E5, "
                    "got '%.40s'",
                    plat);
}

static enum MHD_Result serve_pckcert(struct MHD_Connection *conn, request *rq,
                                     sgxra_ctx *cx, const prepared *p) {
  uint8_t ppid[SGXRA_PCKEXT_PPID_SIZE], cpusvn[SGXRA_CPUSVN_SIZE],
      pceid[SGXRA_PCKEXT_PCEID_SIZE], pcesvn_raw[2];
  const char *pp = arg(conn, "encrypted_ppid"), *cs = arg(conn, "cpusvn"),
             *ps = arg(conn, "pcesvn"), *pi = arg(conn, "pceid");
  if (!pp || !cs || !ps || !pi)
    return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                      "pckcert needs encrypted_ppid, cpusvn, pcesvn and pceid "
                      "(missing %s)",
                      !pp   ? "encrypted_ppid"
                      : !cs ? "cpusvn"
                      : !ps ? "pcesvn"
                            : "pceid");
  if (!hex_arg(pp, ppid, sizeof ppid))
    return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                      "encrypted_ppid: this simulated PCS takes the plain "
                      "PPID, 32 hex digits, got %zu characters",
                      strlen(pp));
  if (!hex_arg(cs, cpusvn, sizeof cpusvn))
    return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                      "cpusvn must be 32 hex digits, got '%.40s'", cs);
  /* PCESVN and PCE-ID: 2 bytes little-endian in hex, as Intel's API. */
  if (!hex_arg(ps, pcesvn_raw, 2))
    return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                      "pcesvn must be 4 hex digits (little-endian), got "
                      "'%.40s'",
                      ps);
  if (!hex_arg(pi, pceid, sizeof pceid))
    return fail_reply(conn, rq, MHD_HTTP_BAD_REQUEST, ERR_SYNTAX,
                      "pceid must be 4 hex digits, got '%.40s'", pi);
  uint16_t pcesvn = (uint16_t)(pcesvn_raw[0] | pcesvn_raw[1] << 8);
  sgxra_intelca_pck_record rec;
  sgxra_err e =
      sgxra_intelca_pck_lookup(cx, p->ca, ppid, cpusvn, pcesvn, pceid, &rec);
  if (e == SGXRA_E_CA_PCK_NOT_FOUND)
    return fail_reply(conn, rq, MHD_HTTP_NOT_FOUND, ERR_NOT_FOUND, "%s",
                      sgxra_ctx_message(cx));
  if (e) return internal_error(conn, rq, cx);
  char tcbm[2 * (SGXRA_CPUSVN_SIZE + 2) + 1], fm[13];
  uint8_t raw[SGXRA_CPUSVN_SIZE + 2];
  memcpy(raw, rec.cpusvn, SGXRA_CPUSVN_SIZE);
  raw[SGXRA_CPUSVN_SIZE] = (uint8_t)(rec.pcesvn & 0xff);
  raw[SGXRA_CPUSVN_SIZE + 1] = (uint8_t)(rec.pcesvn >> 8);
  sgxra_hex_encode(raw, sizeof raw, tcbm);
  sgxra_hex_encode(rec.fmspc, sizeof rec.fmspc, fm);
  for (char *c = tcbm; *c; c++)
    if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
  for (char *c = fm; *c; c++)
    if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 'a' + 'A');
  int proc = rec.issuer == SGXRA_INTELCA_PCK_PROCESSOR;
  enum MHD_Result r = reply(
      conn, rq, MHD_HTTP_OK, rec.pem, strlen(rec.pem), "application/x-pem-file",
      "SGX-PCK-Certificate-Issuer-Chain", proc ? p->chain_xca : p->chain_pca,
      "SGX-TCBm", tcbm, "SGX-FMSPC", fm, "SGX-PCK-Certificate-CA-Type",
      proc ? "processor" : "platform", (const char *)NULL);
  sgxra_intelca_pck_record_clear(&rec);
  return r;
}

enum route {
  R_TCB,
  R_QE,
  R_QVE,
  R_PCKCRL,
  R_ROOTCRL,
  R_FMSPCS,
  R_PCKCERT,
  R_NONE
};

static enum route route_of(const char *rest) {
  static const struct {
    const char *path;
    enum route r;
  } t[] = {{"/tcb", R_TCB},           {"/qe/identity", R_QE},
           {"/qve/identity", R_QVE},  {"/pckcrl", R_PCKCRL},
           {"/rootcacrl", R_ROOTCRL}, {"/fmspcs", R_FMSPCS},
           {"/pckcert", R_PCKCERT}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (!strcmp(rest, t[i].path)) return t[i].r;
  return R_NONE;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls) {
  (void)version;
  (void)upload_data;
  sgxra_pcs_server *s = cls;
  request *rq = *con_cls;
  if (!rq) { /* first call: headers only */
    rq = calloc(1, sizeof(*rq));
    if (!rq) return MHD_NO;
    sgxra__http_req_begin(rq, method, url);
    *con_cls = rq;
    return MHD_YES;
  }
  if (*upload_data_size != 0) { /* a body: not for us */
    *upload_data_size = 0;
    return MHD_YES;
  }
  atomic_fetch_add(&s->requests, 1);
  if (strcmp(method, "GET") && strcmp(method, "HEAD"))
    return fail_reply(conn, rq, MHD_HTTP_METHOD_NOT_ALLOWED, "MethodNotAllowed",
                      "method %.16s not allowed: the PCS API is GET only",
                      method);
  const char *prefix = SGXRA_PCS_PREFIX;
  size_t pl = strlen(prefix);
  enum route which =
      strncmp(url, prefix, pl) == 0 ? route_of(url + pl) : R_NONE;
  if (which == R_NONE)
    return fail_reply(conn, rq, MHD_HTTP_NOT_FOUND, ERR_NOT_FOUND,
                      "no such path %.200s: served under "
                      "/sgx/certification/v4/ are tcb, qe/identity, "
                      "qve/identity, pckcrl, rootcacrl, fmspcs, pckcert",
                      url);
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) return MHD_NO;
  int64_t now = s->clock ? s->clock(s->clock_arg) : s->now;
  prepared *p = NULL;
  enum MHD_Result r;
  if (current(s, cx, now, &p) != SGXRA_OK) {
    r = internal_error(conn, rq, cx);
  } else {
    switch (which) {
    case R_TCB:
      r = serve_tcb(conn, rq, p);
      break;
    case R_QE:
    case R_QVE:
      r = serve_identity(conn, rq, p, which == R_QVE);
      break;
    case R_PCKCRL:
      r = serve_pckcrl(conn, rq, p);
      break;
    case R_FMSPCS:
      r = serve_fmspcs(conn, rq, p);
      break;
    case R_PCKCERT:
      r = serve_pckcert(conn, rq, cx, p);
      break;
    default:
      r = reply(conn, rq, MHD_HTTP_OK, p->rootcrl.p, p->rootcrl.n,
                "application/pkix-crl", (const char *)NULL);
      break;
    }
  }
  prepared_unref(p);
  sgxra_ctx_free(cx);
  return r;
}

/* A request is over: its log line, then its bookkeeping freed. */
static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
  (void)conn;
  sgxra_pcs_server *s = cls;
  request *rq = *con_cls;
  if (!rq) return;
  if (rq->status)
    sgxra__http_log(s->log, "pcs", rq, NULL,
                    toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
  free(rq);
  *con_cls = NULL;
}

/* ---- start / stop
 * ------------------------------------------------------------ */

static void server_free(sgxra_pcs_server *s) {
  prepared_unref(s->cur);
  pthread_mutex_destroy(&s->lock);
  free(s->ca_dir);
  free(s->state_path);
  free(s);
}

sgxra_err sgxra_pcs_start(sgxra_ctx *cx, const char *ca_dir,
                          const sgxra_pcs_options *opt,
                          sgxra_pcs_server **out_server) {
  if (out_server) *out_server = NULL;
  if (!ca_dir || !out_server)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "PCS: CA folder and output are required");
  sgxra_err le = sgxra__mhd_load(cx);
  if (le) return le;
  const char *listen =
      opt && opt->listen ? opt->listen : SGXRA_PCS_DEFAULT_LISTEN;
  struct sockaddr_in addr;
  sgxra_err e = sgxra__http_parse_listen(cx, listen, &addr);
  if (e) return e;
  sgxra_pcs_server *s = calloc(1, sizeof(*s));
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  size_t dl = strlen(ca_dir);
  s->ca_dir = strdup(ca_dir);
  s->state_path = malloc(dl + sizeof "/state.json");
  if (!s->ca_dir || !s->state_path || pthread_mutex_init(&s->lock, NULL)) {
    free(s->ca_dir);
    free(s->state_path);
    free(s);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  snprintf(s->state_path, dl + sizeof "/state.json", "%s/state.json", ca_dir);
  unsigned threads = 0, timeout = 0, max_conn = 0, per_ip = 0, req_timeout = 0;
  if (opt) {
    s->clock = opt->clock;
    s->clock_arg = opt->clock_arg;
    s->now = opt->now;
    s->log = opt->log;
    threads = opt->threads;
    timeout = opt->connection_timeout;
    max_conn = opt->max_connections;
    per_ip = opt->per_ip_connections;
    req_timeout = opt->request_timeout;
  }
  if (!timeout) timeout = SGXRA_PCS_DEFAULT_TIMEOUT;
  if (!max_conn) max_conn = SGXRA_PCS_DEFAULT_MAX_CONNECTIONS;
  if (!per_ip) per_ip = SGXRA_PCS_DEFAULT_PER_IP;
  if (!req_timeout) req_timeout = timeout;
  atomic_init(&s->requests, 0);
  atomic_init(&s->preparations, 0);
  /* The CA must open (and sign) now, so that a wrong folder fails at start
   * and the first request is answered from a ready set. */
  int64_t now = s->clock ? s->clock(s->clock_arg) : s->now;
  stamp_of(s->state_path, &s->cur_stamp);
  if ((e = prepare(cx, ca_dir, now, &s->cur))) {
    server_free(s);
    return e;
  }
  atomic_fetch_add(&s->preparations, 1);
  sgxra__http_daemon_opts d = {.addr = &addr,
                               .threads = threads,
                               .timeout = timeout,
                               .request_timeout = req_timeout,
                               .max_connections = max_conn,
                               .per_ip = per_ip,
                               .handler = handler,
                               .handler_cls = s,
                               .completed = completed,
                               .completed_cls = s};
  s->daemon = sgxra__http_start_watched(&d, &s->watch);
  if (!s->daemon) {
    server_free(s);
    return sgxra__fail(cx, SGXRA_E_NET_LISTEN,
                       "PCS: cannot listen on %s (port in use or not "
                       "permitted?); choose another with --listen",
                       listen);
  }
  s->port = sgxra__http_port(s->daemon, ntohs(addr.sin_port));
  *out_server = s;
  return SGXRA_OK;
}

uint16_t sgxra_pcs_port(const sgxra_pcs_server *s) {
  return s ? s->port : 0;
}

uint64_t sgxra_pcs_requests(const sgxra_pcs_server *s) {
  return s ? (uint64_t)atomic_load(&((sgxra_pcs_server *)s)->requests) : 0;
}

uint64_t sgxra_pcs_preparations(const sgxra_pcs_server *s) {
  return s ? (uint64_t)atomic_load(&((sgxra_pcs_server *)s)->preparations) : 0;
}

void sgxra_pcs_reload(sgxra_pcs_server *s) {
  if (!s) return;
  pthread_mutex_lock(&s->lock);
  s->reload = 1;
  pthread_mutex_unlock(&s->lock);
}

void sgxra_pcs_stop(sgxra_pcs_server *s) {
  if (!s) return;
  if (s->daemon) MHD_stop_daemon(s->daemon);
  sgxra__http_watch_free(s->watch);
  server_free(s);
}
