// SPDX-License-Identifier: GPL-2.0
/*
 * The AMD-V backend: EFER.SVME and a host save area per CPU, one VMCB per
 * vCPU, nested paging (NPT) and an ASID per VM. The world switch itself is
 * svm_enter.S.
 */
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/svm.h>

#include "backend.h"
#include "svm.h"

#define VMM_DR7_FIXED		0x400
#define SVM_FEAT_NPT		BIT(0)
#define SVM_FEAT_NRIPS		BIT(3)
#define SVM_FEAT_FLUSHASID	BIT(6)
#define SVM_FEAT_DECODE		BIT(7)

#define MSRPM_SIZE	(2 * PAGE_SIZE)
#define IOPM_SIZE	(3 * PAGE_SIZE)

struct vmm_svm_cpu {
	void *hsave;		/* MSR_VM_HSAVE_PA */
	void *host_save;	/* VMSAVE/VMLOAD area of the host */
	struct vmcb *last_vmcb;
};

static DEFINE_PER_CPU(struct vmm_svm_cpu, vmm_svm_cpu);
static u32 svm_features, svm_max_asid;
static void *svm_msrpm, *svm_iopm;
static DEFINE_IDA(svm_asid_ida);

static __always_inline void clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static __always_inline void stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

static struct vmm_svm_vcpu *to_svm(struct vmm_vcpu *vcpu)
{
	return vcpu->arch;
}

/* ---- load time and per CPU ---- */

static int svm_alloc_maps(void)
{
	static const u32 pass[] = { MSR_STAR, MSR_LSTAR, MSR_CSTAR,
		MSR_SYSCALL_MASK, MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP };
	u32 i, msr, off;

	svm_msrpm = (void *)__get_free_pages(GFP_KERNEL, get_order(MSRPM_SIZE));
	svm_iopm = (void *)__get_free_pages(GFP_KERNEL, get_order(IOPM_SIZE));
	if (!svm_msrpm || !svm_iopm)
		return -ENOMEM;
	memset(svm_msrpm, 0xff, MSRPM_SIZE);
	memset(svm_iopm, 0xff, IOPM_SIZE);
	/* MSRs the VMCB itself switches go straight through. */
	for (i = 0; i < ARRAY_SIZE(pass); i++) {
		msr = pass[i];
		off = msr >= 0xc0000000 ? 0x800 * 8 + (msr - 0xc0000000) * 2 :
					  msr * 2;
		__clear_bit(off, svm_msrpm);
		__clear_bit(off + 1, svm_msrpm);
	}
	return 0;
}

static void svm_free_maps(void)
{
	free_pages((unsigned long)svm_msrpm, get_order(MSRPM_SIZE));
	free_pages((unsigned long)svm_iopm, get_order(IOPM_SIZE));
}

static int svm_probe(void)
{
	u64 vm_cr, efer;
	int ret;

	if (boot_cpu_data.extended_cpuid_level < SVM_CPUID_FUNC) {
		pr_err("AMD-V: CPUID leaf 0x8000000a missing\n");
		return -ENODEV;
	}
	svm_features = cpuid_edx(SVM_CPUID_FUNC);
	svm_max_asid = cpuid_ebx(SVM_CPUID_FUNC) - 1;
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("AMD-V is disabled by the firmware (VM_CR.SVMDIS): enable SVM in the BIOS setup\n");
		return -EPERM;
	}
	if (!(svm_features & SVM_FEAT_NPT)) {
		pr_err("AMD-V without nested paging (NPT) is not supported\n");
		return -ENODEV;
	}
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err("AMD-V is already in use by another hypervisor (kvm_amd? VirtualBox?): unload it first\n");
		return -EBUSY;
	}
	ret = svm_alloc_maps();
	if (ret)
		svm_free_maps();
	return ret;
}

static int svm_cpu_enable(void)
{
	struct vmm_svm_cpu *c = this_cpu_ptr(&vmm_svm_cpu);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;		/* another hypervisor took it */
	if (!c->hsave) {
		c->hsave = (void *)get_zeroed_page(GFP_ATOMIC);
		c->host_save = (void *)get_zeroed_page(GFP_ATOMIC);
		if (!c->hsave || !c->host_save)
			return -ENOMEM;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, __pa(c->hsave));
	c->last_vmcb = NULL;
	return 0;
}

