#!/usr/bin/env bash
# `cmake --install` to a temporary prefix gives a third party what it needs:
# the libraries, headers, the command, sgxra.pc / sgxra-sim.pc naming that
# prefix, and the CMake package sgxra.  tests/abi/consumer (public headers
# only) is built three ways -- pkg-config, find_package with sgxra::sgxra
# (the .so), find_package with sgxra::sgxra_static -- and each build verifies
# every real DCAP bundle of the shared vectors, giving Intel's expected
# outcome from the bundle's expected.json.
#
# Environment (set by ctest): SGXRA_BUILD_DIR, SGXRA_SOURCE_DIR,
# SGXRA_VECTORS; optional SGXRA_CC (compiler), SGXRA_CONSUMER_FLAGS (e.g.
# the sanitizer flags of the build under test), SGXRA_REQUIRE_VECTORS=1
# (fail instead of skipping when the vectors are missing).
set -euo pipefail
: "${SGXRA_BUILD_DIR:?}" "${SGXRA_SOURCE_DIR:?}" "${SGXRA_VECTORS:?}"
cc=${SGXRA_CC:-cc}
flags=${SGXRA_CONSUMER_FLAGS:-}
bundles="$SGXRA_VECTORS/dcap/bundles"
if [ ! -d "$bundles" ]; then
  if [ "${SGXRA_REQUIRE_VECTORS:-0}" = 1 ]; then
    echo "FAIL: shared vectors missing ($bundles) and SGXRA_REQUIRE_VECTORS=1" >&2
    exit 1
  fi
  echo "skipped: shared vectors not found at $bundles"
  exit 77
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
P="$T/prefix"
fails=0
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

cmake --install "$SGXRA_BUILD_DIR" --prefix "$P" >"$T/install.log"

# ---- what was installed --------------------------------------------------
pc=$(find "$P" -name sgxra.pc -path '*/pkgconfig/*')
[ -n "$pc" ] || { cat "$T/install.log" >&2; echo "FAIL: no sgxra.pc under $P" >&2; exit 1; }
pcdir=$(dirname "$pc")
export PKG_CONFIG_PATH="$pcdir"
libdir=$(pkg-config --variable=libdir sgxra)
prefix=$(pkg-config --variable=prefix sgxra)
[ "$prefix" = "$P" ] || bad "sgxra.pc prefix is '$prefix', installed to '$P'"
[ "$(pkg-config --modversion sgxra)" = "$(pkg-config --modversion sgxra-sim)" ] ||
  bad "sgxra.pc and sgxra-sim.pc versions differ"
for f in "$P/bin/sgxra" "$P/include/sgxra.h" "$P/include/sgxra/verify.h" \
         "$libdir/libsgxra.a" "$libdir/libsgxra-sim.a" \
         "$libdir/cmake/sgxra/sgxra-config.cmake" \
         "$libdir/cmake/sgxra/sgxra-config-version.cmake"; do
  [ -e "$f" ] || bad "not installed: ${f#"$P"/}"
done
for so in libsgxra.so libsgxra-sim.so; do
  soname=$(readelf -d "$libdir/$so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
  [ "$soname" = "$so.0" ] || bad "$so: SONAME '$soname', want $so.0"
done
case " $(pkg-config --libs sgxra) " in
  *microhttpd* | *curl* | *sgxra-sim*) bad "pkg-config --libs sgxra: $(pkg-config --libs sgxra)" ;;
esac
case " $(pkg-config --static --libs sgxra-sim) " in
  *"-lsgxra-sim "*"-lsgxra "*"-lcrypto"*) ;;
  *) bad "pkg-config --static --libs sgxra-sim: $(pkg-config --static --libs sgxra-sim)" ;;
esac
# libpq, libcurl and libmicrohttpd are opened on first use (dlopen), never
# linked: not even a static consumer names them (docs/PERFORMANCE.md)
for m in sgxra sgxra-sim; do
  case " $(pkg-config --static --libs $m) " in
    *microhttpd* | *curl* | *-lpq*) bad "pkg-config --static --libs $m: $(pkg-config --static --libs $m)" ;;
  esac
done

