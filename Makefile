# SPDX-License-Identifier: GPL-2.0
#
# gomem: the Go runtime's memory allocator as a Linux kernel module.
#
#   make run        set up, build, boot the test kernel in QEMU, load gomem and
#                   the demo client, print /proc/gomem
#   make test       set up, then every test: host (ASan/UBSan, TSan) and QEMU
#                   kselftests on every test kernel; ends with
#                   "N passed, N failed"
#   make            build the modules against $(KDIR) (no set-up: never apt-get,
#                   never a kernel build), and the tools
#   make tools      tools/: gomemtop, slabtop for gomem, in build/tools/
#   make check      checkpatch, sparse (C=1) and W=1 over the module sources
#   make bench      benchmarks and the report (see Documentation/benchmarks.rst)
#   make latency    scheduling latency under gomem's stress on PREEMPT_RT
#   make install    gomem.ko into /lib/modules/KVER/extra (depmod), the
#                   client header and Module.symvers into
#                   /usr/src/gomem-VERSION/ (DESTDIR= stages it elsewhere;
#                   Documentation/install.rst)
#   make install-test  make install (staged) and dkms add/build/install/remove
#                   against the pinned kernel's headers, in a private DKMS
#                   tree; the module DKMS built boots in QEMU and passes
#                   guest tests
#   make realmod    real filesystems (minix, vfat, ext4, xfs) of
#                   linux-source-6.1 rebuilt on gomem with one Kbuild line,
#                   run beside Debian's stock modules in one QEMU boot
#                   (scripts/realmod.sh, Documentation/testing.rst)
#   make fuzz       the libFuzzer target over the userspace core for
#                   FUZZ_TIME seconds (60); FUZZ_DOUBLE_FREE=0 leaves the
#                   double and wrong-cache frees out (Documentation/testing.rst)
#
# KDIR defaults to the running kernel's build tree when it exists, else the
# pinned Debian test kernel's headers. `make run` and `make test` always build
# against the pinned kernel, because that is the kernel they boot.
#
# KERNEL picks the test kernels (scripts/kernel.sh): default (Debian's),
# debug (KASAN + lockdep, built once per machine), kcsan (KCSAN + lockdep),
# rt (Debian's PREEMPT_RT). `make test` runs $(TEST_KERNELS) unless KERNEL
# names some; `make run` boots $(KERNEL) or default. The modules for each
# are built in build/mods-<kernel>/, the QEMU logs go to build/qemu-<kernel>/.

TOP		:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD		:= $(TOP)/build
RELEASE		= $(shell cat $(BUILD)/kernel-release 2>/dev/null)
PINNED_KDIR	= /usr/src/linux-headers-$(RELEASE)
RUNNING_KDIR	:= /lib/modules/$(shell uname -r)/build
KDIR		?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(PINNED_KDIR))
KSELFTEST_DIR	:= $(BUILD)/kselftest
KBUILD_ARGS	= -C $(KDIR) M=$(TOP) KSELFTEST_DIR=$(KSELFTEST_DIR) W=1
VERSION		:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
# the release the built module is for (Debian's header trees give `make
# kernelrelease` its upstream version, not the package's); a shell
# command, run after the build: make expands a whole recipe before its
# first line runs, when a fresh tree has no gomem.ko yet
KVER_SH		= $$(modinfo -F vermagic $(TOP)/gomem/gomem.ko | cut -d' ' -f1)
DESTDIR		?=

# the kernels `make test` boots when KERNEL is not given: all four. debug
# and kcsan are built once per machine (scripts/kernel.sh) and run a tenth
# of each guest workload on two CPUs (scripts/qemu.sh)
TEST_KERNELS	?= default debug kcsan rt
KERNEL		?=
TEST_KERNEL_LIST = $(or $(strip $(KERNEL)),$(TEST_KERNELS))
RUN_KERNEL	= $(or $(firstword $(KERNEL)),default)
export TEST_KERNELS

all: modules tools

# the packages, the pinned kernels and the kselftest headers for the
# QEMU runs; only make test/run/bench/check and the QEMU targets call it
setup:
	@bash $(TOP)/scripts/setup.sh $(if $(strip $(KERNEL)),$(KERNEL),default)

# a plain `make`: the kselftest headers if the source tarball is there,
# nothing else (no apt-get, no kernel build)
local-setup:
	@bash $(TOP)/scripts/setup.sh --no-apt

modules: local-setup
	@test -f $(KDIR)/Makefile || { echo "gomem: no kernel tree at '$(KDIR)':" \
		"pass KDIR=, or run 'make setup' to install the pinned headers" >&2; exit 1; }
	$(MAKE) $(KBUILD_ARGS) modules

