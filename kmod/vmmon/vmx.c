// SPDX-License-Identifier: GPL-2.0
/*
 * The Intel VT-x backend: VMXON and a VMXON region per CPU, one VMCS per
 * vCPU, EPT with unrestricted guest and a VPID per VM. The world switch
 * itself is vmx_enter.S.
 *
 * A VMCS can be read and written only while it is current on the CPU doing
 * it. Every function that touches it runs between vmx_vcpu_get() and
 * vmx_vcpu_put(): preemption off, and the VMCS made current here, VMCLEARed
 * first (by IPI) on the CPU it was last active on. Each CPU lists the VMCSs
 * active on it so that it can VMCLEAR them before VMXOFF.
 */
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "backend.h"
#include "vmx.h"

#define VMM_DR7_FIXED		0x400
#define VMX_BASIC_TRUE		BIT_ULL(55)
#define VMX_BASIC_MEM_WB	6
#define VMX_AR_UNUSABLE		BIT(16)
#define VMX_EPT_MT_WB		(6ULL << VMX_EPT_MT_EPTE_SHIFT)
#define VMX_IO_SIZE		GENMASK(2, 0)
#define VMX_IO_IN		BIT(3)
#define VMX_IO_STRING		BIT(4)
#define VMX_IO_REP		BIT(5)
#define VMX_EPT_WRITE		BIT(1)
#define VMX_EXIT_FAILED_ENTRY	BIT(31)
#define VMX_EXIT_REASON_GETSEC	11	/* not in <asm/vmx.h> */
#define VMX_INTR_SHADOW		(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)
/* The CR4 bits a guest may set; the others raise #GP, as in KVM. */
#define VMX_CR4_GUEST_BITS	(0x3fffffULL & ~(X86_CR4_VMXE | X86_CR4_SMXE | \
				 X86_CR4_PKE | X86_CR4_LA57 | X86_CR4_PCIDE))

/* What the CPU offers, read once at load. */
struct vmx_config {
	u32 revision;
	u32 pin, primary, secondary, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_cap;
	bool vpid;
	u32 preempt_ticks;	/* VMX-preemption timer for a few ms */
};

struct vmm_vmx_cpu {
	void *vmxon;
	bool on;
	struct vmm_vmx_vcpu *current_vmcs;
	struct list_head loaded;	/* VMCSs active here; IRQs off to touch */
	struct desc_ptr gdt, idt;
};

static DEFINE_PER_CPU(struct vmm_vmx_cpu, vmm_vmx_cpu);
static struct vmx_config vmx_cfg;
static void *vmx_msr_bitmap;
static DEFINE_IDA(vmx_vpid_ida);

static struct vmm_vmx_vcpu *to_vmx(struct vmm_vcpu *vcpu)
{
	return vcpu->arch;
}

/* ---- VMX instructions ---- */

static void vmx_insn_failed(const char *insn, unsigned long field)
{
	WARN_ONCE(1, "vmmon: %s %#lx failed\n", insn, field);
}

static unsigned long vmcs_read(unsigned long field)
{
	unsigned long val;
	bool bad;

	asm volatile("vmread %[field], %[val]" CC_SET(na)
		     : [val] "=rm" (val), CC_OUT(na) (bad)
		     : [field] "r" (field) : "cc");
	if (unlikely(bad)) {
		vmx_insn_failed("vmread", field);
		return 0;
	}
	return val;
}

static void vmcs_write(unsigned long field, unsigned long val)
{
	bool bad;

	asm volatile("vmwrite %[val], %[field]" CC_SET(na)
		     : CC_OUT(na) (bad)
		     : [val] "rm" (val), [field] "r" (field) : "cc");
	if (unlikely(bad))
		vmx_insn_failed("vmwrite", field);
}

static void vmcs_clear(u64 pa)
{
	bool bad;

	asm volatile("vmclear %[pa]" CC_SET(na)
		     : CC_OUT(na) (bad) : [pa] "m" (pa) : "cc", "memory");
	if (unlikely(bad))
		vmx_insn_failed("vmclear", pa);
}

static void vmcs_load(u64 pa)
{
	bool bad;

	asm volatile("vmptrld %[pa]" CC_SET(na)
		     : CC_OUT(na) (bad) : [pa] "m" (pa) : "cc", "memory");
	if (unlikely(bad))
		vmx_insn_failed("vmptrld", pa);
}

static void vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, rsvd; } desc = { eptp, 0 };
	bool bad;

	asm volatile("invept %[desc], %[type]" CC_SET(na)
		     : CC_OUT(na) (bad)
		     : [desc] "m" (desc), [type] "r" (type) : "cc", "memory");
	if (unlikely(bad))
		vmx_insn_failed("invept", type);
}

static void vmx_invvpid(unsigned long type, u16 vpid)
{
	struct { u64 vpid, gva; } desc = { vpid, 0 };
	bool bad;

	asm volatile("invvpid %[desc], %[type]" CC_SET(na)
		     : CC_OUT(na) (bad)
		     : [desc] "m" (desc), [type] "r" (type) : "cc", "memory");
	if (unlikely(bad))
		vmx_insn_failed("invvpid", type);
}

static int vmx_on(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

static void vmx_off(void)
{
	asm volatile("vmxoff" ::: "cc", "memory");
}

/* ---- load time ---- */

/* Controls @want must be on; @opt may be; the CPU decides the rest. */
static int vmx_adjust(u32 msr, u32 want, u32 opt, u32 *ctl)
{
	u32 must, may;

	rdmsr(msr, must, may);
	*ctl = ((want | opt) & may) | must;
	return (*ctl & want) == want ? 0 : -EOPNOTSUPP;
}

static int vmx_setup_controls(u64 basic)
{
	bool true_ctls = basic & VMX_BASIC_TRUE;
	int ret;

	ret = vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				     MSR_IA32_VMX_PINBASED_CTLS,
			 PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
			 PIN_BASED_VMX_PREEMPTION_TIMER, &vmx_cfg.pin);
	ret = ret ?: vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					    MSR_IA32_VMX_PROCBASED_CTLS,
			 CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
			 CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_MOV_DR_EXITING |
			 CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
			 CPU_BASED_USE_TSC_OFFSETTING | CPU_BASED_RDPMC_EXITING |
			 CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
			 CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0,
			 &vmx_cfg.primary);
	/* RDTSCP, INVPCID and XSAVES stay off: the guest gets #UD. */
	ret = ret ?: vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2,
			 SECONDARY_EXEC_ENABLE_EPT |
			 SECONDARY_EXEC_UNRESTRICTED_GUEST,
			 SECONDARY_EXEC_ENABLE_VPID, &vmx_cfg.secondary);
	ret = ret ?: vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
					    MSR_IA32_VMX_EXIT_CTLS,
			 VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
			 VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT |
			 VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_DEBUG_CONTROLS, 0,
			 &vmx_cfg.exit);
	ret = ret ?: vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
					    MSR_IA32_VMX_ENTRY_CTLS,
			 VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
			 VM_ENTRY_LOAD_DEBUG_CONTROLS, 0, &vmx_cfg.entry);
	vmx_cfg.entry &= ~VM_ENTRY_IA32E_MODE;	/* follows the guest's EFER.LMA */
	vmx_cfg.exit &= ~VM_EXIT_ACK_INTR_ON_EXIT;	/* the host takes it */
	return ret;
}

