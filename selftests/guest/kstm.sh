#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs one kselftest_module.h-style test module: its init runs the tests and
# fails with -EINVAL when any failed. Usage: kstm.sh NAME [module params]
# Loads gomem first when it is not loaded.
name=$1
shift
grep -q '^gomem ' /proc/modules || insmod /mods/gomem.ko || exit 1
/guest/insmod1 /mods/$name.ko "$@"
rc=$?
dmesg | grep -E "$name: " | tail -n 5
grep -q "^$name " /proc/modules && rmmod $name
exit $rc
