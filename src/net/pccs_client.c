/* The PCS/PCCS collateral client: configuration, keys, HTTP with retries,
 * the memory cache and the store cache (see sgxra/pccs.h). */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/internal.h"
#include "net/dl_curl.h"
#include "sgxra/file.h"
#include "sgxra/hex.h"
#include "sgxra/pccs.h"
#include "sgxra/quote.h"

/* The store lease a fetching process takes, and how long a process that
 * lost the claim waits for the winner's entry. */
#define LEASE_SECONDS 60
#define POLL_MS 100

/* ---- configuration --------------------------------------------------------
 */

void sgxra_pccs_config_init(sgxra_pccs_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  snprintf(cfg->base_url, sizeof cfg->base_url, "%s", SGXRA_PCCS_INTEL_PCS_URL);
  cfg->use_secure_cert = 1;
  cfg->connect_timeout_ms = 10000;
  cfg->total_timeout_ms = 60000;
  /* QCNL's shipped sgx_default_qcnl.conf: "retry_times": 6,
   * "retry_delay": 10 */
  cfg->retry_times = 6;
  cfg->retry_delay_ms = 10000;
  cfg->pccs_api_version = 31;
  cfg->cache_expire_hours = 168;
  cfg->refresh_margin = 3600;
  cfg->url_origin = SGXRA_PCCS_URL_DEFAULT;
}

/* Normalise `url` into out[cap]: http(s), ends in /sgx/certification/vN/. */
static sgxra_err norm_url(sgxra_ctx *cx, const char *url, char *out,
                          size_t cap) {
  size_t n = url ? strlen(url) : 0;
  if (n == 0) return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG, "empty PCCS URL");
  if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
    return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG,
                       "PCCS URL '%s': expected http:// or https://", url);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
      return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG,
                         "PCCS URL '%s': space or non-ASCII character", url);
  const char *host = strstr(url, "://") + 3;
  if (*host == 0 || *host == '/')
    return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG, "PCCS URL '%s': no host", url);
  while (n > 0 && url[n - 1] == '/') n--;
  /* ends in /sgx/certification/vN ? */
  static const char tail[] = "/sgx/certification/v";
  const char *s = url;
  size_t k = n;
  while (k > 0 && isdigit((unsigned char)s[k - 1])) k--;
  int has = k < n && k >= sizeof tail - 1 &&
            !memcmp(s + k - (sizeof tail - 1), tail, sizeof tail - 1);
  int w = has ? snprintf(out, cap, "%.*s/", (int)n, url)
              : snprintf(out, cap, "%.*s/sgx/certification/v4/", (int)n, url);
  if (w < 0 || (size_t)w >= cap)
    return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG, "PCCS URL too long (over %zu)",
                       cap - 1);
  return SGXRA_OK;
}

sgxra_err sgxra_pccs_config_set_url(sgxra_ctx *cx, sgxra_pccs_config *cfg,
                                    const char *url) {
  char tmp[SGXRA_PCCS_URL_MAX];
  sgxra_err e = norm_url(cx, url, tmp, sizeof tmp);
  if (e) return e;
  memcpy(cfg->base_url, tmp, sizeof tmp);
  return SGXRA_OK;
}

static sgxra_err conf_bool(sgxra_ctx *cx, const char *what, json_t *o,
                           const char *k, int *out) {
  json_t *v = json_object_get(o, k);
  if (!v) return SGXRA_OK;
  if (!json_is_boolean(v))
    return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG,
                       "%s: \"%s\" must be true or false", what, k);
  *out = json_is_true(v);
  return SGXRA_OK;
}

static sgxra_err conf_uint(sgxra_ctx *cx, const char *what, json_t *o,
                           const char *k, long long max, long long *out,
                           int *found) {
  json_t *v = json_object_get(o, k);
  *found = 0;
  if (!v) return SGXRA_OK;
  if (!json_is_integer(v) || json_integer_value(v) < 0 ||
      json_integer_value(v) > max)
    return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG,
                       "%s: \"%s\" must be an integer from 0 to %lld", what, k,
                       max);
  *out = json_integer_value(v);
  *found = 1;
  return SGXRA_OK;
}

static sgxra_err conf_str(sgxra_ctx *cx, const char *what, json_t *o,
                          const char *k, const char **out) {
  json_t *v = json_object_get(o, k);
  if (!v) return SGXRA_OK;
  if (!json_is_string(v))
    return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG, "%s: \"%s\" must be a string",
                       what, k);
  *out = json_string_value(v);
  return SGXRA_OK;
}

