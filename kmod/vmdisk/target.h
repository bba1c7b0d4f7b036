/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the SCSI target core shared by its files (scsi.c: dispatch,
 * SPC and SBC commands; pr.c: persistent reservations). Front ends use
 * scsi.h only.
 */
#ifndef VMDISK_TARGET_H
#define VMDISK_TARGET_H

#include <scsi/scsi_proto.h>

#include "scsi.h"

/* Handler results: 0 is GOOD; otherwise key << 16 | asc << 8 | ascq, or a
 * status without sense. */
#define VMDISK_SENSE(key, asc, ascq)	((key) << 16 | (asc) << 8 | (ascq))
#define VMDISK_S_STATUS			(1U << 24)
/* The handler passed the command on: vmdisk_scsi_finish() ends it later. */
#define VMDISK_S_PENDING		(1U << 25)
/* Only with nowait: the handler would wait, and has done nothing. */
#define VMDISK_S_WOULDBLOCK		(1U << 26)
#define VMDISK_S_CONFLICT	(VMDISK_S_STATUS | SAM_STAT_RESERVATION_CONFLICT)
#define VMDISK_S_BUSY		(VMDISK_S_STATUS | SAM_STAT_BUSY)
#define VMDISK_S_PARAM_LEN	VMDISK_SENSE(ILLEGAL_REQUEST, 0x1a, 0x00)
#define VMDISK_S_BAD_OPCODE	VMDISK_SENSE(ILLEGAL_REQUEST, 0x20, 0x00)
#define VMDISK_S_LBA_RANGE	VMDISK_SENSE(ILLEGAL_REQUEST, 0x21, 0x00)
#define VMDISK_S_BAD_FIELD	VMDISK_SENSE(ILLEGAL_REQUEST, 0x24, 0x00)
#define VMDISK_S_BAD_PARAM	VMDISK_SENSE(ILLEGAL_REQUEST, 0x26, 0x00)
#define VMDISK_S_NO_SAVE	VMDISK_SENSE(ILLEGAL_REQUEST, 0x39, 0x00)
#define VMDISK_S_PROTECTED	VMDISK_SENSE(DATA_PROTECT, 0x27, 0x00)
#define VMDISK_S_NO_SPACE	VMDISK_SENSE(DATA_PROTECT, 0x27, 0x07)
#define VMDISK_S_READ_ERROR	VMDISK_SENSE(MEDIUM_ERROR, 0x11, 0x00)
#define VMDISK_S_WRITE_ERROR	VMDISK_SENSE(MEDIUM_ERROR, 0x0c, 0x00)
#define VMDISK_S_MISCOMPARE	VMDISK_SENSE(MISCOMPARE, 0x1d, 0x00)

#define VMDISK_S_BAD_RELEASE	VMDISK_SENSE(ILLEGAL_REQUEST, 0x26, 0x04)

#define VMDISK_RESP_MAX		512	/* largest emulated response */
/* Limits VPD page b0 advertises and sbc.c enforces. */
#define VMDISK_MAX_XFER		(1U << 20)	/* bytes */
#define VMDISK_MAX_UNMAP_BLOCKS	(1U << 22)
#define VMDISK_MAX_UNMAP_DESC	64
#define VMDISK_MAX_WS_BLOCKS	(1U << 22)

struct vmdisk_req {
	struct vmdisk *disk;
	struct vmdisk_cmd *cmd;
	const struct vmdisk_op *op;
	const u8 *cdb;
	u8 *buf;		/* response scratch, VMDISK_RESP_MAX bytes */
	bool nowait;		/* vmdisk_scsi_exec_nowait() */
	u16 field;		/* sense-key specific field pointer */
	u8 field_bits;		/* SKSV, C/D, BPV and bit pointer */
};

enum {
	VMDISK_OP_SA	= 1 << 0,	/* opcode has service actions */
	VMDISK_OP_RESP	= 1 << 1,	/* handler builds a response in buf */
	VMDISK_OP_RES	= 1 << 2,	/* allowed while another holds RESERVE */
	VMDISK_OP_READ	= 1 << 3,	/* reads the medium */
	VMDISK_OP_WRITE	= 1 << 4,	/* changes the medium or its settings */
	VMDISK_OP_NOWAIT = 1 << 5,	/* the handler knows r->nowait */
};

struct vmdisk_op {
	u8 opcode;
	u8 len;
	u8 flags;
	u16 sa;
	u32 (*exec)(struct vmdisk_req *r);
	u8 usage[16];
};

/* Command handlers. sbc.c: */
u32 vmdisk_read(struct vmdisk_req *r);
u32 vmdisk_write(struct vmdisk_req *r);
u32 vmdisk_write_verify(struct vmdisk_req *r);
u32 vmdisk_verify(struct vmdisk_req *r);
u32 vmdisk_sync_cache(struct vmdisk_req *r);
u32 vmdisk_write_same(struct vmdisk_req *r);
u32 vmdisk_unmap(struct vmdisk_req *r);
u32 vmdisk_read_capacity10(struct vmdisk_req *r);
u32 vmdisk_read_capacity16(struct vmdisk_req *r);
u32 vmdisk_start_stop(struct vmdisk_req *r);
/* spc.c: */
u32 vmdisk_tur(struct vmdisk_req *r);
u32 vmdisk_request_sense(struct vmdisk_req *r);
u32 vmdisk_send_diagnostic(struct vmdisk_req *r);
u32 vmdisk_inquiry(struct vmdisk_req *r);
u32 vmdisk_report_luns(struct vmdisk_req *r);
u32 vmdisk_mode_sense(struct vmdisk_req *r);
u32 vmdisk_mode_select(struct vmdisk_req *r);
u32 vmdisk_reserve(struct vmdisk_req *r);
u32 vmdisk_release(struct vmdisk_req *r);
/* pr.c: vmdisk_pr_in, vmdisk_pr_out (pr.h). */

/* The end of every command (r NULL for one that went asynchronous):
 * status, sense and the front end's done callback. */
void vmdisk_scsi_finish(struct vmdisk *disk, struct vmdisk_cmd *cmd,
			const struct vmdisk_req *r, u32 code);
/* A backend errno as sense. */
u32 vmdisk_errno_sense(int err, bool write);
u32 vmdisk_bad_field(struct vmdisk_req *r, int byte, int bit);
u32 vmdisk_bad_param(struct vmdisk_req *r, int byte, int bit);
/* Data-in: the first min(len, alloc, buflen) bytes of r->buf. */
u32 vmdisk_respond(struct vmdisk_req *r, u32 len, u32 alloc);
/* Data-out: exactly len bytes of parameter data (lenbyte: its CDB field). */
u32 vmdisk_fetch(struct vmdisk_req *r, void *dst, u32 len, int lenbyte);

#endif /* VMDISK_TARGET_H */
