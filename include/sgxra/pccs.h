/*
 * sgxra/pccs.h -- a client of Intel's PCS API v4 or of a caching PCCS: it
 * fetches the verification collateral of one key (FMSPC, PCK CA type,
 * update type), validates it, and caches it in memory and, optionally, in
 * an sgxra_store shared by processes (docs/COLLATERAL.md, "Fetching
 * collateral").  Built on libcurl; part of libsgxra-sim (libsgxra links no
 * HTTP client).
 *
 * Routes, under the base URL ".../sgx/certification/v4/":
 *   tcb?fmspc=<12 hex>&update=standard|early   TCB Info; header
 *       TCB-Info-Issuer-Chain (API v3: SGX-TCB-Info-Issuer-Chain)
 *   qe/identity?update=standard|early           QE Identity; header
 *       SGX-Enclave-Identity-Issuer-Chain
 *   pckcrl?ca=processor|platform&encoding=der    PCK CRL; header
 *       SGX-PCK-CRL-Issuer-Chain
 *   rootcacrl                                    root CA CRL (DER, PEM or
 *       hex); for Intel's PCS itself (host api.trustedservices.intel.com)
 *       https://certificates.trustedservices.intel.com/IntelSGXRootCA.der,
 *       as Intel's QPL does.
 * Issuer chains are URL-decoded.  Bodies are capped at
 * SGXRA_COLLATERAL_FILE_MAX, header values at SGXRA_PCCS_HEADER_MAX.
 *
 * Collateral is never returned nor cached unless sgxra_collateral_load()
 * and sgxra_collateral_validate() accept it at `now` against the trust
 * root given, and its TCB Info is the key's FMSPC
 * (SGXRA_E_COLLATERAL_UNVERIFIED, the message naming the validator's
 * error).
 *
 * Retries are Intel's QCNL's (qcnl_https_request in its network
 * wrapper): HTTP 503, a timeout, a name that does not resolve and a
 * connection refused are retried up to retry_times more times, waiting
 * retry_delay_ms between tries or, when it is 0, 1 s then doubling.
 * Nothing else is retried: not a 429 (its Retry-After is in the error
 * message), not another 4xx or 5xx, not a TLS failure, a body cut short or
 * one that does not validate.  A cached copy still valid at `now` is used
 * instead when the failure is the server's or the network's (transport
 * errors, 408, 429, 5xx), never after a 404 or a collateral that does not
 * validate.
 *
 * Ownership: the config is a plain struct with fixed buffers (nothing to
 * free).  The client borrows the store given to it (which must outlive the
 * client).  A sgxra_pccs_result is the caller's (sgxra_pccs_result_free).
 *
 * Thread-safety: one sgxra_pccs_client may be shared by threads, each
 * with its own sgxra_ctx; its memory cache is guarded by a mutex and a key
 * being fetched is fetched once (the other threads wait for it).  The
 * client serialises its own calls on the store handle it was given, so
 * one handle serves every thread of the client (the store's calls are
 * short; the network fetches run outside that lock).  Call
 * sgxra_pccs_global_init() once before threads start (it runs
 * curl_global_init).
 */
#ifndef SGXRA_PCCS_H
#define SGXRA_PCCS_H

#include <stddef.h>
#include <stdint.h>

#include "sgxra/collateral.h"
#include "sgxra/ctx.h"
#include "sgxra/store.h"
#include "sgxra/x509.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Intel's PCS, the documented default base URL. */
#define SGXRA_PCCS_INTEL_PCS_URL                                               \
  "https://api.trustedservices.intel.com/sgx/certification/v4/"
/* Where Intel's QPL takes the root CA CRL from when talking to Intel. */
#define SGXRA_PCCS_INTEL_ROOT_CRL_URL                                          \
  "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"
/* Intel's QPL configuration file. */
#define SGXRA_PCCS_QCNL_CONF "/etc/sgx_default_qcnl.conf"
/* The environment variable naming the base URL. */
#define SGXRA_PCCS_URL_VAR "SGXRA_PCCS_URL"

#define SGXRA_PCCS_URL_MAX 1024
#define SGXRA_PCCS_KEY_MAX 256
#define SGXRA_PCCS_PATH_MAX 4096
/* Cap of one response header value (issuer chains are about 2 KiB). */
#define SGXRA_PCCS_HEADER_MAX (64 * 1024)
/* Cap of a configuration file. */
#define SGXRA_PCCS_CONF_MAX (1024 * 1024)

