// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs of the VM library: creation, the three start modes, and running
 * with the exit reason asserted.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmw_vm.h"

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

/*
 * Give the vCPU every CPUID leaf the device supports, as the KVM
 * selftests do: KVM (6.12) checks CR4 and EFER against the guest's CPUID,
 * and an empty table forbids PAE and long mode.
 */
static void vmw_vcpu_set_supported_cpuid(struct vmw_vcpu *vcpu)
{
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + VMMON_MAX_CPUID * sizeof(c->entries[0]));
	TEST_ASSERT(c, "calloc");
	c->nent = VMMON_MAX_CPUID;
	TEST_ASSERT(!ioctl(vcpu->vm->dev_fd, KVM_GET_SUPPORTED_CPUID, c),
		    "KVM_GET_SUPPORTED_CPUID");
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_SET_CPUID2, c), "KVM_SET_CPUID2");
	free(c);
}

struct vmw_vcpu *vmw_vcpu_add(struct vmw_vm *vm, uint32_t id,
			      enum vmw_mode mode)
{
	struct vmw_vcpu *vcpu = calloc(1, sizeof(*vcpu));
	int size;

	TEST_ASSERT(vcpu, "calloc");
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	TEST_ASSERT(vcpu->fd >= 0, "KVM_CREATE_VCPU %u", id);
	size = ioctl(vm->dev_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	TEST_ASSERT(size >= (int)sizeof(struct kvm_run), "KVM_GET_VCPU_MMAP_SIZE");
	vcpu->run_size = size;
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap kvm_run of vCPU %u", id);
	vmw_vcpu_set_supported_cpuid(vcpu);
	vmw_vcpu_setup_mode(vcpu, mode);
	return vcpu;
}

/* kvm_util's vm_create_with_one_vcpu(): a VM, its code and vCPU 0. */
struct vmw_vm *vmw_vm_create_with_vcpu(enum vmw_mode mode, const void *code,
				       const void *end,
				       struct vmw_vcpu **vcpu)
{
	struct vmw_vm *vm = vmw_vm_create();

	vmw_vm_load_code(vm, code, end);
	*vcpu = vmw_vcpu_add(vm, 0, mode);
	return vm;
}

void vmw_vcpu_free(struct vmw_vcpu *vcpu)
{
	munmap(vcpu->run, vcpu->run_size);
	close(vcpu->fd);
	free(vcpu);
}

void vmw_vcpu_get_regs(struct vmw_vcpu *vcpu, struct kvm_regs *regs)
{
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_GET_REGS, regs), "KVM_GET_REGS");
}

void vmw_vcpu_set_regs(struct vmw_vcpu *vcpu, struct kvm_regs *regs)
{
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_SET_REGS, regs), "KVM_SET_REGS");
}

void vmw_vcpu_get_sregs(struct vmw_vcpu *vcpu, struct kvm_sregs *sregs)
{
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_GET_SREGS, sregs), "KVM_GET_SREGS");
}

void vmw_vcpu_set_sregs(struct vmw_vcpu *vcpu, struct kvm_sregs *sregs)
{
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_SET_SREGS, sregs), "KVM_SET_SREGS");
}

/* A flat segment of the library's GDT. */
static struct kvm_segment vmw_flat_seg(uint16_t sel)
{
	struct kvm_segment s = {
		.base = 0, .limit = 0xffffffff, .selector = sel,
		.present = 1, .s = 1, .g = 1, .db = 1, .type = 0x3,
	};

	if (sel == VMW_SEL_CODE64 || sel == VMW_SEL_CODE32)
		s.type = 0xb;
	if (sel == VMW_SEL_CODE64) {
		s.l = 1;
		s.db = 0;
	}
	return s;
}

static void vmw_sregs_protected(struct kvm_sregs *sr, uint16_t code_sel)
{
	sr->cs = vmw_flat_seg(code_sel);
	sr->ds = sr->es = sr->fs = sr->gs = sr->ss = vmw_flat_seg(VMW_SEL_DATA);
	sr->gdt.base = VMW_GDT_GPA;
	sr->gdt.limit = 4 * 8 - 1;
	sr->idt.base = VMW_IDT_GPA;
	sr->idt.limit = 256 * 16 - 1;
	sr->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP;
	sr->cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
}

/*
 * Start the vCPU at the guest code in @mode: real mode runs it with
 * CS = VMW_CODE_GPA >> 4 and IP 0, the other modes at RIP = VMW_CODE_GPA
 * with the library's flat GDT (and its page tables in long mode).
 * RDI holds the vCPU id; every vCPU has its own 1 KiB of stack.
 */