static void svm_cpu_disable(void)
{
	struct vmm_svm_cpu *c = this_cpu_ptr(&vmm_svm_cpu);
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	free_page((unsigned long)c->hsave);
	free_page((unsigned long)c->host_save);
	c->hsave = c->host_save = NULL;
}

/* ---- VMs and vCPUs ---- */

static int svm_vm_init(struct vmm_vm *vm)
{
	struct vmm_svm_vm *s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	int asid;

	if (!s)
		return -ENOMEM;
	asid = ida_alloc_range(&svm_asid_ida, 1, svm_max_asid, GFP_KERNEL);
	if (asid < 0) {
		kfree(s);
		return -EAGAIN;
	}
	s->asid = asid;
	vm->arch = s;
	return 0;
}

static void svm_vm_uninit(struct vmm_vm *vm)
{
	struct vmm_svm_vm *s = vm->arch;

	ida_free(&svm_asid_ida, s->asid);
	kfree(s);
}

static void svm_set_intercepts(struct vmcb_control_area *c)
{
	static const int bits[] = { INTERCEPT_INTR, INTERCEPT_NMI,
		INTERCEPT_SMI, INTERCEPT_CPUID, INTERCEPT_INVD, INTERCEPT_HLT,
		INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT,
		INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN, INTERCEPT_VMMCALL,
		INTERCEPT_VMLOAD, INTERCEPT_VMSAVE, INTERCEPT_STGI,
		INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_RDTSCP,
		INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_XSETBV,
		INTERCEPT_RDPRU };
	int i;

	for (i = 0; i < ARRAY_SIZE(bits); i++)
		__set_bit(bits[i], (unsigned long *)c->intercepts);
	/* Debug registers are the host's: every guest access is emulated. */
	for (i = INTERCEPT_DR0_READ; i <= INTERCEPT_DR7_WRITE; i++)
		__set_bit(i, (unsigned long *)c->intercepts);
}

static void svm_seg(struct vmcb_seg *s, u16 sel, u64 base, u32 limit,
		    u16 attrib)
{
	*s = (struct vmcb_seg){ .selector = sel, .base = base,
				.limit = limit, .attrib = attrib };
}

/* The architectural state after RESET, as KVM gives a new vCPU. */
static void svm_reset_state(struct vmm_vcpu *vcpu, struct vmcb_save_area *s)
{
	svm_seg(&s->cs, 0xf000, 0xffff0000, 0xffff, 0x9b);
	svm_seg(&s->ds, 0, 0, 0xffff, 0x93);
	s->es = s->ss = s->fs = s->gs = s->ds;
	svm_seg(&s->gdtr, 0, 0, 0xffff, 0);
	svm_seg(&s->idtr, 0, 0, 0xffff, 0);
	svm_seg(&s->ldtr, 0, 0, 0xffff, 0x82);
	svm_seg(&s->tr, 0, 0, 0xffff, 0x8b);
	s->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	s->efer = EFER_SVME;
	s->dr6 = DR6_RESERVED;
	s->dr7 = VMM_DR7_FIXED;
	s->g_pat = 0x0007040600070406ULL;
	vcpu->rip = 0xfff0;
	vcpu->rflags = 2;
	to_svm(vcpu)->dr[6] = DR6_RESERVED;
	to_svm(vcpu)->dr[7] = VMM_DR7_FIXED;
}

static int svm_vcpu_init(struct vmm_vcpu *vcpu)
{
	struct vmm_svm_vm *svm_vm = vcpu->vm->arch;
	struct vmm_svm_vcpu *s;
	struct vmcb_control_area *c;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	s->vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!s->vmcb) {
		kfree(s);
		return -ENOMEM;
	}
	s->vmcb_pa = __pa(s->vmcb);
	vcpu->arch = s;
	c = &s->vmcb->control;
	svm_set_intercepts(c);
	c->iopm_base_pa = __pa(svm_iopm);
	c->msrpm_base_pa = __pa(svm_msrpm);
	c->asid = svm_vm->asid;
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = __pa(vcpu->vm->tdp_root);
	svm_reset_state(vcpu, &s->vmcb->save);
	return 0;
}

