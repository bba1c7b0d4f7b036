/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SCSI target core: executes one CDB against one disk, whatever front
 * end carried it. The front end describes the initiator's data buffer as a
 * scatterlist and gets back a SAM status, sense data for CHECK CONDITION
 * (autosense) and the residual count.
 */
#ifndef VMDISK_SCSI_H
#define VMDISK_SCSI_H

#include <linux/bvec.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#include "backend.h"

#define VMDISK_SENSE_LEN	18	/* fixed format */
#define VMDISK_RW_BVECS		4	/* a read or write's segments in place */

struct vmdisk;
struct vmdisk_cmd;

/* A read or write handed to an asynchronous backend (sbc.c): kept in its
 * command, so that a small one allocates nothing. */
struct vmdisk_rw {
	struct vmdisk_aio aio;
	struct vmdisk *disk;
	struct vmdisk_cmd *cmd;
	u64 start;
	size_t bytes;
	bool write;
	struct bio_vec *bv;		/* inline_bv, or allocated */
	struct bio_vec inline_bv[VMDISK_RW_BVECS];
};

struct vmdisk_cmd {
	/* In. */
	const u8 *cdb;
	unsigned int cdb_len;
	struct scatterlist *sgl;
	unsigned int sg_count;
	u32 buflen;		/* bytes in the initiator's buffer */
	int initiator;		/* who sent it: for reservations */
	/* Optional: with it, vmdisk_scsi_exec() may return before the command
	 * is done (reads and writes of asynchronous backends) and calls
	 * done(cmd) once the outputs below are set, in any context (a
	 * backend's completion may be an interrupt): it must not sleep.
	 * Without it, vmdisk_scsi_exec() returns when the command is done. */
	void (*done)(struct vmdisk_cmd *cmd);
	/* Out. */
	u8 status;		/* SAM_STAT_* */
	u8 sense_len;
	u32 resid;
	u8 sense[VMDISK_SENSE_LEN];
	/* The core's. */
	struct vmdisk_rw rw;
};

/* Process context; may sleep in the backend. The cmd and the buffers it
 * describes must stay valid until it is done. */
void vmdisk_scsi_exec(struct vmdisk *disk, struct vmdisk_cmd *cmd);
/*
 * The same for a cmd with done, where nothing may wait (for a lock, for
 * I/O, for memory reclaim that writes) but sleeping is allowed: true when
 * the command started (or finished) there; false when it would have had
 * to wait and nothing was done, and the caller passes it to
 * vmdisk_scsi_exec() elsewhere. Reads and writes of a backend that can
 * start them at once go this way; the caller sets memalloc_noio.
 */
bool vmdisk_scsi_exec_nowait(struct vmdisk *disk, struct vmdisk_cmd *cmd);
int vmdisk_scsi_init(void);

#endif /* VMDISK_SCSI_H */
