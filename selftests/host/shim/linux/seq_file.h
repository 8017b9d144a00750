/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<linux/seq_file.h>)
#include_next <linux/seq_file.h>
#endif
#include "../shim.h"
