# SPDX-License-Identifier: GPL-2.0
#
# gomemtop (tools/gomemtop), slabtop for gomem, and its host test.
# Included from selftests/host/Makefile, which provides TOP, HOST_OUT,
# ASAN_FLAGS and KSELFTEST_DIR.
#
#   make gomemtop-check     build and run only test_gomemtop
#   make gomemtop-expected  rewrite data/gomemtop/expected*.txt from the
#                           snapshot, after a deliberate change to the
#                           output (review the diff: rows_agree recomputes
#                           the figures independently)
#
# The tool is built here with ASan and UBSan, so that the test's garbled
# snapshots find memory errors; the test runs it as a program, over the
# snapshot and expected outputs in data/gomemtop/ (Documentation/gomemtop.rst).

# This file may be included before the parent's first rule: keep our rules
# from becoming the default goal (restored at the end).
GOMEMTOP_SAVED_GOAL := $(.DEFAULT_GOAL)

GOMEMTOP_SRC	:= $(TOP)/tools/gomemtop/gomemtop.c
GOMEMTOP_BIN	:= $(HOST_OUT)/tools/gomemtop
GOMEMTOP_TEST	:= $(HOST_OUT)/asan/test_gomemtop
GOMEMTOP_DATA	:= $(TOP)/selftests/host/data/gomemtop
GOMEMTOP_HCFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
		    -Wno-unused-parameter -I$(TOP)/selftests/common

HOST_TOOLS += $(GOMEMTOP_BIN)

$(GOMEMTOP_BIN): $(GOMEMTOP_SRC) $(TOP)/selftests/common/proc_parse.h
	@mkdir -p $(dir $@)
	$(CC) $(GOMEMTOP_HCFLAGS) $(ASAN_FLAGS) -o $@ $<

# An explicit rule: test_gomemtop needs none of the core sources that the
# pattern rule links into the other tests.
$(GOMEMTOP_TEST): $(TOP)/selftests/host/test_gomemtop.c $(GOMEMTOP_BIN) \
		  $(TOP)/selftests/common/proc_parse.h $(KSELFTEST_DIR)/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(GOMEMTOP_HCFLAGS) -Wno-sign-compare $(ASAN_FLAGS) -I$(KSELFTEST_DIR) \
		-DGOMEMTOP_BIN='"$(GOMEMTOP_BIN)"' -DGOMEMTOP_DATA='"$(GOMEMTOP_DATA)"' \
		-o $@ $<

.PHONY: gomemtop-check gomemtop-expected

gomemtop-check: $(GOMEMTOP_TEST)
	@$(TOP)/selftests/host/run-tests.sh $(GOMEMTOP_TEST)

# the options of each file: test_gomemtop.c's expected_output
gomemtop-expected: $(GOMEMTOP_BIN)
	$(GOMEMTOP_BIN) -o -f $(GOMEMTOP_DATA)/snapshot.txt > $(GOMEMTOP_DATA)/expected.txt
	$(GOMEMTOP_BIN) -o -s n -f $(GOMEMTOP_DATA)/snapshot.txt > $(GOMEMTOP_DATA)/expected-s-n.txt
	$(GOMEMTOP_BIN) -o -s a -f $(GOMEMTOP_DATA)/snapshot.txt > $(GOMEMTOP_DATA)/expected-s-a.txt
	$(GOMEMTOP_BIN) -o -s u -f $(GOMEMTOP_DATA)/snapshot.txt > $(GOMEMTOP_DATA)/expected-s-u.txt
	$(GOMEMTOP_BIN) -o -a -f $(GOMEMTOP_DATA)/snapshot.txt > $(GOMEMTOP_DATA)/expected-a.txt

.DEFAULT_GOAL := $(GOMEMTOP_SAVED_GOAL)
