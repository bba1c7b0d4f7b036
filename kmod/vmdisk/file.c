// SPDX-License-Identifier: GPL-2.0
/*
 * The raw file backend: block N of the disk is at byte offset +
 * N * block_size of the backing file. I/O goes through the file's own
 * read_iter/write_iter (page cache, or direct I/O when the file was opened
 * with O_DIRECT).
 *
 * Reads and writes of the target core are submitted as asynchronous kiocbs
 * (->submit): with O_DIRECT the file system returns -EIOCBQUEUED and calls
 * ki_complete when the bios are done, so one front-end thread keeps many
 * commands in flight. ki_complete may run in interrupt context, and a
 * whole transfer finishes there (the core's completion does not sleep);
 * only the rest of a transfer the file system cut short is passed to a
 * worker, which does it synchronously. Buffered I/O completes
 * synchronously.
 *
 * A nowait submission (the HBA's queuecommand, maybe inside the
 * submitter's own submit_bio()) starts only on the direct path (bmap.c) of
 * a file opened O_DIRECT on ext4: bios to the device below the file
 * system, with REQ_NOWAIT, ending through the same ki_complete. Whatever
 * the direct path does not take goes to the worker: a file system's
 * read_iter/write_iter waits even with IOCB_NOWAIT when it must update
 * the file's times (ext4 reads the inode's block for that), and there a
 * bio it waits for would be queued behind the caller, never to run.
 */
#include <linux/file.h>
#include <linux/falloc.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "backend.h"
#include "bmap.h"

struct vmdisk_raw {
	struct vmdisk_backend be;
	loff_t offset;
	struct vmdisk_bmap *bmap;	/* NULL: no direct path */
};

static struct vmdisk_raw *vmdisk_raw(struct vmdisk_backend *be)
{
	return container_of(be, struct vmdisk_raw, be);
}

static loff_t vmdisk_raw_offset(struct vmdisk_backend *be)
{
	return vmdisk_raw(be)->offset;
}

static int vmdisk_file_read(struct vmdisk_backend *be, struct iov_iter *to,
			    loff_t pos)
{
	ssize_t ret;

	pos += vmdisk_raw_offset(be);
	while (iov_iter_count(to)) {
		ret = vfs_iter_read(be->file, to, &pos, 0);
		if (ret < 0)
			return ret;
		if (ret == 0)	/* the file ends before the disk does */
			return -EIO;
	}
	return 0;
}

static int vmdisk_file_write(struct vmdisk_backend *be, struct iov_iter *from,
			     loff_t pos, bool fua)
{
	struct vmdisk_bmap *bmap = vmdisk_raw(be)->bmap;
	struct vmdisk_bmap_self me;
	ssize_t ret = 0;

	pos += vmdisk_raw_offset(be);
	vmdisk_bmap_self_begin(bmap, &me);
	while (iov_iter_count(from)) {
		ret = vfs_iter_write(be->file, from, &pos, fua ? RWF_DSYNC : 0);
		if (ret <= 0)
			break;
	}
	vmdisk_bmap_self_end(bmap, &me);
	if (ret < 0)
		return ret;
	return ret == 0 && iov_iter_count(from) ? -EIO : 0;
}

static void vmdisk_file_start(struct vmdisk_aio *aio);

/* Finish aio or pass it to vmdisk_wq: what a nowait submission could not
 * start is submitted again (aio->ret -EAGAIN), allowed to wait, and the
 * rest of a transfer the file system cut short is done synchronously. */
static void vmdisk_file_end(struct vmdisk_aio *aio, long ret)
{
	struct vmdisk_backend *be = aio->be;
	int err;

	if (ret == aio->count) {
		aio->done(aio, 0);
		return;
	}
	if (aio->nowait && (ret == -EAGAIN || ret == -EOPNOTSUPP)) {
		ret = -EAGAIN;
	} else if (ret < 0) {
		aio->done(aio, ret);
		return;
	}
	if (aio->nowait || !in_task()) {
		aio->ret = ret;
		queue_work(vmdisk_wq, &aio->work);
		return;
	}
	/* An asynchronous submission advanced iter past what it did. */
	aio->iter = aio->orig;
	iov_iter_advance(&aio->iter, ret);
	err = aio->write ? vmdisk_file_write(be, &aio->iter, aio->pos + ret,
					     aio->fua) :
			   vmdisk_file_read(be, &aio->iter, aio->pos + ret);
	aio->done(aio, err);
}

static void vmdisk_file_aio_work(struct work_struct *work)
{
	struct vmdisk_aio *aio = container_of(work, struct vmdisk_aio, work);

	aio->nowait = false;
	if (aio->ret >= 0) {
		vmdisk_file_end(aio, aio->ret);
		return;
	}
	aio->iter = aio->orig;
	vmdisk_file_start(aio);
}

/* The freeze protection taken at submission, handed over as fs/aio.c. */
static void vmdisk_file_end_write(struct file *file)
{
	struct inode *inode = file_inode(file);

	if (S_ISREG(inode->i_mode))
		__sb_writers_acquired(inode->i_sb, SB_FREEZE_WRITE);
	file_end_write(file);
}

static void vmdisk_file_ki_complete(struct kiocb *iocb, long ret)
{
	struct vmdisk_aio *aio = container_of(iocb, struct vmdisk_aio, iocb);

	if (aio->write)
		vmdisk_file_end_write(iocb->ki_filp);
	vmdisk_file_end(aio, ret);
}

