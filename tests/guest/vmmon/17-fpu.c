// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's FPU and SSE registers survive the host scheduling the vCPU's
 * task out in the middle of KVM_RUN. The guest keeps a pattern in XMM0 and
 * takes CPUID exits, which the module handles without returning to user
 * space; a second process pinned to the same CPU keeps loading another
 * pattern into its own XMM0. Every time the vCPU thread is switched back
 * in, Linux restores its FPU registers only lazily (on the way back to user
 * space), so a module that enters the guest without reloading them first
 * hands the guest the other process's XMM0.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vmw_vm.h"

#define GUEST_PATTERN	0x5a5aa5a5c3c33c3cULL
#define HOST_PATTERN	0x1111111122222222ULL

/*
 * Enable SSE, keep GUEST_PATTERN in XMM0, then report 2 after every 4096
 * CPUID exits that found XMM0 intact; on a mismatch report the low half of
 * what XMM0 held instead, then fail.
 */
VMW_GUEST(guest_fpu, 64,
	"	mov %cr0, %rax\n"
	"	and $~0x4, %rax\n"		/* EM off */
	"	or $0x2, %rax\n"		/* MP on */
	"	mov %rax, %cr0\n"
	"	mov %cr4, %rax\n"
	"	or $0x600, %rax\n"		/* OSFXSR, OSXMMEXCPT */
	"	mov %rax, %cr4\n"
	"	movabs $0x5a5aa5a5c3c33c3c, %r8\n"
	"	movq %r8, %xmm0\n"
	"	vmw_sync 1\n"
	"1:	mov $4096, %r10d\n"
	"2:	xor %eax, %eax\n"
	"	cpuid\n"
	"	movq %xmm0, %r9\n"
	"	cmp %r8, %r9\n"
	"	jne 3f\n"
	"	dec %r10d\n"
	"	jnz 2b\n"
	"	vmw_sync 2\n"
	"	jmp 1b\n"
	"3:	mov %r9d, %eax\n"
	"	out %eax, $0xf0\n"
	"	vmw_fail 1\n");

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TEST_ASSERT(!sched_setaffinity(0, sizeof(set), &set), "pin to CPU %d", cpu);
}

/* The competitor: its own XMM0 holds HOST_PATTERN whenever it runs. */
static pid_t start_clobber(int cpu)
{
	pid_t pid = fork();

	TEST_ASSERT(pid >= 0, "fork");
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pin_to_cpu(cpu);
	for (;;)
		asm volatile("movq %0, %%xmm0" :: "r"(HOST_PATTERN) : "xmm0");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;
	int cpu, rounds;
	double start;
	uint32_t got;
	pid_t child;

	cpu = sched_getcpu();
	TEST_ASSERT(cpu >= 0, "sched_getcpu");
	pin_to_cpu(cpu);
	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_fpu, guest_fpu_end,
				     &vcpu);
	VMW_EXPECT_SYNC(vcpu, 1);
	child = start_clobber(cpu);
	start = now_s();
	for (rounds = 0; rounds < 8 || now_s() - start < 2.0; rounds++) {
		got = vmw_vcpu_expect_report(vcpu, VMW_REPORT_SYNC);
		TEST_ASSERT(got == 2,
			    "round %d: the guest's XMM0 read %#x, not %#x (%s)",
			    rounds, got, (uint32_t)GUEST_PATTERN,
			    got == (uint32_t)HOST_PATTERN ?
			    "another process's register" : "garbage");
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	TEST_NOTE("%d x 4096 CPUID exits in %.1f s beside a competing task on CPU %d: XMM0 kept",
		  rounds, now_s() - start, cpu);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	return 0;
}
