/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Disk objects: one backing store, its SCSI identity and state, and its
 * counters. Disks live in one table indexed by id, guarded by
 * vmdisk_table_lock; every user outside that lock holds a reference.
 */
#ifndef VMDISK_DISK_H
#define VMDISK_DISK_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <uapi/vmdisk.h>

#include "backend.h"
#include "pr.h"

struct vmdisk_proc;

struct vmdisk {
	struct kref kref;
	u32 id;
	u32 block_shift;
	u64 nr_blocks;
	bool readonly;
	u32 format;			/* VMDISK_FORMAT_* */
	u64 offset;			/* raw: where block 0 starts */
	u64 naa;			/* VPD 0x83 NAA designator */
	char serial[16];		/* VPD 0x80 */
	char path[VMDISK_PATH_MAX];	/* the top layer's file */
	bool nonpersistent;
	bool ro_base;			/* VMDISK_CREATE_BASE: the base is
					 * open read-only */
	/* The chain: be is the top; commands hold be_lock for reading,
	 * VMDISK_IOC_SNAPSHOT changes be, depth and (on a ro_base disk)
	 * readonly with it held for writing. */
	struct rw_semaphore be_lock;
	struct vmdisk_backend *be;
	u32 depth;			/* deltas above the base */

	/* SCSI state, changed by commands. */
	spinlock_t state_lock;
	bool wce;			/* caching page: write cache enabled */
	int reserved_by;		/* SCSI-2 RESERVE holder, or -1 */
	struct vmdisk_pr pr;

	/* Under vmdisk_front_lock (front.c): an owner handle was closed,
	 * the last handle destroys the disk. */
	bool front_orphan;

	/* Under vmdisk_table_lock. */
	bool attached;
	u32 host_no;
	struct vmdisk_proc *proc;

	struct {
		atomic64_t commands, errors, reads, writes, read_bytes,
			   write_bytes, read_ns, write_ns, flushes, unmaps;
	} stats;
};

extern struct mutex vmdisk_table_lock;

int vmdisk_create(struct file *file, const struct vmdisk_create *req);
int vmdisk_destroy(u32 id);
void vmdisk_destroy_disk(struct vmdisk *disk);
/* Under vmdisk_table_lock: a delta on top (a new one with fresh); returns
 * the depth of the chain. */
int vmdisk_snapshot(struct vmdisk *disk, struct file *file, bool fresh);
/* Under vmdisk_table_lock; no reference taken. */
struct vmdisk *vmdisk_lookup(u32 id);
struct vmdisk *vmdisk_lookup_next(u32 id);
void vmdisk_get_stats(struct vmdisk *disk, struct vmdisk_stats *st);
void vmdisk_put(struct vmdisk *disk);
void vmdisk_destroy_all(void);

#endif /* VMDISK_DISK_H */
