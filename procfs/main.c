// SPDX-License-Identifier: GPL-2.0
/*
 * vmproc.ko: owns /proc/vmware and publishes its version file. The other
 * modules of the product register their entries through vmproc.h.
 */
#include <linux/module.h>
#include <generated/utsrelease.h>

#include "node.h"

#define VMPROC_PRODUCT	"Open ESX host"
#define VMPROC_VERSION	"0.1.0"

static struct vmproc_node *vmproc_version;

static int vmproc_version_show(struct seq_file *m, void *data)
{
	seq_printf(m, "product %s %s\n", VMPROC_PRODUCT, VMPROC_VERSION);
	seq_printf(m, "build %s\n", VMW_BUILD);
	seq_printf(m, "kernel %s\n", UTS_RELEASE);
	return 0;
}

static const struct vmproc_ops vmproc_version_ops = {
	.show = vmproc_version_show,
};

static int __init vmproc_init(void)
{
	int ret;

	ret = vmproc_node_init();
	if (ret)
		return ret;
	vmproc_version = vmproc_file(NULL, "version", &vmproc_version_ops, NULL);
	if (IS_ERR(vmproc_version)) {
		ret = PTR_ERR(vmproc_version);
		goto err_node;
	}
	pr_info("%s %s (build %s) ready\n", VMPROC_PRODUCT, VMPROC_VERSION,
		VMW_BUILD);
	return 0;

err_node:
	vmproc_node_uninit();
	return ret;
}

static void __exit vmproc_exit(void)
{
	vmproc_put(vmproc_version);
	vmproc_node_uninit();
}

module_init(vmproc_init);
module_exit(vmproc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("/proc/vmware for the open ESX host modules");
MODULE_VERSION(VMPROC_VERSION);
