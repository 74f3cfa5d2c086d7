#!/usr/bin/env python3
"""Headers are APIs (HACKING.md): lists the functions a module's public header declares that
no other module uses, so their declarations can move to the module's private header.

  scripts/header-api.py [--check] [DIR...]     (default: every directory under src/)

A module is a directory of src/. Its public headers are its *.h files but the private ones
(*_private.h, doctor_facts.h, and the test-only core/test.h and *_fixture.h). For each function declared in a public header, the other modules' sources (*.c and
*.h) are searched for its name as a word; the unit tests (src/**/*_test.c) and the fuzzers
(fuzz/*.c) are searched apart. Printed, one per line, for a function no other module's code
uses:
  HEADER NAME: only DIR/ (FILES)                 move it to the module's private header
  HEADER NAME: nowhere but its declaration       unused: remove it (or make it static)
  ... ; tests/fuzzers of others: FILES           keep it public: those test it as an API
Exit 0; reads only. With --check (tests/cli/header-api.sh, in make check) only the findings
to act on are printed (not the kept-public ones), and the exit status is 1 when there are
any."""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(TOP, "src")
PRIVATE = re.compile(r"(_private\.h|/doctor_facts\.h|_fixture\.h|/core/test\.h|/core/test_files\.h)$")
DECL = re.compile(r"(?:^|[\s\*])([a-z_][a-z0-9_]*)\s*\(([^;{}()]|\([^()]*\))*\)\s*"
                  r"(?:_printf_\([^)]*\)\s*|__attribute__\(\([^)]*\)\)\s*)*;", re.M)
KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "typeof", "defined"}


def strip(text, keep_macros=False):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    if keep_macros:
        text = re.sub(r"^\s*#\s*(include|pragma|if|endif|else)[^\n]*", " ", text, flags=re.M)
    else:
        text = re.sub(r"^\s*#[^\n]*(\\\n[^\n]*)*", " ", text, flags=re.M)
    text = re.sub(r"'(\\.|[^'\\])'", "''", text)
    text = re.sub(r"\"(\\.|[^\"\\\n])*\"", "\"\"", text)
    return text


def declared(path):
    text = strip(open(path, encoding="utf-8", errors="replace").read())
    # top level only: drop struct/enum bodies and inline function bodies
    out, depth = [], 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            out.append(";")
        elif depth == 0:
            out.append(ch)
    top = "".join(out)
    names = []
    for m in DECL.finditer(top):
        n = m.group(1)
        if n in KEYWORDS or re.search(r"\(\s*\*\s*$", top[: m.start(1)]):
            continue  # a function pointer type
        if re.search(r"typedef[^;]*$", top[: m.start(1)]):
            continue
        names.append(n)
    return sorted(set(names))


def sources(tests):
    for top in (SRC, os.path.join(TOP, "fuzz")) if tests else (SRC,):
        for d, _, files in os.walk(top):
            for f in files:
                is_test = f.endswith("_test.c") or top != SRC
                if (f.endswith(".c") or f.endswith(".h")) and is_test == tests:
                    p = os.path.join(d, f)
                    text = strip(open(p, encoding="utf-8", errors="replace").read())
                    yield p, set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def module(path):
    rel = os.path.relpath(path, SRC)
    return rel.split(os.sep)[0] if os.sep in rel else ""


def main(argv):
    check = "--check" in argv
    argv = [a for a in argv if a != "--check"]
    found = 0
    dirs = argv or sorted(d for d in os.listdir(SRC) if os.path.isdir(os.path.join(SRC, d)))
    srcs, tests = list(sources(False)), list(sources(True))
    for d in dirs:
        for h in sorted(os.listdir(os.path.join(SRC, d))):
            hp = os.path.join(SRC, d, h)
            if not h.endswith(".h") or PRIVATE.search(hp):
                continue
            own = strip(open(hp, encoding="utf-8", errors="replace").read(), True)
            for n in declared(hp):
                w = re.compile(r"\b%s\b" % re.escape(n))
                if len(w.findall(own)) > 1:
                    continue  # a macro or an inline function of the header uses it
                users = [p for p, t in srcs if n in t]
                outside = [p for p in users if module(p) != d]
                if outside:
                    continue
                inside = [os.path.relpath(p, SRC) for p in users if p != hp]
                where = "only %s/ (%s)" % (d, ", ".join(inside)) if inside else \
                    "nowhere but its declaration"
                others = [os.path.relpath(p, TOP) for p, t in tests
                          if module(p) != d and n in t]
                if others:
                    where += "; tests/fuzzers of others: " + ", ".join(others)
                elif check:
                    found += 1
                if not check or not others:
                    print("%s %s: %s" % (os.path.relpath(hp, TOP), n, where))
    return 1 if check and found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
