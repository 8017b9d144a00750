/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/proc_fs.h>)
#include_next <linux/proc_fs.h>
#endif
#include "../shim.h"
