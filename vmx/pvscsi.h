/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's SCSI disks and the adapter they hang off.
 *
 * vdisk.c: each scsiX:Y.present disk is a vmdisk.ko disk made from its
 * fileName (raw image, monolithicSparse VMDK, or a VMDK descriptor: one
 * flat or sparse extent, or a vmfsSparse delta on a chain of them, as a
 * snapshot leaves it) and a front-end handle on it (uapi/vmdisk.h). Disks are
 * made once per vmx process, before the VM, so that they outlive guest
 * resets; vmx destroys them when it ends. Nonpersistent disks write to
 * vmdisk's temporary delta; undoable ones to the redo log FILE.REDO (a
 * COWD delta), which vmx keeps, deletes, or merges into FILE when it ends.
 * A snapshot taken while the VM runs (vmdiskctl snapshot) is followed:
 * when vmx ends, the disk's fileName in the .vmx names the new delta.
 *
 * pvscsi.c: one VMware PVSCSI adapter per scsiX.present, on the PCI bus.
 * Commands run on the adapter's I/O worker threads, which a kick wakes,
 * straight into guest RAM and without vm->lock; completions come in any
 * order (pvscsi.c's header comment).
 */
#ifndef VMX_PVSCSI_H
#define VMX_PVSCSI_H

#include <uapi/vmdisk.h>

#include "vmx.h"

struct vdisk {
	int adapter, target;	/* scsiX:Y */
	int id;			/* the vmdisk id, or -1 */
	int fd;			/* its front-end handle, or -1 */
	const struct config_scsi_disk *cfg;	/* its file, mode, undoAction */
	char *redo;		/* undoable: the redo log's path */
	char *top;		/* the file on top when the VM started */
	bool keep_redo;		/* a snapshot went on top of the redo log */
};

struct vdisks {
	int ctl;		/* /dev/vmdisk, or -1 */
	struct vdisk disk[CONFIG_SCSI_ADAPTERS][CONFIG_SCSI_TARGETS];
};

/* Init levels. */
int vdisks_init(struct vm *vm);
void vdisks_exit(struct vm *vm);
int pvscsi_init(struct vm *vm);
void pvscsi_exit(struct vm *vm);
/* SIGUSR2's dump, under vm->lock: interrupt state and ring indexes. */
void pvscsi_dump(struct vm *vm);

/* The disk at scsiX:Y, or NULL. */
struct vdisk *vdisk_get(struct vm *vm, int adapter, int target);
/* One command; 0 when it ran (status in s), or a negative errno. */
int vdisk_submit(struct vdisk *d, struct vmdisk_submit *s);

#endif
