#!/usr/bin/env bash
# Regenerate docs/CLI.md from the verbs' own --help text, so the page cannot
# drift from the command.  Usage: scripts/cli-doc.sh [path/to/sgxra]
set -euo pipefail
cd "$(dirname "$0")/.."
X=${1:-build/sgxra}
{
  cat <<'HEAD'
# The sgxra command

One binary, one verb per task: `sgxra <verb> [<object>] [options] [files]`. Results go to
stdout, diagnostics to stderr as `sgxra <verb>: <file>: <message> [SGXRA_E_NAME]`; usage errors
end with "try 'sgxra <verb> --help'". Exit status: **0** success, **1** the input was usable but
verification or policy said no (a bad signature, a quote that is not genuine, a REPORT the QE
refuses), **2** usage error or unusable input — including a result that cannot be written to
stdout. `--json` prints one JSON object; byte strings are lowercase hex (see docs/ISV.md and
docs/VERIFY.md for the keys).

This page is generated from the verbs' own `--help` text by `scripts/cli-doc.sh`.
HEAD
  for v in measure sign inspect verify collateral "collateral fetch" platform \
           "serve pcs" "serve verifier" "serve sp" registry policy audit appraise \
           client; do
    printf '\n## sgxra %s\n\n```\n' "$v"
    # shellcheck disable=SC2086 # "collateral fetch": a verb and its object
    "$X" $v --help 2>&1
    printf '```\n'
  done
} >docs/CLI.md
