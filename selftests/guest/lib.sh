# SPDX-License-Identifier: GPL-2.0
# Helpers for guest test scripts.

# memfree: MemFree in KiB
memfree() {
	sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo
}

# gomem_field RECORD KEY [MATCH]: the value of KEY= in the first /proc/gomem
# line that starts with RECORD (and contains MATCH, e.g. "id=3 ")
gomem_field() {
	grep "^$1 ${3:-}" /proc/gomem | head -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# unload_all: remove every test module and gomem itself
unload_all() {
	for m in $(cut -d' ' -f1 /proc/modules); do
		case $m in gomem) ;; *) rmmod "$m" 2>/dev/null ;; esac
	done
	rmmod gomem 2>/dev/null
	true
}

# work N: N scaled by the kernel's work share (GOMEM_WORK_PCT, run-tests.sh),
# at least 1
work() {
	local n=$(($1 * ${GOMEM_WORK_PCT:-100} / 100))
	[ "$n" -ge 1 ] || n=1
	echo "$n"
}

fail() {
	echo "FAIL: $*"
	exit 1
}

# settle: wait until MemFree stops moving (deferred frees of earlier tests:
# RCU callbacks, per-CPU page lists draining), at most 5 s
settle() {
	local a b n=0
	b=$(memfree)
	while [ $n -lt 10 ]; do
		sleep 0.5
		a=$b
		b=$(memfree)
		[ $((a - b)) -lt 256 ] && [ $((b - a)) -lt 256 ] && return 0
		n=$((n + 1))
	done
}

# splats [NOTES [EXTRA]]: from the kernel log on stdin, the lines of a
# warning, BUG or oops, and of the regex EXTRA if given (print them; the
# caller fails on any). A KCSAN report (its "BUG: KCSAN:" line to the
# closing ===== line) counts, whole, only when one of its frames is in a
# gomem module, as in scripts/qemu.sh: the kcsan kernel also reports races
# inside the core kernel (d_splice_alias, ...), which are not gomem's;
# those go to the file NOTES when one is named.
# gomem's own debug reports ("gomem: BUG cache (...)", with a stack dump)
# are not splats.
splats() {
	awk -v notes="${1:-/dev/null}" -v extra="${2:-}" '
		function strip(l) { sub(/^\[ *[0-9.]+\] /, "", l); return l }
		/BUG: KCSAN:/ { ink = 1; blk = ""; ours = 0 }
		ink {
			blk = blk $0 "\n"
			if ($0 ~ /\[(gomem|gomem_[a-z_]+|test_gomem_[a-z_]+)\]/)
				ours = 1
			if (strip($0) ~ /^=+$/) {
				if (ours)
					printf "%s", blk
				else
					printf "%s", blk >> notes
				ink = 0
			}
			next
		}
		/WARNING:|BUG:|Oops|general protection|kernel BUG|Bad page state|page dumped/ || (extra != "" && $0 ~ extra)
		END {
			if (ink && ours)
				printf "%s", blk
			else if (ink)
				printf "%s", blk >> notes
		}'
}
