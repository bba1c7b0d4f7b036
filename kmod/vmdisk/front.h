/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest front ends: file descriptors through which a VM monitor submits
 * its guest adapter's SCSI commands to one disk (uapi/vmdisk.h,
 * VMDISK_IOC_OPEN_FRONT and VMDISK_IOC_SUBMIT).
 */
#ifndef VMDISK_FRONT_H
#define VMDISK_FRONT_H

#include <linux/seq_file.h>
#include <linux/types.h>

struct vmdisk;

/* VMDISK_IOC_OPEN_FRONT: returns the new fd or a negative errno. */
long vmdisk_front_open(void __user *arg);
/* VMDISK_IOC_DESTROY: -EBUSY while a front holds the disk. */
int vmdisk_front_destroy(u32 id);
/* One "frontend NAME" line per handle on disk; returns how many. */
int vmdisk_front_show(struct seq_file *m, struct vmdisk *disk);

#endif /* VMDISK_FRONT_H */
