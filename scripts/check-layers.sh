#!/usr/bin/env bash
# Check that layers point one way (docs/ARCHITECTURE.md, docs/ABI.md):
#
#   core <- crypto <- sgx <- quote <- policy/store/ra <- emu <- net <- apps
#
# Reads every #include "..." (and <sgxra/...>) of src/, include/ and apps/,
# maps each file to its layer and fails naming
#   - each arrow from a lower layer to a higher one ("quote -> emu"), and
#   - each include cycle among the files.
# apps/ (the command) may include anything.  Layers of equal rank
# (policy, store, ra) may include each other; cycles are still reported.
#
# Usage: scripts/check-layers.sh [--root DIR]     check (exit 1 on a finding)
#        scripts/check-layers.sh --map [--root DIR]
#            print "header layer library" for every public header (used by
#            tests/abi/test_symbols.sh and test_headers.sh).
# Needs bash and python3 only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode=check
while [ $# -gt 0 ]; do
  case "$1" in
    --map) mode=map ;;
    --root) root="$2"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "check-layers: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

exec python3 - "$root" "$mode" <<'PY'
import os, re, sys

root, mode = sys.argv[1], sys.argv[2]

# ---- the one place that says which layer is where --------------------------
# Layers, lowest first, with their rank; equal rank = siblings.
RANK = {"core": 0, "crypto": 1, "sgx": 2, "quote": 3,
        "policy": 4, "store": 4, "ra": 4,
        "emu": 5, "net": 6, "apps": 7}
# Which library each layer is part of (CMakeLists.txt: SGXRA_LIB_LAYERS,
# SGXRA_SIM_LAYERS).
LIBRARY = {"core": "libsgxra", "crypto": "libsgxra", "sgx": "libsgxra",
           "quote": "libsgxra", "policy": "libsgxra", "store": "libsgxra",
           "ra": "libsgxra", "emu": "libsgxra-sim", "net": "libsgxra-sim",
           "apps": "sgxra"}
# Public headers (include/sgxra/<name>.h) by layer.  A header named after a
# layer (policy.h, store.h, ra.h, ...) belongs to it without a line here;
# errors/*.h are core (error.h includes them all).
HEADERS = {
    "core": "error ctx hex base64 file timeutil",
    "crypto": "crypto",
    "sgx": "sgx sigstruct measure enclavefile layout sdkenclave",
    "quote": "quote x509 collateral verify qlresult tcbstatus supplemental",
    "emu": "emu qe intelca enclave_api attester",
    "net": "pcs pccs verifier verifier_server sp_server sp_client",
}
# include/sgxra.h, the umbrella, declares both libraries.
UMBRELLA_LAYER = "net"
# -----------------------------------------------------------------------------

HEADER_LAYER = {h: layer for layer, hs in HEADERS.items() for h in hs.split()}


def layer_of(rel):
    parts = rel.split("/")
    if parts[0] == "src" and len(parts) >= 3:
        return parts[1] if parts[1] in RANK else None
    if parts[0] == "apps":
        return "apps"
    if rel == "include/sgxra.h":
        return UMBRELLA_LAYER
    if parts[:2] == ["include", "sgxra"]:
        if len(parts) == 4 and parts[2] == "errors":
            return "core"
        if len(parts) == 3:
            name = parts[2][:-2] if parts[2].endswith(".h") else parts[2]
            if name in HEADER_LAYER:
                return HEADER_LAYER[name]
            if name in RANK:
                return name
    return None


def files():
    out = []
    for top in ("src", "include", "apps"):
        for d, _, fs in os.walk(os.path.join(root, top)):
            for f in fs:
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


all_files = files()
problems = []

if mode == "map":
    for rel in all_files:
        if rel.startswith("include/") and rel.endswith(".h"):
            layer = layer_of(rel)
            if layer is None:
                problems.append(rel)
                continue
            print(rel, layer, LIBRARY[layer])
    for rel in problems:
        print("check-layers: %s has no layer: add it to HEADERS in "
              "scripts/check-layers.sh" % rel, file=sys.stderr)
    sys.exit(1 if problems else 0)

INC = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<(sgxra[/.][^>]+)>)')
edges = {}  # file -> [(line, target)]
for rel in all_files:
    layer = layer_of(rel)
    if layer is None:
        problems.append("%s: file has no layer: add its folder or header to "
                        "scripts/check-layers.sh" % rel)
    here = os.path.dirname(rel)
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INC.match(line)
            if not m:
                continue
            name = m.group(1) or m.group(2)
            for base in (here, "include", "src"):
                cand = os.path.normpath(os.path.join(base, name))
                if os.path.isfile(os.path.join(root, cand)):
                    edges.setdefault(rel, []).append((n, cand))
                    break

# Arrows that point up.
for rel in all_files:
    a = layer_of(rel)
    if a is None or a == "apps":
        continue
    for n, tgt in edges.get(rel, []):
        b = layer_of(tgt)
        if b is None:
            continue
        if RANK[b] > RANK[a]:
            problems.append("%s:%d: %s -> %s: includes %s (layer %s is above "
                            "%s)" % (rel, n, a, b, tgt, b, a))

# Include cycles (strongly connected components of more than one file, or a
# file that includes itself).
index, low, stack, on, sccs = {}, {}, [], set(), []
sys.setrecursionlimit(10000)


def strong(v):
    index[v] = low[v] = len(index)
    stack.append(v)
    on.add(v)
    for _, w in edges.get(v, []):
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1 or any(t == v for _, t in edges.get(v, [])):
            sccs.append(sorted(comp))


for v in all_files:
    if v not in index:
        strong(v)
for comp in sccs:
    problems.append("include cycle: " + " -> ".join(comp + [comp[0]]))

for p in problems:
    print("check-layers: " + p, file=sys.stderr)
if problems:
    print("check-layers: %d finding(s); the order is core <- crypto <- sgx <- "
          "quote <- policy/store/ra <- emu <- net <- apps" % len(problems),
          file=sys.stderr)
    sys.exit(1)
print("check-layers: %d files, every include points down, no cycles"
      % len(all_files))
PY
