#!/usr/bin/env python3
"""Print "name header" for every function and datum that include/sgxra/*.h
declares with SGXRA_API, parsed from the headers as they are now (shared by
tests/abi/test_symbols.sh and scripts that need the public API list).

Usage: api_names.py SOURCE_DIR
"""
import os
import re
import sys

src = sys.argv[1]
inc = os.path.join(src, "include")
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    # Preprocessor lines (with continuations) declare nothing: drop them, so
    # "#define SGXRA_API ..." is not read as a declaration.
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
    return text


bad = 0
for d, _, fs in sorted(os.walk(inc)):
    for f in sorted(fs):
        if not f.endswith(".h"):
            continue
        path = os.path.join(d, f)
        rel = os.path.relpath(path, src)
        text = strip(open(path, encoding="utf-8").read())
        for m in re.finditer(r"\bSGXRA_API\b", text):
            # The declaration runs to its first '(' (a function), or '[' ,
            # '=' or ';' (a datum); the name is the last identifier before.
            rest = text[m.end():]
            cut = re.search(r"[(\[;=]", rest)
            if cut is None:
                print("api_names: %s: SGXRA_API without a declaration" % rel,
                      file=sys.stderr)
                bad = 1
                continue
            head = rest[:cut.start()]
            if cut.group() == "(" and re.match(r"\s*\*", rest[cut.end():]):
                # "SGXRA_API int (*name)(...)": a function pointer datum.
                name = IDENT.search(rest[cut.end():]).group()
            else:
                ids = IDENT.findall(head)
                if not ids:
                    print("api_names: %s: no name after SGXRA_API" % rel,
                          file=sys.stderr)
                    bad = 1
                    continue
                name = ids[-1]
            print(name, rel)
sys.exit(bad)
