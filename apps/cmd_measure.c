/* sgxra measure: placeholder until its module lands. */
#include <stdio.h>

#include "cli.h"

int cli_cmd_measure(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "sgxra measure: not built yet\n");
  return CLI_EXIT_USAGE;
}
