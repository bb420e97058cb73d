/* sgxra serve: run a service.
 *
 *   sgxra serve pcs [--listen HOST:PORT] --state DIR [--idle-timeout S]
 *                   [--max-connections N] [--per-ip N]
 *
 * pcs: the simulated Intel PCS (sgxra/pcs.h) for the simulated Intel CA in
 * DIR (a CA folder, or a platform folder made by `sgxra platform init`,
 * whose CA is used).  Loopback by default.  Prints one line
 * "listening on http://HOST:PORT/sgx/certification/v4/" to stdout once
 * ready, then serves until SIGINT or SIGTERM (graceful: the server's
 * threads are stopped and joined); SIGHUP re-reads the CA state.  One line
 * per request on stderr: "pcs: METHOD PATH STATUS BYTES TIMEms".
 *
 *   sgxra serve verifier --state DIR [--collateral DIR | --pccs URL ...]
 *
 * verifier: the attestation service (sgxra/verifier_server.h) with keys in
 * DIR; every option may also come from a JSON --config file (same names as
 * keys; flags override it).  Prints "listening on http[s]://HOST:PORT/"
 * once ready; SIGINT/SIGTERM stop it gracefully (requests in flight
 * finish).  One line per request on stderr: "verifier: METHOD PATH STATUS
 * BYTES TIMEms [verdict=V]".
 *
 *   sgxra serve sp --key SP_KEY.pem [--db URL] [--pccs URL | --collateral DIR
 *                  | --verifier URL] ...
 *
 * sp: the service provider (sgxra/sp_server.h): the RA protocol, the
 * appraisal against the registry in --db, secret provisioning and the
 * administration API.  Prints "listening on http[s]://HOST:PORT/" once
 * ready; SIGINT/SIGTERM stop it gracefully.  One line per request on
 * stderr: "sp: METHOD PATH STATUS BYTES TIMEms [session=ID] [code=C]
 * [decision=D] [token=NAME]".
 *
 * Exit: 0 stopped by a signal; 2 usage error, unusable state or the address
 * cannot be bound. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <inttypes.h>

#include <jansson.h>

#include "cache.h"
#include "cli.h"
#include "sgxra/file.h"
#include "sgxra/pcs.h"
#include "sgxra/sp_server.h"
#include "sgxra/timeutil.h"
#include "sgxra/verifier.h"
#include "sgxra/verifier_server.h"
#include "sgxra/x509.h"
#include "sp.h"

#define VERB "serve pcs"
#define VVERB "serve verifier"
#define SVERB "serve sp"
#define CONFIG_CAP ((size_t)1 << 20)
#define ROOT_CAP ((size_t)1 << 20)

static void usage(FILE *f) {
  fprintf(f,
          "usage: sgxra serve pcs [--listen HOST:PORT] --state DIR\n"
          "                       [--idle-timeout SECONDS] "
          "[--max-connections N]\n"
          "                       [--per-ip N]\n"
          "\n"
          "Serve the simulated Intel CA's collateral on Intel's PCS v4 paths:\n"
          "  /sgx/certification/v4/tcb?fmspc=HEX[&update=standard|early]\n"
          "  /sgx/certification/v4/qe/identity     QE Identity\n"
          "  /sgx/certification/v4/qve/identity    QvE Identity\n"
          "  /sgx/certification/v4/pckcrl?ca=platform|processor"
          "[&encoding=der|pem]\n"
          "  /sgx/certification/v4/rootcacrl       root CA CRL\n"
          "  /sgx/certification/v4/fmspcs          FMSPCs served\n"
          "  /sgx/certification/v4/pckcert?encrypted_ppid=PPID&cpusvn=&pcesvn=&"
          "pceid=\n"
          "                                        a platform's PCK "
          "certificate\n"
          "                                        (PPID in plain hex: a "
          "simulation)\n"
          "\n"
          "  -l, --listen HOST:PORT   IPv4 address and port (default "
          "%s;\n"
          "                           port 0 picks a free one)\n"
          "  -s, --state DIR          the CA folder, or a platform folder "
          "from\n"
          "                           'sgxra platform init' (required)\n"
          "      --idle-timeout SECONDS\n"
          "                           close a connection idle this long, or "
          "whose\n"
          "                           request has not arrived whole this long "
          "after\n"
          "                           it opened or its previous answer "
          "(1..3600,\n"
          "                           default %d)\n"
          "      --max-connections N  connections at once (default %d; "
          "lowered to\n"
          "                           fit the open-file limit, which is "
          "raised to\n"
          "                           its hard maximum if needed)\n"
          "      --per-ip N           connections at once from one IPv4 "
          "address\n"
          "                           (default %d; the excess is closed at "
          "once)\n"
          "  -h, --help               this help\n"
          "\n"
          "Prints 'listening on http://HOST:PORT/sgx/certification/v4/' when\n"
          "ready; one line per request on stderr; SIGHUP re-reads the CA;\n"
          "stops on SIGINT/SIGTERM.  Exit status: 0 stopped, 2 usage\n"
          "error or unusable state or address.\n",
          SGXRA_PCS_DEFAULT_LISTEN, SGXRA_PCS_DEFAULT_TIMEOUT,
          SGXRA_PCS_DEFAULT_MAX_CONNECTIONS, SGXRA_PCS_DEFAULT_PER_IP);
}

static int64_t wall_clock(void *arg) {
  (void)arg;
  return (int64_t)time(NULL);
}

/* DIR itself when it holds a CA (state.json), else the CA of a platform
 * folder (DIR/ca_path, or DIR/ca when ca_path does not exist; a ca_path
 * that cannot be read stops, with cx set).  NULL on failure. */
