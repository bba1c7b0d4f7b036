/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host loopback HBA: one Scsi_Host on which disk <id> is target <id>,
 * LUN 0, so that sd and sg drive vmdisk's disks like any others.
 */
#ifndef VMDISK_HBA_H
#define VMDISK_HBA_H

struct vmdisk;

int vmdisk_hba_init(void);
void vmdisk_hba_exit(void);
/* Under vmdisk_table_lock. */
int vmdisk_hba_attach(struct vmdisk *disk);
void vmdisk_hba_detach(struct vmdisk *disk);
unsigned int vmdisk_hba_host_no(void);

#endif /* VMDISK_HBA_H */
