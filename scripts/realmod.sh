#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make realmod: real filesystems of Linux 6.1 on gomem, beside Debian's
# own modules, in one QEMU boot of the default kernel
# (Documentation/testing.rst, "Real modules").
#
#  1. gomem builds: minix, fat + vfat, ext4 + jbd2 + mbcache and xfs,
#     extracted from linux-source-6.1 into build/realmod/src/, built out of
#     tree against the pinned kernel's headers, unmodified but for one line
#     appended to each Makefile (mbcache.c gets a Kbuild of its own,
#     "obj-m += mbcache.o", and the line):
#         include $(GOMEM)/gomem.mk
#     GOMEM is build/realmod/gomem/: gomem.mk, include/ and the
#     Module.symvers of the gomem.ko the guest loads (build/mods-default/).
#     xfs's Makefile adds "-I $(srctree)/$(src)", which names no directory
#     out of tree: its two include directories come as KCFLAGS on the make
#     command line. ext4 links against the gomem-built jbd2 and mbcache
#     (KBUILD_EXTRA_SYMBOLS on the command line; gomem.mk adds gomem's).
#     The .ko files are cached in
#     $GOMEM_KERNEL_CACHE/realmod-gomem-HASH/ (default /var/cache/gomem),
#     HASH over the source tarball, gomem.mk, include/*.h, the CRCs of
#     gomem's exports, the kernel release, gcc and this recipe: a second
#     run, or a fresh clone on the same machine, skips the build. The build
#     has no warning, scripts/slab-escapes.sh finds no slab call that
#     escaped the layer, and modinfo shows each depends on gomem. Without
#     gomem.mk (the drop-in layer) the gomem variant is not built, and its
#     runs are reported as failures.
#  2. stock modules: the same filesystems, their dependencies, the NLS
#     tables vfat's iocharset needs and brd, from Debian's linux-image
#     package (scripts/extract-kernel.sh --modules), cached in
#     $GOMEM_KERNEL_CACHE/realmod-stock-RELEASE/.
#  3. the guest: mkfs and fsck of each filesystem (e2fsprogs, xfsprogs,
#     dosfstools, util-linux's minix tools) with their libraries, the
#     workload (selftests/realmod/workload.c, static) and the guest test
#     (selftests/realmod/guest.sh) go into the initramfs through
#     scripts/qemu.sh's GOMEM_INITRAMFS_EXTRA; the boot runs that test
#     alone, and qemu.sh checks the whole kernel log as in every test run.
#
# Each assertion is an ok / not ok line; the last line is
# "realmod: N passed, N failed". build/realmod/results.txt has one line per
# filesystem and variant: workload seconds, operations, memory (KiB: Slab
# and gomem's held bytes grown from before the modules were loaded to the
# end of the workload), and a table of gomem/stock ratios is printed.
#
# Environment: REALMOD_FILES (10000: files of the workload's tree),
# REALMOD_FS ("minix vfat ext4 xfs"), REALMOD_ORDER ("stock gomem": which
# variant of each filesystem runs first in the boot), REALMOD_OUT (build/realmod: where
# results.txt and the logs go), GOMEM_QEMU_DIR (build/qemu-realmod),
# GOMEM_MODULES_DIR (the gomem.ko the guest loads, scripts/qemu.sh),
# GOMEM_KERNEL_CACHE.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
work=$build/realmod
out=${REALMOD_OUT:-$work}
cache=${GOMEM_KERNEL_CACHE:-/var/cache/gomem}
files=${REALMOD_FILES:-10000}
fslist=${REALMOD_FS:-minix vfat ext4 xfs}
qdir=${GOMEM_QEMU_DIR:-$build/qemu-realmod}
recipe=1	# bump when the build below changes what it produces
stock_mods="ext4 jbd2 mbcache crc16 crc32c_generic libcrc32c xfs fat vfat minix
	    nls_cp437 nls_iso8859-1 brd"
