// SPDX-License-Identifier: GPL-2.0
/*
 * System ioctls on the device fd: API version, capabilities, the kvm_run
 * mapping size, the supported CPUID, and the answers to ioctls that are
 * unknown or sent to the wrong kind of fd.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmw_vm.h"

#define NOT_SUPPORTED(err) ((err) == ENOTTY || (err) == EINVAL)

static void test_api_version(int dev)
{
	TEST_ASSERT(ioctl(dev, KVM_GET_API_VERSION, 0) == KVM_API_VERSION,
		    "KVM_GET_API_VERSION");
	TEST_ASSERT(ioctl(dev, KVM_GET_API_VERSION, 1) == -1 && errno == EINVAL,
		    "KVM_GET_API_VERSION takes no argument");
}

static void test_extensions(int dev)
{
	static const int caps[] = {
		KVM_CAP_USER_MEMORY, KVM_CAP_NR_VCPUS, KVM_CAP_MAX_VCPUS,
		KVM_CAP_NR_MEMSLOTS, KVM_CAP_EXT_CPUID, KVM_CAP_IMMEDIATE_EXIT,
	};
	unsigned int i;
	int nr, max;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		TEST_ASSERT(ioctl(dev, KVM_CHECK_EXTENSION, caps[i]) > 0,
			    "capability %d", caps[i]);
	nr = ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	max = ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	TEST_ASSERT(nr <= max, "NR_VCPUS %d > MAX_VCPUS %d", nr, max);
	TEST_ASSERT(ioctl(dev, KVM_CHECK_EXTENSION, 0x7fffffff) == 0,
		    "an unknown capability is 0");
	TEST_ASSERT(ioctl(dev, KVM_CHECK_EXTENSION, -1) == 0,
		    "capability -1 is 0");
	if (vmw_is_vmmon()) {
		TEST_ASSERT(ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) == 0,
			    "vmmon has no in-kernel irqchip");
		TEST_ASSERT(ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_PIT2) == 0,
			    "vmmon has no in-kernel PIT");
	}
}

static void test_mmap_size(int dev)
{
	int size = ioctl(dev, KVM_GET_VCPU_MMAP_SIZE, 0);

	TEST_ASSERT(size >= (int)sizeof(struct kvm_run) && size % 4096 == 0,
		    "KVM_GET_VCPU_MMAP_SIZE %d", size);
}

static struct kvm_cpuid2 *cpuid_alloc(int nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	TEST_ASSERT(c, "calloc");
	c->nent = nent;
	return c;
}

static void test_supported_cpuid(int dev)
{
	struct kvm_cpuid2 *c = cpuid_alloc(1);
	uint32_t i;
	bool leaf0 = false;

	TEST_ASSERT(ioctl(dev, KVM_GET_SUPPORTED_CPUID, c) == -1 && errno == E2BIG,
		    "one entry is too few");
	free(c);
	c = cpuid_alloc(0);
	TEST_ASSERT(ioctl(dev, KVM_GET_SUPPORTED_CPUID, c) == -1 && errno == E2BIG,
		    "no entry is too few");
	free(c);
	c = cpuid_alloc(VMMON_MAX_CPUID);
	TEST_ASSERT(!ioctl(dev, KVM_GET_SUPPORTED_CPUID, c), "KVM_GET_SUPPORTED_CPUID");
	TEST_ASSERT(c->nent > 1 && c->nent <= VMMON_MAX_CPUID, "nent %u", c->nent);
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0)
			leaf0 = c->entries[i].eax >= 1;
	TEST_ASSERT(leaf0, "leaf 0 missing or says no leaf 1");
	TEST_NOTE("%u supported CPUID entries", c->nent);
	free(c);
}

/* Unknown ioctls, and ioctls of one fd type sent to another. */
static void test_wrong_ioctls(int dev)
{
	int vm, vcpu, null;

	TEST_ASSERT(ioctl(dev, _IO(KVMIO, 0xfe), 0) == -1 && NOT_SUPPORTED(errno),
		    "unknown system ioctl");
	TEST_ASSERT(ioctl(dev, KVM_CREATE_VM, 0xdead) == -1 && errno == EINVAL,
		    "VM type 0xdead");
	vm = ioctl(dev, KVM_CREATE_VM, 0);
	TEST_ASSERT(vm >= 0, "KVM_CREATE_VM");
	TEST_ASSERT(ioctl(dev, KVM_CREATE_VCPU, 0) == -1 && NOT_SUPPORTED(errno),
		    "KVM_CREATE_VCPU on the device fd");
	TEST_ASSERT(ioctl(dev, KVM_RUN, 0) == -1 && NOT_SUPPORTED(errno),
		    "KVM_RUN on the device fd");
	TEST_ASSERT(ioctl(vm, _IO(KVMIO, 0xfe), 0) == -1 && NOT_SUPPORTED(errno),
		    "unknown VM ioctl");
	TEST_ASSERT(ioctl(vm, KVM_RUN, 0) == -1 && NOT_SUPPORTED(errno),
		    "KVM_RUN on a VM fd");
	TEST_ASSERT(ioctl(vm, KVM_CREATE_VM, 0) == -1 && NOT_SUPPORTED(errno),
		    "KVM_CREATE_VM on a VM fd");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	TEST_ASSERT(vcpu >= 0, "KVM_CREATE_VCPU");
	TEST_ASSERT(ioctl(vcpu, _IO(KVMIO, 0xfe), 0) == -1 && NOT_SUPPORTED(errno),
		    "unknown vCPU ioctl");
	TEST_ASSERT(ioctl(vcpu, KVM_CREATE_VCPU, 1) == -1 && NOT_SUPPORTED(errno),
		    "KVM_CREATE_VCPU on a vCPU fd");
	TEST_ASSERT(ioctl(vcpu, KVM_SET_USER_MEMORY_REGION, NULL) == -1 &&
		    NOT_SUPPORTED(errno), "a VM ioctl on a vCPU fd");
	null = open("/dev/null", O_RDWR);
	TEST_ASSERT(ioctl(null, KVM_CREATE_VM, 0) == -1 && errno == ENOTTY,
		    "KVM_CREATE_VM on /dev/null");
	close(null);
	close(vcpu);
	close(vm);
}