static bool vmdisk_file_start_write(struct vmdisk_aio *aio)
{
	struct file *file = aio->be->file;
	struct inode *inode = file_inode(file);

	if (!aio->nowait)
		file_start_write(file);
	else if (!file_start_write_trylock(file))
		return false;
	if (S_ISREG(inode->i_mode))
		__sb_writers_release(inode->i_sb, SB_FREEZE_WRITE);
	return true;
}

static void vmdisk_file_start(struct vmdisk_aio *aio)
{
	struct vmdisk_backend *be = aio->be;
	struct vmdisk_bmap *bmap = vmdisk_raw(be)->bmap;
	struct file *file = be->file;
	struct kiocb *iocb = &aio->iocb;
	struct vmdisk_bmap_self me;
	ssize_t ret;

	init_sync_kiocb(iocb, file);
	iocb->ki_pos = aio->pos + vmdisk_raw_offset(be);
	iocb->ki_complete = vmdisk_file_ki_complete;
	if (aio->write) {
		iocb->ki_flags |= IOCB_WRITE | (aio->fua ? IOCB_DSYNC : 0);
		if (!vmdisk_file_start_write(aio)) {
			vmdisk_file_end(aio, -EAGAIN);
			return;
		}
	}
	switch (bmap ? vmdisk_bmap_submit(bmap, aio, iocb->ki_pos) :
		       VMDISK_BMAP_FILE) {
	case VMDISK_BMAP_STARTED:
		return;
	case VMDISK_BMAP_FILE:
		if (!aio->nowait)
			break;
		fallthrough;
	case VMDISK_BMAP_WAIT:
		vmdisk_file_ki_complete(iocb, -EAGAIN);
		return;
	}
	if (aio->write) {
		vmdisk_bmap_self_begin(bmap, &me);
		ret = file->f_op->write_iter(iocb, &aio->iter);
		vmdisk_bmap_self_end(bmap, &me);
	} else {
		ret = file->f_op->read_iter(iocb, &aio->iter);
	}
	if (ret != -EIOCBQUEUED)
		vmdisk_file_ki_complete(iocb, ret);
}

static void vmdisk_file_submit(struct vmdisk_backend *be,
			       struct vmdisk_aio *aio, loff_t pos, bool write,
			       bool fua)
{
	aio->be = be;
	aio->pos = pos;
	aio->write = write;
	aio->fua = fua;
	aio->count = iov_iter_count(&aio->iter);
	aio->orig = aio->iter;
	INIT_WORK(&aio->work, vmdisk_file_aio_work);
	vmdisk_file_start(aio);
}

/* Only the direct path starts without waiting. */
static bool vmdisk_file_nowait(struct vmdisk_backend *be, bool write)
{
	return vmdisk_raw(be)->bmap;
}

static int vmdisk_file_flush(struct vmdisk_backend *be, loff_t pos, loff_t len)
{
	struct vmdisk_bmap *bmap = vmdisk_raw(be)->bmap;
	int ret;

	pos += vmdisk_raw_offset(be);
	ret = bmap ? vmdisk_bmap_flush(bmap) : 0;
	if (!ret)
		ret = vfs_fsync_range(be->file, pos, len ? pos + len - 1 : LLONG_MAX, 1);
	return ret;
}

/* The direct path must not write to blocks the hole punch frees. */
static int vmdisk_file_discard(struct vmdisk_backend *be, loff_t pos,
			       loff_t len)
{
	struct vmdisk_bmap *bmap = vmdisk_raw(be)->bmap;
	struct vmdisk_bmap_self me;
	int ret;

	pos += vmdisk_raw_offset(be);
	if (bmap)
		vmdisk_bmap_pause(bmap);
	vmdisk_bmap_self_begin(bmap, &me);
	ret = vfs_fallocate(be->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			    pos, len);
	vmdisk_bmap_self_end(bmap, &me);
	if (bmap)
		vmdisk_bmap_resume(bmap, pos, len);
	return ret;
}

static loff_t vmdisk_file_size(struct vmdisk_backend *be)
{
	loff_t size = i_size_read(file_inode(be->file));

	return max_t(loff_t, size - vmdisk_raw_offset(be), 0);
}

static void vmdisk_file_show(struct vmdisk_backend *be, struct seq_file *m)
{
	struct vmdisk_bmap *bmap = vmdisk_raw(be)->bmap;

	if (bmap)
		vmdisk_bmap_show(bmap, m);
	else
		seq_puts(m, "direct no\n");
}

static void vmdisk_file_close(struct vmdisk_backend *be)
{
	struct vmdisk_raw *raw = vmdisk_raw(be);

	if (raw->bmap)
		vmdisk_bmap_destroy(raw->bmap);
	fput(be->file);
	kfree(raw);
}

static const struct vmdisk_backend_ops vmdisk_file_ops = {
	.name		= "raw",
	.read		= vmdisk_file_read,
	.write		= vmdisk_file_write,
	.submit		= vmdisk_file_submit,
	.nowait		= vmdisk_file_nowait,
	.flush		= vmdisk_file_flush,
	.discard	= vmdisk_file_discard,
	.size		= vmdisk_file_size,
	.show		= vmdisk_file_show,
	.close		= vmdisk_file_close,
};

struct vmdisk_backend *vmdisk_file_open(struct file *file, loff_t offset)
{
	struct vmdisk_raw *raw;

	if (offset < 0 || offset % 512)
		return ERR_PTR(-EINVAL);
	raw = kzalloc(sizeof(*raw), GFP_KERNEL);
	if (!raw)
		return ERR_PTR(-ENOMEM);
	raw->be.ops = &vmdisk_file_ops;
	raw->be.file = get_file(file);
	raw->offset = offset;
	raw->bmap = vmdisk_bmap_create(file);
	return &raw->be;
}
