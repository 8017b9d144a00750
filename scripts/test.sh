#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every test, from a fresh checkout: set-up, the host tests (the core under
# ASan+UBSan and TSan), then for each test kernel in $KERNEL (Makefile:
# TEST_KERNELS, "default debug kcsan rt") the kernel modules built against
# it and the QEMU kselftests booted on it; then make install and DKMS
# (scripts/install-test.sh). The last line is
# "N passed, N failed", the sum of every part; the exit status is non-zero
# when N failed > 0.
#
# The kernels that must be built first (debug and kcsan, on a machine that
# has not built them yet) are built in the background, niced, from the
# start: the host tests and the kernels that are ready (default, rt) run
# meanwhile, and the built ones are tested last. scripts/kernel.sh holds a
# lock per variant, so the set-up step of a kernel still building waits for
# it. Last, on the default kernel, real filesystems on gomem
# (scripts/realmod.sh).
#
# GOMEM_SKIP_HOST=1, GOMEM_SKIP_QEMU=1 or GOMEM_SKIP_REALMOD=1 leave a part
# out.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=$top/build/logs
kernels=${KERNEL:-${TEST_KERNELS:-default debug kcsan rt}}
pass=0
fail=0

# count FILE PREFIX: add the "PREFIX: N passed, N failed" line of FILE
count() {
	local line p f
	line=$(grep -aE "^$2: [0-9]+ passed, [0-9]+ failed" "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "not ok - $2: no result line (see ${1#"$top"/})"
		fail=$((fail + 1))
		return
	fi
	p=$(sed 's/.*: \([0-9]*\) passed.*/\1/' <<<"$line")
	f=$(sed 's/.* \([0-9]*\) failed.*/\1/' <<<"$line")
	pass=$((pass + p))
	fail=$((fail + f))
}

bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$log"

# ready: the kernels to test first; later: those built in the background
ready=
later=
if [ -z "${GOMEM_SKIP_QEMU:-}" ]; then
	for k in $kernels; do
		if bash scripts/kernel.sh --built "$k"; then
			ready="$ready $k"
		else
			later="$later $k"
		fi
	done
	if [ -n "$later" ]; then
		echo "== building the$later kernel(s) in the background (${log#"$top"/}/kernels.log)"
		# shellcheck disable=SC2086
		bash scripts/kernel.sh $later > "$log/kernels.log" 2>&1 &
	fi
	kernels="$ready $later"
fi

if [ -z "${GOMEM_SKIP_HOST:-}" ]; then
	echo "== host tests"
	make -s -C selftests/host TOP="$top" run 2>&1 | tee "$log/host.log"
	count "$log/host.log" host
fi

if [ -z "${GOMEM_SKIP_QEMU:-}" ]; then
	for k in $kernels; do
		start=$(date +%s)
		echo "== $k kernel: set-up"
		if ! bash scripts/setup.sh "$k" 2>&1 | tee "$log/setup-$k.log"; then
			echo "not ok - $k: kernel set-up failed (${log#"$top"/}/setup-$k.log)"
			fail=$((fail + 1))
			continue
		fi
		echo "== $k kernel: modules"
		if flock build/.kbuild.lock bash scripts/kernel.sh --modules "$k" \
			> "$log/modules-$k.log" 2>&1 &&
		   ! grep -E 'warning:|error:' "$log/modules-$k.log"; then
			echo "ok - $k: modules build with W=1 and no warnings"
			pass=$((pass + 1))
			echo "== $k kernel: QEMU kselftests"
			bash scripts/qemu.sh test "$k" 2>&1 | tee "$log/qemu-$k.log"
			count "$log/qemu-$k.log" "$k"
		else
			cat "$log/modules-$k.log"
			echo "not ok - $k: modules do not build cleanly"
			fail=$((fail + 1))
		fi
		echo "# $k kernel: $(($(date +%s) - start))s"
	done
fi

# make install and DKMS against the default kernel's headers; the module
# DKMS built boots on it (scripts/install-test.sh)
if [ -z "${GOMEM_SKIP_QEMU:-}" ] && [[ " $kernels " == *" default "* ]]; then
	echo "== make install, DKMS"
	start=$(date +%s)
	bash scripts/install-test.sh 2>&1 | tee "$log/install.log"
	count "$log/install.log" install
	echo "# install: $(($(date +%s) - start))s"
fi

# real filesystems of linux-source-6.1 rebuilt on gomem, beside Debian's
# stock modules, in one boot of the default kernel (scripts/realmod.sh)
if [ -z "${GOMEM_SKIP_QEMU:-}" ] && [ -z "${GOMEM_SKIP_REALMOD:-}" ] &&
   [[ " $kernels " == *" default "* ]]; then
	echo "== realmod: minix, vfat, ext4, xfs on gomem and on Debian's modules"
	start=$(date +%s)
	bash scripts/realmod.sh 2>&1 | tee "$log/realmod.log"
	count "$log/realmod.log" realmod
	echo "# realmod: $(($(date +%s) - start))s"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
