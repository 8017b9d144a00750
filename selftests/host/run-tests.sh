#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs host test binaries (kselftest harness, TAP output), prints each one's
# output, and ends with "host: N passed, N failed". Exit status 1 on failure.
pass=0
fail=0
for t in "$@"; do
	echo "# host test: ${t#"$PWD"/}"
	out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	      TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(dirname "$0")/tsan.supp \
	      timeout 600 "$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(grep -cE '^ok [0-9]+' <<<"$out")
	f=$(grep -cE '^not ok [0-9]+' <<<"$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed, sanitizer report or timeout outside any test case
		echo "not ok - $(basename "$t") exited with status $rc"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
done
echo "host: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
