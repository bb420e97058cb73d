/* sgxra serve: run a service.
 *
 *   sgxra serve pcs [--listen HOST:PORT] --state DIR
 *
 * pcs: the simulated Intel PCS (sgxra/pcs.h) for the simulated Intel CA in
 * DIR (a CA folder, or a platform folder made by `sgxra platform init`,
 * whose CA is used).  Loopback by default.  Prints one line
 * "listening on http://HOST:PORT/sgx/certification/v4/" to stdout once
 * ready, then serves until SIGINT or SIGTERM (graceful: the server's
 * threads are stopped and joined); SIGHUP re-reads the CA state.  One line
 * per request on stderr: "pcs: METHOD PATH STATUS BYTES TIMEms".
 *
 * Exit: 0 stopped by a signal; 2 usage error, unusable state or the address
 * cannot be bound. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "sgxra/file.h"
#include "sgxra/pcs.h"

#define VERB "serve pcs"

static void usage(FILE *f) {
  fprintf(f,
          "usage: sgxra serve pcs [--listen HOST:PORT] --state DIR\n"
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
          "  -h, --help               this help\n"
          "\n"
          "Prints 'listening on http://HOST:PORT/sgx/certification/v4/' when\n"
          "ready; one line per request on stderr; SIGHUP re-reads the CA;\n"
          "stops on SIGINT/SIGTERM.  Exit status: 0 stopped, 2 usage\n"
          "error or unusable state or address.\n",
          SGXRA_PCS_DEFAULT_LISTEN);
}

static int64_t wall_clock(void *arg) {
  (void)arg;
  return (int64_t)time(NULL);
}

/* DIR itself when it holds a CA (state.json), else the CA of a platform
 * folder (DIR/ca_path, or DIR/ca). */
static char *resolve_ca(const char *dir) {
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
  sgxra_ctx *cx = sgxra_ctx_new();
  uint8_t *buf = NULL;
  size_t len = 0;
  if (sgxra_file_read(cx, p, 8192, &buf, &len) == SGXRA_OK) {
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
      buf[--len] = 0;
    free(p);
    sgxra_ctx_free(cx);
    return (char *)buf;
  }
  sgxra_ctx_free(cx);
  snprintf(p, n, "%s/ca", dir);
  return p;
}

static int serve_pcs(int argc, char **argv) {
  static const struct option opts[] = {
      {"listen", required_argument, NULL, 'l'},
      {"state", required_argument, NULL, 's'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  const char *listen = NULL, *state = NULL;
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

  /* Block the stop signals before the server's thread starts, so that only
   * sigwait below receives them. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, NULL);

  char *cadir = resolve_ca(state);
  if (!cadir) return cli_usage_error(VERB, "out of memory");
  sgxra_ctx *cx = sgxra_ctx_new();
  sgxra_pcs_options opt = {
      .listen = listen, .clock = wall_clock, .log = stderr};
  sgxra_pcs_server *srv = NULL;
  int rc = CLI_EXIT_OK;
  if (sgxra_pcs_start(cx, cadir, &opt, &srv) != SGXRA_OK) {
    rc = cli_fail(VERB, listen ? listen : SGXRA_PCS_DEFAULT_LISTEN, cx,
                  CLI_EXIT_USAGE);
  } else {
    char host[64] = "127.0.0.1";
    const char *l = listen ? listen : SGXRA_PCS_DEFAULT_LISTEN;
    const char *colon = strrchr(l, ':');
    if (colon && (size_t)(colon - l) < sizeof host) {
      memcpy(host, l, (size_t)(colon - l));
      host[colon - l] = 0;
    }
    printf("listening on http://%s:%u" SGXRA_PCS_PREFIX "/\n", host,
           sgxra_pcs_port(srv));
    fflush(stdout);
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
      sgxra_pcs_reload(srv);
      fprintf(stderr,
              "sgxra %s: SIGHUP: the CA state is re-read at the next "
              "request\n",
              VERB);
    }
    fprintf(stderr, "sgxra %s: stopping on signal %d after %llu requests\n",
            VERB, sig, (unsigned long long)sgxra_pcs_requests(srv));
    sgxra_pcs_stop(srv);
  }
  sgxra_ctx_free(cx);
  free(cadir);
  return rc;
}

int cli_cmd_serve(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_EXIT_USAGE;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    usage(stdout);
    return CLI_EXIT_OK;
  }
  if (!strcmp(argv[1], "pcs")) return serve_pcs(argc - 1, argv + 1);
  return cli_usage_error("serve", "unknown service '%s' (pcs)", argv[1]);
}
