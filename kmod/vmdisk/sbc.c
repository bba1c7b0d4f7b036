// SPDX-License-Identifier: GPL-2.0
/*
 * SBC-3 commands of the target core: READ/WRITE in all sizes, WRITE AND
 * VERIFY, VERIFY, SYNCHRONIZE CACHE, WRITE SAME, UNMAP, READ CAPACITY and
 * START STOP UNIT. Every LBA range is checked before the backend sees it;
 * the initiator's buffer is handed to the backend as a bvec iterator.
 */
#include <linux/bvec.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <compat.h>

#include "disk.h"
#include "target.h"

u32 vmdisk_errno_sense(int err, bool write)
{
	switch (err) {
	case -ENOMEM:
	case -EAGAIN:
		return VMDISK_S_BUSY;
	case -ENOSPC:
	case -EDQUOT:
		return VMDISK_S_NO_SPACE;
	case -EROFS:
	case -EPERM:
	case -EBADF:
		return VMDISK_S_PROTECTED;
	default:
		return write ? VMDISK_S_WRITE_ERROR : VMDISK_S_READ_ERROR;
	}
}

/* --- LBA-addressed commands ------------------------------------------ */

/* LBA and block count from a READ/WRITE-shaped CDB of any length. */
static void vmdisk_decode_lba(const struct vmdisk_req *r, u64 *lba, u32 *n)
{
	const u8 *cdb = r->cdb;

	switch (r->op->len) {
	case 6:
		*lba = get_unaligned_be24(cdb + 1) & 0x1fffff;
		*n = cdb[4] ? cdb[4] : 256;
		break;
	case 10:
		*lba = get_unaligned_be32(cdb + 2);
		*n = get_unaligned_be16(cdb + 7);
		break;
	case 12:
		*lba = get_unaligned_be32(cdb + 2);
		*n = get_unaligned_be32(cdb + 6);
		break;
	default:
		*lba = get_unaligned_be64(cdb + 2);
		*n = get_unaligned_be32(cdb + 10);
		break;
	}
}

/* Where the TRANSFER LENGTH (or NUMBER OF BLOCKS) field is. */
static int vmdisk_len_field(const struct vmdisk_req *r)
{
	switch (r->op->len) {
	case 6:
		return 4;
	case 10:
		return 7;
	case 12:
		return 6;
	default:
		return 10;
	}
}

static bool vmdisk_in_range(const struct vmdisk *disk, u64 lba, u64 n)
{
	return lba < disk->nr_blocks && n <= disk->nr_blocks - lba;
}

static bool vmdisk_fua(const struct vmdisk_req *r)
{
	return r->op->len != 6 && (r->cdb[1] & 0x08);
}

/* The initiator's buffer, c->sg_count entries, as bio_vecs. */
static void vmdisk_fill_bvec(struct bio_vec *bv, const struct vmdisk_cmd *c)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(c->sgl, sg, c->sg_count, i)
		bvec_set_page(&bv[i], sg_page(sg), sg->length, sg->offset);
}

/* An iterator over the first bytes of the initiator's buffer. */
static struct bio_vec *vmdisk_iter(struct vmdisk_req *r, struct iov_iter *it,
				   unsigned int dir, size_t bytes)
{
	struct vmdisk_cmd *c = r->cmd;
	struct bio_vec *bv;

	bv = kmalloc_array(c->sg_count, sizeof(*bv), GFP_NOIO);
	if (!bv)
		return NULL;
	vmdisk_fill_bvec(bv, c);
	iov_iter_bvec(it, dir, bv, c->sg_count, bytes);
	return bv;
}

static void vmdisk_account(struct vmdisk *disk, bool write, size_t bytes,
			   u64 start)
{
	if (write) {
		atomic64_inc(&disk->stats.writes);
		atomic64_add(bytes, &disk->stats.write_bytes);
		atomic64_add(ktime_get_ns() - start, &disk->stats.write_ns);
	} else {
		atomic64_inc(&disk->stats.reads);
		atomic64_add(bytes, &disk->stats.read_bytes);
		atomic64_add(ktime_get_ns() - start, &disk->stats.read_ns);
	}
}

static void vmdisk_rw_done(struct vmdisk_aio *aio, int err)
{
	struct vmdisk_rw *rw = container_of(aio, struct vmdisk_rw, aio);
	struct vmdisk *disk = rw->disk;

	if (!err)
		vmdisk_account(disk, rw->write, rw->bytes, rw->start);
	if (rw->bv != rw->inline_bv)
		kfree(rw->bv);
	up_read_non_owner(&disk->be_lock);
	vmdisk_scsi_finish(disk, rw->cmd, NULL,
			   err ? vmdisk_errno_sense(err, rw->write) : 0);
}