static char *resolve_ca(sgxra_ctx *cx, const char *dir) {
  size_t n = strlen(dir) + 16;
  char *p = malloc(n);
  if (!p) return NULL;
  struct stat sb;
  snprintf(p, n, "%s/state.json", dir);
  if (stat(p, &sb) == 0) {
    free(p);
    return strdup(dir);
  }
  snprintf(p, n, "%s/ca_path", dir);
  uint8_t *buf = NULL;
  size_t len = 0;
  if (sgxra_file_read_ex(cx, p, 8192, SGXRA_FILE_MAY_BE_ABSENT, &buf, &len)) {
    free(p);
    return NULL;
  }
  if (buf) {
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
      buf[--len] = 0;
    free(p);
    return (char *)buf;
  }
  snprintf(p, n, "%s/ca", dir);
  return p;
}

/* Print "listening on SCHEME://HOST:PORT<path>/" for the --listen value
 * `listen` (the host as given, the port as bound), once, on stdout. */
static void print_listening(const char *listen, int tls, unsigned port,
                            const char *path) {
  char host[64] = "127.0.0.1";
  const char *colon = strrchr(listen, ':');
  if (colon && (size_t)(colon - listen) < sizeof host) {
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
  }
  printf("listening on %s://%s:%u%s/\n", tls ? "https" : "http", host, port,
         path);
  fflush(stdout);
}

/* The log lines around the graceful stop of serve verifier / serve sp:
 * before (signal `sig`, `in_flight` requests running) and after (`total`
 * requests served, `left` cut by the drain timeout). */
static void log_stopping(const char *verb, int sig, uint64_t in_flight) {
  fprintf(stderr,
          "sgxra %s: stopping on signal %d: finishing %llu request(s) in "
          "flight\n",
          verb, sig, (unsigned long long)in_flight);
}
static void log_stopped(const char *verb, uint64_t total, uint64_t left) {
  fprintf(stderr, "sgxra %s: stopped after %llu requests%s\n", verb,
          (unsigned long long)total,
          left ? " (some still in flight were cut)" : "");
}

/* Let the server hold as many connections as it is configured for: raise
 * the soft limit on open files to the hard limit (a default Debian shell
 * gives 1024, which ~1,000 idle connections exhaust: accept() then fails
 * with EMFILE and MHD stops accepting until one closes).  When even the
 * hard limit is too low, lower *max_conn so that MHD refuses the excess
 * itself (closing the newest) instead of running out of descriptors. */
#define FD_RESERVE 64 /* the CA's files, logs, the epoll and pipe fds */
static void fit_fd_limit(unsigned *max_conn) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  rlim_t want = (rlim_t)*max_conn + FD_RESERVE;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    rlim_t cur =
        rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
    rlim_t before = rl.rlim_cur;
    rl.rlim_cur = cur;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) rl.rlim_cur = before;
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    unsigned fit = rl.rlim_cur > 2 * FD_RESERVE
                       ? (unsigned)(rl.rlim_cur - FD_RESERVE)
                       : FD_RESERVE;
    fprintf(stderr,
            "sgxra %s: the open-file limit is %llu (ulimit -n): serving at "
            "most %u connections at once instead of %u\n",
            VERB, (unsigned long long)rl.rlim_cur, fit, *max_conn);
    *max_conn = fit;
  }
}

