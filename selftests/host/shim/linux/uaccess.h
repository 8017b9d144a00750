/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/uaccess.h>)
#include_next <linux/uaccess.h>
#endif
#include "../shim.h"
