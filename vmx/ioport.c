// SPDX-License-Identifier: GPL-2.0
/* Port I/O: a small table of ranges, each owned by one device. */
#include <errno.h>
#include <string.h>

#include "vmx.h"

int ioport_register(struct vm *vm, u16 base, u16 len, io_fn fn, void *opaque,
		    const char *name)
{
	struct ioport *p;

	if (vm->nr_ioports == ARRAY_SIZE(vm->ioports)) {
		pr_err("%s: too many port ranges", name);
		return -ENOSPC;
	}
	p = &vm->ioports[vm->nr_ioports++];
	p->base = base;
	p->len = len;
	p->fn = fn;
	p->opaque = opaque;
	p->name = name;
	return 0;
}

/*
 * Called with vm->lock held. Ports nobody owns read as all ones and
 * ignore writes, as on a PC with nothing behind them.
 */
int ioport_dispatch(struct vm *vm, u16 port, u8 *data, int size, bool write)
{
	unsigned int i;

	for (i = 0; i < vm->nr_ioports; i++) {
		struct ioport *p = &vm->ioports[i];

		if (port >= p->base && port < p->base + p->len)
			return p->fn(vm, p->opaque, port, data, size, write);
	}
	if (!write)
		memset(data, 0xff, size);
	else if (port != 0x80)
		pr_debug("unhandled out %#x, size %d", port, size);
	return 0;
}
