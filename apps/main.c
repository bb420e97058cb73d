/* The `sgxra` command: one binary, one verb per subcommand.  See
 * docs/CLI.md and apps/cli.h for the output contract. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
  const char *name;
  cli_cmd_fn fn;
  const char *summary;
} commands[] = {
    {"measure", cli_cmd_measure, "compute MRENCLAVE of an enclave image"},
    {"sign", cli_cmd_sign, "sign an enclave: write its SIGSTRUCT"},
    {"inspect", cli_cmd_inspect,
     "print MRENCLAVE, MRSIGNER and every field of an SGX file"},
    {"verify", cli_cmd_verify,
     "verify a DCAP quote against Intel collateral (Intel QVL verdict)"},
    {"platform", cli_cmd_platform,
     "the emulated SGX platform: init, quote, collateral"},
    {"serve", cli_cmd_serve, "run a service: pcs (simulated Intel PCS)"},
    {"registry", cli_cmd_registry,
     "the service provider's reference values: add, trust-signer, deny, ..."},
    {"policy", cli_cmd_policy, "the appraisal policy: set, show, history"},
    {"audit", cli_cmd_audit, "the registry's audit log: list, verify"},
    {"appraise", cli_cmd_appraise,
     "verify a quote and appraise it against the registry and policy"},
    {"collateral", cli_cmd_collateral,
     "Intel collateral: fetch from a PCS/PCCS, import, list, export"},
    {"client", cli_cmd_client,
     "remote attestation with a service provider: attest, unseal"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: sgxra <command> [options] [files]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f, "\n'sgxra <command> --help' shows a command's options.\n"
             "Numbers, in every option that takes one: decimal or 0x-prefixed "
             "hex.\n"
             "Files: every FILE read must be a regular file (a FIFO, device "
             "or\n"
             "directory is refused at once); '-' is stdin where a command "
             "says so.\n"
             "-o FILE writes a new name or replaces a regular file (through "
             "a\n"
             "temporary file, fsync and rename); a symbolic link, device or "
             "FIFO\n"
             "there is refused and left as it is.\n"
             "Exit status: 0 ok, 1 verified but refused, 2 usage or unusable "
             "input\n"
             "(also when the output cannot be written, e.g. a closed "
             "pipe).\n");
}

/* A result that did not reach stdout (a full disk, a closed pipe, JSON
 * that could not be formatted) must not end in success: a script would
 * read nothing, or half, and carry on.  SIGPIPE is ignored (main), so a
 * closed pipe is an EPIPE here -- "cannot write output: Broken pipe", exit
 * 2 -- never a death by signal (141).  A verb that already failed keeps its
 * status (1 stays 1).  stdout is closed here so a failure that only
 * fclose() sees is caught too; a failed write to stderr (diagnostics lost)
 * also turns success into 2. */
static int finish(const char *verb, int rc) {
  int err = 0;
  int bad = ferror(stdout) || cli_output_failed;
  if (fflush(stdout) != 0) {
    err = errno;
    bad = 1;
  }
  if (fclose(stdout) != 0 && !bad) {
    err = errno;
    bad = 1;
  }
  if (bad) {
    if (!err && !cli_output_failed) err = EIO;
    fprintf(stderr, "sgxra%s%s: cannot write output%s%s\n", verb ? " " : "",
            verb ? verb : "",
            err ? ": " : ": the result could not be formatted",
            err ? strerror(err) : "");
  }
  if (fflush(stderr) != 0 || ferror(stderr)) bad = 1;
  if (bad && rc == CLI_EXIT_OK) return CLI_EXIT_USAGE;
  return rc;
}

int main(int argc, char **argv) {
  /* A reader that went away (`sgxra verify ... | head -c0`) is a write
   * error reported by finish() -- and, for `serve`, on a socket, an error of
   * that one connection -- not the end of the process. */
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    usage(stderr);
    return finish(NULL, CLI_EXIT_USAGE);
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      !strcmp(argv[1], "help")) {
    usage(stdout);
    return finish(NULL, CLI_EXIT_OK);
  }
  if (!strcmp(argv[1], "--version")) {
    printf("sgxra 0.1.0\n");
    return finish(NULL, CLI_EXIT_OK);
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (!strcmp(argv[1], commands[i].name))
      return finish(commands[i].name, commands[i].fn(argc - 1, argv + 1));
  }
  fprintf(stderr, "sgxra: unknown command '%s'\ntry 'sgxra --help'\n", argv[1]);
  return finish(NULL, CLI_EXIT_USAGE);
}
