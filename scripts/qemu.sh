#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boots a test kernel (scripts/kernel.sh) in QEMU with an initramfs made here:
# busybox-static, numactl, gomem.ko, the test and example modules, the guest
# scripts (selftests/guest/), static test programs (build/guest/) and
# gomemtop (tools/gomemtop/, in /usr/bin).
#
#   scripts/qemu.sh test [KERNEL]   run every guest test (TAP), then check the log
#   scripts/qemu.sh run [KERNEL]    load gomem and the demo client, print /proc/gomem
#   scripts/qemu.sh bench [KERNEL]  run the in-kernel benchmarks (scripts/bench.sh)
#
# KERNEL is default, debug, kcsan or rt (default: default). The image is
# build/kernels/KERNEL/vmlinuz, the modules come from build/mods-KERNEL/
# (make qemu-modules KERNEL=...), the output goes to build/qemu-KERNEL/.
#
# The guest writes results to its second serial port (results.log); the
# first carries the kernel console (console.log). A test run fails on a
# missing or failing result, a timeout, or an oops, BUG:, WARNING:, panic,
# lockup, RCU stall, lockdep, KASAN, DEBUG_LIST or DEBUG_OBJECTS report in
# the kernel log, SLUB's "BUG cache (Tainted)" reports included. gomem's own
# debug-class reports ("gomem: BUG cache (...): ...") are not in that list:
# the tests that provoke them (40-caches, 45-debug) count them, section by
# section. KCSAN reports fail it when a gomem module is in them;
# races purely inside the core kernel are printed as notes. The last line is
# "KERNEL: N passed, N failed".
#
# Each kernel has a QEMU timeout and a guest timeout scale (the guest tests'
# own timeouts are multiplied by gomem.timeout_scale=): the debug kernels
# run several times slower under TCG. The rt kernel panics on its first
# warning (panic_on_warn=1): the first report (e.g. "BUG: scheduling while
# atomic") ends the boot instead of every test timing out after it.
#
# Environment: QEMU_SMP (per kernel), QEMU_MEM_MB (2048, split over two
# NUMA nodes), QEMU_TIMEOUT (seconds, per kernel), GOMEM_TEST_TIMEOUT
# (seconds, per guest test, per kernel), GOMEM_TIMEOUT_SCALE and
# GOMEM_WORK_PCT (per kernel),
# QEMU_APPEND (extra kernel arguments), GOMEM_QEMU_DIR (output directory,
# build/qemu-KERNEL: one per concurrent run), GOMEM_KERNEL_IMAGE and
# GOMEM_MODULES_DIR (override the image and the module directory),
# QEMU_EXTRA (extra QEMU arguments), QEMU_ACCEL (the -accel option, per
# kernel), GOMEM_TESTS (a pattern: only the guest
# tests whose names match), GOMEM_INITRAMFS_EXTRA (a directory copied over
# the initramfs's root last).
set -uo pipefail

mode=${1:-test}
kernel=${2:-default}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build

# per kernel: QEMU timeout (s), each guest test's timeout (s: well below
# QEMU's, so that a test that hangs is reported with its tasks' stacks and
# the others still run), guest timeout scale, guest work (percent of
# each test's default operation count: KASAN, lockdep and KCSAN under TCG
# run the same workloads 20-50 times slower), CPUs (the checking kernels run
# two, one per node: four vCPUs on this 2-core host spin on locks whose
# holder's vCPU is not running, and the run takes twice as long), extra
# kernel arguments (gomem.fault_stride: 80-faultinject's init sweeps take
# every tenth N except on the default kernel)
# (the checking kernels put warnings on the console too: lockdep and KCSAN
# print their reports at KERN_WARNING, and a run that hangs leaves no dmesg)
# and the TCG mode (k_accel). The rt kernel runs its vCPUs in one host
# thread (thread=single): under multi-threaded TCG, QEMU 7.2 can keep
# executing a stale translation of kernel text another vCPU has just
# patched back (text_poke_bp()'s INT3 over a static key in __schedule(),
# which enabling any trace event patches): the int3 handler finds the
# INT3 gone and returns to it, and that vCPU loops there with interrupts
# off, for ever (seen in 46-trace and 70-latency; Documentation/
# testing.rst). The rt kernel also runs with noirqdebug: under one TCG
# thread, a SCHED_FIFO task's runtime includes the time QEMU gives the
# other vCPUs, RT throttling stalls the serial port's interrupt thread,
# and the kernel would disable the results port's IRQ as spurious ("irq 3:
# nobody cared"), which silences the run.
k_accel="-accel tcg"
case $kernel in
default)	k_tmo=900;  k_ttmo=400; k_scale=1; k_work=100; k_smp=4; k_append="loglevel=4" ;;
debug)		k_tmo=3600; k_ttmo=900; k_scale=6; k_work=10;  k_smp=2; k_append="loglevel=5 gomem.fault_stride=10" ;;
kcsan)		k_tmo=3600; k_ttmo=900; k_scale=6; k_work=10;  k_smp=2; k_append="loglevel=5 gomem.fault_stride=10" ;;
rt)		k_tmo=900;  k_ttmo=300; k_scale=1; k_work=100; k_smp=4
		k_append="loglevel=5 panic_on_warn=1 noirqdebug gomem.fault_stride=10"
		k_accel="-accel tcg,thread=single" ;;
