#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extracts the kselftest headers the test modules include (and checkpatch,
# for make check) from linux-source-6.1's tarball into build/. Installs
# nothing: a plain `make` calls this, and only `make setup` (run by make
# run/test/bench/check) installs packages.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
ks=$build/kselftest
[ -f "$ks/kselftest_module.h" ] && [ -f "$build/linux/scripts/checkpatch.pl" ] && exit 0
src=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)
if [ -z "$src" ]; then
	echo "gomem: the test modules need kselftest_module.h from linux-source-6.1;" >&2
	echo "gomem: run 'make setup' (installs it) or install linux-source-6.1" >&2
	exit 1
fi
echo "gomem: extracting kselftest headers and checkpatch from $(basename "$src")"
mkdir -p "$ks" "$build/linux"
tar -xf "$src" -C "$ks" --strip-components=4 \
	linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
	linux-source-6.1/tools/testing/selftests/kselftest.h \
	linux-source-6.1/tools/testing/selftests/kselftest_module.h \
	linux-source-6.1/tools/testing/selftests/kselftest
tar -xf "$src" -C "$build/linux" --strip-components=1 \
	linux-source-6.1/scripts/checkpatch.pl \
	linux-source-6.1/scripts/spelling.txt \
	linux-source-6.1/scripts/const_structs.checkpatch
