/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The AMD-V world switch.
 *
 *   void vmm_svm_enter(struct vmm_svm_enter_args *args);
 *
 * Contract: called with IRQs off and GIF clear (CLGI), args->vmcb_pa the
 * guest's VMCB, args->host_save_pa this CPU's host save area, args->gprs the
 * guest's 16 GPRs indexed as enum vmm_gpr (RAX and RSP are ignored: VMRUN
 * takes them from the VMCB). Saves the host's FS, GS, TR, LDTR and syscall
 * MSRs with VMSAVE, loads the guest's with VMLOAD, runs the guest, and on
 * #VMEXIT stores the guest's GPRs and hidden state back and restores the
 * host's with VMLOAD before any per-CPU access is possible. Returns with
 * GIF still clear; every register the guest controlled is zeroed and the
 * return stack buffer is refilled so the guest cannot steer host
 * speculation.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#include "enter.h"

#define ARG_VMCB	0
#define ARG_HOST	8
#define ARG_GPRS	16


.section .text, "ax"

SYM_FUNC_START(vmm_svm_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* args, needed after the exit */

	mov	ARG_HOST(%rdi), %rax
	vmsave	%rax

	push	ARG_VMCB(%rdi)
	mov	ARG_GPRS(%rdi), %rax
	mov	G_RCX(%rax), %rcx
	mov	G_RDX(%rax), %rdx
	mov	G_RBX(%rax), %rbx
	mov	G_RBP(%rax), %rbp
	mov	G_RSI(%rax), %rsi
	mov	G_RDI(%rax), %rdi
	mov	G_R8(%rax), %r8
	mov	G_R9(%rax), %r9
	mov	G_R10(%rax), %r10
	mov	G_R11(%rax), %r11
	mov	G_R12(%rax), %r12
	mov	G_R13(%rax), %r13
	mov	G_R14(%rax), %r14
	mov	G_R15(%rax), %r15
	pop	%rax			/* the VMCB */

	vmload	%rax
	/*
	 * Host interrupts must be able to end the guest's run: with
	 * V_INTR_MASKING the host's RFLAGS.IF at VMRUN decides whether they
	 * cause #VMEXIT. GIF is clear, so none is taken here; #VMEXIT gives
	 * back the host's RFLAGS (IF set) and CLI restores the caller's
	 * IRQs-off state before STGI. The NOP takes STI's interrupt shadow,
	 * which is the host's: QEMU's TCG would carry it into the guest and
	 * hold back an interrupt offered there for one instruction.
	 */
	sti
	nop
	vmrun	%rax
	cli
	vmsave	%rax

	mov	(%rsp), %rax		/* args */
	mov	ARG_GPRS(%rax), %rax
	VMM_STORE_GUEST_GPRS %rax

	mov	(%rsp), %rax
	mov	ARG_HOST(%rax), %rax
	vmload	%rax

	/* Nothing the guest left in a register or the RSB survives. */
	VMM_SCRUB_GUEST

	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	xor	%eax, %eax
	RET
SYM_FUNC_END(vmm_svm_enter)
