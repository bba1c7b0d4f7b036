// SPDX-License-Identifier: GPL-2.0
/*
 * SPC-4 commands of the target core: TEST UNIT READY, REQUEST SENSE, SEND
 * DIAGNOSTIC (the default self-test), INQUIRY with its VPD pages, REPORT
 * LUNS, MODE SENSE/SELECT (caching and control pages) and SCSI-2
 * RESERVE/RELEASE.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <compat.h>

#include "disk.h"
#include "pr.h"
#include "target.h"

#define VMDISK_VENDOR		"VMware  "
#define VMDISK_PRODUCT		"Virtual disk    "
#define VMDISK_REVISION		"2.0 "

/* --- Emulated commands ------------------------------------------------ */

u32 vmdisk_tur(struct vmdisk_req *r)
{
	return 0;
}

/* Sense goes out with every CHECK CONDITION (autosense), so there is never
 * anything pending: report NO SENSE in the format asked for. */
u32 vmdisk_request_sense(struct vmdisk_req *r)
{
	u8 *b = r->buf;

	if (r->cdb[1] & 0x01) {		/* DESC */
		b[0] = 0x72;
		return vmdisk_respond(r, 8, r->cdb[4]);
	}
	b[0] = 0x70;
	b[7] = 10;
	return vmdisk_respond(r, VMDISK_SENSE_LEN, r->cdb[4]);
}

/* SEND DIAGNOSTIC: the default self-test (SELFTEST) has nothing to test
 * and passes; a parameter list (diagnostic pages) or a background
 * self-test code is refused by the CDB mask. */
u32 vmdisk_send_diagnostic(struct vmdisk_req *r)
{
	return 0;
}

static u32 vmdisk_inquiry_std(struct vmdisk_req *r)
{
	u8 *b = r->buf;

	b[0] = TYPE_DISK;
	b[2] = 0x06;		/* SPC-4 */
	b[3] = 0x12;		/* HISUP, response data format 2 */
	b[4] = 36 - 5;
	b[7] = 0x02;		/* CMDQUE */
	memcpy(b + 8, VMDISK_VENDOR, 8);
	memcpy(b + 16, VMDISK_PRODUCT, 16);
	memcpy(b + 32, VMDISK_REVISION, 4);
	return 36;
}

static const u8 vmdisk_vpd_pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 };

static u32 vmdisk_vpd_supported(struct vmdisk_req *r)
{
	memcpy(r->buf + 4, vmdisk_vpd_pages, sizeof(vmdisk_vpd_pages));
	return sizeof(vmdisk_vpd_pages);
}

static u32 vmdisk_vpd_serial(struct vmdisk_req *r)
{
	u32 len = strlen(r->disk->serial);

	memcpy(r->buf + 4, r->disk->serial, len);
	return len;
}

/* Device identification: the NAA name and a T10 vendor ID. */
static u32 vmdisk_vpd_ident(struct vmdisk_req *r)
{
	u8 *d = r->buf + 4;
	u32 slen = strlen(r->disk->serial);

	d[0] = 0x01;		/* protocol 0, binary */
	d[1] = 0x03;		/* LU association, NAA */
	d[3] = 8;
	put_unaligned_be64(r->disk->naa, d + 4);
	d += 12;
	d[0] = 0x02;		/* ASCII */
	d[1] = 0x01;		/* LU association, T10 vendor ID */
	d[3] = 8 + slen;
	memcpy(d + 4, VMDISK_VENDOR, 8);
	memcpy(d + 12, r->disk->serial, slen);
	d += 4 + d[3];
	return d - (r->buf + 4);
}

static u32 vmdisk_vpd_limits(struct vmdisk_req *r)
{
	u8 *b = r->buf;
	u32 xfer = VMDISK_MAX_XFER >> r->disk->block_shift;

	b[4] = 0x01;				/* WSNZ */
	put_unaligned_be16(1, b + 6);		/* optimal granularity */
	put_unaligned_be32(xfer, b + 8);	/* maximum transfer */
	put_unaligned_be32(xfer, b + 12);	/* optimal transfer */
	put_unaligned_be32(VMDISK_MAX_UNMAP_BLOCKS, b + 20);
	put_unaligned_be32(VMDISK_MAX_UNMAP_DESC, b + 24);
	put_unaligned_be32(1, b + 28);		/* unmap granularity */
	put_unaligned_be64(VMDISK_MAX_WS_BLOCKS, b + 36);
	return 0x3c;
}

static u32 vmdisk_vpd_characteristics(struct vmdisk_req *r)
{
	put_unaligned_be16(1, r->buf + 4);	/* non-rotating */
	return 0x3c;
}

