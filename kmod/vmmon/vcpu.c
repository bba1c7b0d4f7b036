// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: the vCPU file descriptor, its mmap'ed struct kvm_run, its ioctls,
 * the run loop, and the exit handlers both backends share.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/mm.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>

#include <compat.h>

#include "backend.h"
#include "procfs.h"

#define VMM_RFLAGS_IF	(1UL << 9)

static u64 vmm_host_xcr0;
static bool vmm_host_pku;

void vmm_vcpu_host_init(void)
{
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		vmm_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	vmm_host_pku = boot_cpu_has(X86_FEATURE_OSPKE);
}

u64 vmm_supported_xcr0(void)
{
	/* x87, SSE, AVX and the AVX-512 state: no dynamic (AMX) features. */
	return vmm_host_xcr0 & (XFEATURE_MASK_FPSSE | XFEATURE_MASK_YMM |
				XFEATURE_MASK_AVX512);
}

long vmm_dev_get_vcpu_mmap_size(void)
{
	return PAGE_SIZE;
}

static vm_fault_t vmm_vcpu_fault(struct vm_fault *vmf)
{
	struct vmm_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct vmm_vcpu_vm_ops = {
	.fault = vmm_vcpu_fault,
};

static int vmm_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	vma->vm_ops = &vmm_vcpu_vm_ops;
	return 0;
}

void vmm_vcpu_queue_exception(struct vmm_vcpu *vcpu, u8 vector,
			      bool has_error, u32 error)
{
	vcpu->exc.pending = true;
	vcpu->exc.vector = vector;
	vcpu->exc.has_error = has_error;
	vcpu->exc.error = error;
}

bool vmm_vcpu_want_irq_window(struct vmm_vcpu *vcpu)
{
	return vcpu->irq.pending || READ_ONCE(vcpu->run->request_interrupt_window);
}

/* ---- exits shared by the backends ---- */

int vmm_exit_io(struct vmm_vcpu *vcpu, u16 port, u8 size, bool in)
{
	struct kvm_run *run = vcpu->run;

	vcpu->stats[VMM_STAT_IO]++;
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = VMMON_PIO_OFFSET;
	if (in)
		vcpu->complete = VMM_COMPLETE_PIO_IN;
	else
		memcpy((u8 *)run + VMMON_PIO_OFFSET, &vcpu->gprs[VMM_RAX], size);
	return 0;
}

static void vmm_complete_pio_in(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u64 *rax = &vcpu->gprs[VMM_RAX];
	u32 val = 0;

	memcpy(&val, (u8 *)run + VMMON_PIO_OFFSET, run->io.size);
	switch (run->io.size) {
	case 1:
		*rax = (*rax & ~0xffULL) | (u8)val;
		break;
	case 2:
		*rax = (*rax & ~0xffffULL) | (u16)val;
		break;
	default:
		*rax = val;	/* a 32-bit write zero-extends */
		break;
	}
}

int vmm_exit_hlt(struct vmm_vcpu *vcpu)
{
	vcpu->stats[VMM_STAT_HLT]++;
	/* An interrupt already queued wakes the HLT at once (STI; HLT). */
	if (vcpu->irq.pending && (vcpu->rflags & VMM_RFLAGS_IF))
		return 1;
	vcpu->run->exit_reason = KVM_EXIT_HLT;
	return 0;
}

int vmm_exit_shutdown(struct vmm_vcpu *vcpu)
{
	vcpu->stats[VMM_STAT_SHUTDOWN]++;
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

int vmm_exit_internal(struct vmm_vcpu *vcpu, u32 suberror, u64 info)
{
	struct kvm_run *run = vcpu->run;

	vcpu->stats[VMM_STAT_OTHER]++;
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 2;
	run->internal.data[0] = info;
	run->internal.data[1] = vcpu->rip;
	return 0;
}

int vmm_exit_irq_window(struct vmm_vcpu *vcpu)
{
	vcpu->stats[VMM_STAT_IRQ_WINDOW]++;
	if (vcpu->irq.pending || !READ_ONCE(vcpu->run->request_interrupt_window))
		return 1;	/* the pending vector goes in on re-entry */
	vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
	return 0;
}

/* Whether the guest may set XCR0 to @val (the SDM's rules for XSETBV). */
static bool vmm_xcr0_valid(u64 val)
{
	return (val & XFEATURE_MASK_FP) && !(val & ~vmm_supported_xcr0()) &&
	       (!(val & XFEATURE_MASK_YMM) || (val & XFEATURE_MASK_SSE)) &&
	       (!(val & XFEATURE_MASK_AVX512) ||
		((val & XFEATURE_MASK_AVX512) == XFEATURE_MASK_AVX512 &&
		 (val & XFEATURE_MASK_YMM)));
}

int vmm_exit_xsetbv(struct vmm_vcpu *vcpu)
{
	u64 val = (vcpu->gprs[VMM_RDX] << 32) | (u32)vcpu->gprs[VMM_RAX];

	vcpu->stats[VMM_STAT_XSETBV]++;
	if ((u32)vcpu->gprs[VMM_RCX] != 0 || !vmm_xcr0_valid(val)) {
		vmm_inject_gp(vcpu);
		return 1;
	}
	vcpu->xcr0 = val;
	return 1;
}

/* ---- around the world switch (IRQs off) ---- */

bool vmm_vcpu_must_exit(struct vmm_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->last_cpu, smp_processor_id());
	smp_store_mb(vcpu->mode, VMM_IN_GUEST);
	if (signal_pending(current) || need_resched()) {
		WRITE_ONCE(vcpu->mode, VMM_OUTSIDE_GUEST);
		return true;
	}
	return false;
}

