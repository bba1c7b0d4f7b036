// SPDX-License-Identifier: GPL-2.0
/*
 * The SCSI target core (SPC-4, SBC-3 subset) for one direct-access LUN.
 *
 * Every supported command has one entry in vmdisk_ops: opcode, service
 * action, CDB length, the CDB usage bitmap that REPORT SUPPORTED OPERATION
 * CODES returns, and its handler. The same bitmap validates each CDB: a bit
 * set where the bitmap has none is INVALID FIELD IN CDB with a field
 * pointer, before the handler runs. Handlers (sbc.c, spc.c, pr.c) return
 * GOOD (0) or one of the VMDISK_S_* codes of target.h, which become a
 * status and fixed-format sense here.
 */
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <compat.h>

#include "disk.h"
#include "pr.h"
#include "scsi.h"
#include "target.h"

u32 vmdisk_bad_field(struct vmdisk_req *r, int byte, int bit)
{
	r->field = byte;
	r->field_bits = 0x80 | 0x40 | (bit >= 0 ? 0x08 | bit : 0);
	return VMDISK_S_BAD_FIELD;
}

u32 vmdisk_bad_param(struct vmdisk_req *r, int byte, int bit)
{
	r->field = byte;
	r->field_bits = 0x80 | (bit >= 0 ? 0x08 | bit : 0);
	return VMDISK_S_BAD_PARAM;
}

/* Data-in: the first min(len, alloc, buflen) bytes of r->buf. */
u32 vmdisk_respond(struct vmdisk_req *r, u32 len, u32 alloc)
{
	struct vmdisk_cmd *c = r->cmd;
	u32 n = min3(len, alloc, c->buflen);

	if (n)
		sg_copy_from_buffer(c->sgl, c->sg_count, r->buf, n);
	c->resid = c->buflen - n;
	return 0;
}

/* Data-out: exactly len bytes of parameter data. */
u32 vmdisk_fetch(struct vmdisk_req *r, void *dst, u32 len, int lenbyte)
{
	struct vmdisk_cmd *c = r->cmd;

	if (c->buflen < len)
		return vmdisk_bad_field(r, lenbyte, -1);
	if (sg_copy_to_buffer(c->sgl, c->sg_count, dst, len) != len)
		return VMDISK_S_BAD_FIELD;
	c->resid = c->buflen - len;
	return 0;
}

/* --- Dispatch --------------------------------------------------------- */

static bool vmdisk_conflict(struct vmdisk_req *r)
{
	int holder = READ_ONCE(r->disk->reserved_by);

	if (holder >= 0 && holder != r->cmd->initiator &&
	    !(r->op->flags & VMDISK_OP_RES))
		return true;
	return vmdisk_pr_conflict(r);
}

/* --- The command table ------------------------------------------------ */

static u32 vmdisk_rsoc(struct vmdisk_req *r);

#define RW6	{ 0, 0x1f, 0xff, 0xff, 0xff, 0 }
#define RW10	{ 0, 0x18, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0 }
#define RW12	{ 0, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0 }
#define RW16	{ 0, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
		  0xff, 0xff, 0xff, 0xff, 0x1f, 0 }
#define VFY10	{ 0, 0x16, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0 }
#define VFY12	{ 0, 0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0 }
#define VFY16	{ 0, 0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
		  0xff, 0xff, 0xff, 0xff, 0x1f, 0 }