sgxra_err sgxra_pccs_config_load_qcnl(sgxra_ctx *cx, sgxra_pccs_config *cfg,
                                      const char *what, const char *text,
                                      size_t n) {
  if (!what) what = "QCNL configuration";
  if (n > SGXRA_PCCS_CONF_MAX)
    return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG, "%s: larger than %d bytes",
                       what, SGXRA_PCCS_CONF_MAX);
  /* Intel's file has whole-line // comments: blank them (line numbers of
   * JSON errors stay right). */
  char *buf = malloc(n + 1);
  if (!buf) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  memcpy(buf, text, n);
  buf[n] = 0;
  int bol = 1;
  for (size_t i = 0; i < n; i++) {
    if (buf[i] == '\n') {
      bol = 1;
      continue;
    }
    if (bol && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r')) continue;
    if (bol && buf[i] == '/' && i + 1 < n && buf[i + 1] == '/')
      while (i < n && buf[i] != '\n') buf[i++] = ' ';
    if (i < n && buf[i] == '\n') {
      bol = 1;
      continue;
    }
    bol = 0;
  }
  json_error_t je;
  json_t *o = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
  free(buf);
  if (!o)
    return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG, "%s: line %d: %s", what,
                       je.line, je.text);
  if (!json_is_object(o)) {
    json_decref(o);
    return sgxra__fail(cx, SGXRA_E_PCCS_CONFIG, "%s: not a JSON object", what);
  }
  sgxra_pccs_config c = *cfg;
  sgxra_err e = SGXRA_OK;
  const char *pccs = NULL, *coll = NULL, *api = NULL, *ignore = NULL;
  long long v;
  int found;
  if ((e = conf_str(cx, what, o, "pccs_url", &pccs)) ||
      (e = conf_str(cx, what, o, "collateral_service", &coll)) ||
      (e = conf_str(cx, what, o, "pccs_api_version", &api)) ||
      (e = conf_str(cx, what, o, "local_pck_url", &ignore)) ||
      (e = conf_bool(cx, what, o, "use_secure_cert", &c.use_secure_cert)) ||
      (e = conf_bool(cx, what, o, "local_cache_only", &c.local_cache_only)))
    goto out;
  json_t *cro = json_object_get(o, "custom_request_options");
  if (cro && !json_is_object(cro)) {
    e = sgxra__fail(cx, SGXRA_E_PCCS_CONFIG,
                    "%s: \"custom_request_options\" must be an object", what);
    goto out;
  }
  if ((e = conf_uint(cx, what, o, "retry_times", 100, &v, &found))) goto out;
  if (found) c.retry_times = (unsigned)v;
  if ((e = conf_uint(cx, what, o, "retry_delay", 3600, &v, &found))) goto out;
  if (found) c.retry_delay_ms = (long)v * 1000;
  if ((e = conf_uint(cx, what, o, "pck_cache_expire_hours", 100000, &v,
                     &found)))
    goto out;
  if ((e = conf_uint(cx, what, o, "verify_collateral_cache_expire_hours",
                     100000, &v, &found)))
    goto out;
  if (found) c.cache_expire_hours = (unsigned)v;
  if (api) {
    if (!strcmp(api, "3.0"))
      c.pccs_api_version = 30;
    else if (!strcmp(api, "3.1"))
      c.pccs_api_version = 31;
    else {
      e = sgxra__fail(cx, SGXRA_E_PCCS_CONFIG,
                      "%s: \"pccs_api_version\" '%s': expected \"3.0\" or "
                      "\"3.1\"",
                      what, api);
      goto out;
    }
  }
  if (pccs) {
    if ((e = norm_url(cx, pccs, c.pccs_url, sizeof c.pccs_url))) {
      e = sgxra__context(cx, e, "%s: \"pccs_url\"", what);
      goto out;
    }
  }
  /* collateral_service wins for collateral, as in QCNL */
  const char *base = coll && *coll ? coll : pccs;
  if (base) {
    if ((e = norm_url(cx, base, c.base_url, sizeof c.base_url))) {
      e = sgxra__context(cx, e, "%s: \"%s\"", what,
                         base == coll ? "collateral_service" : "pccs_url");
      goto out;
    }
    c.url_origin = SGXRA_PCCS_URL_CONF;
  }
  *cfg = c;
out:
  json_decref(o);
  return e;
}

sgxra_err sgxra_pccs_config_resolve(sgxra_ctx *cx, sgxra_pccs_config *cfg,
                                    const char *flag_url, const char *env_url,
                                    const char *conf_path) {
  const char *path = conf_path ? conf_path : SGXRA_PCCS_QCNL_CONF;
  /* The one file reader (sgxra/file.h): a FIFO or device given as the
   * configuration fails at once; the default file may be absent. */
  uint8_t *buf = NULL;
  size_t n = 0;
  sgxra_err e =
      sgxra_file_read_ex(cx, path, SGXRA_PCCS_CONF_MAX,
                         conf_path ? 0u : SGXRA_FILE_MAY_BE_ABSENT, &buf, &n);
  if (e) return e;
  if (buf) {
    e = sgxra_pccs_config_load_qcnl(cx, cfg, path, (const char *)buf, n);
    free(buf);
    if (e) return e;
  }
  if (env_url && *env_url) {
    e = sgxra_pccs_config_set_url(cx, cfg, env_url);
    if (e) return sgxra__context(cx, e, "$%s", SGXRA_PCCS_URL_VAR);
    cfg->url_origin = SGXRA_PCCS_URL_ENV;
  }
  if (flag_url) {
    e = sgxra_pccs_config_set_url(cx, cfg, flag_url);
    if (e) return e;
    cfg->url_origin = SGXRA_PCCS_URL_FLAG;
  }
  return SGXRA_OK;
}

/* ---- keys ------------------------------------------------------------------
 */

static sgxra_err key_words(sgxra_ctx *cx, const char *ca, const char *update,
                           sgxra_store_collateral_key *k) {
  if (!update) update = "standard";
  if (strcmp(update, "standard") && strcmp(update, "early"))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "update type '%s': expected standard or early", update);
  if (strcmp(ca, "processor") && strcmp(ca, "platform"))
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "PCK CA type '%s': expected processor or platform", ca);
  snprintf(k->ca, sizeof k->ca, "%s", ca);
  snprintf(k->update, sizeof k->update, "%s", update);
  return SGXRA_OK;
}

sgxra_err sgxra_pccs_key_make(sgxra_ctx *cx, const char *fmspc_hex,
                              const char *ca, const char *update,
                              sgxra_store_collateral_key *out) {
  memset(out, 0, sizeof *out);
  if (!fmspc_hex || strlen(fmspc_hex) != 12 ||
      sgxra_hex_decode(cx, fmspc_hex, 12, out->fmspc, 6) != SGXRA_OK) {
    sgxra_ctx_clear(cx);
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT,
                       "FMSPC '%s': expected 12 hex digits",
                       fmspc_hex ? fmspc_hex : "");
  }
  return key_words(cx, ca ? ca : "", update, out);
}