static void svm_vcpu_uninit(struct vmm_vcpu *vcpu)
{
	struct vmm_svm_vcpu *s = to_svm(vcpu);
	int cpu;

	/* A stale "last VMCB" pointer must not match a reused page. */
	for_each_possible_cpu(cpu)
		cmpxchg(&per_cpu(vmm_svm_cpu, cpu).last_vmcb, s->vmcb, NULL);
	free_page((unsigned long)s->vmcb);
	kfree(s);
}

/* ---- special registers ---- */

static void svm_seg_to_kvm(const struct vmcb_seg *v, struct kvm_segment *k)
{
	u16 a = v->attrib;

	*k = (struct kvm_segment){ .base = v->base, .limit = v->limit,
		.selector = v->selector, .type = a & 0xf, .s = (a >> 4) & 1,
		.dpl = (a >> 5) & 3, .present = (a >> 7) & 1,
		.avl = (a >> 8) & 1, .l = (a >> 9) & 1, .db = (a >> 10) & 1,
		.g = (a >> 11) & 1, .unusable = !((a >> 7) & 1) };
}

static void svm_seg_from_kvm(struct vmcb_seg *v, const struct kvm_segment *k)
{
	v->base = k->base;
	v->limit = k->limit;
	v->selector = k->selector;
	v->attrib = k->unusable ? 0 :
		(k->type & 0xf) | (k->s & 1) << 4 | (k->dpl & 3) << 5 |
		(k->present & 1) << 7 | (k->avl & 1) << 8 | (k->l & 1) << 9 |
		(k->db & 1) << 10 | (k->g & 1) << 11;
}

static void svm_get_sregs(struct vmm_vcpu *vcpu, struct kvm_sregs *s)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *v = &vmcb->save;

	svm_seg_to_kvm(&v->cs, &s->cs);
	svm_seg_to_kvm(&v->ds, &s->ds);
	svm_seg_to_kvm(&v->es, &s->es);
	svm_seg_to_kvm(&v->fs, &s->fs);
	svm_seg_to_kvm(&v->gs, &s->gs);
	svm_seg_to_kvm(&v->ss, &s->ss);
	svm_seg_to_kvm(&v->tr, &s->tr);
	svm_seg_to_kvm(&v->ldtr, &s->ldt);
	s->gdt = (struct kvm_dtable){ .base = v->gdtr.base, .limit = v->gdtr.limit };
	s->idt = (struct kvm_dtable){ .base = v->idtr.base, .limit = v->idtr.limit };
	s->cr0 = v->cr0;
	s->cr2 = v->cr2;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->cr8 = vmcb->control.int_ctl & V_TPR_MASK;
	s->efer = (v->efer & ~EFER_SVME) | (to_svm(vcpu)->efer & EFER_SVME);
}

static int svm_set_sregs(struct vmm_vcpu *vcpu, const struct kvm_sregs *s)
{
	struct vmm_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *v = &svm->vmcb->save;
	u64 efer = s->efer & ~EFER_SVME;

	if (efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR))
		return -EINVAL;
	svm_seg_from_kvm(&v->cs, &s->cs);
	svm_seg_from_kvm(&v->ds, &s->ds);
	svm_seg_from_kvm(&v->es, &s->es);
	svm_seg_from_kvm(&v->fs, &s->fs);
	svm_seg_from_kvm(&v->gs, &s->gs);
	svm_seg_from_kvm(&v->ss, &s->ss);
	svm_seg_from_kvm(&v->tr, &s->tr);
	svm_seg_from_kvm(&v->ldtr, &s->ldt);
	v->gdtr.base = s->gdt.base;
	v->gdtr.limit = s->gdt.limit;
	v->idtr.base = s->idt.base;
	v->idtr.limit = s->idt.limit;
	v->cpl = (v->cs.attrib >> 5) & 3;
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	svm->efer = efer;
	v->efer = efer | EFER_SVME;
	svm->vmcb->control.int_ctl = (svm->vmcb->control.int_ctl & ~V_TPR_MASK) |
				     (s->cr8 & V_TPR_MASK);
	return 0;
}