static u32 vmdisk_vpd_provisioning(struct vmdisk_req *r)
{
	r->buf[5] = 0x80 | 0x40 | 0x20 | 0x04;	/* LBPU LBPWS LBPWS10 LBPRZ */
	r->buf[6] = 0x02;			/* thin provisioned */
	return 4;
}

u32 vmdisk_inquiry(struct vmdisk_req *r)
{
	static u32 (*const vpd[])(struct vmdisk_req *) = {
		vmdisk_vpd_supported, vmdisk_vpd_serial, vmdisk_vpd_ident,
		vmdisk_vpd_limits, vmdisk_vpd_characteristics,
		vmdisk_vpd_provisioning,
	};
	u32 alloc = get_unaligned_be16(r->cdb + 3), i;

	if (!(r->cdb[1] & 0x01)) {
		if (r->cdb[2])
			return vmdisk_bad_field(r, 2, -1);
		return vmdisk_respond(r, vmdisk_inquiry_std(r), alloc);
	}
	for (i = 0; i < ARRAY_SIZE(vmdisk_vpd_pages); i++) {
		if (vmdisk_vpd_pages[i] == r->cdb[2]) {
			u32 len = vpd[i](r);

			r->buf[0] = TYPE_DISK;
			r->buf[1] = r->cdb[2];
			put_unaligned_be16(len, r->buf + 2);
			return vmdisk_respond(r, len + 4, alloc);
		}
	}
	return vmdisk_bad_field(r, 2, -1);
}

u32 vmdisk_report_luns(struct vmdisk_req *r)
{
	u32 alloc = get_unaligned_be32(r->cdb + 6);
	u8 select = r->cdb[2];

	if (alloc < 16)
		return vmdisk_bad_field(r, 6, -1);
	switch (select) {
	case 0x00:
	case 0x02:
	case 0x10:
	case 0x12:
		put_unaligned_be32(8, r->buf);	/* LUN 0 */
		return vmdisk_respond(r, 16, alloc);
	case 0x01:
	case 0x11:
		return vmdisk_respond(r, 8, alloc);	/* no well-known LUNs */
	default:
		return vmdisk_bad_field(r, 2, -1);
	}
}

/* --- Mode pages ------------------------------------------------------- */

enum { VMDISK_PC_CURRENT, VMDISK_PC_CHANGEABLE, VMDISK_PC_DEFAULT,
       VMDISK_PC_SAVED };

static u32 vmdisk_page_caching(struct vmdisk_req *r, u8 *p, int pc)
{
	p[0] = 0x08;
	p[1] = 0x12;
	if (pc == VMDISK_PC_CHANGEABLE)
		p[2] = 0x04;
	else if (pc == VMDISK_PC_DEFAULT || READ_ONCE(r->disk->wce))
		p[2] = 0x04;				/* WCE */
	return 20;
}

static u32 vmdisk_page_control(struct vmdisk_req *r, u8 *p, int pc)
{
	p[0] = 0x0a;
	p[1] = 0x0a;
	if (pc != VMDISK_PC_CHANGEABLE) {
		p[3] = 0x10;			/* unrestricted reordering */
		put_unaligned_be16(0xffff, p + 8);	/* busy timeout */
	}
	return 12;
}

static const struct {
	u8 page;
	u32 (*fill)(struct vmdisk_req *r, u8 *p, int pc);
} vmdisk_mode_pages[] = {
	{ 0x08, vmdisk_page_caching },
	{ 0x0a, vmdisk_page_control },
};

u32 vmdisk_mode_sense(struct vmdisk_req *r)
{
	bool ten = r->cdb[0] == MODE_SENSE_10, dbd = r->cdb[1] & 0x08;
	bool llba = ten && (r->cdb[1] & 0x10);
	u32 hdr = ten ? 8 : 4, alloc = ten ? get_unaligned_be16(r->cdb + 7) :
					      r->cdb[4];
	u8 page = r->cdb[2] & 0x3f, pc = r->cdb[2] >> 6, *b = r->buf;
	u32 len = hdr, bdlen = dbd ? 0 : llba ? 16 : 8, i;
	struct vmdisk *disk = r->disk;
	bool found = false;

	if (pc == VMDISK_PC_SAVED)
		return VMDISK_S_NO_SAVE;
	if (r->cdb[3] && !(page == 0x3f && r->cdb[3] == 0xff))
		return vmdisk_bad_field(r, 3, -1);
	if (bdlen == 8) {
		put_unaligned_be32(min_t(u64, disk->nr_blocks, 0xffffffff),
				   b + len);
		put_unaligned_be32(1U << disk->block_shift, b + len + 4);
	} else if (bdlen == 16) {
		put_unaligned_be64(disk->nr_blocks, b + len);
		put_unaligned_be32(1U << disk->block_shift, b + len + 12);
	}
	len += bdlen;
	for (i = 0; i < ARRAY_SIZE(vmdisk_mode_pages); i++) {
		if (page != 0x3f && page != vmdisk_mode_pages[i].page)
			continue;
		len += vmdisk_mode_pages[i].fill(r, b + len, pc);
		found = true;
	}
	if (!found)
		return vmdisk_bad_field(r, 2, 5);
	/* Device-specific parameter: WP, DPOFUA. */
	b[ten ? 3 : 2] = (disk->readonly ? 0x80 : 0) | 0x10;
	if (ten) {
		put_unaligned_be16(len - 2, b);
		b[4] = llba ? 0x01 : 0;
		put_unaligned_be16(bdlen, b + 6);
	} else {
		b[0] = len - 1;
		b[3] = bdlen;
	}
	return vmdisk_respond(r, len, alloc);
}

