// SPDX-License-Identifier: GPL-2.0
/*
 * PERSISTENT RESERVE IN and OUT. IN: READ KEYS, READ RESERVATION, REPORT
 * CAPABILITIES. OUT: REGISTER, REGISTER AND IGNORE EXISTING KEY, RESERVE,
 * RELEASE, CLEAR, PREEMPT (and PREEMPT AND ABORT, which has nothing queued
 * to abort). Scope is always the logical unit; SPEC_I_PT, ALL_TG_PT and
 * APTPL are refused.
 */
#include <linux/spinlock.h>
#include <compat.h>

#include "disk.h"
#include "pr.h"
#include "target.h"

enum {
	PR_TYPE_WR_EX = 1, PR_TYPE_EX_AC = 3, PR_TYPE_WR_EX_RO = 5,
	PR_TYPE_EX_AC_RO = 6, PR_TYPE_WR_EX_AR = 7, PR_TYPE_EX_AC_AR = 8,
};

enum {
	PR_IN_READ_KEYS, PR_IN_READ_RESERVATION, PR_IN_REPORT_CAPABILITIES,
};

enum {
	PR_OUT_REGISTER, PR_OUT_RESERVE, PR_OUT_RELEASE, PR_OUT_CLEAR,
	PR_OUT_PREEMPT, PR_OUT_PREEMPT_ABORT, PR_OUT_REGISTER_IGNORE,
};

#define PR_PARAM_LEN	24

void vmdisk_pr_init(struct vmdisk_pr *pr)
{
	pr->holder = -1;
}

static int vmdisk_pr_find(const struct vmdisk_pr *pr, int initiator)
{
	int i;

	for (i = 0; i < pr->nr_regs; i++)
		if (pr->regs[i].initiator == initiator)
			return i;
	return -1;
}

static void vmdisk_pr_unregister(struct vmdisk_pr *pr, int i)
{
	if (pr->holder == pr->regs[i].initiator)
		pr->holder = -1;
	pr->regs[i] = pr->regs[--pr->nr_regs];
}

static bool vmdisk_pr_type_valid(u8 type)
{
	return type == PR_TYPE_WR_EX || type == PR_TYPE_EX_AC ||
	       (type >= PR_TYPE_WR_EX_RO && type <= PR_TYPE_EX_AC_AR);
}

bool vmdisk_pr_conflict(struct vmdisk_req *r)
{
	struct vmdisk_pr *pr = &r->disk->pr;
	int me = r->cmd->initiator;
	u8 flags = r->op->flags;
	bool ret = false;

	if (!(flags & (VMDISK_OP_READ | VMDISK_OP_WRITE)))
		return false;
	spin_lock(&r->disk->state_lock);
	if (pr->holder >= 0 && pr->holder != me) {
		bool registered = vmdisk_pr_find(pr, me) >= 0;

		switch (pr->type) {
		case PR_TYPE_WR_EX:
			ret = flags & VMDISK_OP_WRITE;
			break;
		case PR_TYPE_EX_AC:
			ret = true;
			break;
		case PR_TYPE_WR_EX_RO:
		case PR_TYPE_WR_EX_AR:
			ret = (flags & VMDISK_OP_WRITE) && !registered;
			break;
		default:
			ret = !registered;
			break;
		}
	}
	spin_unlock(&r->disk->state_lock);
	return ret;
}

bool vmdisk_pr_registered_any(struct vmdisk_req *r)
{
	return READ_ONCE(r->disk->pr.nr_regs) != 0;
}

/* Build the IN response under the lock, in r->buf. */
static u32 vmdisk_pr_in_fill(struct vmdisk_req *r, u8 sa)
{
	struct vmdisk_pr *pr = &r->disk->pr;
	u8 *b = r->buf;
	u32 i;

	lockdep_assert_held(&r->disk->state_lock);
	put_unaligned_be32(pr->generation, b);
	if (sa == PR_IN_READ_KEYS) {
		for (i = 0; i < pr->nr_regs; i++)
			put_unaligned_be64(pr->regs[i].key, b + 8 + 8 * i);
		put_unaligned_be32(8 * pr->nr_regs, b + 4);
		return 8 + 8 * pr->nr_regs;
	}
	if (pr->holder < 0)
		return 8;
	i = vmdisk_pr_find(pr, pr->holder);
	put_unaligned_be32(16, b + 4);
	/* All-registrants reservations report key 0. */
	if (pr->type != PR_TYPE_WR_EX_AR && pr->type != PR_TYPE_EX_AC_AR)
		put_unaligned_be64(pr->regs[i].key, b + 8);
	b[21] = pr->type;
	return 24;
}

