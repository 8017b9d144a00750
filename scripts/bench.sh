#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: every benchmark from scratch, then build/bench/report.md,
# build/bench/summary.md and the plots (build/bench/*.png).
# Documentation/benchmarks.rst says what is measured and how to read it.
#
#   1. setup       scripts/setup.sh --bench (QEMU, gnuplot, valgrind, the
#                  userspace allocators)
#   2. build       the modules (gomem, bench/gomem_bench.ko) against the pinned
#                  kernel; the userspace binaries (bench/user/)
#   3. icount      QEMU -smp 1 -icount shift=0,sleep=off: guest instruction
#                  counts, init_on_alloc=0 and =1 (two runs in parallel)
#   4. smp         QEMU -smp 4 (two NUMA nodes): cross-CPU free and all-CPU
#                  churn, gomem/SLUB time ratios, BENCH_SMP_RUNS boots
#   5. realmod     real filesystems on gomem against Debian's modules
#                  (scripts/realmod.sh), BENCH_REALMOD_RUNS icount boots:
#                  each filesystem's workload time and memory, medians
#   6. user        userspace timings, callgrind on the fast path, perf
#                  profiles of gomem (when perf works)
#   7. report      bench/report.py
#
# Everything from an earlier run is deleted first: every figure in the report
# comes from this run. The raw outputs stay in build/bench/raw/. The modules
# are copied to build/bench/mods/ as soon as they are built, and every boot
# loads those copies: a rebuild in the tree meanwhile (other work, other
# engineers) cannot mix two versions of gomem into one report.
#
# Environment: BENCH_ROUNDS (5, rounds per in-kernel measurement),
# BENCH_SMP_RUNS (5, boots), BENCH_SMP_ROUNDS (9, rounds per boot),
# BENCH_REALMOD_RUNS (3, realmod boots; REALMOD_FILES as in realmod.sh),
# BENCH_REALMOD_SMP (1) and BENCH_REALMOD_QEMU ("-icount shift=0,sleep=off":
# set it empty for wall-clock boots),
# BENCH_REPS (5, userspace repetitions), BENCH_NN_MAX (1000000, largest N),
# BENCH_CG_PAIRS (1000000), BENCH_QUICK=1 (a smoke run with small counts),
# BENCH_ONLY (a list of steps to run, e.g. "icount": guest instruction
# counts only, which do not depend on the machine's load),
# BENCH_ICOUNT_TIMEOUT (1500 s per icount boot; raise it on a loaded
# machine).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/bench
raw=$out/raw
rounds=${BENCH_ROUNDS:-5}
smp_runs=${BENCH_SMP_RUNS:-5}
smp_rounds=${BENCH_SMP_ROUNDS:-9}
reps=${BENCH_REPS:-5}
nn_max=${BENCH_NN_MAX:-1000000}
cg_pairs=${BENCH_CG_PAIRS:-1000000}
realmod_runs=${BENCH_REALMOD_RUNS:-3}
scale=100
mem_mb=2048
if [ -n "${BENCH_QUICK:-}" ]; then
	rounds=1 smp_runs=1 smp_rounds=2 reps=1 nn_max=10000 cg_pairs=100000 scale=10
	realmod_runs=1
	export REALMOD_FILES=${REALMOD_FILES:-2000}
fi

# one run at a time: a second would delete the first one's results
mkdir -p "$top/build"
exec 9> "$top/build/.bench.lock"
if ! flock -n 9; then
	echo "bench: another make bench is running; waiting for it (build/.bench.lock)"
	flock 9
fi

start=$(date +%s)
rm -rf "$out"
mkdir -p "$raw"
failed=0

meta() {
	echo "$1=$2" >> "$raw/meta.env"
}

# step NAME COMMAND...: runs a step, records its status and time
step() {
	local name=$1 t rc
	shift
	case "$name" in
	setup|build_*|snapshot|report) ;;
	*)	if [ -n "${BENCH_ONLY:-}" ] && ! grep -qw "$name" <<< "$BENCH_ONLY"; then
			echo "bench: $name: skipped (BENCH_ONLY)"
			return 0
		fi ;;
	esac
	t=$(date +%s)
	echo "bench: $name ..."
	"$@"
	rc=$?
	meta "STATUS_$name" "$rc"
	meta "SECS_$name" "$(($(date +%s) - t))"
	echo "bench: $name: $(($(date +%s) - t)) s$([ "$rc" -eq 0 ] || echo ", FAILED (status $rc)")"
	[ "$rc" -eq 0 ] || failed=1
	return "$rc"
}

