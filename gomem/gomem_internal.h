/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every layer's header, for the test and benchmark code that reaches into
 * gomem's internals (selftests/, bench/). gomem's own files include only
 * the headers of the layers they call; the layers, bottom up:
 *
 *   sizeclasses, pallocbits, pagealloc, fixalloc, arena, mheap   page heap
 *   stats, report                                                leaves
 *   span           span preparation, allocation inside a span
 *   mcentral       a node's spans of a class, transfer cache, explicit free
 *   class          class instances and their registry
 *   mcache         per-CPU paths, inline fast paths, post-allocation hook
 *   tiny           tiny allocator
 *   vmalloc        objects above 4 MiB
 *   free           address -> owner: the full free path and lookups
 *   drain          drain, shrink, release; shrinker and hotplug callbacks
 *   cache, malloc  the public API (include/gomem.h)
 *   core           init and exit of all of the above
 *   procfs, main   the module
 *
 * Calls go only down this list (scripts/callgraph.py checks it); locks,
 * their order and the per-CPU rules are in locking.h.
 */
#ifndef _GOMEM_INTERNAL_H
#define _GOMEM_INTERNAL_H

#include "locking.h"
#include "sizeclasses.h"
#include "mheap.h"
#include "stats.h"
#include "report.h"
#include "span.h"
#include "class.h"
#include "mcentral.h"
#include "mcache.h"
#include "tiny.h"
#include "vmalloc.h"
#include "free.h"
#include "drain.h"
#include "cache.h"
#include "core.h"

#endif /* _GOMEM_INTERNAL_H */
