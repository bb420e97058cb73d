#!/usr/bin/env bash
# The shared libraries export exactly the documented API (docs/ABI.md):
#  - every defined dynamic symbol of libsgxra.so / libsgxra-sim.so is a name
#    that include/sgxra/*.h declares with SGXRA_API (parsed now, from the
#    headers as they are), declared in a header of that library's layers
#    (scripts/check-layers.sh --map);
#  - no sgxra__ internal is exported;
#  - with --complete (a build of every module): every SGXRA_API name is
#    exported by the library its header belongs to;
#  - libsgxra.so needs neither libmicrohttpd nor libcurl.
# Usage: test_symbols.sh SOURCE_DIR [--complete] libsgxra=PATH [libsgxra-sim=PATH]
set -euo pipefail
src=$1
shift
complete=0
libs=()
for a in "$@"; do
  case "$a" in
    --complete) complete=1 ;;
    *=*) libs+=("$a") ;;
    *) echo "usage: $0 SOURCE_DIR [--complete] LIB=PATH..." >&2; exit 2 ;;
  esac
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

python3 "$src/tests/abi/api_names.py" "$src" >"$T/api"
bash "$src/scripts/check-layers.sh" --root "$src" --map >"$T/map"
[ -s "$T/api" ] || { echo "FAIL: no SGXRA_API declaration found in $src/include" >&2; exit 1; }

fails=0
for spec in "${libs[@]}"; do
  lib=${spec%%=*}
  path=${spec#*=}
  # exported = global or weak (nm's capital letters, and v/w for weak);
  # a local entry of the dynamic table (lowercase: e.g. the linker's
  # __start_/__stop_ markers of instrumented sections) binds nothing
  nm -D --defined-only "$path" | awk 'NF >= 3 && $2 ~ /^([A-Z]|v|w)$/ {print $3}' |
    sort -u >"$T/$lib.syms"
  echo "$lib: $(wc -l <"$T/$lib.syms") exported symbols ($path)"
done

python3 - "$T" "$complete" "${libs[@]%%=*}" <<'PY' || fails=$((fails + 1))
import re, sys
t, complete, libs = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
api = {}
for line in open(t + "/api"):
    name, header = line.split()
    api[name] = header
owner = {}
for line in open(t + "/map"):
    header, layer, lib = line.split()
    owner[header] = (layer, lib)
# What toolchains add to any shared library (sanitizer instrumentation,
# linker-defined markers); none of it is sgxra's API.
TOOLCHAIN = re.compile(r"^(_init|_fini|_edata|_end|__bss_start|"
                       r"__odr_asan_gen_.*|___asan_globals_registered|"
                       r"__asan_.*|__ubsan_.*|__sancov_.*)$")
bad = []
exported = {}
for lib in libs:
    syms = [s.strip() for s in open("%s/%s.syms" % (t, lib)) if s.strip()]
    exported[lib] = set(syms)
    for s in syms:
        base = s.split("@")[0]
        if "sgxra__" in base and not base.startswith("__odr_asan_gen_"):
            bad.append("%s exports the internal %s" % (lib, base))
        elif TOOLCHAIN.match(base):
            continue
        elif base not in api:
            bad.append("%s exports %s, which no include/sgxra header declares "
                       "with SGXRA_API" % (lib, base))
        else:
            h = api[base]
            layer, want = owner.get(h, ("?", "?"))
            if want != lib:
                bad.append("%s exports %s, declared in %s (layer %s, part of "
                           "%s)" % (lib, base, h, layer, want))
if complete:
    for name, h in sorted(api.items()):
        layer, want = owner.get(h, ("?", "?"))
        if want in exported and name not in exported[want]:
            bad.append("%s does not export %s (declared SGXRA_API in %s)"
                       % (want, name, h))
for b in bad:
    print("FAIL: " + b, file=sys.stderr)
print("%d SGXRA_API names in the headers; %d finding(s)" % (len(api), len(bad)))
sys.exit(1 if bad else 0)
PY

for spec in "${libs[@]}"; do
  lib=${spec%%=*}
  path=${spec#*=}
  needed=$(readelf -d "$path" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  echo "$lib NEEDED: $needed"
  if [ "$lib" = libsgxra ]; then
    case " $needed" in
      *" libmicrohttpd"* | *" libcurl"*)
        echo "FAIL: libsgxra.so needs an HTTP library: $needed" >&2
        fails=$((fails + 1)) ;;
    esac
    case " $needed" in
      *" libsgxra-sim"*)
        echo "FAIL: libsgxra.so needs libsgxra-sim: $needed" >&2
        fails=$((fails + 1)) ;;
    esac
  fi
done

if [ "$fails" -ne 0 ]; then
  echo "test_symbols: FAILED" >&2
  exit 1
fi
echo "test_symbols: ok"
