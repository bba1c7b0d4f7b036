/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMMON_SVM_H
#define VMMON_SVM_H

#include <asm/svm.h>
#include "vmmon.h"

struct vmm_svm_enter_args {
	u64 vmcb_pa;
	u64 host_save_pa;
	u64 *gprs;
};

void vmm_svm_enter(struct vmm_svm_enter_args *args);

struct vmm_svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 efer;		/* as the guest sees it: no SVME */
	u64 dr[8];		/* DR0-3, DR6, DR7 as the guest set them */
	bool virq;		/* the queued interrupt is in V_IRQ */
	u32 reinject;		/* event interrupted by the last exit */
	u32 reinject_err;
	u64 entry_rip;		/* where the last entry started */
	u64 entry_rsp;
};

struct vmm_svm_vm {
	u32 asid;
};

#endif
