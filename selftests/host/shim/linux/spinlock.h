/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/spinlock.h>)
#include_next <linux/spinlock.h>
#endif
#include "../shim.h"
