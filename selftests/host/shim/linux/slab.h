/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/slab.h>)
#include_next <linux/slab.h>
#endif
#include "../shim.h"
