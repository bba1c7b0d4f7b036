// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits: OUT and IN of 1, 2 and 4 bytes, to 8-bit and 16-bit port
 * numbers, with the data at run->io.data_offset; and a string OUT (rep
 * outsb), which may come as one exit or several with io.count > 1.
 */
#include "vmw_vm.h"

VMW_GUEST(guest_io, 64,
	"	mov $0xab, %al\n"
	"	out %al, $0x10\n"
	"	mov $0x1234, %dx\n"
	"	mov $0xbeef, %ax\n"
	"	out %ax, %dx\n"
	"	mov $0xdeadbeef, %eax\n"
	"	out %eax, $0x12\n"
	"	xor %eax, %eax\n"
	"	in $0x20, %al\n"
	"	out %eax, $0xf0\n"
	"	mov $-1, %eax\n"
	"	mov $0x2222, %dx\n"
	"	in %dx, %ax\n"
	"	out %eax, $0xf0\n"
	"	in $0x24, %eax\n"
	"	out %eax, $0xf0\n"
	"	lea msg(%rip), %rsi\n"
	"	mov $5, %ecx\n"
	"	mov $0x3f8, %dx\n"
	"	rep outsb\n"
	"	vmw_done\n"
	"msg:	.ascii \"hello\"\n");

static void expect_io(struct vmw_vcpu *vcpu, uint8_t dir, uint16_t port,
		      uint8_t size)
{
	struct kvm_run *run = vcpu->run;

	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_IO);
	TEST_ASSERT(run->io.direction == dir && run->io.port == port &&
		    run->io.size == size && run->io.count == 1,
		    "want %s port %#x size %u, got %s port %#x size %u count %u",
		    dir ? "out" : "in", port, size, run->io.direction ? "out" : "in",
		    run->io.port, run->io.size, run->io.count);
	TEST_ASSERT(run->io.data_offset >= sizeof(*run) &&
		    run->io.data_offset + size <= vcpu->run_size,
		    "data_offset %llu outside the mapping", run->io.data_offset);
}

static void test_out(struct vmw_vcpu *vcpu)
{
	expect_io(vcpu, KVM_EXIT_IO_OUT, 0x10, 1);
	TEST_ASSERT(vmw_vcpu_io_value(vcpu) == 0xab, "out byte");
	expect_io(vcpu, KVM_EXIT_IO_OUT, 0x1234, 2);
	TEST_ASSERT(vmw_vcpu_io_value(vcpu) == 0xbeef, "out word");
	expect_io(vcpu, KVM_EXIT_IO_OUT, 0x12, 4);
	TEST_ASSERT(vmw_vcpu_io_value(vcpu) == 0xdeadbeef, "out dword");
}

static void test_in(struct vmw_vcpu *vcpu)
{
	expect_io(vcpu, KVM_EXIT_IO_IN, 0x20, 1);
	vmw_vcpu_io_set(vcpu, 0x5a);
	VMW_EXPECT_SYNC(vcpu, 0x5a);
	expect_io(vcpu, KVM_EXIT_IO_IN, 0x2222, 2);
	vmw_vcpu_io_set(vcpu, 0x1234);
	VMW_EXPECT_SYNC(vcpu, 0xffff1234);	/* in %dx, %ax keeps the top */
	expect_io(vcpu, KVM_EXIT_IO_IN, 0x24, 4);
	vmw_vcpu_io_set(vcpu, 0xcafef00d);
	VMW_EXPECT_SYNC(vcpu, 0xcafef00d);
}

static void test_string_out(struct vmw_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char got[16] = "";
	size_t len = 0;

	while (len < 5) {
		vmw_vcpu_expect_exit(vcpu, KVM_EXIT_IO);
		TEST_ASSERT(run->io.port == 0x3f8 && run->io.size == 1 &&
			    run->io.direction == KVM_EXIT_IO_OUT &&
			    run->io.count >= 1 && len + run->io.count <= 5,
			    "rep outsb: port %#x size %u count %u", run->io.port,
			    run->io.size, run->io.count);
		memcpy(got + len, (char *)run + run->io.data_offset, run->io.count);
		len += run->io.count;
	}
	TEST_ASSERT(!strcmp(got, "hello"), "rep outsb sent '%s'", got);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
}

int main(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_io, guest_io_end, &vcpu);
	test_out(vcpu);
	test_in(vcpu);
	test_string_out(vcpu);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	return 0;
}
