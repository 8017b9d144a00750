/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/minmax.h>)
#include_next <linux/minmax.h>
#endif
#include "../shim.h"
