/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What both world-switch stubs (svm_enter.S, vmx_enter.S) share: the
 * offsets of the guest GPRs in vcpu->gprs (enum vmm_gpr, 8 bytes each),
 * storing them after an exit, and scrubbing what the guest left behind.
 */
#ifndef VMMON_ENTER_H
#define VMMON_ENTER_H

#include <asm/nospec-branch.h>

#define G_RAX	(0 * 8)
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

/* Store every guest GPR but RAX and RSP at \base (a register). */
.macro VMM_STORE_GUEST_GPRS base:req
	mov	%rcx, G_RCX(\base)
	mov	%rdx, G_RDX(\base)
	mov	%rbx, G_RBX(\base)
	mov	%rbp, G_RBP(\base)
	mov	%rsi, G_RSI(\base)
	mov	%rdi, G_RDI(\base)
	mov	%r8, G_R8(\base)
	mov	%r9, G_R9(\base)
	mov	%r10, G_R10(\base)
	mov	%r11, G_R11(\base)
	mov	%r12, G_R12(\base)
	mov	%r13, G_R13(\base)
	mov	%r14, G_R14(\base)
	mov	%r15, G_R15(\base)
.endm

/*
 * Zero the caller-saved GPRs the guest controlled (the callee-saved ones
 * are restored by the caller's pops) and refill the return stack buffer,
 * which the guest may have filled with its own targets. Clobbers RAX.
 */
.macro VMM_SCRUB_GUEST
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_ALWAYS
.endm

#endif /* VMMON_ENTER_H */
