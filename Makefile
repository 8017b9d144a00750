# SPDX-License-Identifier: GPL-2.0
#
# gomem: the Go runtime's memory allocator as a Linux kernel module.
#
#   make run        set up, build, boot the test kernel in QEMU, load gomem and
#                   the demo client, print /proc/gomem
#   make test       set up, then every test: host (ASan/UBSan, TSan) and QEMU
#                   kselftests; ends with "N passed, N failed"
#   make            build the modules against $(KDIR) (installs nothing)
#   make check      checkpatch, sparse (C=1) and W=1 over the module sources
#   make bench      benchmarks and the report (see Documentation/benchmarks.rst)
#
# KDIR defaults to the running kernel's build tree when it exists, else the
# pinned Debian test kernel's headers. `make run` and `make test` always build
# against the pinned kernel, because that is the kernel they boot.

TOP		:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD		:= $(TOP)/build
RELEASE		= $(shell cat $(BUILD)/kernel-release 2>/dev/null)
PINNED_KDIR	= /usr/src/linux-headers-$(RELEASE)
RUNNING_KDIR	:= /lib/modules/$(shell uname -r)/build
KDIR		?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(PINNED_KDIR))
KSELFTEST_DIR	:= $(BUILD)/kselftest
KBUILD_ARGS	= -C $(KDIR) M=$(TOP) KSELFTEST_DIR=$(KSELFTEST_DIR) W=1

all: modules

setup:
	@bash $(TOP)/scripts/setup.sh

# a plain build installs nothing: it needs a kernel tree and linux-source-6.1
modules:
	@test -f $(KDIR)/Makefile || { echo "gomem: no kernel tree at '$(KDIR)':" \
		"pass KDIR=, or run 'make setup' to install the pinned headers" >&2; exit 1; }
	@bash $(TOP)/scripts/kselftest-headers.sh
	$(MAKE) $(KBUILD_ARGS) modules

# Modules for the QEMU runs: always the pinned kernel.
# serialised: several QEMU runs (tests, benchmarks) may build at once
qemu-modules: setup
	flock $(BUILD)/.kbuild.lock $(MAKE) KDIR=$(PINNED_KDIR) modules

host-test: setup
	$(MAKE) -C $(TOP)/selftests/host TOP=$(TOP) run

qemu-test: qemu-modules
	bash $(TOP)/scripts/qemu.sh test

test:
	@bash $(TOP)/scripts/test.sh

run: qemu-modules
	bash $(TOP)/scripts/qemu.sh run

check: setup
	bash $(TOP)/scripts/check.sh $(KDIR)

bench:
	bash $(TOP)/scripts/bench.sh

clean:
	-$(MAKE) $(KBUILD_ARGS) clean 2>/dev/null
	rm -rf $(BUILD)/host $(BUILD)/initramfs* $(BUILD)/qemu

distclean: clean
	rm -rf $(BUILD)

.PHONY: all setup modules qemu-modules host-test qemu-test test run check bench clean distclean
