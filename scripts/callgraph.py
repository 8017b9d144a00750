#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The file-level call graph of gomem/*.c, from the built objects.

An edge a.c -> b.c means that a.o refers to a function that b.o defines
(non-static: a text symbol nm lists as "T"). Calls made through inline
functions of a header count for the file that includes it, as they should.
Fails (exit 1) on any cycle, printing it; otherwise prints the layers,
bottom first (a file calls only files in lower layers).

Usage: scripts/callgraph.py [DIR]   (DIR: the built gomem/, default gomem)
"""
import subprocess
import sys
from pathlib import Path


def symbols(obj):
    """(defined functions, referenced symbols) of one object file."""
    out = subprocess.run(["nm", str(obj)], check=True, capture_output=True,
                         text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] == "T":
            defined.add(parts[2])
    return defined, used


def main():
    d = Path(sys.argv[1] if len(sys.argv) > 1 else "gomem")
    srcs = sorted(p for p in d.glob("*.c") if not p.name.endswith(".mod.c"))
    objs = {p.name: p.with_suffix(".o") for p in srcs}
    missing = [str(o) for o in objs.values() if not o.exists()]
    if missing:
        print("callgraph: not built: " + " ".join(missing), file=sys.stderr)
        return 2
    owner, uses = {}, {}
    for name, obj in objs.items():
        defined, used = symbols(obj)
        for sym in defined:
            owner[sym] = name
        uses[name] = used
    graph = {name: sorted({owner[s] for s in used if s in owner and owner[s] != name})
             for name, used in uses.items()}

    # cycles: depth-first search, colouring
    state, stack, cycles = {}, [], []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in graph[n]:
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m):] + [m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    if cycles:
        for c in cycles:
            print("callgraph: cycle: " + " -> ".join(c))
        for n in sorted(graph):
            print(f"  {n} -> {' '.join(graph[n]) or '-'}")
        return 1

    # layers: a file's layer is one above the highest file it calls
    layer = {}

    def depth(n):
        if n not in layer:
            layer[n] = 1 + max((depth(m) for m in graph[n]), default=-1)
        return layer[n]

    for n in graph:
        depth(n)
    for lv in range(max(layer.values()) + 1):
        names = sorted(n for n in layer if layer[n] == lv)
        print(f"layer {lv}: " + ", ".join(
            f"{n} ({' '.join(m[:-2] for m in graph[n]) or '-'})" for n in names))
    print(f"callgraph: {len(graph)} files, no cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
