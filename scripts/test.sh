#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every test, from a fresh checkout: set-up, the host tests (the core under
# ASan+UBSan and TSan), the kernel modules, the QEMU kselftests. The last
# line is "N passed, N failed"; the exit status is non-zero when N failed > 0.
#
# GOMEM_SKIP_HOST=1 or GOMEM_SKIP_QEMU=1 leave a part out.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log=$top/build/logs
pass=0
fail=0

# count FILE PREFIX: add the "PREFIX: N passed, N failed" line of FILE
count() {
	local line p f
	line=$(grep -E "^$2: [0-9]+ passed, [0-9]+ failed" "$1" | tail -n 1)
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

if [ -z "${GOMEM_SKIP_HOST:-}" ]; then
	echo "== host tests"
	make -s -C selftests/host TOP="$top" run 2>&1 | tee "$log/host.log"
	count "$log/host.log" host
fi

if [ -z "${GOMEM_SKIP_QEMU:-}" ]; then
	echo "== kernel modules"
	if make -s qemu-modules > "$log/modules.log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$log/modules.log"; then
		echo "ok - modules build with W=1 and no warnings"
		pass=$((pass + 1))
		echo "== QEMU kselftests"
		bash scripts/qemu.sh test 2>&1 | tee "$log/qemu.log"
		count "$log/qemu.log" qemu
	else
		cat "$log/modules.log"
		echo "not ok - modules do not build cleanly"
		fail=$((fail + 1))
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
