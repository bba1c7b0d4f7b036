/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMMON_VMX_H
#define VMMON_VMX_H

#include <linux/list.h>
#include <asm/vmx.h>
#include "vmmon.h"

/* The world switch (vmx_enter.S): 0 after a VM exit, 1 on VMfail. */
int vmm_vmx_enter(u64 *gprs, bool launched);
/* Where a VM exit lands: HOST_RIP. */
extern const char vmm_vmx_vmexit[];

/* MSRs the VMCS does not switch: loaded by the hardware at VM entry and
 * stored/restored at VM exit through the MSR load/store areas. */
enum { VMX_MSR_KGS, VMX_MSR_STAR, VMX_MSR_LSTAR, VMX_MSR_CSTAR,
	VMX_MSR_SFMASK, VMX_NR_MSRS };

struct vmm_vmx_msrs {
	struct vmx_msr_entry guest[VMX_NR_MSRS];	/* entry load, exit store */
	struct vmx_msr_entry host[VMX_NR_MSRS];		/* exit load */
};

/* What a VM exit reported, read while the VMCS was still loaded. */
struct vmm_vmx_exit {
	u32 reason;
	u32 intr_info;
	u32 intr_error;
	u32 insn_len;
	u64 qual;
	u64 gpa;
};

struct vmm_vmx_vcpu {
	void *vmcs;
	u64 vmcs_pa;
	int cpu;		/* where the VMCS is active, or -1 */
	bool launched;
	struct list_head loaded_node;	/* on that CPU's list */

	struct vmm_vmx_msrs *msrs;
	u64 efer;		/* as the guest sees it */
	u64 cr0, cr4;		/* as the guest sees them */
	u64 cr2, cr8;		/* CR2 is not in the VMCS */
	u64 dr[8];		/* DR0-3, DR6, DR7 as the guest set them */
	u32 primary, secondary;	/* execution controls now in the VMCS */
	u32 entry_ctls;
	u32 intr_state;		/* guest interruptibility at the last exit */
	u64 exit_rip;		/* RIP at the last exit */
	u32 reinject;		/* event the last exit interrupted */
	u32 reinject_err;
	struct vmm_vmx_exit exit;
};

struct vmm_vmx_vm {
	u16 vpid;
	u64 eptp;
};

#endif