sgxra_err sgxra_pccs_key_from_pck_pem(sgxra_ctx *cx, const uint8_t *pem,
                                      size_t n, const char *update,
                                      sgxra_store_collateral_key *out) {
  memset(out, 0, sizeof *out);
  sgxra_x509_chain *ch = NULL;
  sgxra_err e = sgxra_x509_chain_parse_pem(cx, pem, n, &ch);
  if (e) return sgxra__context(cx, e, "PCK certificate chain");
  const sgxra_x509_cert *leaf = sgxra_x509_chain_get(ch, 0);
  const uint8_t *ev;
  size_t en;
  sgxra_pck_ext ext;
  e = sgxra_x509_cert_extension(cx, leaf, SGXRA_X509_OID_SGX_EXTENSION, &ev,
                                &en);
  if (e == SGXRA_E_X509_EXT_MISSING)
    e = sgxra__fail(cx, SGXRA_E_PCKEXT_MISSING,
                    "PCK certificate has no SGX extension");
  if (!e) e = sgxra_pck_ext_parse(cx, ev, en, &ext);
  if (!e) {
    memcpy(out->fmspc, ext.fmspc, 6);
    /* Intel's PCK CAs: "Intel SGX PCK Platform CA" / "... Processor CA";
     * the verifier reads the CA type the same way (src/quote/verify.c). */
    const char *ca = strstr(sgxra_x509_cert_issuer_cn(leaf), "Platform")
                         ? "platform"
                         : "processor";
    e = key_words(cx, ca, update, out);
  }
  sgxra_x509_chain_free(ch);
  if (e) memset(out, 0, sizeof *out);
  return e;
}

sgxra_err sgxra_pccs_key_from_quote(sgxra_ctx *cx, const uint8_t *quote,
                                    size_t n, const char *update,
                                    sgxra_store_collateral_key *out) {
  memset(out, 0, sizeof *out);
  sgxra_quote q;
  const char *pem;
  size_t pl;
  sgxra_err e = sgxra_quote_parse(cx, quote, n, &q);
  if (!e) e = sgxra_quote_pck_chain(cx, &q, &pem, &pl);
  if (e) return e;
  return sgxra_pccs_key_from_pck_pem(cx, (const uint8_t *)pem, pl, update, out);
}

/* ---- HTTP ------------------------------------------------------------------
 */

typedef struct http_resp {
  long status;
  uint8_t *body;
  size_t len;
  int too_large;
  const char *chain_names[2]; /* issuer chain header names to keep */
  char *chain;                /* its raw (URL-encoded) value */
  int header_too_large;
  long retry_after; /* seconds; -1 none */
  char error_code[128], error_message[256], request_id[128];
} http_resp;

static void resp_reset(http_resp *r) {
  free(r->body);
  free(r->chain);
  const char *a = r->chain_names[0], *b = r->chain_names[1];
  memset(r, 0, sizeof *r);
  r->chain_names[0] = a;
  r->chain_names[1] = b;
  r->retry_after = -1;
}

static size_t on_body(char *p, size_t sz, size_t nm, void *arg) {
  http_resp *r = arg;
  size_t k = sz * nm;
  if (k > SGXRA_COLLATERAL_FILE_MAX - r->len) {
    r->too_large = 1;
    return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
  }
  uint8_t *nb = realloc(r->body, r->len + k + 1);
  if (!nb) return 0;
  r->body = nb;
  memcpy(r->body + r->len, p, k);
  r->len += k;
  r->body[r->len] = 0;
  return k;
}

/* Copy header `p` (name: value) into dst[cap] if its name is `name`. */
static int header_is(const char *p, size_t k, const char *name,
                     const char **val, size_t *vlen) {
  size_t nl = strlen(name);
  if (k <= nl || strncasecmp(p, name, nl) || p[nl] != ':') return 0;
  size_t s = nl + 1, e = k;
  while (s < k && (p[s] == ' ' || p[s] == '\t')) s++;
  while (e > s && (p[e - 1] == '\r' || p[e - 1] == '\n' || p[e - 1] == ' '))
    e--;
  *val = p + s;
  *vlen = e - s;
  return 1;
}