/* Only the caching page's WCE bit can change; everything else sent must
 * equal what MODE SENSE reports. */
static u32 vmdisk_mode_select_page(struct vmdisk_req *r, const u8 *p,
				   u32 off, u32 left, bool *wce)
{
	/* Returns a sense code; the page is always 20 bytes when valid. */
	u8 cur[20] = {};
	u32 i;

	if ((p[0] & 0x3f) != 0x08 || (p[0] & 0x40))
		return vmdisk_bad_param(r, off, -1);
	if (left < 2 || p[1] != 0x12 || left < 20)
		return VMDISK_S_PARAM_LEN;
	vmdisk_page_caching(r, cur, VMDISK_PC_CURRENT);
	for (i = 2; i < 20; i++) {
		u8 diff = (p[i] ^ cur[i]) & ~(i == 2 ? 0x04 : 0);

		if (diff)
			return vmdisk_bad_param(r, off + i, fls(diff) - 1);
	}
	*wce = p[2] & 0x04;
	return 0;
}

u32 vmdisk_mode_select(struct vmdisk_req *r)
{
	bool ten = r->cdb[0] == MODE_SELECT_10, wce = READ_ONCE(r->disk->wce);
	u32 len = ten ? get_unaligned_be16(r->cdb + 7) : r->cdb[4];
	u32 hdr = ten ? 8 : 4, bdlen, off, ret;
	u8 *p;

	if (!(r->cdb[1] & 0x10))
		return vmdisk_bad_field(r, 1, 4);	/* PF */
	if (r->cdb[1] & 0x01)
		return vmdisk_bad_field(r, 1, 0);	/* SP: no saving */
	if (!len)
		return 0;
	if (len < hdr)
		return VMDISK_S_PARAM_LEN;
	p = kzalloc(len, GFP_NOIO);
	if (!p)
		return VMDISK_S_BUSY;
	ret = vmdisk_fetch(r, p, len, ten ? 7 : 4);
	if (ret)
		goto out;
	bdlen = ten ? get_unaligned_be16(p + 6) : p[3];
	if (bdlen != 0 && bdlen != 8) {
		ret = vmdisk_bad_param(r, ten ? 6 : 3, -1);
		goto out;
	}
	if (hdr + bdlen > len) {
		ret = VMDISK_S_PARAM_LEN;
		goto out;
	}
	if (bdlen && get_unaligned_be24(p + hdr + 5) !=
		     1U << r->disk->block_shift) {
		ret = vmdisk_bad_param(r, hdr + 5, -1);
		goto out;
	}
	for (off = hdr + bdlen; off < len; off += 20) {
		ret = vmdisk_mode_select_page(r, p + off, off, len - off, &wce);
		if (ret)
			goto out;
	}
	WRITE_ONCE(r->disk->wce, wce);
out:
	kfree(p);
	return ret;
}

/* --- Reservations (SCSI-2) -------------------------------------------- */

u32 vmdisk_reserve(struct vmdisk_req *r)
{
	struct vmdisk *disk = r->disk;
	u32 ret = 0;

	if (vmdisk_pr_registered_any(r))
		return VMDISK_S_CONFLICT;
	spin_lock(&disk->state_lock);
	if (disk->reserved_by >= 0 && disk->reserved_by != r->cmd->initiator)
		ret = VMDISK_S_CONFLICT;
	else
		disk->reserved_by = r->cmd->initiator;
	spin_unlock(&disk->state_lock);
	return ret;
}

/* Releasing someone else's reservation is GOOD and changes nothing. */
u32 vmdisk_release(struct vmdisk_req *r)
{
	struct vmdisk *disk = r->disk;

	spin_lock(&disk->state_lock);
	if (disk->reserved_by == r->cmd->initiator)
		disk->reserved_by = -1;
	spin_unlock(&disk->state_lock);
	return 0;
}
