/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/shrinker.h>)
#include_next <linux/shrinker.h>
#endif
#include "../shim.h"