/* Whether the guest's translations on @cpu may be stale: the VM's tables
 * changed or the vCPU moved. Call after vmm_vcpu_must_exit(). */
bool vmm_vcpu_tlb_stale(struct vmm_vcpu *vcpu, int cpu)
{
	int gen = atomic_read(&vcpu->vm->tlb_gen);
	bool stale = gen != vcpu->tlb_gen || cpu != vcpu->flush_cpu;

	vcpu->tlb_gen = gen;
	vcpu->flush_cpu = cpu;
	return stale;
}

/*
 * Give the host its XCR0 back. XSETBV always exits on hardware, but QEMU's
 * TCG runs it inside the guest even when intercepted: what the guest set is
 * then only in the register. Take it as the guest's (within what it may
 * set), so that CPUID leaf 0xD and the next entry agree with the guest.
 */
static void vmm_guest_xcr0_restore(struct vmm_vcpu *vcpu)
{
	u64 now = xgetbv(XCR_XFEATURE_ENABLED_MASK);

	if (unlikely(now != vcpu->xcr0)) {
		pr_info_once("vmmon: this CPU let a guest run XSETBV without an exit; following its XCR0\n");
		if (vmm_xcr0_valid(now))
			vcpu->xcr0 = now;
	}
	if (now != vmm_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vmm_host_xcr0);
}

void vmm_guest_enter_prepare(struct vmm_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();
	/*
	 * The guest's FPU state is this task's (vmm_vcpu_run() swapped it
	 * in), but the registers hold it only until the task is scheduled
	 * out or the kernel uses the FPU; after that Linux reloads them
	 * lazily, on the way back to user space. The guest is not user
	 * space: reload them now, or it runs on another task's FPU and
	 * SSE registers and its own changes are lost at the next switch.
	 */
	fpregs_assert_state_consistent();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	/* A host without XSAVE (Bochs' CPU models) has no XCR0 to switch. */
	if (vmm_host_xcr0 && vcpu->xcr0 != vmm_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	vcpu->enter_ns = local_clock();
}

void vmm_guest_exit_finish(struct vmm_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();
	WRITE_ONCE(vcpu->mode, VMM_OUTSIDE_GUEST);
	vcpu->guest_ns += local_clock() - vcpu->enter_ns;
	if (vmm_host_xcr0)
		vmm_guest_xcr0_restore(vcpu);
	/* The guest may have set CR4.PKE and changed PKRU. */
	if (vmm_host_pku && rdpkru() != vcpu->host_pkru)
		wrpkru(vcpu->host_pkru);
}

/* ---- KVM_RUN ---- */

static void vmm_vcpu_complete(struct vmm_vcpu *vcpu)
{
	switch (vcpu->complete) {
	case VMM_COMPLETE_PIO_IN:
		vmm_complete_pio_in(vcpu);
		break;
	case VMM_COMPLETE_PIO_STRING_IN:
		vmm_complete_pio_string_in(vcpu);
		break;
	case VMM_COMPLETE_MMIO_READ:
		vmm_complete_mmio_read(vcpu);
		break;
	case VMM_COMPLETE_NONE:
		break;
	}
	vcpu->complete = VMM_COMPLETE_NONE;
}

static void vmm_vcpu_report(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(vcpu->rflags & VMM_RFLAGS_IF);
	run->ready_for_interrupt_injection = !vcpu->irq.pending &&
		vmm_backend->interrupt_allowed(vcpu);
	run->apic_base = vcpu->apic_base;
	run->flags = 0;
}

static int vmm_vcpu_run(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	int ret;

	vmm_vcpu_complete(vcpu);
	if (vmw_run_immediate_exit(run)) {
		run->exit_reason = KVM_EXIT_INTR;
		vcpu->stats[VMM_STAT_INTR]++;
		return -EINTR;
	}
	run->exit_reason = KVM_EXIT_UNKNOWN;
	vcpu->tid = task_pid_nr(current);
	vcpu->state = "running";
	vcpu->host_pkru = vmm_host_pku ? rdpkru() : 0;
	fpu_swap_kvm_fpstate(&vcpu->fpu, true);
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			vcpu->stats[VMM_STAT_INTR]++;
			ret = -EINTR;
			break;
		}
		cond_resched();
		ret = vmm_backend->vcpu_run(vcpu);
		if (ret <= 0)
			break;
	}
	fpu_swap_kvm_fpstate(&vcpu->fpu, false);
	vcpu->state = run->exit_reason == KVM_EXIT_HLT ? "halted" :
		      run->exit_reason == KVM_EXIT_SHUTDOWN ? "shutdown" : "stopped";
	vmm_vcpu_report(vcpu);
	return ret;
}

