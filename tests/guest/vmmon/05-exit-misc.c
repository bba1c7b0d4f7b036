// SPDX-License-Identifier: GPL-2.0
/*
 * HLT (no in-kernel irqchip: every hlt reaches userspace), SHUTDOWN on a
 * triple fault, special registers KVM_SET_SREGS must refuse, a guest state
 * the CPU refuses at entry (FAIL_ENTRY, or any refusal that is not a
 * crash), and an instruction fetched from where no memory is
 * (INTERNAL_ERROR).
 */
#include "vmw_vm.h"

VMW_GUEST(guest_hlt, 64,
	"	hlt\n"
	"	vmw_sync 1\n"
	"	hlt\n"
	"	vmw_done\n");

VMW_GUEST(guest_ud2, 64,
	"	ud2\n"
	"	vmw_fail 1\n");

VMW_GUEST(guest_lidt, 64,
	"	push $0\n"
	"	push $0\n"
	"	lidt 6(%rsp)\n"		/* limit 0, base 0 */
	"	vmw_sync 1\n"
	"	int3\n"
	"	vmw_fail 2\n");

VMW_GUEST(guest_fetch_mmio, 64,
	"	mov $0xd0000000, %eax\n"
	"	jmp *%rax\n");

static void test_hlt(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_hlt, guest_hlt_end, &vcpu);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_HLT);
	VMW_EXPECT_SYNC(vcpu, 1);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_HLT);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_HLT);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

static void test_shutdown(void)
{
	struct kvm_sregs sregs;
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	/* An IDT of limit 0 from KVM_SET_SREGS. */
	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_ud2, guest_ud2_end, &vcpu);
	vmw_vcpu_get_sregs(vcpu, &sregs);
	sregs.idt.limit = 0;
	vmw_vcpu_set_sregs(vcpu, &sregs);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_SHUTDOWN);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);

	/* An IDT of limit 0 loaded by the guest itself. */
	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_lidt, guest_lidt_end, &vcpu);
	VMW_EXPECT_SYNC(vcpu, 1);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_SHUTDOWN);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

static void expect_sregs_einval(struct vmw_vcpu *vcpu, struct kvm_sregs *sr,
				const char *what)
{
	TEST_ASSERT(ioctl(vcpu->fd, KVM_SET_SREGS, sr) == -1 && errno == EINVAL,
		    "KVM_SET_SREGS with %s", what);
}

/* Control register combinations the architecture forbids. */
static void test_bad_sregs(void)
{
	struct kvm_sregs good, sr;
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_hlt, guest_hlt_end, &vcpu);
	vmw_vcpu_get_sregs(vcpu, &good);
	sr = good;
	sr.cr4 &= ~(1ULL << 5);
	expect_sregs_einval(vcpu, &sr, "long mode paging without PAE");
	sr = good;
	sr.cr0 &= ~1ULL;
	expect_sregs_einval(vcpu, &sr, "CR0.PG without CR0.PE");
	sr = good;
	sr.cr4 |= 1ULL << 40;
	expect_sregs_einval(vcpu, &sr, "a reserved CR4 bit");
	sr = good;
	sr.cr0 &= ~(1ULL << 31);
	expect_sregs_einval(vcpu, &sr, "EFER.LMA without paging");
	/* Nothing of the refused states stuck: the guest still runs. */
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_HLT);
	VMW_EXPECT_SYNC(vcpu, 1);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

/* CS with both L and D set in long mode: VM entry must fail, not crash. */
static void test_fail_entry(void)
{
	struct kvm_sregs sr;
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;
	int ret;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_hlt, guest_hlt_end, &vcpu);
	vmw_vcpu_get_sregs(vcpu, &sr);
	sr.cs.db = 1;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sr)) {
		TEST_ASSERT(errno == EINVAL, "KVM_SET_SREGS with CS.L and CS.D");
		TEST_NOTE("CS.L+CS.D: KVM_SET_SREGS refused it");
		goto out;
	}
	ret = vmw_vcpu_run(vcpu);
	if (ret) {
		errno = -ret;
		TEST_ASSERT(ret == -EINVAL, "KVM_RUN with CS.L and CS.D");
		TEST_NOTE("CS.L+CS.D: KVM_RUN refused it");
		goto out;
	}
	TEST_NOTE("CS.L+CS.D: exit %s", vmw_exit_name(vcpu->run->exit_reason));
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_FAIL_ENTRY ||
		    vcpu->run->exit_reason == KVM_EXIT_INTERNAL_ERROR ||
		    vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN ||
		    vcpu->run->exit_reason == KVM_EXIT_HLT,
		    "exit %u", vcpu->run->exit_reason);
out:
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

static void test_fetch_mmio(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_fetch_mmio,
				     guest_fetch_mmio_end, &vcpu);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_INTERNAL_ERROR);
	TEST_NOTE("fetch from MMIO: suberror %u", vcpu->run->internal.suberror);
	TEST_ASSERT(vcpu->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION,
		    "suberror %u", vcpu->run->internal.suberror);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

int main(void)
{
	test_hlt();
	test_shutdown();
	test_bad_sregs();
	test_fail_entry();
	test_fetch_mmio();
	return 0;
}
