#!/usr/bin/env bash
# Mutation testing: do the tests of a folder notice when its code changes?
#
# Copies the tree to a temporary folder, configures a subset build there
# (SGXRA_MODULES, default "crypto;sgx;quote"), checks the tests pass
# unmutated, then applies one mutation at a time to a source file of the
# folder, rebuilds only the test programs that run, runs them under ctest
# with a timeout, and counts the mutant killed (a test failed or timed out),
# survived (all passed) or stillborn (did not compile).  Survivors are
# listed with file:line and their diff: each is a behaviour no test pins.
#
# Mutations: < <= > >= flipped to their neighbour, == <-> !=, && <-> ||,
# deleting the statement after a `case ...:` label, deleting an
# `if (...) return ...;` guard (on one line or two), an integer constant + 1.
#
# Usage: scripts/mutate.sh [--dir src/quote] [--sample N] [--seed S]
#          [--modules "crypto;sgx;quote"] [--tests REGEX] [--timeout SEC]
#          [--list] [--keep]
#   --sample N   test N mutants drawn at random (default 20; 0 = all: slow)
#   --seed S     random seed (default 1), so a sample can be repeated
#   --tests      ctest -R regex (default: the programs of tests/<folder>/)
#   --list       only print how many mutants of each kind exist
#   --keep       keep the temporary tree (its path is printed)
# Needs bash, python3, cmake, ninja.  Uses -j2 and one build folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec python3 - "$root" "$@" <<'PY'
import argparse, difflib, os, random, re, shutil, subprocess, sys, tempfile, time

root = sys.argv[1]
ap = argparse.ArgumentParser(prog="scripts/mutate.sh")
ap.add_argument("--dir", default="src/quote")
ap.add_argument("--sample", type=int, default=20)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--modules", default="crypto;sgx;quote")
ap.add_argument("--tests", default=None)
ap.add_argument("--timeout", type=int, default=300)
ap.add_argument("--list", action="store_true")
ap.add_argument("--keep", action="store_true")
args = ap.parse_args(sys.argv[2:])

folder = args.dir.rstrip("/")
layer = os.path.basename(folder)
if not os.path.isdir(os.path.join(root, folder)):
    sys.exit("mutate: no folder %s" % folder)
vectors = os.environ.get("SGXRA_VECTORS",
                         os.path.normpath(os.path.join(root, "..", "shared", "vectors")))


def code_mask(lines):
    """For each line, a string of the same length where characters inside
    comments, string and character literals and preprocessor lines are
    blanked: mutations only touch code."""
    out, in_block = [], False
    for line in lines:
        m = list(line)
        if not in_block and line.lstrip().startswith("#"):
            out.append(" " * len(line))
            continue
        i = 0
        while i < len(line):
            if in_block:
                if line.startswith("*/", i):
                    m[i] = m[i + 1] = " "
                    in_block = False
                    i += 2
                    continue
                m[i] = " "
                i += 1
                continue
            if line.startswith("/*", i):
                in_block = True
                m[i] = m[i + 1] = " "
                i += 2
                continue
            if line.startswith("//", i):
                for j in range(i, len(line)):
                    m[j] = " "
                break
            if line[i] in "\"'":
                q = line[i]
                j = i + 1
                while j < len(line) and line[j] != q:
                    j += 2 if line[j] == "\\" else 1
                for k in range(i, min(j + 1, len(line))):
                    m[k] = " "
                i = j + 1
                continue
            i += 1
        out.append("".join(m))
    return out


OPS = [("<=", "<"), (">=", ">"), ("==", "!="), ("!=", "=="), ("&&", "||"),
       ("||", "&&")]
SINGLE = {"<": "<=", ">": ">="}


def mutants_of(rel, text):
    lines = text.split("\n")
    mask = code_mask(lines)
    found = []

    def add(kind, ln, new_lines, n_old=1):
        found.append((kind, rel, ln, n_old, new_lines))

    for ln, (line, mk) in enumerate(zip(lines, mask)):
        # relational / logical operators
        i = 0
        while i < len(mk):
            two = mk[i:i + 2]
            done = False
            for a, b in OPS:
                if two == a and mk[i + 2:i + 3] != "=" and (i == 0 or mk[i - 1] not in "<>=!"):
                    add("%s->%s" % (a, b), ln, [line[:i] + b + line[i + 2:]])
                    i += 2
                    done = True
                    break
            if done:
                continue
            c = mk[i]
            if c in SINGLE:
                prev = mk[i - 1] if i else " "
                nxt = mk[i + 1] if i + 1 < len(mk) else " "
                if prev not in "<>-=" and nxt not in "<>=":
                    add("%s->%s" % (c, SINGLE[c]), ln,
                        [line[:i] + SINGLE[c] + line[i + 1:]])
            i += 1
        # integer constants + 1 (not inside identifiers; no floats)
        for m in re.finditer(r"(?<![\w.])(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])", mk):
            s = m.group(1)
            v = int(s, 16) if s[:2].lower() == "0x" else int(s, 8 if s.startswith("0") and len(s) > 1 else 10)
            rep = (hex(v + 1) if s[:2].lower() == "0x" else str(v + 1)) + m.group(2)
            add("const+1", ln, [line[:m.start()] + rep + line[m.end():]])
        # if (...) return ...;  on one line
        if re.match(r"^\s*if \(.*\) return\b.*;\s*$", mk):
            add("del-guard", ln, [re.match(r"^(\s*)", line).group(1) + ";"])
        # if (...)\n   return ...;  on two lines
        if (re.match(r"^\s*if \(.*\)\s*$", mk) and ln + 1 < len(lines)
                and re.match(r"^\s*return\b.*;\s*$", mask[ln + 1])
                and not (ln + 2 < len(lines) and mask[ln + 2].lstrip().startswith("else"))):
            add("del-guard", ln, [re.match(r"^(\s*)", line).group(1) + ";"], 2)
        # case X:  <statement>;  (the arm's first statement, not a break)
        cm = re.match(r"^(\s*case [^:]+:)(.*)$", mk)
        if cm:
            rest = cm.group(2).strip()
            if rest and rest.endswith(";") and not rest.startswith(("break", "return", "case")):
                add("del-case-stmt", ln, [line[:len(cm.group(1))] + " ;"])
            elif not rest and ln + 1 < len(lines):
                nx = mask[ln + 1].strip()
                if nx.endswith(";") and not nx.startswith(("break", "return", "case", "default")):
                    ind = re.match(r"^(\s*)", lines[ln + 1]).group(1)
                    found.append(("del-case-stmt", rel, ln + 1, 1, [ind + ";"]))
    return found