static int serve_pcs(int argc, char **argv) {
  static const struct option opts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"state", required_argument, NULL, 's'},
      {"idle-timeout", required_argument, NULL, 't'},
      {"max-connections", required_argument, NULL, 'm'},
      {"per-ip", required_argument, NULL, 'p'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *listen = NULL, *state = NULL, *timeout_s = NULL, *max_s = NULL,
             *per_ip_s = NULL;
  int c, li;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":l:s:h", opts, &li)) != -1) {
    switch (c) {
    case 'l':
      listen = optarg;
      break;
    case 's':
      state = optarg;
      break;
    case 't':
      timeout_s = optarg;
      break;
    case 'm':
      max_s = optarg;
      break;
    case 'p':
      per_ip_s = optarg;
      break;
    case 'h':
      usage(stdout);
      return CLI_EXIT_OK;
    case ':':
      return cli_usage_error(VERB, "option %s needs a value", argv[optind - 1]);
    default:
      return cli_usage_error(VERB, "unknown option %s", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error(VERB, "unexpected argument '%s'", argv[optind]);
  if (!state) return cli_usage_error(VERB, "--state DIR is required");
  uint64_t timeout = SGXRA_PCS_DEFAULT_TIMEOUT,
           max_conn = SGXRA_PCS_DEFAULT_MAX_CONNECTIONS,
           per_ip = SGXRA_PCS_DEFAULT_PER_IP;
  int prc;
  if ((timeout_s && (prc = cli_parse_uint(VERB, "--idle-timeout", timeout_s, 1,
                                          3600, &timeout))) ||
      (max_s && (prc = cli_parse_uint(VERB, "--max-connections", max_s, 1,
                                      1000000, &max_conn))) ||
      (per_ip_s &&
       (prc = cli_parse_uint(VERB, "--per-ip", per_ip_s, 1, 1000000, &per_ip))))
    return prc;
  unsigned max_u = (unsigned)max_conn;
  fit_fd_limit(&max_u);

  /* Block the stop signals before the server's thread starts, so that only
   * sigwait below receives them. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, NULL);

  sgxra_ctx *cx = sgxra_ctx_new();
  if (!cx) return cli_usage_error(VERB, "out of memory");
  char *cadir = resolve_ca(cx, state);
  if (!cadir) {
    int frc = sgxra_ctx_error(cx) ? cli_fail(VERB, NULL, cx, CLI_EXIT_USAGE)
                                  : cli_usage_error(VERB, "out of memory");
    sgxra_ctx_free(cx);
    return frc;
  }
  sgxra_pcs_options opt = {.listen = listen,
                           .clock = wall_clock,
                           .log = stderr,
                           .connection_timeout = (unsigned)timeout,
                           .request_timeout = (unsigned)timeout,
                           .max_connections = max_u,
                           .per_ip_connections = (unsigned)per_ip};
  sgxra_pcs_server *srv = NULL;
  int rc = CLI_EXIT_OK;
  if (sgxra_pcs_start(cx, cadir, &opt, &srv) != SGXRA_OK) {
    rc = cli_fail(VERB, listen ? listen : SGXRA_PCS_DEFAULT_LISTEN, cx,
                  CLI_EXIT_USAGE);
  } else {
    print_listening(listen ? listen : SGXRA_PCS_DEFAULT_LISTEN, 0,
                    sgxra_pcs_port(srv), SGXRA_PCS_PREFIX);
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
      sgxra_pcs_reload(srv);
      fprintf(stderr,
              "sgxra %s: SIGHUP: the CA state is re-read at the next "
              "request\n",
              VERB);
    }
    fprintf(stderr,
            "sgxra %s: stopping on signal %d after %llu requests (%llu "
            "signed sets prepared)\n",
            VERB, sig, (unsigned long long)sgxra_pcs_requests(srv),
            (unsigned long long)sgxra_pcs_preparations(srv));
    sgxra_pcs_stop(srv);
  }
  sgxra_ctx_free(cx);
  free(cadir);
  return rc;
}

/* ---- serve verifier --------------------------------------------------- */

static void usage_verifier(FILE *f) {
  fprintf(f,
          "usage: sgxra serve verifier --state DIR [--listen HOST:PORT]\n"
          "                            [--collateral DIR | --pccs URL ...]\n"
          "                            [options]\n"
          "\n"
          "The attestation service: verifies quotes over HTTP(S) and signs "
          "what it\n"
          "found.  Routes:\n"
          "  POST /v1/attest              {\"quote\": base64, ...} -> a "
          "signed token (JWT)\n"
          "  GET  /v1/nonce               a verifier nonce\n"
          "  GET  /v1/certs               the token key (JWKS)\n"
          "  POST /attestation/v5/report  Intel's retired attestation "
          "service API v5\n"
          "  GET  /healthz                {\"status\":\"ok\"}\n"
          "  GET  /metrics                Prometheus text format\n"
          "\n"
          "  -l, --listen HOST:PORT   IPv4 address and port (default %s;\n"
          "                           port 0 picks a free one)\n"
          "  -s, --state DIR          the service's keys (required; created "
          "0700)\n"
          "      --token-key PEM      P-256 key that signs tokens (default "
          "DIR's)\n"
          "      --collateral DIR     one collateral bundle for every quote\n"
          "      --pccs URL           collateral from this PCS/PCCS "
          "(through the cache)\n"
          "      --api-key KEY        the PCS subscription key\n"
          "      --qcnl-conf PATH     QCNL configuration (default "
          "/etc/sgx_default_qcnl.conf)\n"
          "      --insecure           do not verify the PCCS's TLS "
          "certificate\n" CLI_CACHE_HELP
          "      --no-cache           keep collateral in memory only\n"
          "      --update standard|early  the TCB update of the collateral\n"
          "      --trust-root PEM     trust anchor instead of Intel SGX Root "
          "CA\n"
          "      --tls-cert PEM       serve HTTPS with this certificate "
          "(chain)...\n"
          "      --tls-key PEM        ...and its key\n"
          "      --max-body BYTES     largest request body (default %zu; "
          "413 above)\n"
          "      --threads N          server threads (default one per CPU, "
          "at least 2)\n"
          "      --token-ttl S        seconds a token is valid (default "
          "300)\n"
          "      --nonce-ttl S        seconds a nonce is accepted (default "
          "300)\n"
          "      --at TIME            verify at this fixed time instead of "
          "the clock,\n"
          "                           for testing with recorded collateral\n"
          "      --config FILE        JSON object of these options by name, "
          "e.g.\n"
          "                           {\"listen\": \"0.0.0.0:8082\", "
          "\"threads\": 8,\n"
          "                           \"insecure\": true}; flags override "
          "it\n"
          "  -h, --help               this help\n"
          "\n"
          "Errors are JSON {\"code\", \"message\"}: 400 bad request, 404 "
          "unknown path,\n"
          "405 wrong method, 413 body too large, 415 not application/json, "
          "500\n"
          "service failure, 503 collateral unavailable.  Prints 'listening "
          "on\n"
          "http[s]://HOST:PORT/' when ready; one line per request on stderr;"
          "\n"
          "SIGINT/SIGTERM stop it after the requests in flight.  Exit "
          "status: 0\n"
          "stopped, 2 usage error or unusable state, keys or address.\n",
          SGXRA_VERIFIER_DEFAULT_LISTEN, SGXRA_VERIFIER_DEFAULT_MAX_BODY);
}

/* Every option by name: flags fill it first, then --config the rest. */
enum vopt {
  V_LISTEN,
  V_STATE,
  V_TOKEN_KEY,
  V_COLLATERAL,
  V_PCCS,
  V_API_KEY,
  V_QCNL_CONF,
  V_INSECURE,
  V_CACHE,
  V_NO_CACHE,
  V_UPDATE,
  V_TRUST_ROOT,
  V_TLS_CERT,
  V_TLS_KEY,
  V_MAX_BODY,
  V_THREADS,
  V_TOKEN_TTL,
  V_NONCE_TTL,
  V_AT,
  V_COUNT
};
static const char *const vopt_names[V_COUNT] = {
    "listen",  "state",      "token-key", "collateral", "pccs",
    "api-key", "qcnl-conf",  "insecure",  "cache",      "no-cache",
    "update",  "trust-root", "tls-cert",  "tls-key",    "max-body",
    "threads", "token-ttl",  "nonce-ttl", "at"};
static const int vopt_flag[V_COUNT] = {[V_INSECURE] = 1, [V_NO_CACHE] = 1};

/* Fill the unset options from the JSON object in `path`; the strings
 * live in *keep.  0 or the exit status. */
static int load_config(const char *path, const char **val, json_t **keep) {
  sgxra_ctx *cx = cli_ctx_new(VVERB);
  if (!cx) return CLI_EXIT_USAGE;
  uint8_t *text = NULL;
  size_t n = 0;
  int rc = cli_read_file(VVERB, cx, path, CONFIG_CAP, &text, &n);
  sgxra_ctx_free(cx);
  if (rc) return rc;
  json_error_t je;
  json_t *o = json_loadb((const char *)text, n, JSON_REJECT_DUPLICATES, &je);
  free(text);
  if (!o || !json_is_object(o)) {
    int urc = cli_usage_error(VVERB, "--config %s: %s", path,
                              o ? "expected a JSON object" : je.text);
    json_decref(o);
    return urc;
  }
  json_t *strs = json_array();
  *keep = strs;
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v) {
    int k = 0;
    while (k < V_COUNT && strcmp(vopt_names[k], key)) k++;
    if (k == V_COUNT) {
      int urc = cli_usage_error(VVERB, "--config %s: unknown option \"%s\"",
                                path, key);
      json_decref(o);
      return urc;
    }
    char buf[32];
    const char *sv;
    if (vopt_flag[k]) {
      if (!json_is_boolean(v)) {
        int urc = cli_usage_error(VVERB,
                                  "--config %s: \"%s\" must be true or "
                                  "false",
                                  path, key);
        json_decref(o);
        return urc;
      }
      sv = json_is_true(v) ? "1" : NULL;
    } else if (json_is_string(v)) {
      sv = json_string_value(v);
    } else if (json_is_integer(v) && json_integer_value(v) >= 0) {
      snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
      sv = buf;
    } else {
      int urc = cli_usage_error(
          VVERB, "--config %s: \"%s\" must be a string%s", path, key,
          k >= V_MAX_BODY && k <= V_NONCE_TTL ? " or a number" : "");
      json_decref(o);
      return urc;
    }
    if (val[k] || !sv) continue; /* the flag wins */
    json_t *js = json_string(sv);
    json_array_append_new(strs, js);
    val[k] = js ? json_string_value(js) : NULL;
  }
  json_decref(o);
  return 0;
}

static int serve_verifier(int argc, char **argv) {
  enum { O_BASE = 0x600 };
  static const struct option opts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"state", required_argument, NULL, 's'},
      {"help", no_argument, NULL, 'h'},
      {"token-key", required_argument, NULL, O_BASE + V_TOKEN_KEY},
      {"collateral", required_argument, NULL, O_BASE + V_COLLATERAL},
      {"trust-root", required_argument, NULL, O_BASE + V_TRUST_ROOT},
      {"tls-cert", required_argument, NULL, O_BASE + V_TLS_CERT},
      {"tls-key", required_argument, NULL, O_BASE + V_TLS_KEY},
      {"max-body", required_argument, NULL, O_BASE + V_MAX_BODY},
      {"threads", required_argument, NULL, O_BASE + V_THREADS},
      {"token-ttl", required_argument, NULL, O_BASE + V_TOKEN_TTL},
      {"nonce-ttl", required_argument, NULL, O_BASE + V_NONCE_TTL},
      {"at", required_argument, NULL, O_BASE + V_AT},
      {"config", required_argument, NULL, O_BASE + V_COUNT},
      CLI_PCCS_LONG_OPTIONS,
      {NULL, 0, NULL, 0},
  };
  const char *val[V_COUNT] = {0};
  const char *config = NULL;
  int c, li;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":l:s:h", opts, &li)) != -1) {
    cli_pccs_opts po;
    memset(&po, 0, sizeof po);
    switch (c) {
    case 'l':
      val[V_LISTEN] = optarg;
      continue;
    case 's':
      val[V_STATE] = optarg;
      continue;
    case 'h':
      usage_verifier(stdout);
      return CLI_EXIT_OK;
    case ':':
    case '?':
      return cli_option_error(VVERB, c, argv);
    default:
      break;
    }
    if (c == O_BASE + V_COUNT) {
      config = optarg;
    } else if (c >= O_BASE && c < O_BASE + V_COUNT) {
      val[c - O_BASE] = optarg;
    } else if (cli_pccs_option(&po, c, optarg)) {
      if (po.pccs_url) val[V_PCCS] = po.pccs_url;
      if (po.api_key) val[V_API_KEY] = po.api_key;
      if (po.qcnl_conf) val[V_QCNL_CONF] = po.qcnl_conf;
      if (po.cache_url) val[V_CACHE] = po.cache_url;
      if (po.update) val[V_UPDATE] = po.update;
      if (po.insecure) val[V_INSECURE] = "1";
      if (po.no_cache) val[V_NO_CACHE] = "1";
    } else {
      return cli_option_error(VVERB, c, argv);
    }
  }
  if (optind < argc)
    return cli_usage_error(VVERB, "unexpected argument '%s'", argv[optind]);
  json_t *keep = NULL;
  int rc;
  if (config && (rc = load_config(config, val, &keep))) {
    json_decref(keep);
    return rc;
  }
  uint64_t max_body = SGXRA_VERIFIER_DEFAULT_MAX_BODY, threads = 0,
           token_ttl = 0, nonce_ttl = 0;
  rc = CLI_EXIT_USAGE;
  sgxra_ctx *cx = NULL;
  sgxra_store *store = NULL;
  sgxra_pccs_client *client = NULL;
  sgxra_x509_chain *root = NULL;
  sgxra_verifier_service *svc = NULL;
  sgxra_verifier_server *srv = NULL;
  if (!val[V_STATE]) {
    rc = cli_usage_error(VVERB, "--state DIR is required (the service's "
                                "keys)");
    goto out;
  }
  if (!val[V_COLLATERAL] == !val[V_PCCS]) {
    rc = cli_usage_error(VVERB, "give exactly one of --collateral DIR and "
                                "--pccs URL");
    goto out;
  }
  if (val[V_CACHE] && val[V_NO_CACHE]) {
    rc = cli_usage_error(VVERB, "--cache and --no-cache exclude each other");
    goto out;
  }
  if (!val[V_TLS_CERT] != !val[V_TLS_KEY]) {
    rc = cli_usage_error(VVERB, "--tls-cert and --tls-key go together");
    goto out;
  }
  if (val[V_UPDATE] && strcmp(val[V_UPDATE], "standard")) {
    rc = cli_usage_error(VVERB, "--update: the service verifies with the "
                                "standard TCB update only");
    goto out;
  }
  if ((val[V_MAX_BODY] &&
       (rc = cli_parse_uint(VVERB, "--max-body", val[V_MAX_BODY], 1,
                            (uint64_t)1 << 30, &max_body))) ||
      (val[V_THREADS] &&
       (rc = cli_parse_uint(VVERB, "--threads", val[V_THREADS], 1, 1024,
                            &threads))) ||
      (val[V_TOKEN_TTL] &&
       (rc = cli_parse_uint(VVERB, "--token-ttl", val[V_TOKEN_TTL], 1,
                            (uint64_t)1 << 31, &token_ttl))) ||
      (val[V_NONCE_TTL] &&
       (rc = cli_parse_uint(VVERB, "--nonce-ttl", val[V_NONCE_TTL], 1,
                            (uint64_t)1 << 31, &nonce_ttl))))
    goto out;
  rc = CLI_EXIT_USAGE;
  if (!(cx = cli_ctx_new(VVERB))) goto out;
  int64_t at = 0;
  if (val[V_AT] && sgxra_time_parse_arg(cx, val[V_AT], &at) != SGXRA_OK) {
    rc = cli_fail(VVERB, "--at", cx, CLI_EXIT_USAGE);
    goto out;
  }
  int64_t now = val[V_AT] ? at : (int64_t)time(NULL);
  if (val[V_TRUST_ROOT]) {
    uint8_t *pem = NULL;
    size_t n = 0;
    if ((rc = cli_read_file(VVERB, cx, val[V_TRUST_ROOT], ROOT_CAP, &pem, &n)))
      goto out;
    sgxra_err e = sgxra_x509_chain_parse_pem(cx, pem, n, &root);
    free(pem);
    if (e) {
      rc = cli_fail(VVERB, val[V_TRUST_ROOT], cx, CLI_EXIT_USAGE);
      goto out;
    }
  }
  if (val[V_PCCS]) {
    sgxra_pccs_config cfg;
    sgxra_pccs_config_init(&cfg);
    if (sgxra_pccs_global_init(cx) ||
        sgxra_pccs_config_resolve(cx, &cfg, val[V_PCCS], NULL,
                                  val[V_QCNL_CONF])) {
      rc = cli_fail(VVERB, "PCCS configuration", cx, CLI_EXIT_USAGE);
      goto out;
    }
    if (val[V_API_KEY])
      snprintf(cfg.api_key, sizeof cfg.api_key, "%s", val[V_API_KEY]);
    if (val[V_INSECURE]) cfg.use_secure_cert = 0;
    /* a request waits for the network at most about half a minute */
    if (cfg.retry_times > 2) cfg.retry_times = 2;
    if (cfg.total_timeout_ms > 10000) cfg.total_timeout_ms = 10000;
    if (!val[V_NO_CACHE] &&
        (rc = cli_cache_open(VVERB, cx, val[V_CACHE], now, &store)))
      goto out;
    rc = CLI_EXIT_USAGE;
    if (sgxra_pccs_client_new(cx, &cfg, store, NULL, &client)) {
      rc = cli_fail(VVERB, "PCCS client", cx, CLI_EXIT_USAGE);
      goto out;
    }
  }
  sgxra_verifier_options vo = {
      .state_dir = val[V_STATE],
      .token_key_pem = val[V_TOKEN_KEY],
      .pccs = client,
      .collateral_dir = val[V_COLLATERAL],
      .trust_root = root ? sgxra_x509_chain_get(root, 0) : NULL,
      .token_ttl = (int64_t)token_ttl,
      .nonce_ttl = (int64_t)nonce_ttl,
  };
  if (sgxra_verifier_open(cx, &vo, &svc)) {
    rc = cli_fail(VVERB, val[V_STATE], cx, CLI_EXIT_USAGE);
    goto out;
  }

  /* Block the stop signals before the server's threads start, so that
   * only sigwait below receives them. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, NULL);
  sgxra_verifier_server_options so = {
      .listen = val[V_LISTEN],
      .clock = val[V_AT] ? NULL : wall_clock,
      .now = at,
      .log = stderr,
      .threads = (unsigned)threads,
      .max_body = (size_t)max_body,
      .tls_cert_path = val[V_TLS_CERT],
      .tls_key_path = val[V_TLS_KEY],
  };
  const char *l = val[V_LISTEN] ? val[V_LISTEN] : SGXRA_VERIFIER_DEFAULT_LISTEN;
  if (sgxra_verifier_server_start(cx, svc, &so, &srv) != SGXRA_OK) {
    rc = cli_fail(VVERB, l, cx, CLI_EXIT_USAGE);
    goto out;
  }
  print_listening(l, val[V_TLS_CERT] != NULL, sgxra_verifier_server_port(srv),
                  "");
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  log_stopping(VVERB, sig, sgxra_verifier_server_in_flight(srv));
  uint64_t total = sgxra_verifier_server_requests(srv);
  uint64_t left = sgxra_verifier_server_stop(srv);
  srv = NULL;
  log_stopped(VVERB, total, left);
  rc = CLI_EXIT_OK;
out:
  sgxra_verifier_server_stop(srv);
  sgxra_verifier_close(svc);
  sgxra_pccs_client_free(client);
  sgxra_store_close(store);
  sgxra_x509_chain_free(root);
  sgxra_ctx_free(cx);
  json_decref(keep);
  return rc;
}

/* ---- serve sp --------------------------------------------------------- */

