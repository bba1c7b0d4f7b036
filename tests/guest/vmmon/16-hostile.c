// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile guest: port I/O (single and string) to random ports with
 * garbage, MMIO loads and stores at random unbacked addresses, rdmsr and
 * wrmsr of random MSRs with garbage (a #GP handler skips the instruction
 * when the MSR is refused), for a bounded number of exits, on several VMs;
 * then exceptions with no IDT (ud2, int3, divide by zero, a page fault
 * beyond the mapped 4 GiB, a jump into nowhere) that must each end in a
 * triple fault. The host answers every exit with garbage; the process and
 * the module must stay healthy: a plain VM runs afterwards, and on vmmon
 * nothing is left in /proc/vmware/vm and the module unloads.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <unistd.h>

#include "vmw_vm.h"

#define NR_VMS		3
#define EXITS_PER_VM	1000

/* R15: xorshift64 state seeded from RSI. R14: garbage data. */
VMW_GUEST(guest_chaos, 64,
	"	mov %rsi, %r15\n"
	"next:	mov %r15, %rax\n"
	"	shl $13, %rax\n"
	"	xor %rax, %r15\n"
	"	mov %r15, %rax\n"
	"	shr $7, %rax\n"
	"	xor %rax, %r15\n"
	"	mov %r15, %rax\n"
	"	shl $17, %rax\n"
	"	xor %rax, %r15\n"
	"	mov %r15, %rbx\n"
	"	shr $8, %rbx\n"
	"	mov %ebx, %edx\n"		/* a random port */
	"	mov %r15, %rax\n"
	"	ror $29, %r14\n"
	"	xor %r15, %r14\n"
	"	and $7, %al\n"
	"	cmp $0, %al\n"
	"	je out_byte\n"
	"	cmp $1, %al\n"
	"	je out_long\n"
	"	cmp $2, %al\n"
	"	je in_word\n"
	"	cmp $3, %al\n"
	"	je mmio_write\n"
	"	cmp $4, %al\n"
	"	je mmio_read\n"
	"	cmp $5, %al\n"
	"	je msr_write\n"
	"	cmp $6, %al\n"
	"	je msr_read\n"
	"	mov %ebx, %ecx\n"		/* rep outsb/insb, 1-16 bytes */
	"	and $15, %ecx\n"
	"	inc %ecx\n"
	"	mov $0x100000, %esi\n"
	"	mov $0x100800, %edi\n"
	"	test $0x100, %ebx\n"
	"	jz 1f\n"
	"	rep outsb\n"
	"	jmp next\n"
	"1:	rep insb\n"
	"	jmp next\n"
	"out_byte:\n"
	"	mov %r14, %rax\n"
	"	out %al, %dx\n"
	"	jmp next\n"
	"out_long:\n"
	"	mov %r14, %rax\n"
	"	out %eax, %dx\n"
	"	jmp next\n"
	"in_word:\n"
	"	in %dx, %ax\n"
	"	jmp next\n"
	"mmio_write:\n"
	"	and $0xeffffff8, %ebx\n"	/* 256 MiB - 4 GiB: no slot there */
	"	or $0x10000000, %ebx\n"
	"	mov %r14, (%rbx)\n"
	"	jmp next\n"
	"mmio_read:\n"
	"	and $0xeffffff8, %ebx\n"
	"	or $0x10000000, %ebx\n"
	"	mov (%rbx), %rax\n"
	"	jmp next\n"
	"msr_write:\n"
	"	mov %ebx, %ecx\n"
	"	and $0xc0001fff, %ecx\n"
	"	mov %r14, %rax\n"
	"	mov %r14, %rdx\n"
	"	shr $32, %rdx\n"
	"	wrmsr\n"
	"	jmp next\n"
	"msr_read:\n"
	"	mov %ebx, %ecx\n"
	"	and $0xc0001fff, %ecx\n"
	"	rdmsr\n"
	"	jmp next\n"
	"gp_handler:\n"
	"	addq $2, 8(%rsp)\n"		/* past wrmsr/rdmsr */
	"	add $8, %rsp\n"
	"	iretq\n");
extern const char gp_handler[];

