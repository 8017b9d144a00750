/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/list.h>)
#include_next <linux/list.h>
#endif
#include "../shim.h"
