/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/err.h>)
#include_next <linux/err.h>
#endif
#include "../shim.h"
