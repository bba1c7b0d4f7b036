/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI bus of a VM: an i440FX host bridge at 00:00.0 and up to
 * PCI_MAX_DEVS devices on bus 0, reached through configuration mechanism
 * #1 (ports 0xcf8/0xcfc).
 *
 * A device fills a struct pci_dev (pci_dev_init, pci_set_bar,
 * pci_add_cap) and calls pci_register, which gives it a slot, a legacy
 * interrupt line (INTA# wired to one input of the PIC and of the I/O
 * APIC, the same number on both) and an address for each BAR, as
 * firmware would. The guest may move BARs; accesses are dispatched to the
 * BAR's callback with the offset inside the BAR, only while the command
 * register enables that kind of decoding. Every callback runs with
 * vm->lock held, on the vCPU thread that trapped.
 */
#ifndef VMX_PCI_H
#define VMX_PCI_H

#include "vmx.h"

#define PCI_MAX_DEVS		8
#define PCI_IO_START		0xc000		/* port BARs: 0xc000..0xffff */
#define PCI_IO_END		0x10000
#define PCI_MMIO_START		0xe0000000ULL	/* memory BARs, below the I/O APIC */
#define PCI_MMIO_END		0xfec00000ULL

#define PCI_CMD_IO		0x1
#define PCI_CMD_MEMORY		0x2
#define PCI_CMD_MASTER		0x4
#define PCI_CMD_INTX_DISABLE	0x400
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_STATUS_INTERRUPT	0x08

struct pci_dev;

/* A BAR access: off is inside the BAR, len 1, 2, 4 or 8. */
typedef void (*pci_bar_fn)(struct pci_dev *dev, int bar, u64 off, u8 *data,
			   int len, bool write);

struct pci_bar {
	u64 size;		/* a power of two; 0: no BAR */
	bool io;		/* port I/O, else 32-bit memory */
	pci_bar_fn fn;
};

struct pci_dev {
	struct vm *vm;
	const char *name;
	void *opaque;		/* the device model's own state */
	u8 cfg[256];		/* configuration space, type 0 header */
	u8 slot;		/* device number on bus 0 (from pci_register) */
	int irq;		/* INTA#'s PIC/IOAPIC input (from pci_register) */
	bool irq_level;
	struct pci_bar bar[6];
	u8 cap_end;		/* where the next capability goes */
	/* Optional: told after the guest wrote the configuration space. */
	void (*cfg_written)(struct pci_dev *dev, unsigned int off, int len);
};

void pci_dev_init(struct pci_dev *dev, const char *name, u16 vendor,
		  u16 device, u32 class, u16 subsys_vendor, u16 subsys);
int pci_set_bar(struct pci_dev *dev, int bar, u64 size, bool io, pci_bar_fn fn);
u8 *pci_add_cap(struct pci_dev *dev, u8 id, u8 len);
int pci_register(struct vm *vm, struct pci_dev *dev);

int pci_intx_route(struct vm *vm, int n, u8 *slot, u8 *irq);

/* Lock held. */
void pci_irq(struct pci_dev *dev, int level);
bool pci_bus_master(const struct pci_dev *dev);
int pci_mmio(struct vm *vm, u64 addr, u8 *data, int len, bool write);

#endif