static int vmx_check_ept(void)
{
	u64 cap;

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, cap);
	vmx_cfg.ept_cap = cap;
	if (!(cap & VMX_EPT_PAGE_WALK_4_BIT) || !(cap & VMX_EPTP_WB_BIT) ||
	    !(cap & VMX_EPT_INVEPT_BIT) ||
	    !(cap & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT)))
		return -EOPNOTSUPP;
	vmx_cfg.vpid = (vmx_cfg.secondary & SECONDARY_EXEC_ENABLE_VPID) &&
		       (cap & ((u64)VMX_VPID_INVVPID_BIT << 32)) &&
		       (cap & ((u64)VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT << 32));
	if (!vmx_cfg.vpid)
		vmx_cfg.secondary &= ~SECONDARY_EXEC_ENABLE_VPID;
	return 0;
}

/*
 * A guest that spins with IF clear must still give the CPU back. External
 * interrupts should make it exit whatever its IF, but Bochs holds them
 * while the guest's IF is clear; the VMX-preemption timer, where there is
 * one, forces an exit every 4 ms of guest time.
 */
static void vmx_setup_preempt_timer(void)
{
	u64 misc, ticks;

	if (!(vmx_cfg.pin & PIN_BASED_VMX_PREEMPTION_TIMER))
		return;
	rdmsrl(MSR_IA32_VMX_MISC, misc);
	ticks = ((u64)(tsc_khz ?: 1000000) * 4) >> (misc & 0x1f);
	vmx_cfg.preempt_ticks = clamp_t(u64, ticks, 1, U32_MAX);
}

static int vmx_read_caps(void)
{
	u64 basic;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	vmx_cfg.revision = basic & 0x7fffffff;
	if (((basic >> 32) & 0x1fff) > PAGE_SIZE ||
	    ((basic >> 50) & 0xf) != VMX_BASIC_MEM_WB)
		return -EOPNOTSUPP;
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, vmx_cfg.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, vmx_cfg.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, vmx_cfg.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, vmx_cfg.cr4_fixed1);
	if (vmx_setup_controls(basic))
		return -EOPNOTSUPP;
	vmx_setup_preempt_timer();
	return vmx_check_ept();
}

/* MSRs the VMCS or the MSR areas switch go straight through. */
static int vmx_alloc_msr_bitmap(void)
{
	static const u32 pass[] = { MSR_FS_BASE, MSR_GS_BASE,
		MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
		MSR_SYSCALL_MASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP };
	unsigned long *map;
	u32 i, bit;

	vmx_msr_bitmap = (void *)__get_free_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		return -ENOMEM;
	memset(vmx_msr_bitmap, 0xff, PAGE_SIZE);
	map = vmx_msr_bitmap;
	for (i = 0; i < ARRAY_SIZE(pass); i++) {
		/* Read bitmaps at 0 (low) and 1 KiB (high), writes 2 KiB on. */
		bit = pass[i] >= 0xc0000000 ? 0x2000 + (pass[i] - 0xc0000000) :
					      pass[i];
		__clear_bit(bit, map);
		__clear_bit(bit + 0x4000, map);
	}
	return 0;
}

static int vmx_probe(void)
{
	u64 feat = 0;
	int ret;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    !(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VT-x is disabled by the firmware (IA32_FEATURE_CONTROL): enable Intel Virtualization Technology in the BIOS setup\n");
		return -EPERM;
	}
	if (__read_cr4() & X86_CR4_VMXE) {
		pr_err("VT-x is already in use by another hypervisor (kvm_intel? VirtualBox?): unload it first\n");
		return -EBUSY;
	}
	ret = vmx_read_caps();
	if (ret) {
		pr_err("VT-x without EPT (4-level, write-back, INVEPT) or unrestricted guest is not supported\n");
		return -ENODEV;
	}
	return vmx_alloc_msr_bitmap();
}

static void vmx_unload(void)
{
	free_page((unsigned long)vmx_msr_bitmap);
}

/* ---- per CPU ---- */

static int vmx_cpu_enable(void)
{
	struct vmm_vmx_cpu *c = this_cpu_ptr(&vmm_vmx_cpu);

	if (__read_cr4() & X86_CR4_VMXE)
		return -EBUSY;		/* another hypervisor took it */
	if (!c->vmxon) {
		c->vmxon = (void *)get_zeroed_page(GFP_ATOMIC);
		if (!c->vmxon)
			return -ENOMEM;
	}
	*(u32 *)c->vmxon = vmx_cfg.revision;
	INIT_LIST_HEAD(&c->loaded);
	c->current_vmcs = NULL;
	cr4_set_bits(X86_CR4_VMXE);
	if (vmx_on(__pa(c->vmxon))) {
		cr4_clear_bits(X86_CR4_VMXE);
		return -EIO;
	}
	c->on = true;
	return 0;
}

static void vmx_clear_here(struct vmm_vmx_vcpu *vmx)
{
	struct vmm_vmx_cpu *c = this_cpu_ptr(&vmm_vmx_cpu);

	lockdep_assert_irqs_disabled();
	vmcs_clear(vmx->vmcs_pa);
	if (c->current_vmcs == vmx)
		c->current_vmcs = NULL;
	list_del(&vmx->loaded_node);
	vmx->launched = false;
	/* The list entry is gone before another CPU may add it again. */
	smp_store_release(&vmx->cpu, -1);
}

static void vmx_cpu_disable(void)
{
	struct vmm_vmx_cpu *c = this_cpu_ptr(&vmm_vmx_cpu);
	struct vmm_vmx_vcpu *vmx, *tmp;

	if (!c->on)
		return;
	list_for_each_entry_safe(vmx, tmp, &c->loaded, loaded_node)
		vmx_clear_here(vmx);
	vmx_off();
	cr4_clear_bits(X86_CR4_VMXE);
	c->on = false;
	free_page((unsigned long)c->vmxon);
	c->vmxon = NULL;
}

