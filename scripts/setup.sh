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
#
# Usage: scripts/setup.sh [--bench]   (--bench adds the benchmark packages)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
mkdir -p "$build"
export DEBIAN_FRONTEND=noninteractive

packages=(gcc make libc6-dev bc flex bison libelf-dev kmod xz-utils cpio
	  qemu-system-x86 busybox-static liburcu-dev libnuma-dev numactl
	  linux-source-6.1 sparse perl python3)
[ "${1:-}" = "--bench" ] && packages+=(gnuplot-nox libjemalloc-dev libgoogle-perftools-dev
				     libmimalloc-dev valgrind)

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

kdir=$build/kernel
if [ ! -f "$kdir/vmlinuz-$rel" ]; then
	echo "setup: extracting the linux-image-$rel kernel"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q "linux-image-$rel" >/dev/null 2>&1) || {
		apt_update
		(cd "$tmp" && apt-get download -q "linux-image-$rel" >/dev/null 2>&1)
	}
	dpkg -x "$tmp"/linux-image-*.deb "$tmp/root"
	mkdir -p "$kdir"
	cp "$tmp/root/boot/vmlinuz-$rel" "$tmp/root/boot/config-$rel" \
	   "$tmp/root/boot/System.map-$rel" "$kdir/"
	rm -rf "$tmp"
fi

bash "$top/scripts/kselftest-headers.sh"