static const struct vmdisk_op vmdisk_ops[] = {
	{ TEST_UNIT_READY, 6, 0, 0, vmdisk_tur, { 0, 0, 0, 0, 0, 0 } },
	{ REQUEST_SENSE, 6, VMDISK_OP_RESP | VMDISK_OP_RES, 0,
	  vmdisk_request_sense, { 0, 0x01, 0, 0, 0xff, 0 } },
	{ READ_6, 6, VMDISK_OP_READ | VMDISK_OP_NOWAIT, 0, vmdisk_read, RW6 },
	{ WRITE_6, 6, VMDISK_OP_WRITE | VMDISK_OP_NOWAIT, 0, vmdisk_write, RW6 },
	{ INQUIRY, 6, VMDISK_OP_RESP | VMDISK_OP_RES, 0, vmdisk_inquiry,
	  { 0, 0x01, 0xff, 0xff, 0xff, 0 } },
	{ MODE_SELECT, 6, VMDISK_OP_WRITE, 0, vmdisk_mode_select, { 0, 0x11, 0, 0, 0xff, 0 } },
	{ RESERVE, 6, 0, 0, vmdisk_reserve, { 0, 0, 0, 0, 0, 0 } },
	{ RELEASE, 6, VMDISK_OP_RES, 0, vmdisk_release, { 0, 0, 0, 0, 0, 0 } },
	{ MODE_SENSE, 6, VMDISK_OP_RESP, 0, vmdisk_mode_sense,
	  { 0, 0x08, 0xff, 0xff, 0xff, 0 } },
	{ START_STOP, 6, 0, 0, vmdisk_start_stop, { 0, 0x01, 0, 0x0f, 0xf7, 0 } },
	{ SEND_DIAGNOSTIC, 6, 0, 0, vmdisk_send_diagnostic, { 0, 0x17, 0, 0, 0, 0 } },
	{ READ_CAPACITY, 10, VMDISK_OP_RESP, 0, vmdisk_read_capacity10,
	  { 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x01, 0 } },
	{ READ_10, 10, VMDISK_OP_READ | VMDISK_OP_NOWAIT, 0, vmdisk_read, RW10 },
	{ WRITE_10, 10, VMDISK_OP_WRITE | VMDISK_OP_NOWAIT, 0, vmdisk_write, RW10 },
	{ WRITE_VERIFY, 10, VMDISK_OP_WRITE, 0, vmdisk_write_verify, VFY10 },
	{ VERIFY, 10, VMDISK_OP_READ, 0, vmdisk_verify, VFY10 },
	{ SYNCHRONIZE_CACHE, 10, 0, 0, vmdisk_sync_cache,
	  { 0, 0x06, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0 } },
	{ WRITE_SAME, 10, VMDISK_OP_WRITE, 0, vmdisk_write_same,
	  { 0, 0x08, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0 } },
	{ UNMAP, 10, VMDISK_OP_WRITE, 0, vmdisk_unmap,
	  { 0, 0, 0, 0, 0, 0, 0x1f, 0xff, 0xff, 0 } },
	{ MODE_SELECT_10, 10, VMDISK_OP_WRITE, 0, vmdisk_mode_select,
	  { 0, 0x11, 0, 0, 0, 0, 0, 0xff, 0xff, 0 } },
	{ RESERVE_10, 10, 0, 0, vmdisk_reserve, { 0 } },
	{ RELEASE_10, 10, VMDISK_OP_RES, 0, vmdisk_release, { 0 } },
	{ MODE_SENSE_10, 10, VMDISK_OP_RESP, 0, vmdisk_mode_sense,
	  { 0, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0 } },
	{ PERSISTENT_RESERVE_IN, 10, VMDISK_OP_RESP | VMDISK_OP_RES, 0,
	  vmdisk_pr_in, { 0, 0x1f, 0, 0, 0, 0, 0, 0xff, 0xff, 0 } },
	{ PERSISTENT_RESERVE_OUT, 10, VMDISK_OP_RES, 0, vmdisk_pr_out,
	  { 0, 0x1f, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0 } },
	{ READ_16, 16, VMDISK_OP_READ | VMDISK_OP_NOWAIT, 0, vmdisk_read, RW16 },
	{ WRITE_16, 16, VMDISK_OP_WRITE | VMDISK_OP_NOWAIT, 0, vmdisk_write, RW16 },
	{ WRITE_VERIFY_16, 16, VMDISK_OP_WRITE, 0, vmdisk_write_verify, VFY16 },
	{ VERIFY_16, 16, VMDISK_OP_READ, 0, vmdisk_verify, VFY16 },
	{ SYNCHRONIZE_CACHE_16, 16, 0, 0, vmdisk_sync_cache,
	  { 0, 0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0x1f, 0 } },
	{ WRITE_SAME_16, 16, VMDISK_OP_WRITE, 0, vmdisk_write_same,
	  { 0, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0x1f, 0 } },
	{ SERVICE_ACTION_IN_16, 16, VMDISK_OP_SA | VMDISK_OP_RESP, SAI_READ_CAPACITY_16,
	  vmdisk_read_capacity16,
	  { 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0x01, 0 } },
	{ REPORT_LUNS, 12, VMDISK_OP_RESP | VMDISK_OP_RES, 0, vmdisk_report_luns,
	  { 0, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0 } },
	{ MAINTENANCE_IN, 12, VMDISK_OP_SA | VMDISK_OP_RESP | VMDISK_OP_RES,
	  MI_REPORT_SUPPORTED_OPERATION_CODES, vmdisk_rsoc,
	  { 0, 0x1f, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0 } },
	{ READ_12, 12, VMDISK_OP_READ | VMDISK_OP_NOWAIT, 0, vmdisk_read, RW12 },
	{ WRITE_12, 12, VMDISK_OP_WRITE | VMDISK_OP_NOWAIT, 0, vmdisk_write, RW12 },
	{ WRITE_VERIFY_12, 12, VMDISK_OP_WRITE, 0, vmdisk_write_verify, VFY12 },
	{ VERIFY_12, 12, VMDISK_OP_READ, 0, vmdisk_verify, VFY12 },
};

