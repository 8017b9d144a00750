/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/irqflags.h>)
#include_next <linux/irqflags.h>
#endif
#include "../shim.h"
