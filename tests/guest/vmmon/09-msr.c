// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs: KVM_SET_MSRS/GET_MSRS round trips of SYSENTER_CS/ESP/EIP, STAR,
 * LSTAR and the TSC; the guest's rdmsr sees the host's values and the
 * host sees the guest's wrmsr; an MSR nobody virtualizes stops the batch
 * (the ioctl returns how many entries it processed) and raises #GP in the
 * guest, caught by a handler that reports the vector.
 *
 * SYSENTER_ESP/EIP get 32-bit values: AMD CPUs keep only the low half,
 * and KVM on AMD emulates the high half only for a guest with Intel's
 * CPUID vendor.
 */
#include "vmw_vm.h"

#define MSR_TSC			0x10
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_BOGUS		0xdeadbeef

VMW_GUEST(guest_msr, 64,
	"	mov $0x174, %ecx\n"		/* SYSENTER_CS */
	"	rdmsr\n"
	"	out %eax, $0xf0\n"
	"	mov $0xc0000082, %ecx\n"	/* LSTAR */
	"	rdmsr\n"
	"	out %eax, $0xf0\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0xf0\n"
	"	mov $0xc0000081, %ecx\n"	/* STAR */
	"	mov $0x00230010, %edx\n"
	"	mov $0x600df00d, %eax\n"
	"	wrmsr\n"
	"	mov $0xdeadbeef, %ecx\n"	/* #GP, skipped by the handler */
	"	wrmsr\n"
	"	rdmsr\n"
	"	vmw_sync 0x600d\n"
	"	vmw_done\n"
	"gp_handler:\n"
	"	mov $13, %eax\n"
	"	out %eax, $0xf0\n"
	"	addq $2, 8(%rsp)\n"		/* past the 2-byte wrmsr/rdmsr */
	"	add $8, %rsp\n"			/* the error code */
	"	iretq\n");
extern const char gp_handler[];

struct msrs {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[8];
};

static int set_msrs(struct vmw_vcpu *vcpu, struct msrs *m)
{
	return ioctl(vcpu->fd, KVM_SET_MSRS, m);
}

static int get_msrs(struct vmw_vcpu *vcpu, struct msrs *m)
{
	return ioctl(vcpu->fd, KVM_GET_MSRS, m);
}

static void test_round_trip(struct vmw_vcpu *vcpu)
{
	struct msrs m = { .hdr.nmsrs = 6, .e = {
		{ .index = MSR_SYSENTER_CS, .data = 0x10 },
		{ .index = MSR_SYSENTER_ESP, .data = 0x81001000 },
		{ .index = MSR_SYSENTER_EIP, .data = 0x81002000 },
		{ .index = MSR_STAR, .data = 0x0023001000000000ULL },
		{ .index = MSR_LSTAR, .data = 0xffffffff81000000ULL },
		{ .index = MSR_TSC, .data = 1ULL << 40 },
	} };
	struct msrs got = m;
	int i;

	TEST_ASSERT(set_msrs(vcpu, &m) == 6, "KVM_SET_MSRS of 6");
	for (i = 0; i < 6; i++)
		got.e[i].data = 0;
	TEST_ASSERT(get_msrs(vcpu, &got) == 6, "KVM_GET_MSRS of 6");
	for (i = 0; i < 5; i++)
		TEST_ASSERT(got.e[i].data == m.e[i].data, "MSR %#x: %#llx, want %#llx",
			    m.e[i].index, got.e[i].data, m.e[i].data);
	TEST_ASSERT(got.e[5].data >= 1ULL << 40 &&
		    got.e[5].data < (1ULL << 40) + (1ULL << 36),
		    "TSC %#llx after setting 1 << 40", got.e[5].data);
}

static void test_unknown(struct vmw_vcpu *vcpu)
{
	struct msrs m = { .hdr.nmsrs = 3, .e = {
		{ .index = MSR_SYSENTER_CS, .data = 0x10 },
		{ .index = MSR_BOGUS, .data = 1 },
		{ .index = MSR_LSTAR, .data = 0 },
	} };

	TEST_ASSERT(get_msrs(vcpu, &m) == 1, "KVM_GET_MSRS stops at the unknown");
	TEST_ASSERT(set_msrs(vcpu, &m) == 1, "KVM_SET_MSRS stops at the unknown");
	m.hdr.nmsrs = 0;
	TEST_ASSERT(get_msrs(vcpu, &m) == 0, "KVM_GET_MSRS of none");
	m.hdr.nmsrs = 1u << 30;
	TEST_ASSERT(get_msrs(vcpu, &m) == -1 && errno == E2BIG,
		    "KVM_GET_MSRS of 2^30 entries");
	TEST_ASSERT(ioctl(vcpu->fd, KVM_GET_MSRS, (void *)8) == -1 && errno == EFAULT,
		    "KVM_GET_MSRS from a bad pointer");
}

static void test_guest(struct vmw_vm *vm, struct vmw_vcpu *vcpu)
{
	struct msrs m = { .hdr.nmsrs = 1, .e = { { .index = MSR_STAR } } };

	vmw_vm_set_idt_gate(vm, 13, gp_handler);
	VMW_EXPECT_SYNC(vcpu, 0x10);
	VMW_EXPECT_SYNC(vcpu, 0x81000000);
	VMW_EXPECT_SYNC(vcpu, 0xffffffff);
	VMW_EXPECT_SYNC(vcpu, 13);		/* wrmsr of the bogus MSR */
	VMW_EXPECT_SYNC(vcpu, 13);		/* rdmsr of it */
	VMW_EXPECT_SYNC(vcpu, 0x600d);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
	TEST_ASSERT(get_msrs(vcpu, &m) == 1, "KVM_GET_MSRS STAR");
	TEST_ASSERT(m.e[0].data == 0x00230010600df00dULL, "guest's STAR: %#llx",
		    m.e[0].data);
}

int main(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_msr, guest_msr_end, &vcpu);
	test_round_trip(vcpu);
	test_unknown(vcpu);
	test_guest(vm, vcpu);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	return 0;
}