/* ---- register ioctls ---- */

static void vmm_get_regs(struct vmm_vcpu *vcpu, struct kvm_regs *r)
{
	const u64 *g = vcpu->gprs;

	*r = (struct kvm_regs){
		.rax = g[VMM_RAX], .rbx = g[VMM_RBX], .rcx = g[VMM_RCX],
		.rdx = g[VMM_RDX], .rsi = g[VMM_RSI], .rdi = g[VMM_RDI],
		.rsp = g[VMM_RSP], .rbp = g[VMM_RBP], .r8 = g[VMM_R8],
		.r9 = g[VMM_R9], .r10 = g[VMM_R10], .r11 = g[VMM_R11],
		.r12 = g[VMM_R12], .r13 = g[VMM_R13], .r14 = g[VMM_R14],
		.r15 = g[VMM_R15], .rip = vcpu->rip, .rflags = vcpu->rflags,
	};
}

static void vmm_set_regs(struct vmm_vcpu *vcpu, const struct kvm_regs *r)
{
	u64 *g = vcpu->gprs;

	g[VMM_RAX] = r->rax; g[VMM_RBX] = r->rbx; g[VMM_RCX] = r->rcx;
	g[VMM_RDX] = r->rdx; g[VMM_RSI] = r->rsi; g[VMM_RDI] = r->rdi;
	g[VMM_RSP] = r->rsp; g[VMM_RBP] = r->rbp; g[VMM_R8] = r->r8;
	g[VMM_R9] = r->r9; g[VMM_R10] = r->r10; g[VMM_R11] = r->r11;
	g[VMM_R12] = r->r12; g[VMM_R13] = r->r13; g[VMM_R14] = r->r14;
	g[VMM_R15] = r->r15;
	vcpu->rip = r->rip;
	/* Bit 1 is always set; reserved bits are cleared. */
	vcpu->rflags = (r->rflags & 0x3f7fd7) | 2;
	vcpu->complete = VMM_COMPLETE_NONE;
}

static long vmm_ioctl_regs(struct vmm_vcpu *vcpu, unsigned int cmd,
			   void __user *argp)
{
	struct kvm_regs regs;

	if (cmd == KVM_GET_REGS) {
		vmm_get_regs(vcpu, &regs);
		return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
	}
	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	vmm_set_regs(vcpu, &regs);
	return 0;
}

/* The architectural consistency rules KVM_SET_SREGS enforces (as KVM). */
static bool vmm_sregs_valid(const struct kvm_sregs *s)
{
	bool lme_pg = (s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG);

	if ((s->cr0 >> 32) || ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)) ||
	    ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE)))
		return false;
	if (lme_pg && (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA)))
		return false;
	if (!lme_pg && (s->efer & EFER_LMA))
		return false;
	if (s->cr4 & (X86_CR4_VMXE | X86_CR4_SMXE | X86_CR4_PKE | X86_CR4_LA57 |
		      X86_CR4_PCIDE | X86_CR4_CET | ~0x3fffffULL))
		return false;
	return true;
}