/* ---- making a VMCS current ---- */

static void vmx_clear_ipi(void *arg)
{
	struct vmm_vmx_vcpu *vmx = arg;

	if (READ_ONCE(vmx->cpu) == smp_processor_id())
		vmx_clear_here(vmx);
}

static void vmx_clear_remote(struct vmm_vmx_vcpu *vmx)
{
	int cpu = smp_load_acquire(&vmx->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_ipi, vmx, 1);
}

static u64 vmx_tr_base(const struct desc_ptr *gdt)
{
	u16 tr = native_store_tr();
	const struct ldttss_desc *d;

	d = (const struct ldttss_desc *)(gdt->address + (tr & ~7));
	return d->base0 | ((u64)d->base1 << 16) | ((u64)d->base2 << 24) |
	       ((u64)d->base3 << 32);
}

/* The host state that differs per CPU. */
static void vmx_set_host_cpu_state(struct vmm_vmx_cpu *c)
{
	u64 val;

	native_store_gdt(&c->gdt);
	store_idt(&c->idt);
	vmcs_write(HOST_GDTR_BASE, c->gdt.address);
	vmcs_write(HOST_IDTR_BASE, c->idt.address);
	vmcs_write(HOST_TR_BASE, vmx_tr_base(&c->gdt));
	rdmsrl(MSR_GS_BASE, val);
	vmcs_write(HOST_GS_BASE, val);
	rdmsrl(MSR_IA32_SYSENTER_ESP, val);
	vmcs_write(HOST_IA32_SYSENTER_ESP, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmcs_write(HOST_IA32_SYSENTER_EIP, val);
}

/* Make the vCPU's VMCS current on this CPU; preemption stays off until
 * vmx_vcpu_put(). */
static void vmx_vcpu_get(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmm_vmx_cpu *c;
	int cpu;

	lockdep_assert_irqs_enabled();
	cpu = get_cpu();
	c = this_cpu_ptr(&vmm_vmx_cpu);
	if (READ_ONCE(vmx->cpu) == cpu && c->current_vmcs == vmx)
		return;
	if (READ_ONCE(vmx->cpu) != cpu) {
		vmx_clear_remote(vmx);
		local_irq_disable();
		vmcs_clear(vmx->vmcs_pa);
		list_add(&vmx->loaded_node, &c->loaded);
		WRITE_ONCE(vmx->cpu, cpu);
		local_irq_enable();
	}
	/* Another guest ran here: it must not train our branches. */
	indirect_branch_prediction_barrier();
	vmcs_load(vmx->vmcs_pa);
	c->current_vmcs = vmx;
	vmx_set_host_cpu_state(c);
}

static void vmx_vcpu_put(struct vmm_vcpu *vcpu)
{
	put_cpu();
}

/* ---- VMs ---- */

static int vmx_vm_init(struct vmm_vm *vm)
{
	struct vmm_vmx_vm *v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	int vpid;

	if (!v)
		return -ENOMEM;
	if (vmx_cfg.vpid) {
		vpid = ida_alloc_range(&vmx_vpid_ida, 1, 0xffff, GFP_KERNEL);
		if (vpid < 0) {
			kfree(v);
			return -EAGAIN;
		}
		v->vpid = vpid;
	}
	WARN_ON(vm->tdp_levels != 4);
	v->eptp = __pa(vm->tdp_root) | VMX_EPTP_PWL_4 | VMX_EPTP_MT_WB;
	vm->arch = v;
	return 0;
}

static void vmx_vm_uninit(struct vmm_vm *vm)
{
	struct vmm_vmx_vm *v = vm->arch;

	if (v->vpid)
		ida_free(&vmx_vpid_ida, v->vpid);
	kfree(v);
}

/* ---- vCPUs ---- */

/* Segment registers in VMCS order, with their four fields. */
static const struct vmx_seg_field {
	u16 sel, base, limit, ar;
} vmx_segs[] = {
#define SEG(s) { GUEST_##s##_SELECTOR, GUEST_##s##_BASE, GUEST_##s##_LIMIT, \
		 GUEST_##s##_AR_BYTES }
	SEG(ES), SEG(CS), SEG(SS), SEG(DS), SEG(FS), SEG(GS), SEG(LDTR), SEG(TR),
#undef SEG
};

enum { VMX_ES, VMX_CS, VMX_SS, VMX_DS, VMX_FS, VMX_GS, VMX_LDTR, VMX_TR };

static void vmx_write_seg(int seg, u16 sel, u64 base, u32 limit, u32 ar)
{
	const struct vmx_seg_field *f = &vmx_segs[seg];

	vmcs_write(f->sel, sel);
	vmcs_write(f->base, base);
	vmcs_write(f->limit, limit);
	vmcs_write(f->ar, ar);
}

/* The bits of CR0 and CR4 that VMX operation forces on. */
static u64 vmx_cr0_forced(void)
{
	return vmx_cfg.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);
}

static void vmx_set_cr0(struct vmm_vcpu *vcpu, u64 cr0)
{
	vmcs_write(GUEST_CR0, cr0 | vmx_cr0_forced());
	vmcs_write(CR0_READ_SHADOW, cr0);
}

static void vmx_set_cr4(struct vmm_vcpu *vcpu, u64 cr4)
{
	to_vmx(vcpu)->cr4 = cr4;
	vmcs_write(GUEST_CR4, cr4 | vmx_cfg.cr4_fixed0);
	vmcs_write(CR4_READ_SHADOW, cr4);
}

static void vmx_set_efer_state(struct vmm_vcpu *vcpu, u64 efer)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->efer = efer;
	vmx->entry_ctls = vmx_cfg.entry |
			  ((efer & EFER_LMA) ? VM_ENTRY_IA32E_MODE : 0);
	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(VM_ENTRY_CONTROLS, vmx->entry_ctls);
}

/* The architectural state after RESET, as KVM gives a new vCPU. */
static void vmx_reset_state(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	int i;

	vmx_write_seg(VMX_CS, 0xf000, 0xffff0000, 0xffff, 0x9b);
	for (i = VMX_ES; i <= VMX_GS; i++)
		if (i != VMX_CS)
			vmx_write_seg(i, 0, 0, 0xffff, 0x93);
	vmx_write_seg(VMX_LDTR, 0, 0, 0xffff, 0x82);
	vmx_write_seg(VMX_TR, 0, 0, 0xffff, 0x8b);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	vmx_set_cr0(vcpu, X86_CR0_NW | X86_CR0_CD | X86_CR0_ET);
	vmx_set_cr4(vcpu, 0);
	vmcs_write(GUEST_CR3, 0);
	vmx_set_efer_state(vcpu, 0);
	vmcs_write(GUEST_DR7, VMM_DR7_FIXED);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vcpu->rip = 0xfff0;
	vcpu->rflags = 2;
	vmx->dr[6] = DR6_RESERVED;
	vmx->dr[7] = VMM_DR7_FIXED;
}

