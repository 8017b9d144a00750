#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Provides the test kernels `make test`, `make run` and `make bench` boot.
# For each VARIANT it makes build/kernels/VARIANT/ with two symlinks:
# vmlinuz (the image QEMU boots) and kdir (the tree modules build against).
#
#   default  Debian's 6.1 image and headers, pinned by scripts/setup.sh
#   debug    6.1 from linux-source-6.1: allnoconfig + scripts/kconfig/
#            base.config + debug.config + kasan.config (lockdep, PROVE_RCU,
#            DEBUG_ATOMIC_SLEEP, DEBUG_PREEMPT, DEBUG_LIST, DEBUG_OBJECTS,
#            DEBUG_VM, generic KASAN inline)
#   kcsan    the same with kcsan.config instead of kasan.config
#   rt       Debian's PREEMPT_RT 6.1 image and headers, the ABI release of
#            build/kernel-release (pinned in build/kernel-release-rt)
#
# debug and kcsan are built once per machine, outside the clone, in
# $GOMEM_KERNEL_CACHE/kernel-VARIANT-HASH (default /var/cache/gomem), where
# HASH covers the config fragments' values, the base target, this recipe, the
# linux-source-6.1 package version and the gcc version: a fresh clone on the
# same machine reuses the tree; a change of any of those builds a new one.
# The tree is built in place (make all: bzImage, Module.symvers, scripts,
# generated headers) and kept whole for external module builds.
#
# `--modules VARIANT` builds gomem's modules for it (make -C kdir M=...) in
# build/mods-VARIANT/, a copy of the module sources: Kbuild puts the objects
# next to the sources, so one tree per kernel keeps them apart.
#
# Usage: scripts/kernel.sh VARIANT...        (called by scripts/setup.sh)
#        scripts/kernel.sh --modules VARIANT (called by make qemu-modules)
#        scripts/kernel.sh --sources         (the module sources: scripts/check.sh)
#        scripts/kernel.sh --built VARIANT   (exit 0: no build needed)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
cache=${GOMEM_KERNEL_CACHE:-/var/cache/gomem}
frags=$top/scripts/kconfig
base_target=allnoconfig
recipe=1	# bump when the build steps below change what they produce
export DEBIAN_FRONTEND=noninteractive

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# link VARIANT IMAGE KDIR
link() {
	mkdir -p "$build/kernels/$1"
	ln -sfn "$2" "$build/kernels/$1/vmlinuz"
	ln -sfn "$3" "$build/kernels/$1/kdir"
}

variant_frags() {
	case $1 in
	debug)	echo "$frags/base.config $frags/debug.config $frags/kasan.config" ;;
	kcsan)	echo "$frags/base.config $frags/debug.config $frags/kcsan.config" ;;
	esac
}

# check_config CONFIG FRAGMENT...: every value the fragments ask for is in
# CONFIG (merge_config.sh only warns; a dependency we missed must fail)
check_config() {
	local config=$1 bad=0 line sym
	shift
	while read -r line; do
		case $line in
		"# CONFIG_"*" is not set")
			sym=${line#"# "}
			sym=${sym%" is not set"}
			if grep -q "^$sym=" "$config"; then
				echo "kernel: $sym is set, the fragment asks for it off" >&2
				bad=1
			fi ;;
		CONFIG_*=*)
			if ! grep -qxF "$line" "$config"; then
				echo "kernel: $line requested, .config has:" \
				     "$(grep "^${line%%=*}=\|^# ${line%%=*} is" "$config" || echo nothing)" >&2
				bad=1
			fi ;;
		esac
	done < <(cat "$@")
	return $bad
}

# variant_dir VARIANT: the cache directory of VARIANT's tree
variant_dir() {
	local v=$1 ver gccv key
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo none)
	gccv=$(gcc --version | head -n 1)
	# shellcheck disable=SC2046
	# the fragments' values, not their comments ("# CONFIG_X is not set"
	# is a value)
	key=$( { echo "recipe=$recipe base=$base_target source=$ver gcc=$gccv"
		 cat $(variant_frags "$v") | sed '/^#/{/^# CONFIG_/!d}; /^$/d'; } |
		 sha256sum | cut -c1-16)
	echo "$cache/kernel-$v-$key"
}