static u64 svm_get_cr4(struct vmm_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cr4;
}

/* ---- MSRs the VMCB holds ---- */

static u64 *svm_msr_slot(struct vmm_vcpu *vcpu, u32 index)
{
	struct vmcb_save_area *v = &to_svm(vcpu)->vmcb->save;

	switch (index) {
	case MSR_STAR: return &v->star;
	case MSR_LSTAR: return &v->lstar;
	case MSR_CSTAR: return &v->cstar;
	case MSR_SYSCALL_MASK: return &v->sfmask;
	case MSR_KERNEL_GS_BASE: return &v->kernel_gs_base;
	case MSR_FS_BASE: return &v->fs.base;
	case MSR_GS_BASE: return &v->gs.base;
	case MSR_IA32_SYSENTER_CS: return &v->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP: return &v->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP: return &v->sysenter_eip;
	case MSR_IA32_CR_PAT: return &v->g_pat;
	default: return NULL;
	}
}

static int svm_get_msr(struct vmm_vcpu *vcpu, u32 index, u64 *data)
{
	u64 *slot = svm_msr_slot(vcpu, index);

	if (index == MSR_EFER) {
		*data = to_svm(vcpu)->efer;
		return 0;
	}
	if (!slot)
		return -ENOENT;
	*data = *slot;
	return 0;
}

static int svm_set_efer(struct vmm_vcpu *vcpu, u64 data)
{
	struct vmm_svm_vcpu *svm = to_svm(vcpu);
	u64 lma = svm->vmcb->save.efer & EFER_LMA;

	if (data & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR))
		return -EINVAL;
	/* LME cannot change while paging is on. */
	if ((svm->vmcb->save.cr0 & X86_CR0_PG) &&
	    ((data ^ svm->efer) & EFER_LME))
		return -EINVAL;
	svm->efer = (data & ~EFER_LMA) | lma;
	svm->vmcb->save.efer = svm->efer | EFER_SVME;
	return 0;
}

static int svm_set_msr(struct vmm_vcpu *vcpu, u32 index, u64 data)
{
	u64 *slot = svm_msr_slot(vcpu, index);

	if (index == MSR_EFER)
		return svm_set_efer(vcpu, data);
	if (!slot)
		return -ENOENT;
	if ((index == MSR_FS_BASE || index == MSR_GS_BASE ||
	     index == MSR_KERNEL_GS_BASE || index == MSR_LSTAR ||
	     index == MSR_CSTAR) && !__is_canonical_address(data, 48))
		return -EINVAL;
	*slot = data;
	return 0;
}

/* ---- events ---- */

/*
 * An STI or MOV SS shadow covers the one instruction at the exit's RIP
 * (still in the VMCB until the next entry loads vcpu->rip) and ends with
 * it: whoever moved RIP since, skipping or emulating that instruction
 * (an MMIO access, I/O, HLT), ended the shadow.
 */
static bool svm_in_shadow(struct vmm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	return (vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK) &&
	       vmcb->save.rip == vcpu->rip;
}

static bool svm_interrupt_allowed(struct vmm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	return (vcpu->rflags & X86_EFLAGS_IF) && !svm_in_shadow(vcpu) &&
	       !(vmcb->control.event_inj & SVM_EVTINJ_VALID);
}

/*
 * V_IRQ serves twice: with INTERCEPT_VINTR and no vector it asks for an
 * exit once the guest can take an interrupt (a window); without the
 * intercept it delivers vector as an external interrupt, which the CPU
 * takes, clearing V_IRQ, at the first boundary where the guest's IF allows.
 */
static void svm_set_virq(struct vmcb_control_area *c, bool window, u8 vector)
{
	__assign_bit(INTERCEPT_VINTR, (unsigned long *)c->intercepts, window);
	c->int_ctl = (c->int_ctl & ~V_IRQ_INJECTION_BITS_MASK) |
		     V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK;
	c->int_vector = vector;
}