gomem_mods="minix fat vfat mbcache jbd2 ext4 xfs"
pass=0
fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
no() { echo "not ok - $*"; fail=$((fail + 1)); }
finish() {
	echo "realmod: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
start=$(date +%s)
mkdir -p "$work" "$out"

bash "$top/scripts/setup.sh" > "$out/setup.log" 2>&1 ||
	{ cat "$out/setup.log"; no "set-up (scripts/setup.sh)"; finish; }
rel=$(cat "$build/kernel-release")
kdir=/usr/src/linux-headers-$rel
if flock "$build/.kbuild.lock" bash "$top/scripts/kernel.sh" --modules default \
	> "$out/modules.log" 2>&1; then
	ok "gomem.ko for the default kernel"
else
	tail -n 30 "$out/modules.log"
	no "gomem.ko for the default kernel (${out#"$top"/}/modules.log)"
	finish
fi
extra=$out/initramfs
rm -rf "$extra"
mkdir -p "$extra"/{realmod/stock,realmod/gomem,guest/tests,sbin,etc}

# --- 2. Debian's stock modules ---
sdir=$cache/realmod-stock-$rel
if [ ! -f "$sdir/.done" ]; then
	as_root mkdir -p "$cache"
	rm -rf "$sdir.tmp"
	# shellcheck disable=SC2086
	if bash "$top/scripts/extract-kernel.sh" --modules "$rel" "$sdir.tmp" $stock_mods \
		> "$out/stock.log" 2>&1; then
		touch "$sdir.tmp/.done"
		rm -rf "$sdir"
		mv "$sdir.tmp" "$sdir"
	else
		cat "$out/stock.log"
	fi
fi
if [ -f "$sdir/.done" ]; then
	cp "$sdir"/*.ko "$sdir/modules.dep" "$extra/realmod/stock/"
	ok "stock modules of linux-image-$rel: $(cd "$sdir" && echo *.ko | sed 's/\.ko//g')"
else
	no "stock modules of linux-image-$rel (${out#"$top"/}/stock.log)"
	finish
fi

# --- 1. the gomem builds ---
gdir=$work/gomem
no_gomem=
# key: what the built modules depend on
key() {
	{
		echo "recipe=$recipe release=$rel gcc=$(gcc --version | head -n 1)"
		sha256sum "$src_tar" | cut -d' ' -f1
		cat "$gdir/gomem.mk" "$gdir"/include/*.h
		# gomem's exports and their CRCs (not the paths: a clone
		# elsewhere builds the same modules)
		awk '$3 ~ /(^|\/)gomem\/gomem$/ { print $1, $2, $4 }' "$gdir/Module.symvers" | sort
	} | sha256sum | cut -c1-16
}

# build_fs NAME [MAKE ARGS...]: build src/NAME out of tree on gomem
build_fs() {
	local name=$1 t
	t=$(date +%s)
	shift
	echo "== $name" >> "$out/build.log"
	nice make -C "$kdir" M="$work/src/$name" GOMEM="$gdir" -j"${GOMEM_KERNEL_JOBS:-2}" \
		"$@" modules >> "$out/build.log" 2>&1 || return 1
	echo "== $name: $(($(date +%s) - t)) s" >> "$out/build.log"
}

build_gomem() {
	local d
	rm -rf "$work/src"
	mkdir -p "$work/src/mbcache"
	tar -xf "$src_tar" -C "$work/src" --strip-components=2 \
		linux-source-6.1/fs/minix linux-source-6.1/fs/fat linux-source-6.1/fs/ext4 \
		linux-source-6.1/fs/jbd2 linux-source-6.1/fs/xfs linux-source-6.1/fs/mbcache.c ||
		return 1
	mv "$work/src/mbcache.c" "$work/src/mbcache/"
	echo 'obj-m += mbcache.o' > "$work/src/mbcache/Kbuild"
	for d in minix fat ext4 jbd2 xfs; do
		echo "include \$(GOMEM)/gomem.mk" >> "$work/src/$d/Makefile"
	done
	echo "include \$(GOMEM)/gomem.mk" >> "$work/src/mbcache/Kbuild"
	: > "$out/build.log"
	build_fs minix &&
	build_fs fat &&
	build_fs mbcache &&
	build_fs jbd2 &&
	build_fs ext4 KBUILD_EXTRA_SYMBOLS="$work/src/jbd2/Module.symvers $work/src/mbcache/Module.symvers" &&
	build_fs xfs KCFLAGS="-I$work/src/xfs -I$work/src/xfs/libxfs"
}

src_tar=$(compgen -G "/usr/src/linux-source-6.1.tar.*" | head -n 1 || true)
if [ ! -f "$top/gomem.mk" ]; then
	no_gomem="no gomem.mk at the top of the tree (the drop-in layer, issue 12 item 1)"
	no "gomem builds: $no_gomem"
elif [ -z "$src_tar" ]; then
	no_gomem="no linux-source-6.1 tarball"
	no "gomem builds: $no_gomem"
else
	rm -rf "$gdir"
	mkdir -p "$gdir"
	cp "$top/gomem.mk" "$gdir/"
	cp -r "$top/include" "$gdir/"
	cp "${GOMEM_MODULES_DIR:-$build/mods-default}/Module.symvers" "$gdir/" 2>/dev/null ||
		cp "$build/mods-default/Module.symvers" "$gdir/"
	cdir=$cache/realmod-gomem-$(key)
	if [ -f "$cdir/.done" ]; then
		ok "gomem builds: cached in $cdir"
	else
		t=$(date +%s)
		if build_gomem; then
			if grep -E 'warning:|error:' "$out/build.log"; then
				no "gomem builds: warnings (${out#"$top"/}/build.log)"
			else
				ok "gomem builds: $gomem_mods, no warnings ($(($(date +%s) - t)) s)"
			fi
			as_root mkdir -p "$cache"
			rm -rf "$cdir.tmp"
			mkdir -p "$cdir.tmp"
			for m in $gomem_mods; do
				find "$work/src" -name "$m.ko" -exec cp {} "$cdir.tmp/" \;
			done
			cp "$out/build.log" "$cdir.tmp/"
			touch "$cdir.tmp/.done"
			rm -rf "$cdir"
			mv "$cdir.tmp" "$cdir"
		else
			grep -E -B2 -A8 'error:|Error [0-9]' "$out/build.log" | head -n 60
			no_gomem="the build failed (${out#"$top"/}/build.log)"
			no "gomem builds: $no_gomem"
		fi
	fi
	if [ -z "$no_gomem" ]; then
		for m in $gomem_mods; do
			if [ -f "$cdir/$m.ko" ]; then
				strip --strip-debug -o "$extra/realmod/gomem/$m.ko" "$cdir/$m.ko"
			else
				no_gomem="no $m.ko built"
			fi
		done
		if [ -z "$no_gomem" ]; then
			ok "gomem modules: $gomem_mods"
			# every slab call went through the layer
			# shellcheck disable=SC2046
			if bash "$top/scripts/slab-escapes.sh" $(for m in $gomem_mods; do
				echo "$cdir/$m.ko"; done) > "$out/escapes.log" 2>&1; then
				ok "no slab call escaped the layer (scripts/slab-escapes.sh)"
			else
				cat "$out/escapes.log"
				no "slab calls escaped the layer"
			fi
			nodep=
			for m in $gomem_mods; do
				[[ ,$(modinfo -F depends "$cdir/$m.ko"), == *,gomem,* ]] ||
					nodep+=" $m"
			done
			if [ -z "$nodep" ]; then
				ok "modinfo: every one depends on gomem"
			else
				no "modinfo: not depending on gomem:$nodep"
			fi
		else
			no "gomem modules: $no_gomem"
		fi
	fi
fi

# --- 3. the guest's tools, workload and test ---
tools_ok=1
for t in mkfs.minix fsck.minix mkfs.ext4 e2fsck mkfs.xfs xfs_repair mkfs.fat fsck.fat; do
	p=$(PATH=/usr/sbin:/sbin:$PATH command -v "$t") || { tools_ok=; echo "no $t" >&2; continue; }
	cp -L "$p" "$extra/sbin/"
	for lib in $(ldd "$p" | grep -o '/[^ ]*'); do
		mkdir -p "$extra$(dirname "$lib")"
		cp -L "$lib" "$extra$lib"
	done
done
cp /etc/mke2fs.conf "$extra/etc/" 2>/dev/null
ln -s /proc/mounts "$extra/etc/mtab"
if [ -n "$tools_ok" ]; then
	ok "guest tools: mkfs and fsck of minix, ext4, xfs, vfat"
else
	no "guest tools (e2fsprogs, xfsprogs, dosfstools, util-linux: scripts/setup.sh)"
fi
if gcc -static -O2 -Wall -Wextra -Werror -o "$extra/realmod/workload" \
	"$top/selftests/realmod/workload.c"; then
	ok "workload builds (-Wall -Wextra -Werror)"
else
	no "workload build"
	finish
fi
install -m 755 "$top/selftests/realmod/guest.sh" "$extra/guest/tests/realmod"
cat > "$extra/realmod/config" <<EOF
REALMOD_FILES=$files
REALMOD_FS="$fslist"
REALMOD_RD_KB=393216
REALMOD_SRC="/bin /sbin /lib /lib64 /mods"
REALMOD_NO_GOMEM="$no_gomem"
REALMOD_ORDER="${REALMOD_ORDER:-stock gomem}"
EOF
echo "# set-up and builds: $(($(date +%s) - start)) s"

# --- the boot ---
GOMEM_INITRAMFS_EXTRA=$extra GOMEM_QEMU_DIR=$qdir GOMEM_TESTS='^realmod$' \
	GOMEM_TEST_TIMEOUT=${GOMEM_TEST_TIMEOUT:-720} \
	bash "$top/scripts/qemu.sh" test default > "$out/qemu.log" 2>&1
grep -avE '^# (dmesg|realmod-result)' "$out/qemu.log" | sed 's/^# \(\(not \)\?ok [0-9]* - \)/\1/'
p=$(grep -acE '^# ok [0-9]+ - ' "$out/qemu.log")
f=$(grep -acE '^# not ok [0-9]+ - ' "$out/qemu.log")
pass=$((pass + p))
fail=$((fail + f))
grep -aqE '^# guest: [0-9]+ passed, [0-9]+ failed' "$out/qemu.log" ||
	no "the guest test did not finish (${qdir#"$top"/}/)"
line=$(grep -aE '^default: [0-9]+ passed, [0-9]+ failed' "$out/qemu.log" | tail -n 1)
if [[ $line =~ ^default:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
	pass=$((pass + BASH_REMATCH[1]))
	fail=$((fail + BASH_REMATCH[2]))
else
	no "qemu.sh gave no result line (${out#"$top"/}/qemu.log)"
fi

# --- results ---
{
	echo "# realmod $(date -u '+%Y-%m-%d %H:%M UTC'), files=$files," \
	     "git $(git -C "$top" rev-parse --short HEAD 2>/dev/null)"
	sed -n 's/^# realmod-result //p' "$out/qemu.log"
} > "$out/results.txt"
awk '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	  k = v["fs"] " " v["variant"]; secs[k] = v["secs"]; mem[k] = v["mem_kb"]
	  if (!(v["fs"] in seen)) { seen[v["fs"]] = 1; order[n++] = v["fs"] } }
	END {
		if (!n) exit
		printf "# %-6s %9s %9s %6s %12s %12s %6s\n", "fs", "stock s", "gomem s",
		       "ratio", "stock KiB", "gomem KiB", "ratio"
		for (i = 0; i < n; i++) {
			s = order[i] " stock"; g = order[i] " gomem"
			printf "# %-6s %9s %9s %6s %12s %12s %6s\n", order[i], secs[s],
			       (g in secs) ? secs[g] : "-",
			       (g in secs && secs[s] > 0) ? sprintf("%.2f", secs[g] / secs[s]) : "-",
			       mem[s], (g in mem) ? mem[g] : "-",
			       (g in mem && mem[s] > 0) ? sprintf("%.2f", mem[g] / mem[s]) : "-"
		}
	}' < <(grep -v '^#' "$out/results.txt")
echo "# realmod: $(($(date +%s) - start)) s; results in ${out#"$top"/}/results.txt, logs in ${qdir#"$top"/}/"
finish
