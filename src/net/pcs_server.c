/* The simulated Intel PCS over HTTP: see sgxra/pcs.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "core/internal.h"
#include "sgxra/hex.h"
#include "sgxra/intelca.h"
#include "sgxra/pcs.h"

struct sgxra_pcs_server {
  struct MHD_Daemon *daemon;
  char *ca_dir;
  sgxra_pcs_clock_fn clock;
  void *clock_arg;
  int64_t now;
  uint16_t port;
  atomic_uint_fast64_t requests;
};

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

/* ---- responses ------------------------------------------------------------
 */

static enum MHD_Result send_bytes(struct MHD_Connection *conn, unsigned status,
                                  void *body, size_t n, const char *type,
                                  const char *hname, const char *hvalue) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
  if (!r) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type", type);
  if (hname && hvalue) MHD_add_response_header(r, hname, hvalue);
  enum MHD_Result ret = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status,
                                 const char *fmt, ...) SGXRA__PRINTF(3, 4);
static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status,
                                 const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof line - 1) n = (int)sizeof line - 2;
  line[n++] = '\n';
  char *body = malloc((size_t)n);
  if (!body) return MHD_NO;
  memcpy(body, line, (size_t)n);
  return send_bytes(conn, status, body, (size_t)n, "text/plain", NULL, NULL);
}

/* Signer PEM + root PEM, URL-encoded. */
static char *issuer_chain(const char *signer, const char *root) {
  size_t a = strlen(signer), b = strlen(root);
  char *both = malloc(a + b + 1);
  if (!both) return NULL;
  memcpy(both, signer, a);
  memcpy(both + a, root, b + 1);
  char *enc = sgxra_pcs_url_encode(both, a + b);
  free(both);
  return enc;
}

static enum MHD_Result internal_error(struct MHD_Connection *conn,
                                      const sgxra_ctx *cx) {
  return send_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "simulated PCS: %s",
                   sgxra_ctx_message(cx));
}

static enum MHD_Result serve_tcb(struct MHD_Connection *conn, sgxra_ctx *cx,
                                 sgxra_intelca *ca, int64_t now) {
  const char *fm =
      MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "fmspc");
  uint8_t fmspc[SGXRA_PCKEXT_FMSPC_SIZE];
  if (!fm)
    return send_text(conn, MHD_HTTP_BAD_REQUEST,
                     "missing query parameter fmspc (12 hex digits)");
  if (sgxra_hex_decode(cx, fm, strlen(fm), fmspc, sizeof fmspc) != SGXRA_OK)
    return send_text(conn, MHD_HTTP_BAD_REQUEST,
                     "fmspc must be 12 hex digits, got '%.40s'", fm);
  if (!sgxra_intelca_has_fmspc(ca, fmspc))
    return send_text(conn, MHD_HTTP_NOT_FOUND,
                     "no TCB Info for fmspc %.12s: no platform with this "
                     "FMSPC was provisioned by this CA",
                     fm);
  char *json = NULL;
  size_t n = 0;
  if (sgxra_intelca_tcb_info(cx, ca, fmspc, now, &json, &n))
    return internal_error(conn, cx);
  char *chain = issuer_chain(sgxra_intelca_tcb_signing_pem(ca),
                             sgxra_intelca_root_pem(ca));
  enum MHD_Result r = send_bytes(conn, MHD_HTTP_OK, json, n, "application/json",
                                 "TCB-Info-Issuer-Chain", chain);
  free(chain);
  return r;
}