*)		echo "qemu: unknown kernel '$kernel' (default, debug, kcsan, rt)" >&2; exit 1 ;;
esac
image=${GOMEM_KERNEL_IMAGE:-$build/kernels/$kernel/vmlinuz}
mods=${GOMEM_MODULES_DIR:-$build/mods-$kernel}
out=${GOMEM_QEMU_DIR:-$build/qemu-$kernel}	# one per concurrent run
ir=$out/initramfs
smp=${QEMU_SMP:-$k_smp}
mem=${QEMU_MEM_MB:-2048}
tmo=${QEMU_TIMEOUT:-$k_tmo}
ttmo=${GOMEM_TEST_TIMEOUT:-$k_ttmo}
scale=${GOMEM_TIMEOUT_SCALE:-$k_scale}
work=${GOMEM_WORK_PCT:-$k_work}

if ! [ -e "$image" ]; then
	echo "qemu: no $kernel kernel image ($image): run scripts/setup.sh $kernel" >&2
	exit 1
fi
image=$(readlink -f "$image")
rm -rf "$ir" "$out"
mkdir -p "$ir"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,mods,tests,guest} "$out"

cp /bin/busybox "$ir/bin/busybox"
# numactl and the shared libraries it needs
cp /usr/bin/numactl "$ir/usr/bin/"
for lib in $(ldd /usr/bin/numactl | grep -o '/[^ ]*'); do
	mkdir -p "$ir$(dirname "$lib")"
	cp -L "$lib" "$ir$lib"
done
# perf (the host's, Debian's linux-perf for 6.1) and its libraries, when
# the host has it: 46-trace counts gomem's tracepoints with it
if file -L /usr/bin/perf 2>/dev/null | grep -q ELF; then
	cp -L /usr/bin/perf "$ir/usr/bin/perf"
	for lib in $(ldd /usr/bin/perf | grep -o '/[^ ]*'); do
		mkdir -p "$ir$(dirname "$lib")"
		cp -L "$lib" "$ir$lib"
	done
fi
# debug info stripped: a smaller initramfs, and insmod's copy of the file
# does not churn megabytes of pages that blur MemFree measurements
find "$mods" -name '*.ko' \
	-exec sh -c 'strip --strip-debug -o "$0/$(basename "$1")" "$1"' "$ir/mods" {} \; 2>/dev/null
if ! [ -f "$ir/mods/gomem.ko" ]; then
	echo "qemu: gomem.ko is not built in $mods (make qemu-modules KERNEL=$kernel)" >&2
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
# gomemtop (tools/gomemtop), slabtop for gomem, on the guest's PATH
gcc -static -O2 -Wall -I"$top/selftests/common" -o "$ir/usr/bin/gomemtop" \
	"$top/tools/gomemtop/gomemtop.c" || { echo "qemu: cannot build gomemtop" >&2; exit 1; }
