// SPDX-License-Identifier: GPL-2.0
/*
 * The same small computation (the sum of i * i for i = 1..10, kept in
 * memory) in real mode, 32-bit protected mode and 64-bit long mode, each
 * reporting the result through port I/O. Also checks the mode each vCPU
 * actually ran in through a value only that mode produces.
 */
#include "vmw_vm.h"

#define SUM_SQUARES	385
#define RESULT_GPA	0x500

/* Real mode: ds = 0, CX counts (loop uses CX in 16-bit code). */
VMW_GUEST(guest_real, 16,
	"	xor %ax, %ax\n"
	"	mov %ax, %ds\n"
	"	xor %ebx, %ebx\n"
	"	mov $10, %cx\n"
	"1:	movzx %cx, %edx\n"
	"	imul %edx, %edx\n"
	"	add %edx, %ebx\n"
	"	loop 1b\n"
	"	mov %ebx, (0x500)\n"
	"	mov (0x500), %eax\n"
	"	out %eax, $0xf0\n"
	"	mov %cs, %ax\n"		/* 0x1000 in real mode */
	"	movzx %ax, %eax\n"
	"	vmw_done\n");

VMW_GUEST(guest_prot32, 32,
	"	xor %ebx, %ebx\n"
	"	mov $10, %ecx\n"
	"1:	mov %ecx, %edx\n"
	"	imul %edx, %edx\n"
	"	add %edx, %ebx\n"
	"	loop 1b\n"
	"	mov %ebx, (0x500)\n"
	"	mov (0x500), %eax\n"
	"	out %eax, $0xf0\n"
	"	mov %cs, %eax\n"
	"	vmw_done\n");

VMW_GUEST(guest_long64, 64,
	"	xor %rbx, %rbx\n"
	"	mov $10, %rcx\n"
	"1:	mov %rcx, %rdx\n"
	"	imul %rdx, %rdx\n"
	"	add %rdx, %rbx\n"
	"	loop 1b\n"
	"	mov %rbx, (0x500)\n"
	"	mov (0x500), %rax\n"
	"	out %eax, $0xf0\n"
	"	lea 0(%rip), %rax\n"	/* only 64-bit code has RIP-relative */
	"	shr $16, %eax\n"
	"	vmw_done\n");

static void run_mode(const char *name, enum vmw_mode mode, const void *code,
		     const void *end, uint32_t mode_value)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm = vmw_vm_create_with_vcpu(mode, code, end, &vcpu);
	uint32_t *result = vmw_gpa2hva(vm, RESULT_GPA);
	uint32_t got;

	VMW_EXPECT_SYNC(vcpu, SUM_SQUARES);
	TEST_ASSERT(*result == SUM_SQUARES, "%s: memory holds %u", name, *result);
	got = vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
	TEST_ASSERT(got == mode_value, "%s: mode check %#x, want %#x", name,
		    got, mode_value);
	TEST_NOTE("%s: ok", name);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

int main(void)
{
	run_mode("real mode", VMW_MODE_REAL, guest_real, guest_real_end,
		 VMW_CODE_GPA >> 4);
	run_mode("protected mode", VMW_MODE_PROT32, guest_prot32,
		 guest_prot32_end, VMW_SEL_CODE32);
	run_mode("long mode", VMW_MODE_LONG64, guest_long64, guest_long64_end,
		 VMW_CODE_GPA >> 16);
	return 0;
}
