# SPDX-License-Identifier: GPL-2.0
#
# gomem's core as the userspace builds compile it (the host tests, the
# fuzzer, the userspace benchmark), over selftests/host/shim/: every
# gomem/*.c but the kernel-only ones (module glue, procfs, debugfs,
# tracepoint definitions). Include with TOP set.
GOMEM_KERNEL_ONLY := main.c procfs.c debugfs.c trace.c trace_heap.c dropin.c
CORE_SRCS	:= $(filter-out $(addprefix $(TOP)/gomem/,$(GOMEM_KERNEL_ONLY)) %.mod.c, \
			$(wildcard $(TOP)/gomem/*.c))