static u32 vmdisk_rw_submit(struct vmdisk_req *r, loff_t pos, size_t bytes,
			    bool write, bool fua)
{
	struct vmdisk_backend *be = r->disk->be;
	struct vmdisk_cmd *c = r->cmd;
	struct vmdisk_rw *rw = &c->rw;

	rw->bv = rw->inline_bv;
	if (c->sg_count > ARRAY_SIZE(rw->inline_bv)) {
		rw->bv = kmalloc_array(c->sg_count, sizeof(*rw->bv),
				       r->nowait ? GFP_NOWAIT : GFP_NOIO);
		if (!rw->bv)
			return r->nowait ? VMDISK_S_WOULDBLOCK : VMDISK_S_BUSY;
	}
	vmdisk_fill_bvec(rw->bv, c);
	iov_iter_bvec(&rw->aio.iter, write ? ITER_SOURCE : ITER_DEST, rw->bv,
		      c->sg_count, bytes);
	rw->aio.done = vmdisk_rw_done;
	rw->aio.nowait = r->nowait;
	rw->disk = r->disk;
	rw->cmd = c;
	rw->bytes = bytes;
	rw->write = write;
	rw->start = ktime_get_ns();
	be->ops->submit(be, &rw->aio, pos, write, fua);
	return VMDISK_S_PENDING;
}

/* Whether the backend can start this without waiting. */
static bool vmdisk_can_nowait(struct vmdisk_backend *be, bool write)
{
	return be->ops->submit && be->ops->nowait && be->ops->nowait(be, write);
}

static u32 vmdisk_do_rw(struct vmdisk_req *r, u64 lba, u32 n, bool write,
			bool fua)
{
	struct vmdisk *disk = r->disk;
	struct vmdisk_backend *be = disk->be;
	size_t bytes = (size_t)n << disk->block_shift;
	loff_t pos = lba << disk->block_shift;
	struct iov_iter it;
	struct bio_vec *bv;
	u64 start;
	int ret;

	if (!vmdisk_in_range(disk, lba, n))
		return VMDISK_S_LBA_RANGE;
	if (write && disk->readonly)
		return VMDISK_S_PROTECTED;
	if (bytes > r->cmd->buflen)
		return vmdisk_bad_field(r, vmdisk_len_field(r), -1);
	if (r->nowait && !vmdisk_can_nowait(be, write))
		return VMDISK_S_WOULDBLOCK;
	r->cmd->resid = r->cmd->buflen - bytes;
	if (!n)
		return 0;
	fua = fua || !READ_ONCE(disk->wce);
	/* A caller that takes completions (the HBA) never waits here: an
	 * asynchronous backend gets the command and lets the caller's
	 * thread submit the next one. Front ends wait for each command. */
	if (be->ops->submit && r->cmd->done)
		return vmdisk_rw_submit(r, pos, bytes, write, fua);
	bv = vmdisk_iter(r, &it, write ? ITER_SOURCE : ITER_DEST, bytes);
	if (!bv)
		return VMDISK_S_BUSY;
	start = ktime_get_ns();
	if (write)
		ret = be->ops->write(be, &it, pos, fua);
	else
		ret = be->ops->read(be, &it, pos);
	kfree(bv);
	if (ret)
		return vmdisk_errno_sense(ret, write);
	vmdisk_account(disk, write, bytes, start);
	return 0;
}

u32 vmdisk_read(struct vmdisk_req *r)
{
	u64 lba;
	u32 n;

	vmdisk_decode_lba(r, &lba, &n);
	return vmdisk_do_rw(r, lba, n, false, false);
}

u32 vmdisk_write(struct vmdisk_req *r)
{
	u64 lba;
	u32 n;

	vmdisk_decode_lba(r, &lba, &n);
	return vmdisk_do_rw(r, lba, n, true, vmdisk_fua(r));
}

/* BYTCHK (byte 1, bits 2-1): 0 = check the medium, 1 = compare data-out. */
u32 vmdisk_write_verify(struct vmdisk_req *r)
{
	u64 lba;
	u32 n;

	if (r->cdb[1] & 0x04)
		return vmdisk_bad_field(r, 1, 2);
	vmdisk_decode_lba(r, &lba, &n);
	/* Written data is stable before verification can mean anything. */
	return vmdisk_do_rw(r, lba, n, true, true);
}

