// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID: the table of what a guest may be offered (KVM_GET_SUPPORTED_CPUID),
 * built once at load from the host's CPUID with every feature vmmon does
 * not virtualize masked out, and the guest's CPUID exits answered from the
 * table userspace set with KVM_SET_CPUID2. No host CPUID on the exit path.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/types.h>

#include "backend.h"

#define VMM_HV_LEAF	0x40000000

static struct kvm_cpuid_entry2 vmm_supported[64];
static int vmm_nsupported;

/* Feature bits kept, per register; everything else is cleared. */
#define B(n) (1U << (n))
static const u32 keep_1_ecx = B(0) | B(1) | B(9) | B(12) | B(13) | B(19) |
	B(20) | B(22) | B(23) | B(25) | B(26) | B(28) | B(29) | B(30);
static const u32 keep_1_edx = B(0) | B(1) | B(2) | B(3) | B(4) | B(5) |
	B(6) | B(8) | B(9) | B(11) | B(13) | B(15) | B(16) | B(17) | B(19) |
	B(23) | B(24) | B(25) | B(26) | B(28);
static const u32 keep_7_ebx = B(0) | B(3) | B(5) | B(7) | B(8) | B(9) |
	B(16) | B(17) | B(18) | B(19) | B(20) | B(21) | B(23) | B(24) |
	B(26) | B(27) | B(28) | B(29) | B(30) | B(31);
static const u32 keep_7_ecx = B(1) | B(6) | B(8) | B(9) | B(10) | B(11) |
	B(12) | B(14);
static const u32 keep_7_edx = B(4);
static const u32 keep_81_ecx = B(0) | B(4) | B(5) | B(6) | B(7) | B(8) |
	B(11) | B(16) | B(21);
static const u32 keep_81_edx = B(0) | B(1) | B(2) | B(3) | B(4) | B(5) |
	B(6) | B(8) | B(9) | B(11) | B(13) | B(15) | B(16) | B(17) | B(20) |
	B(22) | B(23) | B(24) | B(25) | B(26) | B(29) | B(30) | B(31);
#undef B

static struct kvm_cpuid_entry2 *vmm_add(u32 fn, u32 idx, u32 flags)
{
	struct kvm_cpuid_entry2 *e = &vmm_supported[vmm_nsupported++];

