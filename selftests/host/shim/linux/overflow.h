/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/overflow.h>)
#include_next <linux/overflow.h>
#endif
#include "../shim.h"