/* Where the base URL came from (sgxra_pccs_config_resolve). */
typedef enum sgxra_pccs_url_origin {
  SGXRA_PCCS_URL_DEFAULT = 0, /* Intel's PCS */
  SGXRA_PCCS_URL_CONF = 1,    /* pccs_url / collateral_service of the file */
  SGXRA_PCCS_URL_ENV = 2,     /* $SGXRA_PCCS_URL */
  SGXRA_PCCS_URL_FLAG = 3     /* given by the caller (--pccs) */
} sgxra_pccs_url_origin;

typedef struct sgxra_pccs_config {
  /* Base URL of the collateral routes, ending in "/sgx/certification/v4/"
   * (or v3); QCNL's collateral_service when set, else pccs_url. */
  char base_url[SGXRA_PCCS_URL_MAX];
  /* QCNL's pccs_url as read (PCK certificates; informative here). */
  char pccs_url[SGXRA_PCCS_URL_MAX];
  char api_key[SGXRA_PCCS_KEY_MAX];  /* Ocp-Apim-Subscription-Key; "" none */
  int use_secure_cert;               /* 1: verify the server's certificate */
  char ca_file[SGXRA_PCCS_PATH_MAX]; /* CA bundle; "" the system's */
  long connect_timeout_ms;           /* default 10000 */
  long total_timeout_ms;             /* per request; default 60000 */
  unsigned retry_times;              /* retries after the first try; 6 */
  long retry_delay_ms;       /* fixed wait; 0: 1 s, then doubling; 10000 */
  int local_cache_only;      /* 1: never fetch (CACHE_ONLY_MISS) */
  unsigned pccs_api_version; /* 30 or 31 (QCNL's "3.0"/"3.1"); 31 */
  /* QCNL's verify_collateral_cache_expire_hours (168): a cached copy
   * older than this is refreshed even when its nextUpdate is far. */
  unsigned cache_expire_hours;
  /* A cached copy is fresh while now < next_update - refresh_margin and
   * it is younger than cache_expire_hours; default 3600 s. */
  int64_t refresh_margin;
  sgxra_pccs_url_origin url_origin;
} sgxra_pccs_config;

/* Intel's defaults (QCNL's shipped sgx_default_qcnl.conf; base URL Intel's
 * PCS). */
SGXRA_API void sgxra_pccs_config_init(sgxra_pccs_config *cfg);

/* Apply a sgx_default_qcnl.conf-style JSON document (lines whose first
 * non-blank characters are // are comments) to *cfg.  Keys: pccs_url,
 * collateral_service, use_secure_cert, pccs_api_version ("3.0"/"3.1"),
 * retry_times, retry_delay (seconds), local_pck_url, pck_cache_expire_hours,
 * verify_collateral_cache_expire_hours, local_cache_only,
 * custom_request_options; unknown keys are ignored.  SGXRA_E_PCCS_CONFIG
 * names `what` (the file) and the key for a value of the wrong type or
 * range, or the line of a JSON syntax error; *cfg is unchanged then. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_pccs_config_load_qcnl(sgxra_ctx *cx, sgxra_pccs_config *cfg,
                            const char *what, const char *text, size_t n);

/* Set the base URL: scheme http or https; "/sgx/certification/v4/" is
 * appended when the path does not already end in /sgx/certification/vN[/];
 * a trailing slash is added.  SGXRA_E_PCCS_CONFIG otherwise. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pccs_config_set_url(
    sgxra_ctx *cx, sgxra_pccs_config *cfg, const char *url);

/* The configuration by precedence: `flag_url` (if not NULL) > `env_url`
 * (the caller's getenv(SGXRA_PCCS_URL_VAR), if not NULL/empty) > the file
 * `conf_path` (NULL: SGXRA_PCCS_QCNL_CONF, skipped when it does not exist;
 * an explicit path must exist) > Intel's PCS.  The file's other settings
 * apply whichever URL wins.  Errors: SGXRA_E_PCCS_CONFIG, SGXRA_E_IO. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pccs_config_resolve(
    sgxra_ctx *cx, sgxra_pccs_config *cfg, const char *flag_url,
    const char *env_url, const char *conf_path);

/* ---- keys ---------------------------------------------------------------- */