u32 vmdisk_pr_in(struct vmdisk_req *r)
{
	u32 alloc = get_unaligned_be16(r->cdb + 7), len;
	u8 sa = r->cdb[1] & 0x1f, *b = r->buf;

	switch (sa) {
	case PR_IN_READ_KEYS:
	case PR_IN_READ_RESERVATION:
		spin_lock(&r->disk->state_lock);
		len = vmdisk_pr_in_fill(r, sa);
		spin_unlock(&r->disk->state_lock);
		return vmdisk_respond(r, len, alloc);
	case PR_IN_REPORT_CAPABILITIES:
		put_unaligned_be16(8, b);
		b[3] = 0x80;		/* TMV: the type mask is valid */
		b[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02;	/* 7 6 5 3 1 */
		b[5] = 0x01;		/* EX_AC_AR */
		return vmdisk_respond(r, 8, alloc);
	default:
		return vmdisk_bad_field(r, 1, 4);
	}
}

static u32 vmdisk_pr_register(struct vmdisk_pr *pr, int me, u64 key,
			      u64 sa_key, bool ignore)
{
	int i = vmdisk_pr_find(pr, me);

	if (i < 0) {
		if (key && !ignore)
			return VMDISK_S_CONFLICT;
		if (!sa_key)
			return 0;
		if (pr->nr_regs == VMDISK_PR_MAX_REGS)
			return VMDISK_SENSE(ILLEGAL_REQUEST, 0x55, 0x04);
		pr->regs[pr->nr_regs].initiator = me;
		pr->regs[pr->nr_regs++].key = sa_key;
	} else if (!ignore && key != pr->regs[i].key) {
		return VMDISK_S_CONFLICT;
	} else if (!sa_key) {
		vmdisk_pr_unregister(pr, i);
	} else {
		pr->regs[i].key = sa_key;
	}
	pr->generation++;
	return 0;
}

static u32 vmdisk_pr_preempt(struct vmdisk_pr *pr, int me, u64 sa_key, u8 type)
{
	bool hit = false, took = false;
	int i;

	if (pr->holder >= 0 &&
	    pr->regs[vmdisk_pr_find(pr, pr->holder)].key == sa_key) {
		pr->holder = me;
		pr->type = type;
		took = true;
	}
	for (i = pr->nr_regs - 1; i >= 0; i--) {
		if (pr->regs[i].key != sa_key || pr->regs[i].initiator == me)
			continue;
		vmdisk_pr_unregister(pr, i);
		hit = true;
	}
	if (!hit && !took)
		return VMDISK_S_CONFLICT;
	pr->generation++;
	return 0;
}

/* Every action but REGISTER needs the caller registered with this key. */
static u32 vmdisk_pr_action(struct vmdisk_req *r, u8 sa, u8 type, u64 key,
			    u64 sa_key)
{
	struct vmdisk_pr *pr = &r->disk->pr;
	int me = r->cmd->initiator, i;

	lockdep_assert_held(&r->disk->state_lock);
	if (sa == PR_OUT_REGISTER || sa == PR_OUT_REGISTER_IGNORE)
		return vmdisk_pr_register(pr, me, key, sa_key,
					  sa == PR_OUT_REGISTER_IGNORE);
	i = vmdisk_pr_find(pr, me);
	if (i < 0 || pr->regs[i].key != key)
		return VMDISK_S_CONFLICT;
	switch (sa) {
	case PR_OUT_RESERVE:
		if (pr->holder >= 0 && (pr->holder != me || pr->type != type))
			return VMDISK_S_CONFLICT;
		pr->holder = me;
		pr->type = type;
		return 0;
	case PR_OUT_RELEASE:
		if (pr->holder != me)
			return 0;
		if (pr->type != type)
			return VMDISK_S_BAD_RELEASE;
		pr->holder = -1;
		return 0;
	case PR_OUT_CLEAR:
		pr->holder = -1;
		pr->nr_regs = 0;
		pr->generation++;
		return 0;
	default:
		return vmdisk_pr_preempt(pr, me, sa_key, type);
	}
}

u32 vmdisk_pr_out(struct vmdisk_req *r)
{
	u8 sa = r->cdb[1] & 0x1f, type = r->cdb[2] & 0x0f, p[PR_PARAM_LEN];
	bool needs_type = sa == PR_OUT_RESERVE || sa == PR_OUT_RELEASE ||
			  sa == PR_OUT_PREEMPT || sa == PR_OUT_PREEMPT_ABORT;
	u32 ret;

	if (sa > PR_OUT_REGISTER_IGNORE)
		return vmdisk_bad_field(r, 1, 4);
	if (r->cdb[2] >> 4)				/* scope: LU only */
		return vmdisk_bad_field(r, 2, 7);
	if (needs_type && !vmdisk_pr_type_valid(type))
		return vmdisk_bad_field(r, 2, 3);
	if (get_unaligned_be32(r->cdb + 5) != PR_PARAM_LEN)
		return VMDISK_S_PARAM_LEN;
	ret = vmdisk_fetch(r, p, PR_PARAM_LEN, 5);
	if (ret)
		return ret;
	if (p[20] & 0x0d)			/* SPEC_I_PT, ALL_TG_PT, APTPL */
		return vmdisk_bad_param(r, 20, fls(p[20] & 0x0d) - 1);
	spin_lock(&r->disk->state_lock);
	ret = vmdisk_pr_action(r, sa, type, get_unaligned_be64(p),
			       get_unaligned_be64(p + 8));
	spin_unlock(&r->disk->state_lock);
	return ret;
}
