// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel MultiProcessor table (MP spec 1.4) in the BIOS area, so that
 * a guest without ACPI finds its processors and its interrupt routing:
 * one entry per vCPU, a PCI bus (0) and an ISA bus (1), the I/O APIC, an
 * I/O interrupt entry per ISA IRQ and per PCI device's INTA#, and the
 * local APICs' LINT0 (ExtINT, the PIC) and LINT1 (NMI).
 */
#include <errno.h>
#include <string.h>

#include "pci.h"

#define MPTABLE_ADDR	BIOS_ADDR
#define MPTABLE_MAX	0x1000
#define BUS_PCI		0
#define BUS_ISA		1

struct mpf {
	char signature[4];
	u32 physptr;
	u8 length, specification, checksum, feature1;
	u8 feature2, feature3, feature4, feature5;
} __attribute__((packed));

struct mpc_header {
	char signature[4];
	u16 length;
	u8 spec, checksum;
	char oem[8], product[12];
	u32 oemptr;
	u16 oemsize, oemcount;
	u32 lapic;
	u32 reserved;
} __attribute__((packed));

struct mpc_cpu {
	u8 type, apicid, apicver, cpuflag;
	u32 cpufeature, featureflag;
	u32 reserved[2];
} __attribute__((packed));

struct mpc_bus {
	u8 type, busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	u8 type, apicid, apicver, flags;
	u32 apicaddr;
} __attribute__((packed));

struct mpc_intsrc {	/* I/O (type 3) and local (type 4) interrupt entries */
	u8 type, irqtype;
	u16 irqflag;	/* 0: as the bus says (ISA edge/high, PCI level/low) */
	u8 srcbus, srcbusirq, dstapic, dstirq;
} __attribute__((packed));

enum { MP_INT = 0, MP_NMI = 1, MP_EXTINT = 3 };

struct mp_writer {
	u8 *p, *end;
	u16 count;
};

static void put(struct mp_writer *w, const void *e, size_t n)
{
	if (w->p + n > w->end) {	/* cannot happen with PCI_MAX_DEVS */
		w->end = NULL;
		return;
	}
	memcpy(w->p, e, n);
	w->p += n;
	w->count++;
}

static u8 checksum(const void *p, size_t n)
{
	const u8 *b = p;
	u8 sum = 0;

	while (n--)
		sum += *b++;
	return -sum;
}

static void put_cpus(struct vm *vm, struct mp_writer *w)
{
	unsigned int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct mpc_cpu cpu = {
			.type = 0,
			.apicid = i,
			.apicver = 0x14,
			.cpuflag = 1 | (i == 0 ? 2 : 0),	/* enabled, BSP */
			.cpufeature = 0x600,
			.featureflag = 0x201,			/* FPU, APIC */
		};

		put(w, &cpu, sizeof(cpu));
	}
}

static void put_irqs(struct vm *vm, struct mp_writer *w)
{
	struct mpc_ioapic io = { 2, ioapic_id(vm), 0x11, 1, IOAPIC_BASE };
	struct mpc_intsrc e = { .type = 3, .irqtype = MP_INT, .dstapic = io.apicid };
	u32 pci_pins = 0;
	u8 slot, irq;
	int i, n;

	put(w, &io, sizeof(io));
	for (i = 0; (n = pci_intx_route(vm, i, &slot, &irq)) > 0; i++) {
		e.srcbus = BUS_PCI;
		e.srcbusirq = slot << 2;		/* INTA# */
		e.dstirq = ioapic_pin(irq);
		pci_pins |= 1U << e.dstirq;
		put(w, &e, sizeof(e));
	}
	for (i = 0; i < 16; i++) {
		e.srcbus = BUS_ISA;
		e.srcbusirq = i;
		e.dstirq = ioapic_pin(i);
		if (i != 2 && !(pci_pins & (1U << e.dstirq)))
			put(w, &e, sizeof(e));
	}
	e = (struct mpc_intsrc){ 4, MP_EXTINT, 0, BUS_ISA, 0, 0xff, 0 };
	put(w, &e, sizeof(e));
	e = (struct mpc_intsrc){ 4, MP_NMI, 0, BUS_ISA, 0, 0xff, 1 };
	put(w, &e, sizeof(e));
}

int mptable_write(struct vm *vm)
{
	u8 *base = guest_ptr(vm, MPTABLE_ADDR, MPTABLE_MAX);
	struct mpf *mpf = (struct mpf *)base;
	struct mpc_header *mpc = (struct mpc_header *)(mpf + 1);
	struct mpc_bus pci = { 1, BUS_PCI, "PCI   " }, isa = { 1, BUS_ISA, "ISA   " };
	struct mp_writer w;

	if (!base)
		return -ENOMEM;
	memset(base, 0, MPTABLE_MAX);
	w = (struct mp_writer){ (u8 *)(mpc + 1), base + MPTABLE_MAX, 0 };
	put_cpus(vm, &w);
	put(&w, &pci, sizeof(pci));
	put(&w, &isa, sizeof(isa));
	put_irqs(vm, &w);
	if (!w.end) {
		pr_err("the MP table does not fit in %d bytes", MPTABLE_MAX);
		return -ENOSPC;
	}

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = w.p - (u8 *)mpc;
	mpc->spec = 4;
	memcpy(mpc->oem, "OPENESX ", 8);
	memcpy(mpc->product, "vmx         ", 12);
	mpc->oemcount = w.count;
	mpc->lapic = LAPIC_BASE;
	mpc->checksum = checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = MPTABLE_ADDR + sizeof(*mpf);
	mpf->length = 1;
	mpf->specification = 4;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
	return 0;
}