static void vmx_setup_host(void)
{
	u64 val;

	vmcs_write(HOST_CR0, native_read_cr0());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_write(HOST_RIP, (unsigned long)vmm_vmx_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmcs_write(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_EFER, val);
	vmcs_write(HOST_IA32_EFER, val);
	rdmsrl(MSR_IA32_CR_PAT, val);
	vmcs_write(HOST_IA32_PAT, val);
}

static void vmx_setup_msr_areas(struct vmm_vmx_vcpu *vmx)
{
	static const u32 index[VMX_NR_MSRS] = {
		[VMX_MSR_KGS] = MSR_KERNEL_GS_BASE, [VMX_MSR_STAR] = MSR_STAR,
		[VMX_MSR_LSTAR] = MSR_LSTAR, [VMX_MSR_CSTAR] = MSR_CSTAR,
		[VMX_MSR_SFMASK] = MSR_SYSCALL_MASK,
	};
	struct vmm_vmx_msrs *m = vmx->msrs;
	int i;

	for (i = 0; i < VMX_NR_MSRS; i++) {
		m->guest[i].index = index[i];
		m->host[i].index = index[i];
		if (i != VMX_MSR_KGS)	/* that one is per task: per entry */
			rdmsrl(index[i], m->host[i].value);
	}
	vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, __pa(m->guest));
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, VMX_NR_MSRS);
	vmcs_write(VM_EXIT_MSR_STORE_ADDR, __pa(m->guest));
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, VMX_NR_MSRS);
	vmcs_write(VM_EXIT_MSR_LOAD_ADDR, __pa(m->host));
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, VMX_NR_MSRS);
}

static void vmx_setup_vmcs(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vm *vmx_vm = vcpu->vm->arch;
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->primary = vmx_cfg.primary;
	vmx->secondary = vmx_cfg.secondary;
	vmcs_write(VMCS_LINK_POINTER, -1ULL);
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_cfg.pin);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->primary);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx->secondary);
	vmcs_write(VM_EXIT_CONTROLS, vmx_cfg.exit);
	/* #MC goes to the host; #DB and #AC could loop forever in the guest. */
	vmcs_write(EXCEPTION_BITMAP, BIT(MC_VECTOR) | BIT(DB_VECTOR) |
				     BIT(AC_VECTOR));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(MSR_BITMAP, __pa(vmx_msr_bitmap));
	vmcs_write(EPT_POINTER, vmx_vm->eptp);
	if (vmx_cfg.vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx_vm->vpid);
	/* The guest owns CR0 but for the bits VMX forces; every CR4 write
	 * is checked here. Reads come from the shadows. */
	vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_forced());
	vmcs_write(CR4_GUEST_HOST_MASK, ~0UL);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmx_setup_msr_areas(vmx);
	vmx_setup_host();
	vmx_reset_state(vcpu);
}

static int vmx_vcpu_init(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs)
		goto err_vmx;
	vmx->msrs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->msrs)
		goto err_vmcs;
	*(u32 *)vmx->vmcs = vmx_cfg.revision;
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_node);
	vcpu->arch = vmx;
	vmx_vcpu_get(vcpu);
	vmx_setup_vmcs(vcpu);
	vmx_vcpu_put(vcpu);
	return 0;

err_vmcs:
	free_page((unsigned long)vmx->vmcs);
err_vmx:
	kfree(vmx);
	return -ENOMEM;
}

static void vmx_vcpu_uninit(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_clear_remote(vmx);
	free_page((unsigned long)vmx->msrs);
	free_page((unsigned long)vmx->vmcs);
	kfree(vmx);
}

/* ---- special registers ---- */

static void vmx_get_seg(int seg, struct kvm_segment *k)
{
	const struct vmx_seg_field *f = &vmx_segs[seg];
	u32 ar = vmcs_read(f->ar);

	*k = (struct kvm_segment){ .base = vmcs_read(f->base),
		.limit = vmcs_read(f->limit), .selector = vmcs_read(f->sel),
		.type = ar & 0xf, .s = (ar >> 4) & 1, .dpl = (ar >> 5) & 3,
		.present = (ar >> 7) & 1, .avl = (ar >> 12) & 1,
		.l = (ar >> 13) & 1, .db = (ar >> 14) & 1, .g = (ar >> 15) & 1,
		.unusable = (ar >> 16) & 1 };
}

static void vmx_set_seg(int seg, const struct kvm_segment *k)
{
	u32 ar = VMX_AR_UNUSABLE;

	if (!k->unusable && k->present)
		ar = (k->type & 0xf) | (k->s & 1) << 4 | (k->dpl & 3) << 5 |
		     1 << 7 | (k->avl & 1) << 12 | (k->l & 1) << 13 |
		     (k->db & 1) << 14 | (k->g & 1) << 15;
	vmx_write_seg(seg, k->selector, k->base, k->limit, ar);
}

static u64 vmx_read_cr0(void)
{
	u64 mask = vmx_cr0_forced();

	return (vmcs_read(GUEST_CR0) & ~mask) | (vmcs_read(CR0_READ_SHADOW) & mask);
}

/* In PAE paging the VMCS holds the PDPTEs: reload them from CR3. */
static int vmx_load_pdptrs(struct vmm_vcpu *vcpu, u64 cr0, u64 cr4, u64 cr3,
			   u64 efer, u64 *pdpte)
{
	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || (efer & EFER_LMA))
		return 0;
	return vmm_read_guest(vcpu->vm, cr3 & ~0x1fULL, pdpte, 4 * sizeof(u64));
}

static void vmx_write_pdptrs(const u64 *pdpte)
{
	vmcs_write(GUEST_PDPTR0, pdpte[0]);
	vmcs_write(GUEST_PDPTR1, pdpte[1]);
	vmcs_write(GUEST_PDPTR2, pdpte[2]);
	vmcs_write(GUEST_PDPTR3, pdpte[3]);
}

