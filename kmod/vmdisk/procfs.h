/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmdisk's entries in /proc/vmware/disk: `hba` and one <id>/ directory per
 * disk with `status` and `stats`. Management only: a disk works without
 * them, so failures to add entries are not errors.
 */
#ifndef VMDISK_PROCFS_H
#define VMDISK_PROCFS_H

struct vmdisk;

int vmdisk_proc_init(void);
void vmdisk_proc_exit(void);
/* Under vmdisk_table_lock. */
void vmdisk_proc_add(struct vmdisk *disk);
void vmdisk_proc_remove(struct vmdisk *disk);

#endif /* VMDISK_PROCFS_H */