static void usage_sp(FILE *f) {
  fprintf(f,
          "usage: sgxra serve sp --key SP_KEY.pem [--db URL] [--listen "
          "HOST:PORT]\n"
          "                      [--pccs URL ... | --collateral DIR | "
          "--verifier URL]\n"
          "                      [options]\n"
          "\n"
          "The service provider: remote attestation of enclaves over "
          "HTTP(S), the\n"
          "appraisal against the registry, secret provisioning and the "
          "registry's\n"
          "administration API.  Routes:\n"
          "  POST /ra/v1/sessions             msg0 -> 201 {\"session\", "
          "\"expires\"}\n"
          "  POST /ra/v1/sessions/ID/msg1     msg1 -> msg2\n"
          "  POST /ra/v1/sessions/ID/msg3     msg3 -> msg4 (decision, "
          "secret)\n"
          "  POST /admin/v1/enclaves          SIGSTRUCT or signed .so upload "
          "[?product=&note=&allow_debug_signer=1]\n"
          "  POST /admin/v1/signers|deny|revoke   JSON\n"
          "  PUT  /admin/v1/policy|secrets    policy document | JSON\n"
          "  GET  /admin/v1/enclaves|signers|deny|policy|secrets   listings\n"
          "  GET  /healthz, GET /metrics\n"
          "Admin writes need 'Authorization: Bearer TOKEN' (sgxra registry "
          "token add).\n"
          "\n"
          "  -l, --listen HOST:PORT   IPv4 address and port (default %s;\n"
          "                           port 0 picks a free one)\n"
          "  -k, --key PEM            the SP's long-term P-256 key "
          "(required): signs\n"
          "                           msg2, seals sessions and secrets\n"
          "      --db URL             the registry and sessions (default "
          "$SGXRA_DB,\n"
          "                           else sqlite:$XDG_DATA_HOME/sgxra/"
          "registry.db)\n"
          "      --collateral DIR     verify in process with this bundle\n"
          "      --pccs URL           verify in process, collateral from "
          "this PCS/PCCS\n"
          "      --api-key KEY        the PCS subscription key\n"
          "      --qcnl-conf PATH     QCNL configuration\n"
          "      --insecure           do not verify TLS certificates (PCCS, "
          "verifier)\n" CLI_CACHE_HELP
          "      --no-cache           keep collateral in memory only\n"
          "      --trust-root PEM     trust anchor instead of Intel SGX Root "
          "CA\n"
          "      --verifier URL       verify through `sgxra serve verifier` "
          "at URL\n"
          "      --verifier-ca PEM    CA bundle for an https verifier\n"
          "      --quote-version 3|4  the quote msg2 asks for (default 3)\n"
          "      --session-ttl S      seconds from msg0 to msg3 (default "
          "%d)\n"
          "      --actor NAME         who the audit rows name (default "
          "sp:HOST:PID)\n"
          "      --tls-cert PEM       serve HTTPS with this certificate "
          "(chain)...\n"
          "      --tls-key PEM        ...and its key\n"
          "      --max-body BYTES     largest request body (default %zu)\n"
          "      --threads N          server threads (default one per CPU, "
          "at least 2)\n"
          "      --at TIME            a fixed time instead of the clock "
          "(testing)\n"
          "  -h, --help               this help\n"
          "\n"
          "Errors are JSON {\"code\", \"message\"}: 400 malformed, 401 no "
          "or bad admin\n"
          "token, 403 MAC/signature/binding, 404 unknown session or path, "
          "409 out of\n"
          "order or replayed, 410 expired, 413 too large, 503 collateral or "
          "verifier\n"
          "unavailable.  Prints 'listening on http[s]://HOST:PORT/' when "
          "ready; one\n"
          "line per request on stderr; SIGINT/SIGTERM stop it after the "
          "requests in\n"
          "flight.  Exit status: 0 stopped, 2 usage error or unusable key, "
          "database\n"
          "or address.\n",
          SGXRA_SP_DEFAULT_LISTEN, SGXRA_SP_DEFAULT_SESSION_TTL,
          SGXRA_SP_DEFAULT_MAX_BODY);
}

