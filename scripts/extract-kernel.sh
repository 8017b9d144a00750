#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extracts a Debian kernel image without installing it (installing
# linux-image-* would run initramfs triggers we do not need):
# apt-get download, dpkg -x, then vmlinuz, config and System.map into DIR.
#
# Usage: scripts/extract-kernel.sh RELEASE DIR
set -euo pipefail
rel=$1
dir=$2
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
[ -f "$dir/vmlinuz-$rel" ] && exit 0
echo "setup: extracting the linux-image-$rel kernel"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "linux-image-$rel" >/dev/null 2>&1) || {
	as_root apt-get update -q >/dev/null
	(cd "$tmp" && apt-get download -q "linux-image-$rel" >/dev/null 2>&1)
}
dpkg -x "$tmp"/linux-image-*.deb "$tmp/root"
mkdir -p "$dir"
cp "$tmp/root/boot/vmlinuz-$rel" "$tmp/root/boot/config-$rel" \
   "$tmp/root/boot/System.map-$rel" "$dir/"
