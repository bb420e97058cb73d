#!/usr/bin/env bash
# bench_process.sh: what one `sgxra verify` costs as a whole process.
#
# Median wall time of three commands, run alternately (A B C A B C ...) so a
# change in machine load hits them alike, each started the same way
# (os.posix_spawn from one Python process, stdout/stderr to /dev/null,
# waited for with waitpid), so the spawn overhead is the same for all three:
#   true      /bin/true: the floor (exec of a tiny program)
#   version   sgxra --version: the command's start-up (dynamic loading,
#             relocation, library constructors) and nothing else
#   verify    sgxra verify --collateral BUNDLE --at T BUNDLE/quote.bin: one
#             quote verified from a cold process
# Prints the medians side by side with the differences and issue 15's
# targets: --version within 1 ms of /bin/true, verify within 2 ms of
# --version.  Several -s compare builds (say, before and after a change) in
# one run: their commands take turns with /bin/true in the same rotation.
#
# usage: bench/bench_process.sh [-h] [-n RUNS] [-s SGXRA]... [BUNDLE_DIR]
#   RUNS    runs of each command (default 41, at least 20)
#   SGXRA   the command; repeatable (default: build/sgxra)
#   BUNDLE  (default: the vectors' sgx-12-mobilecoin-teepot-early-eval19);
#           verified at its expected.json verification_time_unix
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=41
sgxras=()
usage() {
  sed -n '2,/^set -e/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}
while getopts "hn:s:" o; do
  case $o in
  h) usage; exit 0 ;;
  n) runs=$OPTARG ;;
  s) sgxras+=("$OPTARG") ;;
  *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
bundle=${1:-$here/../shared/vectors/dcap/bundles/sgx-12-mobilecoin-teepot-early-eval19}
[ ${#sgxras[@]} -gt 0 ] || sgxras=("$here/build/sgxra")
for s in "${sgxras[@]}"; do
  [ -x "$s" ] || { echo "bench_process: $s: no sgxra binary there (use -s)" >&2; exit 2; }
done
[ -f "$bundle/quote.bin" ] || { echo "bench_process: $bundle/quote.bin missing" >&2; exit 2; }
[ "$runs" -ge 20 ] || { echo "bench_process: RUNS must be >= 20" >&2; exit 2; }

exec python3 - "$bundle" "$runs" "${sgxras[@]}" <<'EOF'
import json, os, statistics, sys, time
bundle, runs, sgxras = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
t = json.load(open(os.path.join(bundle, "expected.json")))["verification_time_unix"]
at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
cmds = {("", "true"): ["/bin/true"]}
for s in sgxras:
    cmds[(s, "version")] = [s, "--version"]
    cmds[(s, "verify")] = [s, "verify", "--collateral", bundle, "--at", at,
                           os.path.join(bundle, "quote.bin")]
null = os.open(os.devnull, os.O_WRONLY)
fa = [(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)]

def once(argv):
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)
    _, st = os.waitpid(pid, 0)
    dt = time.perf_counter_ns() - t0
    return dt, os.waitstatus_to_exitcode(st)

# verify must reach a verdict: exit 0 (trusted) or 1 (refused, e.g. by the
# default policy), never 2 (usage or unreadable input)
for (s, name), argv in cmds.items():
    _, rc = once(argv)
    if rc not in (0, 1) or (name != "verify" and rc != 0):
        sys.exit(f"bench_process: {' '.join(argv)} exited {rc}")
times = {k: [] for k in cmds}
for i in range(runs + 3):
    for k, argv in cmds.items():
        dt, _ = once(argv)
        if i >= 3:  # warm-up runs (page cache) are not kept
            times[k].append(dt / 1e6)
med = {k: statistics.median(v) for k, v in times.items()}
q = {k: statistics.quantiles(v, n=4) for k, v in times.items()}
print(f"bundle: {os.path.basename(bundle)} at {at}; {runs} alternating runs each")
print(f"{'command':<24}{'median ms':>10}{'q1':>8}{'q3':>8}")
def row(label, k):
    print(f"{label:<24}{med[k]:>10.2f}{q[k][0]:>8.2f}{q[k][2]:>8.2f}")
row("/bin/true", ("", "true"))
for s in sgxras:
    print(f"sgxra: {s}")
    row("  sgxra --version", (s, "version"))
    row("  sgxra verify", (s, "verify"))
    d1 = med[(s, "version")] - med[("", "true")]
    d2 = med[(s, "verify")] - med[(s, "version")]
    print(f"  --version - /bin/true {d1:>8.2f}  (target <= 1 ms: {'met' if d1 <= 1 else 'NOT met'})")
    print(f"  verify - --version    {d2:>8.2f}  (target <= 2 ms: {'met' if d2 <= 2 else 'NOT met'})")
EOF
