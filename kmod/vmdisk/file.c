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

/* The rest of a transfer the file system cut short, synchronously. */
static void vmdisk_file_end(struct vmdisk_aio *aio, long ret)
{
	struct vmdisk_backend *be = aio->be;
	loff_t pos = aio->pos;
	int err;

	if (ret == aio->count) {
		err = 0;
	} else if (ret < 0) {
		err = ret;
	} else {
		pos += ret;
		err = aio->write ? vmdisk_file_write(be, &aio->iter, pos,
				aio->iocb.ki_flags & IOCB_DSYNC) :
				   vmdisk_file_read(be, &aio->iter, pos);
	}
	aio->done(aio, err);
}

static void vmdisk_file_aio_work(struct work_struct *work)
{
	struct vmdisk_aio *aio = container_of(work, struct vmdisk_aio, work);

	vmdisk_file_end(aio, aio->ret);
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
	if (in_task() || ret == aio->count || ret < 0) {
		vmdisk_file_end(aio, ret);
		return;
	}
	aio->ret = ret;
	INIT_WORK(&aio->work, vmdisk_file_aio_work);
	queue_work(system_wq, &aio->work);
}

static void vmdisk_file_submit(struct vmdisk_backend *be,
			       struct vmdisk_aio *aio, loff_t pos, bool write,
			       bool fua)
{
	struct file *file = be->file;
	struct inode *inode = file_inode(file);
	struct kiocb *iocb = &aio->iocb;
	ssize_t ret;

	aio->be = be;
	aio->pos = pos;
	aio->write = write;
	aio->count = iov_iter_count(&aio->iter);
	init_sync_kiocb(iocb, file);
	iocb->ki_pos = pos + vmdisk_raw_offset(be);
	iocb->ki_complete = vmdisk_file_ki_complete;
	if (!write) {
		ret = file->f_op->read_iter(iocb, &aio->iter);
		if (ret != -EIOCBQUEUED)
			vmdisk_file_end(aio, ret);
		return;
	}
	iocb->ki_flags |= IOCB_WRITE | (fua ? IOCB_DSYNC : 0);
	file_start_write(file);
	if (S_ISREG(inode->i_mode))
		__sb_writers_release(inode->i_sb, SB_FREEZE_WRITE);
	ret = file->f_op->write_iter(iocb, &aio->iter);
	if (ret == -EIOCBQUEUED)
		return;
	vmdisk_file_end_write(file);
	vmdisk_file_end(aio, ret);
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
