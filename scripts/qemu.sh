#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots the pinned Debian test kernel in QEMU with an initramfs made here:
# busybox-static, numactl, gomem.ko, the test and example modules, the guest
# scripts (selftests/guest/) and static test programs (build/guest/).
#
#   scripts/qemu.sh test   run every guest test (TAP), then check the log
#   scripts/qemu.sh run    load gomem and the demo client, print /proc/gomem
#   scripts/qemu.sh bench  run the in-kernel benchmarks (scripts/bench.sh)
#
# The guest writes results to its second serial port (build/qemu/results.log);
# the first carries the kernel console (build/qemu/console.log). A test run
# fails on a missing or failing result, a timeout, or an oops, BUG:, WARNING:,
# panic, lockup or RCU stall in the kernel log.
#
# Environment: QEMU_SMP (4), QEMU_MEM_MB (2048, split over two NUMA nodes),
# QEMU_TIMEOUT (seconds, 900), QEMU_APPEND (extra kernel arguments),
# GOMEM_QEMU_DIR (output directory, build/qemu: one per concurrent run),
# QEMU_EXTRA (extra QEMU arguments), GOMEM_TESTS (a pattern: only the guest
# tests whose names match).
set -uo pipefail

mode=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
rel=$(cat "$build/kernel-release")
out=${GOMEM_QEMU_DIR:-$build/qemu}	# one per concurrent run
ir=$out/initramfs
smp=${QEMU_SMP:-4}
mem=${QEMU_MEM_MB:-2048}
tmo=${QEMU_TIMEOUT:-900}

rm -rf "$ir" "$out"
mkdir -p "$ir"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,mods,tests,guest} "$out"

cp /bin/busybox "$ir/bin/busybox"
# numactl and the shared libraries it needs
cp /usr/bin/numactl "$ir/usr/bin/"
for lib in $(ldd /usr/bin/numactl | grep -o '/[^ ]*'); do
	mkdir -p "$ir$(dirname "$lib")"
	cp -L "$lib" "$ir$lib"
done
# debug info stripped: a smaller initramfs, and insmod's copy of the file
# does not churn megabytes of pages that blur MemFree measurements
find "$top/gomem" "$top/selftests/modules" "$top/examples" "$top/bench" -name '*.ko' \
	-exec sh -c 'strip --strip-debug -o "$0/$(basename "$1")" "$1"' "$ir/mods" {} \; 2>/dev/null
if ! [ -f "$ir/mods/gomem.ko" ]; then
	echo "qemu: gomem.ko is not built" >&2
	exit 1
fi
cp -r "$top"/selftests/guest/. "$ir/guest/"
# static guest programs: selftests/guest/*.c (kselftest harness available)
for src in "$top"/selftests/guest/*.c; do
	[ -f "$src" ] || continue
	gcc -static -O2 -Wall -I"$build/kselftest" -I"$top/selftests/guest" -I"$top/selftests/common" \
		-o "$ir/guest/$(basename "$src" .c)" "$src" -lpthread ||
		{ echo "qemu: cannot build $src" >&2; exit 1; }
done
cp "$top/selftests/guest/init" "$ir/init"
chmod +x "$ir/init" "$ir"/guest/*.sh "$ir"/guest/tests/* 2>/dev/null
(cd "$ir" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out/initramfs.cpio.gz"

half=$((mem / 2))
numa=(-object "memory-backend-ram,id=m0,size=${half}M"
      -object "memory-backend-ram,id=m1,size=$((mem - half))M"
      -numa "node,nodeid=0,cpus=0-$((smp / 2 - 1)),memdev=m0"
      -numa "node,nodeid=1,cpus=$((smp / 2))-$((smp - 1)),memdev=m1")
[ "$smp" -lt 2 ] && numa=()

append="console=ttyS0 loglevel=4 panic=-1 oops=panic softlockup_panic=1"
append+=" gomem.mode=$mode gomem.tests=${GOMEM_TESTS:-all} ${QEMU_APPEND:-}"

start=$(date +%s)
# shellcheck disable=SC2086
timeout --foreground "$tmo" qemu-system-x86_64 -cpu max -smp "$smp" -m "${mem}M" \
	"${numa[@]}" -kernel "$build/kernel/vmlinuz-$rel" \
	-initrd "$out/initramfs.cpio.gz" -append "$append" \
	-display none -monitor none -no-reboot \
	-serial "file:$out/console.log" -serial "file:$out/results.log" \
	${QEMU_EXTRA:-} </dev/null
rc=$?
secs=$(($(date +%s) - start))

results=$out/results.log
[ "$mode" = run ] && { sed -n '/^=== gomem run ===/,/^=== end ===/p' "$results"; }
[ "$mode" = bench ] && { sed -n '/^=== gomem bench ===/,/^=== end ===/p' "$results"; }
[ "$mode" = test ] || { [ "$rc" -eq 0 ] && exit 0; echo "qemu: exit status $rc" >&2; exit 1; }

# --- test mode: count results, check the kernel log ---
grep -E '^(TAP version|1\.\.|ok |not ok |#)' "$results" | grep -v '^# dmesg'
pass=$(grep -cE '^ok [0-9]+' "$results")
fail=$(grep -cE '^not ok [0-9]+' "$results")
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$results" | head -n 1)
if [ "$rc" -eq 124 ]; then
	echo "not ok - qemu timed out after ${tmo}s"
	fail=$((fail + 1))
elif [ "$rc" -ne 0 ]; then
	echo "not ok - qemu exited with status $rc"
	fail=$((fail + 1))
fi
if [ -z "$plan" ] || [ $((pass + fail)) -lt "$plan" ]; then
	echo "not ok - guest reported $((pass + fail)) of ${plan:-?} planned results"
	fail=$((fail + 1))
fi
# the kernel log: the console, and the full dmesg the guest dumps at the end
sed -n '/^=== dmesg ===/,/^=== end dmesg ===/p' "$results" > "$out/dmesg.log"
bad='(^|[^a-z])(BUG:|WARNING:|Oops|Kernel panic|general protection fault|soft lockup|hard LOCKUP|rcu_sched self-detected stall|rcu: INFO|blocked for more than|UBSAN:|list_add corruption|list_del corruption|gomem: internal error)'
if grep -qE "$bad" "$out/console.log" "$out/dmesg.log"; then
	echo "not ok - kernel log has errors:"
	grep -hE -B2 -A12 "$bad" "$out/console.log" "$out/dmesg.log" | head -n 60 | sed 's/^/#   /'
	fail=$((fail + 1))
else
	echo "ok - kernel log clean (no oops, BUG, WARNING, lockup or stall)"
	pass=$((pass + 1))
fi
echo "# qemu: ${secs}s, logs in ${out#"$top"/}/"
echo "qemu: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