static void vmx_get_sregs(struct vmm_vcpu *vcpu, struct kvm_sregs *s)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vcpu_get(vcpu);
	vmx_get_seg(VMX_CS, &s->cs);
	vmx_get_seg(VMX_DS, &s->ds);
	vmx_get_seg(VMX_ES, &s->es);
	vmx_get_seg(VMX_FS, &s->fs);
	vmx_get_seg(VMX_GS, &s->gs);
	vmx_get_seg(VMX_SS, &s->ss);
	vmx_get_seg(VMX_TR, &s->tr);
	vmx_get_seg(VMX_LDTR, &s->ldt);
	s->gdt = (struct kvm_dtable){ .base = vmcs_read(GUEST_GDTR_BASE),
				      .limit = vmcs_read(GUEST_GDTR_LIMIT) };
	s->idt = (struct kvm_dtable){ .base = vmcs_read(GUEST_IDTR_BASE),
				      .limit = vmcs_read(GUEST_IDTR_LIMIT) };
	s->cr0 = vmx_read_cr0();
	s->cr3 = vmcs_read(GUEST_CR3);
	vmx_vcpu_put(vcpu);
	s->cr2 = vmx->cr2;
	s->cr4 = vmx->cr4;
	s->cr8 = vmx->cr8;
	s->efer = vmx->efer;
}

static int vmx_set_sregs(struct vmm_vcpu *vcpu, const struct kvm_sregs *s)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 pdpte[4] = { };

	if (s->efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR))
		return -EINVAL;
	/* PDPTEs outside guest memory stay zero, as if not present. */
	vmx_load_pdptrs(vcpu, s->cr0, s->cr4, s->cr3, s->efer, pdpte);
	vmx_vcpu_get(vcpu);
	vmx_set_seg(VMX_CS, &s->cs);
	vmx_set_seg(VMX_DS, &s->ds);
	vmx_set_seg(VMX_ES, &s->es);
	vmx_set_seg(VMX_FS, &s->fs);
	vmx_set_seg(VMX_GS, &s->gs);
	vmx_set_seg(VMX_SS, &s->ss);
	vmx_set_seg(VMX_TR, &s->tr);
	vmx_set_seg(VMX_LDTR, &s->ldt);
	vmcs_write(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, s->idt.limit);
	vmx_set_cr0(vcpu, s->cr0);
	vmx_set_cr4(vcpu, s->cr4);
	vmcs_write(GUEST_CR3, s->cr3);
	vmx_set_efer_state(vcpu, s->efer);
	vmx_write_pdptrs(pdpte);
	vmx_vcpu_put(vcpu);
	vmx->cr2 = s->cr2;
	vmx->cr8 = s->cr8 & 0xf;
	return 0;
}

static u64 vmx_get_cr4(struct vmm_vcpu *vcpu)
{
	return to_vmx(vcpu)->cr4;
}

/* ---- MSRs the VMCS or the MSR areas hold ---- */

static int vmx_msr_field(u32 index)
{
	switch (index) {
	case MSR_FS_BASE: return GUEST_FS_BASE;
	case MSR_GS_BASE: return GUEST_GS_BASE;
	case MSR_IA32_SYSENTER_CS: return GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP: return GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP: return GUEST_SYSENTER_EIP;
	case MSR_IA32_CR_PAT: return GUEST_IA32_PAT;
	default: return -1;
	}
}

static u64 *vmx_msr_slot(struct vmm_vcpu *vcpu, u32 index)
{
	struct vmx_msr_entry *g = to_vmx(vcpu)->msrs->guest;
	int i;

	for (i = 0; i < VMX_NR_MSRS; i++)
		if (g[i].index == index)
			return &g[i].value;
	return NULL;
}

static int vmx_get_msr(struct vmm_vcpu *vcpu, u32 index, u64 *data)
{
	u64 *slot = vmx_msr_slot(vcpu, index);
	int field = vmx_msr_field(index);

	if (index == MSR_EFER) {
		*data = to_vmx(vcpu)->efer;
		return 0;
	}
	if (slot) {
		*data = *slot;
		return 0;
	}
	if (field < 0)
		return -ENOENT;
	vmx_vcpu_get(vcpu);
	*data = vmcs_read(field);
	vmx_vcpu_put(vcpu);
	return 0;
}

static int vmx_set_efer(struct vmm_vcpu *vcpu, u64 data)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	int ret = 0;

	if (data & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR))
		return -EINVAL;
	vmx_vcpu_get(vcpu);
	/* LME cannot change while paging is on; LMA is the CPU's. */
	if ((vmx_read_cr0() & X86_CR0_PG) && ((data ^ vmx->efer) & EFER_LME))
		ret = -EINVAL;
	else
		vmx_set_efer_state(vcpu, (data & ~EFER_LMA) |
					 (vmx->efer & EFER_LMA));
	vmx_vcpu_put(vcpu);
	return ret;
}

static int vmx_set_msr(struct vmm_vcpu *vcpu, u32 index, u64 data)
{
	u64 *slot = vmx_msr_slot(vcpu, index);
	int field = vmx_msr_field(index);

	if (index == MSR_EFER)
		return vmx_set_efer(vcpu, data);
	if (!slot && field < 0)
		return -ENOENT;
	if ((index == MSR_FS_BASE || index == MSR_GS_BASE ||
	     index == MSR_KERNEL_GS_BASE || index == MSR_LSTAR ||
	     index == MSR_CSTAR || index == MSR_IA32_SYSENTER_ESP ||
	     index == MSR_IA32_SYSENTER_EIP) && !__is_canonical_address(data, 48))
		return -EINVAL;
	if (slot) {
		*slot = data;
		return 0;
	}
	vmx_vcpu_get(vcpu);
	vmcs_write(field, data);
	vmx_vcpu_put(vcpu);
	return 0;
}

/* ---- events ---- */

/*
 * The guest's interruptibility for the next entry. An STI or MOV SS
 * shadow covers the one instruction at the exit's RIP and ends with it:
 * whoever moved RIP since, skipping or emulating that instruction (an
 * MMIO access, I/O, HLT), ended the shadow.
 */
static u32 vmx_intr_state(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);

	if (vcpu->rip != vmx->exit_rip)
		return vmx->intr_state & ~VMX_INTR_SHADOW;
	return vmx->intr_state;
}

static bool vmx_interrupt_allowed(struct vmm_vcpu *vcpu)
{
	return (vcpu->rflags & X86_EFLAGS_IF) &&
	       !(vmx_intr_state(vcpu) & VMX_INTR_SHADOW) && !to_vmx(vcpu)->reinject;
}

/* Choose what to inject on this entry: an event the last exit interrupted,
 * then a queued exception, then the queued interrupt if the guest can take
 * it now; otherwise ask for an exit when it can. VMCS current. */