/* VMs and vCPUs: ids in range, no duplicates, bad pointers refused. */
static void test_create(int dev)
{
	int max = ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	int vm = ioctl(dev, KVM_CREATE_VM, 0);
	int vcpu;

	TEST_ASSERT(vm >= 0, "KVM_CREATE_VM");
	TEST_ASSERT(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) > 0 &&
		    ioctl(vm, KVM_CHECK_EXTENSION, 0x7fffffff) == 0,
		    "KVM_CHECK_EXTENSION on a VM fd");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	TEST_ASSERT(vcpu >= 0, "KVM_CREATE_VCPU 0");
	TEST_ASSERT(ioctl(vm, KVM_CREATE_VCPU, 0) == -1 && errno == EEXIST,
		    "vCPU 0 twice");
	TEST_ASSERT(ioctl(vm, KVM_CREATE_VCPU, 0x7fffffff) == -1 && errno == EINVAL,
		    "vCPU id 0x7fffffff");
	TEST_ASSERT(ioctl(vm, KVM_CREATE_VCPU, -1) == -1 && errno == EINVAL,
		    "vCPU id -1");
	TEST_ASSERT(ioctl(vcpu, KVM_GET_REGS, (void *)8) == -1 && errno == EFAULT,
		    "KVM_GET_REGS to a bad pointer");
	TEST_ASSERT(ioctl(vcpu, KVM_SET_SREGS, (void *)8) == -1 && errno == EFAULT,
		    "KVM_SET_SREGS from a bad pointer");
	TEST_ASSERT(ioctl(dev, KVM_GET_SUPPORTED_CPUID, (void *)8) == -1 &&
		    errno == EFAULT, "KVM_GET_SUPPORTED_CPUID to a bad pointer");
	TEST_NOTE("MAX_VCPUS %d", max);
	close(vcpu);
	close(vm);
}

int main(void)
{
	int dev = vmw_dev_open();

	test_api_version(dev);
	test_extensions(dev);
	test_mmap_size(dev);
	test_supported_cpuid(dev);
	test_wrong_ioctls(dev);
	test_create(dev);
	close(dev);
	return 0;
}
