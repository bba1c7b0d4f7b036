// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration mechanism #1 (0xcf8 address, 0xcfc-0xcff data) with
 * one device: an i440FX host bridge at 00:00.0. Every other function
 * reads as absent (all ones). Devices come with later issues.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmx.h"

struct pci {
	u32 addr;
	u8 bridge[256];
};

static u32 *config_word(struct pci *pci)
{
	u32 a = pci->addr;

	if (!(a & 0x80000000) || (a >> 8 & 0xffff) != 0)	/* bus 0, dev 0, fn 0 */
		return NULL;
	return (u32 *)(pci->bridge + (a & 0xfc));
}

static int pci_addr_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		       bool write)
{
	struct pci *pci = opaque;

	(void)vm;
	if (port != 0xcf8 || size != 4) {	/* 0xcfb: the type-1 probe's byte */
		if (!write)
			memset(data, 0xff, size);
		return 0;
	}
	if (write)
		memcpy(&pci->addr, data, 4);
	else
		memcpy(data, &pci->addr, 4);
	return 0;
}

static int pci_data_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		       bool write)
{
	struct pci *pci = opaque;
	u32 *w = config_word(pci);
	unsigned int off = port & 3;

	(void)vm;
	if (write)
		return 0;		/* the host bridge has nothing to set yet */
	if (!w || off + size > 4)
		memset(data, 0xff, size);
	else
		memcpy(data, (u8 *)w + off, size);
	return 0;
}

int pci_init(struct vm *vm)
{
	struct pci *pci = calloc(1, sizeof(*pci));
	u8 *c;
	int ret;

	if (!pci)
		return -ENOMEM;
	c = pci->bridge;
	c[0x00] = 0x86; c[0x01] = 0x80;		/* Intel */
	c[0x02] = 0x37; c[0x03] = 0x12;		/* 440FX */
	c[0x04] = 0x06;				/* memory, bus master */
	c[0x08] = 0x02;				/* revision */
	c[0x0a] = 0x00; c[0x0b] = 0x06;		/* class: host bridge */
	vm->pci = pci;
	ret = ioport_register(vm, 0xcf8, 4, pci_addr_io, pci, "pci-addr");
	if (!ret)
		ret = ioport_register(vm, 0xcfc, 4, pci_data_io, pci, "pci-data");
	return ret;
}

void pci_exit(struct vm *vm)
{
	free(vm->pci);
	vm->pci = NULL;
}