sources = sorted(f for f in os.listdir(os.path.join(root, folder)) if f.endswith(".c"))
originals = {}
allm = []
for f in sources:
    rel = os.path.join(folder, f)
    text = open(os.path.join(root, rel), encoding="utf-8").read()
    originals[rel] = text
    allm.extend(mutants_of(rel, text))

kinds = {}
for m in allm:
    kinds[m[0]] = kinds.get(m[0], 0) + 1
print("mutate: %d mutants in %s (%s)" % (len(allm), folder,
      ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
if args.list:
    sys.exit(0)
rng = random.Random(args.seed)
chosen = allm if args.sample <= 0 or args.sample >= len(allm) else rng.sample(allm, args.sample)
chosen.sort(key=lambda m: (m[1], m[2]))

tmp = tempfile.mkdtemp(prefix="sgxra-mutate-")
tree = os.path.join(tmp, "src")
bld = os.path.join(tmp, "build")
try:
    shutil.copytree(root, tree, ignore=shutil.ignore_patterns(
        ".git", "build", "build-*", "Testing"))
    tests_dir = os.path.join(root, "tests", layer)
    if args.tests:
        regex = args.tests
        targets = None
    else:
        progs = sorted(f[:-2] for f in os.listdir(tests_dir)
                       if f.startswith("test_") and f.endswith(".c")) if os.path.isdir(tests_dir) else []
        if not progs:
            sys.exit("mutate: no tests/%s/test_*.c; give --tests REGEX" % layer)
        regex = "^(" + "|".join(progs) + ")$"
        targets = progs

    def sh(cmd, timeout=None):
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout)

    r = sh(["cmake", "-S", tree, "-B", bld, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
            "-DSGXRA_MODULES=" + args.modules, "-DSGXRA_VECTORS_DIR=" + vectors])
    if r.returncode:
        sys.exit("mutate: configure failed:\n" + r.stdout)

    def build():
        cmd = ["cmake", "--build", bld, "-j", "2"]
        if targets:
            cmd += ["--target"] + targets
        return sh(cmd)

    def run_tests():
        try:
            r = sh(["ctest", "--test-dir", bld, "-R", regex, "--timeout", str(args.timeout),
                    "--stop-on-failure", "-j", "2"], timeout=args.timeout * 4)
            return r.returncode == 0, r.stdout
        except subprocess.TimeoutExpired:
            return False, "timeout"

    t0 = time.time()
    if build().returncode:
        sys.exit("mutate: the unmutated tree does not build")
    ok, out = run_tests()
    if not ok:
        sys.exit("mutate: the unmutated tests fail; fix that first:\n" + out[-3000:])
    print("mutate: baseline ok (%s) in %.0f s; %d mutants to try, seed %d"
          % (regex, time.time() - t0, len(chosen), args.seed))

    killed, survived, stillborn = 0, [], 0
    for n, (kind, rel, ln, n_old, new) in enumerate(chosen, 1):
        path = os.path.join(tree, rel)
        lines = originals[rel].split("\n")
        mutated = lines[:ln] + new + lines[ln + n_old:]
        diff = "".join(difflib.unified_diff(
            [l + "\n" for l in lines], [l + "\n" for l in mutated],
            "a/%s" % rel, "b/%s" % rel, n=1))
        open(path, "w", encoding="utf-8").write("\n".join(mutated))
        try:
            if build().returncode:
                stillborn += 1
                verdict = "stillborn"
            else:
                ok, _ = run_tests()
                if ok:
                    survived.append((kind, rel, ln + 1, diff))
                    verdict = "SURVIVED"
                else:
                    killed += 1
                    verdict = "killed"
        finally:
            open(path, "w", encoding="utf-8").write(originals[rel])
        print("[%d/%d] %s:%d %s: %s" % (n, len(chosen), rel, ln + 1, kind, verdict), flush=True)

    tried = killed + len(survived)
    print("\nmutate: %d killed, %d survived, %d stillborn (did not compile); "
          "score %s; %.0f s" % (killed, len(survived), stillborn,
                                "%d%%" % (100 * killed // tried) if tried else "n/a",
                                time.time() - t0))
    for kind, rel, line, diff in survived:
        print("\nsurvived: %s:%d (%s)\n%s" % (rel, line, kind, diff.rstrip()))
finally:
    if args.keep:
        print("mutate: kept %s" % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
PY