static enum MHD_Result serve_qe(struct MHD_Connection *conn, sgxra_ctx *cx,
                                sgxra_intelca *ca, int64_t now) {
  char *json = NULL;
  size_t n = 0;
  if (sgxra_intelca_qe_identity(cx, ca, now, &json, &n))
    return internal_error(conn, cx);
  char *chain = issuer_chain(sgxra_intelca_tcb_signing_pem(ca),
                             sgxra_intelca_root_pem(ca));
  enum MHD_Result r = send_bytes(conn, MHD_HTTP_OK, json, n, "application/json",
                                 "SGX-Enclave-Identity-Issuer-Chain", chain);
  free(chain);
  return r;
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

static enum MHD_Result serve_pckcrl(struct MHD_Connection *conn, sgxra_ctx *cx,
                                    sgxra_intelca *ca, int64_t now) {
  const char *which =
      MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "ca");
  const char *enc =
      MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "encoding");
  if (!which || (strcmp(which, "platform") && strcmp(which, "processor")))
    return send_text(conn, MHD_HTTP_BAD_REQUEST,
                     "query parameter ca must be 'platform' or 'processor', "
                     "got '%.40s'",
                     which ? which : "(missing)");
  if (enc && strcmp(enc, "der") && strcmp(enc, "pem"))
    return send_text(conn, MHD_HTTP_BAD_REQUEST,
                     "query parameter encoding must be 'der' or 'pem', got "
                     "'%.40s'",
                     enc);
  if (!strcmp(which, "processor"))
    return send_text(conn, MHD_HTTP_NOT_FOUND,
                     "this simulated PCS has no PCK Processor CA; ask for "
                     "ca=platform");
  uint8_t *der = NULL;
  size_t n = 0;
  if (sgxra_intelca_pck_crl(cx, ca, now, &der, &n))
    return internal_error(conn, cx);
  char *chain = issuer_chain(sgxra_intelca_platform_ca_pem(ca),
                             sgxra_intelca_root_pem(ca));
  enum MHD_Result r;
  if (enc && !strcmp(enc, "der")) {
    r = send_bytes(conn, MHD_HTTP_OK, der, n, "application/pkix-crl",
                   "SGX-PCK-CRL-Issuer-Chain", chain);
  } else {
    size_t pn = 0;
    char *pem = crl_pem(der, n, &pn);
    free(der);
    r = pem ? send_bytes(conn, MHD_HTTP_OK, pem, pn, "application/x-pem-file",
                         "SGX-PCK-CRL-Issuer-Chain", chain)
            : MHD_NO;
  }
  free(chain);
  return r;
}

static enum MHD_Result serve_rootcrl(struct MHD_Connection *conn, sgxra_ctx *cx,
                                     sgxra_intelca *ca, int64_t now) {
  uint8_t *der = NULL;
  size_t n = 0;
  if (sgxra_intelca_root_crl(cx, ca, now, &der, &n))
    return internal_error(conn, cx);
  return send_bytes(conn, MHD_HTTP_OK, der, n, "application/pkix-crl", NULL,
                    NULL);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls) {
  (void)version;
  (void)upload_data;
  (void)con_cls;
  sgxra_pcs_server *s = cls;
  if (*upload_data_size != 0) { /* a body: not for us */
    *upload_data_size = 0;
    return MHD_YES;
  }
  atomic_fetch_add(&s->requests, 1);
  if (strcmp(method, "GET") && strcmp(method, "HEAD"))
    return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                     "method %.16s not allowed: the PCS API is GET only",
                     method);
  const char *prefix = SGXRA_PCS_PREFIX;
  size_t pl = strlen(prefix);
  if (strncmp(url, prefix, pl) != 0)
    return send_text(conn, MHD_HTTP_NOT_FOUND,
                     "no such path %.200s: the PCS v4 API lives under "
                     "/sgx/certification/v4/",
                     url);
  const char *rest = url + pl;
  enum {
    P_TCB,
    P_QE,
    P_PCKCRL,
    P_ROOTCRL,
    P_NONE
  } which = !strcmp(rest, "/tcb")           ? P_TCB
            : !strcmp(rest, "/qe/identity") ? P_QE
            : !strcmp(rest, "/pckcrl")      ? P_PCKCRL
            : !strcmp(rest, "/rootcacrl")   ? P_ROOTCRL
                                            : P_NONE;
  if (which == P_NONE)
    return send_text(conn, MHD_HTTP_NOT_FOUND,
                     "no such path %.200s: served are tcb?fmspc=, "
                     "qe/identity, pckcrl?ca=&encoding=, rootcacrl",
                     url);
  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) return MHD_NO;
  sgxra_intelca *ca = NULL;
  enum MHD_Result r;
  if (sgxra_intelca_open(cx, s->ca_dir, &ca) != SGXRA_OK) {
    r = internal_error(conn, cx);
  } else {
    int64_t now = s->clock ? s->clock(s->clock_arg) : s->now;
    switch (which) {
    case P_TCB:
      r = serve_tcb(conn, cx, ca, now);
      break;
    case P_QE:
      r = serve_qe(conn, cx, ca, now);
      break;
    case P_PCKCRL:
      r = serve_pckcrl(conn, cx, ca, now);
      break;
    default:
      r = serve_rootcrl(conn, cx, ca, now);
      break;
    }
  }
  sgxra_intelca_free(ca);
  sgxra_ctx_free(cx);
  return r;
}