/* The key of a quote: FMSPC from the SGX extension of its PCK certificate
 * (certification data type 5), CA "platform" or "processor" from the
 * issuer of that certificate, and `update` ("standard" or "early"; NULL:
 * standard).  Errors: the quote, X.509 and PCK extension parsers' codes;
 * SGXRA_E_INVALID_ARGUMENT for another update word. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pccs_key_from_quote(
    sgxra_ctx *cx, const uint8_t *quote, size_t n, const char *update,
    sgxra_store_collateral_key *out_key);

/* The same from a PEM PCK chain (leaf first). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pccs_key_from_pck_pem(
    sgxra_ctx *cx, const uint8_t *pem, size_t n, const char *update,
    sgxra_store_collateral_key *out_key);

/* A key from its parts: fmspc_hex 12 hex digits, ca "processor" or
 * "platform", update "standard"/"early" (NULL: standard).
 * SGXRA_E_INVALID_ARGUMENT naming the bad part. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err
sgxra_pccs_key_make(sgxra_ctx *cx, const char *fmspc_hex, const char *ca,
                    const char *update, sgxra_store_collateral_key *out_key);

/* ---- the client ------------------------------------------------------------
 */

typedef struct sgxra_pccs_client sgxra_pccs_client;

/* Open libcurl.so.4 (dlopen; SGXRA_E_LIBRARY_MISSING naming the package
 * when it is not installed) and run curl_global_init, once (idempotent,
 * not thread-safe itself). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pccs_global_init(sgxra_ctx *cx);

/* A client with `cfg` (copied) and an optional shared cache `store`
 * (borrowed; NULL: memory only).  `holder` names this process in store
 * claims (NULL: "pid:<pid>@<host>"). */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pccs_client_new(
    sgxra_ctx *cx, const sgxra_pccs_config *cfg, sgxra_store *store,
    const char *holder, sgxra_pccs_client **out);

SGXRA_API void sgxra_pccs_client_free(sgxra_pccs_client *c);

/* Total HTTP requests the client has sent (tries included). */
SGXRA_API uint64_t sgxra_pccs_client_requests(const sgxra_pccs_client *c);

/* Where a result came from. */
typedef enum sgxra_pccs_origin {
  SGXRA_PCCS_FROM_NETWORK = 0,
  SGXRA_PCCS_FROM_MEMORY = 1,
  SGXRA_PCCS_FROM_STORE = 2
} sgxra_pccs_origin;

typedef struct sgxra_pccs_info {
  sgxra_pccs_origin origin;
  int from_cache;          /* origin != NETWORK */
  int stale;               /* the cached copy is past its refresh point */
  int refresh_failed;      /* a fetch was tried and failed; the cached copy,
                              still valid at `now`, was used */
  sgxra_err refresh_error; /* then: its code */
  char refresh_message[SGXRA_CTX_MSG_SIZE]; /* and message */
  int64_t fetched_at;                       /* when the items were fetched */
  int64_t next_update;                      /* earliest nextUpdate */
  uint32_t tcb_eval_num;
  char source[SGXRA_STORE_COLLATERAL_SOURCE_MAX + 1]; /* base URL */
  unsigned http_requests; /* sent by this call (tries included) */
} sgxra_pccs_info;

typedef struct sgxra_pccs_result {
  sgxra_collateral *collateral; /* validated at `now` against the root */
  sgxra_store_collateral entry; /* key, dates, source, item bytes */
  sgxra_pccs_info info;
} sgxra_pccs_result;

/* The collateral of `key`, validated at `now` against `root` (NULL: Intel
 * SGX Root CA).  In order: a fresh copy in memory; a fresh copy in the
 * store (validated again); else the key is claimed in the store (lease
 * 60 s) and fetched, validated, put and released -- when another process
 * holds the claim, its entry is awaited (polling, at most the lease)
 * instead of fetching.  When the fetch fails for a network reason
 * (timeout, connection, truncation, HTTP 408/429/5xx) and a cached copy
 * still validates at `now`, that copy is returned with refresh_failed set.
 * Errors: the NET_ codes, SGXRA_E_COLLATERAL_UNVERIFIED,
 * SGXRA_E_CACHE_ONLY_MISS, SGXRA_E_COLLATERAL_STALE (a cached copy exists
 * but no longer validates and no fresh one could be fetched; the message
 * gives the fetch's error), store errors.  *out is NULL on error. */
SGXRA_API SGXRA_MUST_CHECK sgxra_err sgxra_pccs_get_collateral(
    sgxra_ctx *cx, sgxra_pccs_client *c, const sgxra_store_collateral_key *key,
    const sgxra_x509_cert *root, int64_t now, sgxra_pccs_result **out);

SGXRA_API void sgxra_pccs_result_free(sgxra_pccs_result *r);

/* "network", "memory", "store". */
SGXRA_API const char *sgxra_pccs_origin_name(sgxra_pccs_origin o);

#ifdef __cplusplus
}
#endif
#endif
