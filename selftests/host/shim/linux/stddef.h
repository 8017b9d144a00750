/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/stddef.h>)
#include_next <linux/stddef.h>
#endif
#include "../shim.h"
