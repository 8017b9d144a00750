#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest's kselftest runner: runs every executable in /guest/tests in
# name order (or those matching $1), each under a timeout, and reports TAP.
# A test passes when it exits 0, is skipped when it exits 4 (KSFT_SKIP).
# Each test's own output is shown as TAP comments. Ends with a dmesg dump
# (the boot log, then each test's log).
# Each test has gomem.test_timeout= seconds (kernel command line, set per
# kernel by scripts/qemu.sh below QEMU's own timeout; 600 by default). A
# test still running then is reported with what it was doing: its output
# so far, every task's state and kernel stack, and the blocked tasks
# (sysrq w) in the kernel log; then it is killed and the next test runs.
# gomem.timeout_scale= (the debug kernels run slower) multiplies the
# tests' own internal timeouts, which see it as $GOMEM_TIMEOUT_SCALE.
# gomem.work_pct= (default 100) is the share of each test's default
# operation count the tests run ($GOMEM_WORK_PCT, lib.sh's work()): the
# debug kernels run less.
pattern=${1:-all}
scale=$(sed -n 's/.*gomem\.timeout_scale=\([0-9]*\).*/\1/p' /proc/cmdline)
export GOMEM_TIMEOUT_SCALE=${scale:-1}
tmo=$(sed -n 's/.*gomem\.test_timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
tmo=${tmo:-600}
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
# watchdog PID NAME: after $tmo s, report what test NAME (PID) is doing,
# then kill it and what it started
watchdog() {
	local s=0
	while [ $s -lt $tmo ]; do
		sleep 1
		s=$((s + 1))
	done
	kill -0 $1 2>/dev/null || return
	: > /tmp/timedout
	{
		echo "TIMEOUT: $2 still running after ${tmo}s; its tasks:"
		for p in /proc/[0-9]*; do
			[ "$(sed -n 's/^PPid:[[:space:]]*//p' $p/status 2>/dev/null)" = 2 ] &&
				continue	# kernel threads: in sysrq w below
			[ -r $p/stack ] || continue
			echo "task ${p#/proc/} $(cat $p/comm 2>/dev/null)" \
			     "$(sed -n 's/^State:[[:space:]]*//p' $p/status 2>/dev/null):" \
			     "$(tr '\0' ' ' < $p/cmdline 2>/dev/null)"
			sed 's/^/    /' $p/stack 2>/dev/null
		done
		echo "blocked tasks: sysrq w, in the kernel log"
		echo w > /proc/sysrq-trigger
	} > /tmp/out.wd 2>&1
	local all="$1 $(descendants $1)"
	kill -TERM $all 2>/dev/null
	sleep 5
	kill -KILL $all 2>/dev/null
}
# descendants PID: every process below PID
descendants() {
	local p c
	for p in /proc/[0-9]*; do
		[ "$(sed -n 's/^PPid:[[:space:]]*//p' $p/status 2>/dev/null)" = "$1" ] || continue
		c=${p#/proc/}
		echo $c $(descendants $c)
	done
}
i=0
dmesg > /tmp/dmesg.all		# the boot log: warnings before the first test
for t in $list; do
	i=$((i + 1))
	dmesg -c > /dev/null
	rm -f /tmp/timedout /tmp/out.wd
	start=$(date +%s)
	./$t > /tmp/out 2>&1 &
	pid=$!
	watchdog $pid $t &
	wd=$!
	wait $pid
	rc=$?
	kill $wd 2>/dev/null
	wait $wd 2>/dev/null
	secs=$(($(date +%s) - start))
	sed 's/^/# /' /tmp/out
	[ -f /tmp/out.wd ] && sed 's/^/# /' /tmp/out.wd
	[ -f /tmp/timedout ] && rc=124	# whatever it exited with once killed
	dmesg | grep -E 'gomem|test_|kstm|BUG|WARN|Oops|Call Trace' | sed 's/^/# dmesg: /' | head -n 80
	if [ $rc -eq 0 ]; then
		echo "ok $i selftests: gomem: $t # ${secs}s"
	elif [ $rc -eq 4 ]; then
		echo "ok $i selftests: gomem: $t # SKIP"
	elif [ $rc -eq 124 ]; then
		echo "not ok $i selftests: gomem: $t # timed out after ${tmo}s"
	else
		echo "not ok $i selftests: gomem: $t # exit=$rc ${secs}s"
	fi
	dmesg >> /tmp/dmesg.all
done
echo "=== dmesg ==="
cat /tmp/dmesg.all
dmesg
echo "=== end dmesg ==="
