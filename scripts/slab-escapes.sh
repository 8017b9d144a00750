#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lists the kernel slab API symbols that modules built with gomem.mk still
# call: a call that escaped the drop-in layer (an inline in a kernel header
# that include/gomem_slab.h does not cover), which would hand gomem's memory
# to the kernel's allocator or the reverse. The one allowed pair is
# kmem_cache_alloc/kmem_cache_free on the core's names_cachep (__getname(),
# __putname()), when the module references names_cachep.
#
# Usage: scripts/slab-escapes.sh MODULE.ko...
# Prints "MODULE: symbol" per escape; exits 1 when there is any.
set -uo pipefail
api='^(__kmalloc|__kmalloc_node|__kmalloc_node_track_caller|kmalloc_trace|kmalloc_node_trace|'
api+='kmalloc_large|kmalloc_large_node|kmalloc_caches|kmalloc_size_roundup|kfree|'
api+='kfree_sensitive|ksize|__ksize|krealloc|kmem_cache_[a-z_]+|kvmalloc_node|kvfree|'
api+='kvfree_sensitive|kvrealloc|kmemdup|kmemdup_nul|kstrdup|kstrndup|kstrdup_const|'
api+='kfree_const|kfree_link|mempool_alloc_slab|mempool_free_slab|mempool_kmalloc|'
api+='mempool_kfree|kvfree_call_rcu)$'
rc=0
for ko in "$@"; do
	undef=$(nm -u "$ko" | awk '{print $2}') || { echo "$ko: cannot read" >&2; rc=1; continue; }
	allow='^$'
	grep -qx names_cachep <<<"$undef" && allow='^(kmem_cache_alloc|kmem_cache_free)$'
	for s in $(grep -E "$api" <<<"$undef" | grep -Ev "$allow"); do
		echo "$(basename "$ko"): $s"
		rc=1
	done
done
exit $rc
