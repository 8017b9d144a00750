/* SPDX-License-Identifier: GPL-2.0 */
#if __has_include_next(<asm/page.h>)
#include_next <asm/page.h>
#endif
#include "../shim.h"