VMW_GUEST(guest_ud2, 64, "ud2\n");
VMW_GUEST(guest_int3, 64, "int3\n");
VMW_GUEST(guest_div0, 64, "xor %ecx, %ecx\n div %ecx\n");
VMW_GUEST(guest_far, 64, "mov $0x7000000000, %rax\n mov (%rax), %rax\n");
VMW_GUEST(guest_jump, 64, "mov $0x7ffffff000, %rax\n jmp *%rax\n");
VMW_GUEST(guest_hello, 64, "vmw_done\n");

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t garbage(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Answer an exit with garbage; false when the guest cannot go on. */
static bool answer(struct vmw_vcpu *vcpu, int counts[])
{
	struct kvm_run *run = vcpu->run;
	uint64_t g;
	size_t i, len;

	counts[run->exit_reason < 32 ? run->exit_reason : 31]++;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		len = (size_t)run->io.size * run->io.count;
		TEST_ASSERT(run->io.data_offset + len <= vcpu->run_size,
			    "I/O data beyond the kvm_run mapping");
		for (i = 0; i < len && run->io.direction == KVM_EXIT_IO_IN; i++)
			((uint8_t *)run)[run->io.data_offset + i] = garbage();
		return true;
	case KVM_EXIT_MMIO:
		TEST_ASSERT(run->mmio.len <= 8, "MMIO len %u", run->mmio.len);
		g = garbage();
		memcpy(run->mmio.data, &g, 8);
		return true;
	case KVM_EXIT_HLT:
		return true;
	default:
		return false;
	}
}

static void chaos_vm(uint64_t seed, int counts[])
{
	struct vmw_vcpu *vcpu;
	struct kvm_regs regs;
	struct vmw_vm *vm;
	int i, ret;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_chaos,
				     guest_chaos_end, &vcpu);
	vmw_vm_set_idt_gate(vm, 13, gp_handler);
	vmw_vcpu_get_regs(vcpu, &regs);
	regs.rsi = seed;
	vmw_vcpu_set_regs(vcpu, &regs);
	for (i = 0; i < EXITS_PER_VM; i++) {
		ret = vmw_vcpu_run(vcpu);
		if (ret) {
			TEST_NOTE("seed %#llx: KVM_RUN failed after %d exits: %s",
				  (unsigned long long)seed, i, strerror(-ret));
			break;
		}
		if (!answer(vcpu, counts)) {
			TEST_NOTE("seed %#llx: exit %s after %d exits",
				  (unsigned long long)seed,
				  vmw_exit_name(vcpu->run->exit_reason), i);
			break;
		}
	}
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

static void expect_triple_fault(const char *what, const void *code,
				const void *end)
{
	struct kvm_sregs sregs;
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, code, end, &vcpu);
	vmw_vcpu_get_sregs(vcpu, &sregs);
	sregs.idt.limit = 0;
	vmw_vcpu_set_sregs(vcpu, &sregs);
	vmw_vcpu_run_ok(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN,
		    "%s with no IDT: exit %s", what,
		    vmw_exit_name(vcpu->run->exit_reason));
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

static int count_vms(void)
{
	DIR *dir = opendir("/proc/vmware/vm");
	struct dirent *d;
	int n = 0;

	TEST_ASSERT(dir, "opendir /proc/vmware/vm");
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

static void check_healthy(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;
	int ret;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_hello,
				     guest_hello_end, &vcpu);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	if (!vmw_is_vmmon())
		return;
	TEST_ASSERT(count_vms() == 0, "%d VMs left in /proc/vmware/vm", count_vms());
	close(vmw_dev());
	ret = vmw_module_unload("vmmon");
	errno = -ret;
	TEST_ASSERT(!ret, "rmmod vmmon");
}

int main(void)
{
	int counts[32] = { 0 };
	int i;

	for (i = 0; i < NR_VMS; i++)
		chaos_vm(garbage(), counts);
	TEST_NOTE("exits: io %d mmio %d hlt %d shutdown %d internal %d fail_entry %d",
		  counts[KVM_EXIT_IO], counts[KVM_EXIT_MMIO], counts[KVM_EXIT_HLT],
		  counts[KVM_EXIT_SHUTDOWN], counts[KVM_EXIT_INTERNAL_ERROR],
		  counts[KVM_EXIT_FAIL_ENTRY]);
	expect_triple_fault("ud2", guest_ud2, guest_ud2_end);
	expect_triple_fault("int3", guest_int3, guest_int3_end);
	expect_triple_fault("divide by zero", guest_div0, guest_div0_end);
	expect_triple_fault("load beyond 4 GiB", guest_far, guest_far_end);
	expect_triple_fault("jump beyond 4 GiB", guest_jump, guest_jump_end);
	check_healthy();
	return 0;
}