static int serve_sp(int argc, char **argv) {
  enum {
    S_KEY = 0x700,
    S_COLLATERAL,
    S_TRUST_ROOT,
    S_VERIFIER,
    S_VERIFIER_CA,
    S_QUOTE_VERSION,
    S_SESSION_TTL,
    S_TLS_CERT,
    S_TLS_KEY,
    S_MAX_BODY,
    S_THREADS
  };
  static const struct option opts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"key", required_argument, NULL, 'k'},
      {"collateral", required_argument, NULL, S_COLLATERAL},
      {"trust-root", required_argument, NULL, S_TRUST_ROOT},
      {"verifier", required_argument, NULL, S_VERIFIER},
      {"verifier-ca", required_argument, NULL, S_VERIFIER_CA},
      {"quote-version", required_argument, NULL, S_QUOTE_VERSION},
      {"session-ttl", required_argument, NULL, S_SESSION_TTL},
      {"tls-cert", required_argument, NULL, S_TLS_CERT},
      {"tls-key", required_argument, NULL, S_TLS_KEY},
      {"max-body", required_argument, NULL, S_MAX_BODY},
      {"threads", required_argument, NULL, S_THREADS},
      CLI_PCCS_LONG_OPTIONS,
      SP_COMMON_OPTIONS,
      {NULL, 0, NULL, 0},
  };
  const char *listen = NULL, *key_path = NULL, *coll = NULL, *root_path = NULL,
             *verifier = NULL, *verifier_ca = NULL, *qv_s = NULL, *ttl_s = NULL,
             *tls_cert = NULL, *tls_key = NULL, *max_body_s = NULL,
             *threads_s = NULL;
  cli_pccs_opts po;
  memset(&po, 0, sizeof po);
  sp_common cm;
  memset(&cm, 0, sizeof cm);
  cm.verb = SVERB;
  int c, li;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":l:k:h", opts, &li)) != -1) {
    switch (c) {
    case 'l':
      listen = optarg;
      continue;
    case 'k':
      key_path = optarg;
      continue;
    case S_COLLATERAL:
      coll = optarg;
      continue;
    case S_TRUST_ROOT:
      root_path = optarg;
      continue;
    case S_VERIFIER:
      verifier = optarg;
      continue;
    case S_VERIFIER_CA:
      verifier_ca = optarg;
      continue;
    case S_QUOTE_VERSION:
      qv_s = optarg;
      continue;
    case S_SESSION_TTL:
      ttl_s = optarg;
      continue;
    case S_TLS_CERT:
      tls_cert = optarg;
      continue;
    case S_TLS_KEY:
      tls_key = optarg;
      continue;
    case S_MAX_BODY:
      max_body_s = optarg;
      continue;
    case S_THREADS:
      threads_s = optarg;
      continue;
    case ':':
    case '?':
      return cli_option_error(SVERB, c, argv);
    default:
      break;
    }
    if (cli_pccs_option(&po, c, optarg)) continue;
    if (c != SP_OPT_JSON && sp_common_option(&cm, c, optarg)) continue;
    return cli_option_error(SVERB, c, argv);
  }
  if (cm.help) {
    usage_sp(stdout);
    return CLI_EXIT_OK;
  }
  if (optind < argc)
    return cli_usage_error(SVERB, "unexpected argument '%s'", argv[optind]);
  if (!key_path)
    return cli_usage_error(SVERB, "--key PEM (the SP's P-256 key) is "
                                  "required");
  if ((coll != NULL) + (po.pccs_url != NULL) + (verifier != NULL) != 1)
    return cli_usage_error(SVERB, "give exactly one of --pccs URL, "
                                  "--collateral DIR and --verifier URL");
  if (verifier && root_path)
    return cli_usage_error(SVERB, "--trust-root is for in-process "
                                  "verification (the verifier has its own)");
  if (po.cache_url && po.no_cache)
    return cli_usage_error(SVERB, "--cache and --no-cache exclude each other");
  if (!tls_cert != !tls_key)
    return cli_usage_error(SVERB, "--tls-cert and --tls-key go together");
  if (po.update && strcmp(po.update, "standard"))
    return cli_usage_error(SVERB, "--update: the SP verifies with the "
                                  "standard TCB update only");
  uint64_t qv = 3, ttl = 0, max_body = SGXRA_SP_DEFAULT_MAX_BODY, threads = 0;
  int rc;
  if ((qv_s &&
       (rc = cli_parse_uint(SVERB, "--quote-version", qv_s, 3, 4, &qv))) ||
      (ttl_s &&
       (rc = cli_parse_uint(SVERB, "--session-ttl", ttl_s, 1, 86400, &ttl))) ||
      (max_body_s && (rc = cli_parse_uint(SVERB, "--max-body", max_body_s, 4096,
                                          (uint64_t)1 << 30, &max_body))) ||
      (threads_s &&
       (rc = cli_parse_uint(SVERB, "--threads", threads_s, 1, 1024, &threads))))
    return rc;
  rc = CLI_EXIT_USAGE;
  sgxra_ctx *cx = cli_ctx_new(SVERB);
  if (!cx) return CLI_EXIT_USAGE;
  sgxra_p256_key *key = NULL;
  sgxra_store *cache = NULL;
  sgxra_pccs_client *client = NULL;
  sgxra_x509_chain *root = NULL;
  sgxra_sp *sp = NULL;
  sgxra_sp_server *srv = NULL;
  const char *actor_flag = cm.actor_flag;
  if (!actor_flag) cm.actor_flag = "sp"; /* sp_begin's default is not ours */
  if ((rc = sp_begin(&cm, cx))) goto out;
  rc = CLI_EXIT_USAGE;
  int64_t now = cm.now;
  {
    uint8_t *pem = NULL;
    size_t n = 0;
    if ((rc = cli_read_file(SVERB, cx, key_path, ROOT_CAP, &pem, &n))) goto out;
    sgxra_err e = sgxra_p256_load_private(cx, pem, n, &key);
    sgxra_wipe(pem, n);
    free(pem);
    if (e) {
      rc = cli_fail(SVERB, key_path, cx, CLI_EXIT_USAGE);
      goto out;
    }
  }
  if (root_path) {
    uint8_t *pem = NULL;
    size_t n = 0;
    if ((rc = cli_read_file(SVERB, cx, root_path, ROOT_CAP, &pem, &n)))
      goto out;
    sgxra_err e = sgxra_x509_chain_parse_pem(cx, pem, n, &root);
    free(pem);
    if (e) {
      rc = cli_fail(SVERB, root_path, cx, CLI_EXIT_USAGE);
      goto out;
    }
  }
  if (po.pccs_url) {
    sgxra_pccs_config cfg;
    sgxra_pccs_config_init(&cfg);
    if (sgxra_pccs_global_init(cx) ||
        sgxra_pccs_config_resolve(cx, &cfg, po.pccs_url, NULL, po.qcnl_conf)) {
      rc = cli_fail(SVERB, "PCCS configuration", cx, CLI_EXIT_USAGE);
      goto out;
    }
    if (po.api_key) snprintf(cfg.api_key, sizeof cfg.api_key, "%s", po.api_key);
    if (po.insecure) cfg.use_secure_cert = 0;
    if (cfg.retry_times > 2) cfg.retry_times = 2;
    if (cfg.total_timeout_ms > 10000) cfg.total_timeout_ms = 10000;
    if (!po.no_cache &&
        (rc = cli_cache_open(SVERB, cx, po.cache_url, now, &cache)))
      goto out;
    rc = CLI_EXIT_USAGE;
    if (sgxra_pccs_client_new(cx, &cfg, cache, NULL, &client)) {
      rc = cli_fail(SVERB, "PCCS client", cx, CLI_EXIT_USAGE);
      goto out;
    }
  }
  sgxra_sp_options so = {
      .db_url = cm.url,
      .key = key,
      .pccs = client,
      .collateral_dir = coll,
      .verifier_url = verifier,
      .trust_root = root ? sgxra_x509_chain_get(root, 0) : NULL,
      .verifier_ca_file = verifier_ca,
      .verifier_insecure = po.insecure,
      .quote_version = (unsigned)qv,
      .session_ttl = (int64_t)ttl,
      .actor = actor_flag ? cm.actor : NULL,
      .now = now,
  };
  if (sgxra_sp_open(cx, &so, &sp)) {
    rc = cli_fail(SVERB, NULL, cx, CLI_EXIT_USAGE);
    goto out;
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, NULL);
  sgxra_sp_server_options sso = {
      .listen = listen,
      .clock = cm.at ? NULL : wall_clock,
      .now = cm.now,
      .log = stderr,
      .threads = (unsigned)threads,
      .max_body = (size_t)max_body,
      .tls_cert_path = tls_cert,
      .tls_key_path = tls_key,
  };
  const char *l = listen ? listen : SGXRA_SP_DEFAULT_LISTEN;
  if (sgxra_sp_server_start(cx, sp, &sso, &srv) != SGXRA_OK) {
    rc = cli_fail(SVERB, l, cx, CLI_EXIT_USAGE);
    goto out;
  }
  print_listening(l, tls_cert != NULL, sgxra_sp_server_port(srv), "");
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  log_stopping(SVERB, sig, sgxra_sp_server_in_flight(srv));
  uint64_t total = sgxra_sp_server_requests(srv);
  uint64_t left = sgxra_sp_server_stop(srv);
  srv = NULL;
  log_stopped(SVERB, total, left);
  rc = CLI_EXIT_OK;
out:
  sgxra_sp_server_stop(srv);
  sgxra_sp_close(sp);
  sgxra_pccs_client_free(client);
  sgxra_store_close(cache);
  sgxra_x509_chain_free(root);
  sgxra_p256_free(key);
  sgxra_ctx_free(cx);
  return rc;
}

int cli_cmd_serve(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    fputc('\n', stderr);
    usage_verifier(stderr);
    fputc('\n', stderr);
    usage_sp(stderr);
    return CLI_EXIT_USAGE;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    usage(stdout);
    fputc('\n', stdout);
    usage_verifier(stdout);
    fputc('\n', stdout);
    usage_sp(stdout);
    return CLI_EXIT_OK;
  }
  if (!strcmp(argv[1], "pcs")) return serve_pcs(argc - 1, argv + 1);
  if (!strcmp(argv[1], "verifier")) return serve_verifier(argc - 1, argv + 1);
  if (!strcmp(argv[1], "sp")) return serve_sp(argc - 1, argv + 1);
  return cli_usage_error("serve", "unknown service '%s' (pcs, verifier, sp)",
                         argv[1]);
}
