/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/printk.h>)
#include_next <linux/printk.h>
#endif
#include "../shim.h"