static u32 vmdisk_compare(struct vmdisk_req *r, u64 lba, u32 n)
{
	struct vmdisk *disk = r->disk;
	u32 bs = 1U << disk->block_shift, off = 0, i;
	u8 *medium, *data;
	struct iov_iter it;
	struct kvec kv;
	u32 ret = 0;
	int err;

	if (((u64)n << disk->block_shift) > r->cmd->buflen)
		return vmdisk_bad_field(r, vmdisk_len_field(r), -1);
	medium = kmalloc(bs, GFP_NOIO);
	data = kmalloc(bs, GFP_NOIO);
	if (!medium || !data) {
		ret = VMDISK_S_BUSY;
		goto out;
	}
	for (i = 0; i < n && !ret; i++, off += bs) {
		kv.iov_base = medium;
		kv.iov_len = bs;
		iov_iter_kvec(&it, ITER_DEST, &kv, 1, bs);
		err = disk->be->ops->read(disk->be, &it,
					  (lba + i) << disk->block_shift);
		if (err) {
			ret = vmdisk_errno_sense(err, false);
			break;
		}
		sg_pcopy_to_buffer(r->cmd->sgl, r->cmd->sg_count, data, bs, off);
		if (memcmp(medium, data, bs))
			ret = VMDISK_S_MISCOMPARE;
	}
	r->cmd->resid = r->cmd->buflen - ((u64)n << disk->block_shift);
out:
	kfree(medium);
	kfree(data);
	return ret;
}

u32 vmdisk_verify(struct vmdisk_req *r)
{
	u8 bytchk = (r->cdb[1] >> 1) & 3;
	u64 lba;
	u32 n;

	if (bytchk > 1)
		return vmdisk_bad_field(r, 1, 2);
	vmdisk_decode_lba(r, &lba, &n);
	if (!vmdisk_in_range(r->disk, lba, n))
		return VMDISK_S_LBA_RANGE;
	if (bytchk)
		return vmdisk_compare(r, lba, n);
	return 0;
}

u32 vmdisk_sync_cache(struct vmdisk_req *r)
{
	struct vmdisk *disk = r->disk;
	u64 lba;
	u32 n;
	int ret;

	vmdisk_decode_lba(r, &lba, &n);
	if (!vmdisk_in_range(disk, lba, n))
		return VMDISK_S_LBA_RANGE;
	atomic64_inc(&disk->stats.flushes);
	ret = disk->be->ops->flush(disk->be, lba << disk->block_shift,
				   (u64)n << disk->block_shift);
	return ret ? vmdisk_errno_sense(ret, true) : 0;
}

/* Unmapped blocks read as zeroes (LBPRZ): when the backend cannot
 * deallocate, write zeroes instead. */
static int vmdisk_discard(struct vmdisk *disk, u64 lba, u64 n)
{
	loff_t pos = lba << disk->block_shift, len = n << disk->block_shift;
	struct bio_vec bv[16];
	struct iov_iter it;
	size_t chunk;
	int i, ret;

	atomic64_inc(&disk->stats.unmaps);
	ret = disk->be->ops->discard(disk->be, pos, len);
	if (ret != -EOPNOTSUPP)
		return ret;
	for (i = 0; i < ARRAY_SIZE(bv); i++) {
		bv[i].bv_page = ZERO_PAGE(0);
		bv[i].bv_len = PAGE_SIZE;
		bv[i].bv_offset = 0;
	}
	for (; len && !ret; pos += chunk, len -= chunk) {
		chunk = min_t(loff_t, len, sizeof(bv) / sizeof(bv[0]) * PAGE_SIZE);
		iov_iter_bvec(&it, ITER_SOURCE, bv, ARRAY_SIZE(bv), chunk);
		ret = disk->be->ops->write(disk->be, &it, pos, false);
	}
	return ret;
}