/* ---- start / stop
 * ------------------------------------------------------------ */

static sgxra_err parse_listen(sgxra_ctx *cx, const char *s,
                              struct sockaddr_in *out) {
  memset(out, 0, sizeof(*out));
  const char *colon = strrchr(s, ':');
  char host[64];
  if (!colon || (size_t)(colon - s) >= sizeof host || colon == s)
    return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                       "listen address '%s': expected HOST:PORT, e.g. "
                       "127.0.0.1:8081",
                       s);
  memcpy(host, s, (size_t)(colon - s));
  host[colon - s] = 0;
  const char *ps = colon + 1;
  unsigned long port = 0;
  if (!*ps || strlen(ps) > 5)
    return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                       "listen address '%s': port must be 0..65535", s);
  for (const char *c = ps; *c; c++) {
    if (*c < '0' || *c > '9')
      return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                         "listen address '%s': port must be 0..65535", s);
    port = port * 10 + (unsigned long)(*c - '0');
  }
  if (port > 65535)
    return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                       "listen address '%s': port must be 0..65535", s);
  if (!strcmp(host, "localhost")) strcpy(host, "127.0.0.1");
  if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
    return sgxra__fail(cx, SGXRA_E_NET_ADDRESS,
                       "listen address '%s': host must be an IPv4 address "
                       "such as 127.0.0.1",
                       s);
  out->sin_family = AF_INET;
  out->sin_port = htons((uint16_t)port);
  return SGXRA_OK;
}

sgxra_err sgxra_pcs_start(sgxra_ctx *cx, const char *ca_dir,
                          const sgxra_pcs_options *opt,
                          sgxra_pcs_server **out_server) {
  if (out_server) *out_server = NULL;
  if (!ca_dir || !out_server)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "PCS: CA folder and output are required");
  const char *listen =
      opt && opt->listen ? opt->listen : SGXRA_PCS_DEFAULT_LISTEN;
  struct sockaddr_in addr;
  sgxra_err e = parse_listen(cx, listen, &addr);
  if (e) return e;
  /* The CA must open now, so that a wrong folder fails at start. */
  sgxra_intelca *ca = NULL;
  if ((e = sgxra_intelca_open(cx, ca_dir, &ca))) return e;
  sgxra_intelca_free(ca);
  sgxra_pcs_server *s = calloc(1, sizeof(*s));
  if (!s) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  s->ca_dir = strdup(ca_dir);
  if (!s->ca_dir) {
    free(s);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  if (opt) {
    s->clock = opt->clock;
    s->clock_arg = opt->clock_arg;
    s->now = opt->now;
  }
  atomic_init(&s->requests, 0);
  s->daemon = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD, ntohs(addr.sin_port), NULL, NULL,
      handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_END);
  if (!s->daemon) {
    free(s->ca_dir);
    free(s);
    return sgxra__fail(cx, SGXRA_E_NET_LISTEN,
                       "PCS: cannot listen on %s (port in use or not "
                       "permitted?); choose another with --listen",
                       listen);
  }
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
  s->port = info ? info->port : ntohs(addr.sin_port);
  *out_server = s;
  return SGXRA_OK;
}

uint16_t sgxra_pcs_port(const sgxra_pcs_server *s) {
  return s ? s->port : 0;
}

uint64_t sgxra_pcs_requests(const sgxra_pcs_server *s) {
  return s ? (uint64_t)atomic_load(&((sgxra_pcs_server *)s)->requests) : 0;
}

void sgxra_pcs_stop(sgxra_pcs_server *s) {
  if (!s) return;
  if (s->daemon) MHD_stop_daemon(s->daemon);
  free(s->ca_dir);
  free(s);
}
