/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/mmzone.h>)
#include_next <linux/mmzone.h>
#endif
#include "../shim.h"