static long vmm_ioctl_sregs(struct vmm_vcpu *vcpu, unsigned int cmd,
			    void __user *argp)
{
	struct kvm_sregs sregs;
	unsigned long vec;
	int ret;

	if (cmd == KVM_GET_SREGS) {
		memset(&sregs, 0, sizeof(sregs));
		vmm_backend->get_sregs(vcpu, &sregs);
		sregs.apic_base = vcpu->apic_base;
		return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
	}
	if (copy_from_user(&sregs, argp, sizeof(sregs)))
		return -EFAULT;
	if (!vmm_sregs_valid(&sregs))
		return -EINVAL;
	ret = vmm_backend->set_sregs(vcpu, &sregs);
	if (ret)
		return ret;
	if (sregs.apic_base)
		vcpu->apic_base = sregs.apic_base;
	/* A vector pending in the bitmap becomes the queued interrupt. */
	vec = find_first_bit((unsigned long *)sregs.interrupt_bitmap, 256);
	if (vec < 256) {
		vcpu->irq.pending = true;
		vcpu->irq.vector = vec;
	}
	return 0;
}

static long vmm_ioctl_xsave(struct vmm_vcpu *vcpu, unsigned int cmd,
			    void __user *argp)
{
	struct kvm_xsave *xs;
	u32 pkru = 0;
	long ret = 0;

	xs = kzalloc(sizeof(*xs), GFP_KERNEL_ACCOUNT);
	if (!xs)
		return -ENOMEM;
	if (cmd == KVM_GET_XSAVE) {
		fpu_copy_guest_fpstate_to_uabi(&vcpu->fpu, xs->region,
					       sizeof(xs->region),
					       vmm_supported_xcr0(), 0);
		if (copy_to_user(argp, xs, sizeof(*xs)))
			ret = -EFAULT;
	} else if (copy_from_user(xs, argp, sizeof(*xs))) {
		ret = -EFAULT;
	} else {
		ret = fpu_copy_uabi_to_guest_fpstate(&vcpu->fpu, xs->region,
						     vmm_supported_xcr0(), &pkru);
	}
	kfree(xs);
	return ret;
}

/* KVM_GET/SET_FPU: the legacy FXSAVE image inside the XSAVE buffer. */
static long vmm_ioctl_fpu(struct vmm_vcpu *vcpu, unsigned int cmd,
			  void __user *argp)
{
	struct fxregs_state *fx;
	struct kvm_xsave *xs;
	struct kvm_fpu fpu;
	u32 pkru = 0;
	long ret = 0;

	if (cmd == KVM_SET_FPU && copy_from_user(&fpu, argp, sizeof(fpu)))
		return -EFAULT;
	xs = kzalloc(sizeof(*xs), GFP_KERNEL_ACCOUNT);
	if (!xs)
		return -ENOMEM;
	fpu_copy_guest_fpstate_to_uabi(&vcpu->fpu, xs->region,
				       sizeof(xs->region), vmm_supported_xcr0(), 0);
	fx = (struct fxregs_state *)xs->region;
	if (cmd == KVM_GET_FPU) {
		memset(&fpu, 0, sizeof(fpu));
		memcpy(fpu.fpr, fx->st_space, sizeof(fpu.fpr));
		fpu.fcw = fx->cwd; fpu.fsw = fx->swd; fpu.ftwx = fx->twd;
		fpu.last_opcode = fx->fop; fpu.last_ip = fx->rip;
		fpu.last_dp = fx->rdp; fpu.mxcsr = fx->mxcsr;
		memcpy(fpu.xmm, fx->xmm_space, sizeof(fpu.xmm));
		ret = copy_to_user(argp, &fpu, sizeof(fpu)) ? -EFAULT : 0;
	} else {
		memcpy(fx->st_space, fpu.fpr, sizeof(fpu.fpr));
		fx->cwd = fpu.fcw; fx->swd = fpu.fsw; fx->twd = fpu.ftwx;
		fx->fop = fpu.last_opcode; fx->rip = fpu.last_ip;
		fx->rdp = fpu.last_dp; fx->mxcsr = fpu.mxcsr;
		memcpy(fx->xmm_space, fpu.xmm, sizeof(fpu.xmm));
		/* The legacy area must now be restored by XRSTOR. */
		((struct xregs_state *)xs->region)->header.xfeatures |= XFEATURE_MASK_FPSSE;
		ret = fpu_copy_uabi_to_guest_fpstate(&vcpu->fpu, xs->region,
						     vmm_supported_xcr0(), &pkru);
	}
	kfree(xs);
	return ret;
}

static long vmm_ioctl_interrupt(struct vmm_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq > 255)
		return -EINVAL;
	if (vcpu->irq.pending)
		return -EEXIST;
	vcpu->irq.pending = true;
	vcpu->irq.vector = irq.irq;
	/* Keep the flag truthful until the next KVM_RUN recomputes it. */
	vcpu->run->ready_for_interrupt_injection = 0;
	return 0;
}

