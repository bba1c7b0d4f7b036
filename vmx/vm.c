// SPDX-License-Identifier: GPL-2.0
/* The hypervisor device (/dev/vmmon or /dev/kvm), guest memory, the VM's end. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "vmx.h"

#define TSS_ADDR	0xfffbd000UL	/* three pages kvm_intel wants, in the hole */

int vm_open(struct vm *vm)
{
	int ret;

	vm->sys_fd = vm->vm_fd = vm->wake_fd = -1;
	vm->sys_fd = open(vm->dev_path, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		ret = -errno;
		pr_err("open %s: %s%s", vm->dev_path, strerror(errno),
		       errno == ENOENT ? " (is vmmon.ko loaded?)" : "");
		return ret;
	}
	ret = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		pr_err("%s: API version %d, want %d", vm->dev_path, ret, KVM_API_VERSION);
		return -EINVAL;
	}
	vm->immediate_exit = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0;
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = -errno;
		pr_err("%s: KVM_CREATE_VM: %s", vm->dev_path, strerror(errno));
		return ret;
	}
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run)) {
		pr_err("%s: KVM_GET_VCPU_MMAP_SIZE: %d", vm->dev_path, vm->run_size);
		return -EINVAL;
	}
	/* Only VT-x under /dev/kvm needs it; vmmon does not offer it. */
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0)
		pr_warn("KVM_SET_TSS_ADDR: %s", strerror(errno));
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->wake_fd < 0) {
		ret = -errno;
		pr_err("eventfd: %s", strerror(errno));
		return ret;
	}
	return 0;
}

void vm_close(struct vm *vm)
{
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->sys_fd = vm->vm_fd = vm->wake_fd = -1;
	vm->nr_ioports = 0;	/* the devices are gone by now */
}

static int set_slot(struct vm *vm, u32 slot, u64 gpa, u64 size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (unsigned long)hva,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		int ret = -errno;

		pr_err("KVM_SET_USER_MEMORY_REGION slot %u (%llu MB at %#llx): %s",
		       slot, (unsigned long long)(size / MB),
		       (unsigned long long)gpa, strerror(errno));
		return ret;
	}
	return 0;
}

/*
 * RAM is one anonymous mapping. The guest sees [0, lowmem) at 0 and the
 * rest, if any, at 4 GiB, above the hole kept for PCI and the LAPIC.
 */
int vm_memory_init(struct vm *vm)
{
	struct sysinfo si;
	int ret;

	vm->ram_size = (u64)vm->cfg.memsize * MB;
	if (sysinfo(&si) == 0 && vm->ram_size > (u64)si.totalram * si.mem_unit) {
		pr_err("memsize %lu MB is more than this host's %llu MB of RAM",
		       vm->cfg.memsize,
		       (unsigned long long)si.totalram * si.mem_unit / MB);
		return -ENOMEM;
	}
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		ret = -errno;
		vm->ram = NULL;
		pr_err("cannot map %lu MB of guest memory: %s", vm->cfg.memsize, strerror(errno));
		return ret;
	}
	madvise(vm->ram, vm->ram_size, MADV_MERGEABLE);
	vm->lowmem = vm->ram_size < PCI_HOLE_START ? vm->ram_size : PCI_HOLE_START;
	ret = set_slot(vm, 0, 0, vm->lowmem, vm->ram);
	if (!ret && vm->ram_size > vm->lowmem)
		ret = set_slot(vm, 1, 4 * GB, vm->ram_size - vm->lowmem,
			       (u8 *)vm->ram + vm->lowmem);
	return ret;
}

void vm_memory_exit(struct vm *vm)
{
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->ram = NULL;
}

/* A host pointer to [gpa, gpa + len) if it is all RAM, else NULL. */
void *guest_ptr(struct vm *vm, u64 gpa, u64 len)
{
	if (gpa + len < gpa)
		return NULL;
	if (gpa + len <= vm->lowmem)
		return (u8 *)vm->ram + gpa;
	if (gpa >= 4 * GB && gpa + len - 4 * GB <= vm->ram_size - vm->lowmem)
		return (u8 *)vm->ram + vm->lowmem + (gpa - 4 * GB);
	return NULL;
}

/* Make the main loop look at its file descriptors again. */
void vm_wake(struct vm *vm)
{
	u64 one = 1;

	if (write(vm->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		pr_warn("wake: %s", strerror(errno));
}

/* Ask the vCPUs and the main loop to stop; the first reason wins. */
void vm_stop(struct vm *vm, int code, const char *why)
{
	if (vm->exit_code == VM_RUNNING) {
		vm->exit_code = code;
		pr_info("%s", why);
	}
	pthread_cond_broadcast(&vm->irq_cond);
	irq_kick(vm);
	vm_wake(vm);
}

bool vm_stopping(struct vm *vm)
{
	return vm->exit_code != VM_RUNNING;
}
