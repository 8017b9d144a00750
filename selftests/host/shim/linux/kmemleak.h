/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/kmemleak.h>)
#include_next <linux/kmemleak.h>
#endif
#include "../shim.h"
