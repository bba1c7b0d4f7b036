/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The direct path of the raw file backend: reads and writes of a file's
 * allocated, written blocks go as bios straight to the block device below
 * its file system, at the blocks the file system mapped (bmap(), as swap
 * uses), while a read delegation on the file keeps anybody else from
 * moving them. bmap.c's header comment has the rules.
 */
#ifndef VMDISK_BMAP_H
#define VMDISK_BMAP_H

#include <linux/list.h>
#include <linux/seq_file.h>

#include "backend.h"

struct vmdisk_bmap;

/* What vmdisk_bmap_submit() did with an aio. */
enum vmdisk_bmap_ret {
	VMDISK_BMAP_FILE,	/* nothing: use the file */
	VMDISK_BMAP_STARTED,	/* its end comes through aio->iocb.ki_complete */
	VMDISK_BMAP_WAIT,	/* nothing: a nowait aio must first have a
				 * chunk looked up; submit it again, waiting */
};

/* NULL when file cannot have a direct path (not O_DIRECT, not on one
 * block device, a file system or file that maps blocks its own way). */
struct vmdisk_bmap *vmdisk_bmap_create(struct file *file);
void vmdisk_bmap_destroy(struct vmdisk_bmap *bm);

/* aio (iter, nowait, write, fua, count set) at byte pos of the file. */
enum vmdisk_bmap_ret vmdisk_bmap_submit(struct vmdisk_bmap *bm,
					struct vmdisk_aio *aio, loff_t pos);
/* After the file's own fsync: flush the device if a direct write may sit
 * in its cache. */
int vmdisk_bmap_flush(struct vmdisk_bmap *bm);
/* Around a change of the file's blocks by vmdisk itself (a hole punched):
 * pause drains the direct path and keeps it off, resume forgets what it
 * knew of [pos, pos + len) and lets it go on. */
void vmdisk_bmap_pause(struct vmdisk_bmap *bm);
void vmdisk_bmap_resume(struct vmdisk_bmap *bm, loff_t pos, loff_t len);
/* Around vmdisk's own writes and hole punches through the file (bm may
 * be NULL): XFS breaks layout leases there, and these are not to break
 * the direct path's. Process context. */
struct vmdisk_bmap_self {
	struct list_head node;
	struct task_struct *task;
};

void vmdisk_bmap_self_begin(struct vmdisk_bmap *bm, struct vmdisk_bmap_self *me);
void vmdisk_bmap_self_end(struct vmdisk_bmap *bm, struct vmdisk_bmap_self *me);
/* "direct on|off ios N" for /proc/vmware/disk/<id>/status. */
void vmdisk_bmap_show(struct vmdisk_bmap *bm, struct seq_file *m);

#endif /* VMDISK_BMAP_H */