static void copy_small(char *dst, size_t cap, const char *v, size_t n) {
  if (n >= cap) n = cap - 1;
  for (size_t i = 0; i < n; i++)
    dst[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
  dst[n] = 0;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *arg) {
  http_resp *r = arg;
  size_t k = sz * nm, vn;
  const char *v;
  /* a new response (after a redirect or 100-continue) starts over */
  if (k >= 5 && !strncmp(p, "HTTP/", 5)) {
    free(r->chain);
    r->chain = NULL;
    r->retry_after = -1;
    r->error_code[0] = r->error_message[0] = r->request_id[0] = 0;
    return k;
  }
  for (int i = 0; i < 2; i++) {
    if (r->chain_names[i] && header_is(p, k, r->chain_names[i], &v, &vn)) {
      if (vn > SGXRA_PCCS_HEADER_MAX) {
        r->header_too_large = 1;
        return k;
      }
      free(r->chain);
      r->chain = malloc(vn + 1);
      if (!r->chain) return 0;
      memcpy(r->chain, v, vn);
      r->chain[vn] = 0;
      return k;
    }
  }
  if (header_is(p, k, "Retry-After", &v, &vn)) {
    long s = 0;
    size_t i = 0;
    while (i < vn && isdigit((unsigned char)v[i]) && s < 1000000)
      s = s * 10 + (v[i++] - '0');
    if (i == vn && vn > 0) r->retry_after = s;
  } else if (header_is(p, k, "Error-Code", &v, &vn)) {
    copy_small(r->error_code, sizeof r->error_code, v, vn);
  } else if (header_is(p, k, "Error-Message", &v, &vn)) {
    copy_small(r->error_message, sizeof r->error_message, v, vn);
  } else if (header_is(p, k, "Request-ID", &v, &vn)) {
    copy_small(r->request_id, sizeof r->request_id, v, vn);
  }
  return k;
}

struct sgxra_pccs_client {
  sgxra_pccs_config cfg;
  sgxra_store *store;
  char holder[SGXRA_STORE_COLLATERAL_HOLDER_MAX + 1];
  pthread_mutex_t mu;
  pthread_mutex_t store_mu; /* a store handle serves one thread at a time */
  pthread_cond_t cv;
  struct slot *slots;
  uint64_t requests;
};

/* One key of the memory cache. */
typedef struct slot {
  struct slot *next;
  sgxra_store_collateral_key key;
  sgxra_store_collateral *entry; /* one allocation (entry_dup); or NULL */
  int inflight;                  /* a thread is fetching this key */
} slot;

/* What Intel's QCNL retries (network_wrapper.cpp, qcnl_https_request):
 * HTTP 503 and the transport failures timeout / cannot resolve / cannot
 * connect; nothing else -- not 429, not other 5xx, not a body cut short. */
static int qcnl_retries_status(long s) {
  return s == 503;
}

static int qcnl_retries_err(sgxra_err e) {
  return e == SGXRA_E_NET_TIMEOUT || e == SGXRA_E_NET_CONNECT;
}

/* A status that says "the server cannot answer now" rather than "no such
 * thing": worth falling back to a cached copy for. */
static int server_side_status(long s) {
  return s == 408 || s == 429 || s >= 500;
}

/* A failure worth falling back to a cached copy for. */
static int network_err(sgxra_err e) {
  return qcnl_retries_err(e) || e == SGXRA_E_NET_TRUNCATED ||
         e == SGXRA_E_NET_CLOSED || e == SGXRA_E_NET_RATE_LIMITED ||
         e == SGXRA_E_NET_TLS || e == SGXRA_E_NET;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
  }
}

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One try: perform the GET and classify the outcome. */
static sgxra_err get_once(sgxra_ctx *cx, sgxra_pccs_client *c, const char *url,
                          http_resp *r) {
  CURL *h = curl_easy_init();
  if (!h) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "curl_easy_init failed");
  char ebuf[CURL_ERROR_SIZE] = {0};
  struct curl_slist *hdrs = NULL;
  char keyhdr[SGXRA_PCCS_KEY_MAX + 40];
  if (c->cfg.api_key[0]) {
    snprintf(keyhdr, sizeof keyhdr, "Ocp-Apim-Subscription-Key: %s",
             c->cfg.api_key);
    hdrs = curl_slist_append(hdrs, keyhdr);
  }
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->cfg.connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->cfg.total_timeout_ms);
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                   (curl_off_t)SGXRA_COLLATERAL_FILE_MAX);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->cfg.use_secure_cert ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->cfg.use_secure_cert ? 2L : 0L);
  if (c->cfg.ca_file[0]) curl_easy_setopt(h, CURLOPT_CAINFO, c->cfg.ca_file);
  if (hdrs) curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
  curl_easy_cleanup(h);
  curl_slist_free_all(hdrs);
  pthread_mutex_lock(&c->mu);
  c->requests++;
  pthread_mutex_unlock(&c->mu);
  const char *why = ebuf[0] ? ebuf : curl_easy_strerror(rc);
  switch (rc) {
  case CURLE_OK:
    break;
  case CURLE_OPERATION_TIMEDOUT:
    return sgxra__fail(cx, SGXRA_E_NET_TIMEOUT, "GET %s: %s", url, why);
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return sgxra__fail(cx, SGXRA_E_NET_CONNECT, "GET %s: %s", url, why);
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    return sgxra__fail(cx, SGXRA_E_NET_TLS,
                       "GET %s: %s (check --ca-file, or --insecure for a "
                       "test PCCS with a self-signed certificate)",
                       url, why);
  case CURLE_GOT_NOTHING:
    return sgxra__fail(cx, SGXRA_E_NET_CLOSED, "GET %s: %s", url, why);
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
    if (r->status == 0)
      return sgxra__fail(cx, SGXRA_E_NET_CLOSED, "GET %s: %s", url, why);
    return sgxra__fail(cx, SGXRA_E_NET_TRUNCATED, "GET %s: %s", url, why);
  case CURLE_PARTIAL_FILE:
    return sgxra__fail(cx, SGXRA_E_NET_TRUNCATED,
                       "GET %s: body shorter than its Content-Length: %s", url,
                       why);
  case CURLE_FILESIZE_EXCEEDED:
    return sgxra__fail(cx, SGXRA_E_NET_TOO_LARGE,
                       "GET %s: body larger than %u bytes", url,
                       SGXRA_COLLATERAL_FILE_MAX);
  case CURLE_WRITE_ERROR:
    if (r->too_large)
      return sgxra__fail(cx, SGXRA_E_NET_TOO_LARGE,
                         "GET %s: body larger than %u bytes", url,
                         SGXRA_COLLATERAL_FILE_MAX);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "GET %s: out of memory", url);
  default:
    return sgxra__fail(cx, SGXRA_E_NET, "GET %s: %s", url, why);
  }
  if (r->header_too_large)
    return sgxra__fail(cx, SGXRA_E_NET_TOO_LARGE,
                       "GET %s: issuer chain header larger than %d bytes", url,
                       SGXRA_PCCS_HEADER_MAX);
  if (r->status == 200) return SGXRA_OK;
  char pcs[768] = "";
  if (r->error_code[0] || r->error_message[0] || r->request_id[0])
    snprintf(pcs, sizeof pcs, " (Error-Code: %s, Error-Message: %s%s%s)",
             r->error_code[0] ? r->error_code : "-",
             r->error_message[0] ? r->error_message : "-",
             r->request_id[0] ? ", Request-ID: " : "", r->request_id);
  if (r->status == 429)
    return sgxra__fail(
        cx, SGXRA_E_NET_RATE_LIMITED,
        "GET %s: HTTP 429 Too Many Requests%s, Retry-After %ld s", url, pcs,
        r->retry_after);
  return sgxra__fail(cx, SGXRA_E_NET_HTTP, "GET %s: HTTP %ld%s", url, r->status,
                     pcs);
}

