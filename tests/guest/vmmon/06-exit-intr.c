// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_EXIT_INTR: a signal to the thread in KVM_RUN ends a guest spinning
 * for ever, promptly, with EINTR; immediate_exit = 1 makes KVM_RUN return
 * EINTR without entering the guest. Either way the guest goes on when it
 * is run again.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "vmw_vm.h"

#define SIGNAL_LATENCY_MAX_S	20	/* Bochs is slow */

/* Counts in RBX in memory at 0x500 for ever; reports once first. */
VMW_GUEST(guest_spin, 64,
	"	vmw_sync 1\n"
	"1:	incq (0x500)\n"
	"	jmp 1b\n");

struct runner {
	struct vmw_vcpu *vcpu;
	volatile int done;
	int ret;
};

static void on_signal(int sig)
{
	(void)sig;
}

static void *run_thread(void *arg)
{
	struct runner *r = arg;

	r->ret = vmw_vcpu_run(r->vcpu);
	r->done = 1;
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the spinning guest on a thread and stop it with a signal. */
static void stop_with_signal(struct vmw_vcpu *vcpu)
{
	struct runner r = { .vcpu = vcpu };
	pthread_t thread;
	double start;

	TEST_ASSERT(!pthread_create(&thread, NULL, run_thread, &r), "pthread_create");
	usleep(100 * 1000);
	TEST_ASSERT(!r.done, "KVM_RUN returned by itself: %d", r.ret);
	start = now();
	/* Signal until it returns: the first may land before KVM_RUN. */
	while (!r.done && now() - start < SIGNAL_LATENCY_MAX_S) {
		pthread_kill(thread, SIGUSR1);
		usleep(10 * 1000);
	}
	pthread_join(thread, NULL);
	TEST_ASSERT(r.done, "KVM_RUN ignored signals for %d s", SIGNAL_LATENCY_MAX_S);
	errno = -r.ret;
	TEST_ASSERT(r.ret == -EINTR, "KVM_RUN after a signal returned %d", r.ret);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_INTR,
		    "exit reason %u after a signal", vcpu->run->exit_reason);
	TEST_NOTE("signal stopped the guest after %.3f s", now() - start);
}

static void test_signal(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;
	uint64_t *counter, seen;

	TEST_ASSERT(!sigaction(SIGUSR1, &sa, NULL), "sigaction");
	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_spin, guest_spin_end,
				     &vcpu);
	counter = vmw_gpa2hva(vm, 0x500);
	VMW_EXPECT_SYNC(vcpu, 1);
	stop_with_signal(vcpu);
	seen = *counter;
	TEST_ASSERT(seen > 0, "the guest never ran");
	stop_with_signal(vcpu);
	TEST_ASSERT(*counter > seen, "the guest did not go on after EINTR");
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

static void test_immediate_exit(void)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;
	int ret;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_spin, guest_spin_end,
				     &vcpu);
	vcpu->run->immediate_exit = 1;
	ret = vmw_vcpu_run(vcpu);
	TEST_ASSERT(ret == -EINTR, "immediate_exit: KVM_RUN returned %d", ret);
	TEST_NOTE("immediate_exit: exit reason %u (%s)", vcpu->run->exit_reason,
		  vmw_exit_name(vcpu->run->exit_reason));
	ret = vmw_vcpu_run(vcpu);
	TEST_ASSERT(ret == -EINTR, "immediate_exit stays until cleared: %d", ret);
	vcpu->run->immediate_exit = 0;
	VMW_EXPECT_SYNC(vcpu, 1);
	vcpu->run->immediate_exit = 1;
	ret = vmw_vcpu_run(vcpu);
	TEST_ASSERT(ret == -EINTR, "immediate_exit after an I/O exit: %d", ret);
	vcpu->run->immediate_exit = 0;
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
}

/* Under Bochs no host interrupt reaches VMX root while a guest spins with
 * IF=0, so the stock kvm_intel never gets the CPU back; vmmon arms the VMX
 * preemption timer for exactly that case. */
static bool stock_kvm_under_bochs(void)
{
	char cmdline[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = 0;
		fclose(f);
	}
	return !vmw_is_vmmon() && strstr(cmdline, "vmw.emu=bochs");
}

int main(void)
{
	vmw_dev();
	test_immediate_exit();
	if (stock_kvm_under_bochs())
		TEST_SKIP("stock kvm_intel under Bochs cannot stop a spinning guest");
	test_signal();
	return 0;
}
