#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's kselftest runner: runs every executable in /guest/tests in
# name order (or those matching $1), each under a timeout, and reports TAP.
# A test passes when it exits 0, is skipped when it exits 4 (KSFT_SKIP).
# Each test's own output is shown as TAP comments. Ends with a dmesg dump
# (the boot log, then each test's log).
# The timeout (600 s) is multiplied by gomem.timeout_scale= from the kernel
# command line (scripts/qemu.sh: the debug kernels run slower); the tests
# see the factor as $GOMEM_TIMEOUT_SCALE. gomem.work_pct= (default 100) is
# the share of each test's default operation count the tests run
# ($GOMEM_WORK_PCT, lib.sh's work()): the debug kernels run less.
pattern=${1:-all}
scale=$(sed -n 's/.*gomem\.timeout_scale=\([0-9]*\).*/\1/p' /proc/cmdline)
export GOMEM_TIMEOUT_SCALE=${scale:-1}
work=$(sed -n 's/.*gomem\.work_pct=\([0-9]*\).*/\1/p' /proc/cmdline)
export GOMEM_WORK_PCT=${work:-100}
cd /guest/tests || exit 1
list=""
for t in *; do
	[ -x "$t" ] || continue
	[ "$pattern" = all ] || echo "$t" | grep -qE "$pattern" || continue
	list="$list $t"
done
n=$(echo $list | wc -w)
echo "TAP version 13"
echo "1..$n"
i=0
dmesg > /tmp/dmesg.all		# the boot log: warnings before the first test
for t in $list; do
	i=$((i + 1))
	dmesg -c > /dev/null
	start=$(date +%s)
	timeout $((600 * GOMEM_TIMEOUT_SCALE)) ./$t > /tmp/out 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	sed 's/^/# /' /tmp/out
	dmesg | grep -E 'gomem|test_|kstm|BUG|WARN|Oops|Call Trace' | sed 's/^/# dmesg: /' | head -n 80
	if [ $rc -eq 0 ]; then
		echo "ok $i selftests: gomem: $t # ${secs}s"
	elif [ $rc -eq 4 ]; then
		echo "ok $i selftests: gomem: $t # SKIP"
	else
		echo "not ok $i selftests: gomem: $t # exit=$rc ${secs}s"
	fi
	dmesg >> /tmp/dmesg.all
done
echo "=== dmesg ==="
cat /tmp/dmesg.all
dmesg
echo "=== end dmesg ==="