/* GET with QCNL's retries; *nreq counts the tries. */
static sgxra_err http_get(sgxra_ctx *cx, sgxra_pccs_client *c, const char *url,
                          http_resp *r, unsigned *nreq, long *last_status) {
  long delay = c->cfg.retry_delay_ms > 0 ? c->cfg.retry_delay_ms : 1000;
  for (unsigned t = 0;; t++) {
    resp_reset(r);
    sgxra_err e = get_once(cx, c, url, r);
    (*nreq)++;
    *last_status = r->status;
    if (!e) return SGXRA_OK;
    int again = qcnl_retries_err(e) ||
                (e == SGXRA_E_NET_HTTP && qcnl_retries_status(r->status));
    if (!again || t >= c->cfg.retry_times) {
      if (t > 0) sgxra__context(cx, e, "after %u tries", t + 1);
      return e;
    }
    sleep_ms(delay);
    if (c->cfg.retry_delay_ms == 0 && delay < 600000) delay *= 2;
    sgxra_ctx_clear(cx);
  }
}

/* ---- entries ----------------------------------------------------------------
 */

/* A copy of `src` in one allocation (items follow the struct). */
static sgxra_store_collateral *entry_dup(const sgxra_store_collateral *src,
                                         size_t extra_front) {
  sgxra_collateral_buffers b = src->items;
  size_t total = extra_front + sizeof(sgxra_store_collateral);
  for (unsigned i = 0; i < SGXRA_COLLATERAL_ITEMS; i++) {
    size_t *n;
    sgxra_collateral_item_at(&b, i, &n);
    total += *n;
  }
  uint8_t *blk = malloc(total);
  if (!blk) return NULL;
  memset(blk, 0, extra_front + sizeof(sgxra_store_collateral));
  sgxra_store_collateral *d =
      (sgxra_store_collateral *)(void *)(blk + extra_front);
  *d = *src;
  uint8_t *w = (uint8_t *)(d + 1);
  for (unsigned i = 0; i < SGXRA_COLLATERAL_ITEMS; i++) {
    size_t *n, *dn;
    const uint8_t **p = sgxra_collateral_item_at(&b, i, &n);
    const uint8_t **dp = sgxra_collateral_item_at(&d->items, i, &dn);
    *dp = *n ? w : NULL;
    if (*n) memcpy(w, *p, *n);
    w += *n;
  }
  return d;
}

/* Load and validate the entry's items at `now`; check they are the key's. */
static sgxra_err entry_validate(sgxra_ctx *cx, const sgxra_store_collateral *e,
                                const sgxra_x509_cert *root, int64_t now,
                                sgxra_collateral **out) {
  *out = NULL;
  sgxra_collateral *coll = NULL;
  sgxra_err err = sgxra_collateral_load(cx, &e->items, &coll);
  if (!err) err = sgxra_collateral_validate(cx, coll, root, now);
  if (err) {
    char msg[SGXRA_CTX_MSG_SIZE];
    snprintf(msg, sizeof msg, "%s", sgxra_ctx_message(cx));
    sgxra_collateral_free(coll);
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_UNVERIFIED,
                       "collateral from %s does not validate: %s [%s]",
                       e->source, msg, sgxra_err_name(err));
  }
  const sgxra_tcbinfo *ti = sgxra_collateral_tcbinfo(coll);
  if (memcmp(ti->fmspc, e->key.fmspc, 6)) {
    char want[13], got[13];
    sgxra_hex_encode(e->key.fmspc, 6, want);
    sgxra_hex_encode(ti->fmspc, 6, got);
    sgxra_collateral_free(coll);
    return sgxra__fail(cx, SGXRA_E_COLLATERAL_UNVERIFIED,
                       "collateral from %s: TCB Info is for FMSPC %s, not %s",
                       e->source, got, want);
  }
  *out = coll;
  return SGXRA_OK;
}

static int entry_fresh(const sgxra_pccs_client *c,
                       const sgxra_store_collateral *e, int64_t now) {
  if (!e) return 0;
  if (now >= e->next_update - c->cfg.refresh_margin) return 0;
  if (c->cfg.cache_expire_hours &&
      now - e->fetched_at >= (int64_t)c->cfg.cache_expire_hours * 3600)
    return 0;
  return 1;
}

/* ---- fetching one key ------------------------------------------------------
 */

static int is_intel_pcs(const char *base) {
  return !strncmp(base, "https://api.trustedservices.intel.com/", 38);
}

