// SPDX-License-Identifier: GPL-2.0
/*
 * The page heap's tracepoints (trace_heap.h), defined here: a leaf of the
 * call graph, for mheap.c and span.c.
 */
#include <linux/kernel.h>

#define CREATE_TRACE_POINTS
#include "trace_heap.h"
