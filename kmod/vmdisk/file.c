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
 * A nowait submission sets IOCB_NOWAIT, as io_uring's first try does: the
 * file system then returns -EAGAIN rather than wait for a lock, an
 * allocation of blocks or the device's tags (for a bio, in ki_complete),
 * and the worker submits it again without the flag.
 */
#include <linux/file.h>
#include <linux/falloc.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "backend.h"

struct vmdisk_raw {
	struct vmdisk_backend be;
	loff_t offset;
};

static loff_t vmdisk_raw_offset(struct vmdisk_backend *be)
{
	return container_of(be, struct vmdisk_raw, be)->offset;
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
	ssize_t ret;

	pos += vmdisk_raw_offset(be);
	while (iov_iter_count(from)) {
		ret = vfs_iter_write(be->file, from, &pos, fua ? RWF_DSYNC : 0);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return -EIO;
	}
	return 0;
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
	struct file *file = be->file;
	struct kiocb *iocb = &aio->iocb;
	ssize_t ret;

	init_sync_kiocb(iocb, file);
	iocb->ki_pos = aio->pos + vmdisk_raw_offset(be);
	iocb->ki_complete = vmdisk_file_ki_complete;
	if (aio->nowait)
		iocb->ki_flags |= IOCB_NOWAIT;
	if (!aio->write) {
		ret = file->f_op->read_iter(iocb, &aio->iter);
		if (ret != -EIOCBQUEUED)
			vmdisk_file_end(aio, ret);
		return;
	}
	iocb->ki_flags |= IOCB_WRITE | (aio->fua ? IOCB_DSYNC : 0);
	if (!vmdisk_file_start_write(aio)) {
		vmdisk_file_end(aio, -EAGAIN);
		return;
	}
	ret = file->f_op->write_iter(iocb, &aio->iter);
	if (ret == -EIOCBQUEUED)
		return;
	vmdisk_file_end_write(file);
	vmdisk_file_end(aio, ret);
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

/* Reads of any file that honours IOCB_NOWAIT (from the page cache, or
 * direct); writes only direct: buffered ones refuse it (ext4) or would
 * still wait for page locks. */
static bool vmdisk_file_nowait(struct vmdisk_backend *be, bool write)
{
	struct file *file = be->file;

	return (file->f_mode & FMODE_NOWAIT) &&
	       (!write || (file->f_flags & O_DIRECT));
}

static int vmdisk_file_flush(struct vmdisk_backend *be, loff_t pos, loff_t len)
{
	pos += vmdisk_raw_offset(be);
	return vfs_fsync_range(be->file, pos, len ? pos + len - 1 : LLONG_MAX, 1);
}

static int vmdisk_file_discard(struct vmdisk_backend *be, loff_t pos,
			       loff_t len)
{
	return vfs_fallocate(be->file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     pos + vmdisk_raw_offset(be), len);
}

static loff_t vmdisk_file_size(struct vmdisk_backend *be)
{
	loff_t size = i_size_read(file_inode(be->file));

	return max_t(loff_t, size - vmdisk_raw_offset(be), 0);
}

static void vmdisk_file_close(struct vmdisk_backend *be)
{
	fput(be->file);
	kfree(container_of(be, struct vmdisk_raw, be));
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
	return &raw->be;
}
