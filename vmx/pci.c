// SPDX-License-Identifier: GPL-2.0
/*
 * PCI bus 0: configuration mechanism #1 (0xcf8 address, 0xcfc-0xcff
 * data), an i440FX host bridge at 00:00.0 and the devices of pci.h, with
 * BARs placed as firmware would and dispatched wherever the guest moves
 * them. Absent functions read as all ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pci.h"

struct pci {
	u32 addr;
	struct pci_dev bridge;
	struct pci_dev *devs[PCI_MAX_DEVS];	/* by slot; [0] the bridge */
	u32 io_next;
	u64 mmio_next;
};

/* INTA# of slot 1, 2, ... goes to these inputs, in turn (PCI-style swizzle). */
static const int pci_irqs[] = { 10, 11, 5, 9 };

static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static void wr32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static u16 rd16(const u8 *p) { u16 v; memcpy(&v, p, 2); return v; }
static void wr16(u8 *p, u16 v) { memcpy(p, &v, 2); }

void pci_dev_init(struct pci_dev *dev, const char *name, u16 vendor,
		  u16 device, u32 class, u16 subsys_vendor, u16 subsys)
{
	memset(dev, 0, sizeof(*dev));
	dev->name = name;
	dev->irq = -1;
	wr16(dev->cfg + 0x00, vendor);
	wr16(dev->cfg + 0x02, device);
	wr32(dev->cfg + 0x08, class << 8);	/* revision 0 */
	wr16(dev->cfg + 0x2c, subsys_vendor);
	wr16(dev->cfg + 0x2e, subsys);
	dev->cap_end = 0x40;
}

int pci_set_bar(struct pci_dev *dev, int bar, u64 size, bool io, pci_bar_fn fn)
{
	if (bar < 0 || bar >= 6 || !size || (size & (size - 1)) ||
	    size > (io ? 0x1000 : 256 * MB) || (!io && size < 16) || (io && size < 4))
		return -EINVAL;
	dev->bar[bar] = (struct pci_bar){ .size = size, .io = io, .fn = fn };
	return 0;
}

/* A capability of LEN bytes (header included), chained after the others. */
u8 *pci_add_cap(struct pci_dev *dev, u8 id, u8 len)
{
	u8 off = dev->cap_end, *p;

	if (len < 2 || off + len > 256)
		return NULL;
	p = dev->cfg + off;
	p[0] = id;
	p[1] = dev->cfg[0x34];		/* the new one goes first in the list */
	dev->cfg[0x34] = off;
	wr16(dev->cfg + 0x06, rd16(dev->cfg + 0x06) | PCI_STATUS_CAP_LIST);
	dev->cap_end = (off + len + 3) & ~3;
	return p;
}

static u64 bar_addr(const struct pci_dev *dev, int i)
{
	u32 v = rd32(dev->cfg + 0x10 + 4 * i);

	return dev->bar[i].io ? (v & ~3u) : (v & ~15u);
}

static int place_bars(struct pci *pci, struct pci_dev *dev)
{
	int i;

	for (i = 0; i < 6; i++) {
		struct pci_bar *b = &dev->bar[i];
		u64 at;

		if (!b->size)
			continue;
		if (b->io) {
			at = (pci->io_next + b->size - 1) & ~(b->size - 1);
			if (at + b->size > PCI_IO_END)
				return -ENOSPC;
			pci->io_next = at + b->size;
			wr32(dev->cfg + 0x10 + 4 * i, at | 1);
		} else {
			at = (pci->mmio_next + b->size - 1) & ~(b->size - 1);
			if (at + b->size > PCI_MMIO_END)
				return -ENOSPC;
			pci->mmio_next = at + b->size;
			wr32(dev->cfg + 0x10 + 4 * i, at);
		}
	}
	return 0;
}

int pci_register(struct vm *vm, struct pci_dev *dev)
{
	struct pci *pci = vm->pci;
	int slot, ret;

	for (slot = 1; slot < PCI_MAX_DEVS && pci->devs[slot]; slot++)
		;
	if (slot == PCI_MAX_DEVS) {
		pr_err("%s: no free PCI slot (at most %d devices)", dev->name,
		       PCI_MAX_DEVS - 1);
		return -ENOSPC;
	}
	ret = place_bars(pci, dev);
	if (ret) {
		pr_err("%s: no room left for its BARs", dev->name);
		return ret;
	}
	dev->vm = vm;
	dev->slot = slot;
	dev->irq = pci_irqs[(slot - 1) % ARRAY_SIZE(pci_irqs)];
	dev->cfg[0x3c] = dev->irq;
	dev->cfg[0x3d] = 1;		/* INTA# */
	pci->devs[slot] = dev;
	pr_debug("pci 00:%02x.0 %s: irq %d", slot, dev->name, dev->irq);
	return 0;
}

void pci_irq(struct pci_dev *dev, int level)
{
	u16 st = rd16(dev->cfg + 0x06);
	bool masked = rd16(dev->cfg + 0x04) & PCI_CMD_INTX_DISABLE;

	wr16(dev->cfg + 0x06, level ? st | PCI_STATUS_INTERRUPT : st & ~PCI_STATUS_INTERRUPT);
	level = level && !masked;
	if (level == dev->irq_level)
		return;
	dev->irq_level = level;
	irq_line(dev->vm, dev->irq, level);
}

/* The Nth device's slot and INTA# line: 1, or 0 past the last one. */
int pci_intx_route(struct vm *vm, int n, u8 *slot, u8 *irq)
{
	struct pci *pci = vm->pci;
	int s;

	for (s = 1; pci && s < PCI_MAX_DEVS; s++) {
		if (!pci->devs[s] || n--)
			continue;
		*slot = s;
		*irq = pci->devs[s]->irq;
		return 1;
	}
	return 0;
}

