// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO exits: guest loads and stores of 1, 2, 4 and 8 bytes to addresses no
 * slot covers exit with phys_addr, len, is_write and the data; for a load
 * the data userspace fills in is what the guest gets.
 */
#include "vmw_vm.h"

#define MMIO_GPA	0xd0000000ULL

VMW_GUEST(guest_mmio, 64,
	"	mov $0xd0000000, %ebx\n"
	"	movb $0x11, (%rbx)\n"
	"	movw $0x2233, 2(%rbx)\n"
	"	movl $0x44556677, 4(%rbx)\n"
	"	mov $0x8899aabbccddeeff, %rax\n"
	"	mov %rax, 8(%rbx)\n"
	"	movzbl 0x10(%rbx), %eax\n"
	"	out %eax, $0xf0\n"
	"	movzwl 0x12(%rbx), %eax\n"
	"	out %eax, $0xf0\n"
	"	mov 0x14(%rbx), %eax\n"
	"	out %eax, $0xf0\n"
	"	mov 0x18(%rbx), %rax\n"
	"	out %eax, $0xf0\n"
	"	shr $32, %rax\n"
	"	out %eax, $0xf0\n"
	"	vmw_done\n");

static void expect_mmio(struct vmw_vcpu *vcpu, uint64_t gpa, uint32_t len,
			bool write)
{
	struct kvm_run *run = vcpu->run;

	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == gpa && run->mmio.len == len &&
		    run->mmio.is_write == write,
		    "want %s of %u at %#llx, got %s of %u at %#llx",
		    write ? "write" : "read", len, (unsigned long long)gpa,
		    run->mmio.is_write ? "write" : "read", run->mmio.len,
		    run->mmio.phys_addr);
}

static void expect_write(struct vmw_vcpu *vcpu, uint64_t gpa, uint32_t len,
			 uint64_t value)
{
	uint64_t got = 0;

	expect_mmio(vcpu, gpa, len, true);
	memcpy(&got, vcpu->run->mmio.data, len);
	TEST_ASSERT(got == value, "write at %#llx: %#llx, want %#llx",
		    (unsigned long long)gpa, (unsigned long long)got,
		    (unsigned long long)value);
}

static void answer_read(struct vmw_vcpu *vcpu, uint64_t gpa, uint32_t len,
			uint64_t value)
{
	expect_mmio(vcpu, gpa, len, false);
	memcpy(vcpu->run->mmio.data, &value, len);
}

int main(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_mmio,
				     guest_mmio_end, &vcpu);
	expect_write(vcpu, MMIO_GPA, 1, 0x11);
	expect_write(vcpu, MMIO_GPA + 2, 2, 0x2233);
	expect_write(vcpu, MMIO_GPA + 4, 4, 0x44556677);
	expect_write(vcpu, MMIO_GPA + 8, 8, 0x8899aabbccddeeffULL);
	answer_read(vcpu, MMIO_GPA + 0x10, 1, 0x5a);
	VMW_EXPECT_SYNC(vcpu, 0x5a);
	answer_read(vcpu, MMIO_GPA + 0x12, 2, 0xa55a);
	VMW_EXPECT_SYNC(vcpu, 0xa55a);
	answer_read(vcpu, MMIO_GPA + 0x14, 4, 0xfeedface);
	VMW_EXPECT_SYNC(vcpu, 0xfeedface);
	answer_read(vcpu, MMIO_GPA + 0x18, 8, 0x0123456789abcdefULL);
	VMW_EXPECT_SYNC(vcpu, 0x89abcdef);
	VMW_EXPECT_SYNC(vcpu, 0x01234567);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	return 0;
}
