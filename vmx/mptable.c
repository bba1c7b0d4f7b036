// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel MultiProcessor table (MP spec 1.4) in the BIOS area, so that
 * a guest without ACPI finds its processors: one entry per vCPU and an
 * ISA bus. No I/O APIC yet: guests run with `noapic` and take legacy
 * interrupts from the PIC through the BSP's LINT0 (virtual wire).
 */
#include <errno.h>
#include <string.h>

#include "vmx.h"

#define MPTABLE_ADDR	BIOS_ADDR
#define LAPIC_ADDR	0xfee00000U

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

static u8 checksum(const void *p, size_t n)
{
	const u8 *b = p;
	u8 sum = 0;

	while (n--)
		sum += *b++;
	return -sum;
}

int mptable_write(struct vm *vm)
{
	size_t size = sizeof(struct mpf) + sizeof(struct mpc_header) +
		      vm->nr_vcpus * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus);
	u8 *base = guest_ptr(vm, MPTABLE_ADDR, size);
	struct mpf *mpf = (struct mpf *)base;
	struct mpc_header *mpc = (struct mpc_header *)(mpf + 1);
	u8 *p = (u8 *)(mpc + 1);
	struct mpc_bus bus = { .type = 1, .busid = 0, .bustype = "ISA   " };
	unsigned int i;

	if (vm->nr_vcpus < 2)
		return 0;
	if (!base)
		return -ENOMEM;
	memset(base, 0, size);
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct mpc_cpu cpu = {
			.type = 0,
			.apicid = i,
			.apicver = 0x14,
			.cpuflag = 1 | (i == 0 ? 2 : 0),	/* enabled, BSP */
			.cpufeature = 0x600,
			.featureflag = 0x201,			/* FPU, APIC */
		};

		memcpy(p, &cpu, sizeof(cpu));
		p += sizeof(cpu);
	}
	memcpy(p, &bus, sizeof(bus));
	p += sizeof(bus);

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = p - (u8 *)mpc;
	mpc->spec = 4;
	memcpy(mpc->oem, "OPENESX ", 8);
	memcpy(mpc->product, "vmx         ", 12);
	mpc->oemcount = vm->nr_vcpus + 1;
	mpc->lapic = LAPIC_ADDR;
	mpc->checksum = checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = MPTABLE_ADDR + sizeof(*mpf);
	mpf->length = 1;
	mpf->specification = 4;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
	return 0;
}
