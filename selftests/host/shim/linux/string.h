/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/string.h>)
#include_next <linux/string.h>
#endif
#include "../shim.h"
