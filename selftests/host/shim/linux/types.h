/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/types.h>)
#include_next <linux/types.h>
#endif
#include "../shim.h"
