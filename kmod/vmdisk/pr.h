/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Persistent reservations (SPC-4 5.9) of one LUN: registrations (one key
 * per initiator) and at most one reservation. Not persistent across
 * destruction of the disk (REPORT CAPABILITIES says PTPL_C = 0). Guarded by
 * the disk's state_lock.
 */
#ifndef VMDISK_PR_H
#define VMDISK_PR_H

#include <linux/types.h>

#define VMDISK_PR_MAX_REGS	16

struct vmdisk_pr {
	u32 generation;
	int holder;		/* initiator holding the reservation, or -1 */
	u8 type;		/* PR_TYPE_* of the reservation */
	u8 nr_regs;
	struct {
		int initiator;
		u64 key;
	} regs[VMDISK_PR_MAX_REGS];
};

struct vmdisk_req;

void vmdisk_pr_init(struct vmdisk_pr *pr);
u32 vmdisk_pr_in(struct vmdisk_req *r);
u32 vmdisk_pr_out(struct vmdisk_req *r);
/* Does the command conflict with another initiator's reservation? */
bool vmdisk_pr_conflict(struct vmdisk_req *r);
/* SCSI-2 RESERVE is refused while anyone is registered. */
bool vmdisk_pr_registered_any(struct vmdisk_req *r);

#endif /* VMDISK_PR_H */
