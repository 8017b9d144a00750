#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The checks a kernel reviewer runs: checkpatch (from linux-source-6.1) over
# the modules and tools/, sparse (make C=1) and W=1 over the modules, the
# tools built with -Wall -Wextra -Werror, and the layering: the
# file-level call graph of gomem/*.c must have no cycle (callgraph.py).
# Usage: scripts/check.sh [KDIR]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:-/usr/src/linux-headers-$(cat "$top/build/kernel-release")}
cd "$top" || exit 1
rc=0

echo "== checkpatch"
# kernel code; the userspace programs (host tests, shim, generator) use C99 types
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' |
	grep -E '^(gomem|include|selftests/modules|selftests/common|examples|bench|tools)/' |
	grep -v '^bench/user/')
out=$(perl build/linux/scripts/checkpatch.pl --no-tree --terse -f $files 2>&1 |
	grep -E ': (ERROR|WARNING):')
if [ -n "$out" ]; then
	echo "$out"
	rc=1
fi

echo "== sparse and W=1"
# in a fresh copy of the module sources: Kbuild's clean of an external
# module deletes every *.ko below it, and build/ holds other builds' modules
# (build/mods-*, make bench's snapshot in build/bench/mods)
cm=$top/build/check-mods
rm -rf "$cm"
bash "$top/scripts/kernel.sh" --sources | while read -r f; do
	install -D -p -m 644 "$top/$f" "$cm/$f"
done
out=$(make -s -C "$kdir" M="$cm" KSELFTEST_DIR="$top/build/kselftest" W=1 C=1 modules 2>&1 |
	grep -vE 'Skipping BTF|^  ' | grep -E 'warning|error')
if [ -n "$out" ]; then
	echo "$out"
	rc=1
fi
echo "== tools (-Wall -Wextra -Werror)"
out=$(make -s -C tools/gomemtop TOP="$top" TOOLS_OUT="$top/build/check-tools" \
	CFLAGS="-O2 -Werror" 2>&1) || rc=1
[ -z "$out" ] || { echo "$out"; rc=1; }
echo "== call graph (gomem/*.c: calls go only down)"
python3 scripts/callgraph.py "$cm/gomem" || rc=1
[ $rc -eq 0 ] && echo "check: clean"
exit $rc
