// SPDX-License-Identifier: GPL-2.0
/*
 * VMs: creation from /dev/vmmon, the VM file descriptor and its ioctls, the
 * host-wide list of VMs. A VM lives while its fd or any of its vCPU fds is
 * open; only the process that created it may use it.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/idr.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "backend.h"
#include "procfs.h"

static DEFINE_IDA(vmm_vm_ida);
static LIST_HEAD(vmm_vms);
static DEFINE_MUTEX(vmm_vms_lock);
static int vmm_nr_vms;

int vmm_vm_count(void)
{
	return READ_ONCE(vmm_nr_vms);
}

void vmm_vm_get(struct vmm_vm *vm)
{
	refcount_inc(&vm->refs);
}

static void vmm_vm_destroy(struct vmm_vm *vm)
{
	int i;

	mutex_lock(&vmm_vms_lock);
	list_del(&vm->list);
	vmm_nr_vms--;
	mutex_unlock(&vmm_vms_lock);
	vmm_proc_vm_remove(vm);
	for (i = 0; i < VMMON_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			vmm_vcpu_destroy(vm->vcpus[i]);
	vmm_backend->vm_uninit(vm);
	vmm_mmu_uninit(vm);
	mmdrop(vm->mm);
	ida_free(&vmm_vm_ida, vm->id);
	kfree(vm);
	module_put(THIS_MODULE);
}

void vmm_vm_put(struct vmm_vm *vm)
{
	if (refcount_dec_and_test(&vm->refs))
		vmm_vm_destroy(vm);
}

static void vmm_kick_nop(void *info)
{
}

/* Force every vCPU of @vm that is in the guest out of it, synchronously. */
void vmm_vm_kick_all(struct vmm_vm *vm)
{
	struct vmm_vcpu *vcpu;
	cpumask_var_t mask;
	int i, cpu;

	lockdep_assert_held(&vm->mmu_lock);
	if (!zalloc_cpumask_var(&mask, GFP_ATOMIC)) {
		/* Rare: fall back to every CPU. */
		smp_call_function(vmm_kick_nop, NULL, 1);
		return;
	}
	smp_mb__after_atomic();
	for (i = 0; i < VMMON_MAX_VCPUS; i++) {
		vcpu = READ_ONCE(vm->vcpus[i]);
		if (vcpu && READ_ONCE(vcpu->mode) == VMM_IN_GUEST) {
			cpu = READ_ONCE(vcpu->last_cpu);
			if (cpu >= 0)
				cpumask_set_cpu(cpu, mask);
		}
	}
	cpu = get_cpu();
	cpumask_clear_cpu(cpu, mask);
	smp_call_function_many(mask, vmm_kick_nop, NULL, true);
	put_cpu();
	free_cpumask_var(mask);
}

static long vmm_vm_create_vcpu(struct vmm_vm *vm, unsigned long id)
{
	int ret;

	mutex_lock(&vm->lock);
	ret = vmm_vcpu_create(vm, id);
	mutex_unlock(&vm->lock);
	return ret;
}

static long vmm_vm_set_region(struct vmm_vm *vm, void __user *argp)
{
	struct kvm_userspace_memory_region mr;

	if (copy_from_user(&mr, argp, sizeof(mr)))
		return -EFAULT;
	return vmm_set_memory_region(vm, &mr);
}

long vmm_vm_ioctl(struct vmm_vm *vm, unsigned int cmd, unsigned long arg)
{
	if (current->mm != vm->mm)
		return -EIO;
	switch (cmd) {
	case KVM_CREATE_VCPU:
		return vmm_vm_create_vcpu(vm, arg);
	case KVM_SET_USER_MEMORY_REGION:
		return vmm_vm_set_region(vm, (void __user *)arg);
	case KVM_CHECK_EXTENSION:
		return vmm_check_extension(arg);
	default:
		return -ENOTTY;
	}
}

static long vmm_vm_file_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	return vmm_vm_ioctl(file->private_data, cmd, arg);
}

static int vmm_vm_release(struct inode *inode, struct file *file)
{
	vmm_vm_put(file->private_data);
	return 0;
}

const struct file_operations vmm_vm_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmm_vm_file_ioctl,
	.release	= vmm_vm_release,
	.llseek		= noop_llseek,
};

static struct vmm_vm *vmm_vm_alloc(void)
{
	struct vmm_vm *vm;
	int id;

	id = ida_alloc_max(&vmm_vm_ida, VMMON_MAX_VMS - 1, GFP_KERNEL);
	if (id < 0)
		return ERR_PTR(id == -ENOSPC ? -EAGAIN : id);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		ida_free(&vmm_vm_ida, id);
		return ERR_PTR(-ENOMEM);
	}
	vm->id = id;
	refcount_set(&vm->refs, 1);
	mutex_init(&vm->lock);
	vm->pid = task_tgid_nr(current);
	vm->mm = current->mm;
	mmgrab(vm->mm);
	return vm;
}

/* KVM_CREATE_VM: returns the new VM's fd. */
long vmm_vm_create_fd(unsigned long type)
{
	struct vmm_vm *vm;
	int ret, fd;

	if (type)
		return -EINVAL;
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	vm = vmm_vm_alloc();
	if (IS_ERR(vm)) {
		module_put(THIS_MODULE);
		return PTR_ERR(vm);
	}
	ret = vmm_mmu_init(vm);
	if (ret)
		goto err_alloc;
	ret = vmm_backend->vm_init(vm);
	if (ret)
		goto err_mmu;
	mutex_lock(&vmm_vms_lock);
	list_add_tail(&vm->list, &vmm_vms);
	vmm_nr_vms++;
	mutex_unlock(&vmm_vms_lock);
	vmm_proc_vm_add(vm);
	fd = anon_inode_getfd("vmmon-vm", &vmm_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vmm_vm_put(vm);
	return fd;

err_mmu:
	vmm_mmu_uninit(vm);
err_alloc:
	mmdrop(vm->mm);
	ida_free(&vmm_vm_ida, vm->id);
	kfree(vm);
	module_put(THIS_MODULE);
	return ret;
}

/* For /proc/vmware/vmmon: one line per VM. */
void vmm_vm_show_all(struct seq_file *m)
{
	struct vmm_vm *vm;

	mutex_lock(&vmm_vms_lock);
	list_for_each_entry(vm, &vmm_vms, list)
		seq_printf(m, "vm %d pid %d vcpus %d mapped_kb %ld\n", vm->id,
			   vm->pid, atomic_read(&vm->nr_vcpus),
			   atomic_long_read(&vm->mapped_pages) << (PAGE_SHIFT - 10));
	mutex_unlock(&vmm_vms_lock);
}