static long vmm_vcpu_ioctl_locked(struct vmm_vcpu *vcpu, unsigned int cmd,
				  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case KVM_RUN:
		return arg ? -EINVAL : vmm_vcpu_run(vcpu);
	case KVM_GET_REGS:
	case KVM_SET_REGS:
		return vmm_ioctl_regs(vcpu, cmd, argp);
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
		return vmm_ioctl_sregs(vcpu, cmd, argp);
	case KVM_GET_FPU:
	case KVM_SET_FPU:
		return vmm_ioctl_fpu(vcpu, cmd, argp);
	case KVM_GET_XSAVE:
	case KVM_SET_XSAVE:
		return vmm_ioctl_xsave(vcpu, cmd, argp);
	case KVM_GET_MSRS:
		return vmm_vcpu_get_msrs(vcpu, argp);
	case KVM_SET_MSRS:
		return vmm_vcpu_set_msrs(vcpu, argp);
	case KVM_SET_CPUID2:
		return vmm_vcpu_set_cpuid2(vcpu, argp);
	case KVM_INTERRUPT:
		return vmm_ioctl_interrupt(vcpu, argp);
	default:
		return -EINVAL;
	}
}

static long vmm_vcpu_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct vmm_vcpu *vcpu = file->private_data;
	long ret;

	if (current->mm != vcpu->vm->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->lock))
		return -EINTR;
	ret = vmm_vcpu_ioctl_locked(vcpu, cmd, arg);
	mutex_unlock(&vcpu->lock);
	return ret;
}

static int vmm_vcpu_release(struct inode *inode, struct file *file)
{
	struct vmm_vcpu *vcpu = file->private_data;

	vmm_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations vmm_vcpu_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmm_vcpu_ioctl,
	.mmap		= vmm_vcpu_mmap,
	.release	= vmm_vcpu_release,
	.llseek		= noop_llseek,
};

/* ---- creation ---- */

static struct vmm_vcpu *vmm_vcpu_alloc(struct vmm_vm *vm, int id)
{
	struct vmm_vcpu *vcpu;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return NULL;
	vcpu->run = (struct kvm_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		goto err_vcpu;
	if (!fpu_alloc_guest_fpstate(&vcpu->fpu))
		goto err_run;
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->lock);
	vcpu->last_cpu = -1;
	vcpu->flush_cpu = -1;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->apic_base = 0xfee00800 | (id ? 0 : 0x100);
	vcpu->rflags = 2;
	vcpu->state = "created";
	return vcpu;

err_run:
	free_page((unsigned long)vcpu->run);
err_vcpu:
	kfree(vcpu);
	return NULL;
}

static void vmm_vcpu_free(struct vmm_vcpu *vcpu)
{
	fpu_free_guest_fpstate(&vcpu->fpu);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu->cpuid);
	kfree(vcpu);
}

void vmm_vcpu_destroy(struct vmm_vcpu *vcpu)
{
	vmm_backend->vcpu_uninit(vcpu);
	vmm_vcpu_free(vcpu);
}

int vmm_vcpu_create(struct vmm_vm *vm, unsigned long id)
{
	struct vmm_vcpu *vcpu;
	int ret;

	lockdep_assert_held(&vm->lock);
	if (id >= VMMON_MAX_VCPUS)
		return -EINVAL;
	if (vm->vcpus[id])
		return -EEXIST;
	vcpu = vmm_vcpu_alloc(vm, id);
	if (!vcpu)
		return -ENOMEM;
	ret = vmm_backend->vcpu_init(vcpu);
	if (ret) {
		vmm_vcpu_free(vcpu);
		return ret;
	}
	/* Published before its fd exists, so that closing the fd at once
	 * still finds it at VM destruction. */
	smp_store_release(&vm->vcpus[id], vcpu);
	vmm_vm_get(vm);
	ret = anon_inode_getfd("vmmon-vcpu", &vmm_vcpu_fops, vcpu,
			       O_RDWR | O_CLOEXEC);
	if (ret < 0) {
		WRITE_ONCE(vm->vcpus[id], NULL);
		/* Wait out a kick that may be looking at it. */
		spin_lock(&vm->mmu_lock);
		spin_unlock(&vm->mmu_lock);
		vmm_vcpu_destroy(vcpu);
		vmm_vm_put(vm);
		return ret;
	}
	atomic_inc(&vm->nr_vcpus);
	return ret;
}
