/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/vmalloc.h>)
#include_next <linux/vmalloc.h>
#endif
#include "../shim.h"