static void vmx_inject_events(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = 0, err = 0;
	bool pe = vmcs_read(GUEST_CR0) & X86_CR0_PE;

	if (vmx->reinject) {
		info = vmx->reinject;
		err = vmx->reinject_err;
		vmx->reinject = 0;
	} else if (vcpu->exc.pending) {
		info = vcpu->exc.vector | INTR_TYPE_HARD_EXCEPTION |
		       INTR_INFO_VALID_MASK;
		err = vcpu->exc.error;
		if (vcpu->exc.has_error)
			info |= INTR_INFO_DELIVER_CODE_MASK;
		vcpu->exc.pending = false;
	} else if (vcpu->irq.pending && vmx_interrupt_allowed(vcpu)) {
		info = vcpu->irq.vector | INTR_TYPE_EXT_INTR |
		       INTR_INFO_VALID_MASK;
		vcpu->irq.pending = false;
	}
	/* Real mode delivers no error code. */
	if (!pe)
		info &= ~INTR_INFO_DELIVER_CODE_MASK;
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
	if (info & INTR_INFO_DELIVER_CODE_MASK)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, err);
	vmx->primary &= ~CPU_BASED_INTR_WINDOW_EXITING;
	if (vmm_vcpu_want_irq_window(vcpu))
		vmx->primary |= CPU_BASED_INTR_WINDOW_EXITING;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->primary);
}

/* An exit during event delivery: deliver it again (INTn and INT3 are
 * re-executed instead, since RIP still points at them). */
static void vmx_save_interrupted_event(struct vmm_vmx_vcpu *vmx)
{
	u32 info = vmcs_read(IDT_VECTORING_INFO_FIELD);
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	if (!(info & VECTORING_INFO_VALID_MASK) ||
	    type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		return;
	vmx->reinject = info & (VECTORING_INFO_VECTOR_MASK |
				VECTORING_INFO_TYPE_MASK |
				VECTORING_INFO_DELIVER_CODE_MASK |
				VECTORING_INFO_VALID_MASK);
	vmx->reinject_err = vmcs_read(IDT_VECTORING_ERROR_CODE);
}

/* ---- the world switch ---- */

static void vmx_load_guest(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);

	vmcs_write(GUEST_RSP, vcpu->gprs[VMM_RSP]);
	vmcs_write(GUEST_RIP, vcpu->rip);
	vmcs_write(GUEST_RFLAGS, vcpu->rflags);
	vmx->intr_state = vmx_intr_state(vcpu);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, vmx->intr_state);
	vmcs_write(TSC_OFFSET, vcpu->tsc_offset);
	if (vmx_cfg.preempt_ticks)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_cfg.preempt_ticks);
}

/* What the exit handlers need, read while the VMCS is current. */
static void vmx_store_guest(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmm_vmx_exit *e = &vmx->exit;

	e->reason = vmcs_read(VM_EXIT_REASON);
	e->qual = vmcs_read(EXIT_QUALIFICATION);
	e->intr_info = vmcs_read(VM_EXIT_INTR_INFO);
	e->intr_error = vmcs_read(VM_EXIT_INTR_ERROR_CODE);
	e->insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	e->gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
	vcpu->gprs[VMM_RSP] = vmcs_read(GUEST_RSP);
	vcpu->rip = vmcs_read(GUEST_RIP);
	vmx->exit_rip = vcpu->rip;
	vcpu->rflags = vmcs_read(GUEST_RFLAGS);
	vmx->intr_state = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	/* The guest may have turned long mode on or off by itself. */
	vmx->efer = vmcs_read(GUEST_IA32_EFER);
	vmx->entry_ctls = vmcs_read(VM_ENTRY_CONTROLS);
	if (!(e->reason & VMX_EXIT_FAILED_ENTRY))
		vmx_save_interrupted_event(vmx);
}

/* Host state that a VM exit does not restore. */
struct vmx_host_state {
	u16 fs_sel, gs_sel, ldt_sel;
	u64 debugctl;
};

static void vmx_save_host(struct vmm_vmx_vcpu *vmx, struct vmx_host_state *h)
{
	u64 fs_base;

	savesegment(fs, h->fs_sel);
	savesegment(gs, h->gs_sel);
	store_ldt(h->ldt_sel);
	rdmsrl(MSR_FS_BASE, fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->msrs->host[VMX_MSR_KGS].value);
	rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	vmcs_write(HOST_FS_SELECTOR, (h->fs_sel & 7) ? 0 : h->fs_sel);
	vmcs_write(HOST_GS_SELECTOR, (h->gs_sel & 7) ? 0 : h->gs_sel);
	vmcs_write(HOST_FS_BASE, fs_base);
	vmcs_write(HOST_CR3, __read_cr3());
	vmcs_write(HOST_CR4, __read_cr4());
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
}

static void vmx_restore_host(struct vmm_vmx_vcpu *vmx,
			     const struct vmx_host_state *h)
{
	struct vmm_vmx_cpu *c = this_cpu_ptr(&vmm_vmx_cpu);

	vmx->cr2 = native_read_cr2();
	/* A VM exit leaves GDTR.limit 0xffff, LDTR null, TR.limit 0x67. */
	native_load_gdt(&c->gdt);
	if (h->ldt_sel || (h->gs_sel & 7)) {
		if (h->ldt_sel)
			asm volatile("lldt %0" : : "rm" (h->ldt_sel));
		load_gs_index(h->gs_sel);
		wrmsrl(MSR_KERNEL_GS_BASE, vmx->msrs->host[VMX_MSR_KGS].value);
	}
	if (h->fs_sel & 7)
		loadsegment(fs, h->fs_sel);
	invalidate_tss_limit();
	if (h->debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

static void vmx_flush_tlb(struct vmm_vcpu *vcpu, int cpu)
{
	struct vmm_vmx_vm *vmx_vm = vcpu->vm->arch;

	if (!vmm_vcpu_tlb_stale(vcpu, cpu))
		return;
	if (vmx_cfg.ept_cap & VMX_EPT_EXTENT_CONTEXT_BIT)
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, vmx_vm->eptp);
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (vmx_cfg.vpid)
		vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vmx_vm->vpid);
}

/* IRQs off, VMCS current: 0 after a VM exit, 1 on VMfail. */
static int vmx_switch(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_state h;
	int fail;

	vmx_flush_tlb(vcpu, smp_processor_id());
	vmx_save_host(vmx, &h);
	vmm_guest_enter_prepare(vcpu);
	fail = vmm_vmx_enter(vcpu->gprs, vmx->launched);
	vmm_guest_exit_finish(vcpu);
	vmx_restore_host(vmx, &h);
	return fail;
}

