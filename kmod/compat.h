/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place in the tree that tests the kernel version.
 *
 * Supported: the stock Debian kernels 6.1 (bookworm) and 6.12
 * (bookworm-backports / trixie). Everything else in kmod/ and procfs/ is
 * written against the newest API; the wrappers below give older kernels
 * that API.
 */
#ifndef VMW_COMPAT_H
#define VMW_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>
#include <linux/blk-mq.h>
#include <scsi/scsi_host.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
/* skb_gso_segment() moved out of <linux/netdevice.h> in 6.4. */
#include <net/gso.h>
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
/* class_create() lost its module argument in 6.4. */
static inline struct class *vmw_class_create(const char *name)
{
	return class_create(THIS_MODULE, name);
}
#else
static inline struct class *vmw_class_create(const char *name)
{
	return class_create(name);
}
#endif

/* The kernel's view of kvm_run.immediate_exit was renamed in 6.10: the
 * kernel must read it exactly once per KVM_RUN. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define vmw_run_immediate_exit(run)	READ_ONCE((run)->immediate_exit)
#else
#define vmw_run_immediate_exit(run)	READ_ONCE((run)->immediate_exit__unsafe)
#endif

/* <asm/unaligned.h> moved to <linux/unaligned.h> in 6.12. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#include <asm/unaligned.h>
#else
#include <linux/unaligned.h>
#endif

/* A bio from its bio_set's per-CPU cache: a stacking driver's bio that
 * may be put in any context. 6.1 WARNs when such a bio is put outside
 * process context (a device's interrupt); 6.12 takes it back from
 * hard interrupts too, and frees it as usual from soft ones. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define VMW_REQ_ALLOC_CACHE	0
#else
#define VMW_REQ_ALLOC_CACHE	REQ_ALLOC_CACHE
#endif

/* A SCSI host whose queuecommand may sleep (BLK_MQ_F_BLOCKING). Since
 * 6.2 the host says so and scsi_add_host() sets up its tag set for it;
 * 6.1 has only the tag set's flag, which every request queue made after
 * scsi_add_host() (one per device, none before the first scan) inherits. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
static inline int vmw_scsi_add_host_may_block(struct Scsi_Host *shost,
					      struct device *dev)
{
	int ret = scsi_add_host(shost, dev);

	if (!ret)
		shost->tag_set.flags |= BLK_MQ_F_BLOCKING;
	return ret;
}
#else
static inline int vmw_scsi_add_host_may_block(struct Scsi_Host *shost,
					      struct device *dev)
{
	shost->queuecommand_may_block = 1;
	return scsi_add_host(shost, dev);
}
#endif

/* Leases left struct file_lock for struct file_lease in 6.9 (and
 * <linux/filelock.h> from 6.3). vmw_lease_alloc() makes a read lease of
 * kind flags (FL_DELEG: a delegation; FL_LAYOUT: a layout lease, as pNFS
 * servers take) on file, owned by owner, for vfs_setlease(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
#include <linux/fs.h>
#define vmw_lease			file_lock
#define vmw_lease_manager_operations	lock_manager_operations
static inline struct file_lock *vmw_lease_alloc(struct file *file, void *owner,
		const struct lock_manager_operations *ops, unsigned int flags)
{
	struct file_lock *fl = locks_alloc_lock();

	if (!fl)
		return NULL;
	fl->fl_flags = flags;
	fl->fl_type = F_RDLCK;
	fl->fl_end = OFFSET_MAX;
	fl->fl_owner = owner;
	fl->fl_pid = current->tgid;
	fl->fl_file = file;
	fl->fl_lmops = ops;
	return fl;
}
#define vmw_lease_free(fl)		locks_free_lock(fl)
#define vmw_lease_owner(fl)		((void *)(fl)->fl_owner)
#else
#include <linux/filelock.h>
#define vmw_lease			file_lease
#define vmw_lease_manager_operations	lease_manager_operations
static inline struct file_lease *vmw_lease_alloc(struct file *file, void *owner,
		const struct lease_manager_operations *ops, unsigned int flags)
{
	struct file_lease *fl = locks_alloc_lease();

	if (!fl)
		return NULL;
	fl->c.flc_flags = flags;
	fl->c.flc_type = F_RDLCK;
	fl->c.flc_owner = owner;
	fl->c.flc_pid = current->tgid;
	fl->c.flc_file = file;
	fl->fl_lmops = ops;
	return fl;
}
#define vmw_lease_free(fl)		locks_free_lease(fl)
#define vmw_lease_owner(fl)		((void *)(fl)->c.flc_owner)
#endif

#endif /* VMW_COMPAT_H */
