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

#define ARG_VMCB	0
#define ARG_HOST	8
#define ARG_GPRS	16

#define G_RCX	(1 * 8)
#define G_RDX	(2 * 8)
#define G_RBX	(3 * 8)
#define G_RBP	(5 * 8)
#define G_RSI	(6 * 8)
#define G_RDI	(7 * 8)
#define G_R8	(8 * 8)
#define G_R9	(9 * 8)
#define G_R10	(10 * 8)
#define G_R11	(11 * 8)
#define G_R12	(12 * 8)
#define G_R13	(13 * 8)
#define G_R14	(14 * 8)
#define G_R15	(15 * 8)

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
	 * IRQs-off state before STGI.
	 */
	sti
	vmrun	%rax
	cli
	vmsave	%rax

	mov	(%rsp), %rax		/* args */
	mov	ARG_GPRS(%rax), %rax
	mov	%rcx, G_RCX(%rax)
	mov	%rdx, G_RDX(%rax)
	mov	%rbx, G_RBX(%rax)
	mov	%rbp, G_RBP(%rax)
	mov	%rsi, G_RSI(%rax)
	mov	%rdi, G_RDI(%rax)
	mov	%r8, G_R8(%rax)
	mov	%r9, G_R9(%rax)
	mov	%r10, G_R10(%rax)
	mov	%r11, G_R11(%rax)
	mov	%r12, G_R12(%rax)
	mov	%r13, G_R13(%rax)
	mov	%r14, G_R14(%rax)
	mov	%r15, G_R15(%rax)

	mov	(%rsp), %rax
	mov	ARG_HOST(%rax), %rax
	vmload	%rax

	/* Nothing the guest left in a register survives. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	/* The guest may have filled the RSB with its own targets. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_ALWAYS

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