/* Index + 1 into vmdisk_ops by opcode, 0 for unsupported. Opcodes with
 * service actions point at their first entry. */
static u8 vmdisk_op_index[256];

static const struct vmdisk_op *vmdisk_find_op(u8 opcode, u16 sa, bool *sa_bad)
{
	u32 i = vmdisk_op_index[opcode];

	*sa_bad = false;
	if (!i--)
		return NULL;
	if (!(vmdisk_ops[i].flags & VMDISK_OP_SA))
		return &vmdisk_ops[i];
	for (; i < ARRAY_SIZE(vmdisk_ops) && vmdisk_ops[i].opcode == opcode; i++)
		if (vmdisk_ops[i].sa == sa)
			return &vmdisk_ops[i];
	*sa_bad = true;
	return NULL;
}

static u32 vmdisk_rsoc_one(struct vmdisk_req *r, u8 opts, u32 alloc)
{
	u8 opcode = r->cdb[3], *b = r->buf;
	u16 sa = get_unaligned_be16(r->cdb + 4);
	const struct vmdisk_op *op;
	bool sa_bad;

	op = vmdisk_find_op(opcode, sa, &sa_bad);
	if (op && opts == 1 && (op->flags & VMDISK_OP_SA))
		return vmdisk_bad_field(r, 2, 2);
	if (sa_bad && opts == 1)
		return vmdisk_bad_field(r, 2, 2);
	if (op && opts == 2 && !(op->flags & VMDISK_OP_SA))
		return vmdisk_bad_field(r, 2, 2);
	if (!op) {
		b[1] = 0x01;				/* not supported */
		return vmdisk_respond(r, 4, alloc);
	}
	b[1] = 0x03;					/* as the standard */
	put_unaligned_be16(op->len, b + 2);
	memcpy(b + 4, op->usage, op->len);
	b[4] = op->opcode;
	if (op->flags & VMDISK_OP_SA)
		b[5] = (op->usage[1] & ~0x1f) | op->sa;
	return vmdisk_respond(r, 4 + op->len, alloc);
}

static u32 vmdisk_rsoc(struct vmdisk_req *r)
{
	u32 alloc = get_unaligned_be32(r->cdb + 6), i, len = 4;
	u8 opts = r->cdb[2] & 0x07, *d;

	if (r->cdb[2] & 0x80)				/* RCTD */
		return vmdisk_bad_field(r, 2, 7);
	if (opts > 3)
		return vmdisk_bad_field(r, 2, 2);
	if (opts)
		return vmdisk_rsoc_one(r, opts, alloc);
	for (i = 0; i < ARRAY_SIZE(vmdisk_ops); i++, len += 8) {
		d = r->buf + len;
		d[0] = vmdisk_ops[i].opcode;
		put_unaligned_be16(vmdisk_ops[i].sa, d + 2);
		d[5] = vmdisk_ops[i].flags & VMDISK_OP_SA ? 0x01 : 0;
		put_unaligned_be16(vmdisk_ops[i].len, d + 6);
	}
	put_unaligned_be32(len - 4, r->buf);
	return vmdisk_respond(r, len, alloc);
}

static u32 vmdisk_check_cdb(struct vmdisk_req *r)
{
	const struct vmdisk_op *op = r->op;
	u32 i;

	if (r->cmd->cdb_len < op->len)
		return vmdisk_bad_field(r, 0, -1);
	for (i = 1; i < op->len; i++) {
		u8 bad = r->cdb[i] & ~op->usage[i];

		if (bad)
			return vmdisk_bad_field(r, i, fls(bad) - 1);
	}
	return 0;
}

static void vmdisk_set_sense(struct vmdisk_cmd *c, const struct vmdisk_req *r,
			     u32 code)
{
	u8 *s = c->sense;

	memset(s, 0, VMDISK_SENSE_LEN);
	s[0] = 0x70;
	s[2] = code >> 16;
	s[7] = VMDISK_SENSE_LEN - 8;
	s[12] = code >> 8;
	s[13] = code;
	if (r && r->field_bits) {
		s[15] = r->field_bits;
		put_unaligned_be16(r->field, s + 16);
	}
	c->sense_len = VMDISK_SENSE_LEN;
	c->status = SAM_STAT_CHECK_CONDITION;
}

