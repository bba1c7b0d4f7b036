/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmmon's core objects: a VM (memory slots, nested page tables, vCPUs) and
 * a vCPU (registers, pending events, the mmap'ed kvm_run). The hardware
 * backends (svm.c, vmx.c) sit behind struct vmm_backend (backend.h).
 */
#ifndef VMMON_VMMON_H
#define VMMON_VMMON_H

#include <linux/kvm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <asm/fpu/api.h>
#include <uapi/vmmon.h>

enum vmm_gpr {
	VMM_RAX, VMM_RCX, VMM_RDX, VMM_RBX, VMM_RSP, VMM_RBP, VMM_RSI, VMM_RDI,
	VMM_R8, VMM_R9, VMM_R10, VMM_R11, VMM_R12, VMM_R13, VMM_R14, VMM_R15,
	VMM_NR_GPRS
};

/* Why a vCPU left the guest, counted per vCPU for /proc/vmware. */
enum vmm_exit_stat {
	VMM_STAT_IO, VMM_STAT_MMIO, VMM_STAT_HLT, VMM_STAT_SHUTDOWN,
	VMM_STAT_CPUID, VMM_STAT_MSR, VMM_STAT_NPF, VMM_STAT_INTR,
	VMM_STAT_NMI, VMM_STAT_IRQ_WINDOW, VMM_STAT_XSETBV, VMM_STAT_EXCEPTION,
	VMM_STAT_OTHER, VMM_NR_STATS
};

struct vmm_slot {
	u32 id;
	u64 base_gfn;
	u64 npages;
	unsigned long hva;
};

struct vmm_vm_proc;

struct vmm_vm {
	refcount_t refs;
	int id;
	pid_t pid;
	struct mm_struct *mm;
	struct list_head list;

	struct mutex lock;		/* vCPU creation */
	struct vmm_vcpu *vcpus[VMMON_MAX_VCPUS];
	atomic_t nr_vcpus;

	/* Slots: changed with slots_lock (write) and mmu_lock both held;
	 * read under either. */
	struct rw_semaphore slots_lock;
	struct vmm_slot *slots[VMMON_MAX_SLOTS];

	/* Nested page tables, filled on fault, zapped by the mmu notifier. */
	spinlock_t mmu_lock;
	struct mmu_notifier mn;
	unsigned long mmu_seq;
	long mmu_invalidating;
	u64 *tdp_root;
	int tdp_levels;
	unsigned long tdp_table_pages;
	atomic_long_t mapped_pages;
	atomic_t tlb_gen;

	void *arch;
	struct vmm_vm_proc *proc;
};

enum vmm_vcpu_mode { VMM_OUTSIDE_GUEST, VMM_IN_GUEST };

enum vmm_complete { VMM_COMPLETE_NONE, VMM_COMPLETE_PIO_IN,
		    VMM_COMPLETE_PIO_STRING_IN, VMM_COMPLETE_MMIO_READ };

struct vmm_vcpu {
	struct vmm_vm *vm;
	int id;
	struct mutex lock;		/* every vCPU ioctl */
	struct kvm_run *run;
	pid_t tid;

	u64 gprs[VMM_NR_GPRS];
	u64 rip, rflags;

	int mode;			/* enum vmm_vcpu_mode */
	int last_cpu;			/* where it runs or ran last */
	int flush_cpu;			/* where its TLB was last flushed */
	int tlb_gen;
	u64 enter_ns;
	u32 host_pkru;

	struct fpu_guest fpu;
	u64 xcr0;
	u64 apic_base, misc_enable, tsc_offset;

	/* Event pending for the next entry. */
	struct { bool pending; u8 vector; } irq;
	struct { bool pending, has_error; u8 vector; u32 error; } exc;

	/* What the next KVM_RUN must finish from the last exit. */
	enum vmm_complete complete;
	struct { u8 reg, size, mem_size; bool high8, sign; } complete_mmio;
	u64 complete_string_gpa;

	struct kvm_cpuid_entry2 *cpuid;
	int cpuid_nent;

	u64 stats[VMM_NR_STATS];
	u64 guest_ns;
	const char *state;

	void *arch;
};

/* main.c */
long vmm_check_extension(unsigned long cap);

/* vm.c */
long vmm_vm_create_fd(unsigned long type);
struct vmm_vm *vmm_vm_create(unsigned long type);
void vmm_vm_get(struct vmm_vm *vm);
void vmm_vm_put(struct vmm_vm *vm);
long vmm_vm_ioctl(struct vmm_vm *vm, unsigned int cmd, unsigned long arg);
int vmm_vm_count(void);
void vmm_vm_kick_all(struct vmm_vm *vm);
extern const struct file_operations vmm_vm_fops;

/* vcpu.c */
void vmm_vcpu_host_init(void);
u64 vmm_supported_xcr0(void);
int vmm_vcpu_create(struct vmm_vm *vm, unsigned long id);
void vmm_vcpu_destroy(struct vmm_vcpu *vcpu);
long vmm_dev_get_vcpu_mmap_size(void);
void vmm_vcpu_queue_exception(struct vmm_vcpu *vcpu, u8 vector,
			      bool has_error, u32 error);
static inline void vmm_inject_gp(struct vmm_vcpu *vcpu)
{
	vmm_vcpu_queue_exception(vcpu, 13, true, 0);
}
static inline void vmm_inject_ud(struct vmm_vcpu *vcpu)
{
	vmm_vcpu_queue_exception(vcpu, 6, false, 0);
}

/* Exit handlers shared by the backends: 1 re-enter, 0 to userspace. */
int vmm_exit_io(struct vmm_vcpu *vcpu, u16 port, u8 size, bool in);
int vmm_exit_hlt(struct vmm_vcpu *vcpu);
int vmm_exit_shutdown(struct vmm_vcpu *vcpu);
int vmm_exit_internal(struct vmm_vcpu *vcpu, u32 suberror, u64 info);
int vmm_exit_irq_window(struct vmm_vcpu *vcpu);
int vmm_exit_xsetbv(struct vmm_vcpu *vcpu);
bool vmm_vcpu_want_irq_window(struct vmm_vcpu *vcpu);

/* mmu.c */
int vmm_mmu_init(struct vmm_vm *vm);
void vmm_mmu_uninit(struct vmm_vm *vm);
int vmm_set_memory_region(struct vmm_vm *vm,
			  const struct kvm_userspace_memory_region *mr);
int vmm_tdp_fault(struct vmm_vcpu *vcpu, u64 gpa, bool write);
struct vmm_slot *vmm_find_slot(struct vmm_vm *vm, u64 gfn);
int vmm_read_guest(struct vmm_vm *vm, u64 gpa, void *buf, size_t len);
int vmm_write_guest(struct vmm_vm *vm, u64 gpa, const void *buf, size_t len);

/* cpuid.c */
int vmm_cpuid_init(void);
int vmm_dev_get_supported_cpuid(struct kvm_cpuid2 __user *ucpuid);
int vmm_vcpu_set_cpuid2(struct vmm_vcpu *vcpu, struct kvm_cpuid2 __user *u);
int vmm_exit_cpuid(struct vmm_vcpu *vcpu);

/* msr.c */
int vmm_vcpu_get_msrs(struct vmm_vcpu *vcpu, struct kvm_msrs __user *u);
int vmm_vcpu_set_msrs(struct vmm_vcpu *vcpu, struct kvm_msrs __user *u);
int vmm_exit_rdmsr(struct vmm_vcpu *vcpu);
int vmm_exit_wrmsr(struct vmm_vcpu *vcpu);

/* emulate.c */
int vmm_exit_mmio(struct vmm_vcpu *vcpu, u64 gpa, const u8 *insn,
		  unsigned int insn_len);
void vmm_complete_mmio_read(struct vmm_vcpu *vcpu);
int vmm_exit_io_string(struct vmm_vcpu *vcpu, u16 port, u8 size, bool in,
		       bool rep, int addr_size, u64 next_rip);
void vmm_complete_pio_string_in(struct vmm_vcpu *vcpu);
int vmm_decode_mov_dr(struct vmm_vcpu *vcpu, unsigned int *len);

#endif /* VMMON_VMMON_H */
