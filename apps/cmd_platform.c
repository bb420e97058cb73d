/* sgxra platform: placeholder until its module lands. */
#include <stdio.h>

#include "cli.h"

int cli_cmd_platform(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "sgxra platform: not built yet\n");
  return CLI_EXIT_USAGE;
}