/* A host NMI or #MC arrived in the guest: hand it to the host's handler. */
static void vmx_handle_nmi_mce(struct vmm_vcpu *vcpu)
{
	u32 info = to_vmx(vcpu)->exit.intr_info;

	if ((to_vmx(vcpu)->exit.reason & 0xffff) != EXIT_REASON_EXCEPTION_NMI ||
	    !(info & INTR_INFO_VALID_MASK))
		return;
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		asm volatile("int $2");
	else if ((info & INTR_INFO_VECTOR_MASK) == MC_VECTOR)
		asm volatile("int $18");
}

/* After a failed VM entry the launch state is unknown: start it over. */
static void vmx_reset_launch(struct vmm_vmx_vcpu *vmx)
{
	vmcs_clear(vmx->vmcs_pa);
	vmcs_load(vmx->vmcs_pa);
	vmx->launched = false;
}

static int vmx_handle_exit(struct vmm_vcpu *vcpu);
static int vmx_exit_vmfail(struct vmm_vcpu *vcpu, u32 error);

static int vmx_vcpu_run(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 error = 0;
	int fail;

	vmx_vcpu_get(vcpu);
	vmx_load_guest(vcpu);
	local_irq_disable();
	if (vmm_vcpu_must_exit(vcpu)) {
		local_irq_enable();
		vmx_vcpu_put(vcpu);
		return 1;
	}
	/* Only now: an event taken from the queues must reach this entry. */
	vmx_inject_events(vcpu);
	fail = vmx_switch(vcpu);
	if (fail) {
		error = vmcs_read(VM_INSTRUCTION_ERROR);
	} else {
		vmx_store_guest(vcpu);
		vmx_handle_nmi_mce(vcpu);
		vmx->launched = !(vmx->exit.reason & VMX_EXIT_FAILED_ENTRY);
		if (!vmx->launched)
			vmx_reset_launch(vmx);
	}
	local_irq_enable();
	vmx_vcpu_put(vcpu);
	if (fail)
		return vmx_exit_vmfail(vcpu, error);
	return vmx_handle_exit(vcpu);
}

/* ---- exits ---- */

/* Step over the intercepted instruction, unless it raised an exception. */
static int vmx_skip(struct vmm_vcpu *vcpu, int ret)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);

	if (vcpu->exc.pending)
		return 1;
	vcpu->rip += vmx->exit.insn_len;	/* ends any shadow: vmx_intr_state() */
	return ret;
}

static int vmx_exit_vmfail(struct vmm_vcpu *vcpu, u32 error)
{
	struct kvm_run *run = vcpu->run;

	vcpu->stats[VMM_STAT_OTHER]++;
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = error;
	run->fail_entry.cpu = vcpu->last_cpu;
	return 0;
}

static int vmx_exit_fail_entry(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	vcpu->stats[VMM_STAT_OTHER]++;
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = to_vmx(vcpu)->exit.reason;
	run->fail_entry.cpu = vcpu->last_cpu;
	return 0;
}

static int vmx_exit_io(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 qual = vmx->exit.qual;
	u8 size = (qual & VMX_IO_SIZE) + 1;
	u16 port = qual >> 16;
	bool in = qual & VMX_IO_IN;

	if (qual & VMX_IO_STRING)
		return vmm_exit_io_string(vcpu, port, size, in,
					  qual & VMX_IO_REP, 0,
					  vcpu->rip + vmx->exit.insn_len);
	vcpu->rip += vmx->exit.insn_len;
	return vmm_exit_io(vcpu, port, size, in);
}

static int vmx_exit_ept_violation(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_exit *e = &to_vmx(vcpu)->exit;
	int ret;

	vcpu->stats[VMM_STAT_NPF]++;
	ret = vmm_tdp_fault(vcpu, e->gpa, e->qual & VMX_EPT_WRITE);
	if (ret != -ENOENT)
		return ret;
	return vmm_exit_mmio(vcpu, e->gpa, NULL, 0);
}

/* #DB, #AC (intercepted so they cannot loop) go back to the guest. */
static int vmx_exit_exception(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = vmx->exit.intr_info;
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR) {
		vcpu->stats[VMM_STAT_NMI]++;
		return 1;
	}
	vcpu->stats[VMM_STAT_EXCEPTION]++;
	switch (vector) {
	case MC_VECTOR:
		return 1;
	case DB_VECTOR:
		vmx->dr[6] = (vmx->dr[6] & ~(DR_TRAP_BITS | DR_STEP)) |
			     DR6_RESERVED | (vmx->exit.qual & 0x600f);
		/* ICEBP: the trap comes after the instruction. */
		if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION)
			vcpu->rip += vmx->exit.insn_len;
		vmm_vcpu_queue_exception(vcpu, DB_VECTOR, false, 0);
		return 1;
	case AC_VECTOR:
		vmm_vcpu_queue_exception(vcpu, AC_VECTOR, true,
					 vmx->exit.intr_error);
		return 1;
	default:
		return vmm_exit_internal(vcpu,
				KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, info);
	}
}

/* MOV to/from DR0-7: the guest's values are kept here, never loaded. */
static int vmx_exit_dr(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 qual = vmx->exit.qual;
	int dr = qual & 7, gpr = (qual >> 8) & 0xf;

	if (dr == 4 || dr == 5)
		dr += 2;
	if (qual & BIT(4))
		vcpu->gprs[gpr] = vmx->dr[dr];
	else if (dr == 6)
		vmx->dr[6] = (vcpu->gprs[gpr] & 0xffffffffULL) | DR6_RESERVED;
	else if (dr == 7)
		vmx->dr[7] = (vcpu->gprs[gpr] & 0xffffffffULL) | VMM_DR7_FIXED;
	else
		vmx->dr[dr] = vcpu->gprs[gpr];
	return vmx_skip(vcpu, 1);
}

static bool vmx_cr0_valid(struct vmm_vcpu *vcpu, u64 old, u64 cr0)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);

	if ((cr0 >> 32) || ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)) ||
	    ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)))
		return false;
	/* Long mode needs PAE before paging goes on. */
	return !((cr0 & X86_CR0_PG) && !(old & X86_CR0_PG) &&
		 (vmx->efer & EFER_LME) && !(vmx->cr4 & X86_CR4_PAE));
}

