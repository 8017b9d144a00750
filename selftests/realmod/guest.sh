#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# realmod in the guest (/guest/tests/realmod; scripts/realmod.sh puts it
# there with /realmod/: the modules, the workload and config).
#
# For each filesystem, Debian's stock module(s) and the same sources
# rebuilt on gomem with one Kbuild line, in this boot, in the order
# REALMOD_ORDER gives (stock first unless make bench alternates it): insmod (gomem.ko
# first), mkfs on a ramdisk (brd), mount, the workload (workload.c), a
# remount and its verify pass, umount, fsck (clean), rmmod; on gomem, the
# module's caches are in /proc/gomem while mounted and gone after rmmod,
# and gomem unloads holding nothing. No warning, BUG, oops or gomem report
# in the kernel log of each run. Every assertion is an ok / not ok line;
# after a failure the run's remaining steps are "not ok ... # not run".
# One "realmod-result" line per run: workload time, operations, memory
# (Slab of /proc/meminfo and gomem's held_bytes, each as grown from before
# the modules were loaded to the end of the workload, still mounted; and
# gomem's inuse_bytes: held_bytes grows by whole 4 MiB chunks).
# shellcheck shell=dash
# shellcheck disable=SC2086 # $mkfs, $fsck, $opts, $mods: words on purpose
# shellcheck source=/dev/null
. /guest/lib.sh
# shellcheck source=/dev/null
. /realmod/config
S=/realmod/stock
G=/realmod/gomem
n=0
npass=0
nfail=0
broken=
mkdir -p /mnt

ok() {
	n=$((n + 1))
	npass=$((npass + 1))
	echo "ok $n - $*"
}

notok() {
	n=$((n + 1))
	nfail=$((nfail + 1))
	echo "not ok $n - $*"
}

# t DESC CMD...: one assertion; CMD's output is shown when it fails. After
# a failure in this run, the rest are reported as not run.
t() {
	local d=$1
	shift
	if [ -n "$broken" ]; then
		notok "$d # not run: $broken failed"
		return 1
	fi
	if "$@" > /tmp/rm.out 2>&1; then
		ok "$d"
		return 0
	fi
	sed 's/^/    /' /tmp/rm.out | tail -n 40
	notok "$d"
	broken=$d
	return 1
}

kb() {
	sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo
}

# gomem_kb FIELD: /proc/gomem's total FIELD in KiB, 0 without gomem
gomem_kb() {
	if [ -e /proc/gomem ]; then
		echo $(($(gomem_field total "$1") / 1024))
	else
		echo 0
	fi
}

# the kernel log since this run's mark
since() {
	dmesg | sed -n "/realmod: mark $mark\$/,\$p"
}

insmod_all() {
	local m
	for m in "$@"; do
		insmod "$m" || return 1
	done
}

rmmod_all() {
	local m rc=0
	for m in "$@"; do
		rmmod "$m" || rc=1
	done
	return $rc
}

caches_there() {
	local c rc=0
	for c in $caches; do
		grep -q "^cache name=$c " /proc/gomem || { echo "no cache $c in /proc/gomem"; rc=1; }
	done
	return $rc
}

caches_gone() {
	! grep -E "^cache name=($prefix)" /proc/gomem
}

gomem_unloads() {
	rmmod gomem || return 1
	since | grep -E 'gomem: unloaded: .* 0 KiB still held' ||
		{ since | grep 'gomem: unloaded'; return 1; }
}

workload() {
	/realmod/workload run /mnt /tmp/manifest "$REALMOD_FILES" "$features" $REALMOD_SRC \
		> /tmp/wl.out 2>&1
	local rc=$?
	cat /tmp/wl.out
	return $rc
}

remount_verify() {
	umount /mnt && mount -t "$fstype" $opts /dev/ram0 /mnt &&
		/realmod/workload verify /mnt /tmp/manifest
}

log_clean() {
	# warnings, BUGs, oopses, gomem reports (its load, a clean unload and
	# the kernel's taint notes on loading it are not reports)
	since | splats /tmp/kcsan-notes 'gomem:' |
		grep -vE 'gomem: (loaded: |unloaded: .* 0 KiB still held|loading out-of-tree module taints|module verification failed)' \
		> /tmp/rm.bad
	[ ! -s /tmp/rm.bad ] || { cat /tmp/rm.bad; return 1; }
}