void vmdisk_scsi_finish(struct vmdisk *disk, struct vmdisk_cmd *c,
			const struct vmdisk_req *r, u32 ret)
{
	if (ret) {
		atomic64_inc(&disk->stats.errors);
		pr_debug("disk %u: %*ph -> %06x\n", disk->id,
			 min(c->cdb_len, 16U), c->cdb, ret);
		if (ret & VMDISK_S_STATUS)
			c->status = ret & 0xff;
		else
			vmdisk_set_sense(c, r, ret);
		c->resid = c->buflen;
	}
	if (c->done)
		c->done(c);
}

/* Look the command up and check it: 0, or what to end it with. */
static u32 vmdisk_scsi_check(struct vmdisk_req *r)
{
	struct vmdisk_cmd *c = r->cmd;
	bool sa_bad;
	u32 ret;

	r->op = vmdisk_find_op(c->cdb[0], c->cdb_len > 1 ? c->cdb[1] & 0x1f : 0,
			       &sa_bad);
	if (!r->op)
		return sa_bad ? vmdisk_bad_field(r, 1, 4) : VMDISK_S_BAD_OPCODE;
	ret = vmdisk_check_cdb(r);
	if (!ret && vmdisk_conflict(r))
		ret = VMDISK_S_CONFLICT;
	return ret;
}

static void vmdisk_scsi_start(struct vmdisk *disk, struct vmdisk_cmd *c)
{
	c->status = SAM_STAT_GOOD;
	c->sense_len = 0;
	c->resid = c->buflen;
	atomic64_inc(&disk->stats.commands);
}

void vmdisk_scsi_exec(struct vmdisk *disk, struct vmdisk_cmd *c)
{
	struct vmdisk_req r = { .disk = disk, .cmd = c, .cdb = c->cdb };
	u32 ret;

	vmdisk_scsi_start(disk, c);
	ret = vmdisk_scsi_check(&r);
	if (!ret && (r.op->flags & VMDISK_OP_RESP)) {
		r.buf = kzalloc(VMDISK_RESP_MAX, GFP_NOIO);
		if (!r.buf)
			ret = VMDISK_S_BUSY;
	}
	if (!ret) {
		/* Released by whoever finishes the command, maybe elsewhere. */
		down_read_non_owner(&disk->be_lock);
		ret = r.op->exec(&r);
		if (ret != VMDISK_S_PENDING)
			up_read_non_owner(&disk->be_lock);
	}
	kfree(r.buf);
	if (ret != VMDISK_S_PENDING)
		vmdisk_scsi_finish(disk, c, &r, ret);
}

/* down_read_non_owner() if it needs no wait. */
static bool vmdisk_be_tryget(struct vmdisk *disk)
{
	if (!down_read_trylock(&disk->be_lock))
		return false;
	/* Lockdep's view of down_read_non_owner(): the command owns it,
	 * and whatever context finishes the command releases it. */
	rwsem_release(&disk->be_lock.dep_map, _RET_IP_);
	return true;
}

bool vmdisk_scsi_exec_nowait(struct vmdisk *disk, struct vmdisk_cmd *c)
{
	struct vmdisk_req r = { .disk = disk, .cmd = c, .cdb = c->cdb,
				.nowait = true };
	u32 ret;

	ret = vmdisk_scsi_check(&r);
	if (!r.op || !(r.op->flags & VMDISK_OP_NOWAIT) || !c->done)
		return false;
	if (!ret && !vmdisk_be_tryget(disk))
		return false;
	vmdisk_scsi_start(disk, c);
	if (!ret) {
		ret = r.op->exec(&r);
		if (ret != VMDISK_S_PENDING)
			up_read_non_owner(&disk->be_lock);
		if (ret == VMDISK_S_WOULDBLOCK) {
			/* vmdisk_scsi_exec() counts it. */
			atomic64_dec(&disk->stats.commands);
			return false;
		}
	}
	if (ret != VMDISK_S_PENDING)
		vmdisk_scsi_finish(disk, c, &r, ret);
	return true;
}

int vmdisk_scsi_init(void)
{
	int i;

	for (i = ARRAY_SIZE(vmdisk_ops) - 1; i >= 0; i--)
		vmdisk_op_index[vmdisk_ops[i].opcode] = i + 1;
	return 0;
}
