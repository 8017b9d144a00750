#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what gomem's build and tests need on a Debian 12 machine, once.
# Idempotent: every step checks first, so a second run costs a second.
#
#  - Debian packages (build tools, QEMU, busybox-static, liburcu, libnuma, ...)
#  - the test kernel: its ABI is resolved once from the linux-headers-amd64
#    metapackage and pinned in build/kernel-release; its headers are
#    installed, its image is extracted (apt-get download + dpkg -x: installing
#    linux-image-* would run initramfs triggers we do not need)
#  - from linux-source-6.1: the kselftest headers and checkpatch, extracted
#    into build/ (never committed)
#  - the test kernels named on the command line (scripts/kernel.sh): the
#    debug and kcsan kernels are built (once per machine, cached outside the
#    clone), the rt image is extracted; default is always provided
#
# Usage: scripts/setup.sh [--bench] [--fuzz] [KERNEL...]
#        scripts/setup.sh --no-apt
# --bench adds the benchmark packages, --fuzz clang and libFuzzer (make fuzz). --no-apt (a plain `make`) only
# extracts the kselftest headers, when linux-source-6.1 is installed: no
# apt-get, no kernel.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
mkdir -p "$build"
export DEBIAN_FRONTEND=noninteractive

bench=
fuzz=
no_apt=
kernels=(default)
for a in "$@"; do
	case $a in
	--bench)	bench=1 ;;
	--fuzz)		fuzz=1 ;;
	--no-apt)	no_apt=1 ;;
	default)	;;
	*)		kernels+=("$a") ;;
	esac
done

ks=$build/kselftest
src=$(compgen -G "/usr/src/linux-source-6.1.tar.*" | head -n 1 || true)
# extract_kselftest: the kselftest headers and checkpatch from the tarball
extract_kselftest() {
	[ -f "$ks/kselftest_module.h" ] && [ -f "$build/linux/scripts/checkpatch.pl" ] && return 0
	[ -n "$src" ] || { echo "setup: linux-source-6.1 tarball not found" >&2; return 1; }
	echo "setup: extracting kselftest headers and checkpatch from $(basename "$src")"
	mkdir -p "$ks" "$build/linux"
	tar -xf "$src" -C "$ks" --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_module.h \
		linux-source-6.1/tools/testing/selftests/kselftest
	tar -xf "$src" -C "$build/linux" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
}

if [ -n "$no_apt" ]; then
	if [ -n "$src" ]; then
		extract_kselftest
	elif [ ! -f "$ks/kselftest_module.h" ]; then
		echo "setup: no kselftest headers: run 'make setup' (installs linux-source-6.1)" >&2
	fi
	exit 0
fi

packages=(gcc make libc6-dev bc flex bison libelf-dev kmod xz-utils cpio
	  qemu-system-x86 busybox-static liburcu-dev libnuma-dev numactl
	  linux-source-6.1 sparse perl python3
	  dkms openssl	# make install-test: dkms builds and signs (openssl)
	  linux-perf	# 46-trace: perf stat over gomem's tracepoints in the guest
	  e2fsprogs xfsprogs dosfstools util-linux)	# make realmod: mkfs, fsck in the guest
[ -n "$bench" ] && packages+=(gnuplot-nox libjemalloc-dev libgoogle-perftools-dev
			      libmimalloc-dev valgrind)
[ -n "$fuzz" ] && packages+=(clang libfuzzer-14-dev)

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_update() {
	if [ -z "$apt_updated" ]; then
		as_root apt-get update -q >/dev/null
		apt_updated=1
	fi
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt_update
	as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# Pin the kernel ABI once: the release the metapackage points at today.
release_file=$build/kernel-release
if [ ! -s "$release_file" ]; then
	rel=$(apt-cache depends linux-headers-amd64 2>/dev/null |
	      sed -n 's/.*Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$rel" ]; then
		apt_update
		rel=$(apt-cache depends linux-headers-amd64 |
		      sed -n 's/.*Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n 1)
	fi
	[ -n "$rel" ] || { echo "setup: cannot resolve linux-headers-amd64" >&2; exit 1; }
	echo "$rel" > "$release_file"
fi
rel=$(cat "$release_file")

if [ ! -f "/usr/src/linux-headers-$rel/Makefile" ]; then
	echo "setup: installing linux-headers-$rel"
	apt_update
	as_root apt-get install -y -q --no-install-recommends "linux-headers-$rel" >/dev/null
fi

bash "$top/scripts/extract-kernel.sh" "$rel" "$build/kernel"

src=$(compgen -G "/usr/src/linux-source-6.1.tar.*" | head -n 1 || true)
extract_kselftest

bash "$top/scripts/kernel.sh" "${kernels[@]}"
