/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/math64.h>)
#include_next <linux/math64.h>
#endif
#include "../shim.h"
