#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make bench` (scripts/bench.sh, scripts/qemu.sh bench): loads
# gomem and the benchmark module, whose parameters come from the kernel
# command line as gomem_bench.NAME=VALUE (busybox insmod does not read them
# there itself), and prints the result lines between the markers qemu.sh
# extracts. Kernel log lines that mean trouble follow as "bench-dmesg:".
echo "=== gomem bench ==="
params=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^gomem_bench\.//p' | tr '\n' ' ')
cpus=$(grep -c '^processor' /proc/cpuinfo)
mem=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
echo "bench name=guest kernel=$(uname -r) cpus=$cpus mem_kb=$mem params=$(echo $params | tr ' ' ';')"
boot_lines=$(dmesg | wc -l)	# what the boot logged is not ours to report
if ! insmod /mods/gomem.ko; then
	echo "bench name=error what=insmod_gomem"
	echo "=== end ==="
	exit 1
fi
start=$(date +%s)
# shellcheck disable=SC2086
if insmod /mods/gomem_bench.ko $params; then
	cat /sys/kernel/debug/gomem_bench/results
else
	echo "bench name=error what=insmod_gomem_bench"
fi
echo "bench name=guest_time secs=$(($(date +%s) - start))"
dmesg | tail -n +$((boot_lines + 1)) |
	grep -E 'BUG:|WARNING:|Oops|Call Trace|RIP:|gomem:|gomem_bench:|UBSAN|stall|lockup' |
	grep -vE 'gomem: loaded|gomem_bench: [a-z]+$|gomem_bench: done|taints kernel|verification failed' |
	head -n 100 | sed 's/^/bench-dmesg: /'
rmmod gomem_bench 2>/dev/null
echo "=== end ==="
