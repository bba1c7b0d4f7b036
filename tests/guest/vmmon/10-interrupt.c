// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt injection with a userspace interrupt controller, as QEMU does
 * with kernel-irqchip=off: KVM_INTERRUPT queues a vector the guest takes
 * through its IDT; run->ready_for_interrupt_injection and run->if_flag
 * tell userspace when it may inject; with the guest's IF clear userspace
 * sets request_interrupt_window and gets KVM_EXIT_IRQ_WINDOW_OPEN once
 * the guest can take the interrupt. An STI shadow ends with the one
 * instruction it covers, also when that instruction was emulated (an MMIO
 * write): the interrupt comes before the next instruction, not after it.
 */
#include "vmw_vm.h"

#define VEC_A	0x30
#define VEC_B	0x41
#define VEC_C	0x52
#define MMIO_GPA	0xd0000000ULL

/*
 * Phase 1: IF=1, halts; the host injects VEC_A while it is halted.
 * Phase 2: IF=0 for two reports; the host asks for a window; sti opens it
 * and the host injects VEC_B.
 * Phase 3: sti, then an MMIO write in its shadow; the host injects VEC_C
 * at the MMIO exit; its handler reports how many "inc %ebx" ran: none.
 */
VMW_GUEST(guest_irq, 64,
	"	sti\n"
	"	hlt\n"
	"	vmw_sync 1\n"
	"	cli\n"
	"	vmw_sync 2\n"
	"	vmw_sync 3\n"
	"	sti\n"
	"	nop\n"
	"	vmw_sync 4\n"
	"	cli\n"
	"	vmw_sync 5\n"
	"	xor %ebx, %ebx\n"
	"	mov $0xd0000000, %ecx\n"
	"	sti\n"
	"	movb $1, (%rcx)\n"
	"	inc %ebx\n"
	"	inc %ebx\n"
	"	vmw_sync 6\n"
	"	vmw_done\n"
	"vec_a:\n"
	"	mov $0x30, %eax\n"
	"	out %eax, $0xf0\n"
	"	iretq\n"
	"vec_b:\n"
	"	mov $0x41, %eax\n"
	"	out %eax, $0xf0\n"
	"	iretq\n"
	"vec_c:\n"
	"	mov %ebx, %eax\n"
	"	out %eax, $0xf0\n"
	"	iretq\n");
extern const char vec_a[], vec_b[], vec_c[];

static void inject(struct vmw_vcpu *vcpu, uint32_t vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	TEST_ASSERT(!ioctl(vcpu->fd, KVM_INTERRUPT, &irq), "KVM_INTERRUPT %#x", vector);
}

static void test_bad_vector(struct vmw_vcpu *vcpu)
{
	struct kvm_interrupt irq = { .irq = 256 };

	TEST_ASSERT(ioctl(vcpu->fd, KVM_INTERRUPT, &irq) == -1 && errno == EINVAL,
		    "KVM_INTERRUPT 256");
	TEST_ASSERT(ioctl(vcpu->fd, KVM_INTERRUPT, NULL) == -1 && errno == EFAULT,
		    "KVM_INTERRUPT from NULL");
}

/* IF=1 and halted: inject, the handler runs, the guest goes on. */
static void test_inject_halted(struct vmw_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_HLT);
	TEST_ASSERT(run->if_flag == 1, "if_flag %u after sti; hlt", run->if_flag);
	TEST_ASSERT(run->ready_for_interrupt_injection == 1,
		    "not ready for injection with IF=1");
	inject(vcpu, VEC_A);
	VMW_EXPECT_SYNC(vcpu, VEC_A);
	VMW_EXPECT_SYNC(vcpu, 1);
}

/* IF=0: not ready; ask for the window; it opens after sti. */
static void test_window(struct vmw_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	VMW_EXPECT_SYNC(vcpu, 2);
	TEST_ASSERT(run->if_flag == 0, "if_flag %u after cli", run->if_flag);
	TEST_ASSERT(run->ready_for_interrupt_injection == 0,
		    "ready for injection with IF=0");
	run->request_interrupt_window = 1;
	VMW_EXPECT_SYNC(vcpu, 3);	/* no window yet */
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_IRQ_WINDOW_OPEN);
	TEST_ASSERT(run->if_flag == 1 && run->ready_for_interrupt_injection == 1,
		    "window open: if_flag %u ready %u", run->if_flag,
		    run->ready_for_interrupt_injection);
	run->request_interrupt_window = 0;
	inject(vcpu, VEC_B);
	VMW_EXPECT_SYNC(vcpu, VEC_B);
	VMW_EXPECT_SYNC(vcpu, 4);
}

/* The shadow of sti covers the MMIO write and ends with it. */
static void test_shadow_mmio(struct vmw_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	VMW_EXPECT_SYNC(vcpu, 5);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_MMIO);
	TEST_ASSERT(run->mmio.phys_addr == MMIO_GPA && run->mmio.is_write &&
		    run->mmio.len == 1, "MMIO exit at %#llx", run->mmio.phys_addr);
	TEST_ASSERT(run->if_flag == 1 && run->ready_for_interrupt_injection == 1,
		    "after sti and the instruction in its shadow: if_flag %u ready %u",
		    run->if_flag, run->ready_for_interrupt_injection);
	inject(vcpu, VEC_C);
	VMW_EXPECT_SYNC(vcpu, 0);	/* no inc ran before the interrupt */
	VMW_EXPECT_SYNC(vcpu, 6);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
}

int main(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_irq, guest_irq_end, &vcpu);
	vmw_vm_set_idt_gate(vm, VEC_A, vec_a);
	vmw_vm_set_idt_gate(vm, VEC_B, vec_b);
	vmw_vm_set_idt_gate(vm, VEC_C, vec_c);
	test_bad_vector(vcpu);
	test_inject_halted(vcpu);
	test_window(vcpu);
	test_shadow_mmio(vcpu);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	return 0;
}
