// SPDX-License-Identifier: GPL-2.0
/*
 * vmmon against the stock KVM in the same test host, same guest code:
 *   io_exit   round trip of a port I/O exit to userspace (OUT in a loop)
 *   cpuid     an exit the kernel handles (CPUID in a loop, one report at
 *             the end of each batch)
 *   compute   a guest arithmetic loop, no exits
 * Each runs for at least MIN_SECONDS; lines read
 *   BENCH io_exit kvm=33000 ns vmmon=30000 ns ratio=0.91
 * KVM is measured first, then every KVM module is unloaded and vmmon
 * loaded. Without vmmon only KVM is printed. Exits 0 unless something
 * is broken.
 */
#define _GNU_SOURCE
#include <time.h>
#include <unistd.h>

#include "vmw_vm.h"

#define MIN_SECONDS	0.5
#define BATCH		1000

enum { IO_EXIT, CPUID, COMPUTE, NR_BENCH };
static const char *const names[NR_BENCH] = { "io_exit", "cpuid", "compute" };

VMW_GUEST(guest_io, 64,
	"1:	out %al, $0xf0\n"
	"	jmp 1b\n");

/* BATCH CPUIDs of leaf 0, then a report; again for ever. */
VMW_GUEST(guest_cpuid, 64,
	"1:	mov $1000, %esi\n"
	"2:	xor %eax, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	dec %esi\n"
	"	jnz 2b\n"
	"	out %al, $0xf0\n"
	"	jmp 1b\n");

/* BATCH iterations of a multiply-add chain, then a report. */
VMW_GUEST(guest_compute, 64,
	"	mov $1, %rax\n"
	"1:	mov $1000, %esi\n"
	"2:	imul $0x5851f42d, %rax, %rax\n"
	"	add $0x14057b7e, %rax\n"
	"	xor %rsi, %rax\n"
	"	dec %esi\n"
	"	jnz 2b\n"
	"	out %al, $0xf0\n"
	"	jmp 1b\n");

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ns per operation: @per_exit guest operations between two exits. */
static double measure(int dev, const void *code, const void *end, int per_exit)
{
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm = vmw_vm_create_on(dev);
	double start, elapsed;
	long exits = 0;

	vmw_vm_load_code(vm, code, end);
	vcpu = vmw_vcpu_add(vm, 0, VMW_MODE_LONG64);
	vmw_vcpu_expect_exit(vcpu, KVM_EXIT_IO);	/* warm up */
	start = now();
	do {
		vmw_vcpu_expect_exit(vcpu, KVM_EXIT_IO);
		exits++;
		elapsed = now() - start;
	} while (elapsed < MIN_SECONDS);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	return elapsed * 1e9 / ((double)exits * per_exit);
}

static void measure_all(const char *path, double ns[NR_BENCH])
{
	int dev = vmw_dev_try_open(path);

	if (dev < 0) {
		printf("  %s: not measured (%s)\n", path, strerror(-dev));
		return;
	}
	ns[IO_EXIT] = measure(dev, guest_io, guest_io_end, 1);
	ns[CPUID] = measure(dev, guest_cpuid, guest_cpuid_end, BATCH);
	ns[COMPUTE] = measure(dev, guest_compute, guest_compute_end, BATCH);
	close(dev);
}

int main(void)
{
	double kvm[NR_BENCH] = { 0 }, vmmon[NR_BENCH] = { 0 };
	int i;

	measure_all("/dev/kvm", kvm);
	vmw_unload_all();
	measure_all("/dev/vmmon", vmmon);
	for (i = 0; i < NR_BENCH; i++) {
		printf("BENCH %s kvm=%.0f ns", names[i], kvm[i]);
		if (vmmon[i] > 0)
			printf(" vmmon=%.0f ns ratio=%.2f", vmmon[i],
			       kvm[i] > 0 ? vmmon[i] / kvm[i] : 0);
		printf("\n");
	}
	vmw_unload_all();
	return 0;
}
