/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/errno.h>)
#include_next <linux/errno.h>
#endif
#include "../shim.h"
