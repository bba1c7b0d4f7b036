/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vmx's native unit tests share: CHECK() and its tally, and (with
 * UNIT_VM_STUBS defined) the few functions of the rest of vmx that a
 * device model calls: guest RAM is vm->ram (ram_size bytes from guest
 * physical 0), interrupt lines land in unit_irq_level, port I/O
 * registration succeeds. Each test is a program of its own that includes
 * this once; its last line is unit_done()'s "N passed, N failed".
 */
#ifndef VMX_TESTS_UNIT_H
#define VMX_TESTS_UNIT_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, name) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		printf("FAIL %s:%d: %s: %s\n", __FILE__, __LINE__, name, #cond); \
	}								\
} while (0)

static inline int unit_done(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

#ifdef UNIT_VM_STUBS
#include "vmx.h"

int vmx_debug;
static int unit_irq_level;

void *guest_ptr(struct vm *vm, u64 gpa, u64 len)
{
	if (gpa + len < gpa || gpa + len > vm->ram_size)
		return NULL;
	return (u8 *)vm->ram + gpa;
}

void irq_line(struct vm *vm, int irq, int level)
{
	(void)vm; (void)irq;
	unit_irq_level = level;
}

int ioport_register(struct vm *vm, u16 base, u16 len, io_fn fn, void *opaque,
		    const char *name)
{
	(void)vm; (void)base; (void)len; (void)fn; (void)opaque; (void)name;
	return 0;
}
#endif

#endif
