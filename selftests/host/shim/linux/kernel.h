/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/kernel.h>)
#include_next <linux/kernel.h>
#endif
#include "../shim.h"
