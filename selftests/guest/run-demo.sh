#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make run: load gomem and the demo client, show what /proc/gomem says.
echo "=== gomem run ==="
insmod /mods/gomem.ko || exit 1
if [ -f /mods/gomem_demo.ko ]; then
	insmod /mods/gomem_demo.ko || exit 1
else
	insmod /mods/gomem_hold.ko hold_kb=8192 || exit 1
fi
dmesg | grep -E 'gomem' | sed 's/^/dmesg: /'
echo "--- /proc/gomem"
cat /proc/gomem
echo "=== end ==="
