# SPDX-License-Identifier: GPL-2.0
#
# Size classes: the generator (scripts/mksizeclasses.c) and its host test.
# Included from selftests/host/Makefile, which provides TOP, HOST_OUT,
# HOST_CFLAGS and KSELFTEST_DIR.
#
#   make sizeclasses-regen    rewrite gomem/sizeclasses.[ch]
#   make sizeclasses-check    build and run test_sizeclasses
#
# test_sizeclasses reads $GOMEM_MKSIZECLASSES (the generator to re-run) and
# optionally $GOMEM_TESTDATA (Go's table); both are exported below so that
# any recipe running the test sees them.

# This file may be included before the parent's first rule: keep our rules
# from becoming the default goal (restored at the end).
SIZECLASSES_SAVED_GOAL := $(.DEFAULT_GOAL)

HOSTCC ?= cc
MKSIZECLASSES_CFLAGS ?= -std=c11 -O2 -Wall -Wextra

SIZECLASSES_GEN := $(HOST_OUT)/mksizeclasses
SIZECLASSES_TEST := $(HOST_OUT)/test_sizeclasses
SIZECLASSES_OUT := $(TOP)/gomem/sizeclasses.h $(TOP)/gomem/sizeclasses.c

HOST_TOOLS += $(SIZECLASSES_GEN)

export GOMEM_MKSIZECLASSES ?= $(abspath $(SIZECLASSES_GEN))

# A plain host tool: no shim headers, no sanitizer runtime.
$(SIZECLASSES_GEN): $(TOP)/scripts/mksizeclasses.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(MKSIZECLASSES_CFLAGS) -o $@ $<

# Absolute source path: the test finds its data and gomem/ via __FILE__.
$(SIZECLASSES_TEST): $(TOP)/selftests/host/test_sizeclasses.c \
		     $(TOP)/gomem/sizeclasses.c $(TOP)/gomem/sizeclasses.h \
		     $(KSELFTEST_DIR)/kselftest_harness.h | $(SIZECLASSES_GEN)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -I$(KSELFTEST_DIR) -I$(TOP)/gomem \
		-I$(TOP)/selftests/host/shim -o $@ \
		$(abspath $(TOP)/selftests/host/test_sizeclasses.c) \
		$(abspath $(TOP)/gomem/sizeclasses.c)

.PHONY: sizeclasses-regen sizeclasses-check

sizeclasses-regen: $(SIZECLASSES_GEN)
	$(SIZECLASSES_GEN) $(SIZECLASSES_OUT)

sizeclasses-check: $(SIZECLASSES_TEST) $(SIZECLASSES_GEN)
	$(SIZECLASSES_TEST)

.DEFAULT_GOAL := $(SIZECLASSES_SAVED_GOAL)
