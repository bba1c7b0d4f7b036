// SPDX-License-Identifier: GPL-2.0
/*
 * vmmon.ko: module setup, the /dev/vmmon device and its system ioctls.
 *
 * At load vmmon picks the backend the CPU offers (VT-x or AMD-V), checks
 * that firmware left it enabled and that no other hypervisor holds it, and
 * turns it on on every online CPU (and on CPUs that come online later).
 * Any of those failing refuses the load with one clear line in dmesg.
 */
#include <linux/cpuhotplug.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "backend.h"
#include "procfs.h"

const struct vmm_backend *vmm_backend;
static enum cpuhp_state vmm_cpuhp_state;

long vmm_check_extension(unsigned long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_XSAVE:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
		return 1;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return VMMON_MAX_VCPUS;
	case KVM_CAP_NR_MEMSLOTS:
		return VMMON_MAX_SLOTS;
	default:
		return 0;
	}
}

static long vmm_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : VMMON_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return vmm_check_extension(arg);
	case KVM_CREATE_VM:
		return vmm_vm_create_fd(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : vmm_dev_get_vcpu_mmap_size();
	case KVM_GET_SUPPORTED_CPUID:
		return vmm_dev_get_supported_cpuid((void __user *)arg);
	default:
		return -EINVAL;
	}
}

static const struct file_operations vmm_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmm_dev_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice vmm_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmmon",
	.fops	= &vmm_dev_fops,
	.mode	= 0666,
};

static int vmm_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = vmm_backend->cpu_enable();
	local_irq_restore(flags);
	if (ret)
		pr_err("cannot enable %s on CPU %u: %d\n", vmm_backend->name,
		       cpu, ret);
	return ret;
}

static int vmm_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	vmm_backend->cpu_disable();
	local_irq_restore(flags);
	return 0;
}

static const struct vmm_backend *vmm_pick_backend(void)
{
	if (boot_cpu_has(X86_FEATURE_SVM))
		return &vmm_svm_backend;
	/* Raw CPUID: Linux clears X86_FEATURE_VMX when firmware disabled it,
	 * and the VT-x probe says so more clearly. */
	if (cpuid_ecx(1) & BIT(X86_FEATURE_VMX & 31))
		return &vmm_vmx_backend;
	return NULL;
}

static int __init vmm_init(void)
{
	int ret;

	vmm_backend = vmm_pick_backend();
	if (!vmm_backend) {
		pr_err("this CPU has neither Intel VT-x nor AMD-V: no VMs can run\n");
		return -ENODEV;
	}
	ret = vmm_backend->probe();
	if (ret)
		return ret;
	vmm_vcpu_host_init();
	vmm_cpuid_init();
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vmmon:online",
				vmm_cpu_online, vmm_cpu_offline);
	if (ret < 0)
		goto err_probe;
	vmm_cpuhp_state = ret;
	ret = vmm_proc_init(vmm_backend->name);
	if (ret)
		goto err_cpuhp;
	ret = misc_register(&vmm_misc);
	if (ret)
		goto err_proc;
	pr_info("%s backend ready on %u CPUs\n", vmm_backend->name,
		num_online_cpus());
	return 0;

err_proc:
	vmm_proc_uninit();
err_cpuhp:
	cpuhp_remove_state(vmm_cpuhp_state);
err_probe:
	vmm_backend->unload();
	return ret;
}

static void __exit vmm_exit(void)
{
	misc_deregister(&vmm_misc);
	vmm_proc_uninit();
	cpuhp_remove_state(vmm_cpuhp_state);
	vmm_backend->unload();
}

module_init(vmm_init);
module_exit(vmm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmmon: VMs on Intel VT-x and AMD-V with a KVM-compatible ABI");