bool pci_bus_master(const struct pci_dev *dev)
{
	return rd16(dev->cfg + 0x04) & PCI_CMD_MASTER;
}

/* The device and BAR decoding [addr, addr+len) in space io, or NULL. */
static struct pci_dev *pci_find(struct pci *pci, u64 addr, int len, bool io, int *bar)
{
	int s, i;

	for (s = 1; s < PCI_MAX_DEVS; s++) {
		struct pci_dev *d = pci->devs[s];

		if (!d || !(rd16(d->cfg + 0x04) & (io ? PCI_CMD_IO : PCI_CMD_MEMORY)))
			continue;
		for (i = 0; i < 6; i++) {
			u64 a = bar_addr(d, i);

			if (d->bar[i].size && d->bar[i].io == io && addr >= a &&
			    addr + len <= a + d->bar[i].size) {
				*bar = i;
				return d;
			}
		}
	}
	return NULL;
}

int pci_mmio(struct vm *vm, u64 addr, u8 *data, int len, bool write)
{
	struct pci_dev *d;
	int bar;

	if (!vm->pci)
		return -ENOENT;
	d = pci_find(vm->pci, addr, len, false, &bar);
	if (!d)
		return -ENOENT;
	d->bar[bar].fn(d, bar, addr - bar_addr(d, bar), data, len, write);
	return 0;
}

static int pci_io(struct vm *vm, void *opaque, u16 port, u8 *data, int size,
		  bool write)
{
	struct pci_dev *d;
	int bar;

	d = pci_find(opaque, port, size, true, &bar);
	if (d)
		d->bar[bar].fn(d, bar, port - bar_addr(d, bar), data, size, write);
	else if (!write)
		memset(data, 0xff, size);
	(void)vm;
	return 0;
}

/* A BAR register written: keep the size's bits zero, so sizing works. */
static void bar_write(struct pci_dev *d, int i)
{
	u8 *reg = d->cfg + 0x10 + 4 * i;
	u32 v = rd32(reg);

	if (!d->bar[i].size)
		wr32(reg, 0);
	else if (d->bar[i].io)
		wr32(reg, (v & ~(u32)(d->bar[i].size - 1)) | 1);
	else
		wr32(reg, v & ~(u32)(d->bar[i].size - 1));
}

static void cfg_write(struct pci_dev *d, unsigned int off, const u8 *data, int size)
{
	u8 old[256];
	unsigned int i;

	memcpy(old, d->cfg, sizeof(old));
	for (i = off; i < off + size; i++) {
		/* Writable: command, cache line/latency, BARs, interrupt line,
		 * and everything past the header (capabilities). */
		if (i == 0x04 || i == 0x05 || i == 0x0c || i == 0x0d ||
		    (i >= 0x10 && i < 0x28) || i == 0x3c || i >= 0x40)
			d->cfg[i] = data[i - off];
		else if (i == 0x06 || i == 0x07)	/* status: write one to clear */
			d->cfg[i] &= ~data[i - off] | (i == 0x06 ? 0x18 : 0);
	}
	for (i = 0; i < 6; i++)
		if (off < 0x14 + 4 * i && off + size > 0x10 + 4 * i)
			bar_write(d, i);
	if ((rd16(old + 0x04) ^ rd16(d->cfg + 0x04)) & PCI_CMD_INTX_DISABLE)
		pci_irq(d, rd16(d->cfg + 0x06) & PCI_STATUS_INTERRUPT);
	if (d->cfg_written)
		d->cfg_written(d, off, size);
}

static struct pci_dev *config_dev(struct pci *pci)
{
	u32 a = pci->addr;

	if (!(a & 0x80000000) || (a >> 16 & 0xff) != 0 || (a >> 8 & 7) != 0)
		return NULL;		/* bus 0, function 0 only */
	return (a >> 11 & 0x1f) < PCI_MAX_DEVS ? pci->devs[a >> 11 & 0x1f] : NULL;
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
	struct pci_dev *d = config_dev(pci);
	unsigned int off = (pci->addr & 0xfc) + (port & 3);

	(void)vm;
	if (!d || (port & 3) + size > 4) {
		if (!write)
			memset(data, 0xff, size);
		return 0;
	}
	if (write)
		cfg_write(d, off, data, size);
	else
		memcpy(data, d->cfg + off, size);
	return 0;
}

int pci_init(struct vm *vm)
{
	struct pci *pci = calloc(1, sizeof(*pci));
	int ret;

	if (!pci)
		return -ENOMEM;
	pci_dev_init(&pci->bridge, "host bridge", 0x8086, 0x1237, 0x060000, 0, 0);
	pci->bridge.cfg[0x04] = PCI_CMD_MEMORY | PCI_CMD_MASTER;
	pci->bridge.cfg[0x08] = 0x02;		/* revision */
	pci->bridge.vm = vm;
	pci->devs[0] = &pci->bridge;
	pci->io_next = PCI_IO_START;
	pci->mmio_next = PCI_MMIO_START;
	vm->pci = pci;
	ret = ioport_register(vm, 0xcf8, 4, pci_addr_io, pci, "pci-addr");
	if (!ret)
		ret = ioport_register(vm, 0xcfc, 4, pci_data_io, pci, "pci-data");
	if (!ret)
		ret = ioport_register(vm, PCI_IO_START, PCI_IO_END - PCI_IO_START,
				      pci_io, pci, "pci-io");
	return ret;
}

void pci_exit(struct vm *vm)
{
	free(vm->pci);
	vm->pci = NULL;
}