static void svm_clear_virq(struct vmcb_control_area *c)
{
	__clear_bit(INTERCEPT_VINTR, (unsigned long *)c->intercepts);
	c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
}

/*
 * Choose what to inject on this entry: an event the last exit interrupted,
 * then a queued exception, then the queued interrupt if the guest can take
 * it now; otherwise ask for an exit when it can.
 *
 * Interrupts go in through V_IRQ, not EVENTINJ: QEMU's TCG, our AMD-V
 * test host, leaves an EVENTINJ interrupt's vector behind as a pending
 * exception and may deliver it a second time, nested in its own handler.
 */
static void svm_inject_events(struct vmm_vcpu *vcpu)
{
	struct vmm_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->event_inj = 0;	/* V_IRQ too is clear: svm_virq_done() */
	if (svm->reinject) {
		c->event_inj = svm->reinject;
		c->event_inj_err = svm->reinject_err;
		svm->reinject = 0;
	} else if (vcpu->exc.pending) {
		c->event_inj = vcpu->exc.vector | SVM_EVTINJ_TYPE_EXEPT |
			       SVM_EVTINJ_VALID |
			       (vcpu->exc.has_error ? SVM_EVTINJ_VALID_ERR : 0);
		c->event_inj_err = vcpu->exc.error;
		vcpu->exc.pending = false;
	} else if (vcpu->irq.pending && svm_interrupt_allowed(vcpu)) {
		svm_set_virq(c, false, vcpu->irq.vector);
		vcpu->irq.pending = false;
		svm->virq = true;
		return;
	}
	if (vmm_vcpu_want_irq_window(vcpu))
		svm_set_virq(c, true, 0);
}

/* An interrupt V_IRQ offered that the guest did not take stays queued. */
static void svm_virq_done(struct vmm_vcpu *vcpu)
{
	struct vmm_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;

	if (svm->virq && (c->int_ctl & V_IRQ_MASK))
		vcpu->irq.pending = true;
	svm->virq = false;
	svm_clear_virq(c);
}

/*
 * An exit during event delivery: deliver it again (INTn and INT3 are
 * re-executed instead, since RIP still points at them). An external
 * interrupt goes back to the queue, to V_IRQ; QEMU reports one cut short
 * as an exception, with its vector of 32 or more.
 */
static void svm_save_interrupted_event(struct vmm_vcpu *vcpu)
{
	struct vmm_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	u8 vector = info & SVM_EXITINTINFO_VEC_MASK;

	c->event_inj = 0;	/* delivered, or else in exit_int_info */
	if (!(info & SVM_EXITINTINFO_VALID) || type == SVM_EXITINTINFO_TYPE_SOFT)
		return;
	if (type == SVM_EXITINTINFO_TYPE_EXEPT && vector >= 32)
		type = SVM_EXITINTINFO_TYPE_INTR;
	if (type != SVM_EXITINTINFO_TYPE_INTR) {
		svm->reinject = info;
		svm->reinject_err = c->exit_int_info_err;
		return;
	}
	/*
	 * A delivery cut short left RIP and RSP as they were. Some emulated
	 * CPUs also report an interrupt they did deliver (the guest is
	 * already in its handler, interrupts off): delivering it again
	 * would nest the handler into itself.
	 */
	if (svm->vmcb->save.rip != svm->entry_rip ||
	    svm->vmcb->save.rsp != svm->entry_rsp) {
		pr_info_once("vmmon: the CPU reported as interrupted an interrupt it had delivered; not delivering it twice\n");
		return;
	}
	vcpu->irq.pending = true;
	vcpu->irq.vector = vector;
}

/* ---- the world switch ---- */

static void svm_load_guest(struct vmm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (!svm_in_shadow(vcpu))
		vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	vmcb->save.rax = vcpu->gprs[VMM_RAX];
	vmcb->save.rsp = vcpu->gprs[VMM_RSP];
	vmcb->save.rip = vcpu->rip;
	vmcb->save.rflags = vcpu->rflags;
	vmcb->control.tsc_offset = vcpu->tsc_offset;
	vmcb->control.clean = 0;
}