# ---- build the consumer three ways -----------------------------------------
src="$SGXRA_SOURCE_DIR/tests/abi/consumer"
# shellcheck disable=SC2046,SC2086
"$cc" -std=c11 -Wall -Wextra -Werror $flags "$src/main.c" -o "$T/by-pkgconfig" \
  $(pkg-config --cflags --libs sgxra)
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
for kind in shared static; do
  target=sgxra::sgxra
  [ "$kind" = static ] && target=sgxra::sgxra_static
  cmake -S "$src" -B "$T/cmake-$kind" "${gen[@]}" -DCMAKE_PREFIX_PATH="$P" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" -DSGXRA_CONSUMER_TARGET="$target" \
    >"$T/cmake-$kind.log" 2>&1 || { cat "$T/cmake-$kind.log" >&2; exit 1; }
  cmake --build "$T/cmake-$kind" >>"$T/cmake-$kind.log" 2>&1 ||
    { cat "$T/cmake-$kind.log" >&2; exit 1; }
  cp "$T/cmake-$kind/sgxra_consumer" "$T/by-cmake-$kind"
done

# ---- what the programs link -------------------------------------------------
for prog in by-pkgconfig by-cmake-shared by-cmake-static; do
  needed=$(readelf -d "$T/$prog" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  case " $needed" in
    *" libmicrohttpd"* | *" libcurl"* | *" libpq"* | *" libsgxra-sim"*)
      bad "$prog needs more than libsgxra: $needed" ;;
  esac
  case "$prog:$needed" in
    *static:*libsgxra.so*) bad "$prog (static) needs libsgxra.so: $needed" ;;
    *shared:*libsgxra.so.0* | by-pkgconfig:*libsgxra.so.0*) ;;
    *static:*) ;;
    *) bad "$prog does not need libsgxra.so.0: $needed" ;;
  esac
done
# The shared runs must load the installed library, not the build tree's.
export LD_LIBRARY_PATH="$libdir"
for prog in by-pkgconfig by-cmake-shared; do
  where=$(ldd "$T/$prog" | awk '$1 == "libsgxra.so.0" {print $3}')
  [ "$where" = "$libdir/libsgxra.so.0" ] ||
    bad "$prog loads libsgxra.so.0 from '$where', want $libdir"
done

# ---- run them on every real bundle -------------------------------------------
n=0
for b in "$bundles"/*/; do
  b=${b%/}
  [ -f "$b/expected.json" ] || continue
  read -r at ql qv adv < <(python3 -c 'import json,sys
e = json.load(open(sys.argv[1]))
print(e["verification_time_unix"], e["qve_return"], e["quote_verification_result"],
      ",".join(e.get("advisory_ids") or []) or "-")' "$b/expected.json")
  [ "$adv" = - ] && adv=""
  want_status=1
  [ "$ql" = SGX_QL_SUCCESS ] && want_status=0
  for prog in by-pkgconfig by-cmake-shared by-cmake-static; do
    status=0
    out=$("$T/$prog" "$b" "$at" 2>"$T/stderr") || status=$?
    got_ql=$(printf '%s\n' "$out" | sed -n 's/^ql_return=//p')
    got_qv=$(printf '%s\n' "$out" | sed -n 's/^qv_result=//p')
    got_adv=$(printf '%s\n' "$out" | sed -n 's/^advisories=//p')
    name=${b##*/}
    [ "$status" -eq "$want_status" ] ||
      bad "$prog $name: exit $status, want $want_status: $(cat "$T/stderr")"
    [ "$got_ql" = "$ql" ] || bad "$prog $name: ql_return '$got_ql', Intel's '$ql'"
    [ "$got_qv" = "$qv" ] || bad "$prog $name: qv_result '$got_qv', Intel's '$qv'"
    [ "$got_adv" = "$adv" ] || bad "$prog $name: advisories '$got_adv', Intel's '$adv'"
  done
  n=$((n + 1))
done
[ "$n" -gt 0 ] || bad "no bundle with expected.json in $bundles"

echo "installed to a temporary prefix; consumer built 3 ways; $n bundles; $fails failure(s)"
[ "$fails" -eq 0 ]
