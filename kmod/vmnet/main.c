// SPDX-License-Identifier: GPL-2.0
/*
 * vmnet: the virtual Ethernet switch. Module setup and teardown, in
 * opposite orders.
 */
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>

#include "fdb.h"
#include "netlink.h"
#include "procfs.h"
#include "switch.h"
#include "uplink.h"
#include "vmport.h"

static int __init vmnet_init(void)
{
	int ret;

	ret = vmnet_fdb_module_init();
	if (ret)
		return ret;
	ret = vmnet_proc_init();
	if (ret)
		goto err_fdb;
	ret = vmnet_uplink_init();
	if (ret)
		goto err_proc;
	ret = vmnet_vmport_init();
	if (ret)
		goto err_uplink;
	ret = vmnet_netlink_init();
	if (ret)
		goto err_vmport;
	pr_info("virtual switch ready (build %s)\n", VMW_BUILD);
	return 0;

err_vmport:
	vmnet_vmport_exit();
err_uplink:
	vmnet_uplink_exit();
err_proc:
	vmnet_proc_exit();
err_fdb:
	vmnet_fdb_module_exit();
	return ret;
}

static void __exit vmnet_exit(void)
{
	vmnet_netlink_exit();
	vmnet_vmport_exit();
	rtnl_lock();
	vmnet_switch_destroy_all();
	rtnl_unlock();
	vmnet_uplink_exit();
	vmnet_proc_exit();
	vmnet_fdb_module_exit();
}

module_init(vmnet_init);
module_exit(vmnet_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual Ethernet switch");
MODULE_ALIAS_GENL_FAMILY(VMNET_GENL_NAME);