# logged NAME COMMAND...: output to raw/NAME.log, shown only on failure
logged() {
	local log=$raw/$1.log

	shift
	"$@" > "$log" 2>&1 && return 0
	grep -v 'Skipping BTF' "$log" | tail -n 40 >&2
	return 1
}

# fingerprint of the sources a build used
src_sum() {
	cat "$top"/gomem/*.[ch] "$top"/include/*.h "$top"/bench/*.[ch] "$top"/bench/user/*.c \
		2>/dev/null | sha256sum | cut -c1-12
}

# the modules the boots load, frozen at build time
snapshot_modules() {
	mkdir -p "$out/mods"
	cp "$top/build/mods-default/gomem/gomem.ko" \
	   "$top/build/mods-default/bench/gomem_bench.ko" "$out/mods/" || return 1
	meta MODULES "$(cd "$out/mods" && sha256sum gomem.ko gomem_bench.ko |
			awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, substr($1, 1, 12) }')"
}

# qemu.sh (the default kernel), with the initramfs's modules taken from
# build/bench/mods/
qemu_sh() {
	GOMEM_MODULES_DIR=$out/mods bash "$top/scripts/qemu.sh" "$@"
}

# one boot; its result section goes to raw/qemu-LABEL.log, the kernel
# console to raw/LABEL-console.log
qemu_run() {
	local label=$1 smp=$2 extra=$3 append=$4 tmo=$5 dir=$top/build/qemu-bench-$1 rc

	GOMEM_QEMU_DIR=$dir QEMU_SMP=$smp QEMU_MEM_MB=$mem_mb QEMU_EXTRA=$extra \
		QEMU_APPEND=$append QEMU_TIMEOUT=$tmo \
		qemu_sh bench > "$raw/qemu-$label.log" 2> "$raw/qemu-$label.err"
	rc=$?
	cp "$dir/console.log" "$raw/$label-console.log" 2>/dev/null
	if [ "$rc" -eq 0 ] && ! grep -q '^bench name=done' "$raw/qemu-$label.log"; then
		rc=1
	fi
	return "$rc"
}

icount_runs() {
	local ioa pids=() rc=0 p

	for ioa in 0 1; do
		qemu_run "icount-ioa$ioa" 1 "-icount shift=0,sleep=off" \
			"init_on_alloc=$ioa gomem_bench.run=pair,nn,mixed,bulk,large,tiny,mem gomem_bench.units=instr gomem_bench.rounds=$rounds gomem_bench.nn_max=$nn_max gomem_bench.scale=$scale" \
			"${BENCH_ICOUNT_TIMEOUT:-1500}" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	# debug caches: SLUB's with slub_debug=FZPU for its cache only, in a
	# boot of their own (slub_debug= turns SLUB's debug checks on for the
	# whole kernel, and would move every other SLUB figure)
	qemu_run "icount-debug" 1 "-icount shift=0,sleep=off" \
		"init_on_alloc=0 slub_debug=FZPU,bench_slub_dbg gomem_bench.run=debug gomem_bench.units=instr gomem_bench.rounds=$rounds gomem_bench.scale=$scale" \
		"${BENCH_ICOUNT_TIMEOUT:-1500}" || rc=1
	return "$rc"
}

smp_runs() {
	local i order rc=0

	for i in $(seq 1 "$smp_runs"); do
		qemu_run "smp-$i" 4 "" \
			"gomem_bench.run=xcpu,churn gomem_bench.units=tsc gomem_bench.rounds=$smp_rounds gomem_bench.scale=$scale" \
			600 || rc=1
	done
	return "$rc"
}

# real filesystems, gomem's build and Debian's, in the same boot: one
# directory of results per boot (raw/realmod-N/), its output in
# raw/realmod-N.log; the guest loads the frozen gomem.ko
realmod_runs() {
	local i order rc=0

	for i in $(seq 1 "$realmod_runs"); do
		# alternate which variant runs first: the order's own effect
		# (caches warm, memory fragmented by the first) evens out
		order="stock gomem"
		[ $((i % 2)) -eq 0 ] && order="gomem stock"
		# icount, one CPU: the workload's clock counts guest
		# instructions, so the host's load does not enter the ratios
		QEMU_SMP=${BENCH_REALMOD_SMP:-1} \
			QEMU_EXTRA=${BENCH_REALMOD_QEMU-"-icount shift=0,sleep=off"} \
			REALMOD_ORDER=$order REALMOD_OUT=$raw/realmod-$i \
			GOMEM_QEMU_DIR=$top/build/qemu-bench-realmod \
			GOMEM_MODULES_DIR=$out/mods bash "$top/scripts/realmod.sh" \
			> "$raw/realmod-$i.log" 2>&1 || rc=1
		grep -aA4 '^# fs ' "$raw/realmod-$i.log"	# the boot's table
	done
	return "$rc"
}

# one repetition of every allocator in turn, $reps times: a change in the
# machine's load spreads over all allocators rather than biasing one
user_runs() {
	local a i rc=0

	for i in $(seq 1 "$reps"); do
		for a in gomem glibc jemalloc tcmalloc mimalloc; do
			BENCH_REPS=1 "$out/user/bench-$a" all > "$raw/user-$a-$i.txt" \
				2> "$raw/user-$a-$i.err" || rc=1
		done
	done
	return "$rc"
}

callgrind_runs() {
	local a m rc=0

	for a in gomem glibc jemalloc tcmalloc mimalloc; do
		for m in fastpath empty; do
			valgrind --tool=callgrind --callgrind-out-file="$raw/callgrind-$a-$m.out" \
				--toggle-collect=fastpath_loop --toggle-collect=empty_loop \
				"$out/user/bench-$a" "$m" "$cg_pairs" > /dev/null \
				2> "$raw/callgrind-$a-$m.err" || rc=1
		done
	done
	callgrind_annotate --inclusive=no --threshold=99 "$raw/callgrind-gomem-fastpath.out" \
		> "$raw/callgrind-gomem-annotate.txt" 2>&1 || rc=1
	callgrind_annotate --auto=yes --context=0 --threshold=99 \
		"$raw/callgrind-gomem-fastpath.out" > "$raw/callgrind-gomem-lines.txt" 2>&1 || rc=1
	return "$rc"
}

# where gomem's userspace time goes, when perf works here
perf_runs() {
	local wl

	command -v perf > /dev/null || return 0
	for wl in xthread churn nn; do
		BENCH_REPS=1 perf record -q -o "$raw/perf-gomem-$wl.data" \
			"$out/user/bench-gomem" "$wl" > /dev/null 2>&1 || return 0
		perf report -q -i "$raw/perf-gomem-$wl.data" --no-children --sort sym --stdio \
			> "$raw/perf-gomem-$wl.txt" 2> /dev/null
		rm -f "$raw/perf-gomem-$wl.data"
	done
}

meta DATE "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta COMMAND "$([ -n "${MAKELEVEL:-}" ] && echo "make bench" || echo "scripts/bench.sh")$([ -n "${BENCH_QUICK:-}" ] && echo " (BENCH_QUICK=1)")"
meta GIT "$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$top" diff --quiet HEAD 2>/dev/null || echo ' with uncommitted changes')"
meta NPROC "$(nproc)"
meta CPU "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
meta MEM "$(awk '/^MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
meta HOST_KERNEL "$(uname -r)"
meta LOAD_START "$(cut -d' ' -f1-3 /proc/loadavg)"
meta QEMU_MEM_MB "$mem_mb"
meta SMP_RUNS "$smp_runs"
meta REALMOD_RUNS "$realmod_runs"
meta BENCH_REPS "$reps"
meta CG_PAIRS "$cg_pairs"

step setup bash "$top/scripts/setup.sh" --bench || { echo "bench: setup failed" >&2; exit 1; }
meta GUEST_KERNEL "$(cat "$top/build/kernel-release")"
meta QEMU "$(qemu-system-x86_64 --version | head -n 1)"
meta SOURCE_BEFORE "$(src_sum)"
step build_modules logged build-modules make -s -C "$top" qemu-modules
step snapshot snapshot_modules
step build_user logged build-user make -s -C "$top/bench/user" TOP="$top" OUT="$out/user"
meta SOURCE_AFTER "$(src_sum)"
if [ -f "$out/mods/gomem_bench.ko" ]; then
	step icount icount_runs
	step smp smp_runs
	step realmod realmod_runs
fi
if [ -x "$out/user/bench-gomem" ]; then
	step user user_runs
	step callgrind callgrind_runs
	step perf perf_runs
fi
meta LOAD_END "$(cut -d' ' -f1-3 /proc/loadavg)"
meta TOTAL_SECS "$(($(date +%s) - start))"
step report python3 "$top/bench/report.py" "$raw" "$out"
echo "bench: $(($(date +%s) - start)) s in all; report in ${out#"$top"/}/report.md"
exit "$failed"