u32 vmdisk_write_same(struct vmdisk_req *r)
{
	struct vmdisk *disk = r->disk;
	u32 bs = 1U << disk->block_shift, chunk, i, n, per;
	struct iov_iter it;
	struct kvec kv;
	u8 *pattern;
	u64 lba;
	u32 ret;
	int err;

	vmdisk_decode_lba(r, &lba, &n);
	if (!n || n > VMDISK_MAX_WS_BLOCKS)	/* WSNZ is set in VPD b0 */
		return vmdisk_bad_field(r, vmdisk_len_field(r), -1);
	if (!vmdisk_in_range(disk, lba, n))
		return VMDISK_S_LBA_RANGE;
	if (disk->readonly)
		return VMDISK_S_PROTECTED;
	per = min_t(u32, n, SZ_64K / bs);
	pattern = kmalloc((size_t)per * bs, GFP_NOIO);
	if (!pattern)
		return VMDISK_S_BUSY;
	ret = vmdisk_fetch(r, pattern, bs, vmdisk_len_field(r));
	if (ret)
		goto out;
	if ((r->cdb[1] & 0x08) && !memchr_inv(pattern, 0, bs)) {
		err = vmdisk_discard(disk, lba, n);
		ret = err ? vmdisk_errno_sense(err, true) : 0;
		goto out;
	}
	for (i = 1; i < per; i++)
		memcpy(pattern + (size_t)i * bs, pattern, bs);
	for (i = 0; i < n && !ret; i += chunk) {
		chunk = min(per, n - i);
		kv.iov_base = pattern;
		kv.iov_len = (size_t)chunk * bs;
		iov_iter_kvec(&it, ITER_SOURCE, &kv, 1, kv.iov_len);
		err = disk->be->ops->write(disk->be, &it,
					   (lba + i) << disk->block_shift,
					   !READ_ONCE(disk->wce));
		if (err)
			ret = vmdisk_errno_sense(err, true);
	}
out:
	kfree(pattern);
	return ret;
}

u32 vmdisk_unmap(struct vmdisk_req *r)
{
	struct vmdisk *disk = r->disk;
	u32 len = get_unaligned_be16(r->cdb + 7), ndesc, i, ret;
	u8 *p;
	int err;

	if (!len)
		return 0;
	if (len < 8)
		return VMDISK_S_PARAM_LEN;
	if (disk->readonly)
		return VMDISK_S_PROTECTED;
	p = kmalloc(len, GFP_NOIO);
	if (!p)
		return VMDISK_S_BUSY;
	ret = vmdisk_fetch(r, p, len, 7);
	if (ret)
		goto out;
	ndesc = min_t(u32, get_unaligned_be16(p + 2), len - 8) / 16;
	if (ndesc > VMDISK_MAX_UNMAP_DESC) {
		ret = vmdisk_bad_param(r, 2, -1);
		goto out;
	}
	/* Check every descriptor before changing anything. */
	for (i = 0; i < ndesc; i++) {
		u8 *d = p + 8 + 16 * i;
		u32 n = get_unaligned_be32(d + 8);

		if (n && !vmdisk_in_range(disk, get_unaligned_be64(d), n)) {
			ret = VMDISK_S_LBA_RANGE;
			goto out;
		}
		if (n > VMDISK_MAX_UNMAP_BLOCKS) {
			ret = vmdisk_bad_param(r, 8 + 16 * i + 8, -1);
			goto out;
		}
	}
	for (i = 0; i < ndesc && !ret; i++) {
		u8 *d = p + 8 + 16 * i;
		u32 n = get_unaligned_be32(d + 8);

		if (!n)
			continue;
		err = vmdisk_discard(disk, get_unaligned_be64(d), n);
		if (err)
			ret = vmdisk_errno_sense(err, true);
	}
out:
	kfree(p);
	return ret;
}

u32 vmdisk_read_capacity10(struct vmdisk_req *r)
{
	u64 last = r->disk->nr_blocks - 1;

	if (!(r->cdb[8] & 0x01) && get_unaligned_be32(r->cdb + 2))
		return vmdisk_bad_field(r, 2, -1);
	put_unaligned_be32(min_t(u64, last, 0xffffffff), r->buf);
	put_unaligned_be32(1U << r->disk->block_shift, r->buf + 4);
	return vmdisk_respond(r, 8, 8);
}

u32 vmdisk_read_capacity16(struct vmdisk_req *r)
{
	if (!(r->cdb[14] & 0x01) && get_unaligned_be64(r->cdb + 2))
		return vmdisk_bad_field(r, 2, -1);
	put_unaligned_be64(r->disk->nr_blocks - 1, r->buf);
	put_unaligned_be32(1U << r->disk->block_shift, r->buf + 8);
	r->buf[14] = 0x80 | 0x40;	/* LBPME, LBPRZ */
	return vmdisk_respond(r, 32, get_unaligned_be32(r->cdb + 10));
}

u32 vmdisk_start_stop(struct vmdisk_req *r)
{
	struct vmdisk *disk = r->disk;
	int ret = 0;

	/* Power conditions and eject are accepted and mean nothing here;
	 * a stop without NO_FLUSH writes the cache back. */
	if (!(r->cdb[4] & 0x01) && !(r->cdb[4] & 0x04) && !disk->readonly)
		ret = disk->be->ops->flush(disk->be, 0, 0);
	return ret ? vmdisk_errno_sense(ret, true) : 0;
}