# the module alone (not the tests, examples or benchmark), installed as an
# out-of-tree module of KDIR's kernel; what a client module builds against
# (the header, gomem's Module.symvers) goes to /usr/src/gomem-VERSION/, the
# directory DKMS uses for the same sources. Unsigned: the distribution's
# key is not in its header package (sign it with the kernel's
# scripts/sign-file and your own key for a kernel that enforces signatures)
install:
	@test -f $(KDIR)/Makefile || { echo "gomem: no kernel tree at '$(KDIR)'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP)/gomem modules
	$(MAKE) -C $(KDIR) M=$(TOP)/gomem INSTALL_MOD_DIR=extra CONFIG_MODULE_SIG_ALL= \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	install -D -m 644 $(TOP)/include/gomem.h $(DESTDIR)/usr/src/gomem-$(VERSION)/include/gomem.h
	install -D -m 644 $(TOP)/include/gomem_slab.h \
		$(DESTDIR)/usr/src/gomem-$(VERSION)/include/gomem_slab.h
	install -D -m 644 $(TOP)/gomem.mk $(DESTDIR)/usr/src/gomem-$(VERSION)/gomem.mk
	install -D -m 644 $(TOP)/gomem/Module.symvers \
		$(DESTDIR)/usr/src/gomem-$(VERSION)/$(KVER_SH)/Module.symvers
	$(if $(DESTDIR),,depmod -a $(KVER_SH))

install-test: setup
	@bash $(TOP)/scripts/install-test.sh

realmod:
	@bash $(TOP)/scripts/realmod.sh

# userspace tools over /proc/gomem (Documentation/gomemtop.rst)
tools:
	@$(MAKE) -s -C $(TOP)/tools/gomemtop TOP=$(TOP)

# Modules for the QEMU runs, one copy of the sources per kernel so that
# builds against different trees never share objects: build/mods-<kernel>/.
# Serialised: several QEMU runs (tests, benchmarks) may build at once.
qemu-modules: setup
	@for k in $(if $(strip $(KERNEL)),$(KERNEL),default); do \
		flock $(BUILD)/.kbuild.lock bash $(TOP)/scripts/kernel.sh --modules $$k || exit 1; \
	done

host-test: setup
	$(MAKE) -C $(TOP)/selftests/host TOP=$(TOP) run

qemu-test: qemu-modules
	@for k in $(if $(strip $(KERNEL)),$(KERNEL),default); do \
		bash $(TOP)/scripts/qemu.sh test $$k || exit 1; \
	done

test:
	@KERNEL="$(TEST_KERNEL_LIST)" bash $(TOP)/scripts/test.sh

run:
	@$(MAKE) -s qemu-modules KERNEL=$(RUN_KERNEL)
	bash $(TOP)/scripts/qemu.sh run $(RUN_KERNEL)

check: setup
	bash $(TOP)/scripts/check.sh $(KDIR)

bench:
	bash $(TOP)/scripts/bench.sh

# scheduling latency under gomem's stress on PREEMPT_RT, in guest
# instructions (selftests/guest/tests/70-latency, Documentation/design.rst)
latency:
	@$(MAKE) -s qemu-modules KERNEL=rt
	QEMU_SMP=1 QEMU_EXTRA="-icount shift=0,sleep=off" GOMEM_TESTS=70-latency \
		GOMEM_QEMU_DIR=$(BUILD)/qemu-latency bash $(TOP)/scripts/qemu.sh test rt
FUZZ_TIME	?= 60
FUZZ_DOUBLE_FREE ?= 1
fuzz:
	@bash $(TOP)/scripts/setup.sh --fuzz
	$(MAKE) -C $(TOP)/selftests/fuzz TOP=$(TOP) FUZZ_TIME=$(FUZZ_TIME) \
		FUZZ_DOUBLE_FREE=$(FUZZ_DOUBLE_FREE) \
		FUZZ_OUT=$(BUILD)/fuzz$(if $(filter 0,$(FUZZ_DOUBLE_FREE)),-nodf) run

clean:
	-$(MAKE) $(KBUILD_ARGS) clean 2>/dev/null
	rm -rf $(BUILD)/host $(BUILD)/initramfs* $(BUILD)/qemu $(BUILD)/qemu-* $(BUILD)/mods-*
	rm -rf $(BUILD)/tools $(BUILD)/check-tools

distclean: clean
	rm -rf $(BUILD)

.PHONY: all setup local-setup modules install install-test realmod tools qemu-modules host-test qemu-test test run check bench latency fuzz clean distclean
