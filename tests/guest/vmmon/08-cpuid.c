// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_CPUID2: the guest's CPUID returns the values set, and is answered
 * in the kernel (the first exit userspace sees is the guest's report).
 * Tables that are too big are refused with E2BIG.
 */
#include "vmw_vm.h"

#define HV_LEAF		0x40000000u
#define SIGNATURE	"VMwTestCPUID"

/* Reports CPUID(0).EBX/EDX/ECX, then CPUID(HV_LEAF).EAX/EBX/ECX/EDX. */
VMW_GUEST(guest_cpuid, 64,
	"	xor %eax, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	mov %ebx, %eax\n"
	"	out %eax, $0xf0\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0xf0\n"
	"	mov %ecx, %eax\n"
	"	out %eax, $0xf0\n"
	"	mov $0x40000000, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	out %eax, $0xf0\n"
	"	mov %ebx, %eax\n"
	"	out %eax, $0xf0\n"
	"	mov %ecx, %eax\n"
	"	out %eax, $0xf0\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0xf0\n"
	"	vmw_done\n");

static struct kvm_cpuid2 *cpuid_alloc(uint32_t nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	TEST_ASSERT(c, "calloc");
	c->nent = nent;
	return c;
}

static struct kvm_cpuid_entry2 *find_leaf(struct kvm_cpuid2 *c, uint32_t fn)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == 0)
			return &c->entries[i];
	return NULL;
}

/* The supported table, with our own hypervisor leaf added or replaced. */
static struct kvm_cpuid2 *build_table(struct vmw_vm *vm)
{
	struct kvm_cpuid2 *c = cpuid_alloc(VMMON_MAX_CPUID);
	struct kvm_cpuid_entry2 *hv;

	TEST_ASSERT(!ioctl(vm->dev_fd, KVM_GET_SUPPORTED_CPUID, c),
		    "KVM_GET_SUPPORTED_CPUID");
	hv = find_leaf(c, HV_LEAF);
	if (!hv) {
		TEST_ASSERT(c->nent < VMMON_MAX_CPUID, "no room for a leaf");
		hv = &c->entries[c->nent++];
	}
	memset(hv, 0, sizeof(*hv));
	hv->function = HV_LEAF;
	hv->eax = 0x4000000a;
	memcpy(&hv->ebx, SIGNATURE, 4);
	memcpy(&hv->ecx, SIGNATURE + 4, 4);
	memcpy(&hv->edx, SIGNATURE + 8, 4);
	return c;
}

static void test_too_big(struct vmw_vcpu *vcpu)
{
	struct kvm_cpuid2 *c = cpuid_alloc(VMMON_MAX_CPUID + 1);

	TEST_ASSERT(ioctl(vcpu->fd, KVM_SET_CPUID2, c) == -1 && errno == E2BIG,
		    "KVM_SET_CPUID2 with %u entries", c->nent);
	c->nent = 100000;
	TEST_ASSERT(ioctl(vcpu->fd, KVM_SET_CPUID2, c) == -1 && errno == E2BIG,
		    "KVM_SET_CPUID2 with 100000 entries");
	free(c);
	TEST_ASSERT(ioctl(vcpu->fd, KVM_SET_CPUID2, (void *)8) == -1 && errno == EFAULT,
		    "KVM_SET_CPUID2 from a bad pointer");
}

int main(void)
{
	struct kvm_cpuid_entry2 *leaf0;
	struct kvm_cpuid2 *table;
	struct vmw_vcpu *vcpu;
	struct vmw_vm *vm;
	char sig[13] = "";
	uint32_t got;
	int i;

	vm = vmw_vm_create_with_vcpu(VMW_MODE_LONG64, guest_cpuid,
				     guest_cpuid_end, &vcpu);
	test_too_big(vcpu);
	table = build_table(vm);
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_SET_CPUID2, table), "KVM_SET_CPUID2");
	leaf0 = find_leaf(table, 0);
	TEST_ASSERT(leaf0, "no leaf 0");
	VMW_EXPECT_SYNC(vcpu, leaf0->ebx);
	VMW_EXPECT_SYNC(vcpu, leaf0->edx);
	VMW_EXPECT_SYNC(vcpu, leaf0->ecx);
	VMW_EXPECT_SYNC(vcpu, 0x4000000a);
	for (i = 0; i < 3; i++) {
		got = vmw_vcpu_expect_report(vcpu, VMW_REPORT_SYNC);
		memcpy(sig + 4 * i, &got, 4);
	}
	TEST_ASSERT(!strcmp(sig, SIGNATURE), "guest saw signature '%s'", sig);
	vmw_vcpu_expect_report(vcpu, VMW_REPORT_DONE);
	free(table);
	vmw_vcpu_free(vcpu);
	vmw_vm_free(vm);
	return 0;
}
