// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs: the ones vmmon virtualizes for the guest (RDMSR/WRMSR exits) and
 * for userspace (KVM_GET/SET_MSRS). State the VMCB/VMCS holds is the
 * backend's; the rest is kept here. Every other MSR raises #GP in the
 * guest, and KVM_GET/SET_MSRS stop at it.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>

#include "backend.h"

static int vmm_get_msr(struct vmm_vcpu *vcpu, u32 index, u64 *data)
{
	int ret = vmm_backend->get_msr(vcpu, index, data);

	if (ret != -ENOENT)
		return ret;
	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc() + vcpu->tsc_offset;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_IA32_UCODE_REV:
		*data = 0x100000000ULL;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_K7_HWCR:
	case MSR_IA32_FEAT_CTL:
	case MSR_K8_INT_PENDING_MSG:	/* read by Linux on family 0xf: no C1E */
		*data = 0;
		return 0;
	default:
		return -EINVAL;
	}
}

static int vmm_set_msr(struct vmm_vcpu *vcpu, u32 index, u64 data)
{
	int ret = vmm_backend->set_msr(vcpu, index, data);

	if (ret != -ENOENT)
		return ret;
	switch (index) {
	case MSR_IA32_TSC:
		vcpu->tsc_offset = data - rdtsc();
		return 0;
	case MSR_IA32_APICBASE:
		/* xAPIC only: x2APIC mode (bit 10) is not offered. */
		if (data & ~0xfffffffffffff900ULL || (data & (1ULL << 10)))
			return -EINVAL;
		vcpu->apic_base = data;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		vcpu->misc_enable = data;
		return 0;
	case MSR_IA32_UCODE_REV:
	case MSR_IA32_MCG_STATUS:
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		return data ? -EINVAL : 0;	/* no LBR or BTF for guests */
	default:
		return -EINVAL;
	}
}

int vmm_exit_rdmsr(struct vmm_vcpu *vcpu)
{
	u64 data;

	vcpu->stats[VMM_STAT_MSR]++;
	if (vmm_get_msr(vcpu, (u32)vcpu->gprs[VMM_RCX], &data)) {
		vmm_inject_gp(vcpu);
		return 1;
	}
	vcpu->gprs[VMM_RAX] = (u32)data;
	vcpu->gprs[VMM_RDX] = data >> 32;
	return 1;
}

int vmm_exit_wrmsr(struct vmm_vcpu *vcpu)
{
	u64 data = (vcpu->gprs[VMM_RDX] << 32) | (u32)vcpu->gprs[VMM_RAX];

	vcpu->stats[VMM_STAT_MSR]++;
	if (vmm_set_msr(vcpu, (u32)vcpu->gprs[VMM_RCX], data))
		vmm_inject_gp(vcpu);
	return 1;
}

/* Copy in a struct kvm_msrs with its entries; at most 1024 of them. */
static struct kvm_msr_entry *vmm_msrs_copyin(struct kvm_msrs __user *u,
					     u32 *nmsrs)
{
	struct kvm_msrs head;

	if (copy_from_user(&head, u, sizeof(head)))
		return ERR_PTR(-EFAULT);
	if (head.nmsrs > 1024)
		return ERR_PTR(-E2BIG);
	*nmsrs = head.nmsrs;
	return memdup_user(u->entries, head.nmsrs * sizeof(struct kvm_msr_entry));
}

int vmm_vcpu_get_msrs(struct vmm_vcpu *vcpu, struct kvm_msrs __user *u)
{
	struct kvm_msr_entry *e;
	u32 i, n;
	int ret;

	e = vmm_msrs_copyin(u, &n);
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < n; i++)
		if (vmm_get_msr(vcpu, e[i].index, &e[i].data))
			break;
	ret = copy_to_user(u->entries, e, i * sizeof(*e)) ? -EFAULT : i;
	kfree(e);
	return ret;
}

int vmm_vcpu_set_msrs(struct vmm_vcpu *vcpu, struct kvm_msrs __user *u)
{
	struct kvm_msr_entry *e;
	u32 i, n;

	e = vmm_msrs_copyin(u, &n);
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < n; i++)
		if (vmm_set_msr(vcpu, e[i].index, e[i].data))
			break;
	kfree(e);
	return i;
}
