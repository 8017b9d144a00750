/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/cache.h>)
#include_next <linux/cache.h>
#endif
#include "../shim.h"