cp "$top/selftests/guest/init" "$ir/init"
chmod +x "$ir/init" "$ir"/guest/*.sh "$ir"/guest/tests/* 2>/dev/null
# more files over the initramfs, as they are (scripts/realmod.sh: the
# filesystem modules, mkfs and fsck, the workload, its guest test)
if [ -n "${GOMEM_INITRAMFS_EXTRA:-}" ]; then
	cp -a "$GOMEM_INITRAMFS_EXTRA"/. "$ir/" || { echo "qemu: cannot copy $GOMEM_INITRAMFS_EXTRA" >&2; exit 1; }
fi
(cd "$ir" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out/initramfs.cpio.gz"

half=$((mem / 2))
numa=(-object "memory-backend-ram,id=m0,size=${half}M"
      -object "memory-backend-ram,id=m1,size=$((mem - half))M"
      -numa "node,nodeid=0,cpus=0-$((smp / 2 - 1)),memdev=m0"
      -numa "node,nodeid=1,cpus=$((smp / 2))-$((smp - 1)),memdev=m1")
# one socket per node: with one socket over two nodes, the LLC spans both
# and the guest warns at boot (topology_sane(): "llc-sibling CPU #0 is not
# on the same node")
topo=(-smp "$smp,sockets=2,cores=$((smp / 2)),threads=1")
[ $((smp % 2)) -eq 0 ] || topo=(-smp "$smp")
[ "$smp" -lt 2 ] && { numa=(); topo=(-smp "$smp"); }

# unknown_nmi_panic, panic_print=0x41: the NMI sent to a guest that hangs
# (below) panics it, and the panic prints every CPU's backtrace (0x40) and
# every task's state and stack (0x1)
append="console=ttyS0 printk.time=1 panic=-1 oops=panic softlockup_panic=1"
append+=" unknown_nmi_panic panic_print=0x41"
append+=" gomem.mode=$mode gomem.tests=${GOMEM_TESTS:-all} gomem.timeout_scale=$scale gomem.test_timeout=$ttmo gomem.work_pct=$work"
append+=" $k_append ${QEMU_APPEND:-}"

# A guest that hangs whole (no test's watchdog fires, the console is
# silent: e.g. every CPU spinning) is made to tell why before QEMU's
# timeout: $hang_at s into the run, each vCPU's registers are read through
# QEMU's monitor (a pair of FIFOs) into monitor.log, and an NMI is sent to
# every vCPU; the guest panics on it (unknown_nmi_panic) and the panic
# prints the backtraces, which the kernel log check below reports. Test
# runs only: a benchmark boot keeps all of its QEMU_TIMEOUT
# (BENCH_ICOUNT_TIMEOUT), and its failure shows in the console anyway.
mon=$out/monitor
mkfifo "$mon.in" "$mon.out"
hang_at=$((tmo > 240 ? tmo - 120 : tmo / 2))
[ "$mode" = test ] || hang_at=$((tmo + 1))
start=$(date +%s)
# shellcheck disable=SC2086
timeout --foreground "$tmo" qemu-system-x86_64 ${QEMU_ACCEL:-$k_accel} -cpu max "${topo[@]}" -m "${mem}M" \
	"${numa[@]}" -kernel "$image" \
	-initrd "$out/initramfs.cpio.gz" -append "$append" \
	-display none -monitor "pipe:$mon" -no-reboot \
	-serial "file:$out/console.log" -serial "file:$out/results.log" \
	${QEMU_EXTRA:-} </dev/null &
qpid=$!
nmi_sent=
while kill -0 $qpid 2>/dev/null; do
	sleep 1
	[ -z "$nmi_sent" ] && [ $(($(date +%s) - start)) -ge "$hang_at" ] || continue
	nmi_sent=$(($(date +%s) - start))
	echo "info registers -a" > "$mon.in"
	sleep 2
	echo nmi > "$mon.in"
	timeout 3 cat "$mon.out" > "$out/monitor.log" 2>/dev/null
done
wait $qpid
rc=$?
secs=$(($(date +%s) - start))
rm -f "$mon.in" "$mon.out"

results=$out/results.log
[ "$mode" = run ] && { sed -n '/^=== gomem run ===/,/^=== end ===/p' "$results"; }
[ "$mode" = bench ] && { sed -n '/^=== gomem bench ===/,/^=== end ===/p' "$results"; }
[ "$mode" = test ] || { [ "$rc" -eq 0 ] && exit 0; echo "qemu: exit status $rc" >&2; exit 1; }

# --- test mode: count results, check the kernel log ---
grep -aE '^(TAP version|1\.\.|ok |not ok |#)' "$results" | grep -av '^# dmesg'
pass=$(grep -cE '^ok [0-9]+' "$results")
fail=$(grep -cE '^not ok [0-9]+' "$results")
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$results" | head -n 1)
if [ -n "$nmi_sent" ]; then
	echo "not ok - the guest hung: still running after ${nmi_sent}s, an NMI made it panic" \
	     "(vCPU registers: ${out#"$top"/}/monitor.log)"
	fail=$((fail + 1))
	grep -o 'RIP=[0-9a-f]*' "$out/monitor.log" 2>/dev/null | sed 's/^/#   vCPU /'
	# from the panic: each CPU's backtrace (below its NMI frames), and
	# the tasks that were running (R) or blocked (D) with their stacks
	sed -n '/Kernel panic - not syncing: NMI/,$p' "$out/console.log" |
		sed 's/^\[ *[0-9.]*\] //' | awk '
		/^NMI backtrace for cpu/ { sec = 1; nmi = 0; print; next }
		/^task:/ { sec = ($2 ~ /^state:[RD]/ || $3 ~ /^state:[RD]/) ? 2 : 0
			   if (sec) print; next }
		/^Sending NMI/ { sec = 0; next }
		/<NMI>/ { nmi = 1; next }
		/<\/NMI>/ { nmi = 0; next }
		sec && !nmi && (/^RIP: / || /^ [^ ]+\+0x/)' |
		head -n 150 | sed 's/^/#   /'
fi
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
logs=("$out/console.log" "$out/dmesg.log")
bad='(^|[^a-z])(BUG:|WARNING:|Oops|Kernel panic|general protection fault|kernel BUG at|invalid opcode:'
bad+='|soft lockup|hard LOCKUP|rcu_sched self-detected stall|rcu: INFO|blocked for more than'
bad+='|UBSAN:|list_add corruption|list_del corruption|ODEBUG:|BUG [^ ]+ \((Not t|T)ainted'
bad+='|INFO: trying to register non-static key|turning off the locking correctness validator'
bad+='|gomem: internal error)'
# KCSAN: one block per report, from its BUG: line to the closing ====== line;
# a block with a frame in one of gomem's modules is gomem's, the others are
# races inside the core kernel. From the guest's dmesg dump when it is
# complete, else from the console; each report once.
kcsan_logs=("$out/dmesg.log")
grep -q '^=== end dmesg ===' "$out/dmesg.log" || kcsan_logs=("$out/console.log")
ours='\[(gomem|gomem_[a-z_]+|test_gomem_[a-z_]+)\]'
awk -v ours="$ours" -v g="$out/kcsan-gomem.log" -v k="$out/kcsan-kernel.log" '
	function strip(l) { sub(/^\[ *[0-9.]+\] /, "", l); return l }
	function flush() {
		if (inb && !(blk in seen)) { seen[blk] = 1; print blk > (gm ? g : k) }
		inb = 0
	}
	FNR == 1 { flush() }
	/BUG: KCSAN:/ { flush(); inb = 1; blk = ""; gm = 0 }
	inb { l = strip($0); blk = blk l "\n"; if (l ~ ours) gm = 1 }
	inb && strip($0) ~ /^=+$/ { flush() }
	END { flush() }
' /dev/null "${kcsan_logs[@]}" 2>/dev/null
: >> "$out/kcsan-gomem.log"
: >> "$out/kcsan-kernel.log"
# into a file, not through grep -q: under pipefail, grep -q exiting at the
# first match kills the writer with SIGPIPE whenever more matches follow,
# the pipeline fails, and a log full of reports read as clean
# a test that provokes a kernel warning on purpose announces it in its
# output ("expected kernel warning: FUNCTION", e.g. 47-foreign's
# free_large_kmalloc) and checks it itself: that warning is not an error
allowed=()
for f in $(sed -n 's/^# expected kernel warning: \([a-z_0-9]*\)$/\1/p' "$results" | sort -u); do
	allowed+=(-e "WARNING: CPU: [0-9]+ PID: [0-9]+ at [^ ]+ $f\\+")
done
grep -hnE "$bad" "${logs[@]}" 2>/dev/null | grep -v -e 'BUG: KCSAN:' -e 'gomem: BUG ' |
	{ if [ ${#allowed[@]} -gt 0 ]; then grep -vE "${allowed[@]}"; else cat; fi; } \
	> "$out/bad.log" || true
if [ -s "$out/bad.log" ]; then
	echo "not ok - kernel log has errors:"
	head -n 20 "$out/bad.log" | sed 's/^/#   /'
	echo "#   first report in context:"
	grep -hE -v -e 'BUG: KCSAN:' -e 'gomem: BUG ' "${logs[@]}" | grep -E -m1 -B2 -A30 "$bad" |
		sed 's/^/#   /'
	fail=$((fail + 1))
else
	echo "ok - kernel log clean (no oops, BUG, WARNING, lockdep, KASAN, lockup or stall)"
	pass=$((pass + 1))
fi
if [ -s "$out/kcsan-kernel.log" ]; then
	echo "# note: KCSAN races inside the core kernel (not gomem's; not counted):"
	grep -h 'BUG: KCSAN:' "$out/kcsan-kernel.log" | sort | uniq -c | sed 's/^/#   /'
fi
if [ -s "$out/kcsan-gomem.log" ]; then
	echo "not ok - KCSAN: $(grep -c 'BUG: KCSAN:' "$out/kcsan-gomem.log") data races in gomem" \
	     "(${out#"$top"/}/kcsan-gomem.log):"
	sed 's/^/#   /' "$out/kcsan-gomem.log" | head -n 200
	fail=$((fail + 1))
elif [ "$kernel" = kcsan ]; then
	echo "ok - KCSAN: no data race in gomem"
	pass=$((pass + 1))
fi
echo "# qemu: $kernel kernel, ${secs}s, logs in ${out#"$top"/}/"
echo "$kernel: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
