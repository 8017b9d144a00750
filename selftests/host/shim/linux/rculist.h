/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/rculist.h>)
#include_next <linux/rculist.h>
#endif
#include "../shim.h"
