// SPDX-License-Identifier: GPL-2.0
/*
 * Several VMs with several vCPUs each, every vCPU on its own thread, all
 * running at once: each vCPU counts in its own word of its VM's memory and
 * reports every step. Two VMs use the same guest-physical addresses and
 * never see each other's memory.
 */
#include <pthread.h>

#include "vmw_vm.h"

#define NR_VMS		2
#define NR_VCPUS	2
#define STEPS		200
#define COUNTERS_GPA	VMW_DATA_GPA

/* vCPU n (RDI) counts in the word at COUNTERS_GPA + 8 n, reports it. */
VMW_GUEST(guest_count, 64,
	"	lea 0x100000(,%rdi,8), %rbx\n"
	"1:	incq (%rbx)\n"
	"	mov (%rbx), %rax\n"
	"	out %eax, $0xf0\n"
	"	jmp 1b\n");

/* Reports the word at COUNTERS_GPA + 0x800, which the host set per VM. */
VMW_GUEST(guest_peek, 64,
	"	mov (0x100800), %eax\n"
	"	out %eax, $0xf0\n"
	"	vmw_done\n");

static void *vcpu_thread(void *arg)
{
	struct vmw_vcpu *vcpu = arg;
	uint32_t i;

	for (i = 1; i <= STEPS; i++)
		VMW_EXPECT_SYNC(vcpu, i);
	return NULL;
}

static void test_parallel(void)
{
	struct vmw_vcpu *vcpus[NR_VMS][NR_VCPUS];
	pthread_t threads[NR_VMS][NR_VCPUS];
	struct vmw_vm *vms[NR_VMS];
	uint64_t *counters;
	int v, c;

	for (v = 0; v < NR_VMS; v++) {
		vms[v] = vmw_vm_create();
		vmw_vm_load_code(vms[v], guest_count, guest_count_end);
		for (c = 0; c < NR_VCPUS; c++)
			vcpus[v][c] = vmw_vcpu_add(vms[v], c, VMW_MODE_LONG64);
	}
	for (v = 0; v < NR_VMS; v++)
		for (c = 0; c < NR_VCPUS; c++)
			TEST_ASSERT(!pthread_create(&threads[v][c], NULL, vcpu_thread,
						    vcpus[v][c]), "pthread_create");
	for (v = 0; v < NR_VMS; v++)
		for (c = 0; c < NR_VCPUS; c++)
			pthread_join(threads[v][c], NULL);
	for (v = 0; v < NR_VMS; v++) {
		counters = vmw_gpa2hva(vms[v], COUNTERS_GPA);
		for (c = 0; c < NR_VCPUS; c++) {
			TEST_ASSERT(counters[c] == STEPS, "VM %d vCPU %d counted %llu",
				    v, c, (unsigned long long)counters[c]);
			vmw_vcpu_free(vcpus[v][c]);
		}
		vmw_vm_free(vms[v]);
	}
	TEST_NOTE("%d VMs x %d vCPUs x %d exits: ok", NR_VMS, NR_VCPUS, STEPS);
}

static void test_isolation(void)
{
	struct vmw_vcpu *a, *b;
	struct vmw_vm *vm_a, *vm_b;

	vm_a = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_peek, guest_peek_end, &a);
	vm_b = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_peek, guest_peek_end, &b);
	*(uint32_t *)vmw_gpa2hva(vm_a, COUNTERS_GPA + 0x800) = 0xaaaa;
	*(uint32_t *)vmw_gpa2hva(vm_b, COUNTERS_GPA + 0x800) = 0xbbbb;
	VMW_EXPECT_SYNC(a, 0xaaaa);
	VMW_EXPECT_SYNC(b, 0xbbbb);
	vmw_vcpu_free(a);
	vmw_vcpu_free(b);
	vmw_vm_free(vm_a);
	vmw_vm_free(vm_b);
}

int main(void)
{
	test_parallel();
	test_isolation();
	return 0;
}