void vmw_vcpu_setup_mode(struct vmw_vcpu *vcpu, enum vmw_mode mode)
{
	struct kvm_regs regs = { .rflags = 2 };
	struct kvm_sregs sr;

	vmw_vcpu_get_sregs(vcpu, &sr);
	regs.rip = VMW_CODE_GPA;
	regs.rsp = VMW_STACK_GPA - vcpu->id * 0x400;
	regs.rdi = vcpu->id;
	switch (mode) {
	case VMW_MODE_REAL:
		sr.cs.selector = VMW_CODE_GPA >> 4;
		sr.cs.base = VMW_CODE_GPA;
		regs.rip = 0;
		break;
	case VMW_MODE_PROT32:
		vmw_sregs_protected(&sr, VMW_SEL_CODE32);
		break;
	case VMW_MODE_LONG64:
		vmw_sregs_protected(&sr, VMW_SEL_CODE64);
		sr.cr0 |= CR0_PG;
		sr.cr3 = VMW_PML4_GPA;
		sr.cr4 |= CR4_PAE;
		sr.efer = EFER_LME | EFER_LMA;
		break;
	}
	vmw_vcpu_set_sregs(vcpu, &sr);
	vmw_vcpu_set_regs(vcpu, &regs);
}

int vmw_vcpu_run(struct vmw_vcpu *vcpu)
{
	int ret;

	vmw_running_vcpu = vcpu->id;
	vmw_runs++;
	ret = ioctl(vcpu->fd, KVM_RUN, 0) ? -errno : 0;
	vmw_running_vcpu = -1;
	return ret;
}

void vmw_vcpu_run_ok(struct vmw_vcpu *vcpu)
{
	int ret = vmw_vcpu_run(vcpu);

	errno = -ret;
	TEST_ASSERT(!ret, "KVM_RUN of vCPU %u", vcpu->id);
}

const char *vmw_exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "other";
}

/* Print what the vCPU was doing when an assertion about its exit broke. */
static void vmw_vcpu_dump_exit(struct vmw_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	fprintf(stderr, "  vCPU %u exit %u (%s)", vcpu->id, run->exit_reason,
		vmw_exit_name(run->exit_reason));
	if (run->exit_reason == KVM_EXIT_IO)
		fprintf(stderr, " port %#x %s size %u count %u value %#x",
			run->io.port, run->io.direction ? "out" : "in",
			run->io.size, run->io.count, vmw_vcpu_io_value(vcpu));
	if (run->exit_reason == KVM_EXIT_MMIO)
		fprintf(stderr, " gpa %#llx len %u %s", run->mmio.phys_addr,
			run->mmio.len, run->mmio.is_write ? "write" : "read");
	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		fprintf(stderr, " suberror %u", run->internal.suberror);
	if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		fprintf(stderr, " reason %#llx",
			run->fail_entry.hardware_entry_failure_reason);
	if (!ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		fprintf(stderr, " rip %#llx", regs.rip);
	fprintf(stderr, "\n");
}

void vmw_vcpu_expect_exit(struct vmw_vcpu *vcpu, uint32_t reason)
{
	vmw_vcpu_run_ok(vcpu);
	if (vcpu->run->exit_reason != reason)
		vmw_vcpu_dump_exit(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == reason, "want exit %s",
		    vmw_exit_name(reason));
}

/* The value of the last port I/O exit (first element, any size). */
uint32_t vmw_vcpu_io_value(struct vmw_vcpu *vcpu)
{
	const uint8_t *data = (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
	uint32_t v = 0;

	memcpy(&v, data, vcpu->run->io.size <= 4 ? vcpu->run->io.size : 4);
	return v;
}

/* Answer an IN exit: the guest reads @value when it is re-entered. */
void vmw_vcpu_io_set(struct vmw_vcpu *vcpu, uint32_t value)
{
	uint8_t *data = (uint8_t *)vcpu->run + vcpu->run->io.data_offset;

	memcpy(data, &value, vcpu->run->io.size <= 4 ? vcpu->run->io.size : 4);
}

/* Run until the guest reports; return the reported value. */
uint32_t vmw_vcpu_expect_report(struct vmw_vcpu *vcpu,
				enum vmw_report_kind kind)
{
	struct kvm_run *run = vcpu->run;
	uint32_t value;

	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_IO);
	value = vmw_vcpu_io_value(vcpu);
	if (run->io.port == VMW_PORT_FAIL && kind != VMW_REPORT_FAIL)
		vmw_vcpu_dump_exit(vcpu);
	TEST_ASSERT(run->io.port != VMW_PORT_FAIL || kind == VMW_REPORT_FAIL,
		    "guest check %u failed", value);
	if (run->io.port != kind || run->io.direction != KVM_EXIT_IO_OUT ||
	    run->io.size != 4)
		vmw_vcpu_dump_exit(vcpu);
	TEST_ASSERT(run->io.port == kind, "want a report on port %#x", kind);
	TEST_ASSERT(run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 4 &&
		    run->io.count == 1, "malformed report");
	return value;
}