build_variant() {
	local v=$1 src ver gccv dir start secs fr
	src=$(compgen -G "/usr/src/linux-source-6.1.tar.*" | head -n 1 || true)
	[ -n "$src" ] || { echo "kernel: linux-source-6.1 is not installed" >&2; return 1; }
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	gccv=$(gcc --version | head -n 1)
	dir=$(variant_dir "$v")
	if [ ! -f "$dir/.gomem-built" ]; then
		as_root mkdir -p "$cache"
		exec 9> "$cache/.kernel-$v.lock"
		flock 9
	fi
	if [ ! -f "$dir/.gomem-built" ]; then
		echo "kernel: building the $v kernel in $dir (linux-source-6.1 $ver, $gccv)"
		echo "kernel: 20-35 minutes on 2 cores, once per machine (an interrupted build resumes)"
		start=$(date +%s)
		if [ ! -f "$dir/.gomem-extracted" ]; then
			rm -rf "$dir"
			mkdir -p "$dir"
			tar -xf "$src" -C "$dir" --strip-components=1
			touch "$dir/.gomem-extracted"
		fi
		fr=$dir/.gomem-localversion.config
		echo "CONFIG_LOCALVERSION=\"-gomem-$v\"" > "$fr"
		# shellcheck disable=SC2046
		(cd "$dir" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n \
			$(variant_frags "$v") "$fr" > .gomem-config.log 2>&1) || {
			cat "$dir/.gomem-config.log" >&2
			return 1
		}
		# shellcheck disable=SC2046
		check_config "$dir/.config" $(variant_frags "$v") "$fr" || return 1
		nice make -C "$dir" -s -j"${GOMEM_KERNEL_JOBS:-2}" ARCH=x86_64 all \
			> "$dir/.gomem-build.log" 2>&1 || {
			tail -n 40 "$dir/.gomem-build.log" >&2
			echo "kernel: the $v kernel build failed; log in $dir/.gomem-build.log" >&2
			return 1
		}
		secs=$(($(date +%s) - start))
		echo "$secs" > "$dir/.gomem-build-seconds"
		touch "$dir/.gomem-built"
		echo "kernel: built the $v kernel in $((secs / 60))m$((secs % 60))s"
	fi
	link "$v" "$dir/arch/x86/boot/bzImage" "$dir"
}

rt_variant() {
	local rel relrt rfile=$build/kernel-release-rt kdir=$build/kernel-rt
	rel=$(cat "$build/kernel-release")
	if [ ! -s "$rfile" ]; then
		# the release the metapackage points at, if it is the pinned ABI;
		# else the pinned ABI's rt flavour (same source, same ABI)
		relrt=$(apt-cache depends linux-headers-rt-amd64 2>/dev/null |
			sed -n 's/.*Depends: linux-headers-\(.*-rt-amd64\)$/\1/p' | head -n 1)
		[ "$relrt" = "${rel%-amd64}-rt-amd64" ] || relrt=${rel%-amd64}-rt-amd64
		echo "$relrt" > "$rfile"
	fi
	relrt=$(cat "$rfile")
	if [ ! -f "/usr/src/linux-headers-$relrt/Makefile" ]; then
		echo "kernel: installing linux-headers-$relrt"
		as_root apt-get install -y -q --no-install-recommends "linux-headers-$relrt" \
			>/dev/null 2>&1 || {
			as_root apt-get update -q >/dev/null
			as_root apt-get install -y -q --no-install-recommends "linux-headers-$relrt" >/dev/null
		}
	fi
	bash "$top/scripts/extract-kernel.sh" "$relrt" "$kdir"
	link rt "$kdir/vmlinuz-$relrt" "/usr/src/linux-headers-$relrt"
}

# module_sources: the files a module build reads, relative to the top
# (dkms.conf: gomem/Kbuild reads the module's version from it)
module_sources() {
	(cd "$top" && find Kbuild gomem.mk gomem include examples bench selftests/modules \
		selftests/dropin selftests/common -path bench/user -prune -o -type f \
		\( -name Kbuild -o -name '*.[ch]' -o -name '*.mk' \) ! -name '*.mod.c' -print &&
	 echo dkms.conf)
}

# modules VARIANT: copy the module sources into build/mods-VARIANT/ (only the
# changed ones, so the objects there stay valid; sources deleted here are
# deleted there) and build them against the VARIANT kernel
modules() {
	local v=$1 mods=$build/mods-$1 kdir=$build/kernels/$1/kdir f
	[ -f "$kdir/Makefile" ] || {
		echo "kernel: no $v kernel tree ($kdir): run scripts/setup.sh $v" >&2
		return 1
	}
	mkdir -p "$mods"
	module_sources > "$mods/.sources"
	while read -r f; do
		cmp -s "$top/$f" "$mods/$f" || install -D -p -m 644 "$top/$f" "$mods/$f"
	done < "$mods/.sources"
	(cd "$mods" && find . -type f \( -name Kbuild -o -name '*.[ch]' -o -name '*.mk' -o -name dkms.conf \) \
		! -name '*.mod.c' |
	 sed 's|^\./||' | { grep -vxF -f .sources || true; } | xargs -r rm -f)
	make -C "$(readlink -f "$kdir")" M="$mods" KSELFTEST_DIR="$build/kselftest" W=1 modules
}

if [ "${1:-}" = --modules ]; then
	modules "$2"
	exit
fi

# --sources: the module sources, one path (relative to the top) per line
if [ "${1:-}" = --sources ]; then
	module_sources
	exit
fi

# --built VARIANT: exit 0 when VARIANT needs no build (default and rt are
# extracted, not built; debug and kcsan are built once per machine)
if [ "${1:-}" = --built ]; then
	case $2 in
	debug|kcsan) [ -f "$(variant_dir "$2")/.gomem-built" ] ;;
	*) true ;;
	esac
	exit
fi

for v in "$@"; do
	case $v in
	default)
		rel=$(cat "$build/kernel-release")
		link default "$build/kernel/vmlinuz-$rel" "/usr/src/linux-headers-$rel" ;;
	debug|kcsan)
		build_variant "$v" ;;
	rt)
		rt_variant ;;
	*)
		echo "kernel: unknown kernel variant '$v' (default, debug, kcsan, rt)" >&2
		exit 1 ;;
	esac
done