# run FS VARIANT: one filesystem on one variant
run() {
	local fs=$1 v=$2 dir mods rev secs ops slab0 slab1 g0 g1 u0 u1
	broken=
	mark="$fs $v"
	echo "realmod: mark $mark" > /dev/kmsg
	if [ "$v" = gomem ]; then
		dir=$G
		t "$fs $v: insmod gomem.ko" insmod /mods/gomem.ko
	else
		dir=$S
	fi
	mods=
	rev=
	for m in $kos; do
		mods="$mods $dir/$m.ko"
		rev="$m $rev"
	done
	sync
	echo 3 > /proc/sys/vm/drop_caches
	slab0=$(kb Slab)
	g0=$(gomem_kb held_bytes)
	u0=$(gomem_kb inuse_bytes)
	t "$fs $v: insmod$(for m in $kos; do printf ' %s' "$m"; done)" insmod_all $mods
	t "$fs $v: $mkfs" $mkfs /dev/ram0
	t "$fs $v: mount -t $fstype${opts:+ $opts}" mount -t "$fstype" $opts /dev/ram0 /mnt
	[ "$v" = gomem ] && t "$fs $v: its caches in /proc/gomem while mounted ($caches)" caches_there
	if t "$fs $v: workload ($REALMOD_FILES files, copy of $REALMOD_SRC)" workload; then
		sed 's/^/# /' /tmp/wl.out
		slab1=$(kb Slab)
		g1=$(gomem_kb held_bytes)
		u1=$(gomem_kb inuse_bytes)
		secs=$(sed -n 's/^workload: run ops=[0-9]* secs=\([0-9.]*\)$/\1/p' /tmp/wl.out)
		ops=$(sed -n 's/^workload: run ops=\([0-9]*\) .*/\1/p' /tmp/wl.out)
		echo "realmod-result fs=$fs variant=$v secs=$secs ops=$ops" \
		     "slab_kb=$((slab1 - slab0)) gomem_kb=$((g1 - g0))" \
		     "gomem_inuse_kb=$((u1 - u0))" \
		     "mem_kb=$((slab1 - slab0 + g1 - g0))"
	fi
	t "$fs $v: remount, verify every name, size, hash, link, xattr" remount_verify
	t "$fs $v: umount" umount /mnt
	t "$fs $v: $fsck: clean" $fsck /dev/ram0
	umount /mnt 2>/dev/null
	broken=
	t "$fs $v: rmmod ${rev% }" rmmod_all $rev
	if [ "$v" = gomem ]; then
		t "$fs $v: its caches gone from /proc/gomem after rmmod" caches_gone
		t "$fs $v: gomem unloads holding nothing" gomem_unloads
	fi
	broken=
	t "$fs $v: kernel log clean (no WARNING, BUG, oops, gomem report)" log_clean
	for m in $rev; do
		rmmod "$m" 2>/dev/null
	done
	rmmod gomem 2>/dev/null
}

unload_all
for m in crc16 crc32c_generic libcrc32c nls_cp437 nls_iso8859-1; do
	insmod $S/$m.ko || notok "insmod stock $m"
done
for fs in $REALMOD_FS; do
	opts=
	features=links,symlinks,xattr
	case $fs in
	minix)	kos=minix; fstype=minix; mkfs="mkfs.minix -3"; fsck="fsck.minix -f"
		features=links,symlinks
		caches=minix_inode_cache; prefix=minix_ ;;
	vfat)	kos="fat vfat"; fstype=vfat; mkfs="mkfs.fat -F 32"; fsck="fsck.fat -n"
		opts="-o iocharset=iso8859-1,utf8=0"; features=-
		caches="fat_cache fat_inode_cache"; prefix=fat_ ;;
	ext4)	kos="mbcache jbd2 ext4"; fstype=ext4; mkfs="mkfs.ext4 -q -F"; fsck="e2fsck -f -n"
		caches="ext4_inode_cache ext4_extent_status mbcache jbd2_journal_head jbd2_transaction_s"
		prefix="ext4_|jbd2_|mbcache " ;;
	xfs)	kos=xfs; fstype=xfs; mkfs="mkfs.xfs -q -f"; fsck="xfs_repair -n"
		caches="xfs_inode xfs_ili xfs_buf xfs_trans"; prefix=xfs_ ;;
	esac
	broken=
	t "$fs: brd rd_size=$REALMOD_RD_KB" insmod $S/brd.ko rd_nr=1 rd_size="$REALMOD_RD_KB" max_part=0 ||
		continue
	for v in $REALMOD_ORDER; do
		if [ "$v" = gomem ] && [ -n "$REALMOD_NO_GOMEM" ]; then
			notok "$fs gomem: not built: $REALMOD_NO_GOMEM"
		else
			run "$fs" "$v"
		fi
	done
	rmmod brd || notok "$fs: rmmod brd"
done
echo "guest: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
