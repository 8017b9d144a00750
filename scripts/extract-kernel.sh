#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extracts a Debian kernel image without installing it (installing
# linux-image-* would run initramfs triggers we do not need):
# apt-get download, then vmlinuz, config and System.map out of the package
# into DIR. The package is kept in $GOMEM_KERNEL_CACHE/debs/ (default
# /var/cache/gomem/debs/): a fresh clone on the same machine does not
# download it again.
#
# With --modules, the modules named (by file name without .ko, e.g. ext4
# nls_iso8859-1) and those they depend on are copied into DIR, flat, with a
# modules.dep of their own ("NAME.ko: DEP.ko ..."): Debian's stock modules
# for scripts/realmod.sh.
#
# Usage: scripts/extract-kernel.sh RELEASE DIR
#        scripts/extract-kernel.sh --modules RELEASE DIR MODULE...
set -euo pipefail
mods=
if [ "$1" = --modules ]; then
	mods=1
	shift
fi
rel=$1
dir=$2
shift 2
cache=${GOMEM_KERNEL_CACHE:-/var/cache/gomem}/debs
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
[ -z "$mods" ] && [ -f "$dir/vmlinuz-$rel" ] && exit 0

# the package, downloaded once per machine
deb=$(compgen -G "$cache/linux-image-${rel}_*.deb" | head -n 1 || true)
if [ -z "$deb" ]; then
	echo "setup: downloading linux-image-$rel"
	as_root mkdir -p "$cache"
	dl=$(as_root mktemp -d "$cache/.dl.XXXXXX")
	(cd "$dl" && as_root apt-get download -q "linux-image-$rel" >/dev/null 2>&1) || {
		as_root apt-get update -q >/dev/null
		(cd "$dl" && as_root apt-get download -q "linux-image-$rel" >/dev/null 2>&1)
	}
	as_root mv "$dl"/linux-image-*.deb "$cache/"
	as_root rmdir "$dl"
	deb=$(compgen -G "$cache/linux-image-${rel}_*.deb" | head -n 1)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"
if [ -z "$mods" ]; then
	echo "setup: extracting the linux-image-$rel kernel"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp" "./boot/vmlinuz-$rel" "./boot/config-$rel" "./boot/System.map-$rel"
	cp "$tmp/boot/vmlinuz-$rel" "$tmp/boot/config-$rel" "$tmp/boot/System.map-$rel" "$dir/"
	exit 0
fi

# --modules: the named modules and what they need (the package has no
# modules.dep, depmod makes it at install: the dependencies come from each
# module's modinfo), extracted in one pass over the package per level
md=lib/modules/$rel
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./$md/modules.order"
# path NAME: the module's path in the package (- and _ are one in names)
path() {
	local re=${1//[-_]/[-_]}
	grep -E "(^|/)$re\\.ko$" "$tmp/$md/modules.order" | head -n 1
}
: > "$dir/modules.dep"
todo=("$@")
seen=" "
while [ ${#todo[@]} -gt 0 ]; do
	paths=()
	for m in "${todo[@]}"; do
		p=$(path "$m")
		[ -n "$p" ] || { echo "extract-kernel: no module $m in linux-image-$rel" >&2; exit 1; }
		paths+=("./$md/$p")
	done
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "${paths[@]}"
	next=()
	for p in "${paths[@]}"; do
		cp "$tmp/$p" "$dir/"
		deps=$(modinfo -F depends "$tmp/$p" | tr ',' ' ')
		echo "$(basename "$p"):$(for d in $deps; do printf ' %s' "$(basename "$(path "$d")")"; done)" \
			>> "$dir/modules.dep"
		for d in $deps; do
			[[ $seen == *" ${d//-/_} "* ]] && continue
			seen+="${d//-/_} "
			next+=("$d")
		done
	done
	for m in "${todo[@]}"; do
		seen+="${m//-/_} "
	done
	todo=()
	for d in "${next[@]}"; do
		[ -f "$dir/$(basename "$(path "$d")")" ] || todo+=("$d")
	done
done
