/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMMON_MMU_H
#define VMMON_MMU_H
/* Nested paging lives in mmu.c; its entry points are in vmmon.h. */
#include "vmmon.h"
#endif
