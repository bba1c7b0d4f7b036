// SPDX-License-Identifier: GPL-2.0
/*
 * vmmon only: while the stock KVM owns the virtualization hardware (a KVM
 * VM exists), loading vmmon fails with an errno and no kernel splat (the
 * host's judge scans the console); once KVM is gone vmmon loads.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "vmw_vm.h"

int main(void)
{
	int kvm, vm, ret;

	if (!vmw_is_vmmon())
		TEST_SKIP("tests vmmon against KVM");
	if (access("/vmw/ko/vmmon.ko", F_OK))
		TEST_SKIP("/vmw/ko/vmmon.ko is not in this test host");
	kvm = vmw_dev_try_open("/dev/kvm");
	if (kvm < 0)
		TEST_SKIP("no stock KVM for this CPU (%s)", strerror(-kvm));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	TEST_ASSERT(vm >= 0, "KVM_CREATE_VM on /dev/kvm");
	ret = vmw_module_load("vmproc", NULL);
	TEST_ASSERT(!ret || ret == -EEXIST, "load vmproc: %d", ret);
	ret = vmw_module_load("vmmon", NULL);
	TEST_ASSERT(ret < 0, "vmmon loaded while KVM owns the hardware");
	TEST_NOTE("vmmon refused to load: %s", strerror(-ret));
	close(vm);
	close(kvm);
	vmw_unload_all();
	ret = vmw_module_load("vmproc", NULL);
	TEST_ASSERT(!ret, "load vmproc");
	ret = vmw_module_load("vmmon", NULL);
	errno = -ret;
	TEST_ASSERT(!ret, "load vmmon after KVM left");
	return 0;
}