	e->function = fn;
	e->index = idx;
	e->flags = flags;
	cpuid_count(fn, idx, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return e;
}

static void vmm_cpuid_basic(void)
{
	struct kvm_cpuid_entry2 *e, *leaf0;
	u32 max = cpuid_eax(0), i;
	u64 xcr0 = vmm_supported_xcr0();

	e = vmm_add(0, 0, 0);
	e->eax = min(max, 0xdU);
	e = vmm_add(1, 0, 0);
	e->ecx = (e->ecx & keep_1_ecx) | (1U << 31);	/* hypervisor */
	e->edx &= keep_1_edx;
	/* Without XSAVE in the host there is no XCR0 to give the guest, so
	 * nothing that needs it: XSAVE, AVX, FMA, F16C. */
	if (!xcr0)
		e->ecx &= ~(BIT(26) | BIT(28) | BIT(12) | BIT(29));
	if (max >= 7) {
		e = vmm_add(7, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
		e->eax = 0;
		e->ebx &= keep_7_ebx;
		e->ecx &= keep_7_ecx;
		e->edx &= keep_7_edx;
		if (!(xcr0 & XFEATURE_MASK_YMM))
			e->ebx &= ~(BIT(5) | 0xdc230000);	/* AVX2, AVX-512 */
	}
	if (max < 0xd || !xcr0)
		return;
	leaf0 = vmm_add(0xd, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	leaf0->eax = (u32)xcr0;
	leaf0->edx = xcr0 >> 32;
	/* EBX follows the guest's XCR0 (see vmm_exit_cpuid); ECX is the size
	 * for everything the guest may enable, not the host's (PKRU, AMX). */
	leaf0->ebx = leaf0->ecx = 512 + 64;
	e = vmm_add(0xd, 1, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	e->eax &= 0x7;		/* XSAVEOPT, XSAVEC, XGETBV1; no XSAVES */
	e->ebx = e->ecx = e->edx = 0;
	for (i = 2; i < 64 && vmm_nsupported < ARRAY_SIZE(vmm_supported) - 8; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		e = vmm_add(0xd, i, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
		leaf0->ecx = max(leaf0->ecx, e->eax + e->ebx);
	}
}

static void vmm_cpuid_extended(void)
{
	struct kvm_cpuid_entry2 *e;
	u32 max = cpuid_eax(0x80000000), fn;

	e = vmm_add(0x80000000, 0, 0);
	e->eax = min(max, 0x80000008U);
	for (fn = 0x80000001; fn <= min(max, 0x80000008U); fn++) {
		e = vmm_add(fn, 0, 0);
		if (fn == 0x80000001) {
			e->ecx &= keep_81_ecx;
			e->edx &= keep_81_edx;
		} else if (fn == 0x80000007) {
			e->eax = e->ebx = e->ecx = 0;
			e->edx &= 1U << 8;		/* invariant TSC */
		} else if (fn == 0x80000008) {
			e->ebx = 0;			/* no IBPB & co. */
			e->ecx &= 0xff;
			e->edx = 0;
		}
	}
}

int vmm_cpuid_init(void)
{
	struct kvm_cpuid_entry2 *e;

	vmm_cpuid_basic();
	vmm_cpuid_extended();
	e = &vmm_supported[vmm_nsupported++];
	*e = (struct kvm_cpuid_entry2){ .function = VMM_HV_LEAF,
		.eax = VMM_HV_LEAF };
	/* "OpenESXvmmon" */
	memcpy(&e->ebx, "Open", 4);
	memcpy(&e->ecx, "ESXv", 4);
	memcpy(&e->edx, "mmon", 4);
	return 0;
}

int vmm_dev_get_supported_cpuid(struct kvm_cpuid2 __user *u)
{
	struct kvm_cpuid2 head;

	if (copy_from_user(&head, u, sizeof(head)))
		return -EFAULT;
	if (head.nent < vmm_nsupported) {
		head.nent = vmm_nsupported;
		if (copy_to_user(u, &head, sizeof(head)))
			return -EFAULT;
		return -E2BIG;
	}
	head.nent = vmm_nsupported;
	if (copy_to_user(u, &head, sizeof(head)) ||
	    copy_to_user(u->entries, vmm_supported,
			 vmm_nsupported * sizeof(vmm_supported[0])))
		return -EFAULT;
	return 0;
}

int vmm_vcpu_set_cpuid2(struct vmm_vcpu *vcpu, struct kvm_cpuid2 __user *u)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 head;

	if (copy_from_user(&head, u, sizeof(head)))
		return -EFAULT;
	if (head.nent > VMMON_MAX_CPUID)
		return -E2BIG;
	e = memdup_user(u->entries, head.nent * sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	kfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = head.nent;
	return 0;
}

static struct kvm_cpuid_entry2 *vmm_cpuid_find(struct vmm_vcpu *vcpu,
					       u32 fn, u32 idx)
{
	struct kvm_cpuid_entry2 *e;
	int i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		e = &vcpu->cpuid[i];
		if (e->function == fn &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == idx))
			return e;
	}
	return NULL;
}

/* The XSAVE area size for the guest's current XCR0, from the table. */
static u32 vmm_xsave_size(struct vmm_vcpu *vcpu)
{
	struct kvm_cpuid_entry2 *e;
	u32 size = 512 + 64, i;

	for (i = 2; i < 64; i++) {
		if (!(vcpu->xcr0 & BIT_ULL(i)))
			continue;
		e = vmm_cpuid_find(vcpu, 0xd, i);
		if (e)
			size = max(size, e->eax + e->ebx);
	}
	return size;
}

int vmm_exit_cpuid(struct vmm_vcpu *vcpu)
{
	u32 fn = vcpu->gprs[VMM_RAX], idx = vcpu->gprs[VMM_RCX];
	struct kvm_cpuid_entry2 *e, zero = { };

	vcpu->stats[VMM_STAT_CPUID]++;
	e = vmm_cpuid_find(vcpu, fn, idx) ?: &zero;
	vcpu->gprs[VMM_RAX] = e->eax;
	vcpu->gprs[VMM_RBX] = e->ebx;
	vcpu->gprs[VMM_RCX] = e->ecx;
	vcpu->gprs[VMM_RDX] = e->edx;
	if (fn == 1) {
		/* OSXSAVE mirrors the guest's CR4.OSXSAVE, and APIC the enable
		 * bit of its IA32_APIC_BASE, as on hardware (and KVM). */
		vcpu->gprs[VMM_RCX] &= ~(1U << 27);
		if (vmm_backend->get_cr4(vcpu) & X86_CR4_OSXSAVE)
			vcpu->gprs[VMM_RCX] |= 1U << 27;
		if (!(vcpu->apic_base & (1U << 11)))
			vcpu->gprs[VMM_RDX] &= ~(1U << 9);
	} else if (fn == 0xd && idx == 0) {
		vcpu->gprs[VMM_RBX] = vmm_xsave_size(vcpu);
	}
	return 1;
}
