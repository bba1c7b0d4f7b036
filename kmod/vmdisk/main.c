// SPDX-License-Identifier: GPL-2.0
/*
 * vmdisk.ko: virtual SCSI disks (uapi/vmdisk.h). Setup order: the target
 * core's tables, the I/O workqueue, /proc/vmware/disk, the loopback HBA,
 * then /dev/vmdisk so that nothing can create a disk before the rest is
 * ready. Exit undoes the same steps in reverse, destroying every disk on
 * the way.
 */
#include <linux/module.h>
#include <linux/workqueue.h>

#include "ctl.h"
#include "disk.h"
#include "hba.h"
#include "procfs.h"
#include "scsi.h"

struct workqueue_struct *vmdisk_wq;

static int __init vmdisk_init(void)
{
	int ret;

	ret = vmdisk_scsi_init();
	if (ret)
		return ret;
	/* Unbound: a worker may run beside the submitter, on another CPU. */
	vmdisk_wq = alloc_workqueue("vmdisk", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!vmdisk_wq)
		return -ENOMEM;
	ret = vmdisk_proc_init();
	if (ret)
		goto err_wq;
	ret = vmdisk_hba_init();
	if (ret)
		goto err_proc;
	ret = vmdisk_ctl_init();
	if (ret)
		goto err_hba;
	return 0;

err_hba:
	vmdisk_hba_exit();
err_proc:
	vmdisk_proc_exit();
err_wq:
	destroy_workqueue(vmdisk_wq);
	return ret;
}

static void __exit vmdisk_exit(void)
{
	vmdisk_ctl_exit();
	vmdisk_destroy_all();
	vmdisk_hba_exit();
	vmdisk_proc_exit();
	destroy_workqueue(vmdisk_wq);
}

module_init(vmdisk_init);
module_exit(vmdisk_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual SCSI disks: target core, file backends, loopback HBA");