static void svm_store_guest(struct vmm_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	vcpu->gprs[VMM_RAX] = vmcb->save.rax;
	vcpu->gprs[VMM_RSP] = vmcb->save.rsp;
	vcpu->rip = vmcb->save.rip;
	vcpu->rflags = vmcb->save.rflags;
}

static void svm_switch(struct vmm_vcpu *vcpu, int cpu)
{
	struct vmm_svm_cpu *c = per_cpu_ptr(&vmm_svm_cpu, cpu);
	struct vmm_svm_vcpu *svm = to_svm(vcpu);
	struct vmm_svm_enter_args args = {
		.vmcb_pa = svm->vmcb_pa,
		.host_save_pa = __pa(c->host_save),
		.gprs = vcpu->gprs,
	};

	svm->vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	if (vmm_vcpu_tlb_stale(vcpu, cpu))
		svm->vmcb->control.tlb_ctl = (svm_features & SVM_FEAT_FLUSHASID) ?
			TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL_ASID;
	if (c->last_vmcb != svm->vmcb) {
		/* Another guest ran here: it must not train our branches. */
		indirect_branch_prediction_barrier();
		c->last_vmcb = svm->vmcb;
	}
	vmm_guest_enter_prepare(vcpu);
	vmm_svm_enter(&args);
	vmm_guest_exit_finish(vcpu);
}

static int svm_handle_exit(struct vmm_vcpu *vcpu);

static int svm_vcpu_run(struct vmm_vcpu *vcpu)
{
	svm_load_guest(vcpu);
	local_irq_disable();
	if (vmm_vcpu_must_exit(vcpu)) {
		local_irq_enable();
		return 1;
	}
	/* Only now: an event taken from the queues must reach this entry. */
	svm_inject_events(vcpu);
	to_svm(vcpu)->entry_rip = to_svm(vcpu)->vmcb->save.rip;
	to_svm(vcpu)->entry_rsp = to_svm(vcpu)->vmcb->save.rsp;
	clgi();
	svm_switch(vcpu, smp_processor_id());
	stgi();
	local_irq_enable();

	svm_store_guest(vcpu);
	svm_virq_done(vcpu);
	svm_save_interrupted_event(vcpu);
	return svm_handle_exit(vcpu);
}

/* ---- exits ---- */

/* Step over the intercepted instruction, unless it raised an exception;
 * moving RIP ends any interrupt shadow over it (svm_in_shadow()). */
static int svm_skip(struct vmm_vcpu *vcpu, int len, int ret)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (vcpu->exc.pending)
		return 1;
	if ((svm_features & SVM_FEAT_NRIPS) && vmcb->control.next_rip)
		vcpu->rip = vmcb->control.next_rip;
	else
		vcpu->rip += len;
	return ret;
}

static int svm_exit_io(struct vmm_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u32 info = c->exit_info_1;
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;

	/* The address-size bits are not reliable on every implementation:
	 * the core takes the mode's default. */
	if (info & SVM_IOIO_STR_MASK)
		return vmm_exit_io_string(vcpu, info >> 16, size, info & 1,
					  info & SVM_IOIO_REP_MASK, 0,
					  c->exit_info_2);
	vcpu->rip = c->exit_info_2;
	return vmm_exit_io(vcpu, info >> 16, size, info & 1);
}

static int svm_exit_npf(struct vmm_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u64 gpa = c->exit_info_2;
	int ret;

	vcpu->stats[VMM_STAT_NPF]++;
	ret = vmm_tdp_fault(vcpu, gpa, c->exit_info_1 & BIT(1));
	if (ret != -ENOENT)
		return ret;
	return vmm_exit_mmio(vcpu, gpa, c->insn_bytes,
			     (svm_features & SVM_FEAT_DECODE) ? c->insn_len : 0);
}

