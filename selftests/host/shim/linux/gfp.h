/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/gfp.h>)
#include_next <linux/gfp.h>
#endif
#include "../shim.h"