/* URL-decode r->chain into *out (malloc'ed). */
static sgxra_err take_chain(sgxra_ctx *cx, const char *url, http_resp *r,
                            uint8_t **out, size_t *out_len) {
  if (!r->chain)
    return sgxra__fail(cx, SGXRA_E_NET_BAD_RESPONSE, "GET %s: no %s header",
                       url, r->chain_names[0]);
  int n = 0;
  char *d = curl_easy_unescape(NULL, r->chain, 0, &n);
  if (!d || n <= 0) {
    curl_free(d);
    return sgxra__fail(cx, SGXRA_E_NET_BAD_RESPONSE,
                       "GET %s: %s header does not URL-decode", url,
                       r->chain_names[0]);
  }
  *out = malloc((size_t)n);
  if (!*out) {
    curl_free(d);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  memcpy(*out, d, (size_t)n);
  *out_len = (size_t)n;
  curl_free(d);
  return SGXRA_OK;
}

static uint8_t *take_body(http_resp *r, size_t *n) {
  uint8_t *b = r->body;
  *n = r->len;
  r->body = NULL;
  r->len = 0;
  return b;
}

/* Fetch, validate; *out one allocation (entry_dup) on success. */
static sgxra_err fetch_key(sgxra_ctx *cx, sgxra_pccs_client *c,
                           const sgxra_store_collateral_key *key,
                           const sgxra_x509_cert *root, int64_t now,
                           unsigned *nreq, long *last_status,
                           sgxra_store_collateral **out,
                           sgxra_collateral **out_coll) {
  *out = NULL;
  *out_coll = NULL;
  const char *base = c->cfg.base_url;
  char url[SGXRA_PCCS_URL_MAX + 128], fm[13];
  sgxra_hex_encode(key->fmspc, 6, fm);
  for (int i = 0; fm[i]; i++) fm[i] = (char)toupper((unsigned char)fm[i]);
  uint8_t *tcb = NULL, *tcb_chain = NULL, *qe = NULL, *qe_chain = NULL,
          *crl = NULL, *crl_chain = NULL, *root_crl = NULL;
  size_t tcb_n = 0, tcb_chain_n = 0, qe_n = 0, qe_chain_n = 0, crl_n = 0,
         crl_chain_n = 0, root_crl_n = 0;
  http_resp r;
  memset(&r, 0, sizeof r);
  sgxra_err e;

  snprintf(url, sizeof url, "%stcb?fmspc=%s&update=%s", base, fm, key->update);
  r.chain_names[0] = "TCB-Info-Issuer-Chain";
  r.chain_names[1] = "SGX-TCB-Info-Issuer-Chain";
  if ((e = http_get(cx, c, url, &r, nreq, last_status)) ||
      (e = take_chain(cx, url, &r, &tcb_chain, &tcb_chain_n)))
    goto out;
  tcb = take_body(&r, &tcb_n);

  snprintf(url, sizeof url, "%sqe/identity?update=%s", base, key->update);
  r.chain_names[0] = "SGX-Enclave-Identity-Issuer-Chain";
  r.chain_names[1] = NULL;
  if ((e = http_get(cx, c, url, &r, nreq, last_status)) ||
      (e = take_chain(cx, url, &r, &qe_chain, &qe_chain_n)))
    goto out;
  qe = take_body(&r, &qe_n);

  snprintf(url, sizeof url, "%spckcrl?ca=%s&encoding=der", base, key->ca);
  r.chain_names[0] = "SGX-PCK-CRL-Issuer-Chain";
  if ((e = http_get(cx, c, url, &r, nreq, last_status)) ||
      (e = take_chain(cx, url, &r, &crl_chain, &crl_chain_n)))
    goto out;
  crl = take_body(&r, &crl_n);

  if (is_intel_pcs(base))
    snprintf(url, sizeof url, "%s", SGXRA_PCCS_INTEL_ROOT_CRL_URL);
  else
    snprintf(url, sizeof url, "%srootcacrl", base);
  r.chain_names[0] = NULL;
  if ((e = http_get(cx, c, url, &r, nreq, last_status))) goto out;
  root_crl = take_body(&r, &root_crl_n);

  sgxra_store_collateral ent;
  memset(&ent, 0, sizeof ent);
  ent.key = *key;
  ent.fetched_at = now;
  snprintf(ent.source, sizeof ent.source, "%.512s", base);
  ent.items.pck_crl_issuer_chain = crl_chain;
  ent.items.pck_crl_issuer_chain_len = crl_chain_n;
  ent.items.root_ca_crl = root_crl;
  ent.items.root_ca_crl_len = root_crl_n;
  ent.items.pck_crl = crl;
  ent.items.pck_crl_len = crl_n;
  ent.items.tcb_info = tcb;
  ent.items.tcb_info_len = tcb_n;
  ent.items.tcb_info_issuer_chain = tcb_chain;
  ent.items.tcb_info_issuer_chain_len = tcb_chain_n;
  ent.items.qe_identity = qe;
  ent.items.qe_identity_len = qe_n;
  ent.items.qe_identity_issuer_chain = qe_chain;
  ent.items.qe_identity_issuer_chain_len = qe_chain_n;
  sgxra_collateral *coll = NULL;
  if ((e = entry_validate(cx, &ent, root, now, &coll))) goto out;
  ent.tcb_eval_num = sgxra_collateral_tcbinfo(coll)->tcb_evaluation_data_number;
  ent.next_update = sgxra_collateral_dates(coll).earliest_expiry;
  *out = entry_dup(&ent, 0);
  if (!*out) {
    sgxra_collateral_free(coll);
    e = sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  } else {
    *out_coll = coll; /* validated at `now` against `root` */
  }
out:
  resp_reset(&r);
  free(tcb);
  free(tcb_chain);
  free(qe);
  free(qe_chain);
  free(crl);
  free(crl_chain);
  free(root_crl);
  return e;
}

/* ---- the client ------------------------------------------------------------
 */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;
static void curl_init(void) {
  curl_init_rc = curl_global_init(CURL_GLOBAL_ALL);
}

sgxra_err sgxra_pccs_global_init(sgxra_ctx *cx) {
  sgxra_err e = sgxra__curl_load(cx);
  if (e) return e;
  pthread_once(&curl_once, curl_init);
  if (curl_init_rc != CURLE_OK)
    return sgxra__fail(cx, SGXRA_E_NET, "curl_global_init: %s",
                       curl_easy_strerror(curl_init_rc));
  return SGXRA_OK;
}

sgxra_err sgxra_pccs_client_new(sgxra_ctx *cx, const sgxra_pccs_config *cfg,
                                sgxra_store *store, const char *holder,
                                sgxra_pccs_client **out) {
  *out = NULL;
  sgxra_err e = sgxra_pccs_global_init(cx);
  if (e) return e;
  sgxra_pccs_client *c = calloc(1, sizeof *c);
  if (!c) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  c->cfg = *cfg;
  c->store = store;
  if (holder) {
    snprintf(c->holder, sizeof c->holder, "%s", holder);
  } else {
    char host[64] = "?";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = 0;
    snprintf(c->holder, sizeof c->holder, "pid:%ld/%p@%s", (long)getpid(),
             (void *)c, host);
  }
  pthread_mutex_init(&c->mu, NULL);
  pthread_mutex_init(&c->store_mu, NULL);
  pthread_cond_init(&c->cv, NULL);
  *out = c;
  return SGXRA_OK;
}

void sgxra_pccs_client_free(sgxra_pccs_client *c) {
  if (!c) return;
  for (slot *s = c->slots, *n; s; s = n) {
    n = s->next;
    free(s->entry);
    free(s);
  }
  pthread_cond_destroy(&c->cv);
  pthread_mutex_destroy(&c->mu);
  pthread_mutex_destroy(&c->store_mu);
  free(c);
}

uint64_t sgxra_pccs_client_requests(const sgxra_pccs_client *c) {
  if (!c) return 0;
  pthread_mutex_t *mu = (pthread_mutex_t *)&c->mu;
  pthread_mutex_lock(mu);
  uint64_t n = c->requests;
  pthread_mutex_unlock(mu);
  return n;
}

const char *sgxra_pccs_origin_name(sgxra_pccs_origin o) {
  switch (o) {
  case SGXRA_PCCS_FROM_NETWORK:
    return "network";
  case SGXRA_PCCS_FROM_MEMORY:
    return "memory";
  case SGXRA_PCCS_FROM_STORE:
    return "store";
  }
  return "?";
}

void sgxra_pccs_result_free(sgxra_pccs_result *r) {
  if (!r) return;
  sgxra_collateral_free(r->collateral);
  free(r);
}

static int key_eq(const sgxra_store_collateral_key *a,
                  const sgxra_store_collateral_key *b) {
  return !memcmp(a->fmspc, b->fmspc, 6) && !strcmp(a->ca, b->ca) &&
         !strcmp(a->update, b->update);
}

/* The result for entry `e` (copied) and its validated collateral. */
static sgxra_err make_result(sgxra_ctx *cx, const sgxra_store_collateral *e,
                             sgxra_collateral *coll, sgxra_pccs_origin origin,
                             unsigned nreq, sgxra_pccs_result **out) {
  sgxra_store_collateral *d = entry_dup(e, sizeof(sgxra_pccs_result));
  if (!d) {
    sgxra_collateral_free(coll);
    return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  }
  sgxra_pccs_result *r =
      (sgxra_pccs_result *)(void *)((uint8_t *)d - sizeof(sgxra_pccs_result));
  r->entry = *d; /* items still point into the same allocation */
  r->collateral = coll;
  r->info.origin = origin;
  r->info.from_cache = origin != SGXRA_PCCS_FROM_NETWORK;
  r->info.fetched_at = e->fetched_at;
  r->info.next_update = e->next_update;
  r->info.tcb_eval_num = e->tcb_eval_num;
  snprintf(r->info.source, sizeof r->info.source, "%s", e->source);
  r->info.http_requests = nreq;
  *out = r;
  return SGXRA_OK;
}

/* The store's entry of `key` (copied), or NULL. */
static sgxra_err store_get(sgxra_ctx *cx, sgxra_pccs_client *c,
                           const sgxra_store_collateral_key *key,
                           sgxra_store_collateral **out) {
  *out = NULL;
  sgxra_store_collateral *got = NULL;
  int found = 0;
  pthread_mutex_lock(&c->store_mu);
  sgxra_err e = sgxra_store_collateral_get(cx, c->store, key, &got, &found);
  pthread_mutex_unlock(&c->store_mu);
  if (e || !found) return e;
  *out = entry_dup(got, 0);
  sgxra_store_free(got);
  if (!*out) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
  return SGXRA_OK;
}

/* Keep `e` (taken) as the slot's entry if it is newer. */
static void slot_keep(sgxra_pccs_client *c, slot *s,
                      sgxra_store_collateral *e) {
  pthread_mutex_lock(&c->mu);
  if (!s->entry || s->entry->fetched_at <= e->fetched_at) {
    free(s->entry);
    s->entry = e;
  } else {
    free(e);
  }
  pthread_mutex_unlock(&c->mu);
}

/* Work of the one thread fetching `key` for this client. */
static sgxra_err fill(sgxra_ctx *cx, sgxra_pccs_client *c, slot *s,
                      const sgxra_x509_cert *root, int64_t now,
                      sgxra_pccs_result **out) {
  sgxra_err e;
  unsigned nreq = 0;
  long last_status = 0;
  sgxra_collateral *coll = NULL;
  sgxra_store_collateral *cached = NULL; /* best cached copy (stale) */
  pthread_mutex_lock(&c->mu);
  if (s->entry) cached = entry_dup(s->entry, 0);
  pthread_mutex_unlock(&c->mu);

  /* 1. the store */
  if (c->store) {
    sgxra_store_collateral *st = NULL;
    if ((e = store_get(cx, c, &s->key, &st))) goto out;
    if (st && entry_fresh(c, st, now) &&
        entry_validate(cx, st, root, now, &coll) == SGXRA_OK) {
      e = make_result(cx, st, coll, SGXRA_PCCS_FROM_STORE, 0, out);
      slot_keep(c, s, st);
      goto out;
    }
    sgxra_ctx_clear(cx);
    if (st && (!cached || st->fetched_at > cached->fetched_at)) {
      free(cached);
      cached = st;
    } else {
      free(st);
    }
  }

  /* 2. fetch (unless cache-only), single flight across processes */
  sgxra_store_collateral *fresh = NULL;
  if (c->cfg.local_cache_only) {
    e = sgxra__fail(cx, SGXRA_E_CACHE_ONLY_MISS,
                    "no fresh cached collateral for this key and "
                    "local_cache_only is set");
  } else {
    int claimed = 1;
    if (c->store) {
      int64_t t0 = mono_ms();
      for (;;) {
        pthread_mutex_lock(&c->store_mu);
        e = sgxra_store_collateral_claim(cx, c->store, &s->key, c->holder, now,
                                         LEASE_SECONDS, &claimed);
        pthread_mutex_unlock(&c->store_mu);
        if (e) goto out;
        if (claimed) break;
        /* another process is fetching: wait for its entry */
        sleep_ms(POLL_MS);
        sgxra_store_collateral *st = NULL;
        if ((e = store_get(cx, c, &s->key, &st))) goto out;
        if (st && entry_fresh(c, st, now) &&
            entry_validate(cx, st, root, now, &coll) == SGXRA_OK) {
          e = make_result(cx, st, coll, SGXRA_PCCS_FROM_STORE, 0, out);
          slot_keep(c, s, st);
          goto out;
        }
        sgxra_ctx_clear(cx);
        free(st);
        if (mono_ms() - t0 > (int64_t)LEASE_SECONDS * 1000 + 5000) break;
      }
      /* Won the claim: another process may have put its copy and dropped
       * its lease between our read of the store and our claim.  Look once
       * more, so that it is not fetched twice. */
      if (claimed) {
        sgxra_store_collateral *st = NULL;
        if ((e = store_get(cx, c, &s->key, &st))) goto release;
        if (st && entry_fresh(c, st, now) &&
            entry_validate(cx, st, root, now, &coll) == SGXRA_OK) {
          e = make_result(cx, st, coll, SGXRA_PCCS_FROM_STORE, 0, out);
          slot_keep(c, s, st);
          goto release;
        }
        sgxra_ctx_clear(cx);
        free(st);
      }
    }
    e = fetch_key(cx, c, &s->key, root, now, &nreq, &last_status, &fresh,
                  &coll);
    if (c->store) {
      /* A store that cannot keep the copy (or drop the lease, which then
       * expires) does not fail the get: the next get fetches again.  Their
       * errors go to a scratch context so that the fetch's stays. */
      sgxra_ctx *tmp = sgxra_ctx_new();
      if (tmp) {
        sgxra_err pe = SGXRA_OK, re = SGXRA_OK;
        pthread_mutex_lock(&c->store_mu);
        if (!e) pe = sgxra_store_collateral_put(tmp, c->store, fresh);
        if (claimed)
          re =
              sgxra_store_collateral_release(tmp, c->store, &s->key, c->holder);
        pthread_mutex_unlock(&c->store_mu);
        (void)pe;
        (void)re;
        sgxra_ctx_free(tmp);
      }
    }
  }
  if (!e) {
    e = make_result(cx, fresh, coll, SGXRA_PCCS_FROM_NETWORK, nreq, out);
    slot_keep(c, s, fresh);
    goto out;
  }
  /* 3. the fetch failed: a cached copy still valid at `now` serves */
  if (cached && (network_err(e) || e == SGXRA_E_CACHE_ONLY_MISS ||
                 (e == SGXRA_E_NET_HTTP && server_side_status(last_status)))) {
    sgxra_err fe = e;
    char fmsg[SGXRA_CTX_MSG_SIZE];
    snprintf(fmsg, sizeof fmsg, "%s", sgxra_ctx_message(cx));
    sgxra_ctx_clear(cx);
    if (entry_validate(cx, cached, root, now, &coll) == SGXRA_OK &&
        !sgxra_collateral_expired_at(coll, now)) {
      int in_store = c->store != NULL;
      e = make_result(cx, cached, coll,
                      in_store ? SGXRA_PCCS_FROM_STORE : SGXRA_PCCS_FROM_MEMORY,
                      nreq, out);
      if (!e) {
        (*out)->info.stale = 1;
        (*out)->info.refresh_failed = fe != SGXRA_E_CACHE_ONLY_MISS;
        (*out)->info.refresh_error = fe;
        snprintf((*out)->info.refresh_message,
                 sizeof(*out)->info.refresh_message, "%s", fmsg);
      }
      goto out;
    }
    sgxra_collateral_free(coll);
    coll = NULL;
    sgxra_ctx_clear(cx);
    e = sgxra__fail(cx, SGXRA_E_COLLATERAL_STALE,
                    "cached collateral for this key has expired and none "
                    "could be fetched: %s [%s]",
                    fmsg, sgxra_err_name(fe));
  }
out:
  free(cached);
  return e;
release:
  /* Drop the lease we hold without fetching (errors: see above). */
  {
    sgxra_ctx *tmp = sgxra_ctx_new();
    if (tmp) {
      pthread_mutex_lock(&c->store_mu);
      sgxra_err re =
          sgxra_store_collateral_release(tmp, c->store, &s->key, c->holder);
      pthread_mutex_unlock(&c->store_mu);
      (void)re;
      sgxra_ctx_free(tmp);
    }
  }
  goto out;
}

sgxra_err sgxra_pccs_get_collateral(sgxra_ctx *cx, sgxra_pccs_client *c,
                                    const sgxra_store_collateral_key *key,
                                    const sgxra_x509_cert *root, int64_t now,
                                    sgxra_pccs_result **out) {
  *out = NULL;
  if (!c || !key)
    return sgxra__fail(cx, SGXRA_E_INVALID_ARGUMENT, "NULL client or key");
  pthread_mutex_lock(&c->mu);
  slot *s = c->slots;
  while (s && !key_eq(&s->key, key)) s = s->next;
  if (!s) {
    s = calloc(1, sizeof *s);
    if (!s) {
      pthread_mutex_unlock(&c->mu);
      return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
    }
    s->key = *key;
    s->next = c->slots;
    c->slots = s;
  }
  for (;;) {
    if (entry_fresh(c, s->entry, now)) {
      sgxra_store_collateral *copy = entry_dup(s->entry, 0);
      pthread_mutex_unlock(&c->mu);
      if (!copy) return sgxra__fail(cx, SGXRA_E_NO_MEMORY, "out of memory");
      sgxra_collateral *coll = NULL;
      sgxra_err e = entry_validate(cx, copy, root, now, &coll);
      if (!e) e = make_result(cx, copy, coll, SGXRA_PCCS_FROM_MEMORY, 0, out);
      free(copy);
      if (e != SGXRA_E_COLLATERAL_UNVERIFIED) return e;
      /* not valid for this root or time: fetch */
      sgxra_ctx_clear(cx);
      pthread_mutex_lock(&c->mu);
      if (!s->inflight) break;
    }
    if (!s->inflight) break;
    pthread_cond_wait(&c->cv, &c->mu);
  }
  s->inflight = 1;
  pthread_mutex_unlock(&c->mu);
  sgxra_err e = fill(cx, c, s, root, now, out);
  pthread_mutex_lock(&c->mu);
  s->inflight = 0;
  pthread_cond_broadcast(&c->cv);
  pthread_mutex_unlock(&c->mu);
  return e;
}
