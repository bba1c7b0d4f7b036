/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Intel VT-x world switch.
 *
 *   int vmm_vmx_enter(u64 *gprs, bool launched);
 *
 * Contract: called with IRQs off and the vCPU's VMCS current on this CPU,
 * its host state (except HOST_RSP) and guest state written. @gprs is the
 * guest's 16 GPRs indexed as enum vmm_gpr (RSP is ignored: it lives in the
 * VMCS). Writes HOST_RSP, loads the guest GPRs and enters the guest with
 * VMRESUME if @launched, else VMLAUNCH. A VM exit lands on vmm_vmx_vmexit
 * (HOST_RIP) with the host's RSP, where the guest's GPRs are stored back.
 * Returns 0 after a VM exit (the exit reason is in the VMCS) and 1 when
 * VMLAUNCH/VMRESUME failed (VM_INSTRUCTION_ERROR says why). Either way every
 * register the guest controlled is zeroed and the return stack buffer is
 * refilled so the guest cannot steer host speculation.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "enter.h"

#define VMCS_HOST_RSP	0x6c14		/* HOST_RSP in <asm/vmx.h> */


.section .text, "ax"

SYM_FUNC_START(vmm_vmx_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* @gprs, found at (%rsp) after the exit */

	mov	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lfail

	/* MOVs leave the flags alone: ZF still says whether @launched. */
	test	%sil, %sil
	mov	G_RAX(%rdi), %rax
	mov	G_RCX(%rdi), %rcx
	mov	G_RDX(%rdi), %rdx
	mov	G_RBX(%rdi), %rbx
	mov	G_RBP(%rdi), %rbp
	mov	G_RSI(%rdi), %rsi
	mov	G_R8(%rdi), %r8
	mov	G_R9(%rdi), %r9
	mov	G_R10(%rdi), %r10
	mov	G_R11(%rdi), %r11
	mov	G_R12(%rdi), %r12
	mov	G_R13(%rdi), %r13
	mov	G_R14(%rdi), %r14
	mov	G_R15(%rdi), %r15
	mov	G_RDI(%rdi), %rdi

	UNWIND_HINT_SAVE
	jnz	.Lresume
	vmlaunch
	jmp	.Lfail
.Lresume:
	vmresume
	jmp	.Lfail

SYM_INNER_LABEL(vmm_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rax
	mov	8(%rsp), %rax		/* @gprs */
	pop	G_RAX(%rax)
	VMM_STORE_GUEST_GPRS %rax
	xor	%ebx, %ebx		/* the result: a VM exit */

.Lclear:
	/* Nothing the guest left in a register or the RSB survives. */
	VMM_SCRUB_GUEST

	mov	%ebx, %eax
	pop	%rdi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

.Lfail:
	/* VMfail: still on our stack, perhaps with the guest's GPRs loaded. */
	mov	$1, %ebx
	jmp	.Lclear
SYM_FUNC_END(vmm_vmx_enter)
