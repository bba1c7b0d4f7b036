// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC (82093AA model, 24 inputs, MMIO at 0xfec00000): each
 * device interrupt line goes to the PIC and to the input of the same
 * number here (ISA IRQ 0, the PIT, to input 2, as on PCs and in the MP
 * table). A redirection entry sends an input to local APICs as a fixed or
 * lowest-priority interrupt; level-triggered inputs hold Remote IRR until
 * the local APIC's EOI for that vector, and fire again if still asserted.
 * All under vm->lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmx.h"

#define IOAPIC_PINS	24
#define IOREGSEL	0x00
#define IOWIN		0x10

#define RTE_MASKED	(1ULL << 16)
#define RTE_LEVEL	(1ULL << 15)
#define RTE_REMOTE_IRR	(1ULL << 14)
#define RTE_PENDING	(1ULL << 12)	/* delivery status */
#define RTE_LOGICAL	(1ULL << 11)
#define RTE_RO_BITS	(RTE_REMOTE_IRR | RTE_PENDING)

struct ioapic {
	u32 sel;
	u32 id;
	u64 rte[IOAPIC_PINS];
	u32 asserted;		/* input levels */
};

int ioapic_pin(int irq)
{
	return irq == 0 ? 2 : irq;
}

static void fire(struct vm *vm, struct ioapic *io, int pin)
{
	u64 rte = io->rte[pin];
	bool level = rte & RTE_LEVEL;

	if (rte & RTE_MASKED || (level && (rte & RTE_REMOTE_IRR)))
		return;
	if (lapic_deliver_msg(vm, rte >> 56, rte & RTE_LOGICAL, (rte >> 8) & 7,
			      rte & 0xff, level) && level)
		io->rte[pin] |= RTE_REMOTE_IRR;
}

void ioapic_set_irq(struct vm *vm, int irq, int level)
{
	struct ioapic *io = vm->ioapic;
	int pin = ioapic_pin(irq);
	u32 bit = 1U << pin;
	bool rising;

	if (!io || pin >= IOAPIC_PINS)
		return;
	rising = level && !(io->asserted & bit);
	if (level)
		io->asserted |= bit;
	else
		io->asserted &= ~bit;
	if (level && (rising || (io->rte[pin] & RTE_LEVEL)))
		fire(vm, io, pin);
}

/* A local APIC ended a level-triggered interrupt with this vector. */
void ioapic_eoi(struct vm *vm, int vector)
{
	struct ioapic *io = vm->ioapic;
	int pin;

	if (!io)
		return;
	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		if ((io->rte[pin] & 0xff) != (u64)vector || !(io->rte[pin] & RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		if (io->asserted & (1U << pin))
			fire(vm, io, pin);
	}
}

static u32 reg_read(struct ioapic *io)
{
	u32 idx = (io->sel - 0x10) / 2;

	switch (io->sel) {
	case 0x00:
		return io->id << 24;
	case 0x01:
		return (IOAPIC_PINS - 1) << 16 | 0x11;	/* version 0x11 */
	case 0x02:
		return io->id << 24;			/* arbitration id */
	}
	if (io->sel < 0x10 || idx >= IOAPIC_PINS)
		return 0;
	return io->sel & 1 ? io->rte[idx] >> 32 : (u32)io->rte[idx];
}

static void reg_write(struct vm *vm, struct ioapic *io, u32 val)
{
	u32 idx = (io->sel - 0x10) / 2;
	u64 old, rte;

	if (io->sel == 0x00) {
		io->id = val >> 24 & 0xf;
		return;
	}
	if (io->sel < 0x10 || idx >= IOAPIC_PINS)
		return;
	old = io->rte[idx];
	rte = io->sel & 1 ? (old & 0xffffffffULL) | (u64)val << 32
			  : (old & ~0xffffffffULL) | val;
	io->rte[idx] = (rte & ~RTE_RO_BITS) | (old & RTE_RO_BITS);
	if (!(io->rte[idx] & RTE_LEVEL))
		io->rte[idx] &= ~RTE_REMOTE_IRR;
	/* Unmasking an input that is asserted and level-triggered fires it. */
	if ((io->asserted & (1U << idx)) && (io->rte[idx] & RTE_LEVEL))
		fire(vm, io, idx);
}

void ioapic_mmio(struct vm *vm, u64 off, u8 *data, u32 len, bool write)
{
	struct ioapic *io = vm->ioapic;
	u32 val = 0;

	if (len != 4 || (off != IOREGSEL && off != IOWIN)) {
		if (!write)
			memset(data, 0, len);
		return;
	}
	if (!write) {
		val = off == IOREGSEL ? io->sel : reg_read(io);
		memcpy(data, &val, 4);
		return;
	}
	memcpy(&val, data, 4);
	if (off == IOREGSEL)
		io->sel = val & 0xff;
	else
		reg_write(vm, io, val);
}

int ioapic_init(struct vm *vm)
{
	struct ioapic *io = calloc(1, sizeof(*io));
	int i;

	if (!io)
		return -ENOMEM;
	io->id = vm->nr_vcpus;		/* after the local APICs' ids */
	for (i = 0; i < IOAPIC_PINS; i++)
		io->rte[i] = RTE_MASKED;
	vm->ioapic = io;
	return 0;
}

void ioapic_exit(struct vm *vm)
{
	free(vm->ioapic);
	vm->ioapic = NULL;
}

u32 ioapic_id(struct vm *vm)
{
	return vm->ioapic->id;
}

void ioapic_dump(struct vm *vm)
{
	struct ioapic *io = vm->ioapic;
	int i;

	if (!io)
		return;
	pr_info("dump: ioapic: asserted %#x", io->asserted);
	for (i = 0; i < IOAPIC_PINS; i++)
		if (!(io->rte[i] & RTE_MASKED))
			pr_info("dump: ioapic pin %d: rte %#llx", i, (unsigned long long)io->rte[i]);
}