/* MOV to CR0, CR3 or CR4: check, then write what the guest asked. */
static int vmx_write_cr(struct vmm_vcpu *vcpu, int cr, u64 val)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 cr0, cr3, cr4, efer, pdpte[4] = { };

	vmx_vcpu_get(vcpu);
	cr0 = vmx_read_cr0();
	cr3 = vmcs_read(GUEST_CR3);
	vmx_vcpu_put(vcpu);
	cr4 = vmx->cr4;
	efer = vmx->efer;
	if (cr == 0) {
		if (!vmx_cr0_valid(vcpu, cr0, val))
			goto gp;
		if ((efer & EFER_LME) && (val & X86_CR0_PG))
			efer |= EFER_LMA;
		else
			efer &= ~EFER_LMA;
		cr0 = val;
	} else if (cr == 4) {
		if ((val & ~VMX_CR4_GUEST_BITS) ||
		    (val & ~vmx_cfg.cr4_fixed1) ||
		    ((efer & EFER_LMA) && !(val & X86_CR4_PAE)))
			goto gp;
		cr4 = val;
	} else {
		cr3 = val;
	}
	if (vmx_load_pdptrs(vcpu, cr0, cr4, cr3, efer, pdpte))
		goto gp;
	vmx_vcpu_get(vcpu);
	vmx_set_cr0(vcpu, cr0);
	vmx_set_cr4(vcpu, cr4);
	vmcs_write(GUEST_CR3, cr3);
	vmx_set_efer_state(vcpu, efer);
	vmx_write_pdptrs(pdpte);
	vmx_vcpu_put(vcpu);
	return vmx_skip(vcpu, 1);
gp:
	vmm_inject_gp(vcpu);
	return 1;
}

static int vmx_exit_cr(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u64 qual = vmx->exit.qual;
	int cr = qual & 0xf, gpr = (qual >> 8) & 0xf;
	u64 *reg = &vcpu->gprs[gpr];

	switch ((qual >> 4) & 3) {
	case 0:					/* MOV to CR */
		if (cr == 8) {
			if (*reg & ~0xfULL)
				break;
			vmx->cr8 = *reg;
			return vmx_skip(vcpu, 1);
		}
		if (cr == 0 || cr == 3 || cr == 4)
			return vmx_write_cr(vcpu, cr, *reg);
		break;
	case 1:					/* MOV from CR */
		if (cr == 8) {
			*reg = vmx->cr8;
			return vmx_skip(vcpu, 1);
		}
		if (cr == 3) {
			vmx_vcpu_get(vcpu);
			*reg = vmcs_read(GUEST_CR3);
			vmx_vcpu_put(vcpu);
			return vmx_skip(vcpu, 1);
		}
		break;
	}
	return vmm_exit_internal(vcpu, KVM_INTERNAL_ERROR_EMULATION, qual);
}

static int vmx_exit_ud(struct vmm_vcpu *vcpu)
{
	vcpu->stats[VMM_STAT_EXCEPTION]++;
	vmm_inject_ud(vcpu);
	return 1;
}

static int vmx_handle_exit(struct vmm_vcpu *vcpu)
{
	struct vmm_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 reason = vmx->exit.reason;

	if (reason & VMX_EXIT_FAILED_ENTRY)
		return vmx_exit_fail_entry(vcpu);
	switch (reason & 0xffff) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:
		vcpu->stats[VMM_STAT_INTR]++;
		return 1;
	case EXIT_REASON_EXCEPTION_NMI:
		return vmx_exit_exception(vcpu);
	case EXIT_REASON_TRIPLE_FAULT:
		return vmm_exit_shutdown(vcpu);
	case EXIT_REASON_INIT_SIGNAL:
	case EXIT_REASON_SIPI_SIGNAL:
		return 1;
	case EXIT_REASON_INTERRUPT_WINDOW:
		vmx->primary &= ~CPU_BASED_INTR_WINDOW_EXITING;
		return vmm_exit_irq_window(vcpu);
	case EXIT_REASON_CPUID:
		return vmx_skip(vcpu, vmm_exit_cpuid(vcpu));
	case EXIT_REASON_HLT:
		return vmx_skip(vcpu, vmm_exit_hlt(vcpu));
	case EXIT_REASON_INVD:
		return vmx_skip(vcpu, 1);
	case EXIT_REASON_IO_INSTRUCTION:
		return vmx_exit_io(vcpu);
	case EXIT_REASON_MSR_READ:
		return vmx_skip(vcpu, vmm_exit_rdmsr(vcpu));
	case EXIT_REASON_MSR_WRITE:
		return vmx_skip(vcpu, vmm_exit_wrmsr(vcpu));
	case EXIT_REASON_XSETBV:
		return vmx_skip(vcpu, vmm_exit_xsetbv(vcpu));
	case EXIT_REASON_CR_ACCESS:
		return vmx_exit_cr(vcpu);
	case EXIT_REASON_DR_ACCESS:
		return vmx_exit_dr(vcpu);
	case EXIT_REASON_EPT_VIOLATION:
		return vmx_exit_ept_violation(vcpu);
	case EXIT_REASON_RDPMC:
		vcpu->stats[VMM_STAT_EXCEPTION]++;
		vmm_inject_gp(vcpu);
		return 1;
	case EXIT_REASON_VMCALL ... EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case VMX_EXIT_REASON_GETSEC:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_MWAIT_INSTRUCTION:
		/* No nested VMX, SMX or MONITOR/MWAIT for guests. */
		return vmx_exit_ud(vcpu);
	case EXIT_REASON_EPT_MISCONFIG:
		return vmm_exit_internal(vcpu, KVM_INTERNAL_ERROR_EMULATION,
					 vmx->exit.gpa);
	default:
		return vmm_exit_internal(vcpu,
				KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, reason);
	}
}

static int vmx_tdp_levels(void)
{
	return 4;
}

static u64 vmx_tdp_table(phys_addr_t pa)
{
	return pa | VMX_EPT_RWX_MASK;
}

static u64 vmx_tdp_leaf(phys_addr_t pa)
{
	return pa | VMX_EPT_RWX_MASK | VMX_EPT_MT_WB;
}

const struct vmm_backend vmm_vmx_backend = {
	.name			= "vmx",
	.probe			= vmx_probe,
	.unload			= vmx_unload,
	.cpu_enable		= vmx_cpu_enable,
	.cpu_disable		= vmx_cpu_disable,
	.vm_init		= vmx_vm_init,
	.vm_uninit		= vmx_vm_uninit,
	.vcpu_init		= vmx_vcpu_init,
	.vcpu_uninit		= vmx_vcpu_uninit,
	.vcpu_run		= vmx_vcpu_run,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.get_cr4		= vmx_get_cr4,
	.interrupt_allowed	= vmx_interrupt_allowed,
	.tdp_levels		= vmx_tdp_levels,
	.tdp_table		= vmx_tdp_table,
	.tdp_leaf		= vmx_tdp_leaf,
};
