/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ops table between vmmon's core and a hardware backend: Intel VT-x
 * (vmx.c) or AMD-V (svm.c). Exactly one is chosen at load.
 *
 * vcpu_run() enters the guest once and handles the exit with the shared
 * convention: 1 = re-enter, 0 = return to userspace with kvm_run filled,
 * negative errno = fail KVM_RUN. It is called with preemption enabled and
 * with the vCPU's lock held; the backend disables interrupts around the
 * world switch itself.
 */
#ifndef VMMON_BACKEND_H
#define VMMON_BACKEND_H

#include "vmmon.h"

struct vmm_backend {
	const char *name;
	/* Load time: is the hardware there, enabled by firmware, free? */
	int (*probe)(void);
	void (*unload)(void);			/* undoes probe() */
	int (*cpu_enable)(void);		/* on each CPU, IRQs off */
	void (*cpu_disable)(void);		/* on each CPU, IRQs off */
	int (*vm_init)(struct vmm_vm *vm);
	void (*vm_uninit)(struct vmm_vm *vm);
	int (*vcpu_init)(struct vmm_vcpu *vcpu);
	void (*vcpu_uninit)(struct vmm_vcpu *vcpu);
	int (*vcpu_run)(struct vmm_vcpu *vcpu);
	void (*get_sregs)(struct vmm_vcpu *vcpu, struct kvm_sregs *sregs);
	int (*set_sregs)(struct vmm_vcpu *vcpu, const struct kvm_sregs *sregs);
	/* MSRs that live in the VMCB/VMCS: -ENOENT for any other index. */
	int (*get_msr)(struct vmm_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct vmm_vcpu *vcpu, u32 index, u64 data);
	u64 (*get_cr4)(struct vmm_vcpu *vcpu);
	/* Whether the guest can take an external interrupt right now. */
	bool (*interrupt_allowed)(struct vmm_vcpu *vcpu);
	/* Nested page table entry formats (NPT: x86 PTEs; EPT: RWX). */
	int (*tdp_levels)(void);
	u64 (*tdp_table)(phys_addr_t pa);
	u64 (*tdp_leaf)(phys_addr_t pa);
};

extern const struct vmm_backend *vmm_backend;
extern const struct vmm_backend vmm_svm_backend;
extern const struct vmm_backend vmm_vmx_backend;

/* Host-side helpers every backend uses around the world switch. */
void vmm_guest_enter_prepare(struct vmm_vcpu *vcpu);	/* IRQs off */
void vmm_guest_exit_finish(struct vmm_vcpu *vcpu);	/* IRQs off */
bool vmm_vcpu_must_exit(struct vmm_vcpu *vcpu);		/* IRQs off */
bool vmm_vcpu_tlb_stale(struct vmm_vcpu *vcpu, int cpu);

#endif /* VMMON_BACKEND_H */