/* MOV to/from DR0-7: the GPR from decode assists, else from the ModRM. */
static int svm_exit_dr(struct vmm_vcpu *vcpu, int dr, bool write)
{
	struct vmm_svm_vcpu *svm = to_svm(vcpu);
	u64 info = svm->vmcb->control.exit_info_1;
	unsigned int len = 3;
	int gpr;

	if (info & BIT_ULL(63))
		gpr = info & 0xf;
	else
		gpr = vmm_decode_mov_dr(vcpu, &len);
	if (gpr < 0)
		return vmm_exit_internal(vcpu, KVM_INTERNAL_ERROR_EMULATION, dr);
	if (dr == 4 || dr == 5)
		dr += 2;
	if (write)
		svm->dr[dr] = vcpu->gprs[gpr];
	else
		vcpu->gprs[gpr] = svm->dr[dr];
	return svm_skip(vcpu, len, 1);
}

static int svm_exit_fail(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason =
		to_svm(vcpu)->vmcb->control.exit_code;
	run->fail_entry.cpu = vcpu->last_cpu;
	return 0;
}

static int svm_handle_exit(struct vmm_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u32 code = c->exit_code;

	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_SMI:
		vcpu->stats[VMM_STAT_INTR]++;
		return 1;
	case SVM_EXIT_NMI:
		vcpu->stats[VMM_STAT_NMI]++;
		return 1;
	case SVM_EXIT_VINTR:
		return vmm_exit_irq_window(vcpu);
	case SVM_EXIT_CPUID:
		return svm_skip(vcpu, 2, vmm_exit_cpuid(vcpu));
	case SVM_EXIT_HLT:
		return svm_skip(vcpu, 1, vmm_exit_hlt(vcpu));
	case SVM_EXIT_IOIO:
		return svm_exit_io(vcpu);
	case SVM_EXIT_MSR:
		return svm_skip(vcpu, 2, c->exit_info_1 ? vmm_exit_wrmsr(vcpu) :
							  vmm_exit_rdmsr(vcpu));
	case SVM_EXIT_XSETBV:
		return svm_skip(vcpu, 3, vmm_exit_xsetbv(vcpu));
	case SVM_EXIT_INVD:
		return svm_skip(vcpu, 2, 1);
	case SVM_EXIT_SHUTDOWN:
		return vmm_exit_shutdown(vcpu);
	case SVM_EXIT_NPF:
		return svm_exit_npf(vcpu);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 7:
		return svm_exit_dr(vcpu, code - SVM_EXIT_READ_DR0, false);
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 7:
		return svm_exit_dr(vcpu, code - SVM_EXIT_WRITE_DR0, true);
	case SVM_EXIT_VMRUN ... SVM_EXIT_RDTSCP:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_RDPRU:
		/* No nested virtualization, RDTSCP, MONITOR/MWAIT or RDPRU. */
		vcpu->stats[VMM_STAT_EXCEPTION]++;
		vmm_inject_ud(vcpu);
		return 1;
	case (u32)SVM_EXIT_ERR:
		return svm_exit_fail(vcpu);
	default:
		return vmm_exit_internal(vcpu,
				KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, code);
	}
}

static int svm_tdp_levels(void)
{
	return pgtable_l5_enabled() ? 5 : 4;
}

static u64 svm_tdp_table(phys_addr_t pa)
{
	return pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
}

static u64 svm_tdp_leaf(phys_addr_t pa)
{
	return pa | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
}

static void svm_unload(void)
{
	svm_free_maps();
}

const struct vmm_backend vmm_svm_backend = {
	.name			= "svm",
	.probe			= svm_probe,
	.unload			= svm_unload,
	.cpu_enable		= svm_cpu_enable,
	.cpu_disable		= svm_cpu_disable,
	.vm_init		= svm_vm_init,
	.vm_uninit		= svm_vm_uninit,
	.vcpu_init		= svm_vcpu_init,
	.vcpu_uninit		= svm_vcpu_uninit,
	.vcpu_run		= svm_vcpu_run,
	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.get_cr4		= svm_get_cr4,
	.interrupt_allowed	= svm_interrupt_allowed,
	.tdp_levels		= svm_tdp_levels,
	.tdp_table		= svm_tdp_table,
	.tdp_leaf		= svm_tdp_leaf,
};
