/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/nodemask.h>)
#include_next <linux/nodemask.h>
#endif
#include "../shim.h"
